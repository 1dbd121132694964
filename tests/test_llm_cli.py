"""The CLI uses the configured LLM (here a loopback OpenAI-compatible stand-in)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import cli

pytest.importorskip("langchain_openai")

from openai_standin import OpenAIStandIn, Reply  # noqa: E402

REPLY = "SearchGPT put OpenAI in direct competition with Microsoft's Bing [1]."


@pytest.fixture
def llm_env(ingested_dir: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    with OpenAIStandIn(Reply(REPLY)) as server:
        monkeypatch.setenv("ARTICLEBOT_DATA_DIR", str(ingested_dir))
        monkeypatch.setenv("LLM_PROVIDER", "openai")
        monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
        monkeypatch.setenv("OPENAI_API_KEY", "stand-in")
        monkeypatch.setenv("LLM_MODEL", "stand-in")
        yield server


def test_ask_answers_with_the_models_cited_reply(llm_env: OpenAIStandIn) -> None:
    result = CliRunner().invoke(cli, ["ask", "--json", "Why did SearchGPT raise tensions?"])
    assert result.exit_code == 0, result.output
    answer = json.loads(result.stdout)
    assert answer["answer"] == REPLY and answer["citations"] == [1]
    assert answer["passages"][0]["text"].startswith("출시 검색GPT")
    prompt = json.dumps(llm_env.requests[-1], ensure_ascii=False)
    assert "출시 검색GPT" in prompt  # the model was given the retrieved passages


def test_chat_streams_the_models_answer(llm_env: OpenAIStandIn) -> None:
    result = CliRunner().invoke(cli, ["chat"], input="Why did SearchGPT raise tensions?\n/quit\n")
    assert result.exit_code == 0, result.output
    assert REPLY in result.stdout and "sources: [1]" in result.stdout


def test_status_names_the_language_model(llm_env: OpenAIStandIn) -> None:
    result = CliRunner().invoke(cli, ["status", "--json"])
    assert result.exit_code == 0, result.output
    assert "stand-in" in json.loads(result.stdout)["language_model"]


def test_eval_adds_answer_level_figures_for_the_model(llm_env: OpenAIStandIn, tmp_path: Path) -> None:
    gold = tmp_path / "mini.jsonl"
    gold.write_text(json.dumps({
        "id": "a", "lang": "en", "question": "Why did SearchGPT raise tensions?", "answerable": True,
        "evidence": ["출시 검색GPT 이러한 긴장감을 더욱 심화시켰습니다"], "kind": "why",
        "answer_keywords_en": ["Bing", "competition"],
    }, ensure_ascii=False), encoding="utf-8")
    result = CliRunner().invoke(cli, ["eval", "--json", "--gold", str(gold)])
    assert result.exit_code == 0, result.output
    row = json.loads(result.stdout)["mini"]["methods"]["articlebot+llm"]["metrics"]["overall"]["all"]
    assert row["citation_validity"] == 1.0 and row["llm_fallback"] == 0.0
    assert row["keyword_hit"] == 1.0  # both keywords, in the question's language
