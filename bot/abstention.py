"""Decide whether the article answers a question at all.

Similarity scores cannot decide this: e5's cosines for answerable and
unanswerable questions overlap (medians 0.868 against 0.833, up to 0.895), and
the unanswerable questions people actually ask are on-topic ("How many people
work at the Bellevue office?"), so they score as high as answerable ones. Two
checks that look at what an answer needs work much better (docs/retrieval.md):

1. Every name or model in the question (after mapping MS -> Microsoft, 벨뷰 <->
   Bellevue with the article's own glossary) must occur in the article: the
   article cannot tell when GPT-5 comes out if it never mentions GPT-5.
2. A question asking for a number or date, a person, or a name needs a
   matching sentence among the best ones that contains such a value not already
   in the question, and all of the question's names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.retrieval import Retrieval
from ingest.glossary import HANGUL, alternatives, canonical_question
from ingest.language import detect_language

_STOPWORDS = set(
    "what which who whom whose when where why how is are was were did does do the a an of to in on for and "
    "or by with from at as it its this that these those be been has have had will would could should can "
    "may might much many most more less about into than then there their they them he she his her not no "
    "yes if but so explain now".split()
)
NUMBER_QUESTION = re.compile(
    r"^\s*when\b|\bhow (much|many|long|old)\b|\bwhat (percentage|percent|share|date|year|day|time)\b"
    r"|\bin what year\b|얼마|몇|언제|며칠|날짜|연도|퍼센트|비율", re.IGNORECASE)
PERSON_QUESTION = re.compile(
    r"\bwho (is|was|are|were)\b|\bwho\b.*\?$|누구(인가|입니까|예요|야|였|일까|죠)|누가|인물", re.IGNORECASE)
NAME_QUESTION = re.compile(r"\bname of\b|\bwhat is .* called\b|이름", re.IGNORECASE)
_QUANTITY = re.compile(r"(?<![A-Za-z\-])\d[\d,.]*\s*(%|퍼센트|억|만|천|달러|원|년|월|일|명|개|배)?")
_PERSON = re.compile(r"(?<![A-Za-z])[A-Z][a-z]+(?:\s+[A-Z][a-z]+)+")
_NAME = re.compile(r"(?<![A-Za-z])[A-Z][A-Za-z0-9\-]+|[A-Za-z]+-\d+")
_ENTITY = re.compile(r"(?<![A-Za-z])[A-Z][A-Za-z0-9\-]*|[A-Za-z]+-?\d[\w\-]*")
CANDIDATE_PARAGRAPHS = 3
CANDIDATE_SENTENCES = 3


@dataclass(frozen=True)
class AbstentionDecision:
    abstain: bool
    reason: str


def question_entities(question: str) -> list[str]:
    """Latin names, models and codes a question mentions (not its first word)."""
    english = detect_language(question) == "en"
    first = re.match(r"\s*([A-Za-z]+)", question) if english else None
    sentence_starts = {m.group(1) for m in re.finditer(r"[.?!]\s+([A-Z][a-z]+)", question)}
    return [
        token for token in _ENTITY.findall(question)
        if not (first and token == first.group(1)) and token not in sentence_starts
        and token.lower() not in _STOPWORDS and token != "AI"
    ]


def has_new_value(sentence: str, question: str, number: bool, person: bool, name: bool) -> bool:
    """Does the sentence hold a value of each asked-for type that the question lacks?"""
    lowered = question.lower()
    question_digits = set(re.findall(r"\d+", question))
    ok = True
    if number:
        ok &= any(m.group(0).strip() and re.sub(r"\D", "", m.group(0)) not in question_digits
                  for m in _QUANTITY.finditer(sentence))
    if person:
        ok &= any(p.lower() not in lowered for p in _PERSON.findall(sentence))
    if name:
        ok &= any(w.lower() not in lowered for w in _NAME.findall(sentence))
    return ok


def decide_abstention(question: str, retrieval: Retrieval) -> AbstentionDecision:
    if not retrieval.paragraphs:
        return AbstentionDecision(True, "the store is empty")
    documents = {p.document.doc_id: p.document for p in retrieval.paragraphs}.values()
    text = "\n".join(d.text for d in documents)
    glossary = [tuple(pair) for d in documents for pair in d.extra.get("glossary", [])]  # type: ignore[union-attr]
    nouns = {str(n) for d in documents for n in d.extra.get("nouns", [])}  # type: ignore[union-attr]
    canonical = canonical_question(question, glossary, text, nouns)  # type: ignore[arg-type]
    entities = question_entities(canonical)
    lowered_text = text.lower()
    unknown = [e for e in entities if e.lower() not in lowered_text]
    if unknown:
        return AbstentionDecision(True, f"the article never mentions {', '.join(unknown)}")
    number = bool(NUMBER_QUESTION.search(question))
    person = bool(PERSON_QUESTION.search(question))
    name = bool(NAME_QUESTION.search(question))
    if not (number or person or name):
        return AbstentionDecision(False, "no particular kind of answer needed")
    alt = alternatives(glossary)  # type: ignore[arg-type]
    korean_nouns = {n for n in nouns if n in question} if detect_language(question) == "ko" else set()
    sentences = sorted((s for p in retrieval.paragraphs[:CANDIDATE_PARAGRAPHS] for s in p.sentences),
                       key=lambda s: -s.score)[:CANDIDATE_SENTENCES]
    for sentence in sentences:
        lowered = sentence.text.lower()
        if not all(e.lower() in lowered or any(a in lowered for a in alt.get(e.lower(), ())) for e in entities):
            continue
        if number and korean_nouns and not any(n in sentence.text for n in korean_nouns):
            continue
        if has_new_value(sentence.text, canonical, number, person, name):
            return AbstentionDecision(False, "a sentence holds the kind of answer asked for")
    return AbstentionDecision(True, "no sentence holds the kind of answer asked for")
