"""Showing an answer while the model writes it (CLI chat, Slack).

The streamed text is the model's raw reply; the final Answer may differ (it is
checked and can fall back to the extractive answer). `StreamEcho` tells the
chat whether what it already printed is the final answer; `ThrottledUpdates`
turns a token stream into a few message edits for Slack's rate limits.
"""

from __future__ import annotations

import time
from typing import Callable

from bot.llm.citations import clean_answer
from bot.models import Answer


class StreamEcho:
    """Collects tokens and passes each one on (e.g. to print it)."""

    def __init__(self, show: Callable[[str], None] | None = None) -> None:
        self._show = show
        self.parts: list[str] = []

    def __call__(self, token: str) -> None:
        self.parts.append(token)
        if self._show is not None:
            self._show(token)

    @property
    def text(self) -> str:
        return "".join(self.parts)

    @property
    def started(self) -> bool:
        return bool(self.parts)

    def is_final(self, answer: Answer) -> bool:
        """True when what was streamed is the answer shown (no fallback replaced it)."""
        return self.started and clean_answer(self.text) == answer.answer


class ThrottledUpdates:
    """Calls `update(text so far)` at most once per `interval_s` while tokens arrive.

    For Slack: post a placeholder, pass this as `on_token`, then edit the same
    message with the final cited answer once `ask` returns.
    """

    def __init__(self, update: Callable[[str], None], interval_s: float = 1.0,
                 clock: Callable[[], float] = time.monotonic, suffix: str = " …") -> None:
        self._update = update
        self._interval = interval_s
        self._clock = clock
        self._suffix = suffix
        self._last = float("-inf")
        self.parts: list[str] = []
        self.updates = 0

    def __call__(self, token: str) -> None:
        self.parts.append(token)
        now = self._clock()
        if now - self._last >= self._interval:
            self._last = now
            self.updates += 1
            self._update("".join(self.parts).strip() + self._suffix)
