"""Turn a parsed article into the chunks the store keeps (pure).

Every paragraph (headings and the source line included) is one chunk, and each
of its sentences is another that points back to it (`parent_id`). Retrieval
scores a paragraph by the better of its own match and its best sentence's.
Ids hash the document id and the embedded text, so unchanged content keeps its
id (and its vector) across re-ingests; positions live in metadata only.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass

from ingest.sentences import SentenceSplitter
from ingest.structure import ArticleStructure, Block
from vectorstore.records import Chunk, Metadata

PASSAGE_KINDS = ("paragraph", "heading", "source")


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


def paragraph_embed_text(block: Block) -> str:
    """What the model sees for a paragraph: its section heading gives it context."""
    if block.kind == "paragraph" and block.section and block.section != block.text:
        return f"{block.section}\n{block.text}"
    return block.text


def _base_metadata(info: ArticleInfo, block: Block, number: int) -> Metadata:
    return {
        "doc_id": info.doc_id,
        "title": info.title,
        "url": info.url,
        "lang": info.lang,
        "source_site": info.source_site,
        "section": block.section if block.kind != "heading" else "",
        "paragraph": number,
    }


def build_chunks(structure: ArticleStructure, info: ArticleInfo,
                 split: SentenceSplitter) -> list[Chunk]:
    """Paragraph chunks (in document order), each followed by its sentence chunks."""
    chunks: list[Chunk] = []
    seen: Counter[str] = Counter()
    for number, block in enumerate(structure.blocks, start=1):
        embed_text = paragraph_embed_text(block)
        seen[embed_text] += 1
        para_id = chunk_id(info.doc_id, block.kind, embed_text, str(seen[embed_text]))
        para_hash = content_hash(block.text)
        base = _base_metadata(info, block, number)
        chunks.append(Chunk(para_id, block.text, embed_text, {
            **base, "kind": block.kind, "parent_id": para_id, "start": block.start,
            "end": block.end, "hash": para_hash, "sentence": -1,
        }))
        if block.kind != "paragraph":
            continue
        spans = split(block.text)
        if len(spans) < 2:
            continue  # a one-sentence paragraph is already its own chunk
        for index, (start, end) in enumerate(spans):
            sentence = block.text[start:end]
            chunks.append(Chunk(
                chunk_id(para_id, "sentence", str(index), sentence), sentence, sentence, {
                    **base, "kind": "sentence", "parent_id": para_id,
                    "start": block.start + start, "end": block.start + end,
                    "hash": content_hash(sentence), "sentence": index,
                }))
    return chunks
