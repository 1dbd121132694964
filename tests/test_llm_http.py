"""The real HTTP client path: ChatOpenAI against a stand-in OpenAI-compatible server.

The stand-in (tests/openai_standin.py) listens on 127.0.0.1 with a free port and
answers from a script: a good completion, a stream of server-sent events, a reply
slower than the timeout, or HTTP 500s. What the user sees must stay sensible in
every case: the model's cited answer, or the quoted extractive one with a note.
"""

from __future__ import annotations

import time
from typing import Any

import pytest

from bot.answering import answer_question
from bot.llm.answer import generate, generate_detailed
from bot.llm.config import LLMConfig
from bot.llm.pipeline import Answerer
from bot.llm.provider import make_chat_model
from bot.llm.stream import StreamEcho
from bot.models import Answer
from openai_standin import OpenAIStandIn, Reply

pytest.importorskip("langchain_openai", reason="pip install 'articlebot[llm]' for the HTTP client tests")

SEARCHGPT = "Why did SearchGPT raise tensions?"
GOOD = "SearchGPT competes directly with Bing in AI search [1]."


@pytest.fixture(scope="module")
def searchgpt(store: Any) -> Answer:
    return answer_question(SEARCHGPT, store)


def config(server: OpenAIStandIn, **overrides: Any) -> LLMConfig:
    values: dict[str, Any] = {"provider": "openai", "model": "stand-in", "base_url": server.base_url,
                              "timeout_s": 60.0, "max_retries": 0, "max_tokens": 200}
    values.update(overrides)
    return LLMConfig(**values)


def test_a_completion_from_an_openai_compatible_server_becomes_the_answer(searchgpt: Answer) -> None:
    with OpenAIStandIn(Reply(GOOD)) as server:
        cfg = config(server)
        answer = generate(SEARCHGPT, searchgpt, make_chat_model(cfg), cfg)
    assert answer.answer == GOOD and answer.citations == [1]
    sent = server.requests[0]
    assert sent["model"] == "stand-in" and sent["temperature"] == 0.0
    assert sent["max_tokens"] == 200 and sent["max_completion_tokens"] == 200
    assert [m["role"] for m in sent["messages"]] == ["system", "user"]
    assert SEARCHGPT in sent["messages"][1]["content"]


def test_streamed_tokens_arrive_one_by_one_over_sse(searchgpt: Answer) -> None:
    echo = StreamEcho()
    with OpenAIStandIn(Reply(GOOD, chunk_size=6)) as server:
        cfg = config(server)
        answer = generate(SEARCHGPT, searchgpt, make_chat_model(cfg), cfg, on_token=echo)
    assert server.requests[0]["stream"] is True
    assert len(echo.parts) >= len(GOOD) // 6 and echo.text == GOOD
    assert echo.is_final(answer)


def test_a_server_slower_than_the_timeout_falls_back_quickly(searchgpt: Answer) -> None:
    # "Quickly": at the client's timeout, long before the server would answer. The margin is
    # wide so that a busy machine cannot blur the two.
    with OpenAIStandIn(Reply(GOOD, delay_s=120.0)) as server:
        cfg = config(server, timeout_s=0.5)
        model = make_chat_model(cfg)
        started = time.perf_counter()
        generation = generate_detailed(SEARCHGPT, searchgpt, model, cfg)
        elapsed = time.perf_counter() - started
    assert generation.fallback == "timeout" and elapsed < 60
    assert generation.answer.answer == searchgpt.answer
    assert generation.answer.notes[0].endswith("(the model timed out).")


def test_a_stream_that_trickles_past_the_timeout_falls_back(searchgpt: Answer) -> None:
    # The first chunk comes at once; the whole stream would take 14 x 2 s, far past the 5 s
    # timeout, which still leaves a busy machine time to deliver that first chunk.
    with OpenAIStandIn(Reply(GOOD, chunk_size=4, chunk_delay_s=2.0)) as server:
        cfg = config(server, timeout_s=5.0)
        echo = StreamEcho()
        generation = generate_detailed(SEARCHGPT, searchgpt, make_chat_model(cfg), cfg, on_token=echo)
    assert generation.fallback == "timeout" and echo.started
    assert not echo.is_final(generation.answer)


def test_one_server_error_is_retried_and_then_answered(searchgpt: Answer) -> None:
    with OpenAIStandIn(Reply(status=500), Reply(GOOD)) as server:
        cfg = config(server, max_retries=1)
        answer = generate(SEARCHGPT, searchgpt, make_chat_model(cfg), cfg)
    assert len(server.requests) == 2 and answer.answer == GOOD


def test_a_server_that_keeps_failing_leaves_the_extractive_answer(searchgpt: Answer) -> None:
    with OpenAIStandIn(Reply(status=500)) as server:
        cfg = config(server, max_retries=2)
        generation = generate_detailed(SEARCHGPT, searchgpt, make_chat_model(cfg), cfg)
    assert len(server.requests) == 3  # the first try and two retries
    assert generation.fallback == "error" and generation.answer.answer == searchgpt.answer
    assert "500" in generation.raw


def test_a_server_that_is_not_there_leaves_the_extractive_answer(searchgpt: Answer) -> None:
    with OpenAIStandIn() as server:
        cfg = config(server)
    generation = generate_detailed(SEARCHGPT, searchgpt, make_chat_model(cfg), cfg)  # server closed
    assert generation.fallback == "error" and generation.answer.answer.strip()


def test_a_chat_follow_up_goes_through_rewrite_retrieval_and_answer(store: Any) -> None:
    with OpenAIStandIn(Reply("How does SearchGPT challenge Bing?"), Reply(GOOD)) as server:
        answerer = Answerer(config(server))
        answer = answerer.ask("and how does it threaten Bing?", store, history=[SEARCHGPT])
    rewrite_request, answer_request = server.requests
    assert SEARCHGPT in rewrite_request["messages"][1]["content"]
    assert "How does SearchGPT challenge Bing?" in answer_request["messages"][1]["content"]
    assert answer.answer == GOOD and answer.question == "and how does it threaten Bing?"
