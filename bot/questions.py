"""Questions as they arrive at the edges (arguments, stdin, chat lines, Slack), made safe to answer.

A question can hold bytes that are not UTF-8 (they arrive as lone surrogates and
crash the embedding call), be 40,000 characters long (Slack's limit: a minute of
model time), or hold no words at all (emoji, punctuation, control characters),
which retrieval would "answer" with arbitrary quotes. Every front end passes
what it received through `clean_question` before anything else sees it.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from typing import BinaryIO

from bot.models import Answer
from ingest.safe_text import has_words, without_surrogates
from vectorstore.errors import ArticlebotError

NO_WORDS = "Please ask a question in words: that message has no letters or digits to search for."
# Terminal escape sequences (colours, cursor moves) and other control characters say nothing.
_CONTROLS = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[@-_]|[\x00-\x08\x0b-\x1f\x7f-\x9f]")


class NotAQuestion(ArticlebotError):
    """The text holds nothing to search for; the message says what to do."""


@dataclass(frozen=True)
class Question:
    """The text to answer and notes the answer must carry (e.g. that it was cut)."""

    text: str
    notes: tuple[str, ...] = ()

    def annotate(self, answer: Answer) -> Answer:
        """The answer with this question's notes added."""
        if not self.notes:
            return answer
        return dataclasses.replace(answer, notes=[*answer.notes, *self.notes])


def clean_question(raw: str, max_chars: int) -> Question:
    """Drop undecodable bytes and control characters, cap the length (with a note), refuse
    text without words."""
    text = _CONTROLS.sub(" ", without_surrogates(raw)).strip()
    notes: tuple[str, ...] = ()
    if len(text) > max_chars:
        cut = text[:max_chars]
        space = cut.rfind(" ", max_chars // 2)
        text = (cut[:space] if space > 0 else cut).rstrip()
        notes = (f"Only the first {max_chars:,} characters of the question were read; the rest was ignored.",)
    if not has_words(text):
        raise NotAQuestion(NO_WORDS)
    return Question(text, notes)


def read_question(stream: BinaryIO, max_chars: int) -> str:
    """A question piped in (`articlebot ask -`): invalid UTF-8 becomes U+FFFD, never an error.

    At most (max_chars + 1) × 4 bytes are read: nothing past them could be used.
    """
    return stream.read((max_chars + 1) * 4).decode("utf-8", errors="replace")
