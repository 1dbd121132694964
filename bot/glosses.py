"""Reading aids for an extractive answer quoted in another language (pure).

Without a model the answer is the article's own sentences. A reader who asked in
English still gets what needs no model: the figures and dates of those sentences
restated in the question's language (140억 달러 = $14 billion: Korean counts in
myriads, the mistake a reader makes too), and the article words the word bridge
matched to the question's words (invest ≈ 투자), so it is clear why a passage was
chosen. A configured LLM answers in the question's language instead; the LLM path
drops these aids when it does.
"""

from __future__ import annotations

from typing import Mapping, Sequence

from bot.numbers import (
    conversion,
    english_dates,
    english_figures,
    korean_amount,
    korean_dates,
    korean_figures,
)

LABELS = {
    "en": {"figures": "In English", "matched": "Matched words"},
    "ko": {"figures": "한국어로", "matched": "일치한 단어"},
}
LLM_HINTS = {
    "en": "Set LLM_PROVIDER (see .env.example) for an answer written in English.",
    "ko": "LLM_PROVIDER를 설정하면(.env.example 참고) 한국어로 쓴 답을 받습니다.",
    "other": "Set LLM_PROVIDER (see .env.example) for an answer written in the question's language.",
}


def restated(text: str, language: str) -> list[str]:
    """The figures and dates of `text` restated for a reader of `language` ([] if unsupported)."""
    if language == "en":
        pairs = [conversion(f) for f in korean_figures(text)]
        pairs += [f"{source} = {english}" for source, english in korean_dates(text)]
    elif language == "ko":
        pairs = [f"{f.source} = {korean_amount(f.value)}{' ' + f.currency if f.currency else ''}"
                 for f in english_figures(text)]
        pairs += [f"{source} = {korean}" for source, korean in english_dates(text)]
    else:
        return []
    return list(dict.fromkeys(pairs))


def matched_words(bridge: Mapping[str, Sequence[str]], text: str) -> list[str]:
    """"invest ≈ 투자" for each question word whose bridged article term the text holds."""
    return [f"{word} ≈ {term}" for word, terms in bridge.items()
            for term in terms[:1] if term in text]


def glosses(answer: str, question_language: str, article_language: str,
            bridge: Mapping[str, Sequence[str]]) -> list[str]:
    """The aids for an answer quoted in a language other than the question's (else [])."""
    if question_language == article_language or not answer:
        return []
    labels = LABELS.get(question_language, LABELS["en"])
    lines = []
    figures = restated(answer, question_language)
    if figures:
        lines.append(f"{labels['figures']}: " + "; ".join(figures))
    matched = matched_words(bridge, answer)
    if matched:
        lines.append(f"{labels['matched']}: " + ", ".join(matched))
    return lines


def llm_hint(question_language: str, article_language: str) -> str:
    """One line saying a model would answer in the question's language ('' when they match)."""
    if question_language == article_language:
        return ""
    return LLM_HINTS.get(question_language, LLM_HINTS["other"])


def without_hint(lines: Sequence[str]) -> list[str]:
    """The aids less the LLM hint: for answers from a configured model (or its fallback)."""
    return [line for line in lines if line not in LLM_HINTS.values()]
