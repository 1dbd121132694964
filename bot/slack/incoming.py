"""Turn Slack events and commands into questions, or say why they are not ones. Pure.

Everything here reads untrusted payloads: missing or oddly typed fields give `None`
(ignored) rather than an exception.
"""

from __future__ import annotations

import dataclasses
import html
import re
from dataclasses import dataclass
from typing import Any, Callable, Literal

from bot.slack.threads import Conversation

Status = Literal["reaction", "assistant", "none"]

# Message subtypes that carry a person's new message; all others (edits, deletions,
# joins, bot posts…) are ignored.
_USER_SUBTYPES = {None, "file_share", "thread_broadcast"}
_LINK = re.compile(r"<(https?://[^|>]+)(?:\|([^>]*))?>")
_CHANNEL = re.compile(r"<#[A-Z0-9]+(?:\|([^>]*))?>")
_USER = re.compile(r"<@([A-Z0-9]+)(?:\|[^>]*)?>")
_SPECIAL = re.compile(r"<!([a-z]+)(?:\^[^|>]*)?(?:\|([^>]*))?>")


@dataclass(frozen=True)
class Ask:
    """One question and where its answer goes."""

    question: str
    user: str
    channel: str
    conversation: Conversation
    thread_ts: str | None  # reply in this thread; None: top level (a DM)
    message_ts: str | None  # the person's message, for the "working" reaction
    is_dm: bool
    status: Status = "reaction"
    event_id: str = ""


def _mention(user_id: str) -> str:
    return rf"<@{re.escape(user_id)}(?:\|[^>]*)?>"


def question_text(text: str, bot_user_id: str = "") -> str:
    """Slack mrkdwn → the question as typed: mention of the bot removed, links as their
    labels, entities decoded, whitespace collapsed."""
    if bot_user_id:
        text = re.sub(_mention(bot_user_id), " ", text)
    text = _LINK.sub(lambda m: m.group(2) or m.group(1), text)
    text = _CHANNEL.sub(lambda m: f"#{m.group(1)}" if m.group(1) else "", text)
    text = _USER.sub(lambda m: f"@{m.group(1)}", text)
    text = _SPECIAL.sub(lambda m: m.group(2) or f"@{m.group(1)}", text)
    return " ".join(html.unescape(text).split())


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def is_from_a_bot(event: dict[str, Any]) -> bool:
    return bool(event.get("bot_id") or event.get("bot_profile") or event.get("subtype") == "bot_message")


def mentions(text: str, user_id: str) -> bool:
    return bool(user_id) and re.search(_mention(user_id), text) is not None


def _sender(event: Any, bot_user_id: str) -> tuple[str, str, str] | None:
    """(user, channel, ts) of a person's event; None for bots, ourselves and incomplete events."""
    if not isinstance(event, dict) or is_from_a_bot(event):
        return None
    user, channel, ts = _str(event.get("user")), _str(event.get("channel")), _str(event.get("ts"))
    if not (user and channel and ts) or user == bot_user_id:
        return None
    return user, channel, ts


def ask_from_mention(event: Any, bot_user_id: str, event_id: str = "") -> Ask | None:
    """An `app_mention`: answered in a thread under the message (or the thread it is in)."""
    sender = _sender(event, bot_user_id)
    if sender is None:
        return None
    user, channel, ts = sender
    thread = _str(event.get("thread_ts")) or ts
    return Ask(
        question=question_text(_str(event.get("text")), bot_user_id),
        user=user, channel=channel, conversation=(channel, thread), thread_ts=thread,
        message_ts=ts, is_dm=False, event_id=event_id,
    )


def ask_from_message(event: Any, bot_user_id: str, follows_up: Callable[[Conversation], bool],
                     event_id: str = "") -> Ask | None:
    """A `message` event: a DM, or a reply in a thread the bot answered (a follow-up).

    Channel messages that mention the bot are left to `app_mention` (Slack sends both).
    """
    sender = _sender(event, bot_user_id)
    if sender is None or event.get("subtype") not in _USER_SUBTYPES:
        return None
    user, channel, ts = sender
    text = _str(event.get("text"))
    thread = _str(event.get("thread_ts"))
    is_dm = event.get("channel_type") == "im" or channel.startswith("D")
    if not is_dm and (not thread or mentions(text, bot_user_id) or not follows_up((channel, thread))):
        return None
    return Ask(
        question=question_text(text, bot_user_id), user=user, channel=channel,
        conversation=(channel, thread), thread_ts=thread or None, message_ts=ts, is_dm=is_dm,
        event_id=event_id,
    )


def ask_from_assistant_message(event: Any, bot_user_id: str, event_id: str = "") -> Ask | None:
    """A message in a Slack assistant thread (the AI app side panel or a DM thread)."""
    ask = ask_from_message(event, bot_user_id, lambda _c: True, event_id)
    if ask is None or not ask.thread_ts:
        return None
    return dataclasses.replace(ask, is_dm=True, status="assistant")


@dataclass(frozen=True)
class SlashAsk:
    """`/ask [--public] QUESTION`."""

    question: str
    public: bool
    user: str
    channel: str
    response_url: str

    @property
    def is_dm(self) -> bool:
        return self.channel.startswith("D")


PUBLIC_FLAGS = ("--public", "-p")


def slash_ask(command: Any) -> SlashAsk | None:
    """Parse a slash command payload; the flag may come first or last."""
    if not isinstance(command, dict):
        return None
    words = _str(command.get("text")).split()
    public = False
    while words and words[0].lower() in PUBLIC_FLAGS:
        public, words = True, words[1:]
    while words and words[-1].lower() in PUBLIC_FLAGS:
        public, words = True, words[:-1]
    user, channel = _str(command.get("user_id")), _str(command.get("channel_id"))
    if not user or not channel:
        return None
    return SlashAsk(
        question=question_text(" ".join(words)), public=public, user=user, channel=channel,
        response_url=_str(command.get("response_url")),
    )
