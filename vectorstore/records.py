"""What the store keeps: chunks in, hits out. Plain data, no I/O."""

from __future__ import annotations

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
