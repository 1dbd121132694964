"""The work behind every listener: show we're on it, answer, post once, or apologise.

Listeners stay thin and call one method here, which only checks the question and
queues the answer on the `AnswerPool` (a full queue gets a "busy" reply at once).
Any failure (the answering core, a Slack API error after the client's own retries,
a bad payload) is logged with the event id and the person gets a short apology
instead of silence.
"""

from __future__ import annotations

import logging
from typing import Any, Callable, Sequence

from slack_sdk import WebClient
from slack_sdk.http_retry import RetryHandler
from slack_sdk.webhook import WebhookClient

from bot.llm.stream import ThrottledUpdates
from bot.models import Answer
from bot.slack.blocks import (
    PROMPT_NAME_LIMIT, Prompt, SlackMessage, answer_message, clip, document_title, escape, newest_first,
    notice_message, suggested_prompts,
)
from bot.slack.feedback import FeedbackStore
from bot.questions import NotAQuestion, Question, clean_question
from bot.slack.incoming import Ask, SlashAsk
from bot.slack.pool import AnswerPool
from bot.slack.threads import ConversationMemory
from vectorstore.records import DocumentRecord

AnswerFn = Callable[..., Answer]
"""(question, earlier questions of the conversation[, on_token=callback]) -> Answer."""
DocumentsFn = Callable[[], Sequence[DocumentRecord]]
"""The articles the store holds (e.g. `ChromaStore.list_documents`)."""
STREAM_UPDATE_S = 1.5  # at most one message edit this often (chat.update is rate-limited)

WORKING_REACTION = "eyes"
WORKING_STATUS = "Searching the articles…"
APOLOGY = "Sorry, I couldn't answer that just now. Please try again in a moment."
USAGE = ("Ask me about the articles I hold, in any language, and I'll answer quoting the passages I use. "
         "In a channel, mention me; in a DM, just ask; `/ask QUESTION` answers privately "
         "(`/ask --public QUESTION` answers in the channel).")
USAGE_TITLES = 3  # the how-to names at most this many of the newest articles
NOT_ALLOWED = "Sorry, articlebot isn't enabled for you in this conversation."
BUSY = "Sorry, I'm busy answering other questions right now. Please ask again in a minute."
MAX_ANSWER_ID = 2**63 - 1  # SQLite's largest integer

log = logging.getLogger("articlebot.slack")


