"""Make a follow-up question standalone before retrieval.

"and what did Microsoft do about it?" retrieves nothing useful on its own. With
a model, the earlier questions let it spell out "it". The rewrite is only
trusted when it looks like a question in the same language; otherwise — and on
any model error — the core's no-LLM heuristic (`standalone_query`) is used.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Sequence

from bot.answering import standalone_query
from bot.llm.answer import call_model
from bot.llm.prompt import rewrite_messages
from ingest.language import detect_language

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

_PREFIX = re.compile(r"^(standalone question|rewritten question|question|질문|독립(?:적인)? 질문)\s*[:：]\s*",
                     re.IGNORECASE)


def clean_rewrite(reply: str) -> str:
    """The first non-empty line, without a "Standalone question:" label or quotes."""
    for line in reply.strip().splitlines():
        line = _PREFIX.sub("", line.strip()).strip().strip('"“”\'`').strip()
        if line:
            return line
    return ""


def acceptable_rewrite(question: str, rewrite: str) -> bool:
    """Same language, not empty, not an essay."""
    return bool(rewrite) and len(rewrite) <= 3 * len(question) + 200 and \
        detect_language(rewrite) == detect_language(question)


def model_rewrite(question: str, history: Sequence[str], chat_model: "BaseChatModel",
                  timeout_s: float = 30.0) -> str | None:
    """The model's standalone version of `question`, or None if it failed or looks wrong."""
    if not history:
        return question
    try:
        reply = call_model(chat_model, rewrite_messages(question, history), timeout_s)
    except Exception:  # a model problem here only costs the rewrite
        return None
    rewrite = clean_rewrite(reply)
    return rewrite if acceptable_rewrite(question, rewrite) else None


def rewrite_followup(question: str, history: Sequence[str], chat_model: "BaseChatModel",
                     timeout_s: float = 30.0) -> str:
    """A standalone version of `question` given the earlier questions (newest last).

    Falls back to the core's heuristic when the model cannot give a usable one.
    """
    rewrite = model_rewrite(question, history, chat_model, timeout_s)
    return rewrite if rewrite is not None else standalone_query(question, history)
