"""A word bridge from English questions to the article's Korean terms.

The multilingual model compresses whole-text similarities between an English
question and Korean paragraphs into a narrow band, so English questions rank
worse than Korean ones (docs/retrieval.md). Single words translate much more
cleanly: "money" is nearest to 자금 (0.91), "strategy" to 전략. Every Korean
index term gets a vector at ingest; at question time each English content word
is embedded and its nearest terms above the model's word-match floor join the
BM25 query, which then works for English as it does for Korean questions.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

from bot.lexical import english_content_words
from ingest.chunking import index_terms
from ingest.korean import has_hangul

if TYPE_CHECKING:
    import numpy as np

    from vectorstore.embeddings import ModelEmbeddings
    from vectorstore.records import DocumentChunks
    from vectorstore.store import ChromaStore

TERMS_PER_WORD = 2  # a word often has two article forms (투자 / 투자자, 결과 / 결론)


def crosses(question: str, embeddings: "ModelEmbeddings") -> bool:
    """Whether the bridge applies: an English question, a model calibrated for word matches."""
    return embeddings.word_match_floor is not None and not has_hangul(question)


def words_to_bridge(question: str, terms: Sequence[str]) -> list[str]:
    """English content words that need a Korean counterpart (names already match as is)."""
    if has_hangul(question):
        return []
    latin = {t for t in terms if not has_hangul(t)}
    return [w for w in english_content_words(question) if w not in latin]


def nearest_terms(word_vectors: "np.ndarray", terms: Sequence[str], term_vectors: "np.ndarray",
                  floor: float, per_word: int = TERMS_PER_WORD) -> list[str]:
    """For each word, its closest terms that reach `floor` (pure)."""
    import numpy as np

    if not len(terms) or not len(word_vectors):
        return []
    found: list[str] = []
    for word_vector in word_vectors:
        # One matrix-vector product per word: a matrix-matrix product would wake
        # OpenBLAS's thread pool, whose spinning threads then slow the next
        # question's embedding on a two-core machine (measured: 13 -> 100 ms).
        row = term_vectors @ word_vector
        for index in np.argsort(-row)[:per_word]:
            if row[index] >= floor:
                found.append(terms[int(index)])
    return found


def bridge_terms(question: str, store: "ChromaStore", documents: Sequence["DocumentChunks"]) -> list[str]:
    """Korean terms of the documents that translate the English question's words."""
    import numpy as np

    floor = store.embeddings.word_match_floor
    if floor is None or not documents:
        return []
    terms = index_terms(hit for doc in documents for hit in doc.hits)
    words = words_to_bridge(question, terms)
    if not words:
        return []
    stored = store.term_vectors(t for t in terms if has_hangul(t))
    if not stored:
        return []
    korean = list(stored)
    matrix = np.stack([stored[t] for t in korean])
    return nearest_terms(store.embeddings.embed_words(words), korean, matrix, floor)
