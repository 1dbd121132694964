"""Gold question sets (JSON Lines) and the ones shipped with articlebot."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from vectorstore.errors import ArticlebotError


@dataclass(frozen=True)
class GoldQuestion:
    """One question: evidence spans are exact substrings of the article."""

    id: str
    lang: str
    question: str
    answerable: bool
    evidence: list[str] = field(default_factory=list)
    kind: str = ""
    answer_keywords_en: list[str] = field(default_factory=list)
    answer_keywords_ko: list[str] = field(default_factory=list)


def bundled_gold_files() -> dict[str, Path]:
    folder = resources.files(__package__) / "gold"
    return {Path(str(p)).stem: Path(str(p)) for p in folder.iterdir() if str(p).endswith(".jsonl")}


def load_rows(path: Path) -> list[tuple[int, dict]]:
    """(line number, object) of a JSON Lines file; a malformed line is a clear error naming it."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise ArticlebotError(f"{path}: cannot read the gold file ({exc.strerror or exc})") from exc
    rows = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except ValueError as exc:
            raise ArticlebotError(f"{path}:{number}: not JSON ({exc})") from exc
        if not isinstance(row, dict):
            raise ArticlebotError(f"{path}:{number}: not a JSON object")
        rows.append((number, row))
    return rows


def load_gold(path: Path) -> list[GoldQuestion]:
    """Read a gold file; a malformed line is a clear error naming the line."""
    questions = []
    for number, row in load_rows(path):
        try:
            questions.append(GoldQuestion(
                id=str(row["id"]), lang=str(row.get("lang", "")), question=str(row["question"]),
                answerable=bool(row["answerable"]), evidence=list(row.get("evidence", [])),
                kind=str(row.get("kind", "")),
                answer_keywords_en=list(row.get("answer_keywords_en", [])),
                answer_keywords_ko=list(row.get("answer_keywords_ko", [])),
            ))
        except (KeyError, TypeError) as exc:
            raise ArticlebotError(f"{path}:{number}: not a gold question ({exc})") from exc
    if not questions:
        raise ArticlebotError(f"{path}: holds no questions")
    return questions
