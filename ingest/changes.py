"""What changed between two versions of an article, paragraph by paragraph (pure)."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from difflib import SequenceMatcher
from typing import Iterator

SNIPPET = 80


@dataclass(frozen=True)
class ChangedParagraph:
    paragraph: int  # 1-based number in the new version
    before: str
    after: str


@dataclass
class ChangeReport:
    """Paragraph counts of a re-ingest; `first_version` when the document is new."""

    first_version: bool
    added: int = 0
    changed: int = 0
    rewritten: int = 0  # changed paragraphs that keep less than half of their words
    removed: int = 0
    unchanged: int = 0
    changes: list[ChangedParagraph] = field(default_factory=list)
    added_text: list[str] = field(default_factory=list)
    removed_text: list[str] = field(default_factory=list)

    @property
    def is_unchanged(self) -> bool:
        return not (self.first_version or self.added or self.changed or self.removed)

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def _snippet(text: str, start: int) -> str:
    """About SNIPPET characters of text around `start`, marked with … where cut."""
    begin = max(0, min(start - SNIPPET // 4, len(text) - SNIPPET))
    piece = text[begin : begin + SNIPPET]
    return ("…" if begin > 0 else "") + piece + ("…" if begin + SNIPPET < len(text) else "")


def before_after(before: str, after: str) -> tuple[str, str]:
    """Short snippets of both versions around the first difference."""
    first = next((i for i, (a, b) in enumerate(zip(before, after)) if a != b), min(len(before), len(after)))
    return _snippet(before, first), _snippet(after, first)


def _aligned(old: list[str], new: list[str]) -> Iterator[tuple[str, int, int, int, int, int]]:
    """SequenceMatcher's opcodes plus how many paragraphs of a replaced run pair up as changed."""
    for tag, i1, i2, j1, j2 in SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes():
        yield tag, i1, i2, j1, j2, (min(i2 - i1, j2 - j1) if tag == "replace" else 0)


def paragraph_fates(old: list[str], new: list[str]) -> dict[int, int | None]:
    """For each old paragraph (0-based) not kept as it was: the new one it became, or None (removed)."""
    fates: dict[int, int | None] = {}
    for tag, i1, i2, j1, _j2, paired in _aligned(old, new):
        if tag != "equal":
            fates.update({i1 + k: (j1 + k if k < paired else None) for k in range(i2 - i1)})
    return fates


def compare_paragraphs(old: list[str] | None, new: list[str]) -> ChangeReport:
    """Align old and new paragraphs; a replaced run pairs up as changed paragraphs."""
    if old is None:
        return ChangeReport(first_version=True, added=len(new))
    report = ChangeReport(first_version=False)
    for tag, i1, i2, j1, j2, paired in _aligned(old, new):
        if tag == "equal":
            report.unchanged += i2 - i1
            continue
        for offset in range(paired):
            before, after = before_after(old[i1 + offset], new[j1 + offset])
            report.changes.append(ChangedParagraph(j1 + offset + 1, before, after))
            report.rewritten += words_kept(old[i1 + offset], new[j1 + offset]) < 0.5
        report.changed += paired
        report.removed += (i2 - i1) - paired
        report.added += (j2 - j1) - paired
        report.removed_text += [_snippet(t, 0) for t in old[i1 + paired : i2]]
        report.added_text += [_snippet(t, 0) for t in new[j1 + paired : j2]]
    return report


GUARDED_MIN_PARAGRAPHS = 3  # editing a one- or two-paragraph note needs no confirmation


def words_kept(before: str, after: str) -> float:
    """The share of words two versions of a paragraph have in common (linear, unlike difflib)."""
    old, new = Counter(before.split()), Counter(after.split())
    total = sum(old.values()) + sum(new.values())
    return 2 * sum((old & new).values()) / total if total else 1.0


def paragraphs_lost(report: ChangeReport) -> int:
    return report.removed + report.rewritten


def removes_most(report: ChangeReport, paragraphs_before: int) -> bool:
    """True when a new version would remove or rewrite more than half of the document.

    A wrong file under an existing id (an empty export, another article, a stub) looks
    like that; a correction touches a few paragraphs, and a copy-edit of every
    paragraph keeps most of their words.
    """
    lost = paragraphs_lost(report)
    return paragraphs_before >= GUARDED_MIN_PARAGRAPHS and lost * 2 > paragraphs_before


def what_would_go(report: ChangeReport, limit: int = 2) -> list[str]:
    """Snippets of the first paragraphs a new version would remove or rewrite."""
    return [*report.removed_text, *(c.before for c in report.changes)][:limit]
