"""A fetched web page becomes a document: decode, extract, store with its fetch record.

The page is fetched, decoded and extracted completely before the store is
touched, so a failed fetch (HTTP error, PDF, empty extraction, too big, too
slow) leaves the stored version exactly as it was. The document record keeps
what a later conditional re-fetch needs under `extra["web"]`: url, final_url,
etag, last_modified, fetched_at, and the page's author and date.
"""

from __future__ import annotations

import codecs
import re
import time
import unicodedata
import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ingest.fetching import Fetched, Fetcher, FetchError
from ingest.korean import TextAnalyzer
from ingest.pipeline import FileReport, IngestOptions, IngestSummary, default_doc_id, ingest_source
from ingest.reading import InputError, SourceText, decode_bytes, extract_page
from vectorstore.records import DocumentRecord
from vectorstore.store import ChromaStore

HTML_TYPES = ("text/html", "application/xhtml+xml")
TEXT_TYPES = ("text/plain", "text/markdown")
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_HEADER_CHARSET = re.compile(r"""charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
# Korean pages label CP949 (a superset) as EUC-KR or by older names; decode them all as CP949.
_KOREAN_ALIASES = {"euc-kr", "euckr", "ks_c_5601-1987", "ks_c_5601", "ksc5601", "windows-949",
                   "x-windows-949", "cp949", "uhc", "ms949"}


def url_doc_id(url: str) -> str:
    """A URL document's id: the URL tidied like `ingest FILE --url URL` does, so both meet."""
    return default_doc_id(Path(""), url)


def declared_charset(content_type: str, body: bytes) -> str:
    """The charset the server declares: the Content-Type header first, then <meta charset>."""
    found = _HEADER_CHARSET.search(content_type or "")
    if not found:
        found = _META_CHARSET.search(body[:8192])
    if not found:
        return ""
    name = found.group(1).decode("ascii", "replace") if isinstance(found.group(1), bytes) else found.group(1)
    name = name.strip().lower()
    if name in _KOREAN_ALIASES:
        return "cp949"
    try:
        return codecs.lookup(name).name
    except LookupError:
        return ""


def decode_page(body: bytes, content_type: str) -> tuple[str, str]:
    """(text, encoding): the declared charset when it decodes, else the file reader's guesses."""
    charset = declared_charset(content_type, body)
    if charset and not body.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return body.decode(charset), charset
        except UnicodeDecodeError:
            pass  # a wrong declaration is common; guess instead
    return decode_bytes(body)


@dataclass(frozen=True)
class WebPage:
    """A fetched page, decoded and extracted, ready to store."""

    source: SourceText
    web: dict[str, Any]


def _kind_of(fetched: Fetched) -> str:
    media = fetched.media_type
    if media in HTML_TYPES or (not media and fetched.body.lstrip()[:15].lower().startswith((b"<!doctype", b"<html"))):
        return "html"
    if media in TEXT_TYPES:
        return "text"
    what = media or "a file of unknown type"
    raise InputError(f"{fetched.url}: is {what}, not a web page (HTML); save its text and ingest the file instead")


def page_from(fetched: Fetched, doc_id: str) -> WebPage:
    """Decode and extract a 200 response; `InputError` for non-HTML or an empty extraction."""
    kind = _kind_of(fetched)
    try:
        text, encoding = decode_page(fetched.body, fetched.content_type)
    except InputError as exc:
        raise InputError(f"{fetched.url}: {exc}") from exc
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    title = author = date = ""
    if kind == "html":
        page = extract_page(text)
        text, title, author, date = page.text, page.title, page.author, page.date
    if not text.strip():
        raise InputError(f"{fetched.url}: no article text found on the page (the extraction is empty)")
    web = {
        "url": fetched.url, "final_url": fetched.final_url, "etag": fetched.etag,
        "last_modified": fetched.last_modified, "fetched_at": fetched.fetched_at,
        "author": author, "published": date, "status": "ok",
        # refresh bookkeeping, present from the start so an unchanged refresh has nothing to write
        "checked_at": fetched.fetched_at, "failures": 0, "retry_at": "", "last_error": "", "gone_since": "",
    }
    source = SourceText(path=Path(doc_id), text=text, encoding=encoding,
                        kind=kind, html_title=title)
    return WebPage(source, web)


def web_state(record: DocumentRecord | None) -> dict[str, Any]:
    """The fetch record of a URL document ({} for a document from a file)."""
    state = record.extra.get("web") if record is not None else None
    return dict(state) if isinstance(state, dict) else {}


def store_page(page: WebPage, store: ChromaStore, options: IngestOptions,
               analyzer: TextAnalyzer) -> FileReport:
    """Store a page as the next version of its document (embeds only new text).

    The page at its URL is the article's authority, so a version that rewrites most of
    it is taken as it is (`replace`), unlike a local file stored under a wrong id.
    """
    report = ingest_source(page.source, store, dataclasses.replace(options, replace=True), analyzer,
                           extra={"web": page.web})
    report.path = page.web["url"]
    return report


def fetch_page(url: str, fetcher: Fetcher, doc_id: str = "", previous: DocumentRecord | None = None) -> WebPage | None:
    """Fetch and extract `url` (conditionally when `previous` has validators); None on a 304."""
    state = web_state(previous)
    fetched = fetcher.get(url, etag=state.get("etag", ""), last_modified=state.get("last_modified", ""))
    if fetched.not_modified:
        return None
    return page_from(fetched, doc_id or url_doc_id(url))


def ingest_url(url: str, store: ChromaStore, fetcher: Fetcher, options: IngestOptions,
               analyzer: TextAnalyzer) -> FileReport:
    """Fetch a page and store it as a new document or the next version of one (unconditional)."""
    url = url.strip()
    doc_id = options.doc_id or url_doc_id(url)
    page = fetch_page(url, fetcher, doc_id)
    if page is None:  # no validators were sent, so only a misbehaving server says 304
        raise FetchError(f"{url}: the server answered 304 Not Modified to a plain GET")
    if options.title:
        page.web["given_title"] = options.title  # a refresh keeps it
    return store_page(page, store, dataclasses.replace(options, url=url, doc_id=doc_id), analyzer)



def ingest_urls(urls: list[str], store: ChromaStore, fetcher: Fetcher, options: IngestOptions,
                analyzer: TextAnalyzer) -> IngestSummary:
    """Ingest pages one by one; a failed one is reported and leaves its stored version alone."""
    started = time.perf_counter()
    summary = IngestSummary()
    if options.doc_id and len(urls) > 1:
        raise InputError("--doc-id names one document; give a single URL with it")
    with store.writing():
        for url in urls:
            try:
                summary.add(ingest_url(url, store, fetcher, options, analyzer))
            except InputError as exc:
                summary.errors.append(str(exc))
    summary.seconds = round(time.perf_counter() - started, 3)
    return summary
