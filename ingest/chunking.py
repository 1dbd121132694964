"""Turn a parsed article into the chunks the store keeps (pure).

Every paragraph (headings and the source line included) is one chunk, embedded
with the article title and its section heading as context. Each of its
sentences, and each window of three consecutive sentences, is another chunk
pointing back to it (`parent_id`): retrieval scores a paragraph by the best of
the three, because a long paragraph dilutes the one sentence that answers and a
lone sentence misses context the paragraph has (docs/retrieval.md has the numbers).
Ids hash the document id and the embedded text, so unchanged content keeps its
id (and its vector) across re-ingests; positions live in metadata only.

No embedded text is longer than `max_chars`: the model reads about 512 tokens, and
a longer text only costs time (a 2 MB one-line file used to take hours). A longer
paragraph is split at sentence ends into pieces that each cite the same paragraph;
a piece is already a window of whole sentences, so it gets no three-sentence
windows (they would embed its text three more times).
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, replace
from typing import Iterable

from ingest.korean import TextAnalyzer
from ingest.structure import ArticleStructure, Block
from vectorstore.records import Chunk, Hit, Metadata

PASSAGE_KINDS = ("paragraph", "heading", "source")
WINDOW_SENTENCES = 3
# About 420 tokens of Korean or 250 of English for multilingual-e5 (512 at most).
DEFAULT_MAX_EMBED_CHARS = 1000


@dataclass(frozen=True)
class ArticleInfo:
    """Who an article is: id, title, url, language and source site."""

    doc_id: str
    title: str
    url: str = ""
    lang: str = "ko"
    source_site: str = ""


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def chunk_id(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:32]


def paragraph_embed_text(block: Block, title: str) -> str:
    """What the model sees for a paragraph: title and section heading give it context."""
    if block.kind == "source":
        return block.text
    context = [title] if title else []
    if block.section and block.section != block.text:
        context.append(block.section)
    return "\n".join([*context, block.text])


def sentence_windows(spans: list[tuple[int, int]], size: int = WINDOW_SENTENCES) -> list[tuple[int, int]]:
    """Overlapping windows of `size` sentences; a shorter paragraph is one window."""
    if len(spans) < size:
        return [(spans[0][0], spans[-1][1])]
    return [(spans[i][0], spans[i + size - 1][1]) for i in range(len(spans) - size + 1)]


Span = tuple[int, int]


def _cut(start: int, end: int, text: str, max_chars: int) -> list[Span]:
    """A span longer than `max_chars` in parts, each ending at a space where there is one."""
    parts: list[Span] = []
    while end - start > max_chars:
        space = text.rfind(" ", start + max_chars // 2, start + max_chars)
        stop = space if space > start else start + max_chars
        parts.append((start, stop))
        start = stop
        while start < end and text[start].isspace():
            start += 1
    if end > start:
        parts.append((start, end))
    return parts


def passage_pieces(text: str, spans: list[Span], max_chars: int) -> list[tuple[Span, list[Span]]]:
    """Whole sentences packed into pieces of at most `max_chars`: (piece, its sentences
    relative to the piece). A paragraph that fits is one piece; a sentence that does
    not fit is cut into parts."""
    if len(text) <= max_chars:
        return [((0, len(text)), spans)]
    sentences = [part for start, end in spans for part in _cut(start, end, text, max_chars)]
    pieces: list[tuple[Span, list[Span]]] = []
    group: list[Span] = []
    for sentence in sentences:
        if group and sentence[1] - group[0][0] > max_chars:
            pieces.append(_piece(group))
            group = []
        group.append(sentence)
    if group:
        pieces.append(_piece(group))
    return pieces


def _piece(group: list[Span]) -> tuple[Span, list[Span]]:
    start = group[0][0]
    return (start, group[-1][1]), [(a - start, b - start) for a, b in group]


def _split_block(block: Block, analyzer: TextAnalyzer, max_chars: int) -> list[tuple[Block, list[Span]]]:
    """The block, or its pieces, each with its sentence spans."""
    spans = analyzer.split_sentences(block.text)
    pieces = passage_pieces(block.text, spans, max_chars)
    if len(pieces) == 1 and pieces[0][0] == (0, len(block.text)):
        return [(block, spans)]
    return [(replace(block, text=block.text[a:b], start=block.start + a, end=block.start + b), sentences)
            for (a, b), sentences in pieces]


def build_chunks(structure: ArticleStructure, info: ArticleInfo, analyzer: TextAnalyzer,
                 max_chars: int = DEFAULT_MAX_EMBED_CHARS) -> list[Chunk]:
    """Paragraph chunks in document order, each followed by its sentences and windows."""
    chunks: list[Chunk] = []
    seen: Counter[str] = Counter()
    for number, whole in enumerate(structure.blocks, start=1):
        context = len(paragraph_embed_text(replace(whole, text=""), info.title))
        pieces: set[str] = set()
        for block, spans in _split_block(whole, analyzer, max(max_chars - context, max_chars // 2)):
            if block.text in pieces:  # a piece repeated within its paragraph cites nothing new,
                continue  # and thousands of copies would crowd every other article out of a search
            pieces.add(block.text)
            windows = [] if block is not whole else sentence_windows(spans)
            chunks.extend(_block_chunks(block, number, spans, windows, info, analyzer, seen, max_chars))
    return chunks


def _block_chunks(block: Block, number: int, spans: list[Span], windows: list[Span], info: ArticleInfo,
                  analyzer: TextAnalyzer, seen: Counter[str], max_chars: int) -> list[Chunk]:
    """One paragraph (or piece of one), then its sentence and window chunks."""
    embed_text = paragraph_embed_text(block, info.title)[:max_chars]
    seen[embed_text] += 1
    para_id = chunk_id(info.doc_id, block.kind, embed_text, str(seen[embed_text]))
    base: Metadata = {
        "doc_id": info.doc_id, "title": info.title, "url": info.url, "lang": info.lang,
        "section": block.section if block.kind == "paragraph" else "",
        "paragraph": number, "parent_id": para_id,
    }
    chunks = [Chunk(para_id, block.text, embed_text, {
        **base, "kind": block.kind, "start": block.start, "end": block.end,
        "hash": content_hash(block.text), "terms": " ".join(analyzer.terms(block.text)),
    })]
    for kind, parts in (("sentence", spans), ("window", windows)):
        for index, (start, end) in enumerate(parts):
            text = block.text[start:end]
            chunks.append(Chunk(chunk_id(para_id, kind, str(index), text), text, text, {
                **base, "kind": kind, "start": block.start + start, "end": block.start + end,
                "hash": content_hash(text), "index": index,
            }))
    return chunks


def index_terms(items: Iterable[Chunk | Hit]) -> list[str]:
    """The BM25 terms of the paragraphs (headings and source line too), each once, in order.

    The Korean ones also get a vector of their own at ingest, so that an English
    question word ("revenue") can be matched to the article's word for it (수익)
    at question time without a dictionary (`bot/bridge.py`).
    """
    terms: dict[str, None] = {}
    for item in items:
        if item.metadata.get("kind") in PASSAGE_KINDS:
            terms.update((t, None) for t in str(item.metadata.get("terms", "")).split())
    return list(terms)
