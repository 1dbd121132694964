"""Korean-aware text analysis with kiwipiepy (its model ships on PyPI).

Sentences for chunking and morphemes for the lexical (BM25) side of retrieval.
Kiwi takes about a second to load, so one analyzer
is made per ingest run and passed around, never at import time; questions are
matched against the stored vocabulary instead, so answering never loads Kiwi.
"""

from __future__ import annotations

import re
from typing import Any, Protocol

HANGUL = "\uac00-\ud7a3"  # precomposed syllables, for character classes
_HANGUL = re.compile(f"[{HANGUL}]")

# Content morphemes: common/proper nouns, foreign words, numbers, verb/adjective
# stems, roots, Hanja. Particles and endings carry no topic.
TERM_TAGS = ("NNG", "NNP", "SL", "SN", "VV", "VA", "XR", "SH")


def has_hangul(text: str) -> bool:
    return bool(_HANGUL.search(text))


# Kiwi keeps an English paragraph as one sentence and its words with their punctuation
# ("way."), so text without Hangul is split and tokenised by these instead.
_SENTENCE_END = re.compile(r"(?<=[.!?])([\"'”’)]*)\s+(?=[\"“‘(]?[A-Z0-9])")
_ABBREVIATION = re.compile(r"(?:\b[A-Z][a-z]{0,3}|\b[A-Z])\.$")  # Mr. Dr. St. U.S.
_LATIN_TERM = re.compile(r"[^\W_]+")


def latin_sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans of text in a Latin script: after . ! ? and a space, unless an abbreviation."""
    spans, start = [], 0
    for match in _SENTENCE_END.finditer(text):
        end = match.start() + len(match.group(1))
        if _ABBREVIATION.search(text[start : match.start()]):
            continue
        if text[start:end].strip():
            spans.append((start, end))
        start = match.end()
    if text[start:].strip():
        spans.append((start, len(text.rstrip())))
    return spans or [(0, len(text))]


class TextAnalyzer(Protocol):
    def split_sentences(self, text: str) -> list[tuple[int, int]]:
        """(start, end) offsets of each sentence in `text`."""
        ...

    def terms(self, text: str) -> list[str]:
        """Lower-cased content morphemes, for BM25."""
        ...


class KiwiAnalyzer:
    """Kiwi for Korean and mixed Korean/English news text, loaded on first use
    (an unchanged re-ingest never needs it)."""

    def __init__(self) -> None:
        self._loaded: Any = None

    @property
    def _kiwi(self) -> Any:
        if self._loaded is None:
            from kiwipiepy import Kiwi

            self._loaded = Kiwi()
        return self._loaded

    def split_sentences(self, text: str) -> list[tuple[int, int]]:
        if not has_hangul(text):
            return latin_sentences(text)
        spans = []
        for sentence in self._kiwi.split_into_sents(text):
            start, end = int(sentence.start), int(sentence.end)
            while start < end and text[start].isspace():
                start += 1
            while end > start and text[end - 1].isspace():
                end -= 1
            if end > start:
                spans.append((start, end))
        return spans or [(0, len(text))]

    def terms(self, text: str) -> list[str]:
        if not has_hangul(text):
            return _LATIN_TERM.findall(text.lower())
        return [t.form.lower() for t in self._kiwi.tokenize(text) if t.tag in TERM_TAGS]
