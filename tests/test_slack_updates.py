""""The passage I quoted has changed": the real bot answers in two threads, the page changes the
paragraph one of them quoted, and `articlebot refresh` replies in that thread only, through the
loopback stand-in for Slack's Web API."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Iterator

import pytest
from click.testing import CliRunner

from bot.answering import answer_question
from bot.cli import cli
from bot.settings import Settings
from bot.slack.app import build_app, retry_handlers
from bot.slack.config import slack_config
from bot.slack.feedback import FeedbackStore, PostedAnswer
from bot.slack.server import HttpServer
from bot.slack.threads import ConversationMemory
from bot.slack.updates import note_message, thread_notes
from bot.slack.worker import Worker
from ingest.fetching import Fetcher, FetchLimits
from ingest.korean import KiwiAnalyzer
from ingest.pipeline import IngestOptions
from ingest.webpages import ingest_url
from tests.slack_helpers import BOT_TOKEN, CHANNEL, SIGNING_SECRET, AnswerSpy, RunningBot
from tests.slack_standin import SlackStandIn
from tests.test_refresh import COST_QUESTION, CORRECTED, article
from tests.web_standin import WebStandIn
from vectorstore.records import DocumentRecord
from vectorstore.store import ChromaStore

MAYOR_QUESTION = "How many passengers a day will the tramline carry, according to the mayor?"


@pytest.fixture
def newsroom(writable_store: ChromaStore, store_copy_dir: Path,
             monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[RunningBot, WebStandIn, str]]:
    """A page ingested by URL, and the real bot answering from that store (one passage per answer)."""
    web = WebStandIn().start()
    url = web.serve("/tram", article(etag='"v1"'), article(CORRECTED, etag='"v2"'))
    with Fetcher(FetchLimits(allow_private=True)) as fetcher:
        ingest_url(url, writable_store, fetcher, IngestOptions(), KiwiAnalyzer())
    slack = SlackStandIn(BOT_TOKEN).start()
    for key, value in {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET,
                       "SLACK_API_URL": slack.api_url, "ARTICLEBOT_DATA_DIR": str(store_copy_dir)}.items():
        monkeypatch.setenv(key, value)
    config = slack_config(Settings(), http_mode=True)
    spy = AnswerSpy(lambda q, h: answer_question(q, writable_store, 1, history=h))
    memory = ConversationMemory()
    feedback = FeedbackStore.in_data_dir(store_copy_dir)  # where `articlebot refresh` looks
    worker = Worker(spy, memory, feedback, retry_handlers())
    app = build_app(config, worker, memory)
    server = HttpServer(app, config.signing_secret, host="127.0.0.1", port=0).start()
    yield RunningBot(slack, app, server, feedback, memory, spy, worker), web, url
    server.close()
    worker.close()
    slack.close()
    web.close()


def ask_in_thread(bot: RunningBot, question: str) -> str:
    """Mention the bot; returns the thread's ts once the answer is posted."""
    event, (status, _) = bot.mention(question)
    assert status == 200
    bot.slack.wait_for("chat.postMessage", where=lambda c: c.params.get("thread_ts") == event["ts"])
    return str(event["ts"])


def notes(bot: RunningBot) -> list[dict]:
    return [c.params for c in bot.slack.of("chat.postMessage") if "quoted above was updated" in str(c.params.get("text"))]


def test_a_refresh_that_changes_a_quoted_paragraph_posts_one_note_in_that_thread_only(newsroom) -> None:
    bot, _web, url = newsroom
    cost_thread = ask_in_thread(bot, COST_QUESTION)
    mayor_thread = ask_in_thread(bot, MAYOR_QUESTION)
    [cost_answer, mayor_answer] = bot.feedback.answers_since(0)
    assert [p["paragraph"] for p in cost_answer.passages] == [2]
    assert [p["paragraph"] for p in mayor_answer.passages] == [3]

    done = CliRunner().invoke(cli, ["refresh", "--allow-private"])

    assert done.exit_code == 0, done.output
    assert "1 updated" in done.output and "1 Slack note(s)" in done.output
    bot.slack.settle()
    [note] = notes(bot)
    assert note["channel"] == CHANNEL and note["thread_ts"] == cost_thread != mayor_thread
    text = note["text"]
    assert "¶ 2 changed" in text and "240 million" in text and "310 million" in text
    assert "revision 2" in text and f"<{url}|Read the updated article>" in text

    again = CliRunner().invoke(cli, ["refresh", "--allow-private"])
    assert again.exit_code == 0 and "1 unchanged" in again.output
    bot.slack.settle()
    assert len(notes(bot)) == 1, "an unchanged page tells no one"


@pytest.mark.parametrize(("setting", "value"), [("SLACK_UPDATE_NOTES", "false"), ("SLACK_UPDATE_MAX_AGE_DAYS", "0")])
def test_no_note_when_opted_out_or_when_the_thread_is_too_old(newsroom, monkeypatch: pytest.MonkeyPatch,
                                                              setting: str, value: str) -> None:
    bot, _web, _url = newsroom
    ask_in_thread(bot, COST_QUESTION)
    monkeypatch.setenv(setting, value)
    monkeypatch.setenv("SLACK_UPDATES_CHANNEL", "C0UPDATES")

    done = CliRunner().invoke(cli, ["refresh", "--allow-private"])

    assert done.exit_code == 0, done.output
    bot.slack.settle()
    assert notes(bot) == []
    [summary] = [c.params for c in bot.slack.of("chat.postMessage") if c.params["channel"] == "C0UPDATES"]
    assert "revision 2: 1 changed, 0 added, 0 removed" in summary["text"] and "thread_ts" not in summary


def _record(paragraphs: list[str], revision: int) -> DocumentRecord:
    return DocumentRecord(doc_id="d", version=str(revision), text="\n".join(paragraphs), chunk_ids=(),
                          title="Tramline", url="https://news.example/tram", revision=revision,
                          updated_at="2026-12-05T09:41:00+00:00")


def _answer(channel: str, thread: str, *texts: str) -> PostedAnswer:
    return PostedAnswer(1, time.time(), channel, thread, "q", [{"doc_id": "d", "text": t} for t in texts])


def test_one_note_per_thread_lists_each_changed_passage_once_and_ignores_moves() -> None:
    before = _record(["A intro.", "B cost 240.", "C mayor.", "D critics."], 1)
    after = _record(["C mayor.", "A intro.", "B cost 310."], 2)  # C moved, B changed, D removed
    answers = [_answer("C1", "1.0", "B cost 240.", "D critics."), _answer("C1", "1.0", "B cost 240."),
               _answer("C1", "2.0", "C mayor.", "A intro.")]

    [note] = thread_notes(answers, [(before, after)])

    assert (note.channel, note.thread_ts) == ("C1", "1.0")
    assert [(c.paragraph, c.after) for c in note.changes] == [(2, "B cost 310."), (4, None)]
    text = note_message(note).text
    assert "¶ 2 changed" in text and "¶ 4 was removed" in text and "2026-12-05 09:41 UTC" in text
