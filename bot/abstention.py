"""Decide whether the article answers a question at all.

Raw cosine scores of e5 separate poorly (answerable median 0.868 against 0.833
for unanswerable questions, overlapping up to 0.895), so the decision uses how
far the best paragraph stands out from the rest of the candidates for the same
question, which is comparable across questions.
"""

from __future__ import annotations

from dataclasses import dataclass
from statistics import fmean, pstdev

from bot.retrieval import Retrieval

Z_THRESHOLD = 2.0


@dataclass(frozen=True)
class AbstentionDecision:
    abstain: bool
    confidence: float
    reason: str = ""


def decide_abstention(question: str, retrieval: Retrieval) -> AbstentionDecision:
    if not retrieval.paragraphs:
        return AbstentionDecision(True, 0.0, "empty store")
    scores = retrieval.candidate_scores
    top = retrieval.paragraphs[0].score
    spread = pstdev(scores) or 1e-6
    z = (top - fmean(scores)) / spread
    return AbstentionDecision(z < Z_THRESHOLD, z, f"z={z:.2f}")
