"""Web pages and feeds on the command line: `ingest URL…`, `refresh`, `follow`, `feeds`, `unfollow`.

These are operator commands; nothing a Slack user sends can fetch a URL. Imports
stay lazy so `articlebot --help` is instant.
"""

from __future__ import annotations

import contextlib
import json
import re
import threading
from typing import TYPE_CHECKING, Any

import click

from bot.cli_support import load_settings, user_errors

if TYPE_CHECKING:
    from bot.settings import Settings
    from ingest.pipeline import EmbedProgress, IngestSummary
    from ingest.refresh import RefreshSummary
    from vectorstore.records import DocumentRecord

_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]+:")
ALLOW_PRIVATE_HELP = "Also fetch hosts on private, loopback and link-local addresses (intranets, tests)."


def is_url(argument: str) -> bool:
    """A scheme (two letters or more, so not a Windows drive) and no such file: a URL, safe or not."""
    from pathlib import Path

    return bool(_SCHEME.match(argument)) and not Path(argument).exists()


def ingest_urls_command(settings: "Settings", urls: list[str], title: str, doc_id: str,
                        allow_private: bool, allow_duplicate: bool = False,
                        on_embedded: "EmbedProgress | None" = None) -> "IngestSummary":
    """`articlebot ingest URL…`: fetch, extract and store each page (failures leave the store alone)."""
    from bot.runtime import fetch_limits, ingest_options, open_store
    from ingest.fetching import Fetcher
    from ingest.korean import KiwiAnalyzer
    from ingest.webpages import ingest_urls

    options = ingest_options(settings, title=title, doc_id=doc_id, allow_duplicate=allow_duplicate,
                             on_embedded=on_embedded)
    with Fetcher(fetch_limits(settings, allow_private)) as fetcher:
        return ingest_urls(urls, open_store(settings), fetcher, options, KiwiAnalyzer())


def document_status(record: "DocumentRecord") -> str:
    """For `docs`: "gone since …", "failing (n) …", "web" for a URL document, "" for a file."""
    from ingest.webpages import web_state

    state = web_state(record)
    if not state:
        return ""
    if state.get("status") == "gone":
        return f"gone since {str(state.get('gone_since', ''))[:10]}"
    if state.get("failures"):
        return f"failing ({state['failures']}), retry after {str(state.get('retry_at', ''))[:16]}"
    return "web"


# -- refresh ---------------------------------------------------------------------------------

def refresh_lines(summary: "RefreshSummary", slack: Any = None) -> list[str]:
    """One line for the round, then one per document that did not stay the same."""
    counts = summary.to_dict()
    head = (f"{counts['checked']} checked: {counts['updated']} updated, {counts['new']} new, "
            f"{counts['unchanged']} unchanged, {counts['gone']} gone, {counts['error']} failed"
            + (f", {counts['waiting']} backing off" if counts["waiting"] else "")
            + f"; {summary.embedded} texts embedded")
    if slack is not None and (slack.notes or slack.summaries or slack.failures):
        head += f"; {slack.notes} Slack note(s), {slack.summaries} summary(ies)"
    lines = [f"{head} in {summary.seconds:.2f} s"]
    for result in summary.results:
        if result.outcome in ("unchanged", "waiting"):
            continue
        name = result.doc_id or result.url
        if result.outcome in ("updated", "new"):
            changes = result.changes
            lines.append(f"  {name}: {result.outcome}, revision {result.revision}: "
                         f"{changes.get('changed', 0)} changed, {changes.get('added', 0)} added, "
                         f"{changes.get('removed', 0)} removed; {result.embedded} texts embedded")
            lines += [f"    ¶ {c['paragraph']} before: {c['before']}\n    ¶ {c['paragraph']} after:  {c['after']}"
                      for c in changes.get("changes", []) if result.outcome == "updated"]
        else:
            lines.append(f"  {name}: {result.outcome}: {result.message}")
    lines += [f"  {failure}" for failure in (slack.failures if slack is not None else [])]
    return lines


def _print_round(summary: "RefreshSummary", slack: Any, json_: bool) -> None:
    from datetime import datetime, timezone

    if json_:
        payload = {"at": datetime.now(timezone.utc).isoformat(timespec="seconds"), **summary.to_dict()}
        if slack is not None:
            payload["slack"] = {"notes": slack.notes, "summaries": slack.summaries, "failures": slack.failures}
        click.echo(json.dumps(payload, ensure_ascii=False))
        return
    for line in refresh_lines(summary, slack):
        click.echo(line)


@click.command()
@click.argument("doc_ids", nargs=-1)
@click.option("--every", default="", metavar="DURATION",
              help="Keep running: refresh every 30m, 2h, 90s … (one line per refresh) until Ctrl-C.")
