"""Retrieval and answer metrics over per-question results (pure)."""

from __future__ import annotations

from dataclasses import dataclass, field
from statistics import fmean, median
from typing import Iterable, Sequence

from bot.evaluation.gold import GoldQuestion


@dataclass
class QuestionResult:
    """What one method did with one question: ranked passage texts, answer, timing."""

    gold: GoldQuestion
    passages: list[str]  # ranked passage texts, best first (even when it abstained)
    abstained: bool
    answer: str
    latency_ms: float
    answer_language: str = ""
    extra: dict[str, object] = field(default_factory=dict)

    def first_hit(self) -> int | None:
        """1-based rank of the first passage covering an evidence span."""
        for rank, text in enumerate(self.passages, start=1):
            if any(span in text for span in self.gold.evidence):
                return rank
        return None

    def covers_all(self, k: int) -> bool:
        top = self.passages[:k]
        return all(any(span in text for text in top) for span in self.gold.evidence)

    def keyword_hit(self) -> float | None:
        """Share of expected keywords in the answer, in the answer's language."""
        keywords = (self.gold.answer_keywords_ko if self.answer_language == "ko"
                    else self.gold.answer_keywords_en)
        if not keywords:
            return None
        answer = self.answer.lower()
        return sum(1 for k in keywords if k.lower() in answer) / len(keywords)


def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def summarize(results: Iterable[QuestionResult]) -> dict[str, float | int]:
    results = list(results)
    answerable = [r for r in results if r.gold.answerable]
    unanswerable = [r for r in results if not r.gold.answerable]
    metrics: dict[str, float | int] = {"questions": len(results), "answerable": len(answerable),
                                       "unanswerable": len(unanswerable)}
    if answerable:
        ranks = [r.first_hit() for r in answerable]
        for k in (1, 3, 5):
            metrics[f"recall@{k}"] = round(fmean(1.0 if r and r <= k else 0.0 for r in ranks), 3)
        metrics["full_recall@5"] = round(fmean(1.0 if r.covers_all(5) else 0.0 for r in answerable), 3)
        metrics["mrr"] = round(fmean(1.0 / r if r else 0.0 for r in ranks), 3)
        metrics["false_abstention"] = round(fmean(1.0 if r.abstained else 0.0 for r in answerable), 3)
        hits = [h for h in (r.keyword_hit() for r in answerable if not r.abstained) if h is not None]
        if hits:
            metrics["keyword_hit"] = round(fmean(hits), 3)
    judged = [r.extra["citations_valid"] for r in results if r.extra.get("citations_valid") is not None]
    if judged:
        metrics["citation_validity"] = round(fmean(1.0 if v else 0.0 for v in judged), 3)
    calls = [r.extra["fallback"] for r in results if r.extra.get("fallback") is not None]
    if calls:
        metrics["llm_fallback"] = round(fmean(1.0 if f else 0.0 for f in calls), 3)
    if unanswerable:
        metrics["abstention"] = round(fmean(1.0 if r.abstained else 0.0 for r in unanswerable), 3)
    latencies = [r.latency_ms for r in results]
    if latencies:
        metrics["latency_p50_ms"] = round(median(latencies), 2)
        metrics["latency_p95_ms"] = round(percentile(latencies, 0.95), 2)
    return metrics


def breakdown(results: Sequence[QuestionResult]) -> dict[str, dict[str, dict[str, float | int]]]:
    """Overall, per language and per question kind."""
    by_lang: dict[str, list[QuestionResult]] = {}
    by_kind: dict[str, list[QuestionResult]] = {}
    for r in results:
        by_lang.setdefault(r.gold.lang, []).append(r)
        by_kind.setdefault(r.gold.kind or "unknown", []).append(r)
    return {
        "overall": {"all": summarize(results)},
        "language": {k: summarize(v) for k, v in sorted(by_lang.items())},
        "kind": {k: summarize(v) for k, v in sorted(by_kind.items())},
    }
