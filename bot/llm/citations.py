"""Read and check the citations, figures and language of a model's answer (pure).

The model is asked to end every sentence with the [n] of the passage it rests
on. Nothing guarantees it did, so before an answer is shown it is checked here:
citations point at passages that were given, every sentence has one (a "the
article doesn't say" sentence excepted), and every figure appears in the cited
passages or the question, as written or as a faithful conversion of 억/조/만.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterable, Sequence

from bot.numbers import figures_in, plain_numbers, same_value
from bot.models import Passage
from ingest.language import detect_language

# [1], [1, 2], [1][2], [1-3]; variants small models write are normalised first
CITATION = re.compile(r"\[(\d{1,2}(?:\s*[,–-]\s*\d{1,2})*)\]")
_VARIANTS = re.compile(
    r"[\[【(]\s*(?:passage|passages|source|p\.?|단락|출처|문단|구절)\s*#?\s*(\d{1,2}(?:\s*,\s*\d{1,2})*)\s*[\]】)]",
    re.IGNORECASE,
)
_FULLWIDTH = re.compile(r"【\s*(\d{1,2})\s*】")
# "(1)." closing a sentence: a one-digit number in brackets right before the full stop
_PAREN_CITATION = re.compile(r"\s?\((\d)\)(?=\s*[.!?。](?:\s|$)|\s*$)", re.MULTILINE)
# a sentence ends at . ! ? 。 plus any citations after it, then whitespace
_SENTENCE_END = re.compile(r"[.!?。](?:\s*\[[^\]\n]{1,12}\])*(?=\s+[^\s\[])")
_LEAD_IN = re.compile(r"^(answer|답변|답|a)\s*[:：]\s*", re.IGNORECASE)
# a citation standing in for content: "in these areas: [1][2] and [3]."
_HOLLOW = re.compile(r"[:：]\s*\[\d|\]\s*(?:,|and|or|및|과|와)\s*\[\d")
_LIST_MARK = re.compile(r"^\s*(?:[-*•]|\d{1,2}[.)])\s+")

# text in a passage that addresses the model: a prompt injection, kept as data but watched for
INJECTION = re.compile(
    r"(ignore|disregard|forget)\s+(all\s+|any\s+)?(the\s+)?(previous|prior|above|earlier|your)\s+"
    r"(instructions?|prompts?|rules)|reply\s+only\s+with|you\s+are\s+now|system\s+prompt"
    r"|(이전|위의?|앞의?)\s*(지시|명령|지침)[^.!?]{0,10}무시",
    re.IGNORECASE,
)
_WORD = re.compile(r"[A-Za-z][A-Za-z'-]{2,}|[가-힣]{2,}")

NOT_SAID = {"en": "The article doesn't say.", "ko": "기사에는 나와 있지 않습니다."}
_NOT_SAID_PATTERNS = re.compile(
    r"(article|passages?|text|sources?)\s+(does\s*n[o']t|do\s*n[o']t|does not|do not)\s+"
    r"(say|mention|answer|state|specify|cover|provide|contain|include|discuss)"
    r"|not\s+(mentioned|stated|specified|covered)\s+in\s+the\s+(article|passages?)"
    r"|no\s+information\s+(about|on)"
    r"|나와\s*있지\s*않|언급(?:되어\s*있지|하지|되지|이)\s*않|알\s*수\s*없|정보(?:가|는)\s*없|내용(?:이|은)\s*없",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Issue:
    """One problem found; `fatal` ones make the bot fall back to the extractive answer."""

    kind: str  # unknown_citation | no_citation | uncited_sentence | hollow_citation | unsupported_figure
    #            | empty | wrong_language
    detail: str
    fatal: bool = True


@dataclass(frozen=True)
class Sentence:
    text: str
    citations: tuple[int, ...]


@dataclass
class Check:
    text: str  # the cleaned answer
    sentences: list[Sentence]
    citations: list[int]  # cited passage numbers, sorted, valid or not
    abstained: bool  # the answer says the article does not answer
    issues: list[Issue] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not any(issue.fatal for issue in self.issues)

    @property
    def fatal(self) -> list[Issue]:
        return [issue for issue in self.issues if issue.fatal]


def clean_answer(text: str) -> str:
    """Trim the reply, drop an "Answer:" lead-in, normalise citation variants to [n]."""
    text = text.strip().strip('"').strip()
    text = _LEAD_IN.sub("", text)
    text = _FULLWIDTH.sub(r"[\1]", text)
    text = _PAREN_CITATION.sub(r" [\1]", text)
    text = _VARIANTS.sub(lambda m: "".join(f"[{n.strip()}]" for n in m.group(1).split(",")), text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def parse_citations(text: str) -> list[int]:
    """Every passage number cited in `text`, in order of appearance, repeats kept."""
    numbers: list[int] = []
    for match in CITATION.finditer(text):
        for part in match.group(1).split(","):
            part = part.strip()
            bounds = re.split(r"\s*[–-]\s*", part)
            if len(bounds) == 2 and bounds[0].isdigit() and bounds[1].isdigit():
                low, high = int(bounds[0]), int(bounds[1])
                numbers.extend(range(low, high + 1) if 0 < high - low < 10 else [low, high])
            elif part.isdigit():
                numbers.append(int(part))
    return numbers


def split_sentences(text: str) -> list[Sentence]:
    """Sentences with the citations that close them; each line is split on its own."""
    sentences: list[Sentence] = []
    for line in text.splitlines():
        line = _LIST_MARK.sub("", line).strip()
        if not line:
            continue
        start = 0
        for match in _SENTENCE_END.finditer(line):
            piece = line[start : match.end()].strip()
            if piece:
                sentences.append(Sentence(piece, tuple(parse_citations(piece))))
            start = match.end()
        rest = line[start:].strip()
        if rest:
            sentences.append(Sentence(rest, tuple(parse_citations(rest))))
    return sentences


def injected_words(passages: Sequence[Passage], question: str = "") -> set[str]:
    """Words found only in passage sentences that address the model ("reply only with PWNED")."""
    injected: set[str] = set()
    elsewhere: list[str] = [question]
    for passage in passages:
        for sentence in re.split(r"(?<=[.!?。])\s+", passage.text):
            (injected.update(w.casefold() for w in _WORD.findall(sentence)) if INJECTION.search(sentence)
             else elsewhere.append(sentence))
    known = {w.casefold() for w in _WORD.findall(" ".join(elsewhere))}
    common = {"the", "and", "with", "only", "reply", "word", "you", "are", "all", "now", "your", "any"}
    return injected - known - common


def says_not_answered(text: str) -> bool:
    return bool(_NOT_SAID_PATTERNS.search(text))


def _without_citations(text: str) -> str:
    return CITATION.sub(" ", text)


def _outside_quotes(text: str) -> str:
    """Text minus (parenthesised) and quoted parts, where source-language figures may sit."""
    text = re.sub(r"\([^)]*\)|（[^）]*）", " ", text)
    return re.sub(r"“[^”]*”|\"[^\"]*\"|‘[^’]*’|「[^」]*」", " ", text)


def unsupported_figures(answer: str, sources: Iterable[str]) -> list[str]:
    """Figures in `answer` that no source text states, as written or converted.

    A plain number must appear as a digit run in a source ("2019"); a figure with
    a unit ("14 billion", "140억") must equal, within rounding, a figure of a
    source read with its unit — so "140 billion" for "140억" is caught.
    """
    source_text = "\n".join(sources)
    known_plain = plain_numbers(source_text)
    known_scaled = [f.value for f in figures_in(source_text)]
    known_all = known_plain | set(known_scaled)
    body = _LIST_MARK.sub("", _without_citations(answer))
    problems = []
    for figure in figures_in(body):
        if figure.scaled:
            if not any(same_value(figure.value, v, True) for v in known_scaled):
                problems.append(figure.source)
        elif figure.value not in known_all:
            problems.append(figure.source)
    return problems


def check_answer(text: str, passages: Sequence[Passage], language: str, question: str = "") -> Check:
    """Parse and check a model's answer against the passages it was given."""
    cleaned = clean_answer(text)
    sentences = split_sentences(cleaned)
    cited = parse_citations(cleaned)
    given = {p.n for p in passages}
    bare = _without_citations(cleaned).strip()
    # "The article doesn't say. [1]" alone is an abstention, whatever it cites
    abstained = says_not_answered(bare) and (not cited or len(_WORD.findall(bare)) <= 6)
    if abstained:
        cleaned, cited = re.sub(r"\s+([.!?。])", r"\1", re.sub(r"\s{2,}", " ", bare)), []
    check = Check(cleaned, sentences, sorted(set(cited)), abstained)
    if not cleaned:
        check.issues.append(Issue("empty", "the reply was empty"))
        return check
    unknown = sorted({n for n in cited if n not in given})
    if unknown:
        check.issues.append(Issue("unknown_citation", ", ".join(f"[{n}]" for n in unknown)))
    if not cited and not abstained:
        check.issues.append(Issue("no_citation", "the answer cites no passage"))
    elif cited:
        for sentence in sentences:
            if not sentence.citations and not says_not_answered(sentence.text) and not sentence.text.endswith(":"):
                check.issues.append(Issue("uncited_sentence", sentence.text[:80]))
    bare_words = _WORD.findall(bare)
    if cited and len(bare_words) < 2:
        check.issues.append(Issue("hollow_citation", cleaned[:80]))
    injected = injected_words(passages, question)
    echoed = sorted({w for w in bare_words if w.casefold() in injected})
    if echoed:
        check.issues.append(Issue("follows_passage_instruction", ", ".join(echoed[:5])))
    hollow = _HOLLOW.search(cleaned)
    if hollow:
        check.issues.append(Issue("hollow_citation", cleaned[max(0, hollow.start() - 40) : hollow.end() + 10]))
    sources = [p.text for p in passages if p.n in set(cited)] + [question]
    if cited:
        for figure in unsupported_figures(cleaned, sources):
            check.issues.append(Issue("unsupported_figure", figure))
    answered_in = detect_language(_outside_quotes(_without_citations(cleaned)))
    if answered_in != language:
        check.issues.append(Issue("wrong_language", f"answered in {answered_in}", fatal=False))
    return check
