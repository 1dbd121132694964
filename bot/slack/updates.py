""""The passage I quoted has changed": notes in Slack threads after a refresh.

The bot records every answer it posts with the passages it quoted (`FeedbackStore`).
A refresh hands each revision it made over as (previous, current). A quoted
paragraph whose exact text was in the previous version and is not in the current
one was changed or removed by this refresh, so its thread gets one short reply:
which passage, when, before → after, and that the article was updated. Text an
earlier refresh changed is no longer in the previous version, so a thread hears
about each change once; a paragraph that only moved is not a change.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Sequence

from bot.slack.blocks import SlackMessage, clip, document_title, escape, notice_message
from bot.slack.feedback import FeedbackStore, PostedAnswer
from ingest.changes import before_after, compare_paragraphs, paragraph_fates
from vectorstore.records import DocumentRecord

if TYPE_CHECKING:
    from slack_sdk import WebClient

    from bot.settings import Settings

log = logging.getLogger("articlebot.slack.updates")

MAX_CHANGES_SHOWN = 3  # a note stays short even when an answer quoted several changed passages
Revision = tuple[DocumentRecord, DocumentRecord]


@dataclass(frozen=True)
class PassageChange:
    """A quoted paragraph that a refresh changed (`after`) or removed (`after` is None)."""

    doc_id: str
    title: str
    url: str
    paragraph: int  # its number in the previous version
    before: str
    after: str | None
    updated_at: str
    revision: int


@dataclass
class ThreadNote:
    channel: str
    thread_ts: str
    changes: list[PassageChange] = field(default_factory=list)


@dataclass
class DeliveryReport:
    notes: int = 0
    summaries: int = 0
    failures: list[str] = field(default_factory=list)


def passage_changes(previous: DocumentRecord, current: DocumentRecord) -> dict[str, PassageChange]:
    """Paragraphs of `previous` that `current` changed or dropped, by their old text."""
    kept = set(current.paragraphs)
    found: dict[str, PassageChange] = {}
    for old, new in paragraph_fates(previous.paragraphs, current.paragraphs).items():
        text = previous.paragraphs[old]
        if text in kept or not text.strip():
            continue  # moved, not changed
        found.setdefault(text, PassageChange(
            doc_id=current.doc_id, title=document_title(current), url=current.url, paragraph=old + 1,
            before=text, after=current.paragraphs[new] if new is not None else None,
            updated_at=current.updated_at, revision=current.revision,
        ))
    return found


def thread_notes(answers: Sequence[PostedAnswer], revisions: Sequence[Revision]) -> list[ThreadNote]:
    """One note per thread whose answers quoted a changed passage (each change listed once)."""
    changes = {current.doc_id: passage_changes(previous, current) for previous, current in revisions}
    notes: dict[tuple[str, str], ThreadNote] = {}
    for answer in answers:
        for passage in answer.passages:
            change = changes.get(str(passage.get("doc_id", "")), {}).get(str(passage.get("text", "")))
            if change is None:
                continue
            note = notes.setdefault((answer.channel, answer.thread_ts), ThreadNote(answer.channel, answer.thread_ts))
            if change not in note.changes:
                note.changes.append(change)
    return list(notes.values())


def _when(iso: str) -> str:
    return iso[:16].replace("T", " ") + " UTC" if iso else "just now"


def note_message(note: ThreadNote) -> SlackMessage:
    """The reply: the article was updated, when, and each quoted passage before → after."""
    first = note.changes[0]
    lines = [f"📝 *The article quoted above was updated* ({_when(first.updated_at)}): "
             f"*{escape(clip(first.title, 150))}*, revision {first.revision}."]
    for change in note.changes[:MAX_CHANGES_SHOWN]:
        if change.after is None:
            lines.append(f"¶ {change.paragraph} was removed:\n>~{escape(clip(change.before, 200))}~")
            continue
        before, after = before_after(change.before, change.after)
        lines.append(f"¶ {change.paragraph} changed:\n>before: “{escape(before)}”\n>after:  “{escape(after)}”")
    if len(note.changes) > MAX_CHANGES_SHOWN:
        lines.append(f"… and {len(note.changes) - MAX_CHANGES_SHOWN} more quoted passage(s).")
    if first.url:
        lines.append(f"<{first.url}|Read the updated article>")
    return notice_message("\n".join(lines))


def summary_message(previous: DocumentRecord, current: DocumentRecord) -> SlackMessage:
    """One line per refreshed article, for SLACK_UPDATES_CHANNEL."""
    report = compare_paragraphs(previous.paragraphs, current.paragraphs)
    link = f" <{current.url}|Read it>" if current.url else ""
    return notice_message(
        f"📰 *{escape(clip(document_title(current), 150))}* was updated ({_when(current.updated_at)}), "
        f"revision {current.revision}: {report.changed} changed, {report.added} added, "
        f"{report.removed} removed paragraph(s).{link}")


class UpdateNotifier:
    """Collects a refresh's revisions (`collect` is its `on_revision`), then posts once (`deliver`)."""

    def __init__(self, client: "WebClient", feedback: FeedbackStore, max_age_s: float,
                 notes: bool = True, updates_channel: str = "") -> None:
        self._client = client
        self._feedback = feedback
        self._max_age_s = max_age_s
        self._notes = notes
        self._updates_channel = updates_channel
        self._revisions: list[Revision] = []

    @classmethod
    def from_settings(cls, settings: "Settings") -> "UpdateNotifier | None":
        """None when Slack is not configured or both notes and the summary channel are off."""
        token = settings.slack_bot_token.get_secret_value()
        if not token or not (settings.slack_update_notes or settings.slack_updates_channel):
            return None
        from slack_sdk import WebClient

        from bot.slack.app import retry_handlers

        client = WebClient(token=token, base_url=settings.slack_api_url.rstrip("/") + "/", timeout=30,
                           retry_handlers=retry_handlers(), logger=logging.getLogger("articlebot.slack.web"))
        return cls(client, FeedbackStore.in_data_dir(settings.data_dir),
                   settings.slack_update_max_age_days * 86400, settings.slack_update_notes,
                   settings.slack_updates_channel.strip())

    def collect(self, previous: DocumentRecord, current: DocumentRecord) -> None:
        self._revisions.append((previous, current))

    def deliver(self, now: float | None = None) -> DeliveryReport:
        """Post the notes (at most one per thread) and summaries; failures are reported, not raised."""
        revisions, self._revisions = self._revisions, []
        report = DeliveryReport()
        if not revisions:
            return report
        if self._notes:
            since = (time.time() if now is None else now) - self._max_age_s
            for note in thread_notes(self._feedback.answers_since(since), revisions):
                report.notes += self._post(note_message(note), note.channel, note.thread_ts, report)
        if self._updates_channel:
            for previous, current in revisions:
                report.summaries += self._post(summary_message(previous, current), self._updates_channel, "", report)
        return report

    def _post(self, message: SlackMessage, channel: str, thread_ts: str, report: DeliveryReport) -> int:
        try:
            self._client.chat_postMessage(channel=channel, text=message.text, blocks=message.blocks,
                                          unfurl_links=False, unfurl_media=False,
                                          **({"thread_ts": thread_ts} if thread_ts else {}))
            return 1
        except Exception as exc:  # one failed post must not stop the others, nor the refresh
            log.warning("could not post an update note in %s: %s", channel, exc)
            report.failures.append(f"Slack note in {channel}: {type(exc).__name__}")
            return 0
