"""Re-fetch URL documents and store what changed; the outcomes `articlebot refresh` reports.

Each document is asked for with a conditional GET (If-None-Match, If-Modified-Since).
A 304, or a 200 with the same text, embeds nothing; changed text becomes the next
revision through the same pipeline as any ingest (atomic switch, change report).
A page that is gone (404/410) stays answerable from its last version and is marked
gone; a network error or a 5xx keeps the document, is reported, and backs off, so
a site that is down is not hammered on every run.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Callable, Iterable

from ingest.fetching import Fetcher, FetchError, PageGone, now_iso
from ingest.korean import KiwiAnalyzer, TextAnalyzer
from ingest.pipeline import IngestOptions
from ingest.reading import InputError
from ingest.webpages import fetch_page, ingest_url, store_page, url_doc_id, web_state
from vectorstore.records import DocumentRecord
from vectorstore.store import ChromaStore

BACKOFF_FIRST = timedelta(minutes=5)
BACKOFF_LONGEST = timedelta(hours=24)

OnRevision = Callable[[DocumentRecord, DocumentRecord], None]
"""Called with (previous, current) for each document a refresh changed."""


@dataclass
class RefreshResult:
    """What happened to one document: new, updated, unchanged, gone, error or waiting."""

    doc_id: str
    url: str
    outcome: str
    revision: int = 0
    embedded: int = 0
    message: str = ""
    changes: dict[str, Any] = field(default_factory=dict)


@dataclass
class RefreshSummary:
    results: list[RefreshResult] = field(default_factory=list)
    seconds: float = 0.0

    def count(self, outcome: str) -> int:
        return sum(1 for r in self.results if r.outcome == outcome)

    @property
    def embedded(self) -> int:
        return sum(r.embedded for r in self.results)

    @property
    def failed(self) -> bool:
        return any(r.outcome == "error" for r in self.results)

    def to_dict(self) -> dict[str, Any]:
        counts = {o: self.count(o) for o in ("new", "updated", "unchanged", "gone", "error", "waiting")}
        return {"checked": len(self.results), **counts, "embedded": self.embedded, "seconds": self.seconds,
                "documents": [asdict(r) for r in self.results]}


def backoff_until(failures: int, now: datetime) -> str:
    """When to try a failing page again: 5 min, doubling per failure, at most a day."""
    wait = min(BACKOFF_FIRST * (2 ** max(failures - 1, 0)), BACKOFF_LONGEST)
    return (now + wait).isoformat(timespec="seconds")


def url_documents(store: ChromaStore, doc_ids: Iterable[str] = ()) -> list[DocumentRecord]:
    """The URL documents to refresh: all of them, or the named ones (unknown or file ids refused)."""
    wanted = list(doc_ids)
    if not wanted:
        # The listing reads no texts; the URL documents' records are read again, whole
        # (one removed since the listing is simply not found).
        return store.get_documents([r.doc_id for r in store.list_documents() if web_state(r)])
    records = []
    for doc_id in wanted:
        record = store.get_document(doc_id)
        if record is None:
            raise InputError(f"no document {doc_id!r}")
        if not web_state(record):
            raise InputError(f"{doc_id}: was ingested from a file, not a URL; re-ingest the file instead")
        records.append(record)
    return records


class Refresher:
    """Refreshes URL documents with one fetcher and analyzer (reused across `--every` rounds).

    The caller holds the store's writer lock (`refresh_round` does).
    """

    def __init__(self, store: ChromaStore, fetcher: Fetcher, analyzer: TextAnalyzer | None = None,
                 on_revision: OnRevision | None = None, max_bytes: int = 20 * 1024 * 1024) -> None:
        self.store = store
        self.fetcher = fetcher
        self._analyzer = analyzer
        self._on_revision = on_revision
        self._max_bytes = max_bytes

    @property
    def analyzer(self) -> TextAnalyzer:
        """Kiwi loads only when some page really changed."""
        if self._analyzer is None:
            self._analyzer = KiwiAnalyzer()
        return self._analyzer

    def ingest(self, url: str) -> RefreshResult:
        """Fetch a page no document has yet (a feed's new item); a known one is refreshed instead."""
        doc_id = url_doc_id(url)
        record = self.store.get_document(doc_id)
        if record is not None and web_state(record):
            return self.refresh_one(record, force=True)
        try:
            report = ingest_url(url, self.store, self.fetcher, IngestOptions(max_bytes=self._max_bytes),
                                self.analyzer)
        except InputError as exc:  # FetchError included
            return RefreshResult(doc_id, url, "error", message=str(exc))
        outcome = "new" if report.changes.get("first_version") else "updated"
        return RefreshResult(doc_id, url, outcome, report.revision, report.embedded, changes=report.changes)

    def refresh_one(self, record: DocumentRecord, force: bool = False) -> RefreshResult:
        state = web_state(record)
        url = str(state.get("url") or record.url)
        now = datetime.now(timezone.utc)
        retry_at = str(state.get("retry_at", ""))
        if not force and retry_at and retry_at > now.isoformat(timespec="seconds"):
            return RefreshResult(record.doc_id, url, "waiting", record.revision,
                                 message=f"backing off after {state.get('failures', 0)} failure(s) "
                                         f"until {retry_at}: {state.get('last_error', '')}")
        try:
            page = fetch_page(url, self.fetcher, record.doc_id, previous=record)
        except PageGone as exc:
            self._mark(record, status="gone", gone_since=state.get("gone_since") or now_iso(),
                       http_status=exc.status, last_error=str(exc), failures=0, retry_at="")
            return RefreshResult(record.doc_id, url, "gone", record.revision,
                                 message=f"{exc}; the last version stays answerable")
        except (FetchError, InputError) as exc:
            failures = int(state.get("failures", 0)) + 1
            self._mark(record, failures=failures, retry_at=backoff_until(failures, now), last_error=str(exc))
            return RefreshResult(record.doc_id, url, "error", record.revision, message=str(exc))
        if page is None:
            self._mark(record, status="ok", failures=0, retry_at="", last_error="", gone_since="")
            return RefreshResult(record.doc_id, url, "unchanged", record.revision, message="304 Not Modified")
        options = IngestOptions(title=str(state.get("given_title", "")), url=url, doc_id=record.doc_id,
                                max_bytes=self._max_bytes)
        report = store_page(page, self.store, options, self.analyzer)
        if report.unchanged:
            return RefreshResult(record.doc_id, url, "unchanged", report.revision, report.embedded,
                                 message="same text")
        current = self.store.get_document(record.doc_id)
        if self._on_revision is not None and current is not None:
            self._on_revision(record, current)
        return RefreshResult(record.doc_id, url, "updated", report.revision, report.embedded,
                             changes=report.changes)

    def _mark(self, record: DocumentRecord, **changes: Any) -> None:
        """Record a check's result on the document (its text and chunks stay as they are).

        Nothing is written when only the time of the check would change: a round of
        304s then costs no store writes at all.
        """
        before = web_state(record)
        web = {**before, **changes}
        if {k: v for k, v in web.items() if k != "checked_at"} != {k: v for k, v in before.items() if k != "checked_at"}:
            web["checked_at"] = now_iso()
            self.store.merge_extra(record.doc_id, {"web": web})


def parse_interval(text: str) -> float:
    """Seconds in "90s", "30m", "2h" or "1d" (a plain number is minutes)."""
    units = {"s": 1, "m": 60, "h": 3600, "d": 86400}
    raw = text.strip().lower()
    unit = raw[-1] if raw and raw[-1] in units else "m"
    number = raw[:-1] if raw and raw[-1] in units else raw
    try:
        seconds = float(number) * units[unit]
    except ValueError:
        raise InputError(f"--every takes a duration like 30m, 2h or 90s, not {text!r}") from None
    if seconds <= 0:
        raise InputError("--every must be longer than zero")
    return seconds
