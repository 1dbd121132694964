"""👍/👎 feedback, stored locally in SQLite with what was asked, answered and cited.

Every answer the bot posts is recorded (its id is the buttons' value: Slack limits a
button value to 2,000 characters, far too little for the passages); a click records a
vote for it, one per person and answer (a second click changes the vote).
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from bot.models import Answer
from vectorstore.errors import ArticlebotError

FILE_NAME = "slack-feedback.sqlite3"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS answers (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at REAL NOT NULL,
    channel TEXT NOT NULL,
    thread_ts TEXT NOT NULL,
    asked_by TEXT NOT NULL,
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    abstained INTEGER NOT NULL,
    passages TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS feedback (
    answer_id INTEGER NOT NULL REFERENCES answers(id),
    user TEXT NOT NULL,
    vote INTEGER NOT NULL,
    created_at REAL NOT NULL,
    PRIMARY KEY (answer_id, user)
);
"""


class FeedbackError(ArticlebotError):
    """The feedback database cannot be read or written."""


@dataclass(frozen=True)
class FeedbackRow:
    created_at: float
    user: str
    vote: int
    channel: str
    question: str
    answer: str
    abstained: bool
    passages: list[dict[str, Any]]

    def to_dict(self) -> dict[str, Any]:
        return {
            "created_at": self.created_at, "user": self.user,
            "vote": "up" if self.vote > 0 else "down", "channel": self.channel,
            "question": self.question, "answer": self.answer, "abstained": self.abstained,
            "passages": self.passages,
        }


@dataclass(frozen=True)
class PostedAnswer:
    """An answer the bot posted: where (channel, thread), when, and the passages it quoted."""

    id: int
    created_at: float
    channel: str
    thread_ts: str
    question: str
    passages: list[dict[str, Any]]


class FeedbackStore:
    """One SQLite file; a short connection per call, so any listener thread may use it."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self._ready = False

    @classmethod
    def in_data_dir(cls, data_dir: Path) -> "FeedbackStore":
        return cls(Path(data_dir) / FILE_NAME)

    def _connect(self) -> sqlite3.Connection:
        try:
            if not self._ready:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, timeout=10)
            if not self._ready:
                conn.executescript(_SCHEMA)
                self._ready = True
            return conn
        except (OSError, sqlite3.Error) as exc:
            raise FeedbackError(f"cannot open the feedback database {self.path}: {exc}") from exc

    def record_answer(self, answer: Answer, channel: str, thread_ts: str, asked_by: str) -> int:
        """Keep an answer so a later 👍/👎 can be stored with it; returns its id."""
        passages = [
            {"n": p.n, "doc_id": p.doc_id, "section": p.section, "paragraph": p.paragraph,
             "chunk_id": p.chunk_id, "score": p.score, "text": p.text}
            for p in answer.passages
        ]
        with self._lock, closing(self._connect()) as conn, conn:
            cursor = conn.execute(
                "INSERT INTO answers (created_at, channel, thread_ts, asked_by, question, answer,"
                " abstained, passages) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (time.time(), channel, thread_ts, asked_by, answer.question, answer.answer,
                 int(answer.abstained), json.dumps(passages, ensure_ascii=False)),
            )
            return int(cursor.lastrowid or 0)

    def record_vote(self, answer_id: int, user: str, vote: int) -> bool:
        """Store (or change) `user`'s vote (+1/-1); False when the answer is unknown."""
        with self._lock, closing(self._connect()) as conn, conn:
            if conn.execute("SELECT 1 FROM answers WHERE id = ?", (answer_id,)).fetchone() is None:
                return False
            conn.execute(
                "INSERT INTO feedback (answer_id, user, vote, created_at) VALUES (?, ?, ?, ?)"
                " ON CONFLICT(answer_id, user) DO UPDATE SET vote = excluded.vote,"
                " created_at = excluded.created_at",
                (answer_id, user, 1 if vote > 0 else -1, time.time()),
            )
            return True

    def answers_since(self, since: float) -> list[PostedAnswer]:
        """Answers posted in a thread at or after `since` (epoch seconds), oldest first."""
        if not self.path.exists():
            return []
        with self._lock, closing(self._connect()) as conn:
            rows = conn.execute(
                "SELECT id, created_at, channel, thread_ts, question, passages FROM answers"
                " WHERE created_at >= ? AND thread_ts != '' ORDER BY created_at, id", (since,),
            ).fetchall()
        return [PostedAnswer(r[0], r[1], r[2], r[3], r[4], json.loads(r[5])) for r in rows]

    def rows(self, limit: int | None = None) -> list[FeedbackRow]:
        """Feedback, newest first."""
        if not self.path.exists():
            return []
        return list(self._rows(limit))

    def _rows(self, limit: int | None) -> Iterator[FeedbackRow]:
        query = (
            "SELECT f.created_at, f.user, f.vote, a.channel, a.question, a.answer, a.abstained,"
            " a.passages FROM feedback f JOIN answers a ON a.id = f.answer_id"
            " ORDER BY f.created_at DESC, f.rowid DESC"
        )
        params: tuple[int, ...] = ()
        if limit is not None:
            query += " LIMIT ?"
            params = (limit,)
        with self._lock, closing(self._connect()) as conn:
            for row in conn.execute(query, params):
                yield FeedbackRow(
                    created_at=row[0], user=row[1], vote=row[2], channel=row[3], question=row[4],
                    answer=row[5], abstained=bool(row[6]), passages=json.loads(row[7]),
                )
