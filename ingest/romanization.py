"""A bilingual name glossary learned from the article itself (pure).

Korean news writes names both ways — `오픈AI(OpenAI)`, `인플렉션 AI(Inflection
AI)`, 마이크로소프트 beside Microsoft — and readers ask with either, or with
forms the article never uses (MS, Bellevue). Pairs come from the article's own
parenthesised glosses and from transliterations whose consonant skeletons match;
the questions are then rewritten into the article's most frequent form so that a
name can be checked against the text ("does the article mention GPT-5 at all?").
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Iterable

from ingest.korean import HANGUL
_CHO = ["g", "kk", "n", "d", "tt", "r", "m", "b", "pp", "s", "ss", "", "j", "jj", "ch", "k", "t", "p", "h"]
_JUNG = ["a", "ae", "ya", "yae", "eo", "e", "yeo", "ye", "o", "wa", "wae", "oe", "yo", "u", "wo", "we",
         "wi", "yu", "eu", "ui", "i"]
_JONG = ["", "k", "k", "ks", "n", "nj", "nh", "t", "l", "lk", "lm", "lb", "ls", "lt", "lp", "lh", "m",
         "p", "ps", "t", "t", "ng", "t", "t", "k", "t", "p", "t"]
_VOWELS = set("aeiouy")
_CLASSES = {"g": "K", "k": "K", "c": "K", "q": "K", "b": "P", "p": "P", "f": "P", "v": "P", "d": "T",
            "t": "T", "s": "S", "z": "S", "j": "S", "S": "S", "l": "L", "r": "L", "m": "M", "n": "N",
            "N": "N"}
_PARENTHESISED = re.compile(rf"([{HANGUL}A-Za-z0-9 ]{{1,30}}?)\(([A-Za-z][A-Za-z0-9 \-]{{0,30}})\)")
_LATIN_NAME = re.compile(r"(?<![A-Za-z])[A-Z][A-Za-z0-9]*")
_PARTICLE = re.compile(r"(은|는|이|가|을|를|의|와|과|에|에서|로|으로|도|만|께서)$")

Glossary = list[tuple[str, str]]  # (Korean form, Latin form)


def romanize(text: str) -> str:
    """Rough Revised Romanisation of Hangul; other characters lower-cased."""
    out = []
    for ch in text:
        code = ord(ch) - 0xAC00
        if 0 <= code < 11172:
            out.append(_CHO[code // 588] + _JUNG[(code % 588) // 28] + _JONG[code % 28])
        else:
            out.append(ch.lower())
    return "".join(out)


def skeleton(word: str) -> str:
    """Consonant classes of a romanised or Latin word: 마이크로소프트 ~ Microsoft."""
    s = re.sub(r"[^a-z]", "", word.lower())
    for old, new in (("ng", "N"), ("ch", "S"), ("sh", "S"), ("ph", "p"), ("th", "t"), ("ck", "k"), ("x", "ks")):
        s = s.replace(old, new)
    out: list[str] = []
    for i, ch in enumerate(s):
        following = s[i + 1] if i + 1 < len(s) else ""
        if ch in _VOWELS or ch in "hwy":
            continue
        if ch == "r" and following not in _VOWELS and i > 0:
            continue  # non-rhotic r: search ~ 서치
        cls = _CLASSES.get(ch)
        if cls is None or (out and out[-1] == cls):
            continue
        out.append(cls)
    return "".join(out)


def latin_name_counts(text: str) -> Counter[str]:
    return Counter(m.group(0) for m in _LATIN_NAME.finditer(text))


def strip_particle(word: str) -> str:
    return _PARTICLE.sub("", word)


def learn_glossary(text: str, nouns: Iterable[str]) -> Glossary:
    """(Korean, Latin) name pairs that the article itself establishes."""
    pairs: set[tuple[str, str]] = set()
    for match in _PARENTHESISED.finditer(text):
        korean, latin = match.group(1).strip(), match.group(2).strip()
        korean = " ".join(korean.split()[-len(latin.split()):])
        if re.search(f"[{HANGUL}]", korean) and korean != latin:
            pairs.add((korean, latin))
    latin_names = latin_name_counts(text)
    for noun in set(nouns):
        shape = skeleton(romanize(noun))
        if len(shape) < 4:  # short skeletons match unrelated words
            continue
        pairs.update((noun, name) for name in latin_names if skeleton(name) == shape)
    return sorted(pairs)


def _bounded(term: str) -> str:
    if re.match(f"[{HANGUL}]", term):
        return f"(?<![{HANGUL}]){re.escape(term)}"
    return f"(?<![A-Za-z]){re.escape(term)}(?![A-Za-z])"


def _contains(term: str, text: str) -> bool:
    return re.search(_bounded(term), text) is not None


def _replace(term: str, new: str, text: str) -> str:
    return re.sub(_bounded(term), new, text)


def _acronym_expansion(acronym: str, names: Counter[str]) -> str | None:
    """MS -> Microsoft: the most frequent article name spelling out the acronym's letters."""
    best = None
    for name, count in names.items():
        if name[0] != acronym[0] or len(name) <= len(acronym) + 2:
            continue
        letters = iter(name.upper())
        if all(ch in letters for ch in acronym) and (best is None or count > names[best]):
            best = name
    return best


