"""The answering core shared by the CLI chat and the Slack bot.

Without an LLM the answer is extractive: the best-matching sentences of the
stored articles, each followed by the citation number of the passage it comes
from. When no stored article answers (bot/answerability.py decides), the bot
says so, naming the articles it searched, instead of quoting something irrelevant.
"""

from __future__ import annotations

import dataclasses
import re
import time
from typing import Sequence

from bot.answerability import AnswerabilityDecision, decide
from bot.glosses import glosses, llm_hint
from bot.models import Answer, Highlight, Passage
from bot.overview import Lead, is_overview, section_leads
from bot.retrieval import RankedParagraph, Retrieval, retrieve
from ingest.language import detect_language, language_name
from vectorstore.store import ChromaStore

MAX_ANSWER_SENTENCES = 3
ANSWER_MARGIN = 0.03  # sentences this close to the best one join the answer
HIGHLIGHT_MARGIN = 0.02

_FOLLOW_UP_START = re.compile(
    r"^(and|but|so|also|what about|how about|why|then|그럼|그러면|그리고|그래서|또|왜|그건|그것은|이건)\b",
    re.IGNORECASE,
)


def standalone_query(question: str, history: Sequence[str] = ()) -> str:
    """Fold the previous question into a short follow-up so retrieval has its subject.

    "and what did Microsoft do about it?" alone lacks what "it" is; the earlier
    question supplies it. A full question of its own is left as it is.
    """
    if not history:
        return question
    words = question.split()
    if len(words) <= 6 or _FOLLOW_UP_START.search(question.strip()):
        return f"{history[-1]} {question}"
    return question


def _highlights(entry: RankedParagraph) -> list[Highlight]:
    if not entry.sentences:
        return []
    best = entry.sentences[0].score
    marks = []
    for sentence in entry.sentences[:2]:
        if sentence.score < best - HIGHLIGHT_MARGIN:
            break
        offset = entry.sentence_offset(sentence)
        if offset is not None:
            marks.append(Highlight(offset, offset + len(sentence.text), sentence.text, round(sentence.score, 4)))
    return sorted(marks, key=lambda h: h.start)


def to_passage(n: int, entry: RankedParagraph) -> Passage:
    meta = entry.hit.metadata
    return Passage(
        n=n,
        doc_id=str(meta.get("doc_id", "")),
        title=str(meta.get("title", "")),
        section=str(meta.get("section", "")),
        paragraph=int(meta.get("paragraph", 0)),
        start=int(meta.get("start", 0)),
        end=int(meta.get("end", 0)),
        text=entry.hit.text,
        score=round(entry.score, 4),
        url=str(meta.get("url", "")),
        kind=str(meta.get("kind", "paragraph")),
        chunk_id=entry.hit.id,
        highlights=_highlights(entry),
        updated_at=paragraph_updated_at(entry),
    )


def paragraph_updated_at(entry: RankedParagraph) -> str:
    """When a paragraph first appeared, if that was after the article's first version."""
    added = str(entry.hit.metadata.get("added_at", ""))
    return added if added and entry.document.created_at and added > entry.document.created_at else ""


def distinct(ranked: Sequence[RankedParagraph], k: int) -> list[RankedParagraph]:
    """The best `k` paragraphs, each text once (copies stored under other ids are skipped)."""
    chosen: list[RankedParagraph] = []
    seen: set[tuple[str, ...]] = set()
    for entry in ranked:
        words = tuple(entry.hit.text.split())
        if words not in seen:
            seen.add(words)
            chosen.append(entry)
        if len(chosen) == k:
            break
    return chosen


def extractive_answer(passages: Sequence[Passage]) -> tuple[str, list[int]]:
    """The best sentences, each with its citation; (text, cited passage numbers)."""
    candidates: list[tuple[float, int, str]] = []
    prose = [p for p in passages if p.kind == "paragraph"] or list(passages)
    for passage in prose:
        marks = passage.highlights or [Highlight(0, len(passage.text), passage.text, passage.score)]
        candidates.extend((mark.score, passage.n, mark.text) for mark in marks)
    if not candidates:
        return "", []
    candidates.sort(key=lambda c: -c[0])
    best = candidates[0][0]
    chosen = [c for c in candidates if c[0] >= best - ANSWER_MARGIN][:MAX_ANSWER_SENTENCES]
    text = " ".join(f"{sentence} [{n}]" for _, n, sentence in chosen)
    return text, sorted({n for _, n, _ in chosen})


