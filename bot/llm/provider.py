"""Build the configured LangChain chat model; the client package is imported only here.

LLM_PROVIDER=none never reaches this module, so the default install needs no
LLM package. A missing package is a one-line error with the install command.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot.llm.config import LLMConfig
from bot.llm.errors import LLMConfigError, LLMNotInstalled

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

INSTALL_HINTS = {
    "openai": "pip install 'articlebot[llm]'  (or: pip install langchain-openai)",
    "ollama": "pip install 'articlebot[llm]'  (or: pip install langchain-ollama)",
}


def make_chat_model(config: LLMConfig) -> "BaseChatModel":
    """ChatOpenAI (any OpenAI-compatible server with a base URL) or ChatOllama."""
    if config.provider == "openai":
        return _openai(config)
    if config.provider == "ollama":
        return _ollama(config)
    raise LLMConfigError("LLM_PROVIDER is 'none': there is no language model to build")


def _openai(config: LLMConfig) -> "BaseChatModel":
    try:
        from langchain_openai import ChatOpenAI
    except ImportError as exc:
        raise LLMNotInstalled(f"LLM_PROVIDER=openai needs langchain-openai: {INSTALL_HINTS['openai']}") from exc
    key = config.api_key.get_secret_value()
    if not key and not config.base_url:
        raise LLMConfigError(
            "LLM_PROVIDER=openai needs OPENAI_API_KEY, or OPENAI_BASE_URL for a local OpenAI-compatible server"
        )
    kwargs: dict[str, Any] = {
        "model": config.model_name,
        "temperature": config.temperature,
        "max_tokens": config.max_tokens,
        "timeout": config.timeout_s,
        "max_retries": config.max_retries,
        # local servers ignore the key, but the client insists on having one
        "api_key": key or "not-needed",
    }
    if config.base_url:
        kwargs["base_url"] = config.base_url
        # ChatOpenAI sends max_completion_tokens; llama.cpp, older vLLM and others read max_tokens
        kwargs["extra_body"] = {"max_tokens": config.max_tokens}
    return ChatOpenAI(**kwargs)


def _ollama(config: LLMConfig) -> "BaseChatModel":
    try:
        from langchain_ollama import ChatOllama
    except ImportError as exc:
        raise LLMNotInstalled(f"LLM_PROVIDER=ollama needs langchain-ollama: {INSTALL_HINTS['ollama']}") from exc
    kwargs: dict[str, Any] = {
        "model": config.model_name,
        "temperature": config.temperature,
        "num_predict": config.max_tokens,
        "client_kwargs": {"timeout": config.timeout_s},
    }
    if config.base_url:
        kwargs["base_url"] = config.base_url
    return ChatOllama(**kwargs)
