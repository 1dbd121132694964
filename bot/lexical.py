"""Lexical matching: BM25 over stored morphemes, without loading Kiwi per question (pure).

Paragraph terms are Kiwi morphemes computed at ingest. A question is matched
against that vocabulary directly: Latin words and numbers by token, Korean
terms by substring (a noun like 긴장 appears verbatim in 긴장을), which keeps
answering free of Kiwi's one-second start-up.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from typing import Iterable, Sequence

_LATIN_OR_NUMBER = re.compile(r"[a-z]+|\d+")
_HANGUL = re.compile(r"[\uac00-\ud7a3]")


def question_terms(question: str, vocabulary: Iterable[str]) -> list[str]:
    """The question's terms in the index's vocabulary (Korean needs >= 2 characters)."""
    lowered = question.lower()
    terms = _LATIN_OR_NUMBER.findall(lowered)
    terms += [t for t in vocabulary if len(t) >= 2 and _HANGUL.search(t) and t in lowered]
    return terms


def bm25_scores(query: Sequence[str], documents: Sequence[Sequence[str]],
                k1: float = 1.5, b: float = 0.75) -> list[float]:
    """Okapi BM25 of each document for the query (Lucene's always-positive idf)."""
    if not documents:
        return []
    lengths = [len(d) for d in documents]
    average = (sum(lengths) / len(lengths)) or 1.0
    df: Counter[str] = Counter()
    for doc in documents:
        df.update(set(doc))
    n = len(documents)
    idf = {t: math.log(1 + (n - df[t] + 0.5) / (df[t] + 0.5)) for t in set(query)}
    scores = []
    for doc, length in zip(documents, lengths):
        tf = Counter(doc)
        score = 0.0
        for term in query:
            f = tf.get(term, 0)
            if f:
                score += idf[term] * f * (k1 + 1) / (f + k1 * (1 - b + b * length / average))
        scores.append(score)
    return scores
