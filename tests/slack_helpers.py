"""A running bot for Slack tests: the real Bolt app served over HTTP on 127.0.0.1:0,
talking to the `SlackStandIn`, driven by real signed requests."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence
from urllib.parse import urlencode

import pytest
from slack_bolt import App

from bot.answering import answer_question
from bot.models import Answer
from bot.settings import Settings
from bot.slack.app import build_app, retry_handlers
from bot.slack.config import slack_config
from bot.slack.feedback import FeedbackStore
from bot.slack.pool import AnswerPool
from bot.slack.server import HttpServer
from bot.slack.threads import ConversationMemory, SeenEvents
from bot.slack.worker import Worker
from tests.conftest import WAIT_CEILING_S
from tests.slack_standin import BOT_ID, BOT_USER_ID, TEAM_ID, SlackStandIn

BOT_TOKEN = "xoxb-1234567890-0987654321-TESTbotTOKENvalue"
APP_TOKEN = "xapp-1-A0000001-1234567890-TESTappTOKENvalue"
SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
CHANNEL = "C0000CHAN"
USER = "U0000USER"
DM = "D0000DIRECT"

SEARCHGPT_QUESTION = "Why did SearchGPT raise tensions?"
SEARCHGPT_PARAGRAPH = "출시 검색GPT"

_ids = itertools.count(1)


def next_ts() -> str:
    return f"{1710000000 + next(_ids)}.{next(_ids):06d}"


def signed_headers(body: bytes, secret: str = SIGNING_SECRET, timestamp: int | None = None,
                   content_type: str = "application/json") -> dict[str, str]:
    """Headers Slack would send: v0 HMAC-SHA256 of "v0:{timestamp}:{body}" (raw bytes)."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode(), f"v0:{ts}:".encode() + body, hashlib.sha256).hexdigest()
    return {"Content-Type": content_type, "X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}"}


def http_post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, str]:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=WAIT_CEILING_S) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode()


@dataclass
class AnswerSpy:
    """The real answer function, recording what it was asked (question, history)."""

    inner: Callable[..., Answer]
    asked: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)

    def __call__(self, question: str, history: Sequence[str], **streaming: Any) -> Answer:
        self.asked.append((question, tuple(history)))
        return self.inner(question, history, **streaming)


@dataclass
class RunningBot:
    slack: SlackStandIn
    app: App
    server: HttpServer
    feedback: FeedbackStore
    memory: ConversationMemory
    spy: AnswerSpy
    worker: Worker

    @property
    def url(self) -> str:
        return self.server.url

    # -- Events API --------------------------------------------------------------------

    def event_body(self, event: dict[str, Any], event_id: str | None = None) -> dict[str, Any]:
        return {
            "token": "verification-token-unused", "team_id": TEAM_ID, "api_app_id": "A0000001",
            "event": event, "type": "event_callback",
            "event_id": event_id or f"Ev{next(_ids):08d}", "event_time": int(time.time()),
            "authorizations": [{"team_id": TEAM_ID, "user_id": BOT_USER_ID, "is_bot": True}],
        }

    def send(self, body: dict[str, Any] | bytes, headers: dict[str, str] | None = None,
             retry_num: int | None = None) -> tuple[int, str]:
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        all_headers = signed_headers(raw) if headers is None else headers
        if retry_num is not None:
            all_headers = {**all_headers, "X-Slack-Retry-Num": str(retry_num),
                           "X-Slack-Retry-Reason": "http_timeout"}
        return http_post(self.url, raw, all_headers)

    def mention(self, text: str, channel: str = CHANNEL, user: str = USER, ts: str | None = None,
                thread_ts: str | None = None, event_id: str | None = None,
                **extra: Any) -> tuple[dict[str, Any], tuple[int, str]]:
        event = {"type": "app_mention", "user": user, "text": f"<@{BOT_USER_ID}> {text}",
                 "ts": ts or next_ts(), "channel": channel, "event_ts": ts, **extra}
        if thread_ts:
            event["thread_ts"] = thread_ts
        body = self.event_body(event, event_id)
        return event, self.send(body)

    def message(self, text: str, channel: str = CHANNEL, user: str = USER, thread_ts: str | None = None,
                channel_type: str = "channel", **extra: Any) -> tuple[dict[str, Any], tuple[int, str]]:
        event = {"type": "message", "user": user, "text": text, "ts": next_ts(), "channel": channel,
                 "channel_type": channel_type, **extra}
        if thread_ts:
            event["thread_ts"] = thread_ts
        return event, self.send(self.event_body(event))

    # -- interactivity and commands -------------------------------------------------------

    def slash(self, text: str, user: str = USER, channel: str = CHANNEL) -> tuple[int, str]:
        form = urlencode({
            "token": "unused", "team_id": TEAM_ID, "channel_id": channel, "user_id": user,
            "command": "/ask", "text": text, "response_url": self.slack.response_url("ask"),
            "trigger_id": "1.2.3",
        }).encode()
        return http_post(self.url, form, signed_headers(form, content_type="application/x-www-form-urlencoded"))

    def click(self, message_params: dict[str, Any], action_id: str, user: str = USER) -> tuple[int, str]:
        button = next(e for b in message_params["blocks"] if b["type"] == "actions"
                      for e in b["elements"] if e["action_id"] == action_id)
        payload = {
            "type": "block_actions", "user": {"id": user}, "team": {"id": TEAM_ID},
            "api_app_id": "A0000001", "trigger_id": "1.2.3",
            "container": {"type": "message", "message_ts": "1.1", "channel_id": message_params["channel"]},
            "channel": {"id": message_params["channel"]},
            "message": {"ts": "1.1", "thread_ts": message_params.get("thread_ts"), "bot_id": BOT_ID},
            "response_url": self.slack.response_url("click"),
            "actions": [{"type": "button", "block_id": "articlebot_feedback", "action_id": action_id,
                         "value": button["value"], "action_ts": "1.2"}],
        }
        form = urlencode({"payload": json.dumps(payload)}).encode()
        return http_post(self.url, form, signed_headers(form, content_type="application/x-www-form-urlencoded"))


