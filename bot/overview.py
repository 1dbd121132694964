"""Questions about a whole article ("Summarize the article", "이 기사는 무슨 내용인가요?").

Such a question names no topic, so the passages nearest to it are whatever is
vaguest (headings, a "결론" line) and the answer is useless. It is recognised by
the model's own similarities, in any language: the question is close to one of
a few requests for a summary (`PROTOTYPES`), and closer to them than to any
passage of the article and than to a few questions about something *in* an
article (`SPECIFIC`: "What does the article say about the company?"), by a margin
fitted on one set of phrasings and checked on another (`bench/overview.py`). The reply is then the lead sentence of each
section, in order, each cited: news writing puts a section's point first, and
a lead is chosen by its position, not by how many questions it vaguely fits.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Sequence

if TYPE_CHECKING:
    import numpy as np

    from bot.retrieval import RankedParagraph

# Requests for a summary; the model carries them to other phrasings and languages.
PROTOTYPES = (
    "Summarize the article.",
    "What is this article about?",
    "What are the main points of the article?",
    "기사를 요약해 주세요.",
    "이 기사는 무엇에 관한 내용인가요?",
    "이 기사의 요점은 무엇인가요?",
)
# Questions about something in an article, which mention "the article" too.
SPECIFIC = (
    "According to the article, what happened?",
    "What does the article say about the company?",
    "When did it happen, according to the article?",
    "Who does the article say did it?",
    "기사에 따르면 무슨 일이 있었나요?",
    "기사에서 그 회사에 대해 뭐라고 하나요?",
    "기사에 따르면 언제 일어났나요?",
)
# Read off bench/overview.py's fit split (e5-small): summary requests score 0.857 or
# more against a prototype; topical questions rarely reach 0.01 above both their best
# passage and the specific questions (bench/overview.json has the rates).
PROTOTYPE_FLOOR = 0.85
MARGIN = 0.01
MAX_LEADS = 6


@dataclass(frozen=True)
class Lead:
    """A section's first prose paragraph and its first sentence."""

    entry: "RankedParagraph"
    section: str
    sentence: str
    offset: int  # of the sentence within the paragraph text


@dataclass(frozen=True)
class OverviewSignal:
    """The question's best similarity to a summary request and to a specific question."""

    request: float = 0.0
    specific: float = 0.0


def overview_signal(question_vector: "np.ndarray", requests: "np.ndarray", specific: "np.ndarray") -> OverviewSignal:
    return OverviewSignal(float((requests @ question_vector).max()), float((specific @ question_vector).max()))


def is_overview(signal: OverviewSignal, best_passage: float) -> bool:
    return (signal.request >= PROTOTYPE_FLOOR
            and signal.request - max(best_passage, signal.specific) >= MARGIN)


def lead_sentence(entry: "RankedParagraph") -> tuple[str, int]:
    """The paragraph's first sentence and its offset (the whole text if it has no sentences)."""
    for sentence in sorted(entry.sentences, key=lambda h: int(h.metadata.get("start", 0))):
        offset = entry.sentence_offset(sentence)
        if offset is not None:
            return sentence.text, offset
    return entry.hit.text, 0


def section_leads(paragraphs: Sequence["RankedParagraph"], limit: int = MAX_LEADS) -> list[Lead]:
    """The lead of each section of the best-ranked document, in article order.

    An article without sections has one unit per paragraph, so its first
    paragraphs' leads stand in; headings and source lines are never leads.
    """
    if not paragraphs:
        return []
    doc_id = paragraphs[0].document.doc_id
    prose = sorted((p for p in paragraphs if p.document.doc_id == doc_id and p.hit.metadata.get("kind") == "paragraph"),
                   key=lambda p: int(p.hit.metadata.get("paragraph", 0)))
    sections = {str(p.hit.metadata.get("section", "")) for p in prose}
    leads: list[Lead] = []
    seen: set[str] = set()
    for entry in prose:
        section = str(entry.hit.metadata.get("section", ""))
        unit = section if len(sections) > 1 else str(entry.hit.metadata.get("paragraph", 0))
        if unit in seen:
            continue
        seen.add(unit)
        sentence, offset = lead_sentence(entry)
        leads.append(Lead(entry, section if len(sections) > 1 else "", sentence, offset))
    return leads[:limit]
