"""What the LLM layer needs to know, decoupled from how settings are read.

`LLMConfig.from_settings` takes the project's Settings object; fields it does not
have yet fall back to the defaults here, so this works before and after the
LLM_* settings are added.
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
        """Read the LLM_* / OPENAI_* fields of Settings (missing ones: defaults)."""
        values: dict[str, Any] = {}
        for field, attr in (
            ("provider", "llm_provider"), ("model", "llm_model"), ("api_key", "openai_api_key"),
            ("timeout_s", "llm_timeout_s"), ("max_tokens", "llm_max_tokens"),
            ("temperature", "llm_temperature"), ("max_retries", "llm_max_retries"),
        ):
            if hasattr(settings, attr):
                values[field] = getattr(settings, attr)
        url_attr = "ollama_base_url" if values.get("provider") == "ollama" else "openai_base_url"
        values["base_url"] = getattr(settings, url_attr, "") or ""
        return cls(**values)
