"""Build the Bolt app from a validated config, the worker and the conversation memory.

Listeners are thin: they turn a payload into a question (or nothing) and hand it to
the `Worker`. Bolt acknowledges events before any listener runs, and `/ask` and the
feedback buttons are acknowledged first thing; the answering always happens after.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable

from slack_bolt import Ack, App, Assistant, BoltContext, BoltResponse
from slack_bolt.error import BoltError
from slack_sdk import WebClient
from slack_sdk.http_retry import ConnectionErrorRetryHandler, RateLimitErrorRetryHandler, RetryHandler

from bot.slack.blocks import FEEDBACK_DOWN, FEEDBACK_UP
from bot.slack.config import SlackConfig, SlackConfigError, slack_call
from bot.slack.incoming import Ask, ask_from_assistant_message, ask_from_mention, ask_from_message, slash_ask
from bot.slack.threads import ConversationMemory, SeenEvents
from bot.slack.worker import BUSY, NOT_ALLOWED, USAGE, WORKING_STATUS, Worker

log = logging.getLogger("articlebot.slack")

GREETING = ("Hi! Ask me anything about the articles I hold, in any language, "
            "and I'll answer with the passages I quote.")


def retry_handlers(max_rate_limit_retries: int = 3) -> list[RetryHandler]:
    """Connection resets and HTTP 429s are retried; a 429 waits for its Retry-After."""
    return [
        ConnectionErrorRetryHandler(max_retry_count=1),
        RateLimitErrorRetryHandler(max_retry_count=max_rate_limit_retries),
    ]


def web_client(config: SlackConfig, timeout: int = 30) -> WebClient:
    """The bot's Web API client, aimed at SLACK_API_URL."""
    return WebClient(token=config.bot_token, base_url=config.api_url, timeout=timeout,
                     retry_handlers=retry_handlers(),
                     logger=logging.getLogger("articlebot.slack.web"))


def check_bot_token(client: WebClient, config: SlackConfig) -> dict[str, Any]:
    """`auth.test` before anything slow loads: a wrong token stops start-up at once."""
    with slack_call("SLACK_BOT_TOKEN", f"{config.api_url}auth.test", _unreachable(config)):
        return dict(client.auth_test().data)  # type: ignore[arg-type]


def check_app_token(client: WebClient, config: SlackConfig) -> None:
    """`apps.connections.open` with the app token (Socket Mode), before anything slow loads.

    The WebSocket URL it returns is simply left unused; the Socket Mode client asks again.
    """
    with slack_call("SLACK_APP_TOKEN", f"{config.api_url}apps.connections.open", _unreachable(config)):
        client.apps_connections_open(app_token=config.app_token)


def _unreachable(config: SlackConfig) -> str:
    return f"cannot reach Slack's Web API at {config.api_url}"


def listener_threads() -> ThreadPoolExecutor:
    """Bolt's threads for acks and listeners; they only queue answers, so they stay free."""
    return ThreadPoolExecutor(max_workers=8, thread_name_prefix="articlebot-slack")


