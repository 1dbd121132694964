"""Several ingest processes writing one Chroma server at once: nothing lost, nothing doubled.

Three real `articlebot ingest` processes start together, each with its own folder; some
articles are given to two of them (the same file, and the same text under another name).
The races they can run into are then played out one step at a time, in one process:
writer A stages its chunks, writer B does its work, then A commits.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import uuid
from pathlib import Path

import pytest

from ingest.chunking import index_terms
from ingest.korean import KiwiAnalyzer, has_hangul
from ingest.pipeline import (
    IngestOptions, PreparedArticle, check_version, commit_version, ingest_source, prepare_source, stage_version,
)
from ingest.reading import InputError, SourceText
from tests.conftest import WAIT_CEILING_S, clean_env
from vectorstore.locks import CommitLock
from vectorstore.records import Chunk
from vectorstore.store import ChromaStore

# Short, made-up articles, each with one fact a question can find. Korean text brings
# Kiwi and the shared vocabulary-term vectors into the race as well.
FACTS = {
    "lighthouse": ("Harwick lighthouse", "The Harwick lighthouse keeper counted 412 ships passing in March."),
    "orchard": ("Pellmore orchard", "The Pellmore orchard harvested 9,300 kilograms of quince this autumn."),
    "tramline": ("Ostrava tram line", "The new Ostrava tram line carries 18,000 riders on a weekday."),
    "library": ("Quillon library", "Quillon's library lent 77,000 books after it opened on Sundays."),
    "ferry": ("Dunmere ferry", "The Dunmere ferry crossing now takes 14 minutes instead of 25."),
    "glacier": ("Tasvik glacier", "Surveyors found the Tasvik glacier had retreated 310 metres since 2010."),
    "bakery": ("Corvel bakery", "The Corvel bakery bakes 2,600 rye loaves before dawn every day."),
}
KOREAN = ("# 한빛 도서관 야간 개관\n\n한빛 도서관은 지난달부터 밤 11시까지 문을 열고 있다.\n\n"
          "야간 이용자는 하루 평균 850명으로 집계됐다. 도서관 측은 시험 기간에 이용자가 더 늘 것으로 본다.\n")


def article(key: str) -> str:
    title, fact = FACTS[key]
    return (f"# {title}\n\n{fact} Officials welcomed the figure on Tuesday.\n\n"
            f"Residents said the {title} had changed their weekly routine.\n")


def write_folder(root: Path, name: str, files: dict[str, str]) -> Path:
    folder = root / name
    folder.mkdir()
    for file_name, text in files.items():
        (folder / file_name).write_text(text, encoding="utf-8")
    return folder


def server_database(host: str, port: int) -> str:
    """A fresh database on the shared test server, so no other test's documents are seen."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    database = f"test-{uuid.uuid4().hex[:12]}"
    chromadb.AdminClient(ChromaSettings(chroma_api_impl="chromadb.api.fastapi.FastAPI", chroma_server_host=host,
                                        chroma_server_http_port=port, anonymized_telemetry=False,
                                        )).create_database(database)
    return database


def expected_chunks(path: Path, doc_id: str) -> list[Chunk]:
    """The chunks a single-process ingest of the file stores for it."""
    from ingest.korean import KiwiAnalyzer
    from ingest.pipeline import IngestOptions, prepare_source
    from ingest.reading import read_source

    prepared = prepare_source(read_source(path), IngestOptions(doc_id=doc_id), KiwiAnalyzer())
    return prepared.chunks


