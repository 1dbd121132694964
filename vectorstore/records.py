"""What the store keeps: chunks in, hits out. Plain data, no I/O."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

Metadata = dict[str, str | int | float | bool]


@dataclass(frozen=True)
class Chunk:
    """One searchable unit: a paragraph or a sentence of an article.

    `text` is what readers see; `embed_text` is what the model sees (it may carry
    context such as the section heading). The id is derived from the document id
    and `embed_text`, so the same content always maps to the same id.
    """

    id: str
    text: str
    embed_text: str
    metadata: Metadata = field(default_factory=dict)


@dataclass(frozen=True)
class Hit:
    """A stored chunk as returned by a search; `score` is cosine similarity."""

    id: str
    text: str
    metadata: Metadata
    score: float = 0.0


@dataclass(frozen=True)
class DocumentRecord:
    """One article's current version: which chunks are live, and what it is.

    Readers use only `chunk_ids`, so switching versions is a single write of
    this record: a re-ingest adds new chunks first, flips the record, then
    deletes the chunks no version uses any more.
    """

    doc_id: str
    version: str
    text: str
    chunk_ids: tuple[str, ...]
    title: str = ""
    url: str = ""
    lang: str = ""
    source_site: str = ""
    created_at: str = ""
    updated_at: str = ""
    revision: int = 1
    extra: dict[str, object] = field(default_factory=dict)
    paragraph_count: int = 0  # how many lines `text` has (counted from it whenever it is loaded)
    # False for the records of a listing (`ChromaStore.list_documents`), which reads no
    # texts: `text` is "" there, and such a record cannot be written back.
    text_loaded: bool = True

    def __post_init__(self) -> None:
        if self.text_loaded:
            object.__setattr__(self, "paragraph_count", len(self.text.split("\n")))

    @property
    def paragraphs(self) -> list[str]:
        """Paragraph texts (headings and source line included), one per line of `text`."""
        if not self.text_loaded:
            raise ValueError(f"document {self.doc_id!r} was listed without its text: read it with get_document")
        return self.text.split("\n")


@dataclass(frozen=True)
class DocumentChunks:
    """All live chunks of one document version with their vectors, in stored order."""

    record: DocumentRecord
    hits: list[Hit]
    vectors: "object"  # numpy array (n, dim); typed loosely to keep numpy import lazy


def text_key(text: str) -> str:
    """A key equal for texts equal up to whitespace (the same article in another encoding
    or line ending), so a duplicate is found by one lookup instead of reading every text."""
    return hashlib.sha256(" ".join(text.split()).encode("utf-8")).hexdigest()[:32]
