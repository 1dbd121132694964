"""Numbers in Korean and English text, as values (pure).

Korean counts in myriads: 만 = 10^4, 억 = 10^8, 조 = 10^12. "140억 달러" is
14 billion dollars; reading 억 as "billion" makes it ten times too big, the
mistake small models make. This module reads figures in both languages so the
prompt can hand the model ready conversions and the checker can catch a figure
the passages do not support.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

KOREAN_UNITS = {"십": 10, "백": 100, "천": 1_000, "만": 10_000, "억": 100_000_000, "조": 1_000_000_000_000}
ENGLISH_SCALES = {
    "thousand": 1e3, "k": 1e3, "million": 1e6, "mn": 1e6, "m": 1e6,
    "billion": 1e9, "bn": 1e9, "b": 1e9, "trillion": 1e12, "tn": 1e12, "t": 1e12,
}
CURRENCIES = {"달러": ("$", "dollars"), "원": ("", "won"), "엔": ("¥", "yen"), "유로": ("€", "euros")}

_NUMBER = r"\d+(?:,\d{3})*(?:\.\d+)?"
# 140억, 1조 2000억, 3천만, 3천, 140억 달러 (digits then a unit: always a figure)
_UNIT = r"(?:[십백천]?[만억조]|[천백])"
_KOREAN_FIGURE = re.compile(
    rf"(?P<parts>{_NUMBER}\s*{_UNIT}(?:\s*{_NUMBER}\s*{_UNIT})*)\s*(?P<currency>달러|원|엔|유로)?"
)
_KOREAN_PART = re.compile(rf"({_NUMBER})\s*({_UNIT})")
_ENGLISH_FIGURE = re.compile(
    rf"(?<![\w.])(?P<num>{_NUMBER})(?:\s*(?P<scale>thousand|million|billion|trillion)\b|(?P<abbr>bn|tn|mn|[kKmMbBtT])\b)?",
)
_PLAIN_NUMBER = re.compile(rf"(?<![\w.]){_NUMBER}")


@dataclass(frozen=True)
class Figure:
    """A figure as written (`source`) and its value; `scaled` when a unit word multiplied it."""

    source: str
    value: float
    scaled: bool
    currency: str = ""


def _to_float(number: str) -> float:
    return float(number.replace(",", ""))


def _unit_value(unit: str) -> int:
    value = 1
    for ch in unit:
        value *= KOREAN_UNITS[ch]
    return value


def _korean_figure(match: re.Match[str]) -> Figure:
    value = sum(_to_float(n) * _unit_value(u) for n, u in _KOREAN_PART.findall(match.group("parts")))
    return Figure(match.group(0).strip(), value, True, match.group("currency") or "")


def _english_figure(match: re.Match[str]) -> Figure:
    scale = (match.group("scale") or match.group("abbr") or "").lower()
    return Figure(match.group(0), _to_float(match.group("num")) * ENGLISH_SCALES.get(scale, 1), bool(scale))


def korean_figures(text: str) -> list[Figure]:
    """Figures written with Korean units: "140억 달러" -> 1.4e10 dollars."""
    return [_korean_figure(m) for m in _KOREAN_FIGURE.finditer(text)]


def figures_in(text: str) -> list[Figure]:
    """Every figure in a text, Korean-unit figures first; a number inside one is not counted twice."""
    korean = list(_KOREAN_FIGURE.finditer(text))
    inside = [m.span() for m in korean]
    english = [m for m in _ENGLISH_FIGURE.finditer(text) if not any(a <= m.start() < b for a, b in inside)]
    return [_korean_figure(m) for m in korean] + [_english_figure(m) for m in english]


def plain_numbers(text: str) -> set[float]:
    """Every digit run as a value, units ignored ("140억" -> 140)."""
    return {_to_float(m.group(0)) for m in _PLAIN_NUMBER.finditer(text)}


def _plain_amount(value: float) -> str:
    """1234 -> "1,234"; 12.5 -> "12.5"."""
    return f"{value:,.0f}" if value == int(value) else f"{value:,}"


def english_amount(value: float) -> str:
    """1.4e10 -> "14 billion"; small values with thousands separators."""
    for word, scale in (("trillion", 1e12), ("billion", 1e9), ("million", 1e6)):
        if value >= scale:
            amount = value / scale
            text = f"{amount:.2f}".rstrip("0").rstrip(".")
            return f"{text} {word}"
    return _plain_amount(value)


def conversion(figure: Figure) -> str:
    """"140억 달러 = $14 billion" — the hint the prompt gives for one figure."""
    amount = english_amount(figure.value)
    if figure.currency in CURRENCIES:
        symbol, word = CURRENCIES[figure.currency]
        return f"{figure.source} = {symbol}{amount}" if symbol else f"{figure.source} = {amount} {word}"
    return f"{figure.source} = {amount}"


def same_value(a: float, b: float, scaled: bool) -> bool:
    """Equal, allowing rounding ("about $14 billion") only for unit-scaled figures."""
    if not scaled:
        return a == b
    return abs(a - b) <= 0.05 * max(abs(a), abs(b))


def korean_amount(value: float) -> str:
    """1.4e10 -> "140억"; 2.5e12 -> "2조 5000억": Korean counts in myriads, not thousands."""
    if value < 10_000 or value != int(value) and value < 1e8:
        return _plain_amount(value)
    parts = []
    rest = int(round(value))
    for unit, scale in (("조", 10**12), ("억", 10**8), ("만", 10**4)):
        if rest >= scale:
            parts.append(f"{rest // scale}{unit}")
            rest %= scale
    if rest and len(parts) < 2:
        parts.append(str(rest))
    return " ".join(parts[:2])


MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December")
_KOREAN_DATE = re.compile(r"(?:(?P<y>\d{4})년\s*)?(?:(?P<m>1[0-2]|0?[1-9])월\s*)?(?:(?P<d>3[01]|[12]\d|0?[1-9])일)?")
_ENGLISH_DATE = re.compile(
    rf"\b(?P<m>{'|'.join(MONTHS)})(?:\s+(?P<d>3[01]|[12]\d|0?[1-9])(?:st|nd|rd|th)?)?(?:,?\s+(?P<y>\d{{4}}))?\b")


def korean_dates(text: str) -> list[tuple[str, str]]:
    """Dates written the Korean way, restated in English: ("2024년 7월", "July 2024")."""
    found = []
    for match in _KOREAN_DATE.finditer(text):
        year, month, day = match.group("y"), match.group("m"), match.group("d")
        if not match.group(0).strip() or not (year or month) or (day and not month):
            continue
        name = MONTHS[int(month) - 1] if month else ""
        english = " ".join(p for p in (name, f"{int(day)}," if day else "", year or "") if p).rstrip(",")
        found.append((match.group(0).strip(), english))
    return found


def english_dates(text: str) -> list[tuple[str, str]]:
    """Dates with an English month name, restated the Korean way: ("July 25, 2024", "2024년 7월 25일")."""
    found = []
    for match in _ENGLISH_DATE.finditer(text):
        year, day = match.group("y"), match.group("d")
        if not (year or day):
            continue  # a bare "May" is as likely a verb as a month
        month = MONTHS.index(match.group("m")) + 1
        korean = " ".join(p for p in (f"{year}년" if year else "", f"{month}월", f"{int(day)}일" if day else "") if p)
        found.append((match.group(0), korean))
    return found


def english_figures(text: str) -> list[Figure]:
    """Figures scaled by an English word or abbreviation ("$14 billion"), with their currency."""
    found = []
    for match in _ENGLISH_FIGURE.finditer(text):
        figure = _english_figure(match)
        if not figure.scaled:
            continue
        dollar = match.start() > 0 and text[match.start() - 1] == "$"
        source = f"${figure.source}" if dollar else figure.source
        found.append(Figure(source, figure.value, True, "달러" if dollar else ""))
    return found
