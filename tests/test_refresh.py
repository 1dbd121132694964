"""Web pages as documents, for real: ingest by URL, refresh with conditional GETs, gone pages,
failures that leave the stored version answerable, and followed RSS and Atom feeds. A local
HTTP server plays the news site; the store is a private copy of the session store."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from bot.answering import answer_question
from bot.cli import cli
from ingest.feeds import FeedList, follow, refresh_round
from ingest.fetching import Fetcher
from ingest.korean import KiwiAnalyzer
from ingest.pipeline import IngestOptions
from ingest.refresh import Refresher, parse_interval
from ingest.webpages import ingest_url, url_doc_id
from tests.conftest import WAIT_CEILING_S, clean_env, wait_or_kill
from tests.web_standin import Page, WebStandIn, html_page
from vectorstore.store import ChromaStore

TITLE = "Harborview approves tramline"
PARAS = [
    "The city council of Harborview approved a new tramline on Tuesday, linking the harbour district to the "
    "university campus in the north.",
    "Construction will begin next spring and is expected to cost 240 million dollars, most of it paid by a "
    "regional transport fund.",
    "Mayor Lena Ortiz said the line would carry thirty thousand passengers a day and cut car traffic on the "
    "coastal road by a fifth.",
    "Critics on the council argued that the budget leaves no money for bus routes in the eastern suburbs, "
    "which have waited years for service.",
]
CORRECTED = [PARAS[0], PARAS[1].replace("240 million", "310 million"), *PARAS[2:]]
COST_QUESTION = "How much will the tramline cost?"


@pytest.fixture(scope="session")
def analyzer() -> KiwiAnalyzer:
    return KiwiAnalyzer()


@pytest.fixture
def refresher(writable_store: ChromaStore, fetcher: Fetcher, analyzer: KiwiAnalyzer) -> Refresher:
    return Refresher(writable_store, fetcher, analyzer)


def article(paragraphs: list[str] = PARAS, **page: Any) -> Page:
    return Page(html_page(TITLE, paragraphs), **page)


def ingest(url: str, store: ChromaStore, fetcher: Fetcher, analyzer: KiwiAnalyzer) -> str:
    report = ingest_url(url, store, fetcher, IngestOptions(), analyzer)
    assert report.revision == 1 and report.embedded > 0
    return report.doc_id


def assert_answerable_from(store: ChromaStore, doc_id: str, revision: int, cost: str = "240 million") -> None:
    """The stored version is complete and a question about it is answered from it."""
    record = store.get_document(doc_id)
    assert record is not None and record.revision == revision
    chunks = store.document_chunks(doc_id)
    assert chunks is not None and [h.id for h in chunks.hits] == list(record.chunk_ids)
    answer = answer_question(COST_QUESTION, store)
    assert not answer.abstained and answer.passages[0].doc_id == doc_id
    assert cost in answer.passages[0].text


def only(summary: Any) -> Any:
    [result] = summary.results
    return result


# -- ingest by URL -----------------------------------------------------------------------------------

def test_a_url_becomes_a_document_that_remembers_where_and_when_it_was_fetched(
        web: WebStandIn, writable_store: ChromaStore, fetcher: Fetcher, analyzer: KiwiAnalyzer) -> None:
    final = web.serve("/2026/tram", article(etag='"v1"', last_modified="Mon, 02 Nov 2026 08:00:00 GMT"))
    url = web.redirect("/tram", final)

    doc_id = ingest(url, writable_store, fetcher, analyzer)

    assert doc_id == url_doc_id(url) == f"127.0.0.1-{web.port}-tram"
    record = writable_store.get_document(doc_id)
    assert record is not None and record.url == url and record.title == TITLE and record.paragraphs == PARAS
    web_record = record.extra["web"]
    assert web_record["final_url"] == final and web_record["etag"] == '"v1"'
    assert web_record["last_modified"] == "Mon, 02 Nov 2026 08:00:00 GMT" and web_record["fetched_at"]
    assert web_record["author"] == "Kim Reporter" and web_record["published"] == "2026-11-02"
    assert_answerable_from(writable_store, doc_id, revision=1)


# -- refresh -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("validator", ["etag", "last_modified"])
def test_an_unchanged_page_answers_304_and_nothing_is_embedded(
        web: WebStandIn, writable_store: ChromaStore, fetcher: Fetcher, analyzer: KiwiAnalyzer,
        refresher: Refresher, validator: str) -> None:
    value = '"v1"' if validator == "etag" else "Mon, 02 Nov 2026 08:00:00 GMT"
    url = web.serve("/tram", article(**{validator: value}))
    doc_id = ingest(url, writable_store, fetcher, analyzer)

    result = only(refresh_round(writable_store, refresher, None))

    assert (result.outcome, result.embedded, result.revision, result.message) == ("unchanged", 0, 1, "304 Not Modified")
    header = "If-None-Match" if validator == "etag" else "If-Modified-Since"
    last = web.requests_for("/tram")[-1]
    assert last.headers[header] == value and last.status == 304
    assert writable_store.get_document(doc_id).revision == 1  # type: ignore[union-attr]


def test_the_same_text_without_validators_embeds_nothing(
        web: WebStandIn, writable_store: ChromaStore, fetcher: Fetcher, analyzer: KiwiAnalyzer,
        refresher: Refresher) -> None:
    url = web.serve("/tram", article())
    ingest(url, writable_store, fetcher, analyzer)
    result = only(refresh_round(writable_store, refresher, None))
    assert (result.outcome, result.embedded, result.revision, result.message) == ("unchanged", 0, 1, "same text")


def test_a_changed_page_becomes_the_next_revision_with_a_change_report(
        web: WebStandIn, writable_store: ChromaStore, fetcher: Fetcher, analyzer: KiwiAnalyzer,
        refresher: Refresher) -> None:
    url = web.serve("/tram", article(etag='"v1"'), article(CORRECTED, etag='"v2"'))
    doc_id = ingest(url, writable_store, fetcher, analyzer)

    result = only(refresh_round(writable_store, refresher, None))

    assert (result.outcome, result.revision) == ("updated", 2)
    assert 0 < result.embedded <= 4, "only the edited paragraph, its sentences and windows"
    changes = result.changes
    assert (changes["changed"], changes["added"], changes["removed"], changes["unchanged"]) == (1, 0, 0, 3)
    assert changes["changes"][0]["paragraph"] == 2 and "310 million" in changes["changes"][0]["after"]
    assert writable_store.get_document(doc_id).extra["web"]["etag"] == '"v2"'  # type: ignore[union-attr]
    assert_answerable_from(writable_store, doc_id, revision=2, cost="310 million")
    again = only(refresh_round(writable_store, refresher, None))
    assert (again.outcome, again.embedded, again.revision) == ("unchanged", 0, 2)


@pytest.mark.parametrize("status", [404, 410])
def test_a_page_that_is_gone_stays_answerable_and_is_marked_gone(
        web: WebStandIn, writable_store: ChromaStore, fetcher: Fetcher, analyzer: KiwiAnalyzer,
        refresher: Refresher, store_copy_dir: Path, monkeypatch: pytest.MonkeyPatch, status: int) -> None:
    url = web.serve("/tram", article(), Page(b"gone", "text/plain", status))
    doc_id = ingest(url, writable_store, fetcher, analyzer)

    result = only(refresh_round(writable_store, refresher, None))

    assert (result.outcome, result.embedded, result.revision) == ("gone", 0, 1)
    assert "the last version stays answerable" in result.message
    assert_answerable_from(writable_store, doc_id, revision=1)
    monkeypatch.setenv("ARTICLEBOT_DATA_DIR", str(store_copy_dir))
    listed = CliRunner().invoke(cli, ["docs", "--json"])
    row = next(r for r in json.loads(listed.output) if r["doc_id"] == doc_id)
    assert row["status"].startswith("gone since ")


def test_a_server_error_keeps_the_document_backs_off_and_recovers(
        web: WebStandIn, writable_store: ChromaStore, fetcher: Fetcher, analyzer: KiwiAnalyzer,
        refresher: Refresher) -> None:
    url = web.serve("/tram", article(etag='"v1"'), Page(b"oops", "text/plain", 500), article(CORRECTED, etag='"v2"'))
    doc_id = ingest(url, writable_store, fetcher, analyzer)

    failed = only(refresh_round(writable_store, refresher, None))
    assert (failed.outcome, failed.embedded, failed.revision) == ("error", 0, 1)
    assert "HTTP 500" in failed.message
    assert_answerable_from(writable_store, doc_id, revision=1)
    state = writable_store.get_document(doc_id).extra["web"]  # type: ignore[union-attr]
    assert state["failures"] == 1 and state["retry_at"] > state["checked_at"]

    asked = len(web.requests_for("/tram"))
    waiting = only(refresh_round(writable_store, refresher, None))
    assert waiting.outcome == "waiting" and len(web.requests_for("/tram")) == asked, "backing off: not asked"

    recovered = only(refresh_round(writable_store, refresher, None, doc_ids=[doc_id]))
    assert (recovered.outcome, recovered.revision) == ("updated", 2), "a named document is asked at once"
    assert writable_store.get_document(doc_id).extra["web"]["failures"] == 0  # type: ignore[union-attr]


# -- failures through the CLI: one line, non-zero exit, the stored version untouched ---------------------

def _slow_page() -> Page:
    return article(CORRECTED, hold=threading.Event())


FAILURES = {
    "server-error": (lambda: Page(b"oops", "text/plain", 500), "the server answered HTTP 500"),
    "too-slow": (_slow_page, "no answer in time"),
    "pdf": (lambda: Page(b"%PDF-1.7\n%\xe2\xe3\n", "application/pdf"), "is application/pdf, not a web page"),
    "image": (lambda: Page(b"\xff\xd8\xff\xe0JFIF", "image/jpeg"), "is image/jpeg, not a web page"),
    "too-big": (lambda: article(CORRECTED + ["x" * 200_000], chunked=True), "over the 0.1 MB limit"),
    "empty": (lambda: Page(b"<html><body><div><img src='a.jpg'></div></body></html>"), "no article text found"),
}


@pytest.mark.parametrize("case", FAILURES)
def test_a_failed_fetch_is_one_line_and_leaves_the_stored_version_answerable(
        web: WebStandIn, writable_store: ChromaStore, fetcher: Fetcher, analyzer: KiwiAnalyzer,
        store_copy_dir: Path, monkeypatch: pytest.MonkeyPatch, case: str) -> None:
    make_page, message = FAILURES[case]
    url = web.serve("/tram", article(), make_page())
    doc_id = ingest(url, writable_store, fetcher, analyzer)
    monkeypatch.setenv("ARTICLEBOT_DATA_DIR", str(store_copy_dir))
    monkeypatch.setenv("FETCH_READ_TIMEOUT_S", "0.3")
    monkeypatch.setenv("FETCH_MAX_MB", str(100_000 / 1024 / 1024))

    done = CliRunner().invoke(cli, ["ingest", url, "--allow-private"])

    assert done.exit_code == 1
    error = done.output.strip().splitlines()[-1]
    assert error.startswith(f"Error: {url}: ") and message in error
    assert_answerable_from(writable_store, doc_id, revision=1)


def test_urls_need_http_or_https_and_a_public_host_unless_allowed(store_copy_dir: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ARTICLEBOT_DATA_DIR", str(store_copy_dir))
    runner = CliRunner()
    for url, message in [("file:///etc/passwd", "only http and https URLs can be fetched, not file:"),
                         ("ftp://example.com/x", "not ftp:"),
                         ("http://127.0.0.1:9/x", "private, loopback or link-local address (127.0.0.1); use --allow-private")]:
        done = runner.invoke(cli, ["ingest", url])
        assert done.exit_code == 1 and message in done.output, done.output


# -- feeds -------------------------------------------------------------------------------------------

def rss(items: list[tuple[str, str]]) -> bytes:
    entries = "".join(f"<item><title>Story</title><link>{link}</link><pubDate>{stamp}</pubDate></item>"
                      for link, stamp in items)
    return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>Harborview News</title>'
            f"<link>http://example.com/</link><description>d</description>{entries}</channel></rss>").encode()


def atom(items: list[tuple[str, str]]) -> bytes:
    entries = "".join(f'<entry><title>Story</title><link href="{link}"/><id>{link}</id><updated>{stamp}</updated></entry>'
                      for link, stamp in items)
    return (f'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
            f"<title>Harborview News</title><id>urn:feed</id><updated>2026-11-02T08:00:00Z</updated>{entries}</feed>").encode()


FEED_FORMATS = {
    "rss": (rss, "application/rss+xml", ["Mon, 02 Nov 2026 08:00:00 GMT", "Tue, 03 Nov 2026 08:00:00 GMT"]),
    "atom": (atom, "application/atom+xml", ["2026-11-02T08:00:00Z", "2026-11-03T08:00:00Z"]),
}


@pytest.mark.parametrize("kind", FEED_FORMATS)
def test_a_followed_feed_brings_in_new_items_and_re_ingests_updated_ones(
        web: WebStandIn, writable_store: ChromaStore, refresher: Refresher, store_copy_dir: Path,
        monkeypatch: pytest.MonkeyPatch, kind: str) -> None:
    render, content_type, (day1, day2) = FEED_FORMATS[kind]
    second = ["The harbour ferry will run every ten minutes from June, the port authority announced on Monday.",
              "Tickets will cost two dollars, and the ferry will connect with the new tramline at the harbour."]
    first_url = web.serve("/s1", article(etag='"a1"'), article(CORRECTED, etag='"a2"'))
    second_url = web.serve("/s2", Page(html_page("Ferry", second), etag='"b1"'))
    third_url = web.serve("/s3", Page(html_page("Bus routes", [PARAS[3], PARAS[2]]), etag='"c1"'))
    feed_url = web.serve("/feed", Page(render([(first_url, day1), (second_url, day1)]), content_type, etag='"f1"'),
                         Page(render([(third_url, day2), (first_url, day2), (second_url, day1)]), content_type,
                              etag='"f2"'))
    feeds = FeedList(store_copy_dir)

    feed, followed = follow(feed_url, feeds, refresher)

    assert feed.title == "Harborview News" and set(feed.items) == {first_url, second_url}
    assert [r.outcome for r in followed.results] == ["new", "new"]
    round_ = refresh_round(writable_store, refresher, feeds)
    outcomes = {r.url: (r.outcome, r.revision) for r in round_.results}
    assert outcomes == {third_url: ("new", 1), first_url: ("updated", 2), second_url: ("unchanged", 1)}
    assert round_.to_dict()["embedded"] == sum(r.embedded for r in round_.results if r.outcome != "unchanged")
    quiet = refresh_round(writable_store, refresher, feeds)
    assert {r.outcome for r in quiet.results} == {"unchanged"} and quiet.embedded == 0
    assert web.requests_for("/feed")[-1].status == 304

    monkeypatch.setenv("ARTICLEBOT_DATA_DIR", str(store_copy_dir))
    listed = CliRunner().invoke(cli, ["feeds", "--json"])
    assert [f["url"] for f in json.loads(listed.output)] == [feed_url]
    assert CliRunner().invoke(cli, ["unfollow", feed_url]).exit_code == 0
    assert FeedList(store_copy_dir).all() == []
    assert writable_store.get_document(url_doc_id(third_url)) is not None, "articles stay after unfollow"


# -- the command -------------------------------------------------------------------------------------

def test_refresh_every_prints_one_json_line_per_round_until_stopped(web: WebStandIn, store_copy_dir: Path,
                                                                   writable_store: ChromaStore, fetcher: Fetcher,
                                                                   analyzer: KiwiAnalyzer) -> None:
    url = web.serve("/tram", article(etag='"v1"'))
    doc_id = ingest(url, writable_store, fetcher, analyzer)
    proc = subprocess.Popen([sys.executable, "-m", "bot.cli", "refresh", "--every", "0.5s", "--json", "--allow-private"],
                            env=clean_env(store_copy_dir), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        rounds = [json.loads(proc.stdout.readline()) for _ in range(2)]  # type: ignore[union-attr]
    finally:
        proc.send_signal(signal.SIGINT)
    assert wait_or_kill(proc, WAIT_CEILING_S) == 0
    for round_ in rounds:
        assert (round_["checked"], round_["unchanged"], round_["embedded"]) == (1, 1, 0)
        assert round_["documents"][0]["doc_id"] == doc_id


def test_refresh_names_unknown_documents_and_bad_intervals_in_one_line(store_copy_dir: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ARTICLEBOT_DATA_DIR", str(store_copy_dir))
    runner = CliRunner()
    unknown = runner.invoke(cli, ["refresh", "no-such-doc"])
    assert unknown.exit_code == 1 and unknown.output.strip() == "Error: no document 'no-such-doc'"
    from_file = runner.invoke(cli, ["refresh", "microsoft-openai-tensions.ko"])
    assert from_file.exit_code == 1 and "was ingested from a file, not a URL" in from_file.output
    bad = runner.invoke(cli, ["refresh", "--every", "soon"])
    assert bad.exit_code == 1 and "--every takes a duration like 30m" in bad.output
    assert parse_interval("30m") == 1800 and parse_interval("2h") == 7200 and parse_interval("90s") == 90
