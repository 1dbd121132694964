"""Which language a text is in, as far as articlebot needs to know (pure).

Only the script matters here: Hangul means Korean, Latin letters mean English.
That is enough to tell a reader that quotes are in the article's language.
"""

from __future__ import annotations

LANGUAGE_NAMES = {"ko": "Korean", "en": "English"}


def _is_hangul(ch: str) -> bool:
    code = ord(ch)
    return 0xAC00 <= code <= 0xD7A3 or 0x1100 <= code <= 0x11FF or 0x3130 <= code <= 0x318F


def detect_language(text: str) -> str:
    """'ko' when a fair share of the letters are Hangul, else 'en'."""
    letters = [ch for ch in text if ch.isalpha()]
    if not letters:
        return "en"
    hangul = sum(1 for ch in letters if _is_hangul(ch))
    # Korean text mixes in Latin names (OpenAI, Azure); a Hangul syllable carries
    # what two or three Latin letters do, so a modest share already means Korean.
    return "ko" if hangul / len(letters) >= 0.2 else "en"


def language_name(code: str) -> str:
    return LANGUAGE_NAMES.get(code, code)
