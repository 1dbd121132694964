"""Re-ingest a folder's articles as they change (watchfiles, debounced by it).

Each change goes through the same `ingest_paths` as a manual ingest, so the
same safety (atomic version switch) and the same change report apply. A file
deleted from the folder removes its document.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from pathlib import Path
from typing import Any, Callable, Iterator

from ingest.korean import KiwiAnalyzer, TextAnalyzer
from ingest.pipeline import IngestOptions, IngestSummary, default_doc_id, ingest_paths
from ingest.reading import SUPPORTED_SUFFIXES
from vectorstore.store import ChromaStore

OnIngest = Callable[[IngestSummary], None]
OnRemove = Callable[[str, int], None]


def _supported(_change: object, path: str) -> bool:
    return Path(path).suffix.lower() in SUPPORTED_SUFFIXES and not Path(path).name.startswith(".")


@contextlib.contextmanager
def stop_on_ctrl_c() -> Iterator[threading.Event]:
    """An event that Ctrl-C (SIGINT) sets, to pass to `watch_folder` as `stop`.

    A KeyboardInterrupt can be lost: when the signal lands while a finalizer runs (the
    store's file lock is freed after every ingest), Python prints "Exception ignored"
    and the watch goes on. Setting an event cannot be lost; the watch ends once the
    ingest in progress, if any, is done. A second Ctrl-C raises KeyboardInterrupt.
    """
    stop = threading.Event()
    if threading.current_thread() is not threading.main_thread():  # only the main thread handles signals
        yield stop
        return

    def on_interrupt(signum: int, frame: Any) -> None:
        if stop.is_set():
            raise KeyboardInterrupt
        stop.set()

    previous = signal.signal(signal.SIGINT, on_interrupt)
    try:
        yield stop
    finally:
        signal.signal(signal.SIGINT, previous)


def watch_folder(folder: Path, store: ChromaStore, options: IngestOptions, on_ingest: OnIngest,
                 on_remove: OnRemove, stop: threading.Event | None = None,
                 analyzer: TextAnalyzer | None = None) -> None:
    """Ingest the folder now, then again file by file whenever files change."""
    from watchfiles import Change, watch

    analyzer = analyzer or KiwiAnalyzer()
    started = False
    for changes in watch(folder, watch_filter=_supported, stop_event=stop, debounce=400, rust_timeout=500,
                         yield_on_timeout=True):
        if not started:
            # The watcher is live now, so nothing that changes during this first
            # ingest of the whole folder goes unnoticed.
            started = True
            on_ingest(ingest_paths([folder], store, options, analyzer=analyzer))
            continue
        changed = sorted({Path(p) for kind, p in changes if kind != Change.deleted and Path(p).is_file()})
        deleted = sorted({Path(p) for kind, p in changes if kind == Change.deleted and not Path(p).exists()})
        if changed:
            on_ingest(ingest_paths(changed, store, options, analyzer=analyzer))
        for path in deleted:
            doc_id = default_doc_id(path)
            if store.get_document(doc_id) is not None:
                with store.writing():
                    on_remove(doc_id, store.delete_document(doc_id))
