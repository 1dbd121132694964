"""Ingest files into the store: read, structure, chunk, embed only what is new.

The content-hash ids make ingest idempotent: chunks already stored keep their
vectors (the model is never called for them), chunks that disappeared from a
document are deleted, and only metadata that really changed is rewritten.

Several processes may ingest into one Chroma server at once: each embeds and
writes its new chunks unlocked (`stage_version`), then makes them live under the
store's short commit lock (`commit_version`), deciding again there against the
record live at that moment.
"""

from __future__ import annotations

import re
import time
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable

from ingest.changes import ChangeReport, compare_paragraphs, paragraphs_lost, removes_most, what_would_go
from ingest.chunking import (
    DEFAULT_MAX_EMBED_CHARS, PASSAGE_KINDS, ArticleInfo, build_chunks, content_hash, index_terms,
)
from ingest.korean import KiwiAnalyzer, TextAnalyzer, has_hangul
from ingest.language import detect_language
from ingest.reading import (
    DEFAULT_MAX_BYTES, InputError, SourceText, iter_input_files, read_source,
)
from ingest.safe_text import clean_id, shown_path
from ingest.structure import ArticleStructure, parse_article
from vectorstore.records import Chunk, DocumentRecord
from vectorstore.store import ChromaStore

if TYPE_CHECKING:
    import numpy as np


# Progress of one document's embedding: (doc_id, texts embedded so far, texts to embed).
# Embedding is most of an ingest's time (30-50 s for the bundled article on a busy
# 2-core machine), so front ends show it; the pipeline itself prints nothing.
EmbedProgress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class IngestOptions:
    title: str = ""
    url: str = ""
    doc_id: str = ""
    max_bytes: int = DEFAULT_MAX_BYTES
    replace: bool = False  # allow a version that removes or rewrites most of the document
    allow_duplicate: bool = False  # store a new document whose text another one already holds
    max_embed_chars: int = DEFAULT_MAX_EMBED_CHARS
    on_embedded: EmbedProgress | None = None  # called after each embedding step; None: silent


@dataclass
class FileReport:
    path: str
    doc_id: str
    title: str
    encoding: str
    paragraphs: int
    chunks: int
    embedded: int
    deleted: int
    unchanged: bool
    revision: int
    changes: dict[str, object]
    embedded_terms: int = 0


@dataclass
class IngestSummary:
    documents: int = 0
    paragraphs: int = 0
    chunks: int = 0
    embedded: int = 0
    embedded_terms: int = 0
    deleted: int = 0
    seconds: float = 0.0
    files: list[FileReport] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def add(self, report: FileReport) -> None:
        self.files.append(report)
        self.documents += 1
        self.paragraphs += report.paragraphs
        self.chunks += report.chunks
        self.embedded += report.embedded
        self.embedded_terms += report.embedded_terms
        self.deleted += report.deleted

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


ProgressCallback = Callable[[Path, FileReport | None, str | None], None]


def default_doc_id(path: Path, url: str = "") -> str:
    """The URL when there is one (the same story from another file is the same
    document), else the file name's stem, tidied into a stable id."""
    if url:
        slug = re.sub(r"^[a-z]+://(www\.)?", "", url.strip().lower())
        return re.sub(r"[^a-z0-9가-힣._-]+", "-", slug).strip("-") or "article"
    return re.sub(r"\s+", "-", clean_id(path.stem).strip()) or "article"


def article_info(source: SourceText, structure: ArticleStructure,
                 options: IngestOptions) -> ArticleInfo:
    """Title precedence: --title, the page's <title>, a Markdown H1, the feed's
    source line ("The post TITLE appeared first on …"), the file name."""
    title = (options.title or source.html_title or structure.title
             or structure.source_title or clean_id(source.path.stem))
    return ArticleInfo(
        doc_id=options.doc_id or default_doc_id(source.path, options.url),
        title=title,
        url=options.url,
        lang=detect_language(source.text),
        source_site=structure.source_site,
    )


@dataclass(frozen=True)
class PreparedArticle:
    """A file read and chunked, ready to store (no store access yet)."""

    info: ArticleInfo
    text: str
    chunks: list[Chunk]
    encoding: str
    extra: dict[str, object]


# Bump when chunking or embedded texts change, so unchanged files are re-chunked.
# 4: Korean index terms get vectors of their own (`new_terms`, `embed_terms`).
# 7: paragraphs longer than the model's window are split into pieces.
CHUNKING_VERSION = "7"


