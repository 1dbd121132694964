"""Korean-aware sentence splitting with kiwipiepy (its model ships on PyPI).

Kiwi takes about a second to load, so one splitter is made per ingest run and
passed around, never at import time.
"""

from __future__ import annotations

from typing import Any, Protocol


class SentenceSplitter(Protocol):
    def __call__(self, text: str) -> list[tuple[int, int]]:
        """(start, end) offsets of each sentence in `text`."""
        ...


class KiwiSentenceSplitter:
    """Splits Korean and mixed Korean/English text into sentences."""

    def __init__(self) -> None:
        from kiwipiepy import Kiwi

        self._kiwi: Any = Kiwi()

    def __call__(self, text: str) -> list[tuple[int, int]]:
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
