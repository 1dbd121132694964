"""Compare ranking set-ups on a fit split and a report split, answerable questions only.

    python bench/ranking_variants.py > bench/ranking_variants.txt

Each question is embedded and its documents nominated once; every variant then
re-ranks the same paragraphs (`bot.retrieval.score_documents`), so the figures
differ only by the ranking. Fit split: the bundled article's dev and extra sets
and KorQuAD 1.0 dev entries 0-19 (with their English translations). Report
split: entries 35-54 and the English tram article, which no rule was written
for. Entries 70-139 are held out for checks by others and never read.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

os.environ.setdefault("HF_HUB_OFFLINE", "1")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from report import fit_split, report_split  # noqa: E402

from bot.bridge import bridge_terms  # noqa: E402
from bot.evaluation.gold import GoldQuestion, bundled_gold_files, load_gold  # noqa: E402
from bot.evaluation.metrics import QuestionResult  # noqa: E402
from bot.retrieval import MAX_DOCUMENTS, NOMINATING_HITS, score_documents  # noqa: E402
from bot.settings import Settings  # noqa: E402
from vectorstore.store import ChromaStore  # noqa: E402



@dataclass(frozen=True)
class Variant:
    bm25: float = 0.3
    bridge: bool = True
    dense_kinds: tuple[str, ...] = ("sentence", "window")
    documents: int = MAX_DOCUMENTS
    lexical_same_language_only: bool = False


VARIANTS = {
    "current (bm25 0.3, bridge, windows)": Variant(),
    "dense only (sentence, window)": Variant(bm25=0.0),
    "dense only (sentence) = plain e5": Variant(bm25=0.0, dense_kinds=("sentence",)),
    "bm25 0.1, bridge, windows": Variant(bm25=0.1),
    "bm25 0.2, bridge, windows": Variant(bm25=0.2),
    "bm25 0.3, no bridge, windows": Variant(bridge=False),
    "bm25 0.3, no bridge, sentence": Variant(bridge=False, dense_kinds=("sentence",)),
    "bm25 0.1, no bridge, sentence": Variant(bm25=0.1, bridge=False, dense_kinds=("sentence",)),
    "bm25 0.3 same-language only, windows": Variant(lexical_same_language_only=True, bridge=False),
    "bm25 0.3, bridge, windows, 5 docs": Variant(documents=5),
    "bm25 0.3, bridge, windows, 8 docs": Variant(documents=8),
    "bm25 0.3, bridge, windows, all nominated": Variant(documents=40),
    "bm25 0.2, bridge, windows, 5 docs": Variant(bm25=0.2, documents=5),
    "dense only (sentence), all nominated": Variant(bm25=0.0, dense_kinds=("sentence",), documents=40),
}
DOCUMENT_COUNTS = sorted({v.documents for v in VARIANTS.values()})


def prepare(store: ChromaStore, question: GoldQuestion) -> tuple:  # type: ignore[type-arg]
    vector = store.embeddings.embed_question(question.question)
    hits = store.query(vector, NOMINATING_HITS)
    ids = list(dict.fromkeys(str(h.metadata.get("doc_id")) for h in hits))
    documents = [d for d in (store.document_chunks(i) for i in ids) if d is not None]
    bridged = {n: [t for terms in bridge_terms(question.question, store, documents[:n]).terms.values()
                   for t in terms] for n in DOCUMENT_COUNTS}
    return vector, documents, bridged


def ranked(question: GoldQuestion, prepared: tuple, variant: Variant) -> list[str]:  # type: ignore[type-arg]
    vector, documents, bridged = prepared
    documents = documents[:variant.documents]
    weight = variant.bm25
    if variant.lexical_same_language_only and documents:
        article_language = documents[0].record.lang
        if article_language and article_language != question.lang:
            weight = 0.0
    terms = bridged[variant.documents] if variant.bridge else []
    paragraphs = score_documents(question.question, vector, documents, weight, terms, variant.dense_kinds)
    return [p.hit.text for p in paragraphs[:5]]


def figures(results: Sequence[QuestionResult]) -> str:
    ranks = [r.first_hit() for r in results]
    n = len(ranks) or 1
    r1 = sum(1 for r in ranks if r == 1) / n
    r3 = sum(1 for r in ranks if r and r <= 3) / n
    mrr = sum(1 / r for r in ranks if r) / n
    return f"n={len(ranks):3d} R@1 {r1:.3f} R@3 {r3:.3f} MRR {mrr:.3f}"


def measure(label: str, store: ChromaStore, questions: Sequence[GoldQuestion]) -> None:
    questions = [q for q in questions if q.answerable]
    prepared = [prepare(store, q) for q in questions]
    languages = sorted({q.lang for q in questions})
    print(f"\n## {label}")
    for name, variant in VARIANTS.items():
        cells = []
        for lang in languages:
            results = [QuestionResult(q, ranked(q, p, variant), False, "", 0.0)
                       for q, p in zip(questions, prepared) if q.lang == lang]
            cells.append(f"{lang}: {figures(results)}")
        print(f"{name:40s} " + " | ".join(cells), flush=True)


def main() -> None:
    settings = Settings()
    fit = fit_split(settings)
    bundled = [q for path in bundled_gold_files().values() for q in load_gold(path)]
    measure("fit: bundled dev + extra (stored beside KorQuAD 0-19)", fit.store, bundled)
    measure("fit: KorQuAD 0-19 + translations", fit.store, fit.questions)
    report = report_split(settings)
    measure("report: KorQuAD 35-54 + translations + tram article", report.store, report.questions)


if __name__ == "__main__":
    main()
