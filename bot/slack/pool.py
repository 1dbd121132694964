"""A few threads that answer questions, fed by a bounded queue.

Listeners only put work here and return, so Bolt's listener threads stay free for
acknowledgements (`/ask` and button clicks must be acked within three seconds;
with answers running on those threads, ten slow mentions made Slack give up on
them). When the queue is full, `submit` says so at once and the person is told the
bot is busy, instead of the backlog and its memory growing without end.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from typing import Callable

from bot.settings import Settings

Job = Callable[[], None]

log = logging.getLogger("articlebot.slack")


# The defaults are SLACK_ANSWER_WORKERS' and SLACK_ANSWER_QUEUE's.
WORKERS = Settings.model_fields["slack_answer_workers"].default
QUEUE_SIZE = Settings.model_fields["slack_answer_queue"].default


class AnswerPool:
    """`workers` daemon threads taking jobs from a queue of at most `queue_size` waiting jobs."""

    def __init__(self, workers: int = WORKERS, queue_size: int = QUEUE_SIZE) -> None:
        self._jobs: queue.Queue[Job | None] = queue.Queue(maxsize=queue_size)
        self._closed = threading.Event()
        self._threads = [threading.Thread(target=self._work, name=f"articlebot-answer-{n}", daemon=True)
                         for n in range(workers)]
        for thread in self._threads:
            thread.start()

    @property
    def full(self) -> bool:
        return self._closed.is_set() or self._jobs.full()

    def submit(self, job: Job) -> bool:
        """Queue a job; False (at once) when the queue is full or the pool is closing."""
        if self._closed.is_set():
            return False
        try:
            self._jobs.put_nowait(job)
        except queue.Full:
            return False
        return True

    def _work(self) -> None:
        while True:
            job = self._jobs.get()
            if job is None or self._closed.is_set():
                return
            try:
                job()
            except Exception:  # a job reports its own failures; this is the last resort
                log.exception("an answer job failed")

    def close(self, wait_s: float = 3.0) -> int:
        """Cancel the waiting jobs and give running ones up to `wait_s` to finish.

        Returns how many were cancelled. The threads are daemons: one still busy
        (a slow model call) does not keep the process alive.
        """
        self._closed.set()
        cancelled = 0
        while True:
            try:
                if self._jobs.get_nowait() is not None:
                    cancelled += 1
            except queue.Empty:
                break
        for _ in self._threads:
            try:
                self._jobs.put_nowait(None)
            except queue.Full:
                break
        deadline = time.monotonic() + wait_s
        for thread in self._threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        return cancelled
