"""Names a question mentions, and whether an article holds them in either script (pure).

"Where did Kim Young-sam go…?" asks about 김영삼; "삼성" asks about Samsung.
Names are compared by consonant skeleton after romanising Hangul (the same
skeleton of `ingest/romanization.py`), so the usual romanisation variants meet:
Kim/Gim, Park/Bak, Choi/Choe, Jung/Chung/Jeong, hyphens and spacing. Surnames
whose romanisations share no consonant with the Hangul (Lee/Yi/Rhee for 이,
Roh/Noh for 노, Oh for 오) come from a short table of standard romanisations.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from ingest.romanization import romanize, skeleton
from ingest.korean import HANGUL

# Common Korean surnames whose customary spellings lose their consonants in a skeleton.
SURNAMES = {
    "lee": "i", "yi": "i", "rhee": "i", "rhie": "i", "ri": "i", "roh": "no", "noh": "no", "oh": "o",
    "woo": "u", "yoo": "yu", "you": "yu", "ryu": "yu", "yoon": "yun", "ahn": "an", "um": "eom", "eom": "eom",
}
MIN_SKELETON = 3  # shorter skeletons match too many unrelated words to prove anything
_NAME = re.compile(r"[A-Z][A-Za-z0-9]*(?:[-'][A-Za-z0-9]+)*(?:\s+[A-Z][A-Za-z0-9]*(?:[-'][A-Za-z0-9]+)*)*"
                   r"|[A-Za-z]+-?\d[\w\-]*")
_HANGUL_RUN = re.compile(f"[{HANGUL}]+")
_LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z\-']*")


def question_names(question: str, stopwords: frozenset[str]) -> list[str]:
    """Capitalised names and codes in a Latin-script question, minus its sentence-initial words."""
    names = []
    for match in _NAME.finditer(question):
        words = match.group(0).split()
        before = question[: match.start()].rstrip()
        if words and (not before or before[-1] in ".?!:\"“(") and words[0].lower() in stopwords:
            words = words[1:]  # "What", "Who", "Where" open a question, they name nothing
        while words and words[0].lower() in stopwords:
            words = words[1:]
        if words:
            names.append(" ".join(words))
    return list(dict.fromkeys(names))


def name_key(name: str) -> str:
    """The consonant skeleton of a Latin-script name, surnames mapped to their Hangul reading."""
    words = re.split(r"[\s\-']+", name.lower())
    if len(words) > 1 and words[0] in SURNAMES:
        words[0] = SURNAMES[words[0]]
    return skeleton("".join(words))


@dataclass
class ArticleNames:
    """What an article offers for name matching: its lower-cased text and Hangul/Latin skeletons."""

    text: str
    hangul_keys: set[str] = field(default_factory=set)  # skeletons of every Hangul run's prefixes
    latin_keys: set[str] = field(default_factory=set)

    def holds(self, name: str) -> bool:
        """Is the name in the article, as written or in the other script? Unprovable names count as held."""
        lowered = name.lower()
        if lowered in self.text or lowered.replace("-", "") in self.text or lowered.replace("-", " ") in self.text:
            return True
        if _HANGUL_RUN.search(name):
            key = skeleton(romanize(name))
            return len(key) < MIN_SKELETON or key in self.latin_keys
        words = [w for w in re.split(r"\s+", name) if w]
        keys = [name_key(name), *(skeleton(w) for w in words if len(words) > 1)]
        provable = [k for k in keys if len(k) >= MIN_SKELETON]
        return not provable or any(k in self.hangul_keys for k in provable)


@lru_cache(maxsize=256)
def article_names(text: str) -> ArticleNames:
    """Skeletons of an article's words (cached per text: a document version is read many times)."""
    names = ArticleNames(text.lower())
    for run in set(_HANGUL_RUN.findall(text)):
        for end in range(1, min(len(run), 6) + 1):
            names.hangul_keys.add(skeleton(romanize(run[:end])))
    names.latin_keys = {skeleton(w) for w in set(_LATIN_WORD.findall(text))}
    return names
