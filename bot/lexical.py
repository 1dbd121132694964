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

from ingest.romanization import strip_particle
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


# Korean question words and endings that no article contains (the counterpart of English stopwords).
KOREAN_QUESTION_WORDS = frozenset(
    "무엇 무엇인가 무엇인가요 무엇인지 무엇을 무엇이 뭔가요 뭐야 뭔가 무슨 어디 어디인가 어디인가요 어디에서 어디에 "
    "어디서 어디로 누구 누구인가 누구인가요 누가 누구를 누구의 언제 언제인가 언제인가요 얼마 얼마인가 얼마인가요 얼마나 "
    "몇 몇년 몇년도 어떤 어떻게 어느 왜 있나요 했나요 인가요 인가 입니까 했는가 하는가 되었나 되었는가 였나 이었나 "
    "기사 기사는 기사에서 기사에 글 글에서 말하나요 설명하나요 나오나요 있는가 무엇이었나 무엇인지요".split()
)
_HANGUL_WORD = re.compile(r"[\uac00-\ud7a3]+")


def content_words(question: str) -> list[str]:
    """The words that carry a question's topic: English content words, Korean words without particles."""
    words = english_content_words(question)
    for token in _HANGUL_WORD.findall(question):
        stem = strip_particle(token)
        if len(stem) >= 2 and token not in KOREAN_QUESTION_WORDS and stem not in KOREAN_QUESTION_WORDS:
            words.append(stem)
    return list(dict.fromkeys(words))


def question_terms(question: str, vocabulary: Iterable[str]) -> list[str]:
    """The question's terms in the index's vocabulary (Korean needs >= 2 characters).

    English function words are left out: against an English article they match
    every paragraph ("is", "the") and drown the words that matter.
    """
    lowered = question.lower()
    terms = [t for t in _LATIN_OR_NUMBER.findall(lowered) if t not in ENGLISH_STOPWORDS]
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
