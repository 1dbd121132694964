"""Decide whether the article answers a question at all.

Similarity scores cannot decide this: e5's cosines for answerable and
unanswerable questions overlap (medians 0.868 against 0.833, up to 0.895), and
the unanswerable questions people actually ask are on-topic ("How many people
work at the Bellevue office?"), so they score as high as answerable ones. Two
checks that look at what an answer needs work much better (docs/retrieval.md):

1. Every name or model in the question (after mapping MS -> Microsoft, 벨뷰 <->
   Bellevue with the article's own glossary) must occur in the article: the
   article cannot tell when GPT-5 comes out if it never mentions GPT-5.
2. So must every attribute it asks about ("revenue", "stock price", "official
   position": `ingest.glossary.ATTRIBUTE_TERMS`, in the article's Korean words).
3. A question asking for a number or date, a person, or a name needs a
   matching sentence among the best ones that contains such a value not already
   in the question, all of the question's names and the attribute asked about
   (the 140억 달러 investment sentence does not tell Azure's revenue). When it
   asks for the name of one party's model, product or service, a sentence
   where that thing belongs to another party does not count: "OpenAI 모델 …
   GPT-2" does not name a model of Microsoft's own.
4. A question about someone's view or stance needs a sentence in which that
   party is the subject ("Microsoft는 …을 선호하는"), not a passing mention
   ("Google Cloud 또는 …와 같은 대안").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.retrieval import Retrieval
from ingest.glossary import (
    HANGUL, Terms, alternatives, attribute_forms, canonical_question, latin_name_counts,
)
from ingest.language import detect_language

_STOPWORDS = set(
    "what which who whom whose when where why how is are was were did does do the a an of to in on for and "
    "or by with from at as it its this that these those be been has have had will would could should can "
    "may might much many most more less about into than then there their they them he she his her not no "
    "yes if but so explain now".split()
)
NUMBER_QUESTION = re.compile(
    r"^\s*when\b|\bhow (much|many|long|old)\b|\bwhat (percentage|percent|share|date|year|day|time)\b"
    r"|\bshare of\b"
    r"|\bin what year\b|얼마|몇|언제|며칠|날짜|연도|퍼센트|비율", re.IGNORECASE)
PERSON_QUESTION = re.compile(
    r"\bwho (is|was|are|were)\b|\bwho\b.*\?$|누구(인가|입니까|예요|야|였|일까|죠)|누가|인물", re.IGNORECASE)
NAME_QUESTION = re.compile(r"\bname of\b|\bwhat is .* called\b|이름", re.IGNORECASE)
_QUANTITY = re.compile(r"(?<![A-Za-z\-])\d[\d,.]*\s*(%|퍼센트|억|만|천|달러|원|년|월|일|명|개|배)?")
_PERSON = re.compile(r"(?<![A-Za-z])[A-Z][a-z]+(?:\s+[A-Z][a-z]+)+")
_NAME = re.compile(r"(?<![A-Za-z])[A-Z][A-Za-z0-9\-]+|[A-Za-z]+-\d+")
_ENTITY = re.compile(r"(?<![A-Za-z])[A-Z][A-Za-z0-9\-]*|[A-Za-z]+-?\d[\w\-]*")
STANCE_QUESTION = re.compile(
    r"\b(view|views|stance|position|opinion|think|thinks|thought)\b|입장|견해|의견|생각", re.IGNORECASE)
_SUBJECT = "(?:은|는|이|가|도|의 입장)"
# Things a name question can ask one party's name of: (English, Korean, article forms).
NAMED_KINDS: Terms = [
    (r"\bmodels?\b", r"모델", ("모델", "model")),
    (r"\bproducts?\b", r"제품", ("제품", "product")),
    (r"\bservices?\b", r"서비스", ("서비스", "service")),
]
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


def stance_holders(question: str, entities: list[str]) -> list[str]:
    """The names whose view a stance question asks for: "Google's view", "구글은 … 입장"."""
    holders = []
    for entity in entities:
        escaped = re.escape(entity)
        if re.search(rf"{escaped}(?:'s?|’s?)(?![A-Za-z])|(?:does|do|did) {escaped}\b|{escaped}\s*{_SUBJECT}",
                     question):
            holders.append(entity)
    return holders


def own_forms(name: str, alt: dict[str, set[str]]) -> set[str]:
    return {name.lower(), *alt.get(name.lower(), ())}


def is_subject(name: str, sentence: str, alt: dict[str, set[str]]) -> bool:
    lowered = sentence.lower()
    return any(re.search(rf"(?<![a-z{HANGUL}]){re.escape(f)}\s*{_SUBJECT}", lowered) for f in own_forms(name, alt))


def attribute_owners(question: str, entities: list[str], words: list[str]) -> list[tuple[str, str]]:
    """(name, attribute word) pairs the question ties together: "OpenAI's headquarters", "OpenAI 본사"."""
    pairs = []
    for entity in entities:
        for word in words:
            e, w = re.escape(entity), re.escape(word)
            if re.search(rf"{e}(?:'s?|’s?|의)?\s*{w}|{w}s? of {e}", question, re.IGNORECASE):
                pairs.append((entity, word))
    return pairs


def attribute_holders(forms: list[str], sentence: str, names: list[str]) -> set[str]:
    """The names the attribute (any form) is attached to in the sentence: the nearest before it."""
    lowered = sentence.lower()
    found = set()
    for form in forms:
        for match in re.finditer(re.escape(form.lower()), lowered):
            before = lowered[max(0, match.start() - 30): match.start()]
            # the name ending last before the attribute; the longest of those ("openai", not "ai")
            last = max(((before.rfind(n.lower()) + len(n), len(n), n.lower()) for n in names
                        if n.lower() in before), default=(-1, 0, ""))
            if last[2]:
                found.add(last[2])
    return found


def owned_by(name: str, forms: list[str], sentence: str, names: list[str], alt: dict[str, set[str]]) -> bool:
    """Is the attribute (any form) in the sentence attached to `name`?"""
    return bool(attribute_holders(forms, sentence, names) & own_forms(name, alt))


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
    attributes = [(word, [f for f in forms if f in text]) for word, forms in attribute_forms(question)]
    missing = [word for word, present in attributes if not present]
    if missing:
        return AbstentionDecision(True, f"the article never mentions {', '.join(missing)}")
    alt = alternatives(glossary)  # type: ignore[arg-type]
    sentences = sorted((s for p in retrieval.paragraphs[:CANDIDATE_PARAGRAPHS] for s in p.sentences),
                       key=lambda s: -s.score)
    holders = stance_holders(canonical, entities) if STANCE_QUESTION.search(question) else []
    if holders and not any(all(is_subject(h, s.text, alt) for h in holders)
                           for s in sentences[:CANDIDATE_SENTENCES]):
        return AbstentionDecision(True, f"no sentence gives the view of {', '.join(holders)}")
    names = [n for n in {*latin_name_counts(text), *(k for k, _ in glossary)} if len(n) > 1]
    names += [a for n in list(names) for a in alt.get(n.lower(), ())]
    owners = attribute_owners(canonical, entities, [w for w, _ in attributes])
    if owners:
        forms = {w: present for w, present in attributes}
        for owner, word in owners:
            if not any(owned_by(owner, forms[word], s.text, names, alt) for s in sentences[:CANDIDATE_SENTENCES + 2]):
                return AbstentionDecision(True, f"no sentence gives {owner}'s {word}")
    number = bool(NUMBER_QUESTION.search(question))
    person = bool(PERSON_QUESTION.search(question))
    name = bool(NAME_QUESTION.search(question))
    if not (number or person or name):
        return AbstentionDecision(False, "no particular kind of answer needed")
    korean_nouns = {n for n in nouns if n in question} if detect_language(question) == "ko" else set()
    kinds = [f for _, forms in attribute_forms(question, NAMED_KINDS) for f in forms] \
        if name and len(entities) == 1 else []
    for sentence in sentences[:CANDIDATE_SENTENCES]:
        lowered = sentence.text.lower()
        if not all(any(f in lowered for f in own_forms(e, alt)) for e in entities):
            continue
        if not all(any(f in sentence.text for f in present) for _, present in attributes):
            continue
        if number and korean_nouns and not any(n in sentence.text for n in korean_nouns):
            continue
        held_by = attribute_holders(kinds, sentence.text, names)
        if held_by and not held_by & own_forms(entities[0], alt):
            continue  # "OpenAI 모델 … GPT-2" names OpenAI's model, not Microsoft's
        if has_new_value(sentence.text, canonical, number, person, name):
            return AbstentionDecision(False, "a sentence holds the kind of answer asked for")
    return AbstentionDecision(True, "no sentence holds the kind of answer asked for")