def source_fingerprint(source: SourceText, options: IngestOptions, doc_id: str) -> str:
    """Everything that decides a document's chunks: text, id, title/url options, chunker."""
    return content_hash("\x1f".join([CHUNKING_VERSION, source.text, options.title, options.url,
                                      doc_id, source.html_title, str(options.max_embed_chars)]))


def prepare_source(source: SourceText, options: IngestOptions, analyzer: TextAnalyzer) -> PreparedArticle:
    path = source.path
    structure = parse_article(source.text, markdown=source.kind in ("markdown", "html"))
    if not any(b.kind == "paragraph" for b in structure.blocks):
        raise InputError(f"{shown_path(path)}: has no paragraphs of text to ingest")
    info = article_info(source, structure, options)
    text = "\n".join(b.text for b in structure.blocks)
    extra: dict[str, object] = {
        "headings": structure.headings,
        "source_title": structure.source_title,
        "fingerprint": source_fingerprint(source, options, info.doc_id),
    }
    return PreparedArticle(info, text, build_chunks(structure, info, analyzer, options.max_embed_chars),
                           source.encoding, extra)


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


# Chunks (or terms) written per Chroma call, at least one model batch. Texts go to the
# model one batch (EMBEDDING_BATCH_SIZE) per call, so reporting progress after each
# call costs nothing, a busy CPU still shows a step every few seconds, and a GPU
# batch of 256 is not cut into calls of 64.
EMBED_BATCH = 64

Advance = Callable[[int], None]


def _no_progress(count: int) -> None:
    pass


def embedding_counter(doc_id: str, total: int, report: EmbedProgress | None) -> Advance:
    """A callback adding embedded texts up and reporting (doc_id, done, total); 0 first."""
    if report is None or total == 0:
        return _no_progress
    done = 0

    def advance(count: int) -> None:
        nonlocal done
        done += count
        report(doc_id, done, total)

    report(doc_id, 0, total)
    return advance


def _write_batch(store: ChromaStore) -> int:
    return max(EMBED_BATCH, store.embeddings.batch_size)


def _embed_in_steps(embed: Callable[[list[str]], "np.ndarray"], texts: list[str],
                    advance: Advance, step: int) -> "np.ndarray":
    """Embed `texts` (at least one) `step` at a time, advancing the count after each call."""
    import numpy as np

    parts = []
    for start in range(0, len(texts), step):
        part = texts[start : start + step]
        parts.append(embed(part))
        advance(len(part))
    return np.concatenate(parts)


def texts_to_embed(chunks: list[Chunk]) -> int:
    """How many texts `embed_new` sends to the model (identical texts once)."""
    return len(dict.fromkeys(c.embed_text for c in chunks))


def embed_new(store: ChromaStore, chunks: list[Chunk], advance: Advance = _no_progress) -> int:
    """Embed and add chunks in batches; identical texts are embedded once.

    Returns how many texts were sent to the model. Batches keep memory flat for
    long documents; chunks written before a crash stay invisible (no document
    record points at them) and are reused or cleaned up by the next ingest.
    """
    import numpy as np

    vectors_by_text: dict[str, object] = {}
    embedded = 0
    size = _write_batch(store)
    for start in range(0, len(chunks), size):
        batch = chunks[start : start + size]
        todo = list(dict.fromkeys(c.embed_text for c in batch if c.embed_text not in vectors_by_text))
        if todo:
            vectors = _embed_in_steps(store.embeddings.embed_passages, todo, advance, store.embeddings.batch_size)
            vectors_by_text.update(zip(todo, vectors))
            embedded += len(todo)
        store.upsert(batch, np.asarray([vectors_by_text[c.embed_text] for c in batch]))
    return embedded


def new_terms(store: ChromaStore, chunks: list[Chunk]) -> list[str]:
    """Korean index terms of `chunks` that have no vector yet.

    Terms are shared by all documents, so a re-ingest usually finds none. Models
    without a calibrated word-match floor get none (retrieval then has no bridge).
    """
    if store.embeddings.word_match_floor is None:
        return []
    return store.missing_terms(t for t in index_terms(chunks) if has_hangul(t))


def embed_terms(store: ChromaStore, terms: list[str], advance: Advance = _no_progress) -> int:
    """Give each term its own vector, for the cross-lingual word bridge; returns how many."""
    size = _write_batch(store)
    for start in range(0, len(terms), size):
        batch = terms[start : start + size]
        store.put_terms(batch, _embed_in_steps(store.embeddings.embed_questions, batch, advance,
                                               store.embeddings.batch_size))
    return len(terms)


@dataclass(frozen=True)
class StoredVersion:
    embedded: int
    deleted: int
    revision: int
    changes: ChangeReport
    embedded_terms: int = 0


