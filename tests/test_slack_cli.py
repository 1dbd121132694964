"""`articlebot slack` and `articlebot feedback` as real processes and commands."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Iterator

import pytest
from click.testing import CliRunner

from bot.cli import cli
from bot.models import Answer, Passage
from bot.slack.feedback import FeedbackStore
from tests.conftest import WAIT_CEILING_S, ArticlebotProcess, clean_env
from tests.slack_helpers import (
    APP_TOKEN, BOT_TOKEN, CHANNEL, SEARCHGPT_PARAGRAPH, SEARCHGPT_QUESTION, SIGNING_SECRET, USER, http_post,
    next_ts, passages_in, signed_headers,
)
from tests.slack_standin import BOT_USER_ID, TEAM_ID, SlackStandIn


@pytest.fixture
def slack_standin() -> Iterator[SlackStandIn]:
    standin = SlackStandIn(BOT_TOKEN, APP_TOKEN).start()
    yield standin
    standin.close()


def run_articlebot(*args: str, env: dict[str, str],
                   timeout: float = WAIT_CEILING_S) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], env=env, capture_output=True, text=True,
                          timeout=timeout)


def test_articlebot_slack_http_answers_a_signed_mention_end_to_end(
        store_copy_dir: Path, slack_standin: SlackStandIn, tmp_path: Path) -> None:
    env = clean_env(store_copy_dir, SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_SIGNING_SECRET=SIGNING_SECRET,
                    SLACK_API_URL=slack_standin.api_url, SLACK_APP_TOKEN=APP_TOKEN)
    bot = ArticlebotProcess(["slack", "--http", "--port", "0", "--host", "127.0.0.1", "--verbose"], env, tmp_path)
    try:
        url = bot.wait_for_line(r"listening on (http://\S+/slack/events)").group(1)
        ts = next_ts()
        body = json.dumps({
            "type": "event_callback", "event_id": "EvE2E0001", "team_id": TEAM_ID, "event_time": int(time.time()),
            "event": {"type": "app_mention", "user": USER, "channel": CHANNEL, "ts": ts,
                      "text": f"<@{BOT_USER_ID}> {SEARCHGPT_QUESTION}"},
        }).encode()
        assert http_post(url, body, signed_headers(body))[0] == 200
        assert http_post(url, body, signed_headers(body, secret="0" * 32))[0] == 401
        [reply] = slack_standin.wait_for("chat.postMessage", timeout=WAIT_CEILING_S)  # a separate process
        assert reply.params["thread_ts"] == ts
        assert SEARCHGPT_PARAGRAPH in passages_in(reply.params["blocks"])[0]
        with urllib.request.urlopen(url.replace("/slack/events", "/healthz"), timeout=WAIT_CEILING_S) as health:
            assert health.status == 200, "load balancers can check it"
        for n in range(20):  # answers still queued when SIGTERM arrives are cancelled, not waited for
            event = {"type": "app_mention", "user": USER, "channel": CHANNEL, "ts": next_ts(),
                     "text": f"<@{BOT_USER_ID}> {SEARCHGPT_QUESTION}"}
            queued = json.dumps({"type": "event_callback", "event_id": f"EvE2E1{n:03d}", "team_id": TEAM_ID,
                                 "event": event}).encode()
            assert http_post(url, queued, signed_headers(queued))[0] == 200
    finally:
        stderr = bot.stop()  # SIGTERM
    assert bot.proc.returncode == 0 and "Stopped" in stderr and "Traceback" not in stderr, stderr
    for secret in (BOT_TOKEN, APP_TOKEN, SIGNING_SECRET):
        assert secret not in stderr
    assert "xoxb-[redacted]" in stderr or "Bearer" not in stderr


@pytest.mark.parametrize(("args", "env", "variable"), [
    (["slack"], {}, "SLACK_BOT_TOKEN"),
    (["slack"], {"SLACK_BOT_TOKEN": BOT_TOKEN}, "SLACK_APP_TOKEN"),
    (["slack"], {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_APP_TOKEN": "xoxb-not-an-app-token"}, "SLACK_APP_TOKEN"),
    (["slack", "--http"], {"SLACK_BOT_TOKEN": f'"{BOT_TOKEN}"'}, "SLACK_BOT_TOKEN"),
    (["slack", "--http"], {"SLACK_BOT_TOKEN": BOT_TOKEN}, "SLACK_SIGNING_SECRET"),
    (["slack", "--http"], {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": "has space 1234567890"},
     "SLACK_SIGNING_SECRET"),
    (["slack", "--http"], {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET,
                           "SLACK_ALLOWED_CHANNELS": "general"}, "SLACK_ALLOWED_CHANNELS"),
])
def test_a_missing_or_malformed_setting_stops_start_up_with_one_line_naming_it(
        tmp_path: Path, args: list[str], env: dict[str, str], variable: str) -> None:
    result = run_articlebot(*args, env=clean_env(tmp_path / "data", **env))
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and variable in lines[0], result.stderr
    for value in env.values():
        if value.startswith(("xox", "xapp", '"')) or " " in value:
            assert value not in result.stderr + result.stdout


def test_a_token_slack_rejects_stops_start_up_without_showing_it(tmp_path: Path, slack_standin: SlackStandIn) -> None:
    wrong = "xoxb-9999-8888-WRONGtokenVALUE"
    result = run_articlebot("slack", "--http", env=clean_env(
        tmp_path / "data", SLACK_BOT_TOKEN=wrong, SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=slack_standin.api_url))
    assert result.returncode == 1
    assert "Slack rejected SLACK_BOT_TOKEN" in result.stderr and "invalid_auth" in result.stderr
    assert wrong not in result.stderr and not (tmp_path / "data" / "chroma").exists(), "failed before the store"


def test_an_app_token_slack_rejects_stops_socket_mode_start_up_without_showing_it(
        tmp_path: Path, slack_standin: SlackStandIn) -> None:
    wrong = "xapp-1-A0000001-999-WRONGappTOKEN"
    result = run_articlebot("slack", env=clean_env(
        tmp_path / "data", SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_APP_TOKEN=wrong, SLACK_API_URL=slack_standin.api_url))
    assert result.returncode == 1
    assert "Slack rejected SLACK_APP_TOKEN" in result.stderr and "invalid_auth" in result.stderr
    assert wrong not in result.stderr and not (tmp_path / "data" / "chroma").exists(), "failed before the store"
    assert [c.method for c in slack_standin.calls] == ["auth.test", "apps.connections.open"]


def test_articlebot_feedback_lists_the_votes_with_question_answer_and_passages(tmp_path: Path, monkeypatch) -> None:
    data = tmp_path / "data"
    monkeypatch.setenv("ARTICLEBOT_DATA_DIR", str(data))
    runner = CliRunner()
    assert "No feedback yet." in runner.invoke(cli, ["feedback"]).output

    feedback = FeedbackStore.in_data_dir(data)
    passage = Passage(n=1, doc_id="d", title="T", section="S", paragraph=13, start=0, end=9,
                      text="출시 검색GPT …", score=0.8)
    answer = Answer(question=SEARCHGPT_QUESTION, answer="출시 검색GPT 이러한 긴장감을 … [1]", abstained=False,
                    language="en", article_language="ko", passages=[passage], citations=[1])
    answer_id = feedback.record_answer(answer, CHANNEL, "1.1", USER)
    assert feedback.record_vote(answer_id, "U0000TWO", -1)
    assert not feedback.record_vote(answer_id + 100, "U0000TWO", 1), "unknown answers are not voted on"

    result = runner.invoke(cli, ["feedback"])
    assert result.exit_code == 0
    assert "👎 U0000TWO" in result.output and SEARCHGPT_QUESTION in result.output and "[1] ¶ 13" in result.output
    [row] = json.loads(runner.invoke(cli, ["feedback", "--json"]).output)
    assert row["vote"] == "down" and row["passages"][0]["paragraph"] == 13
