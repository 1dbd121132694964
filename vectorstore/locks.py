"""A lock held in a Chroma collection, for writers on several machines sharing one server.

Chroma has no transactions, but `add` never overwrites an id that exists: adding a
lock record carrying our token and reading back whose token it holds is an atomic
test-and-set, and deleting it only where the token is ours cannot free another's.
The store holds it only around short commits (switching a record, cleaning up), so a
lock seen unchanged for `stale_after_s` was left by a writer that died in one.
"""

from __future__ import annotations

import contextlib
import os
import socket
import time
import uuid
from typing import Any, Iterator

LOCK_ID = "commit"
STALE_AFTER_S = 60.0  # a commit takes milliseconds; this is a crashed writer's lock
FIRST_WAIT_S = 0.01
LONGEST_WAIT_S = 0.2


class CommitLock:
    """One named lock record in `collection` (a Chroma collection used for nothing else)."""

    def __init__(self, collection: Any, stale_after_s: float = STALE_AFTER_S) -> None:
        self._collection = collection
        self.stale_after_s = stale_after_s
        self.holder = f"{socket.gethostname()}:{os.getpid()}"

    def owner(self) -> str | None:
        """The token of whoever holds the lock now, if anyone does."""
        got = self._collection.get(ids=[LOCK_ID], include=["metadatas"])
        return str(got["metadatas"][0]["token"]) if got["ids"] else None

    def try_acquire(self, token: str) -> str | None:
        """Take the lock for `token` if it is free; returns the owner's token (ours on success)."""
        self._collection.add(ids=[LOCK_ID], documents=[self.holder], metadatas=[{"token": token}],
                             embeddings=[[1.0]])
        return self.owner()

    def release(self, token: str) -> None:
        """Free the lock if `token` still holds it (a stale-lock breaker may have taken it)."""
        self._collection.delete(ids=[LOCK_ID], where={"token": token})

    @contextlib.contextmanager
    def held(self) -> Iterator[None]:
        """Wait for the lock, hold it for the block, free it; breaks a lock left by a dead writer."""
        token = uuid.uuid4().hex
        seen, seen_since, wait = None, time.monotonic(), FIRST_WAIT_S
        while (owner := self.try_acquire(token)) != token:
            if owner is None:  # freed between our add and our read: try again at once
                continue
            if owner != seen:
                seen, seen_since = owner, time.monotonic()
            elif time.monotonic() - seen_since > self.stale_after_s:
                self.release(owner)  # only that holder's lock, never a newer one
                continue
            time.sleep(wait)
            wait = min(wait * 2, LONGEST_WAIT_S)
        try:
            yield
        finally:
            self.release(token)
