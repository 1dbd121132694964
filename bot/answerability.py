"""Decide whether the stored articles answer a question, from evidence any article gives.

No table of one article's or one language's words: the decision combines four
measurements the model and the text provide, with weights fitted by a small
logistic regression on one split of the evaluation data and checked on another
(`bench/fit_answerability.py` prints them; docs/retrieval.md has the numbers):

- `top`: the best paragraph's similarity to the question (the model's own
  judgement; an article about something else scores low);
- `cross`: whether question and article differ in language (cross-lingual
  similarities run lower, so the same score means more);
- `names`: the share of the names in the question the article holds, in either
  script (bot/names.py: "Kim Young-sam" finds 김영삼);
- `coverage`: the share of the question's content words the best passages
  hold, as written or, across languages, through the model's word similarity
  (the word bridge: "money" meets 자금).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Sequence

from bot.lexical import ENGLISH_STOPWORDS, content_words
from bot.names import MIN_SKELETON, article_names, question_names
from ingest.korean import has_hangul
from ingest.romanization import romanize, skeleton

if TYPE_CHECKING:
    from bot.retrieval import Retrieval

_LATIN_WORD = re.compile(r"[a-z]+")
FEATURES = ("top", "cross", "names", "coverage")
NO_EVIDENCE = 0.5
STEM = 5  # English words sharing their first five letters count as one ("investment" / "invested")

# Fitted by `bench/fit_answerability.py` on its fit split (see the module docstring).
# A question is answered when INTERCEPT + sum(weight * feature) reaches the threshold of
# its (question language, article language) pair. Each threshold refuses about 5% of the
# answerable fit questions of its pair; only pairs with enough fit questions get their
# own (Korean questions on Korean articles), every other pair takes "default", fitted on
# the rest (English questions on Korean articles: the most lenient, as cross-lingual and
# English similarities run lower than Korean-to-Korean ones).
WEIGHTS = {"top": 35.221, "cross": 1.882, "names": 1.041, "coverage": 3.004}
INTERCEPT = -33.211
THRESHOLDS = {"ko/ko": -0.239, "default": -1.802}


@dataclass(frozen=True)
class Evidence:
    top: float
    cross: bool
    names: float
    coverage: float
    pair: str = ""  # "question language/article language"
    missing_names: tuple[str, ...] = ()

    def features(self) -> dict[str, float]:
        return {"top": self.top, "cross": float(self.cross), "names": self.names, "coverage": self.coverage}


@dataclass(frozen=True)
class AnswerabilityDecision:
    abstain: bool
    reason: str
    probability: float = 0.0


def word_held(word: str, text: str, latin_words: set[str], stems: set[str], latin_keys: set[str],
              bridge: dict[str, list[str]]) -> bool:
    """Does a passage text hold the word: as written, by English stem, through the word bridge,
    or (a Korean word) as the transliteration of a Latin name (올트먼 ~ Altman)?"""
    if any(t in text for t in bridge.get(word, ())):
        return True
    if has_hangul(word):
        key = skeleton(romanize(word))
        return word in text or word[:2] in text or (
            len(key) >= MIN_SKELETON and key in latin_keys)
    return word in latin_words or word[:STEM] in stems


def coverage(words: Sequence[str], texts: Sequence[str], bridge: dict[str, list[str]]) -> float:
    """Share of `words` held by the texts (1.0 for a question without content words).

    Korean words cannot be found in passages without Hangul (no bridge runs that
    way), so against such passages only the question's other words count, and a
    question with none of those gets an even 0.5: no evidence either way.
    """
    text = "\n".join(texts).lower()
    if not has_hangul(text):
        comparable = [w for w in words if not has_hangul(w)]
        if words and not comparable:
            return NO_EVIDENCE
        words = comparable
    if not words:
        return 1.0
    latin = set(_LATIN_WORD.findall(text))
    stems = {w[:STEM] for w in latin if len(w) >= STEM}
    keys = {skeleton(w) for w in latin} if any(has_hangul(w) for w in words) else set()
    return sum(1 for w in words if word_held(w, text, latin, stems, keys, bridge)) / len(words)


def gather_evidence(question: str, retrieval: "Retrieval", question_language: str,
                    passages: int = 3) -> Evidence:
    """The measurements the decision rests on (pure)."""
    best = retrieval.paragraphs[0]
    document = best.document
    names = question_names(question, ENGLISH_STOPWORDS)
    held = article_names(document.text)
    missing = tuple(n for n in names if not held.holds(n))
    texts = [p.hit.text for p in retrieval.paragraphs[:passages]]
    return Evidence(
        top=best.dense,
        cross=question_language != (document.lang or question_language),
        pair=f"{question_language}/{document.lang or question_language}",
        names=1.0 - len(missing) / len(names) if names else 1.0,
        coverage=coverage(content_words(question), texts, retrieval.bridge.terms),
        missing_names=missing,
    )


def confidence(evidence: Evidence) -> float:
    """Above 0.5 when the question scores above the threshold of its language pair."""
    z = INTERCEPT + sum(WEIGHTS[name] * evidence.features()[name] for name in FEATURES)
    z -= THRESHOLDS.get(evidence.pair, THRESHOLDS["default"])
    return 1.0 / (1.0 + math.exp(-z))


def decide(question: str, retrieval: "Retrieval", question_language: str) -> AnswerabilityDecision:
    if not retrieval.paragraphs:
        return AnswerabilityDecision(True, "the store is empty")
    evidence = gather_evidence(question, retrieval, question_language)
    p = confidence(evidence)
    if p >= 0.5:
        return AnswerabilityDecision(False, f"the passages answer it (confidence {p:.2f})", p)
    if evidence.missing_names:
        return AnswerabilityDecision(True, f"the closest article never mentions {', '.join(evidence.missing_names)}", p)
    return AnswerabilityDecision(True, f"no passage matches the question closely enough (confidence {p:.2f})", p)