class Worker:
    """Answers `Ask`s and `/ask` commands; one instance per app, shared by its listeners."""

    def __init__(self, answer_fn: AnswerFn, memory: ConversationMemory, feedback: FeedbackStore,
                 retry_handlers: Sequence[RetryHandler] = (), streaming: bool = False,
                 documents: DocumentsFn | None = None, pool: AnswerPool | None = None,
                 max_question_chars: int = 2000) -> None:
        """`streaming`: the answer function takes `on_token` (an LLM is configured), so
        the reply is posted at once as a placeholder and edited as the answer grows.
        `documents` lists what the store holds, for suggested prompts and the how-to;
        without it they stay generic. `pool` runs the answers (default: SLACK_ANSWER_WORKERS
        threads, SLACK_ANSWER_QUEUE waiting questions, at their defaults)."""
        self._answer_fn = answer_fn
        self._pool = pool or AnswerPool()
        self._max_question_chars = max_question_chars
        self._documents = documents
        self._streaming = streaming
        self._memory = memory
        self._feedback = feedback
        self._retry_handlers = list(retry_handlers)

    @property
    def busy(self) -> bool:
        """True when a new question would not be queued."""
        return self._pool.full

    def close(self) -> int:
        """Cancel queued answers (shutting down); returns how many were dropped."""
        return self._pool.close()

    def answer(self, question: str, history: Sequence[str] = (),
               on_token: Callable[[str], None] | None = None) -> Answer:
        """Runs on several pool threads at once: `answer_fn` serialises its own use of the
        store (see `Answerer`), so one person's LLM answer never holds up another's."""
        if on_token is None:
            return self._answer_fn(question, tuple(history))
        return self._answer_fn(question, tuple(history), on_token=on_token)

    def stored_documents(self) -> list[DocumentRecord]:
        """The stored articles, newest first; none when unknown or unreadable (logged)."""
        if self._documents is None:
            return []
        try:
            return newest_first(self._documents())
        except Exception as exc:  # a prompt or a how-to must never fail for this
            log.warning("could not list the stored articles: %s", exc)
            return []

    def suggested_prompts(self) -> list[Prompt]:
        """Prompts for a new assistant thread, from the articles the store holds."""
        return suggested_prompts(self.stored_documents())

    def usage(self) -> str:
        """The how-to, naming the newest stored articles when there are any."""
        records = self.stored_documents()
        if not records:
            return USAGE
        names = [escape(clip(document_title(r), PROMPT_NAME_LIMIT)) for r in records[:USAGE_TITLES]]
        titles = ", ".join(f"“{name}”" for name in names)
        more = len(records) - USAGE_TITLES
        held = f"{titles} and {more} more" if more > 0 else titles
        return f"{USAGE}\nArticles: {held}."

    # -- mentions, DMs, thread follow-ups, assistant threads ------------------------

    def handle_ask(self, ask: Ask, client: WebClient) -> None:
        """Queue the answer to one question; what is not a question, or a full queue, gets a
        short reply at once."""
        try:
            if not ask.question:
                self._post(client, ask, notice_message(self.usage()))
                return
            try:
                question = clean_question(ask.question, self._max_question_chars)
            except NotAQuestion as exc:
                self._post(client, ask, notice_message(str(exc)))
                return
            self._memory.open(ask.conversation)
            if not self._pool.submit(lambda: self._answer_ask(ask, question, client)):
                log.warning("busy: did not queue event %s in %s", ask.event_id or "-", ask.channel)
                self._post(client, ask, notice_message(BUSY))
        except Exception:
            log.exception("could not reply to event %s in %s", ask.event_id or "-", ask.channel)

    def _answer_ask(self, ask: Ask, question: Question, client: WebClient) -> None:
        """Working signal, one reply, or an apology (runs on the pool)."""
        self._show_working(ask, client)
        placeholder = ""
        try:
            on_token = None
            if self._streaming:
                placeholder = self._post(client, ask, notice_message(f"🔎 {WORKING_STATUS}"))
                on_token = ThrottledUpdates(
                    lambda text: self._edit(client, ask.channel, placeholder, notice_message(text)),
                    interval_s=STREAM_UPDATE_S)
            answer = question.annotate(self.answer(question.text, self._memory.history(ask.conversation),
                                                   on_token))
            self._memory.remember(ask.conversation, question.text)
            record = self._feedback.record_answer(answer, ask.channel, ask.thread_ts or "", ask.user)
            message = answer_message(answer, feedback_value=str(record))
            if placeholder:
                self._edit(client, ask.channel, placeholder, message, required=True)
            else:
                self._post(client, ask, message)
        except Exception:
            log.exception("could not answer event %s in %s", ask.event_id or "-", ask.channel)
            self._apologise(ask, client, placeholder)
        finally:
            self._done_working(ask, client)

    def _post(self, client: WebClient, ask: Ask, message: SlackMessage) -> str:
        """Post in the ask's conversation; returns the new message's ts."""
        kwargs: dict[str, Any] = {"thread_ts": ask.thread_ts} if ask.thread_ts else {}
        response = client.chat_postMessage(
            channel=ask.channel, text=message.text, blocks=message.blocks,
            unfurl_links=False, unfurl_media=False, **kwargs,
        )
        return str(response.get("ts") or "")

    def _edit(self, client: WebClient, channel: str, ts: str, message: SlackMessage,
              required: bool = False) -> None:
        """Replace a posted message; a failed progress edit is only logged."""
        try:
            client.chat_update(channel=channel, ts=ts, text=message.text, blocks=message.blocks)
        except Exception as exc:
            if required:
                raise
            log.warning("could not update the answer in progress in %s: %s", channel, exc)

    def _apologise(self, ask: Ask, client: WebClient, placeholder: str = "") -> None:
        try:
            if placeholder:
                self._edit(client, ask.channel, placeholder, notice_message(APOLOGY), required=True)
            else:
                self._post(client, ask, notice_message(APOLOGY))
        except Exception:
            log.exception("could not deliver the apology for event %s either", ask.event_id or "-")

    def _show_working(self, ask: Ask, client: WebClient) -> None:
        try:
            if ask.status == "assistant" and ask.thread_ts:
                client.assistant_threads_setStatus(channel_id=ask.channel, thread_ts=ask.thread_ts,
                                                   status=WORKING_STATUS)
            elif ask.status == "reaction" and ask.message_ts:
                client.reactions_add(channel=ask.channel, timestamp=ask.message_ts, name=WORKING_REACTION)
        except Exception as exc:  # a missing signal must not stop the answer
            log.warning("could not show the working signal for event %s: %s", ask.event_id or "-", exc)

    def _done_working(self, ask: Ask, client: WebClient) -> None:
        # Slack clears an assistant status by itself when the reply is posted.
        if ask.status != "reaction" or not ask.message_ts:
            return
        try:
            client.reactions_remove(channel=ask.channel, timestamp=ask.message_ts, name=WORKING_REACTION)
        except Exception as exc:
            log.warning("could not remove the working reaction for event %s: %s", ask.event_id or "-", exc)

    # -- /ask ---------------------------------------------------------------------------

    def handle_slash(self, ask: SlashAsk) -> None:
        """Queue the answer to `/ask`; a non-question or a full queue is answered at once."""
        try:
            question = clean_question(ask.question, self._max_question_chars)
        except NotAQuestion as exc:
            self._respond_quietly(ask, str(exc))
            return
        if not self._pool.submit(lambda: self._answer_slash(ask, question)):
            log.warning("busy: did not queue /ask in %s", ask.channel)
            self._respond_quietly(ask, BUSY)

    def _respond_quietly(self, ask: SlashAsk, text: str) -> None:
        try:
            self._respond(ask, notice_message(text), public=False)
        except Exception:
            log.exception("could not reply to /ask in %s", ask.channel)

    def _answer_slash(self, ask: SlashAsk, question: Question) -> None:
        """Answer `/ask` through the command's response_url: ephemeral, or in the channel."""
        try:
            answer = question.annotate(self.answer(question.text))
            record = self._feedback.record_answer(answer, ask.channel, "", ask.user)
            message = answer_message(answer, feedback_value=str(record), asked_by=ask.user)
            self._respond(ask, message, public=ask.public)
        except Exception:
            log.exception("could not answer /ask in %s", ask.channel)
            self._respond_quietly(ask, APOLOGY)

    def _respond(self, ask: SlashAsk, message: SlackMessage, public: bool) -> None:
        if not ask.response_url.startswith(("https://", "http://")):
            raise ValueError("the command has no response_url")
        webhook = WebhookClient(ask.response_url, retry_handlers=self._retry_handlers)
        response = webhook.send(
            text=message.text, blocks=message.blocks,
            response_type="in_channel" if public else "ephemeral",
            unfurl_links=False, unfurl_media=False,
        )
        if response.status_code != 200:
            raise RuntimeError(f"response_url answered HTTP {response.status_code}")

    # -- 👍 / 👎 --------------------------------------------------------------------------

    def handle_vote(self, body: dict[str, Any], client: WebClient) -> None:
        """Store a click on an answer's feedback button and thank the person privately."""
        try:
            action = (body.get("actions") or [{}])[0]
            user = str((body.get("user") or {}).get("id", ""))
            answer_id = int(str(action.get("value", "")))
            vote = 1 if str(action.get("action_id", "")).endswith("_up") else -1
            if not 0 < answer_id <= MAX_ANSWER_ID:
                raise ValueError("not an answer id")
        except (TypeError, ValueError, AttributeError, IndexError):
            log.warning("ignored a malformed feedback click")
            return
        try:
            known = self._feedback.record_vote(answer_id, user, vote)
        except Exception:
            log.exception("could not store feedback on answer %s", answer_id)
            known = False
        channel = str((body.get("channel") or {}).get("id", "") or (body.get("container") or {}).get("channel_id", ""))
        message = body.get("message") or {}
        thread_ts = message.get("thread_ts") if isinstance(message, dict) else None
        text = "Thanks for the feedback!" if known else "Sorry, I couldn't record that feedback."
        if not (channel and user):
            return
        try:
            kwargs = {"thread_ts": thread_ts} if thread_ts else {}
            client.chat_postEphemeral(channel=channel, user=user, text=text, **kwargs)
        except Exception as exc:
            log.warning("could not thank for feedback in %s: %s", channel, exc)