def abstention_text(question_language: str, searched: Sequence[str], held: Sequence[str] = (),
                    stored: int = 0, reason: str = "") -> str:
    """Say which articles were searched and what else the store holds, so a reader can re-ask."""
    others = [t for t in dict.fromkeys(held) if t not in searched]
    more = max(0, stored - len(searched) - len(others))
    quoted = ", ".join(f"“{t}”" for t in searched)
    also = ", ".join(f"“{t}”" for t in others)
    if question_language == "ko":
        if not searched:
            return "저장된 기사가 없습니다."
        extra = f" 그 밖의 저장된 기사: {also}" + (f" 외 {more}건" if more else "") + "." if others else ""
        return f"저장된 기사에는 이 질문에 대한 내용이 없습니다(찾아본 기사: {quoted}).{extra}"
    if not searched:
        return "No articles are stored yet."
    why = f" ({reason})" if reason.startswith("the closest article never mentions") else ""
    if stored <= 1:
        return f"The article doesn't say: nothing in {quoted} answers this question{why}."
    extra = f" The store also holds {also}" + (f" and {more} more" if more else "") + "." if others else ""
    return f"None of the stored articles says: nothing in {quoted} answers this question{why}.{extra}"


def language_note(question_language: str, article_language: str) -> str:
    if question_language == article_language:
        return ""
    if question_language == "ko":
        return f"인용문은 기사 원문 언어({language_name(article_language)})로 되어 있습니다."
    return f"Quotes are in {language_name(article_language)}, the article's language."


def summary_answer(leads: Sequence[Lead], title: str) -> tuple[str, list[Passage]]:
    """"Title" then one line per section: its name and its lead sentence, cited."""
    passages = []
    lines = [f"“{title}”:"] if title else []
    for n, lead in enumerate(leads, start=1):
        mark = Highlight(lead.offset, lead.offset + len(lead.sentence), lead.sentence, round(lead.entry.score, 4))
        passages.append(dataclasses.replace(to_passage(n, lead.entry), highlights=[mark]))
        lines.append(f"• {lead.section + ': ' if lead.section else ''}{lead.sentence} [{n}]")
    return "\n".join(lines), passages


def compose_answer(question: str, retrieval: Retrieval, k: int = 3, started: float | None = None) -> Answer:
    """Decide whether the article answers, and compose the cited extractive answer."""
    started = time.perf_counter() if started is None else started
    language = detect_language(question)
    ranked = retrieval.paragraphs
    article_language = ranked[0].document.lang if ranked else language
    leads = section_leads(ranked) if ranked and is_overview(
        retrieval.overview, max(p.dense for p in ranked)) else []
    decision = (AnswerabilityDecision(False, "a question about the whole article: each section's lead")
                if leads else decide(question, retrieval, language))
    if leads:
        text, passages = summary_answer(leads, ranked[0].document.title)
        citations = [p.n for p in passages]
    elif decision.abstain:
        searched = [d.title or d.doc_id for d in retrieval.searched]
        text = abstention_text(language, searched, *retrieval.catalogue(), reason=decision.reason)
        passages, citations = [], []
    else:
        passages = [to_passage(n, e) for n, e in enumerate(distinct(ranked, k), start=1)]
        text, citations = extractive_answer(passages)
    note = language_note(language, article_language)
    aids = [] if decision.abstain else [
        *glosses(text, language, article_language, retrieval.bridge.terms), llm_hint(language, article_language)]
    timings = dict(retrieval.timings_ms)
    timings["total"] = round((time.perf_counter() - started) * 1000, 2)
    return Answer(
        question=question,
        answer=text,
        abstained=decision.abstain,
        language=language,
        article_language=article_language,
        passages=passages,
        citations=citations,
        notes=[note] if note and not decision.abstain else [],
        timings_ms=timings,
        top_score=round(ranked[0].dense, 4) if ranked else 0.0,
        reason=decision.reason,
        glosses=[a for a in aids if a],
    )


def answer_question(question: str, store: ChromaStore, k: int = 3,
                    history: Sequence[str] = ()) -> Answer:
    """Retrieve for the question (with earlier questions for a follow-up) and answer it."""
    started = time.perf_counter()
    question = question.strip()
    retrieval = retrieve(standalone_query(question, history), store)
    return compose_answer(question, retrieval, k, started)
