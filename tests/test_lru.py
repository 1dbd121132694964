"""The store's caches are bounded: a long-running bot keeps the recently used, not everything."""

from __future__ import annotations

import pytest

from vectorstore.lru import LRU


def test_the_least_recently_used_entry_goes_first() -> None:
    cache: LRU[str, int] = LRU(2)
    cache.put("a", 1)
    cache.put("b", 2)
    assert cache.get("a") == 1  # "a" is now the most recent
    cache.put("c", 3)
    assert "b" not in cache and cache.get("a") == 1 and cache.get("c") == 3 and len(cache) == 2


def test_pop_of_a_missing_key_is_harmless_and_a_zero_limit_is_refused() -> None:
    cache: LRU[str, int] = LRU(1)
    cache.pop("x")
    with pytest.raises(ValueError):
        LRU(0)


def test_a_store_with_a_one_document_cache_still_answers_from_two_documents(
        store_copy_dir, embeddings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from bot.answering import answer_question
    from ingest.pipeline import IngestOptions, ingest_paths
    from vectorstore.store import ChromaStore

    store = ChromaStore.persistent(store_copy_dir, embeddings, cache_documents=1, cache_terms=5)
    other = tmp_path / "harbour.txt"
    other.write_text("Harbour report\n\nThe harbour authority counted 1,200 ferry passengers in May.\n",
                     encoding="utf-8")
    ingest_paths([other], store, IngestOptions())
    for _ in range(2):  # each question evicts the other document
        assert answer_question("How many ferry passengers did the harbour count?", store).passages[0].doc_id == "harbour"
        assert answer_question("Why did SearchGPT raise tensions?", store).passages[0].paragraph == 13
    assert len(store._cache) == 1 and len(store._term_cache) <= 5
