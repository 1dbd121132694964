"""What counts as text, and how raw names become printable text (pure).

Files, file names, command-line arguments and Slack messages can all carry
characters that look like something but say nothing (zero-width spaces, BOMs,
bidi marks, Hangul fillers) or bytes that are not text at all (a file name that
is not UTF-8 arrives as lone surrogates). Such text must never replace an
article, reach the model, or crash a print or a store write.
"""

from __future__ import annotations

import os
import re
import unicodedata

# Letters that render as nothing: Hangul fillers are category Lo but invisible.
_INVISIBLE_LETTERS = frozenset("\u115f\u1160\u3164\uffa0")
_SURROGATES = re.compile("[\ud800-\udfff]")
_ESCAPED_BYTE = range(0xDC80, 0xDD00)  # how os.fsdecode keeps a byte that is not UTF-8


def has_words(text: str) -> bool:
    """True when the text holds at least one visible letter or digit.

    Spaces, format characters (Cf: U+200B, U+FEFF, U+202E, U+2060…), controls (Cc),
    marks alone and symbols (emoji) are not words: text made only of them is empty.
    """
    return any(unicodedata.category(ch)[0] in "LN" and ch not in _INVISIBLE_LETTERS for ch in text)


def without_surrogates(text: str) -> str:
    """Drop lone surrogates (undecodable bytes of an argument or name): they cannot be encoded."""
    return _SURROGATES.sub("", text)


def shown_path(path: "os.PathLike[str] | str") -> str:
    """A path as one printable line: undecodable bytes as \\xNN, controls and invisibles escaped."""
    text = os.fsdecode(path)
    return "".join(_shown_char(ch) for ch in text)


def _shown_char(ch: str) -> str:
    code = ord(ch)
    if code in _ESCAPED_BYTE:
        return f"\\x{code - 0xDC00:02x}"
    if ch.isprintable() or ch == " ":
        return ch
    return ch.encode("unicode_escape").decode("ascii")


def clean_id(text: str) -> str:
    """Valid UTF-8 for a stored id: undecodable bytes as %XX (distinct names stay distinct),
    other surrogates, controls and format characters dropped."""
    parts = []
    for ch in text:
        code = ord(ch)
        if code in _ESCAPED_BYTE:
            parts.append(f"%{code - 0xDC00:02X}")
        elif unicodedata.category(ch) not in ("Cs", "Cc", "Cf"):
            parts.append(ch)
    return "".join(parts)
