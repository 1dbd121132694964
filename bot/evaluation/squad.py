"""SQuAD-format benchmarks (KorQuAD 1.0): articles to ingest and gold questions (pure but for reading).

A SQuAD file holds articles (`data[i]`), each with paragraphs (`context`) and
their questions. An entry that is ingested gives answerable questions; the
questions of entries that are *not* ingested are unanswerable for that store,
which measures refusals on real questions about articles the store lacks.
The evidence of a question is its answer with a little of the context around
it, so that it names one place in one paragraph.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Sequence

from bot.evaluation.gold import GoldQuestion, load_rows
from vectorstore.errors import ArticlebotError

EVIDENCE_CONTEXT = 12  # characters of context kept on each side of the answer


@dataclass(frozen=True)
class SquadArticle:
    index: int  # position in the file (the dev/held-out split is by position)
    title: str
    paragraphs: tuple[str, ...]
    questions: tuple[GoldQuestion, ...]  # answerable, with evidence in `paragraphs`

    @property
    def text(self) -> str:
        return "\n\n".join(self.paragraphs)

    @property
    def doc_id(self) -> str:
        return f"squad-{self.index:03d}"


def parse_entries(spec: str) -> list[int]:
    """'0-19,25' -> [0, ..., 19, 25]; a clear error for anything else."""
    indices: list[int] = []
    for part in filter(None, (p.strip() for p in spec.split(","))):
        match = re.fullmatch(r"(\d+)(?:-(\d+))?", part)
        if not match:
            raise ArticlebotError(f"not an entry range: {part!r} (use e.g. 0-19,25)")
        first, last = int(match.group(1)), int(match.group(2) or match.group(1))
        if last < first:
            raise ArticlebotError(f"empty entry range: {part!r}")
        indices.extend(range(first, last + 1))
    return list(dict.fromkeys(indices))


def _clean(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _evidence(context: str, start: int, answer: str) -> str:
    """The answer with a few characters either side, kept inside the paragraph."""
    if context[start : start + len(answer)] != answer:
        found = context.find(answer)
        if found < 0:
            return answer
        start = found
    return context[max(0, start - EVIDENCE_CONTEXT) : start + len(answer) + EVIDENCE_CONTEXT].strip()


def _article(index: int, entry: dict[str, Any]) -> SquadArticle:
    paragraphs, questions = [], []
    for paragraph in entry["paragraphs"]:
        raw = str(paragraph["context"])
        context = _clean(raw)
        paragraphs.append(context)
        for qa in paragraph.get("qas", []):
            answers = qa.get("answers") or []
            if not answers:
                continue
            answer = _clean(str(answers[0]["text"]))
            # Offsets refer to the raw context; whitespace runs only shrink, so map by prefix.
            start = len(_clean(raw[: int(answers[0]["answer_start"])] + "x")) - 1
            questions.append(GoldQuestion(
                id=str(qa["id"]), lang="ko", question=_clean(str(qa["question"])), answerable=True,
                evidence=[_evidence(context, start, answer)], kind="squad",
                answer_keywords_ko=[answer],
            ))
    title = _clean(str(entry.get("title", f"article {index}")).replace("_", " "))
    return SquadArticle(index, title, tuple(paragraphs),
                        tuple(questions))


def load_squad(path: Path, entries: Iterable[int]) -> list[SquadArticle]:
    """The chosen entries of a SQuAD-format file; other entries are never parsed."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))["data"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ArticlebotError(f"{path}: not a SQuAD-format file ({exc})") from exc
    chosen = list(entries)
    out_of_range = [i for i in chosen if not 0 <= i < len(data)]
    if out_of_range:
        raise ArticlebotError(f"{path}: has {len(data)} entries; no entry {out_of_range[0]}")
    return [_article(i, data[i]) for i in chosen]


def spread(questions: Sequence[GoldQuestion], n: int) -> list[GoldQuestion]:
    """`n` questions evenly spaced through an article (its paragraphs in order), not its first `n`."""
    if n >= len(questions):
        return list(questions)
    return [questions[i * len(questions) // n] for i in range(n)]


def answerable(articles: Sequence[SquadArticle], per_article: int) -> list[GoldQuestion]:
    return [q for article in articles for q in spread(article.questions, per_article)]


def unanswerable(articles: Sequence[SquadArticle], per_article: int) -> list[GoldQuestion]:
    """Questions of articles the store does not hold, as unanswerable ones."""
    return [GoldQuestion(id=q.id, lang=q.lang, question=q.question, answerable=False, kind="unseen-article")
            for article in articles for q in spread(article.questions, per_article)]


def translated(path: Path, articles: Sequence[SquadArticle], held: set[int]) -> list[GoldQuestion]:
    """Questions of another language written for SQuAD questions (`{"id", "question", "lang"}` lines).

    Each takes the evidence of the question it translates; questions of
    entries the store lacks become unanswerable, those of other entries are left out.
    """
    originals = {q.id: (a.index, q) for a in articles for q in a.questions}
    out = []
    for _, row in load_rows(path):
        found = originals.get(str(row["id"]))
        if found is None:
            continue
        index, original = found
        answerable = index in held
        out.append(GoldQuestion(
            id=f"{original.id}-{row.get('lang', 'en')}", lang=str(row.get("lang", "en")),
            question=str(row["question"]), answerable=answerable,
            evidence=list(original.evidence) if answerable else [],
            kind=original.kind if answerable else "unseen-article",
        ))
    return out
