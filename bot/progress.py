"""Ingest progress on stderr: texts embedded (count, rate, time left) and files done.

Embedding is most of an ingest's time — 30-50 s for the bundled article on a busy
2-core machine — and a silent terminal looks hung. The bar is drawn only on a
terminal and erased when done, so piped output and --json stay clean.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import Progress, Task, TaskID
    from rich.text import Text


def _rate_column() -> Any:
    """A column showing "12 texts/s" (the task's `unit`) once rich has measured a rate."""
    from rich.progress import ProgressColumn
    from rich.text import Text

    class TextsPerSecond(ProgressColumn):
        def render(self, task: "Task") -> "Text":
            speed = task.finished_speed or task.speed
            unit = task.fields.get("unit", "")
            return Text(f"{speed:.1f} {unit}/s" if speed else "", style="progress.data.speed")

    return TextsPerSecond()


class IngestProgress:
    """Callbacks for `ingest_paths`: `embedded` (IngestOptions.on_embedded) and `file_done`."""

    def __init__(self, console: "Console", enabled: bool = True) -> None:
        self._console = console
        self._enabled = enabled and console.is_terminal
        self._bar: "Progress | None" = None
        self._files: "TaskID | None" = None
        self._embedding: "TaskID | None" = None
        self._doc_id = ""

    def __enter__(self) -> "IngestProgress":
        return self

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None

    def _progress(self) -> "Progress":
        if self._bar is None:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

            self._bar = Progress(
                TextColumn("{task.description}"), BarColumn(bar_width=16), MofNCompleteColumn(),
                _rate_column(), TimeRemainingColumn(), console=self._console, transient=True,
            )
            self._bar.start()
        return self._bar

    def embedded(self, doc_id: str, done: int, total: int) -> None:
        """Texts of `doc_id` embedded so far, out of `total`."""
        if not self._enabled:
            return
        bar = self._progress()
        if self._embedding is None or doc_id != self._doc_id:
            if self._embedding is not None:
                bar.remove_task(self._embedding)
            self._doc_id = doc_id
            self._embedding = bar.add_task(f"embedding {doc_id}", total=total, unit="texts")
        bar.update(self._embedding, completed=done, total=total, refresh=True)

    def file_done(self, path: Path, report: Any, error: str | None) -> None:
        """One more file ingested or refused (shown as a count of files)."""
        if not self._enabled:
            return
        bar = self._progress()
        if self._files is None:
            self._files = bar.add_task("files", total=None, unit="files")
        bar.update(self._files, advance=1, description=f"ingested {path.name}")