def question_name_pairs(question: str, text: str, nouns: Iterable[str]) -> list[tuple[str, str]]:
    """(article form, question form) for names the question spells differently."""
    names = latin_name_counts(text)
    nouns = set(nouns)
    pairs: list[tuple[str, str]] = []
    for token in re.findall(f"[{HANGUL}]+[A-Za-z0-9\\-]*", question):  # 서치GPT -> SearchGPT
        for candidate in dict.fromkeys([strip_particle(token), token]):
            if candidate in text:
                break
            shape = skeleton(romanize(candidate))
            found = [(name, candidate) for name in names
                     if len(shape) >= 3 and skeleton(name) == shape and name.lower() not in question.lower()]
            pairs.extend(found)
            if found:
                break
    words = re.findall(r"[A-Za-z][A-Za-z\-]+", question)
    for index, word in enumerate(words):  # Bellevue -> 벨뷰
        if index == 0 or not word[0].isupper() or word.isupper() or word.lower() in text.lower():
            continue
        shape = skeleton(word)
        if len(shape) >= 3:
            pairs.extend((noun, word) for noun in nouns if skeleton(romanize(noun)) == shape)
    for acronym in re.findall(r"(?<![A-Za-z])[A-Z]{2,5}(?![A-Za-z])", question):
        if acronym == "AI" or acronym in text:
            continue
        expansion = _acronym_expansion(acronym, names)
        if expansion:
            pairs.append((expansion, acronym))
    return list(dict.fromkeys(pairs))


def canonical_question(question: str, glossary: Glossary, text: str, nouns: Iterable[str]) -> str:
    """Rewrite every name in the question to the article's most frequent spelling."""
    rewritten = question
    for article_form, question_form in question_name_pairs(question, text, nouns):
        rewritten = _replace(question_form, article_form, rewritten)
    for korean, latin in sorted(glossary, key=lambda pair: -len(pair[0])):
        if korean == "인공지능":
            continue  # "AI" is everywhere; mapping it adds noise only
        source, target = (korean, latin) if text.count(latin) >= text.count(korean) else (latin, korean)
        if _contains(source, rewritten):
            rewritten = _replace(source, target, rewritten)
    return rewritten


def alternatives(glossary: Glossary) -> dict[str, set[str]]:
    """Each lower-cased form -> its other-script partners."""
    alt: dict[str, set[str]] = {}
    for korean, latin in glossary:
        alt.setdefault(latin.lower(), set()).add(korean.lower())
        alt.setdefault(korean.lower(), set()).add(latin.lower())
    return alt


# What a typed question asks about, in the words a Korean article would use.
# The learned glossary covers names only; these are the value-bearing nouns
# ("revenue", "stock price", "official statement") that readers ask about in
# English and that news text would have to contain to answer. Each concept:
# (English pattern, Korean pattern, forms to look for in the article).
Terms = list[tuple[str, str, tuple[str, ...]]]
ATTRIBUTE_TERMS: Terms = [
    (r"\brevenues?\b|\bsales\b|\bturnover\b", r"매출|수입", ("매출", "수입", "수익")),
    (r"\bprofits?\b|\bearnings\b|\blosses\b", r"흑자|적자|영업이익|순이익", ("이익", "수익", "흑자", "적자")),
    (r"\bvaluation\b|\bvalued at\b|\bmarket cap", r"기업가치|시가총액|밸류에이션",
     ("기업가치", "시가총액", "밸류에이션")),
    (r"\bstock\b|\bshare price\b|\bshares\b", r"주가|주식", ("주가", "주식")),
    (r"\bprices?\b|\bpricing\b|\bcosts?\b|\bfees?\b|\bsubscriptions?\b", r"가격|요금|비용|구독료",
     ("가격", "요금", "비용", "구독")),
    (r"\bsalar(y|ies)\b|\bwages?\b", r"연봉|급여|임금", ("연봉", "급여", "임금")),
    (r"\bbudgets?\b", r"예산", ("예산",)),
    (r"\bemployees?\b|\bstaff\b|\bheadcount\b|\bworkers?\b|\bpeople work", r"직원|인력|임직원",
     ("직원", "인력", "임직원")),
    (r"\bexecutives?\b|\bboard members?\b", r"임원|경영진|이사회", ("임원", "경영진", "이사회")),
    (r"\bfounders?\b|\bfounded\b", r"창업자|설립자|창립", ("창업자", "설립자", "창립", "설립")),
    (r"\bceos?\b|\bchief executive\b", r"최고경영자|CEO", ("CEO", "최고경영자")),
    (r"\bparameters?\b", r"파라미터|매개변수", ("파라미터", "매개변수")),
    (r"\bheadquarter", r"본사", ("본사",)),
    (r"\bofficial\b|\bstatements?\b", r"공식|성명|발표", ("공식", "성명", "발표")),
]


def attribute_forms(question: str, table: Terms = ATTRIBUTE_TERMS) -> list[tuple[str, tuple[str, ...]]]:
    """(what the question calls it, article forms) for each concept of `table` it asks about."""
    found = []
    for english, korean, forms in table:
        match = re.search(english, question, re.IGNORECASE) or re.search(korean, question)
        if match:
            found.append((match.group(0), forms))
    return found
