"""Run gold questions through articlebot's own answering path and the baselines."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Callable, Sequence

from bot.answering import compose_answer
from bot.evaluation.baselines import Method, bm25_method, naive_rag_method, plain_e5_method
from bot.evaluation.gold import GoldQuestion
from bot.evaluation.metrics import QuestionResult, breakdown
from bot.retrieval import retrieve
from vectorstore.store import ChromaStore

if TYPE_CHECKING:
    from bot.llm.pipeline import Answerer

DEPTH = 5


def articlebot_method(store: ChromaStore, k: int = 3) -> Method:
    """Exactly what `articlebot ask` does; ranked paragraphs are kept even when it abstains."""

    def run(gold: GoldQuestion) -> QuestionResult:
        started = time.perf_counter()
        retrieval = retrieve(gold.question, store)
        answer = compose_answer(gold.question, retrieval, k, started)
        latency = (time.perf_counter() - started) * 1000
        ranked = [p.hit.text for p in retrieval.paragraphs[: max(DEPTH, k)]]
        return QuestionResult(gold, ranked, answer.abstained, answer.answer, latency,
                              answer.article_language if not answer.abstained else answer.language,
                              {"reason": answer.reason, "citations": answer.citations})

    return run


def run_method(method: Method, questions: Sequence[GoldQuestion],
               progress: Callable[[], None] | None = None) -> list[QuestionResult]:
    method(questions[0])  # warm-up: load the model and caches outside the timings
    results = []
    for gold in questions:
        results.append(method(gold))
        if progress:
            progress()
    return results


def evaluate(store: ChromaStore, questions: Sequence[GoldQuestion], k: int = 3,
             baselines: bool = False, progress: Callable[[], None] | None = None,
             answerer: "Answerer | None" = None) -> dict[str, object]:
    """Metrics per method (overall, per language, per kind) and each question's results.

    With a configured LLM (`answerer`), an "articlebot+llm" row adds answer-level
    figures: keywords in the question's language, citation validity, fallbacks.
    Its retrieval columns only see the k passages the model was given.
    """
    methods: dict[str, Method] = {"articlebot": articlebot_method(store, k)}
    if answerer is not None:
        from bot.llm.evaluate import llm_method

        methods["articlebot+llm"] = llm_method(store, answerer, k)
    if baselines:
        methods["plain-e5"] = plain_e5_method(store)
        methods["bm25"] = bm25_method(store)
        methods["naive-rag"] = naive_rag_method(store)
    report: dict[str, object] = {"k": k, "methods": {}}
    for name, method in methods.items():
        results = run_method(method, questions, progress)
        report["methods"][name] = {  # type: ignore[index]
            "metrics": breakdown(results),
            "questions": [
                {"id": r.gold.id, "lang": r.gold.lang, "kind": r.gold.kind, "question": r.gold.question,
                 "answerable": r.gold.answerable, "abstained": r.abstained, "first_hit": r.first_hit(),
                 "latency_ms": round(r.latency_ms, 2), "answer": r.answer, "passages": r.passages, **r.extra}
                for r in results
            ],
        }
    return report
