"""Ingest files into the store: read, structure, chunk, embed only what is new.

The content-hash ids make ingest idempotent: chunks already stored keep their
vectors (the model is never called for them), chunks that disappeared from a
document are deleted, and only metadata that really changed is rewritten.
"""

from __future__ import annotations

import re
import time
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

from ingest.chunking import PASSAGE_KINDS, ArticleInfo, build_chunks, content_hash
from ingest.glossary import learn_glossary
from ingest.korean import KiwiAnalyzer, TextAnalyzer
from ingest.language import detect_language
from ingest.reading import (
    DEFAULT_MAX_BYTES, InputError, SourceText, iter_input_files, read_source,
)
from ingest.structure import ArticleStructure, parse_article
from vectorstore.records import Chunk, DocumentRecord
from vectorstore.store import ChromaStore


@dataclass(frozen=True)
class IngestOptions:
    title: str = ""
    url: str = ""
    doc_id: str = ""
    max_bytes: int = DEFAULT_MAX_BYTES


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


@dataclass
class IngestSummary:
    documents: int = 0
    paragraphs: int = 0
    chunks: int = 0
    embedded: int = 0
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
        self.deleted += report.deleted

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


ProgressCallback = Callable[[Path, FileReport | None, str | None], None]


def default_doc_id(path: Path) -> str:
    """The file name's stem, tidied into a stable id."""
    return re.sub(r"\s+", "-", path.stem.strip()) or "article"


def article_info(source: SourceText, structure: ArticleStructure,
                 options: IngestOptions) -> ArticleInfo:
    """Title precedence: --title, the page's <title>, a Markdown H1, the feed's
    source line ("The post TITLE appeared first on …"), the file name."""
    title = (options.title or source.html_title or structure.title
             or structure.source_title or source.path.stem)
    return ArticleInfo(
        doc_id=options.doc_id or default_doc_id(source.path),
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


def prepare_file(path: Path, options: IngestOptions, analyzer: TextAnalyzer) -> PreparedArticle:
    source = read_source(path, options.max_bytes)
    structure = parse_article(source.text, markdown=source.kind in ("markdown", "html"))
    if not any(b.kind == "paragraph" for b in structure.blocks):
        raise InputError(f"{path}: has no paragraphs of text to ingest")
    info = article_info(source, structure, options)
    text = "\n".join(b.text for b in structure.blocks)
    nouns = sorted(set(analyzer.nouns(text)))
    extra: dict[str, object] = {
        "glossary": learn_glossary(text, nouns),
        "nouns": nouns,
        "headings": structure.headings,
        "source_title": structure.source_title,
    }
    return PreparedArticle(info, text, build_chunks(structure, info, analyzer), source.encoding, extra)


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def embed_new(store: ChromaStore, chunks: list[Chunk]) -> int:
    """Embed and add chunks; identical texts are embedded once. Returns texts embedded."""
    if not chunks:
        return 0
    unique = list(dict.fromkeys(c.embed_text for c in chunks))
    vectors = store.embeddings.embed_passages(unique)
    row = {text: n for n, text in enumerate(unique)}
    store.upsert(chunks, vectors[[row[c.embed_text] for c in chunks]])
    return len(unique)


def store_document(store: ChromaStore, article: PreparedArticle) -> tuple[int, int]:
    """Write one document version safely; return (texts embedded, chunks deleted).

    Order matters for readers: new chunks are added first, then the document
    record is switched to them in one write, and only then are chunks that no
    version uses deleted. A crash at any point leaves one complete version live.
    """
    info, chunks = article.info, article.chunks
    ids = [c.id for c in chunks]
    previous = store.get_document(info.doc_id)
    stored = {hit.id: hit.metadata for hit in store.get(ids)}
    now = _now()
    new = [replace(c, metadata={**c.metadata, "added_at": now}) for c in chunks if c.id not in stored]
    moved = [replace(c, metadata={**c.metadata, "added_at": stored[c.id].get("added_at", now)})
             for c in chunks if c.id in stored]
    moved = [c for c in moved if stored[c.id] != c.metadata]
    embedded = embed_new(store, new)
    if moved:
        store.update_metadata(moved)
    version = content_hash("\n".join(ids) + info.title + info.url)
    if previous is None or previous.version != version:
        store.put_document(DocumentRecord(
            doc_id=info.doc_id, version=version, text=article.text, chunk_ids=tuple(ids),
            title=info.title, url=info.url, lang=info.lang, source_site=info.source_site,
            created_at=previous.created_at if previous else now, updated_at=now,
            revision=previous.revision + 1 if previous else 1, extra=article.extra,
        ))
    stale = set(store.ids_where({"doc_id": info.doc_id})) - set(ids)
    if stale:
        store.delete(stale)
    return embedded, len(stale)


def ingest_paths(paths: list[Path], store: ChromaStore, options: IngestOptions = IngestOptions(),
                 progress: ProgressCallback | None = None,
                 analyzer: TextAnalyzer | None = None) -> IngestSummary:
    """Ingest files and folders; a bad file is reported and skipped, the rest go in."""
    started = time.perf_counter()
    files, problems = iter_input_files(paths)
    summary = IngestSummary(errors=list(problems))
    if options.doc_id and len(files) > 1:
        raise InputError("--doc-id names one document; give a single file with it")
    if not files:
        summary.seconds = round(time.perf_counter() - started, 3)
        return summary
    analyzer = analyzer or KiwiAnalyzer()
    with store.writing():
        for path in files:
            try:
                article = prepare_file(path, options, analyzer)
            except InputError as exc:
                summary.errors.append(str(exc))
                if progress:
                    progress(path, None, str(exc))
                continue
            embedded, deleted = store_document(store, article)
            chunks = article.chunks
            report = FileReport(
                path=str(path), doc_id=article.info.doc_id, title=article.info.title,
                encoding=article.encoding,
                paragraphs=sum(1 for c in chunks if c.metadata["kind"] in PASSAGE_KINDS),
                chunks=len(chunks), embedded=embedded, deleted=deleted,
                unchanged=embedded == 0 and deleted == 0,
            )
            summary.add(report)
            if progress:
                progress(path, report, None)
    summary.seconds = round(time.perf_counter() - started, 3)
    return summary
