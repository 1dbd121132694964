"""The small parts of the Slack front end: reading events, memory, dedupe, config, logs."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from pydantic import SecretStr

from bot.settings import Settings
from bot.slack.config import SlackConfigError, slack_config
from bot.slack.incoming import ask_from_mention, ask_from_message, question_text, slash_ask
from bot.slack.logs import RedactingFormatter, redact
from bot.slack.feedback import FeedbackStore
from bot.slack.threads import ConversationMemory, SeenEvents
from bot.slack.worker import USAGE, Worker
from vectorstore.records import DocumentRecord

BOT = "UBOT"


def test_a_question_is_read_as_typed_without_the_bots_mention() -> None:
    text = "<@UBOT> why did <https://openai.com/searchgpt|SearchGPT> matter to <@U123> in <#C1|news>? &amp; so"
    assert question_text(text, BOT) == "why did SearchGPT matter to @U123 in #news? & so"


def test_a_mention_inside_a_thread_is_answered_in_that_thread() -> None:
    ask = ask_from_mention({"type": "app_mention", "user": "U1", "channel": "C1", "ts": "2.0",
                            "thread_ts": "1.0", "text": "<@UBOT> and then?"}, BOT)
    assert ask is not None and ask.thread_ts == "1.0" and ask.conversation == ("C1", "1.0")
    assert ask.message_ts == "2.0" and ask.question == "and then?"


@pytest.mark.parametrize("event", [
    {"type": "message", "user": "U1", "channel": "D1", "channel_type": "im", "ts": "1", "subtype": "message_changed"},
    {"type": "message", "user": "U1", "channel": "D1", "channel_type": "im", "ts": "1", "bot_id": "B1"},
    {"type": "message", "user": BOT, "channel": "D1", "channel_type": "im", "ts": "1"},
    {"type": "message", "channel": "D1", "channel_type": "im", "ts": "1"},
    {"type": "message", "user": "U1", "channel": "C1", "ts": "2", "thread_ts": "1", "text": "<@UBOT> hi"},
    {"type": "message", "user": "U1", "channel": "C1", "ts": "2", "text": "not in a thread"},
    "not even a dict",
])
def test_messages_that_are_not_questions_for_the_bot_are_ignored(event) -> None:
    assert ask_from_message(event, BOT, lambda _c: True) is None


def test_slash_ask_reads_the_public_flag_first_or_last() -> None:
    base = {"user_id": "U1", "channel_id": "C1", "response_url": "https://hooks.slack.com/x"}
    assert slash_ask({**base, "text": "--public Why?"}).public  # type: ignore[union-attr]
    assert slash_ask({**base, "text": "Why? -p"}).public  # type: ignore[union-attr]
    private = slash_ask({**base, "text": "Why is --public a flag?"})
    assert private is not None and not private.public and private.question == "Why is --public a flag?"
    assert slash_ask({"text": "no user"}) is None


def test_memory_keeps_recent_questions_per_conversation_and_forgets_the_oldest() -> None:
    memory = ConversationMemory(max_conversations=2, max_questions=3)
    for n in range(5):
        memory.remember(("C1", "1"), f"q{n}")
    assert memory.history(("C1", "1")) == ("q2", "q3", "q4")
    memory.open(("C1", "2"))
    memory.open(("C1", "3"))
    assert not memory.knows(("C1", "1")) and memory.knows(("C1", "3")) and memory.history(("C1", "2")) == ()


def test_an_event_id_is_claimed_once_until_it_expires() -> None:
    now = [0.0]
    seen = SeenEvents(ttl_seconds=60, clock=lambda: now[0])
    assert seen.claim("Ev1") and not seen.claim("Ev1") and seen.claim("Ev2")
    now[0] = 61
    assert seen.claim("Ev1")


def settings(**values: str) -> Settings:
    """Settings as the environment would give them (keys are the variable names, lower-case)."""
    fields = {"slack_bot_token": "xoxb-1-2-abc", "slack_app_token": "xapp-1-A1-2-def",
              "slack_signing_secret": "a" * 32, "slack_api_url": "https://slack.com/api", **values}
    return Settings(**{key.upper(): value for key, value in fields.items()})


def test_config_accepts_good_settings_and_normalises_the_api_url() -> None:
    config = slack_config(settings(), http_mode=False)
    assert config.api_url == "https://slack.com/api/" and config.app_token.startswith("xapp-")
    assert slack_config(settings(), http_mode=True).app_token == "", "HTTP mode holds no app token"


@pytest.mark.parametrize(("values", "http", "variable"), [
    ({"slack_bot_token": "xoxp-user-token"}, True, "SLACK_BOT_TOKEN"),
    ({"slack_bot_token": "xoxb-1 2"}, True, "SLACK_BOT_TOKEN"),
    ({"slack_app_token": ""}, False, "SLACK_APP_TOKEN"),
    ({"slack_signing_secret": "short"}, True, "SLACK_SIGNING_SECRET"),
    ({"slack_api_url": "slack.com/api"}, True, "SLACK_API_URL"),
    ({"slack_allowed_users": "U1, bob"}, True, "SLACK_ALLOWED_USERS"),
])
def test_config_names_the_variable_that_is_wrong_and_never_its_value(values, http, variable) -> None:
    with pytest.raises(SlackConfigError) as err:
        slack_config(settings(**values), http_mode=http)
    message = str(err.value)
    assert message.startswith(variable) and "\n" not in message
    for key, value in values.items():
        if ("token" in key or "secret" in key) and value:
            assert value not in message


def test_allow_lists_cover_users_everywhere_and_channels_outside_dms() -> None:
    config = slack_config(settings(slack_allowed_channels="C1", slack_allowed_users="U1,U2"), http_mode=True)
    assert config.allows("U1", "C1", is_dm=False) and config.allows("U2", "D9", is_dm=True)
    assert not config.allows("U1", "C2", is_dm=False) and not config.allows("U3", "C1", is_dm=False)


def test_log_lines_never_show_tokens_or_secrets() -> None:
    assert redact("Bearer xoxb-123-456-abc and xapp-1-A-2-x") == "Bearer xoxb-[redacted] and xapp-[redacted]"
    formatter = RedactingFormatter("%(message)s", secrets=["s3cr3tsigningsecret"])
    try:
        raise RuntimeError("failed with xoxb-1-2-3 and s3cr3tsigningsecret")
    except RuntimeError:
        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "token %s", ("xoxb-9-9-9",), True)
        import sys
        record.exc_info = sys.exc_info()
    line = formatter.format(record)
    assert "xoxb-9" not in line and "xoxb-1-2-3" not in line and "s3cr3t" not in line and "[redacted]" in line


@pytest.mark.parametrize("name", ["manifest.yaml", "manifest.http.yaml"])
def test_the_app_manifests_ask_for_what_the_bot_listens_to(name: str) -> None:
    yaml = pytest.importorskip("yaml")
    from tests.conftest import ROOT

    manifest = yaml.safe_load((ROOT / "slack" / name).read_text(encoding="utf-8"))
    settings_ = manifest["settings"]
    events = set(settings_["event_subscriptions"]["bot_events"])
    assert {"app_mention", "message.im", "message.channels", "assistant_thread_started"} <= events
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    assert {"app_mentions:read", "chat:write", "im:history", "channels:history", "reactions:write",
            "commands", "assistant:write"} <= scopes
    assert [c["command"] for c in manifest["features"]["slash_commands"]] == ["/ask"]
    assert settings_["interactivity"]["is_enabled"]
    http = name == "manifest.http.yaml"
    assert settings_["socket_mode_enabled"] is not http
    assert ("request_url" in settings_["event_subscriptions"]) is http
    assert manifest["features"]["slash_commands"][0]["usage_hint"] == "[--public] your question about the articles"


def worker_over(documents, tmp_path) -> Worker:  # type: ignore[no-untyped-def]
    def never(*args: object, **kwargs: object) -> None:
        raise AssertionError("nothing is asked here")

    return Worker(never, ConversationMemory(), FeedbackStore.in_data_dir(tmp_path), documents=documents)


def test_the_how_to_names_the_newest_stored_articles(tmp_path) -> None:  # type: ignore[no-untyped-def]
    records = [DocumentRecord(doc_id=f"d{i}", version="v", text="", chunk_ids=(), title=f"Story {i}",
                              updated_at=f"2024-0{i}-01") for i in range(1, 6)]
    usage = worker_over(lambda: records, tmp_path).usage()
    assert usage.startswith(USAGE) and "in any language" in usage
    assert usage.endswith("Articles: “Story 5”, “Story 4”, “Story 3” and 2 more.")
    assert worker_over(None, tmp_path).usage() == USAGE


def test_an_unreadable_store_leaves_the_prompts_and_how_to_generic(tmp_path, caplog) -> None:  # type: ignore[no-untyped-def]
    def broken() -> list[DocumentRecord]:
        raise RuntimeError("store is down")

    worker = worker_over(broken, tmp_path)
    assert worker.usage() == USAGE and len(worker.suggested_prompts()) >= 2
    assert "could not list the stored articles" in caplog.text


def test_suggested_prompts_come_from_the_ingested_articles_title(store, tmp_path) -> None:  # type: ignore[no-untyped-def]
    [article] = store.list_documents()
    prompts = worker_over(store.list_documents, tmp_path).suggested_prompts()
    assert prompts[0]["message"] == f"What is “{article.title}” about?"
    assert all(len(p["title"]) <= 30 for p in prompts)
    assert not any("SearchGPT" in p["message"] for p in prompts)


def test_shared_seen_events_survive_a_restart_and_are_shared_by_replicas(tmp_path: Path) -> None:
    from bot.slack.threads import SharedSeenEvents

    now = [1_000_000.0]
    first = SharedSeenEvents(tmp_path / SharedSeenEvents.FILE_NAME, clock=lambda: now[0])
    assert first.claim("Ev1") and not first.claim("Ev1")
    replica = SharedSeenEvents(first.path, clock=lambda: now[0])  # a second process, or the bot restarted
    assert not replica.claim("Ev1") and replica.claim("Ev2")
    now[0] += 3 * 3600  # long after Slack stops retrying: the id may be claimed again
    assert replica.claim("Ev1")


def test_shared_seen_events_claim_each_id_once_across_threads(tmp_path: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from bot.slack.threads import SharedSeenEvents

    stores = [SharedSeenEvents.in_data_dir(tmp_path) for _ in range(4)]
    with ThreadPoolExecutor(8) as pool:
        won = list(pool.map(lambda n: stores[n % 4].claim(f"Ev{n // 4}"), range(80)))
    assert sum(won) == 20


def test_shared_conversation_memory_survives_a_restart_and_keeps_the_last_questions(tmp_path: Path) -> None:
    from bot.slack.threads import SharedConversationMemory

    first = SharedConversationMemory.in_data_dir(tmp_path)
    first.open(("C1", "1"))
    for question in ("q1", "q2", "q3"):
        first.remember(("C1", "1"), question)
    restarted = SharedConversationMemory(first.path, max_questions=2)
    assert restarted.knows(("C1", "1")) and not restarted.knows(("C1", "2"))
    assert restarted.history(("C1", "1")) == ("q2", "q3")
    restarted.remember(("C1", "1"), "q4")
    assert first.history(("C1", "1"))[-1] == "q4"


def test_shared_conversation_memory_forgets_the_oldest_conversations(tmp_path: Path) -> None:
    from bot.slack.threads import SharedConversationMemory

    now = [0.0]
    memory = SharedConversationMemory(tmp_path / "m.sqlite3", max_conversations=2, clock=lambda: now[0])
    memory.PRUNE_EVERY = 1
    for n in range(4):
        now[0] += 1
        memory.remember(("C1", str(n)), f"q{n}")
    assert [memory.knows(("C1", str(n))) for n in range(4)] == [False, False, True, True]
    assert memory.history(("C1", "0")) == ()
