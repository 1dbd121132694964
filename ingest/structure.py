"""Find paragraphs, section headings and the source line in article text (pure).

News text arrives in two layouts: one paragraph per line (this project's bundled
article, most feeds), or blank-line separated blocks with hard-wrapped lines
(Markdown, e-mails). Headings are short lines without sentence-final punctuation;
the closing "The post … appeared first on X" line of feeds (Korean: "게시물 …
처음 등장한 X") is recognised as source metadata and still kept searchable.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

HEADLINE_MAX_CHARS = 200
HEADING_MAX_CHARS = 80
WRAP_WIDTH = 100  # hard-wrapped text has lines about this long or shorter
_SENTENCE_END = re.compile(r"[.!?。…]['\"’”)\]]*$|[다요죠음임함됨][.!?]?$")
_MD_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_SOURCE_LINE = re.compile(
    r"^(?:the post\s+(?P<title_en>.+?)\s+appeared first on\s+(?P<site_en>.+?)"
    r"|게시물\s+(?P<title_ko>.+?)\s+처음 등장한\s+(?P<site_ko>.+?))\.?\s*$",
    re.IGNORECASE,
)
_SOURCE_PREFIX = re.compile(r"^(?:source|출처|원문)\s*[:：]\s*(?P<site>.+)$", re.IGNORECASE)
_MD_INLINE = re.compile(r"(\*\*|__|\*|_|`)(?=\S)(.+?)(?<=\S)\1")
_MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")


@dataclass(frozen=True)
class Block:
    """A paragraph, heading or source line with its span in the document text."""

    kind: str  # "paragraph", "heading" or "source"
    text: str
    start: int
    end: int
    section: str = ""


@dataclass(frozen=True)
class ArticleStructure:
    blocks: list[Block]
    title: str = ""
    source_site: str = ""
    source_title: str = ""
    headings: list[str] = field(default_factory=list)

    @property
    def paragraphs(self) -> list[Block]:
        return [b for b in self.blocks if b.kind != "heading"]


def _clean_inline(text: str) -> str:
    text = _MD_LINK.sub(r"\1", text)
    text = _MD_INLINE.sub(r"\2", text)
    return re.sub(r"\s+", " ", text).strip()


def _raw_blocks(text: str, markdown: bool) -> list[tuple[str, int, int]]:
    """Split into (text, start, end) units: lines, or blank-line separated blocks.

    Lines inside a block are joined only when the text is hard-wrapped: it has
    blank lines between blocks, its lines are short, and most of them do not end
    a sentence. Otherwise every line stands alone (one paragraph per line).
    """
    lines_all = [ln for ln in text.split("\n") if ln.strip()]
    short_lines = bool(lines_all) and sorted(len(ln) for ln in lines_all)[len(lines_all) // 2] <= WRAP_WIDTH
    has_blocks = re.search(r"\n[ \t]*\n", text.strip()) is not None
    spans: list[tuple[str, int, int]] = []
    for match in re.finditer(r"[^\n]+(?:\n[^\n]+)*", text):
        lines = [(m.group(0), match.start() + m.start(), match.start() + m.end())
                 for m in re.finditer(r"[^\n]+", match.group(0))]
        lines = [(t, s, e) for t, s, e in lines if t.strip()]
        if not lines:
            continue
        if markdown:
            wrapped = len(lines) > 1 and not any(_MD_HEADING.match(t.strip()) for t, _, _ in lines)
        else:
            wrapped = has_blocks and short_lines and len(lines) > 1 and sum(
                1 for t, _, _ in lines[:-1] if not _SENTENCE_END.search(t.strip())
            ) > (len(lines) - 1) / 2
        if wrapped:
            joined = " ".join(t.strip() for t, _, _ in lines)
            spans.append((joined, lines[0][1], lines[-1][2]))
        else:
            spans.extend(lines)
    return spans


def looks_like_heading(line: str, next_line: str | None) -> bool:
    """Short, no sentence ending, and followed by body text (not the last line)."""
    line = line.strip()
    if not line or len(line) > HEADING_MAX_CHARS or next_line is None:
        return False
    if _SENTENCE_END.search(line) or line.endswith((",", ":", ";")):
        return False
    if len(line.split()) > 12:
        return False
    return len(next_line.strip()) > len(line)


def looks_like_headline(line: str, next_line: str | None) -> bool:
    """An article's first line as its title: like a heading, but headlines run longer."""
    line = line.strip()
    if not line or len(line) > HEADLINE_MAX_CHARS or len(line.split()) > 25 or next_line is None:
        return False
    return not _SENTENCE_END.search(line) and not line.endswith((",", ":", ";")) \
        and len(next_line.strip()) > len(line)


def parse_source_line(line: str) -> tuple[str, str] | None:
    """(original title, site) of a feed's closing source line, or None."""
    line = line.strip()
    match = _SOURCE_LINE.match(line)
    if match:
        title = match.group("title_en") or match.group("title_ko") or ""
        site = match.group("site_en") or match.group("site_ko") or ""
        return title.strip(), site.strip().rstrip(".")
    match = _SOURCE_PREFIX.match(line)
    if match:
        return "", match.group("site").strip()
    return None


def parse_article(text: str, markdown: bool = False) -> ArticleStructure:
    """Find blocks, sections, title and source of an article's text."""
    raw = _raw_blocks(text, markdown)
    blocks: list[Block] = []
    section = ""
    title = ""
    source_site = source_title = ""
    headings: list[str] = []
    for index, (chunk, start, end) in enumerate(raw):
        stripped = chunk.strip()
        lead = len(chunk) - len(chunk.lstrip())
        start, end = start + lead, start + lead + len(stripped)
        md = _MD_HEADING.match(stripped) if markdown else None
        next_text = raw[index + 1][0] if index + 1 < len(raw) else None
        if md:
            heading = _clean_inline(md.group(2))
            if len(md.group(1)) == 1 and not title and not blocks:
                title = heading
                continue
            section = heading
            headings.append(heading)
            blocks.append(Block("heading", heading, start, end, section))
            continue
        cleaned = _clean_inline(stripped) if markdown else re.sub(r"\s+", " ", stripped)
        is_last = index == len(raw) - 1
        source = parse_source_line(cleaned) if is_last or index >= len(raw) - 2 else None
        if source is not None:
            source_title, source_site = source
            blocks.append(Block("source", cleaned, start, end, section))
            continue
        if not markdown and not blocks and not title and looks_like_headline(cleaned, next_text):
            title = cleaned  # a plain-text article's first line, when it reads as a headline
            continue
        if not markdown and blocks and looks_like_heading(cleaned, next_text):
            section = cleaned
            headings.append(cleaned)
            blocks.append(Block("heading", cleaned, start, end, section))
            continue
        blocks.append(Block("paragraph", cleaned, start, end, section))
    return ArticleStructure(blocks, title, source_site, source_title, headings)