def paragraph_changes(article: PreparedArticle, previous: DocumentRecord | None) -> ChangeReport:
    return compare_paragraphs(previous.paragraphs if previous else None, article.text.split("\n"))


def check_not_replacing(article: PreparedArticle, previous: DocumentRecord | None,
                        changes: ChangeReport, shown: str) -> None:
    """Refuse, before any write, a version that would remove most of a stored document."""
    if previous is None or not removes_most(changes, len(previous.paragraphs)):
        return
    lost = paragraphs_lost(changes)
    gone = "; ".join(f"“{snippet}”" for snippet in what_would_go(changes))
    raise InputError(
        f"{shown}: would remove or rewrite {lost} of the {len(previous.paragraphs)} paragraphs of "
        f"{article.info.doc_id} ({gone}); nothing was changed. If this file really replaces it, "
        "ingest again with --replace"
    )


def check_version(store: ChromaStore, article: PreparedArticle, live: DocumentRecord | None,
                  options: IngestOptions, shown: str) -> ChangeReport:
    """What the article changes in the live version, or InputError if it may not replace it:
    a new document holding another's text, or a version removing most of its document."""
    if live is None and not options.allow_duplicate:
        check_not_duplicate(article, store, shown)
    changes = paragraph_changes(article, live)
    if not options.replace:
        check_not_replacing(article, live, changes, shown)
    return changes


def _stamped(chunks: list[Chunk], added_at: str) -> list[Chunk]:
    return [replace(c, metadata={**c.metadata, "added_at": added_at}) for c in chunks]


def stage_version(store: ChromaStore, article: PreparedArticle,
                  on_embedded: EmbedProgress | None = None) -> tuple[int, int]:
    """Embed and write the chunks and vocabulary terms the store lacks; returns (texts, terms) embedded.

    The slow part of an ingest, so it holds no lock: writers sharing a server embed side
    by side. Readers never see these chunks until `commit_version` points a record at them.
    """
    chunks = article.chunks
    missing = set(store.missing([c.id for c in chunks]))
    new = _stamped([c for c in chunks if c.id in missing], _now())
    terms = new_terms(store, chunks)
    advance = embedding_counter(article.info.doc_id, texts_to_embed(new) + len(terms), on_embedded)
    return embed_new(store, new, advance), embed_terms(store, terms, advance)


def commit_version(store: ChromaStore, article: PreparedArticle, options: IngestOptions = IngestOptions(),
                   shown: str = "") -> StoredVersion:
    """Make a staged version live, one writer at a time, and say what changed.

    Another writer may have committed since staging began, so all is decided again
    against the record live now: whether the text may go in, what changed, the revision;
    chunks its clean-up deleted are written back, and positions of shared chunks are
    rewritten. Order matters for readers: chunks first, then the record switches to them
    in one write, and only then are chunks that no version uses deleted. A crash at any
    point leaves one complete version live. Returns embedded = texts embedded again.
    """
    info, chunks = article.info, article.chunks
    ids = [c.id for c in chunks]
    with store.committing():
        current = store.get_document(info.doc_id)
        try:
            changes = check_version(store, article, current, options, shown or info.doc_id)
        except InputError:
            delete_unused(store, info.doc_id, current.chunk_ids if current else ())
            raise
        stored = {hit.id: hit.metadata for hit in store.get(ids)}
        now = _now()
        restored = embed_new(store, _stamped([c for c in chunks if c.id not in stored], now))
        moved = [replace(c, metadata={**c.metadata, "added_at": stored[c.id].get("added_at", now)})
                 for c in chunks if c.id in stored]
        moved = [c for c in moved if stored[c.id] != c.metadata]
        if moved:
            store.update_metadata(moved)
        version = content_hash("\n".join(ids) + info.title + info.url)
        revision = current.revision if current else 1
        if current is None or current.version != version:
            revision = current.revision + 1 if current else 1
            store.put_document(DocumentRecord(
                doc_id=info.doc_id, version=version, text=article.text, chunk_ids=tuple(ids),
                title=info.title, url=info.url, lang=info.lang, source_site=info.source_site,
                created_at=current.created_at if current else now, updated_at=now,
                revision=revision, extra=article.extra,
            ))
        elif current.extra != article.extra:
            # Same chunks, newer chunker: refresh the fingerprint so the next run takes the fast path.
            store.put_document(replace(current, extra=article.extra))
        deleted = delete_unused(store, info.doc_id, ids)
    return StoredVersion(restored, deleted, revision, changes)


