"""Lexical matching: BM25 over stored morphemes, without loading Kiwi per question (pure).

Paragraph terms are Kiwi morphemes computed at ingest. A question is matched
against that vocabulary directly: Latin words and numbers by token, Korean
terms by substring (a noun like 긴장 appears verbatim in 긴장을), which keeps
answering free of Kiwi's one-second start-up. English questions reach Korean
terms through the word bridge in `bot/bridge.py`.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from typing import Iterable, Sequence

from ingest.korean import has_hangul

_LATIN_OR_NUMBER = re.compile(r"[a-z]+|\d+")


# Function words and question scaffolding: they carry no topic to translate.
ENGLISH_STOPWORDS = frozenset("""
a about above after again against all also am an and any are as at be because been before being
below between both but by can could did do does doing down during each few for from further had
has have having he her here hers him his how however i if in into is it its itself just me more
most my no nor not now of off on once only or other our ours out over own same she should so some
such than that the their theirs them then there these they this those through to too under until
up very was we were what when where which while who whom whose why will with would you your
may might shall must others
according article articles piece story say says said mention mentions mentioned tell describe
""".split())


def english_content_words(question: str) -> list[str]:
    """The question's English words that carry its topic, each once, in order."""
    words = re.findall(r"[a-z]+", question.lower())
    return list(dict.fromkeys(w for w in words if len(w) > 2 and w not in ENGLISH_STOPWORDS))


def question_terms(question: str, vocabulary: Iterable[str]) -> list[str]:
    """The question's terms in the index's vocabulary (Korean needs >= 2 characters)."""
    lowered = question.lower()
    terms = _LATIN_OR_NUMBER.findall(lowered)
    terms += [t for t in vocabulary if len(t) >= 2 and has_hangul(t) and t in lowered]
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
