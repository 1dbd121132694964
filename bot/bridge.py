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

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Sequence

from bot.lexical import content_words
from ingest.chunking import index_terms
from ingest.korean import has_hangul

if TYPE_CHECKING:
    import numpy as np

    from vectorstore.records import DocumentChunks
    from vectorstore.store import ChromaStore

TERMS_PER_WORD = 2  # a word often has two article forms (투자 / 투자자, 결과 / 결론)


def words_to_bridge(question: str, terms: Sequence[str]) -> list[str]:
    """English content words that need a Korean counterpart (names already match as is)."""
    present = set(terms)
    return [w for w in content_words(question) if w not in present and not has_hangul(w)]


@dataclass
class WordBridge:
    """What the English words of a question reached."""

    terms: dict[str, list[str]] = field(default_factory=dict)  # word -> Korean terms at or above the floor


def nearest_terms(words: Sequence[str], word_vectors: "np.ndarray", terms: Sequence[str],
                  term_vectors: "np.ndarray", floor: float,
                  per_word: int = TERMS_PER_WORD) -> WordBridge:
    """For each word, its closest terms that reach `floor` (pure)."""
    import numpy as np

    bridge = WordBridge()
    if not len(terms) or not len(word_vectors):
        return bridge
    for word, word_vector in zip(words, word_vectors):
        # One matrix-vector product per word: a matrix-matrix product would wake
        # OpenBLAS's thread pool, whose spinning threads then slow the next
        # question's embedding on a two-core machine (measured: 13 -> 100 ms).
        row = term_vectors @ word_vector
        order = np.argsort(-row, kind="stable")[:per_word]
        near = [terms[int(i)] for i in order if row[i] >= floor]
        if near:
            bridge.terms[word] = near
    return bridge


def bridge_terms(question: str, store: "ChromaStore", documents: Sequence["DocumentChunks"]) -> WordBridge:
    """The Korean terms of the documents that translate the English question's words."""
    import numpy as np

    floor = store.embeddings.word_match_floor
    if floor is None or not documents:
        return WordBridge()
    terms = index_terms(hit for doc in documents for hit in doc.hits)
    words = words_to_bridge(question, terms)
    if not words:
        return WordBridge()
    stored = store.term_vectors(t for t in terms if has_hangul(t))
    if not stored:
        return WordBridge()
    korean = list(stored)
    matrix = np.stack([stored[t] for t in korean])
    return nearest_terms(words, store.embeddings.embed_words(words), korean, matrix, floor)