def delete_unused(store: ChromaStore, doc_id: str, live_ids: Iterable[str]) -> int:
    """Delete the document's chunks that its live version does not use: an older version's, a
    crashed ingest's, or those of a version still being staged (its commit writes them back)."""
    stale = set(store.ids_where({"doc_id": doc_id})) - set(live_ids)
    if stale:
        store.delete(stale)
    return len(stale)


def store_document(store: ChromaStore, article: PreparedArticle, options: IngestOptions = IngestOptions(),
                   shown: str = "") -> StoredVersion:
    """Write one document version: stage its chunks, then commit it."""
    embedded, embedded_terms = stage_version(store, article, options.on_embedded)
    stored = commit_version(store, article, options, shown)
    return replace(stored, embedded=embedded + stored.embedded, embedded_terms=embedded_terms)


def ingest_file(path: Path, store: ChromaStore, options: IngestOptions,
                analyzer: TextAnalyzer) -> FileReport:
    """Ingest one file as the next version of its document."""
    return ingest_source(read_source(path, options.max_bytes), store, options, analyzer)


def ingest_source(source: SourceText, store: ChromaStore, options: IngestOptions,
                  analyzer: TextAnalyzer, extra: dict[str, object] | None = None) -> FileReport:
    """Store decoded text as the next version of its document.

    Text (and options) matching the live version's fingerprint is reported
    unchanged before any parsing: no Kiwi, no model, and no writes, except that
    `extra` (record fields that do not change chunks, such as a web page's
    ETag) is rewritten when it differs.
    """
    path = source.path
    doc_id = options.doc_id or default_doc_id(path, options.url)
    previous = store.get_document(doc_id)
    if previous is not None and previous.extra.get("fingerprint") == source_fingerprint(source, options, doc_id):
        if extra and any(previous.extra.get(key) != value for key, value in extra.items()):
            store.merge_extra(doc_id, extra)
        return FileReport(
            path=shown_path(path), doc_id=doc_id, title=previous.title, encoding=source.encoding,
            paragraphs=len(previous.paragraphs), chunks=len(previous.chunk_ids), embedded=0,
            deleted=0, unchanged=True, revision=previous.revision,
            changes=ChangeReport(first_version=False, unchanged=len(previous.paragraphs)).to_dict(),
        )
    article = prepare_source(source, options, analyzer)
    if extra:
        article = replace(article, extra={**article.extra, **extra})
    check_version(store, article, previous, options, shown_path(path))  # refused before any embedding
    stored = store_document(store, article, options, shown_path(path))
    return FileReport(
        path=shown_path(path), doc_id=article.info.doc_id, title=article.info.title, encoding=article.encoding,
        paragraphs=len({c.metadata["paragraph"] for c in article.chunks if c.metadata["kind"] in PASSAGE_KINDS}),
        chunks=len(article.chunks), embedded=stored.embedded, deleted=stored.deleted,
        unchanged=stored.changes.is_unchanged and stored.embedded == 0,
        revision=stored.revision, changes=stored.changes.to_dict(), embedded_terms=stored.embedded_terms,
    )


def check_not_duplicate(article: PreparedArticle, store: ChromaStore, shown: str) -> None:
    """Refuse a new document whose text a stored one already holds (up to whitespace: the same
    article in another encoding or line ending): answers would cite it twice."""
    # Its own id is no copy: another writer has stored this very document meanwhile.
    same = [d for d in store.documents_with_text(article.text) if d != article.info.doc_id]
    if same:
        raise InputError(f"{shown}: has the same text as the stored document {same[0]!r}; "
                         f"not stored twice (--allow-duplicate stores it anyway)")


def ingest_paths(paths: list[Path], store: ChromaStore, options: IngestOptions = IngestOptions(),
                 progress: ProgressCallback | None = None,
                 analyzer: TextAnalyzer | None = None) -> IngestSummary:
    """Ingest files and folders; a bad file is reported and skipped, the rest go in."""
    started = time.perf_counter()
    files, problems = iter_input_files(paths)
    summary = IngestSummary(errors=list(problems))
    if options.doc_id and len(files) > 1:
        raise InputError("--doc-id names one document; give a single file with it")
    analyzer = analyzer or KiwiAnalyzer()
    with store.writing():
        for path in files:
            try:
                report = ingest_file(path, store, options, analyzer)
            except InputError as exc:
                summary.errors.append(str(exc))
                if progress:
                    progress(path, None, str(exc))
                continue
            summary.add(report)
            if progress:
                progress(path, report, None)
    summary.seconds = round(time.perf_counter() - started, 3)
    return summary
