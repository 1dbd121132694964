"""Render an `Answer` for people (terminal) and for scripts (JSON). Pure."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Sequence

from rich.console import Group
from rich.padding import Padding
from rich.text import Text

from bot.models import Answer, Passage

if TYPE_CHECKING:
    from ingest.pipeline import FileReport


def document_name(passage: Passage) -> str:
    return passage.title or passage.doc_id


def common_title(passages: Sequence[Passage]) -> str:
    """The title of the one document all passages come from; "" when they come from several.

    Then it is said once ("From: …") instead of heading every passage: a long title
    repeated three times buried the sections and paragraph numbers that differ.
    """
    if not passages or len({p.doc_id for p in passages}) > 1:
        return ""
    return document_name(passages[0])


def passage_heading(passage: Passage, with_title: bool = True) -> str:
    """"Title · Section · ¶ 13" — where in the article a passage sits (without the title
    when a "From:" line already names it)."""
    parts = [document_name(passage)] if with_title else []
    if passage.kind == "source":
        parts.append("source line")
    elif passage.section:
        parts.append(passage.section)
    parts.append(f"¶ {passage.paragraph}")
    if passage.updated_at:
        parts.append(f"updated {passage.updated_at[:10]}")
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


def render_passage(passage: Passage, with_title: bool = True) -> Group:
    parts: list[Any] = [
        Text.assemble((f"[{passage.n}] ", "bold cyan"), (passage_heading(passage, with_title), "bold")),
        Padding(highlighted_quote(passage), (0, 0, 0, 4)),
    ]
    if passage.url:
        parts.append(Padding(Text(passage.url, style="blue underline"), (0, 0, 0, 4)))
    return Group(*parts)


def render_passages(passages: Sequence[Passage]) -> Group:
    """Numbered passages; their document's title once first when they share one."""
    title = common_title(passages)
    parts: list[Any] = [Text.assemble(("From: ", "dim"), (title, "bold"))] if title else []
    parts.extend(render_passage(p, with_title=not title) for p in passages)
    return Group(*parts)


def render_answer(answer: Answer, show_passages: bool = True) -> Group:
    """The answer, any notes, then the numbered passages with matches highlighted."""
    parts: list[Any] = [Text(answer.answer, style="bold" if not answer.abstained else "italic")]
    parts.extend(Text(note, style="dim") for note in answer.remarks)
    if show_passages and answer.passages:
        parts.append(Text(""))
        parts.append(render_passages(answer.passages))
    return Group(*parts)


def answer_json(answer: Answer) -> str:
    return json.dumps(answer.to_dict(), ensure_ascii=False, indent=2)


def plain_text(answer: Answer) -> str:
    """A plain-text rendering (notifications, logs, Slack's fallback text)."""
    lines = [answer.answer, *answer.remarks]
    title = common_title(answer.passages)
    if title:
        lines.append(f"From: {title}")
    for passage in answer.passages:
        lines.append(f"[{passage.n}] {passage_heading(passage, with_title=not title)}: “{passage.text}”")
    return "\n".join(lines)


def change_lines(report: "FileReport") -> list[str]:
    """What one ingest did to one document, for the terminal."""
    changes = report.changes
    head = f"{report.doc_id}: "
    if changes.get("first_version"):
        head += f"new document, {report.paragraphs} paragraphs"
    elif report.unchanged:
        head += f"unchanged (revision {report.revision})"
    else:
        head += (f"revision {report.revision}: {changes['changed']} changed, {changes['added']} added, "
                 f"{changes['removed']} removed, {changes['unchanged']} unchanged")
    lines = [f"{head}; {report.embedded} texts embedded, {report.deleted} chunks removed"]
    for change in changes.get("changes", []):  # type: ignore[union-attr]
        lines.append(f"  ¶ {change['paragraph']} before: {change['before']}")
        lines.append(f"  ¶ {change['paragraph']} after:  {change['after']}")
    lines += [f"  + {text}" for text in changes.get("added_text", [])] if not changes.get("first_version") else []  # type: ignore[union-attr]
    lines += [f"  - {text}" for text in changes.get("removed_text", [])]  # type: ignore[union-attr]
    return lines
