"""What an answer is, as data. Formatters (terminal, JSON, Slack) render it."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class Highlight:
    """A matched sentence, as offsets into the passage text."""

    start: int
    end: int
    text: str
    score: float


@dataclass(frozen=True)
class Passage:
    """A cited paragraph, best first; `n` is its citation number."""

    n: int
    doc_id: str
    title: str
    section: str
    paragraph: int
    start: int
    end: int
    text: str
    score: float
    url: str = ""
    kind: str = "paragraph"
    chunk_id: str = ""
    highlights: list[Highlight] = field(default_factory=list)
    updated_at: str = ""  # set when this paragraph changed after the article was first ingested


@dataclass
class Answer:
    question: str
    answer: str
    abstained: bool
    language: str
    article_language: str
    passages: list[Passage]
    citations: list[int]
    notes: list[str] = field(default_factory=list)
    timings_ms: dict[str, float] = field(default_factory=dict)
    top_score: float = 0.0  # best cosine similarity of any chunk (for diagnostics)
    reason: str = ""  # why the bot answered or abstained
    # reading aids for a quote in another language: figures restated, matched words, the LLM hint
    glosses: list[str] = field(default_factory=list)

    @property
    def remarks(self) -> list[str]:
        """What is shown under the answer: its notes, then the reading aids."""
        return [*self.notes, *self.glosses]

    def to_dict(self) -> dict[str, object]:
        return asdict(self)