AnswerFn = Callable[..., Answer]


@pytest.fixture
def make_bot(store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., RunningBot]]:
    """Start bots configured from the environment, as `articlebot slack --http` is."""
    started: list[RunningBot] = []
    store_lock = threading.Lock()

    def answer_in_turn(question: str, history: Sequence[str]) -> Answer:
        """As `articlebot slack` answers (Answerer's store lock): one retrieval at a time."""
        with store_lock:
            return answer_question(question, store, 3, history=history)

    def start(answer_fn: AnswerFn | None = None, streaming: bool = False, pool: AnswerPool | None = None,
              seen: SeenEvents | None = None, memory: ConversationMemory | None = None,
              **env: str) -> RunningBot:
        slack = SlackStandIn(BOT_TOKEN).start()
        monkeypatch.setenv("SLACK_BOT_TOKEN", BOT_TOKEN)
        monkeypatch.setenv("SLACK_SIGNING_SECRET", SIGNING_SECRET)
        monkeypatch.setenv("SLACK_API_URL", slack.api_url)
        for key, value in env.items():
            monkeypatch.setenv(key, value)
        config = slack_config(Settings(), http_mode=True)
        spy = AnswerSpy(answer_fn or answer_in_turn)
        memory = memory or ConversationMemory()
        feedback = FeedbackStore.in_data_dir(tmp_path / f"data{len(started)}")
        worker = Worker(spy, memory, feedback, retry_handlers(), streaming=streaming, pool=pool)
        app = build_app(config, worker, memory, seen=seen)
        server = HttpServer(app, config.signing_secret, host="127.0.0.1", port=0).start()
        bot = RunningBot(slack, app, server, feedback, memory, spy, worker)
        started.append(bot)
        return bot

    yield start
    for bot in started:
        bot.server.close()
        bot.worker.close()
        bot.slack.close()


@pytest.fixture
def bot(make_bot: Callable[..., RunningBot]) -> RunningBot:
    return make_bot()


def passages_in(blocks: list[dict[str, Any]]) -> list[str]:
    """The mrkdwn of each cited-passage section (they start with "*[n]*")."""
    return [b["text"]["text"] for b in blocks
            if b["type"] == "section" and b["text"]["text"].startswith("*[")]


def feedback_store(path: Path) -> FeedbackStore:
    return FeedbackStore(path / "feedback.sqlite3")
