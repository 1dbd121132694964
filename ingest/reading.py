"""Turn a file on disk into clean Unicode text (I/O and decoding only).

Korean sites still serve CP949/EUC-KR, Windows tools write UTF-16 with a BOM,
and people feed in the wrong file by mistake; each case gets a clear error or a
correct decode, never mojibake in the store.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from ingest.safe_text import has_words, shown_path
from vectorstore.errors import ArticlebotError

SUPPORTED_SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm")
DEFAULT_MAX_BYTES = 20 * 1024 * 1024
MB = 1024 * 1024  # MAX_FILE_MB counts these, so messages do too
# A language must be recognisable in a legacy-encoding guess, else it is mojibake.
MIN_COHERENCE = 0.1
_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")


class InputError(ArticlebotError):
    """A file that cannot be ingested (missing, empty, binary, undecodable, too big)."""


@dataclass(frozen=True)
class SourceText:
    """A decoded file: NFC text, the encoding it was read with, and its kind."""

    path: Path
    text: str
    encoding: str
    kind: str  # "text", "markdown" or "html"
    html_title: str = ""


def kind_of(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in (".html", ".htm"):
        return "html"
    if suffix in (".md", ".markdown"):
        return "markdown"
    return "text"


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 text without a BOM shows NULs in every other byte of ASCII-heavy text."""
    if len(data) < 4 or len(data) % 2:
        return None
    even_nuls = data[0::2].count(0) / (len(data) / 2)
    odd_nuls = data[1::2].count(0) / (len(data) / 2)
    for encoding, nuls in (("utf-16-le", odd_nuls), ("utf-16-be", even_nuls)):
        if nuls > 0.3:
            try:
                return data.decode(encoding)
            except UnicodeDecodeError:
                return None
    return None


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Decode with BOMs first, then strict UTF-8, then CP949, then a detector.

    Returns (text, encoding). CP949 is tried before the generic detector because
    it is a superset of EUC-KR and short Korean texts fool statistical guessers.
    """
    for bom, encoding in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            try:
                return data.decode(encoding), encoding
            except UnicodeDecodeError as exc:
                raise InputError(f"starts with a {encoding} byte-order mark but does not decode: {exc.reason}") from exc
    utf16 = _utf16_without_bom(data)
    if utf16 is not None:
        return utf16, "utf-16"
    if b"\x00" in data:
        raise InputError("looks like a binary file (it contains NUL bytes), not text")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        bad_at = exc.start
    try:
        return data.decode("cp949"), "cp949"
    except UnicodeDecodeError:
        pass
    return _legacy_decode(data, bad_at)


def _legacy_decode(data: bytes, bad_at: int) -> tuple[str, str]:
    """Another encoding only when it yields text in a recognisable language.

    UTF-8 with a few bad bytes, or bytes that are no encoding at all, would
    otherwise be stored as mojibake ("ÿþÃ( broken ¡€€") that nobody can search.
    """
    if len(_UTF8_SEQUENCE.findall(data)) >= 3:
        raise InputError(f"is not valid UTF-8 (a bad byte at offset {bad_at}); repair it or save it as UTF-8")
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None or best.encoding is None or best.coherence < MIN_COHERENCE:
        raise InputError("is not UTF-8, UTF-16 or CP949, and no other encoding gives readable text; "
                         "save it as UTF-8")
    return str(best), best.encoding


def _looks_binary(text: str) -> bool:
    """Control characters other than whitespace mean we decoded something that is not text."""
    sample = text[:20000]
    if not sample:
        return False
    controls = sum(1 for ch in sample if unicodedata.category(ch) == "Cc" and ch not in "\t\n\r\f\v")
    return controls / len(sample) > 0.01


def _check_file(path: Path, shown: str, max_bytes: int) -> None:
    """Refuse what is not a regular, non-empty, supported file within the size limit."""
    try:
        info = path.stat()
    except OSError as exc:
        if not path.is_symlink():
            raise InputError(f"{shown}: no such file") from exc
        raise InputError(f"{shown}: is a broken link or a link loop ({exc.strerror or exc})") from exc
    if path.is_dir():
        raise InputError(f"{shown}: is a folder, not a file")
    if path.suffix.lower() not in SUPPORTED_SUFFIXES:
        raise InputError(f"{shown}: unsupported file type {shown_path(path.suffix) or '(none)'}; "
                         "use .txt, .md or .html")
    if not path.is_file():
        raise InputError(f"{shown}: is not a regular file (a pipe, socket or device)")
    if info.st_size == 0:
        raise InputError(f"{shown}: is empty")
    if info.st_size > max_bytes:
        raise InputError(f"{shown}: is {info.st_size / MB:.1f} MB, over the {max_bytes / MB:g} MB limit "
                         "(MAX_FILE_MB)")


def read_source(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> SourceText:
    """Read and decode one file; raise `InputError` with the reason when it cannot be used."""
    shown = shown_path(path)
    _check_file(path, shown, max_bytes)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{shown}: cannot be read ({exc.strerror or exc})") from exc
    try:
        text, encoding = decode_bytes(data)
    except InputError as exc:
        raise InputError(f"{shown}: {exc}") from exc
    if _looks_binary(text):
        raise InputError(f"{shown}: looks like a binary file, not text")
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    kind = kind_of(path)
    html_title = ""
    if kind == "html":
        text, html_title = extract_html(text)
    if not has_words(text):
        raise InputError(f"{shown}: has no text to ingest (no letters or digits, only spaces, "
                         "invisible or control characters)")
    return SourceText(path=path, text=text, encoding=encoding, kind=kind, html_title=html_title)


@dataclass(frozen=True)
class PageText:
    """What trafilatura finds in a web page: main text (Markdown) and the page's own metadata."""

    text: str
    title: str = ""
    author: str = ""
    date: str = ""  # publication date as the page gives it, YYYY-MM-DD


def extract_page(html: str) -> PageText:
    """Main text of a web page as Markdown (headings kept), with title, author and date."""
    import trafilatura

    text = trafilatura.extract(
        html, output_format="markdown", include_comments=False, include_tables=False,
        include_formatting=True, favor_recall=True,
    ) or ""
    meta = trafilatura.extract_metadata(html)

    def field(name: str) -> str:
        return unicodedata.normalize("NFC", str(getattr(meta, name, None) or "")) if meta else ""

    return PageText(unicodedata.normalize("NFC", text), field("title"), field("author"), field("date"))


def extract_html(html: str) -> tuple[str, str]:
    """Main text of a web page as Markdown (headings kept), and the page title."""
    page = extract_page(html)
    return page.text, page.title


def iter_input_files(paths: list[Path]) -> tuple[list[Path], list[str]]:
    """Expand folders into supported files; return (files, problems with missing paths).

    Entries of a folder that are not regular files (pipes, broken links, link loops)
    are kept, so that reading them reports each one in a line of its own.
    """
    files: list[Path] = []
    problems: list[str] = []
    for path in paths:
        if path.is_dir():
            found = sorted(p for p in path.rglob("*")
                           if p.suffix.lower() in SUPPORTED_SUFFIXES and not p.is_dir())
            if not found:
                problems.append(f"{shown_path(path)}: no .txt, .md or .html files in this folder")
            files.extend(found)
        elif path.exists() or path.is_symlink():
            files.append(path)
        else:
            problems.append(f"{shown_path(path)}: no such file or folder")
    return files, problems
