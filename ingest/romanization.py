"""Hangul romanised, names reduced to consonant skeletons, particles stripped (pure).

Readers write a Korean name the way they heard it — Kim Young-sam, Gim Yeongsam
— and a Korean article writes a Western one in Hangul (스타벅스 for
Starbucks). Comparing consonant skeletons of romanised forms lets names meet
across scripts without a dictionary (`bot/names.py`).
"""

from __future__ import annotations

import re

_CHO = ["g", "kk", "n", "d", "tt", "r", "m", "b", "pp", "s", "ss", "", "j", "jj", "ch", "k", "t", "p", "h"]
_JUNG = ["a", "ae", "ya", "yae", "eo", "e", "yeo", "ye", "o", "wa", "wae", "oe", "yo", "u", "wo", "we",
         "wi", "yu", "eu", "ui", "i"]
_JONG = ["", "k", "k", "ks", "n", "nj", "nh", "t", "l", "lk", "lm", "lb", "ls", "lt", "lp", "lh", "m",
         "p", "ps", "t", "t", "ng", "t", "t", "k", "t", "p", "t"]
_VOWELS = set("aeiouy")
_CLASSES = {"g": "K", "k": "K", "c": "K", "q": "K", "b": "P", "p": "P", "f": "P", "v": "P", "d": "T",
            "t": "T", "s": "S", "z": "S", "j": "S", "S": "S", "l": "L", "r": "L", "m": "M", "n": "N",
            "N": "N"}
_PARTICLE = re.compile(r"(은|는|이|가|을|를|의|와|과|에|에서|로|으로|도|만|께서)$")


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
    """Consonant classes of a romanised or Latin word: 스타벅스 ~ Starbucks."""
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


def strip_particle(word: str) -> str:
    return _PARTICLE.sub("", word)
