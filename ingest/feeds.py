"""Followed RSS and Atom feeds, and one refresh round over feeds and URL documents.

A followed feed is kept in `feeds.json` in the data folder (its URL, title,
validators and, per item link, the item's `<updated>`/`<published>` stamp).
A round asks each feed with a conditional GET; new items' pages are ingested,
items whose stamp changed are re-fetched; then every other URL document is
refreshed. feedparser only parses bytes we fetched: it never fetches itself.
"""

from __future__ import annotations

import json
import os
import time
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Iterator

from ingest.fetching import Fetcher, FetchError, now_iso
from ingest.reading import InputError
from ingest.refresh import RefreshResult, RefreshSummary, Refresher, url_documents
from ingest.webpages import url_doc_id
from vectorstore.store import ChromaStore

FEEDS_FILE = "feeds.json"
FEED_ACCEPT = "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"


@dataclass(frozen=True)
class FeedItem:
    link: str
    stamp: str  # <updated>, else <published>, else "" (then only a new link counts)
    title: str = ""


@dataclass
class Feed:
    url: str
    title: str = ""
    etag: str = ""
    last_modified: str = ""
    added_at: str = ""
    checked_at: str = ""
    items: dict[str, str] = field(default_factory=dict)  # item link -> stamp last seen


def parse_feed(url: str, body: bytes) -> tuple[str, list[FeedItem]]:
    """(feed title, items) from RSS or Atom bytes; `InputError` when it is not a feed."""
    import feedparser

    parsed = feedparser.parse(body)
    if not parsed.get("version") and not parsed.entries:
        reason = parsed.get("bozo_exception")
        raise InputError(f"{url}: is not an RSS or Atom feed" + (f" ({reason})" if reason else ""))
    items = []
    for entry in parsed.entries:
        link = str(entry.get("link") or "").strip()
        if link:
            # dict.get: feedparser's own get maps a missing `updated` to `published`, with a warning.
            stamp = str(dict.get(entry, "updated") or dict.get(entry, "published") or "")
            items.append(FeedItem(link, stamp, str(entry.get("title") or "")))
    return str(parsed.feed.get("title") or ""), items


class FeedList:
    """`feeds.json` in the data folder; every change is a locked read-modify-replace."""

    def __init__(self, data_dir: Path) -> None:
        self.path = Path(data_dir) / FEEDS_FILE

    def all(self) -> list[Feed]:
        if not self.path.exists():
            return []
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise InputError(f"cannot read the followed feeds in {self.path}: {exc}") from exc
        return [Feed(**entry) for entry in raw]

    def get(self, url: str) -> Feed | None:
        return next((f for f in self.all() if f.url == url), None)

    @contextmanager
    def editing(self) -> Iterator[dict[str, Feed]]:
        """The feeds by URL, to change in place; written back (atomically) on exit."""
        from filelock import FileLock

        self.path.parent.mkdir(parents=True, exist_ok=True)
        with FileLock(str(self.path) + ".lock"):
            feeds = {f.url: f for f in self.all()}
            yield feeds
            temporary = self.path.with_suffix(".tmp")
            temporary.write_text(json.dumps([asdict(f) for f in feeds.values()], ensure_ascii=False, indent=1),
                                 encoding="utf-8")
            os.replace(temporary, self.path)

    def save(self, feed: Feed) -> None:
        with self.editing() as feeds:
            feeds[feed.url] = feed

    def remove(self, url: str) -> Feed | None:
        with self.editing() as feeds:
            return feeds.pop(url, None)


def fetch_feed(url: str, fetcher: Fetcher, feed: Feed | None = None) -> tuple[str, list[FeedItem], Any] | None:
    """(title, items, response) of a feed; None when a conditional GET says 304."""
    fetched = fetcher.get(url, etag=feed.etag if feed else "", last_modified=feed.last_modified if feed else "",
                          accept=FEED_ACCEPT)
    if fetched.not_modified:
        return None
    title, items = parse_feed(url, fetched.body)
    return title, items, fetched


def follow(url: str, feeds: FeedList, refresher: Refresher) -> tuple[Feed, RefreshSummary]:
    """Start following a feed: ingest every item's page now; later rounds pick up changes."""
    url = url.strip()
    started = time.perf_counter()
    got = fetch_feed(url, refresher.fetcher)
    if got is None:
        raise FetchError(f"{url}: the server answered 304 Not Modified to a plain GET")
    title, items, fetched = got
    summary = RefreshSummary()
    feed = Feed(url, title, fetched.etag, fetched.last_modified, added_at=now_iso(), checked_at=now_iso())
    with refresher.store.writing():
        for item in items:
            result = refresher.ingest(item.link)
            summary.results.append(result)
            if result.outcome != "error":
                feed.items[item.link] = item.stamp
    feeds.save(feed)
    summary.seconds = round(time.perf_counter() - started, 3)
    return feed, summary


def _refresh_feed(feed: Feed, refresher: Refresher, summary: RefreshSummary) -> set[str]:
    """New and changed items of one feed; returns the doc ids it dealt with."""
    handled: set[str] = set()
    try:
        got = fetch_feed(feed.url, refresher.fetcher, feed)
    except InputError as exc:  # FetchError included: the feed's items are still refreshed one by one
        summary.results.append(RefreshResult("", feed.url, "error", message=f"feed: {exc}"))
        return handled
    feed.checked_at = now_iso()
    if got is None:
        return handled
    feed.title, items, fetched = got[0] or feed.title, got[1], got[2]
    feed.etag, feed.last_modified = fetched.etag, fetched.last_modified
    for item in items:
        known = item.link in feed.items
        if known and feed.items[item.link] == item.stamp:
            continue
        record = refresher.store.get_document(url_doc_id(item.link)) if known else None
        result = refresher.refresh_one(record, force=True) if record is not None else refresher.ingest(item.link)
        summary.results.append(result)
        handled.add(result.doc_id)
        if result.outcome != "error":
            feed.items[item.link] = item.stamp
    return handled


def refresh_round(store: ChromaStore, refresher: Refresher, feeds: FeedList | None,
                  doc_ids: list[str] | None = None) -> RefreshSummary:
    """One refresh: followed feeds first (all documents asked for), then URL documents.

    Named documents are refreshed even while backing off, and feeds are skipped.
    """
    started = time.perf_counter()
    summary = RefreshSummary()
    records = url_documents(store, doc_ids or ())
    handled: set[str] = set()
    with store.writing():
        if feeds is not None and not doc_ids:
            with feeds.editing() as followed:
                for feed in followed.values():
                    handled |= _refresh_feed(feed, refresher, summary)
        for record in records:
            if record.doc_id not in handled:
                summary.results.append(refresher.refresh_one(record, force=bool(doc_ids)))
    summary.seconds = round(time.perf_counter() - started, 3)
    return summary

