"""Fit the cross-language similarity offset on the fit split; report it on the report split.

    python bench/language_offset.py > bench/language_offset.txt

Multilingual e5 scores a passage in the question's own language higher than an
equally relevant one in another language. In a store that holds articles in
both, that bias decides which article a question reaches. `bot.retrieval` adds
a constant (CROSS_LANGUAGE_OFFSETS) to every similarity that crosses languages
(in nomination and in ranking), one value per question language: the bias is
not symmetric (English questions reach Korean passages about as well as English
ones; Korean questions strongly prefer Korean text). This script tries a grid of
values on answerable questions, grouped by (question language, article
language), and for each question language picks the value with the best MRR
averaged over that language's groups, so that the small cross-language groups
weigh as much as the large same-language ones. Fit split: KorQuAD dev
entries 0-19, the bundled article and the English harbour article, with their
questions in both languages. Report split: entries 35-54 and the English tram
article. Entries 70-139 are held out for checks by others and never read.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from statistics import mean
from typing import Sequence

os.environ.setdefault("HF_HUB_OFFLINE", "1")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from report import fit_split, report_split  # noqa: E402

from bot.bridge import bridge_terms  # noqa: E402
from bot.evaluation.gold import GoldQuestion, bundled_gold_files, load_gold  # noqa: E402
from bot.evaluation.metrics import QuestionResult  # noqa: E402
from bot.retrieval import BM25_WEIGHT, DENSE_KINDS, nominate, score_documents  # noqa: E402
from bot.settings import Settings  # noqa: E402
from vectorstore.records import DocumentChunks  # noqa: E402
from vectorstore.store import ChromaStore  # noqa: E402

GRID = [round(0.01 * i, 2) for i in range(0, 15)]
Prepared = tuple[object, dict[str, DocumentChunks | None]]
_BRIDGED: dict[tuple[str, tuple[str, ...]], list[str]] = {}


def prepare(store: ChromaStore, question: GoldQuestion) -> Prepared:
    return store.embeddings.embed_question(question.question), {}


def ranked(store: ChromaStore, question: GoldQuestion, prepared: Prepared, offset: float) -> list[str]:
    """The question's top five paragraphs, nominated and ranked as `bot.retrieval` does, with `offset`."""
    vector, chunks = prepared
    offsets = {question.lang: offset}
    ids, _ = nominate(store, vector, question.question, question.lang, offsets)
    for doc_id in ids:
        if doc_id not in chunks:
            chunks[doc_id] = store.document_chunks(doc_id)
    documents = [d for d in (chunks[i] for i in ids) if d is not None]
    key = (question.question, tuple(ids))
    if key not in _BRIDGED:
        _BRIDGED[key] = [t for terms in bridge_terms(question.question, store, documents).terms.values()
                         for t in terms]
    paragraphs = score_documents(question.question, vector, documents, BM25_WEIGHT, _BRIDGED[key], DENSE_KINDS,
                                 question.lang, offsets)
    return [p.hit.text for p in paragraphs[:5]]


def mrr(results: Sequence[QuestionResult]) -> float:
    return sum(1 / r for r in (x.first_hit() for x in results) if r) / (len(results) or 1)


def recall3(results: Sequence[QuestionResult]) -> float:
    return sum(1 for r in (x.first_hit() for x in results) if r and r <= 3) / (len(results) or 1)


def measure(label: str, store: ChromaStore, groups: dict[str, list[GoldQuestion]]) -> dict[float, dict[str, float]]:
    """Print each group's R@3/MRR per offset (the offset of the group's question language)."""
    prepared = {g: [prepare(store, q) for q in qs if q.answerable] for g, qs in groups.items()}
    asked = {g: [q for q in qs if q.answerable] for g, qs in groups.items()}
    print(f"\n## {label}\n{'offset':>6}  " + "  ".join(f"{g} (n={len(asked[g])})".ljust(22) for g in groups)
          )
    table: dict[float, dict[str, float]] = {}
    for offset in GRID:
        cells, table[offset] = [], {}
        for g in groups:
            results = [QuestionResult(q, ranked(store, q, p, offset), False, "", 0.0)
                       for q, p in zip(asked[g], prepared[g])]
            table[offset][g] = mrr(results)
            cells.append(f"R@3 {recall3(results):.3f} MRR {table[offset][g]:.3f}".ljust(22))
        print(f"{offset:6.2f}  " + "  ".join(cells), flush=True)
    return table


def fitted(table: dict[float, dict[str, float]]) -> dict[str, float]:
    """Per question language, the offset with the best MRR averaged over its groups (ties: the smaller)."""
    languages = sorted({g.split()[-1].split("/")[0] for g in next(iter(table.values()))})
    best = {}
    for language in languages:
        def score(offset: float) -> float:
            return mean(m for g, m in table[offset].items() if g.split()[-1].startswith(language + "/"))
        best[language] = max(GRID, key=lambda o: (round(score(o), 3), -o))
    return best


def grouped(questions: Sequence[GoldQuestion], article_language: str, name: str) -> dict[str, list[GoldQuestion]]:
    groups: dict[str, list[GoldQuestion]] = {}
    for q in questions:
        groups.setdefault(f"{name} {q.lang}/{article_language}", []).append(q)
    return groups


def main() -> None:
    settings = Settings()
    fit = fit_split(settings)
    bundled = [q for path in bundled_gold_files().values() for q in load_gold(path)]
    harbour = load_gold(ROOT / "bot" / "evaluation" / "data" / "harbour-desal.jsonl")
    korquad = [q for q in fit.questions if q not in harbour]
    groups = {**grouped(bundled, "ko", "bundled"), **grouped(korquad, "ko", "korquad"),
              **grouped(harbour, "en", "harbour")}
    table = measure("fit: KorQuAD 0-19 + bundled + harbour (en)", fit.store, groups)
    print(f"\nfitted CROSS_LANGUAGE_OFFSETS = {fitted(table)}")
    report = report_split(settings)
    tram = load_gold(ROOT / "bot" / "evaluation" / "data" / "tramline.jsonl")
    korquad = [q for q in report.questions if q not in tram]
    measure("report: KorQuAD 35-54 + tram (en)", report.store,
            {**grouped(korquad, "ko", "korquad"), **grouped(tram, "en", "tram")})


if __name__ == "__main__":
    main()
