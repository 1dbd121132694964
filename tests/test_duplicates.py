"""The same article under another id is noticed at ingest, and never cited twice."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import cli
from tests.conftest import ARTICLE

DOC_ID = "microsoft-openai-tensions.ko"


@pytest.mark.parametrize("encoding", ["cp949", "utf-16"])
def test_a_copy_of_a_stored_article_in_another_encoding_is_refused_in_one_line(
        store_copy_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, encoding: str) -> None:
    monkeypatch.setenv("ARTICLEBOT_DATA_DIR", str(store_copy_dir))
    copy = tmp_path / f"copy-{encoding}.txt"
    copy.write_bytes(ARTICLE.read_text(encoding="utf-8").replace("\n", "\r\n").encode(encoding))
    result = CliRunner().invoke(cli, ["ingest", str(copy)])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and f"same text as the stored document '{DOC_ID}'" in lines[0]
    assert "--allow-duplicate" in lines[0]
    docs = CliRunner().invoke(cli, ["docs", "--json"])
    assert [d["doc_id"] for d in json.loads(docs.stdout)] == [DOC_ID]


def test_allow_duplicate_stores_it_and_answers_still_cite_each_text_once(
        store_copy_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ARTICLEBOT_DATA_DIR", str(store_copy_dir))
    copy = tmp_path / "copy.txt"
    copy.write_bytes(ARTICLE.read_bytes())
    stored = CliRunner().invoke(cli, ["ingest", "--allow-duplicate", "--json", str(copy)])
    assert stored.exit_code == 0, stored.output
    assert json.loads(stored.stdout)["documents"] == 1
    asked = CliRunner().invoke(cli, ["ask", "--json", "-k", "3", "Why did SearchGPT raise tensions?"])
    answer = json.loads(asked.stdout)
    texts = [" ".join(p["text"].split()) for p in answer["passages"]]
    assert len(texts) == 3 and len(set(texts)) == 3