def build_app(config: SlackConfig, worker: Worker, memory: ConversationMemory,
              seen: SeenEvents | None = None, client: WebClient | None = None,
              http_mode: bool = True, listener_executor: ThreadPoolExecutor | None = None) -> App:
    """A Bolt app answering mentions, DMs, thread follow-ups, assistant threads and /ask.

    Calls `auth.test` once (to learn the bot's own ids); a rejected token raises
    `SlackConfigError` naming SLACK_BOT_TOKEN, never showing it. Pass
    `listener_executor` to be able to shut its threads down.
    """
    seen = seen or SeenEvents()
    bolt_logger = logging.getLogger("articlebot.slack.bolt")
    bolt_logger.addFilter(_BoltEnvNoise())
    try:
        app = App(
            client=client or web_client(config),
            signing_secret=config.signing_secret or None,
            request_verification_enabled=http_mode,
            process_before_response=False,
            listener_executor=listener_executor or listener_threads(),
            logger=bolt_logger,
        )
    except BoltError as exc:
        raise SlackConfigError(f"Slack rejected SLACK_BOT_TOKEN at {config.api_url}auth.test "
                               f"({_api_error(exc)})") from None
    except Exception as exc:  # connection refused, DNS, TLS …
        raise SlackConfigError(f"{_unreachable(config)} ({type(exc).__name__})") from None

    app.use(_dedupe_events(seen))
    app.use(_ignore_other_bots)

    def allowed(ask: Ask) -> bool:
        if config.allows(ask.user, ask.channel, ask.is_dm):
            return True
        log.info("ignored a question from %s in %s (allow-list)", ask.user, ask.channel)
        return False

    @app.event("app_mention")
    def on_mention(event: dict[str, Any], body: dict[str, Any], context: BoltContext, client: WebClient) -> None:
        ask = ask_from_mention(event, context.bot_user_id or "", str(body.get("event_id", "")))
        if ask is not None and allowed(ask):
            worker.handle_ask(ask, client)

    @app.event("message")
    def on_message(event: dict[str, Any], body: dict[str, Any], context: BoltContext, client: WebClient) -> None:
        ask = ask_from_message(event, context.bot_user_id or "", memory.knows, str(body.get("event_id", "")))
        if ask is not None and allowed(ask):
            worker.handle_ask(ask, client)

    assistant = Assistant(logger=logging.getLogger("articlebot.slack.assistant"))

    @assistant.thread_started
    def on_thread_started(event: dict[str, Any], client: WebClient) -> None:
        thread = event.get("assistant_thread") or {}
        channel, thread_ts = thread.get("channel_id"), thread.get("thread_ts")
        if not (channel and thread_ts):
            return
        try:
            client.chat_postMessage(channel=channel, thread_ts=thread_ts, text=GREETING)
            client.assistant_threads_setSuggestedPrompts(channel_id=channel, thread_ts=thread_ts,
                                                         prompts=worker.suggested_prompts())
        except Exception as exc:
            log.warning("could not greet assistant thread in %s: %s", channel, exc)

    @assistant.thread_context_changed
    def on_context_changed() -> None:
        """The stored articles are the context; what the user is viewing does not matter."""

    @assistant.user_message
    def on_assistant_message(event: dict[str, Any], body: dict[str, Any], context: BoltContext,
                             client: WebClient) -> None:
        ask = ask_from_assistant_message(event, context.bot_user_id or "", str(body.get("event_id", "")))
        if ask is not None and allowed(ask):
            worker.handle_ask(ask, client)

    app.assistant(assistant)

    def ack_ask(command: dict[str, Any], ack: Ack) -> None:
        ask = slash_ask(command)
        if ask is None or not ask.question:
            ack(text=USAGE)
        elif not config.allows(ask.user, ask.channel, ask.is_dm):
            ack(text=NOT_ALLOWED)
        elif worker.busy:
            ack(text=BUSY)
        else:
            ack(text=f"🔎 {WORKING_STATUS}")

    def answer_ask(command: dict[str, Any]) -> None:
        ask = slash_ask(command)
        if ask is not None and ask.question and config.allows(ask.user, ask.channel, ask.is_dm):
            worker.handle_slash(ask)  # queues the answer, or says the bot is busy

    app.command("/ask")(ack=ack_ask, lazy=[answer_ask])

    def ack_vote(ack: Ack) -> None:
        ack()

    def store_vote(body: dict[str, Any], client: WebClient) -> None:
        worker.handle_vote(body, client)

    for action_id in (FEEDBACK_UP, FEEDBACK_DOWN):
        app.action(action_id)(ack=ack_vote, lazy=[store_vote])

    @app.error
    def on_error(error: Exception, body: dict[str, Any]) -> None:
        log.error("unhandled error for %s: %s", _describe(body), error)

    return app


class _BoltEnvNoise(logging.Filter):
    """Bolt also reads SLACK_BOT_TOKEN itself and warns that our client wins; it should."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "`token` will be unused" not in record.getMessage()


def _dedupe_events(seen: SeenEvents) -> Callable[..., Any]:
    def dedupe_events(body: dict[str, Any], next: Callable[[], None]) -> BoltResponse | None:
        """Slack re-sends an event it thinks failed (X-Slack-Retry-Num); answer it once."""
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        if event_id and not seen.claim(str(event_id)):
            log.info("ignored retried event %s", event_id)
            return BoltResponse(status=200, body="")
        next()
        return None

    return dedupe_events


def _ignore_other_bots(body: dict[str, Any], next: Callable[[], None]) -> BoltResponse | None:
    """Never answer a bot (ours is filtered by Bolt already): bots answering bots loop."""
    event = body.get("event") if body.get("type") == "event_callback" else None
    if isinstance(event, dict) and event.get("type") in ("message", "app_mention") and (
        event.get("bot_id") or event.get("subtype") == "bot_message"
    ):
        return BoltResponse(status=200, body="")
    next()
    return None


def _api_error(exc: BoltError) -> str:
    text = str(exc)
    for code in ("invalid_auth", "not_authed", "account_inactive", "token_revoked", "token_expired"):
        if code in text:
            return code
    return "auth.test failed"


def _describe(body: Any) -> str:
    if not isinstance(body, dict):
        return "a request"
    if body.get("event_id"):
        return f"event {body['event_id']}"
    return str(body.get("type") or body.get("command") or "a request")
