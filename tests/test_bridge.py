"""The word bridge: English question words reach the article's Korean terms."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from bot.bridge import bridge_terms, nearest_terms, words_to_bridge
from bot.lexical import english_content_words
from bot.retrieval import retrieve
from ingest.chunking import index_terms
from ingest.korean import has_hangul
from ingest.pipeline import embed_terms, new_terms
from vectorstore.embeddings import ModelEmbeddings
from vectorstore.records import Chunk


def test_content_words_drop_question_scaffolding_and_repeats() -> None:
    words = english_content_words("What did the article say about the money, and why did money matter?")
    assert words == ["money", "matter"]


def test_korean_questions_and_words_already_in_the_index_are_not_bridged() -> None:
    vocabulary = ["openai", "microsoft", "투자", "검색"]
    assert words_to_bridge("오픈AI는 왜 검색 시장에 진출했나요?", vocabulary) == []
    assert words_to_bridge("How much did Microsoft invest in OpenAI?", vocabulary) == ["much", "invest"]


def test_each_word_takes_its_nearest_terms_above_the_floor_only() -> None:
    terms = ["자금", "수익", "전략"]
    term_vectors = np.eye(3, dtype=np.float32)
    vectors = np.array([[0.95, 0.9, 0.0], [0.1, 0.2, 0.5]], dtype=np.float32)  # money-like, unrelated
    words = ["money", "weather"]
    bridge = nearest_terms(words, vectors, terms, term_vectors, floor=0.89)
    assert bridge.terms == {"money": ["자금", "수익"]}
    assert nearest_terms(words, vectors, terms, term_vectors, floor=0.89, per_word=1).terms == {"money": ["자금"]}
    assert nearest_terms(words[1:], vectors[1:], terms, term_vectors, floor=0.89).terms == {}


def test_every_korean_term_of_the_article_has_a_stored_vector(store) -> None:  # type: ignore[no-untyped-def]
    doc = store.document_chunks("microsoft-openai-tensions.ko")
    terms = index_terms(doc.hits)
    assert "투자" in terms and "openai" in terms
    vocabulary = [t for t in terms if has_hangul(t)]
    assert len(vocabulary) > 300
    assert store.missing_terms(vocabulary) == []
    assert set(store.term_vectors(["투자", "없는단어"])) == {"투자"}


def test_english_words_find_the_article_words_that_translate_them(store) -> None:  # type: ignore[no-untyped-def]
    doc = store.document_chunks("microsoft-openai-tensions.ko")
    found = bridge_terms("What strategy did Microsoft follow with its money?", store, [doc])
    assert {"전략", "자금"} <= {term for terms in found.terms.values() for term in terms}
    assert {"strategy", "money"} <= set(found.terms)
    assert "microsoft" not in found.terms  # names match by themselves


def test_retrieval_bridges_english_words_into_the_lexical_search(store) -> None:  # type: ignore[no-untyped-def]
    english = retrieve("Which Microsoft products use OpenAI's models?", store)
    assert {"제품", "모델"} <= set(english.bridged_terms)
    assert retrieve("서치GPT 출시는 왜 긴장을 키웠나요?", store).bridged_terms == []


class NoFloorModel(ModelEmbeddings):
    """A model without a calibrated word-match floor (the bridge stays off)."""

    model_id = "no-floor/model"

    def embed_questions(self, texts):  # type: ignore[no-untyped-def]
        raise AssertionError("a model without a floor must not embed terms")


class _StoreWith:
    def __init__(self, embeddings: ModelEmbeddings) -> None:
        self.embeddings = embeddings


def test_models_without_a_word_floor_embed_no_terms_and_bridge_nothing(store) -> None:  # type: ignore[no-untyped-def]
    chunk = Chunk("p1", "투자 전략", "투자 전략", {"kind": "paragraph", "terms": "투자 전략"})
    stand_in = _StoreWith(NoFloorModel())
    assert embed_terms(stand_in, new_terms(stand_in, [chunk])) == 0  # type: ignore[arg-type]
    doc = store.document_chunks("microsoft-openai-tensions.ko")
    assert bridge_terms("What strategy did Microsoft follow?", stand_in, [doc]).terms == {}  # type: ignore[arg-type]


def test_a_rebuilt_store_drops_the_term_vectors_too(store_copy_dir: Path, embeddings) -> None:  # type: ignore[no-untyped-def]
    from vectorstore.store import ChromaStore

    rebuilt = ChromaStore.persistent(store_copy_dir, embeddings, rebuild=True)
    assert rebuilt.missing_terms(["투자"]) == ["투자"]