def test_three_ingests_at_once_store_every_document_once_with_all_its_chunks(
        chroma_server: tuple[str, int], tmp_path: Path, embeddings) -> None:  # type: ignore[no-untyped-def]
    from bot.answering import answer_question

    host, port = chroma_server
    database = server_database(host, port)
    # Files go in sorted order, so those at the same place in two folders are written at once.
    folders = [
        write_folder(tmp_path, "one", {"a-shared.md": article("lighthouse"), "b-twin.md": article("orchard"),
                                       "c-library.md": article("library")}),
        write_folder(tmp_path, "two", {"a-shared.md": article("lighthouse"), "b-korean.md": KOREAN,
                                       "c-ferry.md": article("ferry"), "d-glacier.md": article("glacier")}),
        write_folder(tmp_path, "three", {"a-tramline.md": article("tramline"), "b-twin-copy.md": article("orchard"),
                                         "c-korean.md": KOREAN, "d-bakery.md": article("bakery")}),
    ]
    env = clean_env(tmp_path / "unused", CHROMA_HOST=host, CHROMA_PORT=str(port), CHROMA_DATABASE=database)
    writers = [subprocess.Popen([sys.executable, "-m", "bot.cli", "ingest", "--json", str(folder)], env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for folder in folders]
    outputs = [writer.communicate(timeout=WAIT_CEILING_S) for writer in writers]
    for writer, (_, stderr) in zip(writers, outputs):
        assert writer.returncode == 0, stderr
    errors = [e for stdout, _ in outputs for e in json.loads(stdout)["errors"]]

    # Two texts came under two names each: one name of each is stored, the other refused as a copy.
    assert len(errors) == 2 and all("same text as the stored document" in e for e in errors), errors
    refused = {Path(e.split(": has the same text")[0]).stem for e in errors}
    assert len(refused & {"b-twin", "b-twin-copy"}) == 1 and len(refused & {"b-korean", "c-korean"}) == 1
    files = {p.stem: p for folder in folders for p in folder.iterdir() if p.stem not in refused}

    store = ChromaStore.http(host, port, embeddings, database=database)
    records = store.list_documents()
    assert sorted(r.doc_id for r in records) == sorted(files)
    stored_chunks = 0
    for record in records:
        chunks = expected_chunks(files[record.doc_id], record.doc_id)
        wanted = [c.id for c in chunks]
        assert list(record.chunk_ids) == wanted, record.doc_id  # same chunks as one process makes
        assert len(set(record.chunk_ids)) == len(record.chunk_ids)
        assert sorted(store.ids_where({"doc_id": record.doc_id})) == sorted(wanted)  # all there, no strays
        assert store.missing_terms(t for t in index_terms(chunks) if has_hangul(t)) == []
        stored_chunks += len(wanted)
    assert store.count() == stored_chunks  # nothing left by the refused copies

    for question, doc_ids in (("How many ships passed Harwick lighthouse?", {"a-shared"}),
                              ("How much quince did the orchard harvest?", {"b-twin", "b-twin-copy"}),
                              ("How long does the Dunmere ferry take?", {"c-ferry"}),
                              ("한빛 도서관 야간 이용자는 몇 명인가?", {"b-korean", "c-korean"})):
        answer = answer_question(question, store, k=3)
        assert not answer.abstained and answer.passages[0].doc_id in doc_ids, (question, answer.answer)


# -- the races, one step at a time --------------------------------------------------


def source(text: str, name: str = "story.md") -> SourceText:
    return SourceText(Path(name), text, "utf-8", "markdown")


def prepared(text: str, doc_id: str) -> PreparedArticle:
    return prepare_source(source(text), IngestOptions(doc_id=doc_id), KiwiAnalyzer())


@pytest.fixture
def empty_store(tmp_path: Path, embeddings) -> ChromaStore:  # type: ignore[no-untyped-def]
    return ChromaStore.persistent(tmp_path / "fresh", embeddings)


def assert_complete(store: ChromaStore, article: PreparedArticle) -> None:
    """The live record is `article`'s version, and exactly its chunks are stored, with its positions."""
    record = store.get_document(article.info.doc_id)
    assert record is not None and list(record.chunk_ids) == [c.id for c in article.chunks]
    assert sorted(store.ids_where({"doc_id": article.info.doc_id})) == sorted(record.chunk_ids)
    positions = {hit.id: hit.metadata["paragraph"] for hit in store.get(list(record.chunk_ids))}
    assert positions == {c.id: c.metadata["paragraph"] for c in article.chunks}


def test_a_document_another_writer_just_stored_is_not_refused_as_a_copy_of_itself(empty_store) -> None:
    mine = prepared(article("ferry"), "ferry")
    ingest_source(source(article("ferry")), empty_store, IngestOptions(doc_id="ferry"), KiwiAnalyzer())
    # This writer read "no such document" before the other stored it, so checks it as new.
    check_version(empty_store, mine, None, IngestOptions(), "ferry.md")
    stage_version(empty_store, mine)
    stored = commit_version(empty_store, mine)
    assert stored.revision == 1 and stored.changes.is_unchanged
    assert_complete(empty_store, mine)


def test_the_same_text_under_two_names_written_side_by_side_is_stored_once(empty_store) -> None:
    mine = prepared(article("orchard"), "orchard-copy")
    stage_version(empty_store, mine)
    ingest_source(source(article("orchard")), empty_store, IngestOptions(doc_id="orchard"), KiwiAnalyzer())
    with pytest.raises(InputError, match="same text as the stored document 'orchard'"):
        commit_version(empty_store, mine, shown="orchard-copy.md")
    assert [r.doc_id for r in empty_store.list_documents()] == ["orchard"]
    assert empty_store.ids_where({"doc_id": "orchard-copy"}) == []  # its staged chunks are gone too


def test_a_writer_committing_first_cannot_delete_the_chunks_of_a_version_still_being_written(empty_store) -> None:
    first = prepared(article("glacier"), "glacier")
    second = prepared(article("glacier").replace("310 metres", "325 metres"), "glacier")
    stage_version(empty_store, first)
    stage_version(empty_store, second)
    commit_version(empty_store, first)  # its clean-up deletes the chunks only `second` uses
    stored = commit_version(empty_store, second)
    assert stored.embedded > 0 and stored.revision == 2  # it wrote them back
    assert_complete(empty_store, second)


def test_the_version_committed_last_keeps_its_own_paragraph_positions(empty_store) -> None:
    first = prepared(article("bakery"), "bakery")
    moved = article("bakery").replace("# Corvel bakery\n\n", "# Corvel bakery\n\nA new first paragraph.\n\n")
    second = prepared(moved, "bakery")
    assert {c.id for c in first.chunks} & {c.id for c in second.chunks}  # shared chunks, other positions
    stage_version(empty_store, first)
    stage_version(empty_store, second)
    commit_version(empty_store, second)
    assert_complete(empty_store, second)
    commit_version(empty_store, first)
    assert_complete(empty_store, first)


# -- the commit lock on a real server ---------------------------------------------------


@pytest.fixture
def lock_collection(chroma_server: tuple[str, int]):  # type: ignore[no-untyped-def]
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    host, port = chroma_server
    client = chromadb.HttpClient(host=host, port=port, database=server_database(host, port),
                                 settings=ChromaSettings(anonymized_telemetry=False))
    return client, client.get_or_create_collection("lock-test")


def test_the_commit_lock_has_one_holder_and_only_the_holder_frees_it(lock_collection) -> None:
    _, collection = lock_collection
    one, other = CommitLock(collection), CommitLock(collection)
    assert one.try_acquire("one") == "one"
    assert other.try_acquire("other") == "one"
    other.release("other")  # not its lock: nothing happens
    assert one.owner() == "one"
    one.release("one")
    assert other.try_acquire("other") == "other"


def test_a_commit_lock_left_by_a_dead_writer_is_broken(lock_collection) -> None:
    _, collection = lock_collection
    CommitLock(collection).try_acquire("dead")
    with CommitLock(collection, stale_after_s=0.05).held():
        assert CommitLock(collection).owner() not in (None, "dead")
    assert CommitLock(collection).owner() is None


def test_writers_holding_the_commit_lock_never_overlap(lock_collection) -> None:
    """Each increments a counter stored in Chroma: read, then write. Without the lock,
    increments get lost; with it, every one counts."""
    client, collection = lock_collection
    counter = client.get_or_create_collection("lock-counter")

    def increment(times: int) -> None:
        lock = CommitLock(collection)
        for _ in range(times):
            with lock.held():
                got = counter.get(ids=["n"], include=["documents"])
                value = int(got["documents"][0]) if got["ids"] else 0
                counter.upsert(ids=["n"], documents=[str(value + 1)], embeddings=[[1.0]])

    workers = [threading.Thread(target=increment, args=(5,)) for _ in range(3)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=WAIT_CEILING_S)
    assert counter.get(ids=["n"], include=["documents"])["documents"] == ["15"]
