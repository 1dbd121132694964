"""What the bot remembers between events: conversation questions and seen event ids.

Follow-ups need the earlier questions of a thread. They are kept here, in memory,
instead of being re-read with `conversations.replies` (rate-limited for many apps).
Slack re-sends an event it thinks failed, so every `event_id` is claimed once.
Both are bounded (oldest forgotten first) and safe to use from listener threads.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from typing import Callable, Hashable

Conversation = tuple[str, str]
"""(channel id, thread ts) — or (channel id, "") for the top level of a DM."""


class ConversationMemory:
    """Earlier questions per conversation, newest last."""

    def __init__(self, max_conversations: int = 5000, max_questions: int = 10) -> None:
        self._questions: OrderedDict[Conversation, list[str]] = OrderedDict()
        self._max_conversations = max_conversations
        self._max_questions = max_questions
        self._lock = threading.Lock()

    def history(self, conversation: Conversation) -> tuple[str, ...]:
        with self._lock:
            return tuple(self._questions.get(conversation, ()))

    def knows(self, conversation: Conversation) -> bool:
        """True when the bot answered in this conversation (so a reply there is a follow-up)."""
        with self._lock:
            return conversation in self._questions

    def open(self, conversation: Conversation) -> None:
        """Mark a conversation as the bot's, before its first answer is posted."""
        with self._lock:
            self._touch(conversation)

    def remember(self, conversation: Conversation, question: str) -> None:
        with self._lock:
            questions = self._touch(conversation)
            questions.append(question)
            del questions[: -self._max_questions]

    def _touch(self, conversation: Conversation) -> list[str]:
        questions = self._questions.setdefault(conversation, [])
        self._questions.move_to_end(conversation)
        while len(self._questions) > self._max_conversations:
            self._questions.popitem(last=False)
        return questions


class SeenEvents:
    """Claims event ids so a retried event is handled once.

    Slack retries up to three times within minutes; an hour of memory is ample.
    """

    def __init__(self, ttl_seconds: float = 3600.0, max_size: int = 20000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._seen: OrderedDict[Hashable, float] = OrderedDict()
        self._ttl = ttl_seconds
        self._max_size = max_size
        self._clock = clock
        self._lock = threading.Lock()

    def claim(self, key: Hashable) -> bool:
        """True the first time `key` is seen (within the TTL), False for repeats."""
        now = self._clock()
        with self._lock:
            while self._seen:
                oldest, at = next(iter(self._seen.items()))
                if now - at <= self._ttl and len(self._seen) < self._max_size:
                    break
                self._seen.popitem(last=False)
            if key in self._seen:
                return False
            self._seen[key] = now
            return True
