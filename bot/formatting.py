"""Render an `Answer` for people (terminal) and for scripts (JSON). Pure."""

from __future__ import annotations

import json
from typing import Any

from rich.console import Group
from rich.padding import Padding
from rich.text import Text

from bot.models import Answer, Passage


def passage_heading(passage: Passage) -> str:
    """"Title · Section · ¶ 13" — where in the article a passage sits."""
    parts = [passage.title or passage.doc_id]
    if passage.kind == "source":
        parts.append("source line")
    elif passage.section:
        parts.append(passage.section)
    parts.append(f"¶ {passage.paragraph}")
    return " · ".join(p for p in parts if p)


def highlighted_quote(passage: Passage, style: str = "bold yellow") -> Text:
    text = Text("“", style="dim")
    cursor = 0
    for mark in passage.highlights:
        text.append(passage.text[cursor : mark.start])
        text.append(passage.text[mark.start : mark.end], style=style)
        cursor = mark.end
    text.append(passage.text[cursor:])
    text.append("”", style="dim")
    return text


def render_passage(passage: Passage) -> Group:
    parts: list[Any] = [
        Text.assemble((f"[{passage.n}] ", "bold cyan"), (passage_heading(passage), "bold")),
        Padding(highlighted_quote(passage), (0, 0, 0, 4)),
    ]
    if passage.url:
        parts.append(Padding(Text(passage.url, style="blue underline"), (0, 0, 0, 4)))
    return Group(*parts)


def render_answer(answer: Answer, show_passages: bool = True) -> Group:
    """The answer, any notes, then the numbered passages with matches highlighted."""
    parts: list[Any] = [Text(answer.answer, style="bold" if not answer.abstained else "italic")]
    parts.extend(Text(note, style="dim") for note in answer.notes)
    if show_passages and answer.passages:
        parts.append(Text(""))
        parts.extend(render_passage(p) for p in answer.passages)
    return Group(*parts)


def answer_json(answer: Answer) -> str:
    return json.dumps(answer.to_dict(), ensure_ascii=False, indent=2)


def plain_text(answer: Answer) -> str:
    """A plain-text rendering (notifications, logs, Slack's fallback text)."""
    lines = [answer.answer, *answer.notes]
    for passage in answer.passages:
        lines.append(f"[{passage.n}] {passage_heading(passage)}: “{passage.text}”")
    return "\n".join(lines)
