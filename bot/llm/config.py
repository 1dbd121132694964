"""What the LLM layer needs to know, decoupled from how settings are read.

`LLMConfig.from_settings` reads the LLM_* / OPENAI_* / OLLAMA_* fields of the
project's Settings; the LLM code itself never touches Settings.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr

Provider = Literal["none", "openai", "ollama"]

DEFAULT_MODELS: dict[str, str] = {"openai": "gpt-4o-mini", "ollama": "qwen2.5:3b-instruct"}


class LLMConfig(BaseModel):
    model_config = ConfigDict(frozen=True)

    provider: Provider = "none"
    model: str = ""
    base_url: str = ""
    api_key: SecretStr = SecretStr("")
    timeout_s: float = Field(30.0, gt=0)
    max_tokens: int = Field(400, ge=16)
    temperature: float = Field(0.0, ge=0, le=2)
    max_retries: int = Field(1, ge=0, le=10)
    rewrite_followups: bool = True

    @property
    def enabled(self) -> bool:
        return self.provider != "none"

    @property
    def model_name(self) -> str:
        """LLM_MODEL, or a sensible default for the provider."""
        return self.model or DEFAULT_MODELS.get(self.provider, "")

    def describe(self) -> str:
        """One line for status output and notes; never shows the key."""
        if not self.enabled:
            return "none (extractive answers)"
        where = f" at {self.base_url}" if self.base_url else ""
        return f"{self.provider}:{self.model_name}{where}"

    @classmethod
    def from_settings(cls, settings: Any) -> "LLMConfig":
        """The LLM part of Settings; the base URL is the chosen provider's."""
        provider = settings.llm_provider
        base_url = settings.ollama_base_url if provider == "ollama" else settings.openai_base_url
        return cls(
            provider=provider, model=settings.llm_model, base_url=base_url or "",
            api_key=settings.openai_api_key, timeout_s=settings.llm_timeout_s,
            max_tokens=settings.llm_max_tokens, temperature=settings.llm_temperature,
            max_retries=settings.llm_max_retries,
        )