@click.option("--allow-private", is_flag=True, help=ALLOW_PRIVATE_HELP)
@click.option("json_", "--json", is_flag=True, help="Print each refresh as one line of JSON.")
@user_errors
def refresh(doc_ids: tuple[str, ...], every: str, allow_private: bool, json_: bool) -> None:
    """Re-fetch URL documents (all, or DOC_IDS) and followed feeds; store only what changed.

    Conditional GETs: an unchanged page embeds nothing. A page that is gone stays answerable
    and is marked gone (see `articlebot docs`); a failing one is kept and retried later.
    Slack threads whose answer quoted a changed passage get one note (SLACK_UPDATE_NOTES).
    """
    from bot.runtime import fetch_limits, open_store
    from bot.slack.updates import UpdateNotifier
    from ingest.feeds import FeedList, refresh_round
    from ingest.fetching import Fetcher
    from ingest.refresh import Refresher, parse_interval
    from ingest.watching import stop_on_ctrl_c

    interval = parse_interval(every) if every else 0.0
    settings = load_settings()
    store = open_store(settings)
    notifier = UpdateNotifier.from_settings(settings)
    feeds = FeedList(settings.data_dir)
    stopping = stop_on_ctrl_c() if interval else contextlib.nullcontext(threading.Event())
    with Fetcher(fetch_limits(settings, allow_private)) as fetcher, stopping as stop:
        refresher = Refresher(store, fetcher, on_revision=notifier.collect if notifier else None,
                              max_bytes=int(settings.max_file_mb * 1024 * 1024))
        while True:
            summary = refresh_round(store, refresher, feeds, list(doc_ids))
            _print_round(summary, notifier.deliver() if notifier else None, json_)
            if not interval:
                break
            if stop.wait(interval):
                return
    if summary.failed:
        raise click.ClickException(f"{summary.count('error')} of {len(summary.results)} could not be refreshed "
                                   "(kept as they were; see above)")


# -- feeds -----------------------------------------------------------------------------------

@click.command()
@click.argument("feed_url")
@click.option("--allow-private", is_flag=True, help=ALLOW_PRIVATE_HELP)
@click.option("json_", "--json", is_flag=True, help="Print the result as JSON.")
@user_errors
def follow(feed_url: str, allow_private: bool, json_: bool) -> None:
    """Follow an RSS or Atom feed: ingest every item's page now, new and changed ones on each refresh."""
    from bot.runtime import fetch_limits, open_store
    from ingest.feeds import FeedList, follow as follow_feed
    from ingest.fetching import Fetcher
    from ingest.refresh import Refresher

    settings = load_settings()
    with Fetcher(fetch_limits(settings, allow_private)) as fetcher:
        refresher = Refresher(open_store(settings), fetcher, max_bytes=int(settings.max_file_mb * 1024 * 1024))
        feed, summary = follow_feed(feed_url, FeedList(settings.data_dir), refresher)
    if json_:
        click.echo(json.dumps({"feed": feed.url, "title": feed.title, **summary.to_dict()}, ensure_ascii=False))
    else:
        click.echo(f"Following {feed.title or feed.url} ({len(feed.items)} items).")
        for line in refresh_lines(summary):
            click.echo(line)
    if summary.failed:
        raise click.ClickException(f"{summary.count('error')} item page(s) could not be ingested; "
                                   "they are tried again on the next refresh")


@click.command()
@click.option("json_", "--json", is_flag=True, help="Print the list as JSON.")
@user_errors
def feeds(json_: bool) -> None:
    """List followed feeds."""
    from dataclasses import asdict

    from ingest.feeds import FeedList

    followed = FeedList(load_settings().data_dir).all()
    if json_:
        click.echo(json.dumps([asdict(f) for f in followed], ensure_ascii=False, indent=2))
        return
    if not followed:
        click.echo("No feeds followed yet: articlebot follow FEED_URL")
    for feed in followed:
        click.echo(f"{feed.url}  {feed.title or '(untitled)'}  {len(feed.items)} items, "
                   f"checked {feed.checked_at[:16].replace('T', ' ')}")


@click.command()
@click.argument("feed_url")
@user_errors
def unfollow(feed_url: str) -> None:
    """Stop following a feed (its articles stay; `articlebot remove DOC_ID` deletes one)."""
    from ingest.feeds import FeedList

    feed_list = FeedList(load_settings().data_dir)
    if feed_list.remove(feed_url.strip()) is None:
        known = ", ".join(f.url for f in feed_list.all()) or "none"
        raise click.ClickException(f"not following {feed_url} (followed: {known})")
    click.echo(f"Stopped following {feed_url}; its articles stay in the store.")


COMMANDS = (refresh, follow, feeds, unfollow)
