"""What the bot remembers between events: conversation questions and seen event ids.

Follow-ups need the earlier questions of a thread. `articlebot slack` keeps them in
SQLite under the data folder (`SharedConversationMemory`), so restarts and replicas
keep the conversation, instead of re-reading threads with `conversations.replies`
(rate-limited for many apps).
Slack re-sends an event it thinks failed, so every `event_id` is claimed once:
`articlebot slack` claims them in SQLite under the data folder (`SharedSeenEvents`),
so a restarted bot or a second replica sharing the folder does not answer twice.
Both are bounded (oldest forgotten first) and safe to use from listener threads.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections import OrderedDict
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Hashable, Iterator, TypeVar

_F = TypeVar("_F", bound="SharedFile")

Conversation = tuple[str, str]
"""(channel id, thread ts) — or (channel id, "") for the top level of a DM."""


class SharedFile:
    """An SQLite file under the data folder that several threads and processes share.

    Subclasses name the file (`FILE_NAME`) and its tables (`SCHEMA`); each use opens
    its own connection, in autocommit and write-ahead mode.
    """

    FILE_NAME = ""
    SCHEMA: tuple[str, ...] = ()
    path: Path

    def _create(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connection() as conn:
            for statement in self.SCHEMA:
                conn.execute(statement)

    @classmethod
    def in_data_dir(cls: type[_F], data_dir: Path) -> _F:
        return cls(Path(data_dir) / cls.FILE_NAME)  # type: ignore[call-arg]

    @contextmanager
    def _connection(self) -> Iterator[sqlite3.Connection]:
        conn = sqlite3.connect(self.path, timeout=10, isolation_level=None)
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            yield conn
        finally:
            conn.close()


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


class SharedConversationMemory(SharedFile, ConversationMemory):
    """`ConversationMemory` kept in SQLite under the data folder: a restarted bot, or a
    second replica sharing the folder, still knows its threads and their questions.

    Re-reading threads with `conversations.replies` would do the same, but Slack limits
    that method to one call a minute for apps outside the Marketplace (2025), far
    below one call per follow-up; the bot's own record costs no API call.
    """

    FILE_NAME = "slack-conversations.sqlite3"
    SCHEMA = (
        "CREATE TABLE IF NOT EXISTS conversations (channel TEXT, thread TEXT, touched REAL,"
        " PRIMARY KEY (channel, thread))",
        "CREATE TABLE IF NOT EXISTS questions (id INTEGER PRIMARY KEY AUTOINCREMENT,"
        " channel TEXT, thread TEXT, question TEXT)",
        "CREATE INDEX IF NOT EXISTS questions_by_conversation ON questions (channel, thread)",
    )
    PRUNE_EVERY = 200  # writes between prunes of the oldest conversations

    def __init__(self, path: Path, max_conversations: int = 5000, max_questions: int = 10,
                 clock: Callable[[], float] = time.time) -> None:
        ConversationMemory.__init__(self, max_conversations, max_questions)
        self._clock = clock
        self._writes = 0
        self._create(path)

    def history(self, conversation: Conversation) -> tuple[str, ...]:
        with self._connection() as conn:
            rows = conn.execute("SELECT question FROM questions WHERE channel = ? AND thread = ?"
                                " ORDER BY id DESC LIMIT ?", (*conversation, self._max_questions)).fetchall()
        return tuple(row[0] for row in reversed(rows))

    def knows(self, conversation: Conversation) -> bool:
        with self._connection() as conn:
            return conn.execute("SELECT 1 FROM conversations WHERE channel = ? AND thread = ?",
                                conversation).fetchone() is not None

    def open(self, conversation: Conversation) -> None:
        with self._connection() as conn:
            self._touch_row(conn, conversation)

    def remember(self, conversation: Conversation, question: str) -> None:
        with self._connection() as conn:
            self._touch_row(conn, conversation)
            conn.execute("INSERT INTO questions (channel, thread, question) VALUES (?, ?, ?)", (*conversation, question))
            conn.execute("DELETE FROM questions WHERE channel = ? AND thread = ? AND id NOT IN (SELECT id FROM"
                         " questions WHERE channel = ? AND thread = ? ORDER BY id DESC LIMIT ?)",
                         (*conversation, *conversation, self._max_questions))

    def _touch_row(self, conn: sqlite3.Connection, conversation: Conversation) -> None:
        conn.execute("INSERT INTO conversations (channel, thread, touched) VALUES (?, ?, ?) ON CONFLICT"
                     " (channel, thread) DO UPDATE SET touched = excluded.touched", (*conversation, self._clock()))
        with self._lock:
            self._writes += 1
            prune = self._writes % self.PRUNE_EVERY == 0
        if prune:  # forget the oldest conversations beyond the limit, with their questions
            conn.execute("DELETE FROM conversations WHERE rowid NOT IN (SELECT rowid FROM conversations"
                         " ORDER BY touched DESC LIMIT ?)", (self._max_conversations,))
            conn.execute("DELETE FROM questions WHERE NOT EXISTS (SELECT 1 FROM conversations c WHERE"
                         " c.channel = questions.channel AND c.thread = questions.thread)")


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


class SharedSeenEvents(SharedFile, SeenEvents):
    """`SeenEvents` kept in SQLite under the data folder, so that a restarted bot, or a
    second replica sharing the folder, still answers a retried event only once.

    `INSERT OR IGNORE` on the event id is the claim: SQLite's own locking makes it
    atomic across threads and processes. Claims older than the TTL are pruned now
    and then, by wall-clock time (processes share no monotonic clock).
    """

    FILE_NAME = "slack-events.sqlite3"
    SCHEMA = ("CREATE TABLE IF NOT EXISTS seen (key TEXT PRIMARY KEY, at REAL NOT NULL)",)
    PRUNE_EVERY = 500  # claims between prunes

    def __init__(self, path: Path, ttl_seconds: float = 3600.0,
                 clock: Callable[[], float] = time.time) -> None:
        SeenEvents.__init__(self, ttl_seconds, clock=clock)
        self._claims = 0
        self._create(path)

    def claim(self, key: Hashable) -> bool:
        now = self._clock()
        with self._lock, self._connection() as conn:
            self._claims += 1
            if self._claims % self.PRUNE_EVERY == 1:
                conn.execute("DELETE FROM seen WHERE at < ?", (now - self._ttl,))
            inserted = conn.execute("INSERT OR IGNORE INTO seen (key, at) VALUES (?, ?)",
                                    (str(key), now)).rowcount == 1
            if not inserted:  # seen before: a claim older than the TTL counts as new
                inserted = conn.execute("UPDATE seen SET at = ? WHERE key = ? AND at < ?",
                                        (now, str(key), now - self._ttl)).rowcount == 1
            return inserted
