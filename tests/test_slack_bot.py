"""The Slack bot, for real: the Bolt app over HTTP, signed requests, the real answering
core and store; only Slack's Web API is a loopback stand-in that records every call."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from typing import Any, Callable, Sequence

import pytest
from slack_bolt.adapter.socket_mode.internals import run_bolt_app
from slack_sdk.socket_mode.request import SocketModeRequest

from bot.answering import answer_question
from bot.models import Answer, Highlight, Passage
from bot.slack.blocks import FEEDBACK_DOWN, FEEDBACK_UP, MAX_BLOCKS, SECTION_LIMIT, slack_len
from bot.slack.worker import APOLOGY, USAGE, WORKING_REACTION, WORKING_STATUS
from tests.slack_helpers import (  # noqa: F401 - bot and make_bot are fixtures
    CHANNEL, DM, SEARCHGPT_PARAGRAPH, SEARCHGPT_QUESTION, USER, RunningBot, bot, make_bot, next_ts, passages_in,
    signed_headers,
)
from tests.conftest import REPLY_CEILING_S, WAIT_CEILING_S
from tests.slack_standin import BOT_ID, BOT_USER_ID


def sections(blocks: list[dict[str, Any]]) -> list[str]:
    return [b["text"]["text"] for b in blocks if b["type"] == "section"]


# -- the happy paths ----------------------------------------------------------------------

def test_a_mention_gets_exactly_one_threaded_reply_citing_the_searchgpt_paragraph(bot: RunningBot) -> None:
    event, (status, _) = bot.mention(SEARCHGPT_QUESTION)
    assert status == 200

    [reply] = bot.slack.wait_for("chat.postMessage")
    bot.slack.wait_for("reactions.remove")
    bot.slack.settle()
    assert len(bot.slack.of("chat.postMessage")) == 1
    params = reply.params
    assert params["channel"] == CHANNEL and params["thread_ts"] == event["ts"]
    assert params["unfurl_links"] is False and params["unfurl_media"] is False
    assert "[1]" in sections(params["blocks"])[0]
    cited = passages_in(params["blocks"])
    heading, quote = cited[0].split("\n", 1)
    assert heading.startswith("*[1]*") and "¶" in heading
    assert quote.replace("*", "").startswith(f">{SEARCHGPT_PARAGRAPH}")
    assert "*" in quote, "the matched sentence is in bold"
    assert SEARCHGPT_PARAGRAPH in params["text"], "plain-text fallback has the quotes too"
    assert any(b["type"] == "actions" for b in params["blocks"]), "👍/👎 buttons"
    [added] = bot.slack.of("reactions.add")
    assert added.params.items() >= {"channel": CHANNEL, "timestamp": event["ts"], "name": WORKING_REACTION}.items()
    assert bot.spy.asked == [(SEARCHGPT_QUESTION, ())], "the bot's mention is not part of the question"


def test_a_direct_message_is_answered_in_the_dm(bot: RunningBot) -> None:
    bot.message(SEARCHGPT_QUESTION, channel=DM, channel_type="im")

    [reply] = bot.slack.wait_for("chat.postMessage")
    assert reply.params["channel"] == DM and "thread_ts" not in reply.params
    assert SEARCHGPT_PARAGRAPH in passages_in(reply.params["blocks"])[0]


def test_a_reply_in_the_thread_is_a_follow_up_that_uses_the_earlier_question(bot: RunningBot) -> None:
    first, _ = bot.mention(SEARCHGPT_QUESTION)
    bot.slack.wait_for("chat.postMessage")

    bot.message("and what did Microsoft do about it?", thread_ts=first["ts"])

    [_, follow_up] = bot.slack.wait_for("chat.postMessage", count=2)
    assert follow_up.params["thread_ts"] == first["ts"]
    assert bot.spy.asked[1] == ("and what did Microsoft do about it?", (SEARCHGPT_QUESTION,))
    assert not any(c.method == "conversations.replies" for c in bot.slack.calls), "history is kept by the bot"


def test_a_reply_in_a_thread_the_bot_did_not_answer_is_ignored(bot: RunningBot) -> None:
    bot.message("and what did Microsoft do about it?", thread_ts=next_ts())
    bot.message("just chatting in the channel")
    bot.slack.settle()
    assert bot.slack.of("chat.postMessage") == [] and bot.spy.asked == []


def test_a_follow_up_that_mentions_the_bot_is_answered_once(bot: RunningBot) -> None:
    first, _ = bot.mention(SEARCHGPT_QUESTION)
    bot.slack.wait_for("chat.postMessage")
    text = "and what did Microsoft do about it?"
    bot.mention(text, thread_ts=first["ts"])  # Slack sends both app_mention …
    bot.message(f"<@{BOT_USER_ID}> {text}", thread_ts=first["ts"])  # … and message
    bot.slack.wait_for("chat.postMessage", count=2)
    bot.slack.settle()
    assert len(bot.slack.of("chat.postMessage")) == 2
    assert bot.spy.asked[1] == (text, (SEARCHGPT_QUESTION,))


def test_when_the_article_does_not_answer_it_says_so_briefly_without_quotes(make_bot) -> None:
    def abstain(question: str, history: Sequence[str]) -> Answer:
        return Answer(question=question, answer="The article doesn't say: nothing in “the article” answers this.",
                      abstained=True, language="en", article_language="ko", passages=[], citations=[])

    bot = make_bot(abstain)
    bot.mention("Who is the CEO of Microsoft?")
    [reply] = bot.slack.wait_for("chat.postMessage")
    blocks = reply.params["blocks"]
    assert passages_in(blocks) == [] and not any(b["type"] == "divider" for b in blocks)
    assert "doesn't say" in sections(blocks)[0] and len(reply.params["text"]) < 200
    assert any(b["type"] == "actions" for b in blocks)


def test_an_empty_mention_gets_a_short_how_to(bot: RunningBot) -> None:
    bot.mention("")
    [reply] = bot.slack.wait_for("chat.postMessage")
    assert reply.params["text"] == USAGE and "Ask me about the articles" in USAGE and bot.spy.asked == []


# -- what must never happen ----------------------------------------------------------------

def test_a_retried_event_is_answered_once(bot: RunningBot) -> None:
    body = bot.event_body({"type": "app_mention", "user": USER, "text": f"<@{BOT_USER_ID}> {SEARCHGPT_QUESTION}",
                           "ts": next_ts(), "channel": CHANNEL})
    assert bot.send(body)[0] == 200
    for retry in (1, 2, 3):
        assert bot.send(body, retry_num=retry)[0] == 200
    bot.slack.wait_for("chat.postMessage")
    bot.slack.settle()
    assert len(bot.slack.of("chat.postMessage")) == 1 and len(bot.spy.asked) == 1


def test_forged_and_stale_requests_get_401_and_nothing_else(bot: RunningBot) -> None:
    body = json.dumps(bot.event_body({"type": "app_mention", "user": USER, "ts": next_ts(), "channel": CHANNEL,
                                      "text": f"<@{BOT_USER_ID}> {SEARCHGPT_QUESTION}"})).encode()
    forged = signed_headers(body, secret="0" * 32)
    stale = signed_headers(body, timestamp=int(time.time()) - 6 * 60)
    unsigned = {"Content-Type": "application/json"}
    tampered = {**signed_headers(body)}
    for headers, raw in ((forged, body), (stale, body), (unsigned, body), (tampered, body.replace(b"Why", b"How"))):
        status, text = bot.send(raw, headers=headers)
        assert status == 401, (headers, text)
    bot.slack.settle()
    assert bot.slack.of("chat.postMessage") == [] and bot.spy.asked == []


def test_the_bots_own_messages_and_other_bots_are_ignored(bot: RunningBot) -> None:
    first, _ = bot.mention(SEARCHGPT_QUESTION)
    bot.slack.wait_for("chat.postMessage")
    thread = first["ts"]
    bot.message("Microsoft … [1]", user=BOT_USER_ID, thread_ts=thread, bot_id=BOT_ID)  # our own reply
    bot.message("I am another bot", user="UOTHERBOT", thread_ts=thread, bot_id="BOTHER")
    bot.message("a bot post", thread_ts=thread, subtype="bot_message", bot_id="BOTHER", user="")
    bot.mention("hello from a bot", user="UOTHERBOT", bot_id="BOTHER")
    bot.message(SEARCHGPT_QUESTION, channel=DM, channel_type="im", user="UOTHERBOT", bot_id="BOTHER")
    bot.slack.settle()
    assert len(bot.slack.of("chat.postMessage")) == 1 and len(bot.spy.asked) == 1


def test_an_oversized_answer_stays_within_slacks_limits(make_bot) -> None:
    long_text = ("검색GPT 출시로 긴장이 커졌다. " * 400).strip()  # ~7,000 characters per passage

    def huge(question: str, history: Sequence[str]) -> Answer:
        passages = [
            Passage(n=n, doc_id="doc", title="기사 " * 50, section="섹션", paragraph=n, start=0,
                    end=len(long_text), text=long_text, score=0.5, url="https://example.com/a?x=<1>|2",
                    highlights=[Highlight(3000, 3016, long_text[3000:3016], 0.9)])
            for n in range(1, 61)
        ]
        answer = " ".join(f"문장 {i} 😀👩‍💻 [{i % 60 + 1}]" for i in range(6000))
        return Answer(question=question, answer=answer, abstained=False, language="ko",
                      article_language="ko", passages=passages, citations=list(range(1, 61)))

    bot = make_bot(huge)
    bot.mention("everything, please")
    [reply] = bot.slack.wait_for("chat.postMessage")
    blocks = reply.params["blocks"]
    assert len(blocks) <= MAX_BLOCKS
    assert all(slack_len(text) <= SECTION_LIMIT for text in sections(blocks))
    assert len(passages_in(blocks)) >= 20 and any(b["type"] == "actions" for b in blocks)
    assert slack_len(reply.params["text"]) <= 3000
    assert "\ufffd" not in json.dumps(blocks, ensure_ascii=False)


def test_a_rate_limited_post_is_retried_after_retry_after(bot: RunningBot) -> None:
    bot.slack.fail("chat.postMessage", status=429, retry_after=1)
    bot.mention(SEARCHGPT_QUESTION)

    [reply] = bot.slack.wait_for("chat.postMessage")
    limited, delivered = bot.slack.of("chat.postMessage")
    assert limited.status == 429 and delivered is reply
    assert delivered.at - limited.at >= 1.0, "waited for Retry-After"
    bot.slack.settle()
    assert len(bot.slack.of("chat.postMessage")) == 2
    assert not any(APOLOGY in str(c.params.get("text")) for c in bot.slack.calls)


def test_an_api_error_gets_an_apology_and_the_bot_keeps_running(bot: RunningBot) -> None:
    bot.slack.fail("chat.postMessage", error="invalid_blocks")
    bot.slack.fail("reactions.add", error="already_reacted")
    first, _ = bot.mention(SEARCHGPT_QUESTION)

    [apology] = bot.slack.wait_for("chat.postMessage")
    assert apology.params["text"] == APOLOGY and apology.params["thread_ts"] == first["ts"]

    bot.mention(SEARCHGPT_QUESTION)
    [_, answer] = bot.slack.wait_for("chat.postMessage", count=2)
    assert SEARCHGPT_PARAGRAPH in passages_in(answer.params["blocks"])[0]


def test_a_malformed_payload_never_crashes_the_bot(bot: RunningBot) -> None:
    garbage = [
        b"{not json",
        json.dumps({"type": "event_callback", "event_id": "EvBAD1"}).encode(),
        json.dumps(bot.event_body({"type": "app_mention", "text": 42})).encode(),
        json.dumps(bot.event_body({"type": "message", "channel": DM, "channel_type": "im", "user": ["x"]})).encode(),
        json.dumps(bot.event_body("not an event")).encode(),
        "{\"a\": \"\xff\"}".encode("latin-1"),
    ]
    for raw in garbage:
        status, _ = bot.send(raw, headers=signed_headers(raw))
        assert status < 500, raw
        status, _ = bot.send(raw, headers=signed_headers(raw, secret="f" * 32))
        assert status == 401, raw
    bot.mention(SEARCHGPT_QUESTION)
    bot.slack.wait_for("chat.postMessage")


def test_slacks_url_verification_challenge_is_answered(bot: RunningBot) -> None:
    status, text = bot.send({"type": "url_verification", "challenge": "c-123", "token": "t"})
    assert status == 200 and "c-123" in text


# -- /ask, feedback, allow-lists, assistant threads, Socket Mode ----------------------------------

def test_slash_ask_answers_privately_by_default_and_in_the_channel_with_a_flag(bot: RunningBot) -> None:
    status, ack = bot.slash(SEARCHGPT_QUESTION)
    assert status == 200 and WORKING_STATUS in ack
    [private] = bot.slack.wait_for("response:ask")
    assert private.params["response_type"] == "ephemeral"
    assert SEARCHGPT_PARAGRAPH in passages_in(private.params["blocks"])[0]
    assert USER in json.dumps(private.params["blocks"][0]), "the question is shown with who asked"

    bot.slash(f"--public {SEARCHGPT_QUESTION}")
    [_, public] = bot.slack.wait_for("response:ask", count=2)
    assert public.params["response_type"] == "in_channel"
    assert bot.spy.asked == [(SEARCHGPT_QUESTION, ()), (SEARCHGPT_QUESTION, ())]

    status, usage = bot.slash("")
    assert status == 200 and "/ask" in usage


def test_feedback_clicks_are_stored_with_the_question_answer_and_passages(bot: RunningBot) -> None:
    bot.mention(SEARCHGPT_QUESTION)
    [reply] = bot.slack.wait_for("chat.postMessage")

    assert bot.click(reply.params, FEEDBACK_DOWN)[0] == 200
    bot.slack.wait_for("chat.postEphemeral")
    assert bot.click(reply.params, FEEDBACK_UP)[0] == 200  # a second click changes the vote
    [_, thanks] = bot.slack.wait_for("chat.postEphemeral", count=2)
    assert thanks.params["user"] == USER and "Thanks" in thanks.params["text"]

    [row] = bot.feedback.rows()
    assert row.vote == 1 and row.user == USER and row.question == SEARCHGPT_QUESTION
    assert "[1]" in row.answer and row.passages[0]["text"].startswith(SEARCHGPT_PARAGRAPH)


def test_allow_lists_keep_the_bot_to_the_listed_channels_and_users(make_bot) -> None:
    bot = make_bot(SLACK_ALLOWED_CHANNELS="C0000OTHER", SLACK_ALLOWED_USERS=f"{USER},U0000TWO")
    bot.mention(SEARCHGPT_QUESTION)  # channel not listed
    bot.message(SEARCHGPT_QUESTION, channel=DM, channel_type="im", user="U0000NOPE")  # user not listed
    status, text = bot.slash(SEARCHGPT_QUESTION)
    assert status == 200 and "isn't enabled" in text
    bot.message(SEARCHGPT_QUESTION, channel=DM, channel_type="im")  # a listed user's DM
    [reply] = bot.slack.wait_for("chat.postMessage")
    bot.slack.settle()
    assert reply.params["channel"] == DM and len(bot.slack.of("chat.postMessage")) == 1


def test_an_assistant_thread_greets_with_prompts_and_answers_with_a_status(bot: RunningBot) -> None:
    thread = next_ts()
    bot.send(bot.event_body({"type": "assistant_thread_started", "event_ts": thread,
                             "assistant_thread": {"user_id": USER, "channel_id": DM, "thread_ts": thread,
                                                  "context": {}}}))
    [greeting] = bot.slack.wait_for("chat.postMessage")
    [prompts] = bot.slack.wait_for("assistant.threads.setSuggestedPrompts")
    assert greeting.params["thread_ts"] == thread and len(prompts.params["prompts"]) >= 2
    assert all(len(p["title"]) <= 30 and p["message"] for p in prompts.params["prompts"])

    bot.message(SEARCHGPT_QUESTION, channel=DM, channel_type="im", thread_ts=thread)
    [status] = bot.slack.wait_for("assistant.threads.setStatus")
    [_, answer] = bot.slack.wait_for("chat.postMessage", count=2)
    assert status.params["status"] == WORKING_STATUS and answer.params["thread_ts"] == thread
    assert SEARCHGPT_PARAGRAPH in passages_in(answer.params["blocks"])[0]
    assert bot.slack.of("reactions.add") == []


def test_a_socket_mode_mention_is_answered_in_its_thread(bot: RunningBot) -> None:
    ts = next_ts()
    body = bot.event_body({"type": "app_mention", "user": USER, "ts": ts, "channel": CHANNEL,
                           "text": f"<@{BOT_USER_ID}> {SEARCHGPT_QUESTION}"})
    request = SocketModeRequest(type="events_api", envelope_id="env-1", payload=body)
    assert run_bolt_app(bot.app, request).status == 200
    retried = SocketModeRequest(type="events_api", envelope_id="env-2", payload=body, retry_attempt=1,
                                retry_reason="timeout")
    assert run_bolt_app(bot.app, retried).status == 200
    [reply] = bot.slack.wait_for("chat.postMessage")
    bot.slack.settle()
    assert reply.params["thread_ts"] == ts and len(bot.slack.of("chat.postMessage")) == 1


def test_events_and_commands_are_acknowledged_before_the_answer_is_ready(make_bot) -> None:
    release = threading.Event()

    def blocked(question: str, history: Sequence[str]) -> Answer:
        # the answer is not ready until the test says so (the ceiling only ends a broken run)
        assert release.wait(REPLY_CEILING_S), "the test never released the answer"
        return Answer(question=question, answer="ready [1]", abstained=False, language="en",
                      article_language="ko", passages=[], citations=[])

    bot = make_bot(blocked)
    try:
        _, (status, _) = bot.mention(SEARCHGPT_QUESTION)
        assert status == 200
        status, ack = bot.slash(SEARCHGPT_QUESTION)
        assert status == 200 and WORKING_STATUS in ack
        assert bot.slack.of("chat.postMessage") == []
    finally:
        release.set()
    bot.slack.wait_for("chat.postMessage")
    bot.slack.wait_for("response:ask")


def test_with_a_streaming_llm_one_message_is_posted_and_then_edited_into_the_cited_answer(
        make_bot: Callable[..., RunningBot], store,
        monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    def streaming_answer(question: str, history: Sequence[str], on_token: Callable[[str], None]) -> Answer:
        for token in ("SearchGPT ", "competes ", "with Bing ", "[1]."):
            on_token(token)
        return answer_question(question, store, 3, history=history)  # stands in for the model's final answer

    # The throttle's timing has its own test with a fake clock (test_llm_answers.py). Here an
    # interval longer than any run keeps the count exact however slowly each edit goes through.
    monkeypatch.setattr("bot.slack.worker.STREAM_UPDATE_S", WAIT_CEILING_S)
    bot = make_bot(streaming_answer, streaming=True)
    bot.mention(SEARCHGPT_QUESTION)
    bot.slack.wait_for("reactions.remove")
    bot.slack.settle()
    [placeholder] = bot.slack.of("chat.postMessage")
    assert WORKING_STATUS in placeholder.params["text"]
    edits = bot.slack.of("chat.update")
    assert len(edits) == 2, "the streamed text (the first token at once, the rest throttled), then the answer"
    assert len({e.params["ts"] for e in edits}) == 1 and edits[0].params["channel"] == CHANNEL
    assert "SearchGPT" in edits[0].params["text"] and edits[0].params["text"].endswith("…")
    assert SEARCHGPT_PARAGRAPH in passages_in(edits[-1].params["blocks"])[0]


def test_two_replicas_sharing_the_data_folder_answer_a_retried_event_once(
        make_bot: Callable[..., RunningBot], tmp_path: Path) -> None:
    from bot.slack.threads import SharedSeenEvents

    shared = tmp_path / "shared-data"
    first = make_bot(seen=SharedSeenEvents.in_data_dir(shared))
    second = make_bot(seen=SharedSeenEvents.in_data_dir(shared))  # another process on the same folder
    body = first.event_body({"type": "app_mention", "user": USER, "text": f"<@{BOT_USER_ID}> {SEARCHGPT_QUESTION}",
                             "ts": next_ts(), "channel": CHANNEL})
    assert first.send(body)[0] == 200
    assert second.send(body, retry_num=1)[0] == 200  # Slack's retry reached the other replica
    first.slack.wait_for("chat.postMessage")
    first.slack.settle()
    second.slack.settle()
    assert len(first.slack.of("chat.postMessage")) + len(second.slack.of("chat.postMessage")) == 1
    assert len(first.spy.asked) + len(second.spy.asked) == 1


def test_a_follow_up_after_a_restart_still_has_the_earlier_question(
        make_bot: Callable[..., RunningBot], tmp_path: Path) -> None:
    from bot.slack.threads import SharedConversationMemory

    shared = tmp_path / "shared-data"
    before = make_bot(memory=SharedConversationMemory.in_data_dir(shared))
    first, _ = before.mention(SEARCHGPT_QUESTION)
    before.slack.wait_for("chat.postMessage")
    after = make_bot(memory=SharedConversationMemory.in_data_dir(shared))  # the bot restarted
    after.message("and what did Microsoft do about it?", thread_ts=first["ts"])  # no mention: a follow-up
    [reply] = after.slack.wait_for("chat.postMessage")
    assert reply.params["thread_ts"] == first["ts"]
    assert after.spy.asked == [("and what did Microsoft do about it?", (SEARCHGPT_QUESTION,))]
