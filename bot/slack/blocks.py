"""Render an `Answer` as a Slack message: Block Kit blocks plus a plain-text fallback. Pure.

Slack rejects a message whose section text passes 3,000 characters or that has more
than 50 blocks, so everything here is measured and trimmed to fit. Slack counts
characters, not bytes; we count UTF-16 code units (emoji count twice), which is never
less than what Slack counts, and we only cut between whole characters (a Hangul
syllable built from jamo, an emoji sequence or an accented letter stays whole).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Any, Sequence

from bot.formatting import common_title, passage_heading, plain_text
from bot.models import Answer, Passage
from vectorstore.records import DocumentRecord

SECTION_LIMIT = 3000
CONTEXT_LIMIT = 3000
BUTTON_VALUE_LIMIT = 2000
MAX_BLOCKS = 50
MAX_ANSWER_SECTIONS = 10
QUOTE_LIMIT = 700
HEADING_LIMIT = 300
URL_LIMIT = 1000
FALLBACK_LIMIT = 3000
ELLIPSIS = "…"

MAX_PROMPTS = 4  # assistant.threads.setSuggestedPrompts takes up to four
PROMPT_TITLE_LIMIT = 30  # the button label: short, or Slack cuts it
PROMPT_NAME_LIMIT = 120  # an article title or heading quoted in a prompt's message
MIN_PROMPTS = 3

FEEDBACK_BLOCK_ID = "articlebot_feedback"
FEEDBACK_UP = "articlebot_feedback_up"
FEEDBACK_DOWN = "articlebot_feedback_down"

Block = dict[str, Any]


@dataclass(frozen=True)
class SlackMessage:
    text: str
    blocks: list[Block]


# -- measuring and cutting -----------------------------------------------------------

def slack_len(text: str) -> int:
    """Length as UTF-16 code units: an upper bound of what Slack counts."""
    return len(text.encode("utf-16-le")) // 2


def _joins_previous(char: str) -> bool:
    """True when `char` belongs to the character before it (so no cut may fall before it)."""
    code = ord(char)
    return (
        unicodedata.combining(char) != 0
        or unicodedata.category(char) in ("Mn", "Me", "Mc")
        or code == 0x200D  # zero-width joiner
        or 0xFE00 <= code <= 0xFE0F  # variation selectors
        or 0x1F3FB <= code <= 0x1F3FF  # skin tones
        or 0xE0020 <= code <= 0xE007F  # tag characters (flags)
        or 0x1160 <= code <= 0x11FF  # Hangul medial vowels and final consonants
        or 0xD7B0 <= code <= 0xD7FF
    )


def _splits(text: str, index: int) -> bool:
    """Would cutting before `index` split a character?"""
    return 0 < index < len(text) and (_joins_previous(text[index]) or text[index - 1] == "\u200d")


def safe_cut(text: str, index: int) -> int:
    """The nearest index at or before `index` that does not split a character."""
    index = max(0, min(index, len(text)))
    while _splits(text, index):
        index -= 1
    return index


def safe_start(text: str, index: int) -> int:
    """The nearest index at or after `index` that does not split a character."""
    index = max(0, min(index, len(text)))
    while _splits(text, index):
        index += 1
    return index


def _prefix_within(text: str, budget: int) -> int:
    """Largest cut index whose prefix measures at most `budget`."""
    total = 0
    for i, char in enumerate(text):
        total += 2 if ord(char) > 0xFFFF else 1
        if total > budget:
            return safe_cut(text, i)
    return len(text)


def clip(text: str, limit: int) -> str:
    """`text` if it fits, else its start cut at a word boundary when one is near, plus "…"."""
    if slack_len(text) <= limit:
        return text
    cut = _prefix_within(text, limit - 1)
    space = text.rfind(" ", 0, cut)
    if space > cut * 0.8:
        cut = space
    return text[:cut].rstrip() + ELLIPSIS


def split_text(text: str, limit: int) -> list[str]:
    """Split long text into pieces of at most `limit`, between sentences or words when possible."""
    pieces: list[str] = []
    rest = text
    while slack_len(rest) > limit:
        cut = _prefix_within(rest, limit)
        for sep in ("\n", ". ", "다. ", "? ", "! ", " "):
            at = rest.rfind(sep, 0, cut)
            if at > cut * 0.5:
                cut = at + len(sep)
                break
        cut = safe_cut(rest, cut) or cut
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest or not pieces:
        pieces.append(rest)
    return pieces


def escape(text: str) -> str:
    """Slack mrkdwn control characters (&, <, >) as entities."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# -- quotes --------------------------------------------------------------------------

