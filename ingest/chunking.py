"""Turn a parsed article into the chunks the store keeps (pure).

Every paragraph (headings and the source line included) is one chunk, embedded
with the article title and its section heading as context. Each of its
sentences, and each window of three consecutive sentences, is another chunk
pointing back to it (`parent_id`): retrieval scores a paragraph by the best of
the three, because a long paragraph dilutes the one sentence that answers and a
lone sentence misses context the paragraph has (docs/retrieval.md has the numbers).
Ids hash the document id and the embedded text, so unchanged content keeps its
id (and its vector) across re-ingests; positions live in metadata only.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass
from typing import Iterable

from ingest.korean import TextAnalyzer
from ingest.structure import ArticleStructure, Block
from vectorstore.records import Chunk, Hit, Metadata

PASSAGE_KINDS = ("paragraph", "heading", "source")
WINDOW_SENTENCES = 3


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


def build_chunks(structure: ArticleStructure, info: ArticleInfo, analyzer: TextAnalyzer) -> list[Chunk]:
    """Paragraph chunks in document order, each followed by its sentences and windows."""
    chunks: list[Chunk] = []
    seen: Counter[str] = Counter()
    for number, block in enumerate(structure.blocks, start=1):
        embed_text = paragraph_embed_text(block, info.title)
        seen[embed_text] += 1
        para_id = chunk_id(info.doc_id, block.kind, embed_text, str(seen[embed_text]))
        base: Metadata = {
            "doc_id": info.doc_id, "title": info.title, "url": info.url, "lang": info.lang,
            "section": block.section if block.kind == "paragraph" else "",
            "paragraph": number, "parent_id": para_id,
        }
        chunks.append(Chunk(para_id, block.text, embed_text, {
            **base, "kind": block.kind, "start": block.start, "end": block.end,
            "hash": content_hash(block.text), "terms": " ".join(analyzer.terms(block.text)),
        }))
        spans = analyzer.split_sentences(block.text)
        for kind, parts in (("sentence", spans), ("window", sentence_windows(spans))):
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
