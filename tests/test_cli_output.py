"""What the CLI prints for people stays whole in an 80-column terminal or a pipe:
ids that `remove` needs, every figure of `eval`, one line per refused file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from bot.cli import cli
from bot.evaluation.report import report_table
from bot.status import document_lines

LONG_ID = "news.example.com-2026-11-harborview-tramline-opening-delayed-again-by-council"
STORY = "The harbour council met on Monday. It postponed the tramline vote again.\n"


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner(env={"COLUMNS": "80"})


def test_docs_prints_whole_ids_that_remove_accepts(runner: CliRunner, tmp_path: Path) -> None:
    article = tmp_path / "harbour.txt"
    article.write_text(STORY, encoding="utf-8")
    title = "Harborview council delays the tramline vote for the third time this year, again"
    ingested = runner.invoke(cli, ["ingest", "--json", "--doc-id", LONG_ID, "--title", title, str(article)])
    assert ingested.exit_code == 0, ingested.output

    listed = runner.invoke(cli, ["docs"])
    assert listed.exit_code == 0, listed.output
    assert LONG_ID in listed.stdout.splitlines()
    assert title in listed.stdout and "…" not in listed.stdout
    assert "revision 1 · 1 paragraphs" in listed.stdout

    removed = runner.invoke(cli, ["remove", LONG_ID])
    assert removed.exit_code == 0, removed.output


def test_document_lines_put_the_id_alone_on_its_line() -> None:
    row = {"doc_id": LONG_ID, "title": "T", "revision": 2, "paragraphs": 4,
           "updated_at": "2026-12-05T09:41:07+00:00", "status": "web"}
    assert document_lines([row]) == [LONG_ID, "    T", "    revision 2 · 4 paragraphs · updated 2026-12-05 09:41 · web"]


def _metrics(**values: float) -> dict[str, Any]:
    row = {"questions": 40, "recall@1": 0.74, "recall@3": 0.882, "recall@5": 0.912, "full_recall@5": 0.824,
           "mrr": 0.811, "abstention": 0.0, "false_abstention": 0.118, "keyword_hit": 0.45,
           "latency_p50_ms": 17.2, "latency_p95_ms": 30.2}
    return {**row, **values}


def fake_report(llm: bool = True) -> dict[str, Any]:
    """The shape `evaluate` returns, with figures like the README's dev row."""
    ours = {"overall": {"all": _metrics()},
            "language": {"en": _metrics(questions=20, **{"recall@3": 0.85}), "ko": _metrics(questions=20)},
            "kind": {"unanswerable": {"questions": 6, "abstention": 0.0, "latency_p50_ms": 16.0,
                                      "latency_p95_ms": 22.0}}}
    methods: dict[str, Any] = {"articlebot": {"metrics": ours, "questions": []}}
    if llm:
        methods["articlebot+llm"] = {"metrics": {"overall": {"all": _metrics(
            citation_validity=0.786, llm_fallback=0.25, latency_p50_ms=9120.0, latency_p95_ms=13050.0)}}}
    methods["naive-rag"] = {"metrics": {"overall": {"all": _metrics(**{"recall@3": 0.7})}}}
    return {"k": 3, "methods": methods}


def test_eval_prints_every_figure_whole_in_80_columns(
        runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import bot.cli
    import bot.evaluation.harness

    monkeypatch.setattr(bot.cli, "ready_store", lambda settings, quiet=False: object())
    monkeypatch.setattr(bot.evaluation.harness, "evaluate", lambda *args, **kwargs: fake_report())
    gold = tmp_path / "dev.jsonl"
    gold.write_text(json.dumps({"id": "a", "lang": "en", "question": "Why?", "answerable": True,
                                "evidence": ["x"]}) + "\n", encoding="utf-8")

    result = runner.invoke(cli, ["eval", "--gold", str(gold)])

    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "…" not in out
    assert max(len(line.rstrip()) for line in out.splitlines()) <= 80
    for figure in ("0.85", "0.88", "0.74", "0.81", "0.12", "0.45", "0.79", "0.25", "9120", "13050", "17", "30"):
        assert figure in out.split(), figure
    assert "articlebot+llm" in out and "naive-rag" in out and "unanswerable" in out
    assert "R@k:" in out  # the legend explains the short headers


def test_columns_nobody_filled_are_left_out() -> None:
    from rich.console import Console

    console = Console(width=80, record=True)
    console.print(report_table("dev", fake_report(llm=False)))
    out = console.export_text()
    assert "cite" not in out and "fallb" not in out and "…" not in out


def test_a_refused_file_in_a_folder_is_one_line(runner: CliRunner, tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "harbour.txt").write_text(STORY, encoding="utf-8")
    (folder / "empty.txt").write_bytes(b"")
    result = runner.invoke(cli, ["ingest", str(folder)])
    assert result.exit_code == 0, result.output
    assert [line for line in result.stderr.splitlines() if line.strip()] == [
        f"skipped {folder / 'empty.txt'}: is empty"]
    assert "Ingested 1 document(s)" in result.stdout


def test_the_default_size_limit_says_20_mb(runner: CliRunner, tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    with big.open("wb") as handle:  # sparse: 21 MB on paper, nothing written
        handle.truncate(21 * 1024 * 1024)
    result = runner.invoke(cli, ["ingest", str(big)])
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "is 21.0 MB, over the 20 MB limit (MAX_FILE_MB)" in lines[0], result.stderr
