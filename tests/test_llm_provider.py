"""Building the chat model from configuration; LLM_PROVIDER=none needs nothing."""

from __future__ import annotations

import subprocess
import sys
from types import SimpleNamespace

import pytest
from pydantic import SecretStr

from bot.llm.config import LLMConfig
from bot.llm.errors import LLMConfigError, LLMNotInstalled
from bot.llm.provider import make_chat_model
from bot.settings import Settings
from vectorstore.errors import ArticlebotError


def test_default_settings_mean_no_language_model() -> None:
    config = LLMConfig.from_settings(Settings())
    assert config.provider == "none" and not config.enabled
    assert config.describe() == "none (extractive answers)"


def test_config_reads_the_llm_settings_fields() -> None:
    settings = SimpleNamespace(
        llm_provider="openai", llm_model="qwen", openai_base_url="http://127.0.0.1:8081/v1",
        openai_api_key=SecretStr(""), llm_timeout_s=12.0, llm_max_tokens=256, llm_temperature=0.0, llm_max_retries=2,
    )
    config = LLMConfig.from_settings(settings)
    assert (config.provider, config.model_name, config.base_url, config.timeout_s, config.max_retries) == (
        "openai", "qwen", "http://127.0.0.1:8081/v1", 12.0, 2)
    assert config.describe() == "openai:qwen at http://127.0.0.1:8081/v1"


def test_openai_compatible_server_gets_base_url_limits_and_a_placeholder_key() -> None:
    pytest.importorskip("langchain_openai")
    model = make_chat_model(LLMConfig(provider="openai", model="local", base_url="http://127.0.0.1:9/v1",
                                      timeout_s=7, max_tokens=123, max_retries=3))
    assert type(model).__name__ == "ChatOpenAI"
    assert (model.openai_api_base, model.request_timeout, model.max_retries, model.temperature) == (
        "http://127.0.0.1:9/v1", 7, 3, 0.0)
    payload = model._get_request_payload([("user", "hi")])
    # OpenAI's own field and the one llama.cpp / older vLLM read
    assert payload["max_completion_tokens"] == 123 and payload["extra_body"] == {"max_tokens": 123}


def test_openai_without_key_or_base_url_is_a_clear_error() -> None:
    with pytest.raises(LLMConfigError, match="OPENAI_API_KEY"):
        make_chat_model(LLMConfig(provider="openai"))
    assert issubclass(LLMConfigError, ArticlebotError)


def test_ollama_gets_model_url_and_token_limit() -> None:
    pytest.importorskip("langchain_ollama")
    model = make_chat_model(LLMConfig(provider="ollama", model="qwen2.5:1.5b", base_url="http://127.0.0.1:9",
                                      max_tokens=99))
    assert type(model).__name__ == "ChatOllama"
    assert (model.model, model.base_url, model.num_predict) == ("qwen2.5:1.5b", "http://127.0.0.1:9", 99)


def test_missing_package_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "langchain_openai", None)
    with pytest.raises(LLMNotInstalled, match="pip install"):
        make_chat_model(LLMConfig(provider="openai", base_url="http://127.0.0.1:9/v1"))


def test_a_bad_configuration_fails_at_start_up_not_at_the_first_question() -> None:
    from bot.llm.pipeline import Answerer

    with pytest.raises(LLMConfigError):
        Answerer(LLMConfig(provider="openai")).prepare()
    assert Answerer(LLMConfig()).prepare().enabled is False


def test_provider_none_imports_no_llm_client() -> None:
    code = (
        "import sys; from bot.llm.pipeline import Answerer; from bot.llm.config import LLMConfig;"
        "a = Answerer(LLMConfig()); assert not a.enabled;"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('langchain_openai', 'langchain_ollama', 'openai', 'ollama')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
