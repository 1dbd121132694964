"""Summary requests vs topical questions: how `bot/overview.py` tells them apart.

Fit: the fit phrasings against the bundled dev questions and KorQuAD 0-19 (with
their English translations), stored together; the floor and margin in
bot/overview.py were read off this split. Report: other phrasings, five of them in
languages no prototype is written in, against KorQuAD 35-54 and the tram article.
`python bench/overview.py` prints both and writes bench/overview.json.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Sequence

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from report import fit_split, report_split, save  # noqa: E402

from bot.evaluation.gold import bundled_gold_files, load_gold  # noqa: E402
from bot.overview import is_overview  # noqa: E402
from bot.retrieval import retrieve  # noqa: E402
from bot.settings import Settings  # noqa: E402
from vectorstore.store import ChromaStore  # noqa: E402

FIT_REQUESTS = ["Give me a summary of the article", "Can you summarise this?", "What's the gist?", "tl;dr",
                "이 글 요약해줘", "기사 핵심만 알려줘", "Overview of the story please",
                "What does the article say overall?"]
REPORT_REQUESTS = ["Briefly, what is the story?", "Sum up the piece in a few sentences", "What's this news about?",
                   "이 기사 내용을 간단히 정리해 줘", "한 줄로 요약하면?", "Resume el artículo", "この記事を要約して",
                   "Fasse den Artikel zusammen", "Résumez l'article", "这篇文章讲了什么？"]


def scores(store: ChromaStore, questions: Sequence[str]) -> list[tuple[float, float, bool, str]]:
    """(similarity to a summary request, margin over passages and specific questions, taken?, question)."""
    out = []
    for question in questions:
        retrieval = retrieve(question, store)
        best = max((p.dense for p in retrieval.paragraphs), default=0.0)
        signal = retrieval.overview
        margin = signal.request - max(best, signal.specific)
        out.append((signal.request, margin, is_overview(signal, best), question))
    return out


def rate(rows: Sequence[tuple[float, float, bool, str]]) -> float:
    return round(sum(taken for _, _, taken, _ in rows) / len(rows), 3) if rows else 0.0


def main() -> None:
    settings = Settings()
    results: dict[str, object] = {}
    fit = fit_split(settings)
    topical = [q.question for path in bundled_gold_files().values() for q in load_gold(path)]
    topical += [q.question for q in fit.questions]
    report = report_split(settings)
    for split, store, requests, questions in (("fit", fit.store, FIT_REQUESTS, topical),
                                              ("report", report.store, REPORT_REQUESTS,
                                               [q.question for q in report.questions])):
        asked, other = scores(store, requests), scores(store, questions)
        results[f"{split}_requests_detected"] = rate(asked)
        results[f"{split}_questions_taken_for_requests"] = rate(other)
        results[f"{split}_questions_taken"] = [q for _, _, taken, q in other if taken]
        for s, m, taken, q in sorted(asked + other, key=lambda r: -r[1])[: len(requests) + 4]:
            kind = "request " if q in requests else "question"
            print(f"  {split:6} {s:.3f} {m:+.3f} {kind} {'taken' if taken else '     '} {q[:40]}")
    save(results, "overview")


if __name__ == "__main__":
    main()