def quote_window(passage: Passage, limit: int = QUOTE_LIMIT) -> tuple[int, int]:
    """(start, end) of the part of the passage to quote: all of it, or a window around the
    first highlighted sentence, widened to word boundaries and whole characters."""
    text = passage.text
    if slack_len(text) <= limit:
        return 0, len(text)
    mark = passage.highlights[0] if passage.highlights else None
    focus_start, focus_end = (mark.start, mark.end) if mark else (0, 0)
    span = focus_end - focus_start
    if span >= limit:
        start = focus_start
        end = start + _prefix_within(text[start:], limit)
        return safe_start(text, start), end
    spare = limit - span
    start = max(0, focus_start - spare // 2)
    end = min(len(text), focus_end + (spare - (focus_start - start)))
    start = max(0, end - limit) if end == len(text) else start
    if start > 0:
        space = text.find(" ", start, focus_start)
        start = space + 1 if space != -1 else start
    if end < len(text):
        space = text.rfind(" ", focus_end, end)
        end = space if space != -1 else end
    start, end = safe_start(text, start), safe_cut(text, end)
    while slack_len(text[start:end]) > limit:  # wide characters: shrink from the far side
        end = safe_cut(text, end - 1)
    return start, end


def quote_mrkdwn(passage: Passage, limit: int = QUOTE_LIMIT) -> str:
    """The quoted passage as mrkdwn: highlighted sentences in bold, trimmed with "…"."""
    start, end = quote_window(passage, limit)
    text = passage.text
    parts: list[str] = [ELLIPSIS] if start > 0 else []
    cursor = start
    for mark in sorted(passage.highlights, key=lambda h: h.start):
        lo, hi = max(mark.start, cursor), min(mark.end, end)
        if lo >= hi:
            continue
        parts.append(escape(text[cursor:lo]))
        inner = text[lo:hi]
        stripped = inner.strip()
        if stripped:
            lead = inner[: len(inner) - len(inner.lstrip())]
            trail = inner[len(inner.rstrip()):]
            parts.append(f"{lead}*{escape(stripped)}*{trail}")
        else:
            parts.append(inner)
        cursor = hi
    parts.append(escape(text[cursor:end]))
    if end < len(text):
        parts.append(ELLIPSIS)
    body = "".join(parts).strip()
    return "\n".join(f">{line}" for line in body.splitlines() or [""])


def _linked(label: str, url: str) -> str:
    """`label` (already escaped) linked to `url` when it is a web address Slack can take."""
    if url and url.startswith(("http://", "https://")) and len(url) <= URL_LIMIT:
        url = url.replace("|", "%7C").replace(">", "%3E").replace("<", "%3C")
        return f"<{url}|{label.replace('|', '¦')}>"
    return label


def from_mrkdwn(passages: Sequence[Passage]) -> str:
    """"From: *Title*" (linked) when all passages share one document, else ""."""
    title = common_title(passages)
    if not title:
        return ""
    return f"From: *{_linked(escape(clip(title, HEADING_LIMIT)), passages[0].url)}*"


def passage_mrkdwn(passage: Passage, limit: int = QUOTE_LIMIT, with_title: bool = True) -> str:
    """"*[1]* Title · Section · ¶ 13" (linked when the URL is known), then the quote."""
    heading = _linked(escape(clip(passage_heading(passage, with_title), HEADING_LIMIT)), passage.url)
    head = f"*[{passage.n}]* {heading}"
    budget = min(limit, SECTION_LIMIT - slack_len(head) - 20)
    while True:  # escaping and bold marks add a little; shrink the quote until it all fits
        text = f"{head}\n{quote_mrkdwn(passage, max(budget, 1))}"
        if slack_len(text) <= SECTION_LIMIT or budget <= 40:
            return clip(text, SECTION_LIMIT)
        budget = budget * 2 // 3


# -- whole messages ------------------------------------------------------------------

def _section(text: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": clip(text, SECTION_LIMIT)}}


def _context(text: str) -> Block:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": clip(text, CONTEXT_LIMIT)}]}


def feedback_block(value: str) -> Block:
    value = value[:BUTTON_VALUE_LIMIT]
    return {
        "type": "actions",
        "block_id": FEEDBACK_BLOCK_ID,
        "elements": [
            {"type": "button", "action_id": FEEDBACK_UP, "value": value,
             "text": {"type": "plain_text", "text": "👍 Helpful", "emoji": True}},
            {"type": "button", "action_id": FEEDBACK_DOWN, "value": value,
             "text": {"type": "plain_text", "text": "👎 Not helpful", "emoji": True}},
        ],
    }


def answer_message(answer: Answer, feedback_value: str = "", asked_by: str = "",
                   quote_limit: int = QUOTE_LIMIT) -> SlackMessage:
    """The answer with its [n] markers, notes, cited passages, and 👍/👎 buttons.

    `asked_by` (a user id) shows the question above the answer, for /ask replies where
    the question itself is not visible in the channel. An abstention has no quotes.
    """
    head: list[Block] = []
    if asked_by:
        head.append(_context(f"<@{asked_by}> asked: {escape(answer.question)}"))
    answer_text = escape(answer.answer) if not answer.abstained else f"_{escape(answer.answer)}_"
    sections = split_text(answer_text, SECTION_LIMIT)
    if len(sections) > MAX_ANSWER_SECTIONS:
        sections = sections[:MAX_ANSWER_SECTIONS]
        sections[-1] = clip(sections[-1], SECTION_LIMIT - 1) + ("" if sections[-1].endswith(ELLIPSIS) else ELLIPSIS)
    head.extend(_section(s) for s in sections)
    if answer.remarks:
        head.append(_context("\n".join(escape(n) for n in answer.remarks)))

    tail: list[Block] = [feedback_block(feedback_value)] if feedback_value else []
    passages = [] if answer.abstained else list(answer.passages)
    body: list[Block] = []
    if passages:
        source = from_mrkdwn(passages)
        body.append({"type": "divider"})
        if source:
            body.append(_context(source))
        room = MAX_BLOCKS - len(head) - len(tail) - len(body)
        shown = passages if len(passages) <= room else passages[: max(room - 1, 0)]
        body.extend(_section(passage_mrkdwn(p, quote_limit, with_title=not source)) for p in shown)
        if len(shown) < len(passages):
            hidden = ", ".join(f"[{p.n}]" for p in passages[len(shown):])
            body.append(_context(f"Not shown (Slack's message limit): {hidden}"))
    blocks = head + body + tail
    return SlackMessage(text=clip(plain_text(answer), FALLBACK_LIMIT), blocks=blocks[:MAX_BLOCKS])


def notice_message(mrkdwn: str) -> SlackMessage:
    """A short message of our own (usage, apology, thanks), already in mrkdwn."""
    text = clip(mrkdwn, SECTION_LIMIT)
    return SlackMessage(text=text, blocks=[_section(text)])


# -- suggested prompts (assistant threads) -----------------------------------------------

Prompt = dict[str, str]

GENERIC_PROMPTS: list[Prompt] = [
    {"title": "What is it about?", "message": "What is the article about?"},
    {"title": "Key figures", "message": "What are the key figures in the article?"},
    {"title": "Who is involved?", "message": "Who are the main people and organisations in the article?"},
]


def document_title(record: DocumentRecord) -> str:
    """The title a reader knows the article by: its title, the source's title, or its id."""
    return " ".join((record.title or str(record.extra.get("source_title") or "") or record.doc_id).split())


def newest_first(records: Sequence[DocumentRecord]) -> list[DocumentRecord]:
    """Most recently updated (or added) articles first."""
    return sorted(records, key=lambda r: (r.updated_at or r.created_at, r.doc_id), reverse=True)


def _headings(record: DocumentRecord) -> list[str]:
    found = record.extra.get("headings")
    names = [" ".join(str(h).split()) for h in found] if isinstance(found, list) else []
    return [h for h in dict.fromkeys(names) if h and h != document_title(record)]


def suggested_prompts(records: Sequence[DocumentRecord]) -> list[Prompt]:
    """Up to four prompts about what the store holds: what the newest articles are about,
    then what the newest one says under its section headings; generic ones fill in."""
    records = newest_first(records)
    prompts: list[Prompt] = []
    for record in records[:2]:
        name = document_title(record)
        prompts.append({"title": clip(f"About {name}", PROMPT_TITLE_LIMIT),
                        "message": f"What is “{clip(name, PROMPT_NAME_LIMIT)}” about?"})
    if records:
        name = clip(document_title(records[0]), PROMPT_NAME_LIMIT)
        for heading in _headings(records[0])[: MAX_PROMPTS - len(prompts)]:
            prompts.append({"title": clip(heading, PROMPT_TITLE_LIMIT),
                            "message": f"What does “{name}” say about “{clip(heading, PROMPT_NAME_LIMIT)}”?"})
    for generic in GENERIC_PROMPTS:
        if len(prompts) >= MIN_PROMPTS:
            break
        prompts.append(dict(generic))
    return prompts[:MAX_PROMPTS]
