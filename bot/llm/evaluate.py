"""Answer-level figures over a question set, for `articlebot eval` and docs/llm.md.

Retrieval figures say whether the right passage was found; these say whether
the answer shown is useful: it contains the expected keywords in the question's
language, its citations are valid, and it abstains when the article has no
answer. Run directly for a measurement:

    python -m bot.llm.evaluate CASES.jsonl --base-url http://127.0.0.1:8081/v1 [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from statistics import fmean
from typing import TYPE_CHECKING, Any, Callable, Iterable, Sequence

from bot.llm.answer import Generation
from bot.llm.citations import CITATION

if TYPE_CHECKING:
    from bot.llm.pipeline import Answerer
    from vectorstore.store import ChromaStore

CITATION_KINDS = {"unknown_citation", "no_citation", "uncited_sentence", "hollow_citation"}


@dataclass
class CaseResult:
    id: str
    lang: str
    answerable: bool
    answer: str
    abstained: bool
    raw: str
    keyword_hits: int
    keywords: int
    raw_keyword_hits: int
    used_model: bool
    fallback: str
    citations_valid: bool | None  # None: no model reply to judge (abstention, error)
    seconds: float
    issues: list[str] = field(default_factory=list)


@dataclass
class AnswerFigures:
    cases: int
    keyword_hit_rate: float  # answerable: share of expected keywords in the shown answer
    model_keyword_hit_rate: float  # the same, on the model's own replies
    citation_validity_rate: float  # model replies whose citations all pass the check
    fallback_rate: float  # model calls whose reply was replaced by the extractive answer
    abstention_unanswerable: float  # unanswerable questions the bot declined
    false_abstention_answerable: float  # answerable questions the bot declined
    seconds_per_answer: float
    fallback_reasons: dict[str, int] = field(default_factory=dict)

    def lines(self) -> list[str]:
        return [
            f"questions: {self.cases}",
            f"keyword hit rate (question's language): {self.keyword_hit_rate:.0%}"
            f" (model replies before fallback: {self.model_keyword_hit_rate:.0%})",
            f"citation validity: {self.citation_validity_rate:.0%};"
            f" fallback to extractive: {self.fallback_rate:.0%} {self.fallback_reasons or ''}",
            f"abstention on unanswerable: {self.abstention_unanswerable:.0%};"
            f" false abstention on answerable: {self.false_abstention_answerable:.0%}",
            f"seconds per answer: {self.seconds_per_answer:.1f}",
        ]


def load_cases(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def keyword_hits(text: str, keywords: Sequence[str]) -> int:
    """How many keywords occur in the text (case-insensitive, citations ignored)."""
    plain = CITATION.sub(" ", text).casefold()
    return sum(1 for k in keywords if re.sub(r"\s+", " ", k.casefold()) in re.sub(r"\s+", " ", plain))


def score_case(case: dict[str, Any], generation: Generation, seconds: float) -> CaseResult:
    keywords = list(case.get(f"answer_keywords_{case.get('lang', 'en')}") or [])
    check = generation.check
    raw_text = check.text if check is not None else ""
    valid = None
    if check is not None and not check.abstained:
        valid = not any(i.kind in CITATION_KINDS for i in check.issues)
    return CaseResult(
        id=str(case.get("id", "")), lang=str(case.get("lang", "")), answerable=bool(case.get("answerable", True)),
        answer=generation.answer.answer, abstained=generation.answer.abstained, raw=generation.raw,
        keyword_hits=keyword_hits(generation.answer.answer, keywords), keywords=len(keywords),
        raw_keyword_hits=keyword_hits(raw_text, keywords), used_model=generation.used_model,
        fallback=generation.fallback, citations_valid=valid, seconds=round(seconds, 3),
        issues=[f"{i.kind}: {i.detail}" for i in check.issues] if check is not None else [],
    )


def figures(results: Sequence[CaseResult]) -> AnswerFigures:
    """Aggregate per-question results into the figures `articlebot eval` prints."""
    answerable = [r for r in results if r.answerable and r.keywords]
    unanswerable = [r for r in results if not r.answerable]
    judged = [r for r in results if r.citations_valid is not None]
    called = [r for r in results if r.used_model]
    reasons: dict[str, int] = {}
    for r in called:
        if r.fallback:
            reasons[r.fallback] = reasons.get(r.fallback, 0) + 1

    def mean(values: Iterable[float]) -> float:
        values = list(values)
        return round(fmean(values), 4) if values else 0.0

    return AnswerFigures(
        cases=len(results),
        keyword_hit_rate=mean(r.keyword_hits / r.keywords for r in answerable),
        model_keyword_hit_rate=mean(r.raw_keyword_hits / r.keywords for r in answerable),
        citation_validity_rate=mean(1.0 if r.citations_valid else 0.0 for r in judged),
        fallback_rate=mean(1.0 if r.fallback else 0.0 for r in called),
        abstention_unanswerable=mean(1.0 if r.abstained else 0.0 for r in unanswerable),
        false_abstention_answerable=mean(1.0 if r.abstained else 0.0 for r in results if r.answerable),
        seconds_per_answer=mean(r.seconds for r in results),
        fallback_reasons=reasons,
    )


def run_cases(cases: Sequence[dict[str, Any]], answerer: "Answerer", store: "ChromaStore", k: int = 3,
              progress: Any = None) -> list[CaseResult]:
    results = []
    for case in cases:
        started = time.perf_counter()
        generation = answerer.ask_detailed(case["question"], store, k)
        result = score_case(case, generation, time.perf_counter() - started)
        results.append(result)
        if progress is not None:
            progress(result)
    return results


def llm_method(store: "ChromaStore", answerer: "Answerer", k: int = 3) -> Callable[[Any], Any]:
    """A method for bot.evaluation.harness: the LLM answering path, scored in the question's language.

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
            {"citations": answer.citations, "reason": answer.reason if hasattr(answer, "reason") else "",
             "citations_valid": valid, "fallback": generation.fallback if generation.used_model else None},
        )

    return run


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.llm.evaluate", description=__doc__.split("\n\n")[0])
    parser.add_argument("cases", type=Path)
    parser.add_argument("--provider", default="openai", choices=["none", "openai", "ollama"])
    parser.add_argument("--base-url", default="")
    parser.add_argument("--model", default="local")
    parser.add_argument("--timeout", type=float, default=60.0)
    parser.add_argument("--max-tokens", type=int, default=300)
    parser.add_argument("-k", type=int, default=3)
    parser.add_argument("--json", type=Path, help="write per-question results here")
    args = parser.parse_args(argv)

    from bot.llm.config import LLMConfig
    from bot.llm.pipeline import Answerer
    from bot.runtime import ensure_corpus, open_store
    from bot.settings import Settings

    settings = Settings()
    store = open_store(settings)
    ensure_corpus(store, settings, print)
    config = LLMConfig(provider=args.provider, base_url=args.base_url, model=args.model,
                       timeout_s=args.timeout, max_tokens=args.max_tokens)
    answerer = Answerer(config)

    def show(r: CaseResult) -> None:
        flag = f"fallback:{r.fallback}" if r.fallback else ("abstained" if r.abstained else "ok")
        print(f"{r.id} {r.lang} {r.seconds:5.1f}s kw {r.keyword_hits}/{r.keywords} {flag}: "
              f"{r.answer[:110]!r}", file=sys.stderr, flush=True)

    results = run_cases(load_cases(args.cases), answerer, store, args.k, progress=show)
    summary = figures(results)
    print("\n".join(summary.lines()))
    if args.json:
        args.json.write_text(json.dumps({"figures": asdict(summary), "config": config.describe(),
                                         "results": [asdict(r) for r in results]}, ensure_ascii=False, indent=2),
                             encoding="utf-8")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
