"""LLM problems the user can fix (configuration, a missing package)."""

from __future__ import annotations

from vectorstore.errors import ArticlebotError


class LLMError(ArticlebotError):
    """The language model cannot be set up as configured."""


class LLMConfigError(LLMError):
    """LLM_* settings are incomplete or contradictory."""


class LLMNotInstalled(LLMError):
    """The provider's LangChain package is not installed."""


class LLMTimeout(LLMError):
    """The model took longer than LLM_TIMEOUT_S to answer."""
