"""Re-ingesting updated articles: incremental, safe while answering, and says what changed.

Store tests run against both the embedded store and a real `chroma run` server.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

import pytest

from ingest.changes import compare_paragraphs, removes_most
from tests.conftest import ARTICLE, WAIT_CEILING_S, clean_env, wait_or_kill
from vectorstore.store import ChromaStore

ORIGINAL = ARTICLE.read_text(encoding="utf-8")
OLD_SENTENCE = "출시 검색GPT 이러한 긴장감을 더욱 심화시켰습니다."
NEW_SENTENCE = "출시 검색GPT 이러한 긴장감을 크게 심화시켰고 양사 관계를 시험대에 올렸습니다."
EDITED = ORIGINAL.replace(OLD_SENTENCE, NEW_SENTENCE)
QUESTION = "Why did SearchGPT raise tensions?"
RUN = [sys.executable, "-m", "bot.cli"]


@dataclass
class LiveStore:
    """A store a test may change, and the environment that points the CLI at it."""

    env: dict[str, str]
    mode: str

    def open(self, embeddings) -> ChromaStore:  # type: ignore[no-untyped-def]
        if self.mode == "server":
            return ChromaStore.http(self.env["CHROMA_HOST"], int(self.env["CHROMA_PORT"]), embeddings,
                                    database=self.env["CHROMA_DATABASE"])
        return ChromaStore.persistent(Path(self.env["ARTICLEBOT_DATA_DIR"]), embeddings)

    def cli(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        done = subprocess.run([*RUN, *args], env=self.env, capture_output=True, text=True)
        if check and done.returncode != 0:
            raise AssertionError(done.stderr)
        return done


@pytest.fixture(params=["embedded", "server"])
def live_store(request: pytest.FixtureRequest, store_copy_dir: Path, tmp_path: Path) -> Iterator[LiveStore]:
    if request.param == "embedded":
        yield LiveStore(clean_env(store_copy_dir), "embedded")
        return
    host, port = request.getfixturevalue("chroma_server")
    database = request.getfixturevalue("chroma_database")
    yield LiveStore(clean_env(tmp_path / "unused", CHROMA_HOST=host, CHROMA_PORT=str(port),
                              CHROMA_DATABASE=database), "server")


def ingest_json(live: LiveStore, path: Path, *extra: str) -> dict:
    summary = json.loads(live.cli("ingest", "--json", "--doc-id", "microsoft-openai-tensions.ko",
                                  *extra, str(path)).stdout)
    return summary


def cited(live: LiveStore, question: str = QUESTION) -> list[str]:
    return [p["text"] for p in json.loads(live.cli("ask", "--json", question).stdout)["passages"]]


def write(tmp_path: Path, text: str | bytes, name: str = "article.txt") -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def test_reingesting_an_unchanged_article_embeds_and_writes_nothing(
        live_store: LiveStore, tmp_path: Path, embeddings) -> None:  # type: ignore[no-untyped-def]
    before = live_store.open(embeddings).get_document("microsoft-openai-tensions.ko")
    summary = ingest_json(live_store, write(tmp_path, ORIGINAL))
    assert summary["embedded"] == 0 and summary["deleted"] == 0
    report = summary["files"][0]
    assert report["unchanged"] is True and report["changes"]["unchanged"] == 28
    after = live_store.open(embeddings).get_document("microsoft-openai-tensions.ko")
    assert after == before  # not even the record was rewritten


def test_one_edited_paragraph_embeds_only_its_chunks_and_answers_change_at_once(
        live_store: LiveStore, tmp_path: Path, embeddings) -> None:  # type: ignore[no-untyped-def]
    summary = ingest_json(live_store, write(tmp_path, EDITED))
    report = summary["files"][0]
    changes = report["changes"]
    assert (changes["changed"], changes["added"], changes["removed"], changes["unchanged"]) == (1, 0, 0, 27)
    assert changes["changes"][0]["paragraph"] == 13
    assert "더욱" in changes["changes"][0]["before"] and "크게" in changes["changes"][0]["after"]
    # the paragraph, its sentences and its windows: nothing else went to the model
    assert 0 < summary["embedded"] <= 6
    assert summary["embedded_terms"] <= 5  # only words the article did not use before
    assert summary["deleted"] == summary["embedded"]
    assert report["revision"] == 2
    texts = cited(live_store)
    assert any(NEW_SENTENCE in t for t in texts) and not any(OLD_SENTENCE in t for t in texts)
    searchgpt = next(p for p in json.loads(live_store.cli("ask", "--json", QUESTION).stdout)["passages"]
                     if NEW_SENTENCE in p["text"])
    assert searchgpt["updated_at"]  # readers see that this paragraph changed


def test_a_removed_paragraph_is_deleted_and_reported(live_store: LiveStore, tmp_path: Path) -> None:
    lines = ORIGINAL.split("\n")
    bellevue = next(i for i, line in enumerate(lines) if "벨뷰" in line)
    summary = ingest_json(live_store, write(tmp_path, "\n".join(lines[:bellevue] + lines[bellevue + 1 :])))
    changes = summary["files"][0]["changes"]
    assert (changes["removed"], changes["changed"], changes["added"]) == (1, 0, 0)
    assert summary["embedded"] == 0 and summary["embedded_terms"] == 0 and summary["deleted"] > 0
    assert not any("벨뷰" in t for t in cited(live_store, "Where did OpenAI open a satellite office?"))


def test_a_failed_reingest_leaves_the_previous_version_answerable(live_store: LiveStore, tmp_path: Path) -> None:
    done = live_store.cli("ingest", "--doc-id", "microsoft-openai-tensions.ko",
                          str(write(tmp_path, bytes(range(256)) * 64)), check=False)
    assert done.returncode == 1 and "binary" in done.stderr
    texts = cited(live_store)
    assert sum(OLD_SENTENCE in t for t in texts) == 1


def chunk_counter(live: LiveStore, embeddings) -> Callable[[], int]:  # type: ignore[no-untyped-def]
    """Counts the vectors the store holds, live or not, without disturbing a writer.

    A second Chroma client must not open an embedded store while another process writes
    it, so that one is counted with a read-only SQLite query; each batch an ingest writes
    shows up there as soon as it is committed."""
    if live.mode == "server":
        return live.open(embeddings).count
    database = Path(live.env["ARTICLEBOT_DATA_DIR"]) / "chroma" / "chroma.sqlite3"

    def count() -> int:
        with contextlib.closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=60)) as conn:
            return int(conn.execute("SELECT count(*) FROM embeddings").fetchone()[0])

    return count


def test_a_copy_edit_of_every_paragraph_is_not_taken_for_a_replacement() -> None:
    old = ORIGINAL.split("\n")
    edited = compare_paragraphs(old, [f"{line} (개정판)" for line in old])
    other = compare_paragraphs(old, [f"다른 기사의 {n}번째 문단입니다." for n in range(len(old))])
    assert edited.changed == len(old) and edited.rewritten == 0 and not removes_most(edited, len(old))
    assert other.rewritten == len(old) and removes_most(other, len(old))


def test_a_killed_reingest_leaves_the_previous_version_answerable(
        live_store: LiveStore, tmp_path: Path, embeddings) -> None:  # type: ignore[no-untyped-def]
    # Every paragraph changes, so the new version is long to embed and written in batches.
    rewritten = "\n".join(f"{line} (개정판)" for line in ORIGINAL.split("\n"))
    path = write(tmp_path, rewritten)
    chunks_on_disk = chunk_counter(live_store, embeddings)
    before = chunks_on_disk()
    writer = subprocess.Popen([*RUN, "ingest", "--doc-id", "microsoft-openai-tensions.ko", str(path)],
                              env=live_store.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    # Kill as soon as the first batch of new chunks is in: mid-write, however busy the machine.
    deadline = time.monotonic() + WAIT_CEILING_S
    while chunks_on_disk() == before and writer.poll() is None:
        if time.monotonic() > deadline:
            writer.kill()
            pytest.fail(f"the ingest wrote no chunk within {WAIT_CEILING_S:.0f} s")
        time.sleep(0.05)
    assert writer.poll() is None, "the ingest finished before it could be killed"
    writer.send_signal(signal.SIGKILL)
    writer.wait()
    assert chunks_on_disk() > before  # new chunks were written, but are not live
    texts = cited(live_store)
    assert sum(OLD_SENTENCE in t for t in texts) == 1 and not any("(개정판)" in t for t in texts)
    # the next ingest finishes the job and cleans up what the killed one left
    summary = ingest_json(live_store, path)
    assert summary["files"][0]["changes"]["changed"] == 28
    assert all("(개정판)" in t for t in cited(live_store))


def test_docs_lists_revisions_and_remove_deletes_a_document(live_store: LiveStore, tmp_path: Path) -> None:
    ingest_json(live_store, write(tmp_path, EDITED))
    docs = json.loads(live_store.cli("docs", "--json").stdout)
    assert [(d["doc_id"], d["revision"], d["paragraphs"]) for d in docs] == [("microsoft-openai-tensions.ko", 2, 28)]
    assert docs[0]["updated_at"] >= docs[0]["created_at"]
    removed = live_store.cli("remove", "microsoft-openai-tensions.ko")
    assert "Removed microsoft-openai-tensions.ko" in removed.stdout
    status = json.loads(live_store.cli("status", "--json").stdout)
    assert status["chunks"] == 0 and status["documents"] == 0
    missing = live_store.cli("remove", "nope", check=False)
    assert missing.returncode == 1 and "no document 'nope'" in missing.stderr


def test_every_answer_during_a_reingest_cites_one_version_never_none_or_both(
        tmp_path: Path, chroma_server: tuple[str, int], chroma_database: str) -> None:
    host, port = chroma_server
    live = LiveStore(clean_env(tmp_path / "unused", CHROMA_HOST=host, CHROMA_PORT=str(port),
                               CHROMA_DATABASE=chroma_database), "server")
    stop = tmp_path / "stop"
    reader_code = (
        "import json, pathlib, sys\n"
        "from bot.answering import answer_question\nfrom bot.runtime import open_store\n"
        "from bot.settings import Settings\n"
        "store = open_store(Settings())\nstop = pathlib.Path(sys.argv[1])\n"
        "while not stop.exists():\n"
        f"    a = answer_question({QUESTION!r}, store, k=5)\n"
        "    print(json.dumps([p.text for p in a.passages], ensure_ascii=False), flush=True)\n"
    )
    errors = tmp_path / "reader.stderr"
    with errors.open("w") as stderr:
        reader = subprocess.Popen([sys.executable, "-c", reader_code, str(stop)], env=live.env,
                                  stdout=subprocess.PIPE, stderr=stderr, text=True)
    answers: list[list[str]] = []
    collector = threading.Thread(target=lambda: answers.extend(
        json.loads(line) for line in reader.stdout), daemon=True)  # type: ignore[union-attr]
    collector.start()

    def wait_for_answers(count: int) -> None:
        deadline = time.monotonic() + WAIT_CEILING_S
        while len(answers) < count:
            assert reader.poll() is None, f"the reader stopped:\n{errors.read_text()}"
            assert time.monotonic() < deadline, f"{len(answers)} answers, not {count}, in {WAIT_CEILING_S:.0f} s"
            time.sleep(0.05)

    try:
        wait_for_answers(2)
        for text in (EDITED, ORIGINAL, EDITED):  # each ingest runs while the reader keeps asking
            ingest_json(live, write(tmp_path, text))
            wait_for_answers(len(answers) + 2)
    finally:
        stop.touch()
        wait_or_kill(reader)  # it finishes the question it is on, then stops
    collector.join(timeout=60)
    assert reader.returncode == 0, errors.read_text()
    seen = set()
    for passages in answers:
        old = sum(OLD_SENTENCE in t for t in passages)
        new = sum(NEW_SENTENCE in t for t in passages)
        assert old + new == 1, passages
        seen.add("old" if old else "new")
    assert seen == {"old", "new"}


def test_watch_reingests_a_changed_file_and_reports_the_change(store_copy_dir: Path, tmp_path: Path) -> None:
    import queue

    folder = tmp_path / "watched"
    folder.mkdir()
    shutil.copy(ARTICLE, folder / ARTICLE.name)
    errors = tmp_path / "watch.stderr"
    with errors.open("w") as stderr:
        watcher = subprocess.Popen([*RUN, "ingest", "--watch", "--json", str(folder)],
                                   env=clean_env(store_copy_dir), stdout=subprocess.PIPE, stderr=stderr, text=True)
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in watcher.stdout], daemon=True).start()  # type: ignore[union-attr]

    def next_report() -> dict:
        deadline = time.monotonic() + WAIT_CEILING_S
        while True:
            try:
                return json.loads(lines.get(timeout=0.2))
            except queue.Empty:
                assert watcher.poll() is None, f"the watcher stopped:\n{errors.read_text()}"
                assert time.monotonic() < deadline, f"no report in {WAIT_CEILING_S:.0f} s:\n{errors.read_text()}"

    def replace_file(text: str) -> None:
        # All at once: written in place, a slow writer could be caught with half a file.
        hidden = folder / f".{ARTICLE.name}.tmp"  # dot files are not watched
        hidden.write_text(text, encoding="utf-8")
        os.replace(hidden, folder / ARTICLE.name)

    try:
        assert next_report()["files"][0]["unchanged"] is True
        replace_file(EDITED)
        assert next_report()["files"][0]["changes"]["changed"] == 1
        (folder / ARTICLE.name).unlink()
        assert next_report()["removed"] == "microsoft-openai-tensions.ko"
    finally:
        watcher.send_signal(signal.SIGINT)
        wait_or_kill(watcher)  # it may be in the middle of an ingest
    assert watcher.returncode == 0, errors.read_text()
