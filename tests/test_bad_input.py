"""Careless and hostile input: bad files, bad names, bad questions, forged and malformed
Slack requests. Each gets a clear answer (an exit code and one clean line, or an HTTP
status and one log line), never a traceback, and the bundled article stays answerable."""

from __future__ import annotations

import json
import logging
import os
import threading
from pathlib import Path
from typing import Callable, Sequence

import pytest
from click.testing import CliRunner, Result

from bot.cli import cli
from bot.models import Answer
from bot.questions import NO_WORDS
from bot.slack.blocks import FEEDBACK_UP
from bot.slack.pool import AnswerPool
from bot.slack.worker import BUSY, WORKING_STATUS
from tests.conftest import ARTICLE, REPLY_CEILING_S
from tests.slack_helpers import (  # noqa: F401 - bot and make_bot are fixtures
    SEARCHGPT_PARAGRAPH, SEARCHGPT_QUESTION, USER, RunningBot, bot, make_bot, passages_in, signed_headers,
)
from tests.slack_standin import BOT_USER_ID

DOC_ID = ARTICLE.name.removesuffix(".txt")
INVISIBLE = "\u200b\ufeff\u202e\u2060\u3164\n"


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def own_store(store_copy_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ARTICLEBOT_DATA_DIR", str(store_copy_dir))
    return store_copy_dir


def one_clean_line(result: Result) -> str:
    """The single line a refused command prints (stderr), with no traceback anywhere."""
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def assert_article_answerable(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["ask", "--json", SEARCHGPT_QUESTION])
    assert result.exit_code == 0, result.output
    answer = json.loads(result.stdout)
    assert not answer["abstained"] and answer["passages"][0]["text"].startswith(SEARCHGPT_PARAGRAPH)
    docs = json.loads(runner.invoke(cli, ["docs", "--json"]).stdout)
    assert [d["paragraphs"] for d in docs if d["doc_id"] == DOC_ID] == [28], "nothing of the article was lost"


# -- files -------------------------------------------------------------------------------

@pytest.mark.parametrize("name, content, reason", [
    ("zero-width.txt", INVISIBLE.encode("utf-8"), "no letters or digits"),
    ("controls.txt", "\x01\x02 \x7f\u0085 \u00a0\n".encode("utf-8") * 3, "binary"),
    ("binary.txt", bytes(range(256)) * 8, "binary"),
    ("mojibake.txt", b"\xc3( broken \xa1\x80\x80", "no other encoding gives readable text"),
    ("broken-utf8.txt", "한국어 기사입니다. 마이크로소프트".encode() + b"\xff" + "오픈AI".encode(), "not valid UTF-8"),
])
def test_a_bad_file_under_the_articles_id_is_refused_and_the_article_kept(
        runner: CliRunner, own_store: Path, tmp_path: Path, name: str, content: bytes, reason: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    result = runner.invoke(cli, ["ingest", "--doc-id", DOC_ID, str(path)])
    assert result.exit_code == 1
    line = one_clean_line(result)
    assert name in line and reason in line
    assert_article_answerable(runner)


def test_a_stub_under_the_articles_id_needs_replace_and_says_what_would_go(
        runner: CliRunner, own_store: Path, tmp_path: Path) -> None:
    stub = tmp_path / "stub.txt"
    stub.write_text("마이크로소프트가 새 정책을 발표했습니다.\n", encoding="utf-8")
    result = runner.invoke(cli, ["ingest", "--doc-id", DOC_ID, str(stub)])
    assert result.exit_code == 1
    line = one_clean_line(result)
    assert "28 of the 28 paragraphs" in line and "--replace" in line and "Microsoft와 OpenAI의 파트너십" in line
    assert_article_answerable(runner)

    replaced = runner.invoke(cli, ["ingest", "--replace", "--doc-id", DOC_ID, str(stub)])
    assert replaced.exit_code == 0, replaced.output
    assert "27 removed" in replaced.stdout and "  - Microsoft와 OpenAI의 파트너십" in replaced.stdout


def test_a_folder_of_bad_entries_reports_each_once_and_ingests_the_rest(
        runner: CliRunner, own_store: Path, tmp_path: Path) -> None:
    folder = tmp_path / "incoming"
    folder.mkdir()
    good = "결론\n마이크로소프트와 오픈AI의 관계는 변하고 있습니다. 경쟁이 커집니다.\n".encode("utf-8")
    (folder / "a-good.txt").write_bytes(good)
    (Path(os.fsdecode(bytes(folder) + b"/caf\xe9.txt"))).write_bytes(
        good.replace("결론".encode(), "카페".encode()).replace("경쟁이".encode(), "협력이".encode()))
    (folder / "empty.txt").write_bytes(b"")
    (folder / "zero-width.txt").write_text(INVISIBLE, encoding="utf-8")
    (folder / "z-cp949.txt").write_bytes("서울의 새 카페가 문을 열었습니다. 손님이 많습니다.\n".encode("cp949"))
    os.mkfifo(folder / "pipe.txt")
    (folder / "loop.txt").symlink_to(folder / "loop.txt")

    result = runner.invoke(cli, ["ingest", str(folder)])
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    skipped = result.stderr.strip().splitlines()
    assert len(skipped) == 4, result.stderr
    for name in ("empty.txt", "zero-width.txt", "pipe.txt", "loop.txt"):
        assert sum(name in line for line in skipped) == 1, (name, skipped)
    assert "Ingested 3 document(s)" in result.stdout
    ids = {d["doc_id"] for d in json.loads(runner.invoke(cli, ["docs", "--json"]).stdout)}
    assert {"a-good", "caf%E9", "z-cp949", DOC_ID} <= ids, "a name that is not UTF-8 gets a clean id"
    assert_article_answerable(runner)


def test_an_invalid_utf8_name_alone_is_shown_escaped(runner: CliRunner, own_store: Path, tmp_path: Path) -> None:
    path = Path(os.fsdecode(bytes(tmp_path) + b"/bad-\xff\xfe-name.txt"))
    path.write_bytes(b"")
    result = runner.invoke(cli, ["ingest", str(path)])
    assert result.exit_code == 1
    assert "bad-\\xff\\xfe-name.txt: is empty" in one_clean_line(result)


def test_a_2mb_single_line_is_embedded_in_model_sized_pieces(
        runner: CliRunner, own_store: Path, tmp_path: Path) -> None:
    path = tmp_path / "one-line.txt"
    path.write_text("tramline budget overrun " * (2 * 1024 * 1024 // 24), encoding="utf-8")
    result = runner.invoke(cli, ["ingest", "--json", str(path)])
    assert result.exit_code == 0, result.output
    [report] = json.loads(result.stdout)["files"]
    assert report["paragraphs"] == 1 and report["embedded"] <= 4
    assert report["chunks"] <= 6, "a piece repeated within its paragraph is stored once"
    assert_article_answerable(runner)


def test_the_size_limit_names_the_configured_number(
        runner: CliRunner, own_store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MAX_FILE_MB", "1")
    path = tmp_path / "big.txt"
    path.write_bytes(b"word " * 300_000)
    result = runner.invoke(cli, ["ingest", str(path)])
    assert result.exit_code == 1 and "over the 1 MB limit (MAX_FILE_MB)" in one_clean_line(result)


# -- questions ---------------------------------------------------------------------------

@pytest.fixture
def ingested(ingested_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ARTICLEBOT_DATA_DIR", str(ingested_dir))
    return ingested_dir


def test_a_question_with_bytes_that_are_not_utf8_is_answered_without_them(
        runner: CliRunner, ingested: Path) -> None:
    undecodable = os.fsdecode(b"\xff\xfe ") + SEARCHGPT_QUESTION  # how Python receives such an argument
    result = runner.invoke(cli, ["ask", "--json", undecodable])
    assert result.exit_code == 0, result.output
    answer = json.loads(result.stdout)
    assert answer["question"] == SEARCHGPT_QUESTION
    assert answer["passages"][0]["text"].startswith(SEARCHGPT_PARAGRAPH)


def test_a_40000_character_question_is_cut_with_a_note(runner: CliRunner, ingested: Path) -> None:
    result = runner.invoke(cli, ["ask", "--json", (SEARCHGPT_QUESTION + " ") * 1200])
    assert result.exit_code == 0, result.output
    answer = json.loads(result.stdout)
    assert len(answer["question"]) <= 2000
    assert any("first 2,000 characters" in note for note in answer["notes"])


@pytest.mark.parametrize("question", ["😀🔥🚀", "\x01\x02\x1b[31m", ".*[(", "\u200b\u2060", "?! …"])
def test_a_question_without_words_asks_for_words(runner: CliRunner, ingested: Path, question: str) -> None:
    result = runner.invoke(cli, ["ask", question])
    assert result.exit_code == 1
    assert NO_WORDS in one_clean_line(result)


def test_ask_dash_reads_the_question_from_stdin(runner: CliRunner, ingested: Path) -> None:
    result = runner.invoke(cli, ["ask", "--json", "-"], input=b"\xff" + SEARCHGPT_QUESTION.encode() + b"\n")
    assert result.exit_code == 0, result.output
    answer = json.loads(result.stdout)
    assert SEARCHGPT_QUESTION in answer["question"] and not answer["abstained"]


def test_chat_skips_undecodable_bytes_and_non_questions(runner: CliRunner, ingested: Path) -> None:
    result = runner.invoke(cli, ["chat"], input=b"\xf0\x9f\x98\x80\n\xff" + SEARCHGPT_QUESTION.encode() + b"\n")
    assert result.exit_code == 0, result.output
    assert NO_WORDS in " ".join(result.stdout.split()) and "sources: [1]" in result.stdout


# -- Slack requests ----------------------------------------------------------------------

def warnings_and_tracebacks(caplog: pytest.LogCaptureFixture) -> tuple[list[str], list[logging.LogRecord]]:
    records = [r for r in caplog.records if r.name.startswith("articlebot")]
    return [r.getMessage() for r in records if r.levelno == logging.WARNING], [r for r in records if r.exc_info]


def test_requests_that_cannot_be_verified_get_401_and_one_warning_each(
        bot: RunningBot, caplog: pytest.LogCaptureFixture) -> None:
    body = json.dumps(bot.event_body({"type": "app_mention", "user": USER, "channel": "C1", "ts": "1.2",
                                      "text": f"<@{BOT_USER_ID}> secret-body-marker"})).encode()
    good = signed_headers(body)
    cases = [
        {**good, "X-Slack-Request-Timestamp": "abc"},
        {**good, "X-Slack-Request-Timestamp": "1.5"},
        {**good, "X-Slack-Request-Timestamp": "9" * 400},
        {**good, "X-Slack-Request-Timestamp": "-1"},
        {**good, "X-Slack-Signature": "v0=" + "\u00e9" * 64},
        {**good, "X-Slack-Signature": "v1=abc"},
        {"Content-Type": "application/json"},
    ]
    deep = b"[" * 50_000 + b"]" * 50_000
    wrong_types = json.dumps({"type": "event_callback", "team": 5, "enterprise": [], "authorizations": "x"}).encode()
    caplog.set_level(logging.INFO)
    statuses = [bot.send(body, headers=headers)[0] for headers in cases]
    statuses += [bot.send(raw, headers={**good, "X-Slack-Signature": "v0=" + "0" * 64})[0]
                 for raw in (deep, wrong_types)]
    assert statuses == [401] * (len(cases) + 2)
    warnings, tracebacks = warnings_and_tracebacks(caplog)
    assert len(warnings) == len(statuses) and all("401" in w for w in warnings)
    assert tracebacks == [] and "secret-body-marker" not in caplog.text
    bot.slack.settle()
    assert bot.spy.asked == []


@pytest.mark.parametrize("payload", [
    {"type": "block_actions", "user": {"id": USER}, "actions": []},
    {"type": "block_actions", "user": {"id": USER}, "actions": [1]},
    {"type": "block_actions", "user": {"id": USER}, "view": 5,
     "actions": [{"action_id": FEEDBACK_UP, "value": "1"}]},
    {"type": "block_actions", "user": {"id": USER}, "actions": [{"action_id": FEEDBACK_UP, "value": str(10**30)}]},
    {"type": "event_callback", "team": 5, "event": {"type": "app_mention"}},
    {"type": "event_callback", "enterprise": [], "event": {"type": "app_mention"}},
    {"type": "event_callback", "authorizations": "x", "event": {"type": "app_mention"}},
    {"type": "event_callback", "authorizations": [7], "event": {"type": "app_mention"}},
])
def test_signed_payloads_of_the_wrong_shape_get_400(
        bot: RunningBot, caplog: pytest.LogCaptureFixture, payload: dict[str, object]) -> None:
    from urllib.parse import urlencode

    caplog.set_level(logging.INFO)
    form = urlencode({"payload": json.dumps(payload)}).encode()
    status, _ = bot.send(form, headers=signed_headers(form, content_type="application/x-www-form-urlencoded"))
    assert status == 400
    warnings, tracebacks = warnings_and_tracebacks(caplog)
    assert len(warnings) == 1 and "400" in warnings[0] and tracebacks == []


def test_deeply_nested_signed_json_gets_400_and_the_bot_answers_afterwards(bot: RunningBot) -> None:
    deep = b"[" * 50_000 + b"]" * 50_000
    assert bot.send(deep, headers=signed_headers(deep))[0] == 400
    bot.mention(SEARCHGPT_QUESTION)
    [reply] = bot.slack.wait_for("chat.postMessage")
    assert SEARCHGPT_PARAGRAPH in passages_in(reply.params["blocks"])[0]


def test_slack_questions_are_cleaned_capped_or_refused(bot: RunningBot) -> None:
    bot.mention("😀🔥🚀")
    [refusal] = bot.slack.wait_for("chat.postMessage")
    assert refusal.params["text"] == NO_WORDS and bot.spy.asked == []
    bot.mention("\ud83d" + SEARCHGPT_QUESTION + " " + "x" * 40_000)  # a lone surrogate, Slack's maximum length
    [_, reply] = bot.slack.wait_for("chat.postMessage", count=2)
    [(asked, _)] = bot.spy.asked
    assert asked.startswith(SEARCHGPT_QUESTION) and len(asked) <= 2000
    assert "first 2,000 characters" in reply.params["text"]


def test_a_full_answer_queue_says_busy_and_acks_never_wait(make_bot: Callable[..., RunningBot]) -> None:
    release, started = threading.Event(), threading.Event()

    def slow(question: str, history: Sequence[str]) -> Answer:
        started.set()
        assert release.wait(REPLY_CEILING_S), "the test never released the answer"
        return Answer(question=question, answer="ready [1]", abstained=False, language="en",
                      article_language="ko", passages=[], citations=[])

    bot = make_bot(slow, pool=AnswerPool(workers=1, queue_size=1))
    try:
        bot.mention(SEARCHGPT_QUESTION)  # running
        assert started.wait(REPLY_CEILING_S)
        bot.mention(SEARCHGPT_QUESTION)  # queued
        bot.mention(SEARCHGPT_QUESTION)  # no room
        [busy] = bot.slack.wait_for("chat.postMessage")
        assert busy.params["text"] == BUSY
        status, ack = bot.slash(SEARCHGPT_QUESTION)
        assert status == 200 and ack == BUSY
    finally:
        release.set()
    [_, first, second] = bot.slack.wait_for("chat.postMessage", count=3)
    assert "ready" in first.params["text"] and "ready" in second.params["text"]
    status, ack = bot.slash(SEARCHGPT_QUESTION)
    assert status == 200 and WORKING_STATUS in ack
