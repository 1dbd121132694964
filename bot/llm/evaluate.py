"""The LLM answering path as a method of `articlebot eval` (bot/evaluation/harness.py).

Retrieval figures say whether the right passage was found; the LLM row adds
whether the answer shown is useful: keywords in the question's language, valid
citations, how often the extractive answer had to stand in, and abstention.
The metrics themselves are computed by bot/evaluation/metrics.py, like every
other method's.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any, Callable

if TYPE_CHECKING:
    from bot.llm.pipeline import Answerer
    from vectorstore.store import ChromaStore

CITATION_KINDS = {"unknown_citation", "no_citation", "uncited_sentence", "hollow_citation"}


def llm_method(store: "ChromaStore", answerer: "Answerer", k: int = 3) -> Callable[[Any], Any]:
    """Each question through `Answerer`, scored in the question's language.

    The QuestionResult's `extra` carries what the answer-level figures need:
    whether the model's citations were valid, and why it fell back, if it did.
    """
    from bot.evaluation.metrics import QuestionResult

    def run(gold: Any) -> Any:
        started = time.perf_counter()
        generation = answerer.ask_detailed(gold.question, store, k)
        latency = (time.perf_counter() - started) * 1000
        answer = generation.answer
        check = generation.check
        valid = None
        if check is not None and not check.abstained:
            valid = not any(i.kind in CITATION_KINDS for i in check.issues)
        return QuestionResult(
            gold, [p.text for p in answer.passages], answer.abstained, answer.answer, latency,
            answer.language,  # keywords are looked for in the question's language
            {"citations": answer.citations, "reason": answer.reason,
             "citations_valid": valid, "fallback": generation.fallback if generation.used_model else None},
        )

    return run
