"""Find the paragraphs that answer a question, in whichever stored articles hold them.

1. The question is embedded once; a Chroma search over all chunks of all
   articles nominates the documents worth reading (the best-matching first).
   A question that names a stored article's title is kept to that article.
2. Every paragraph of those documents is scored densely by the best of its own
   vector (embedded with title and section), its best sentence and its best
   three-sentence window: plain similarity from the model, nothing fitted to
   one article.
3. A light BM25 signal over the stored morphemes is fused in (both scores
   z-normalised over the candidate paragraphs). English questions cross the
   word bridge (`bot/bridge.py`) first, so their words reach Korean terms.
4. Ties are broken by document rank and paragraph order, so that the same
   store gives the same order on every machine.
docs/retrieval.md records what each step gained on the evaluation sets.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable, Mapping, Sequence

from bot.bridge import WordBridge, bridge_terms
from bot.lexical import bm25_scores, question_terms
from bot.overview import PROTOTYPES, SPECIFIC, OverviewSignal, overview_signal
from ingest.chunking import PASSAGE_KINDS
from ingest.language import detect_language
from vectorstore.records import DocumentChunks, DocumentRecord, Hit
from vectorstore.store import ChromaStore

if TYPE_CHECKING:
    import numpy as np

NOMINATING_HITS = 40
MAX_DOCUMENTS = 3
BM25_WEIGHT = 0.3
SCORE_DECIMALS = 5  # scores closer than this are ties, whatever the machine's float kernels
MIN_TITLE = 3  # a title shorter than this is too common a string to scope a question by
CATALOGUE_TITLES = 5  # stored titles a refusal may name beside the searched ones
DENSE_KINDS = ("sentence", "window")  # the chunks whose similarity a paragraph may take
# Added to a chunk's similarity when it is in another language than the question,
# by question language. Multilingual e5 scores a text in a Korean question's own
# language higher than an equally relevant English one, so without it a Korean
# question prefers any Korean article to the English one that answers it; English
# questions show no such bias. Fitted by `bench/language_offset.py` on the fit
# split (docs/retrieval.md has the numbers); a language without fit data gets 0.
CROSS_LANGUAGE_OFFSETS: dict[str, float] = {"en": 0.0, "ko": 0.09}


@dataclass
class RankedParagraph:
    """A paragraph with the evidence behind its score."""

    hit: Hit
    score: float  # fused, comparable within one question only
    dense: float  # best cosine of paragraph, sentence or window
    document: DocumentRecord
    sentences: list[Hit] = field(default_factory=list)  # its sentences, best match first
    rank: tuple[int, int] = (0, 0)  # (document rank, paragraph number): the tie-breaker

    def sentence_offset(self, sentence: Hit) -> int | None:
        """Where one of its sentences starts in the paragraph text (None if the stored offsets disagree)."""
        offset = int(sentence.metadata.get("start", 0)) - int(self.hit.metadata.get("start", 0))
        if 0 <= offset and self.hit.text[offset : offset + len(sentence.text)] == sentence.text:
            return offset
        return None


@dataclass
class Retrieval:
    paragraphs: list[RankedParagraph]
    timings_ms: dict[str, float]
    bridge: WordBridge = field(default_factory=WordBridge)  # what the English words reached
    searched: list[DocumentRecord] = field(default_factory=list)  # the documents read, best first
    scoped: bool = False  # the question named an article, and only that one was read
    # Some stored titles and how many documents there are, read only when a refusal names them.
    catalogue: Callable[[], tuple[list[str], int]] = lambda: ([], 0)
    overview: OverviewSignal = OverviewSignal()  # is it a request for a summary? (bot/overview.py)

    @property
    def bridged_terms(self) -> list[str]:
        return [t for terms in self.bridge.terms.values() for t in terms]


def _zscore(values: "np.ndarray") -> "np.ndarray":
    spread = float(values.std())
    return (values - values.mean()) / spread if spread > 1e-9 else values * 0.0


def language_offset(question_language: str, text_language: str,
                    offsets: Mapping[str, float] = CROSS_LANGUAGE_OFFSETS) -> float:
    """What a similarity gains for crossing languages (0 within one, or where either is unknown)."""
    crosses = question_language and text_language and question_language != text_language
    return offsets.get(question_language, 0.0) if crosses else 0.0


def score_documents(question: str, vector: "np.ndarray", documents: list[DocumentChunks],
                    bm25_weight: float = BM25_WEIGHT,
                    bridged_terms: Sequence[str] = (),
                    dense_kinds: Sequence[str] = DENSE_KINDS,
                    question_language: str = "",
                    offsets: Mapping[str, float] = CROSS_LANGUAGE_OFFSETS) -> list[RankedParagraph]:
    """Rank every paragraph of the given documents for the question (no I/O).

    `bridged_terms` are extra BM25 query terms (the question's words in Korean).
    Each paragraph keeps its plain `dense` similarity (abstention reads it); only
    the ranking adds the cross-language offset.
    """
    import numpy as np

    entries: list[RankedParagraph] = []
    added: list[float] = []
    for doc_rank, doc in enumerate(documents):
        sims = doc.vectors @ vector
        by_parent: dict[str, RankedParagraph] = {}
        for hit, sim in zip(doc.hits, sims.tolist()):
            if hit.metadata.get("kind") in PASSAGE_KINDS:
                entry = RankedParagraph(Hit(hit.id, hit.text, hit.metadata, sim), 0.0, sim, doc.record,
                                        rank=(doc_rank, int(hit.metadata.get("paragraph", 0))))
                by_parent[hit.id] = entry
                entries.append(entry)
                added.append(language_offset(question_language, doc.record.lang, offsets))
        for hit, sim in zip(doc.hits, sims.tolist()):
            entry = by_parent.get(str(hit.metadata.get("parent_id")))
            if entry is None or hit.metadata.get("kind") not in dense_kinds:
                continue
            entry.dense = max(entry.dense, sim)
            if hit.metadata.get("kind") == "sentence":
                entry.sentences.append(Hit(hit.id, hit.text, hit.metadata, sim))
    if not entries:
        return []
    dense = _zscore(np.array([e.dense for e in entries]) + np.array(added))
    terms = [str(e.hit.metadata.get("terms", "")).split() for e in entries]
    vocabulary = {t for doc_terms in terms for t in doc_terms}
    query = [*question_terms(question, vocabulary), *bridged_terms]
    lexical = _zscore(np.array(bm25_scores(query, terms)))
    for entry, d, lex in zip(entries, dense.tolist(), lexical.tolist()):
        entry.score = round(d + bm25_weight * lex, SCORE_DECIMALS)
        entry.sentences.sort(key=lambda h: (-round(h.score, SCORE_DECIMALS), int(h.metadata.get("index", 0))))
    return sorted(entries, key=lambda e: (-e.score, e.rank))


def names_title(question: str, title: str) -> bool:
    """Does the question name the article ("in the Westbridge tram article…")? Case and spacing aside."""
    return len(title) >= MIN_TITLE and " ".join(title.lower().split()) in " ".join(question.lower().split())


def nominate(store: ChromaStore, vector: "np.ndarray", question: str, question_language: str = "",
             offsets: Mapping[str, float] = CROSS_LANGUAGE_OFFSETS) -> tuple[list[str], bool]:
    """Document ids to read, best first, and whether the question's named title scoped them.

    Chunks in other languages than the question's get a search of their own, so
    that a store full of same-language articles cannot push them all out.
    """
    hits = store.query(vector, NOMINATING_HITS)
    if offsets.get(question_language):
        seen = {h.id for h in hits}
        others = store.query(vector, NOMINATING_HITS, where={"lang": {"$ne": question_language}})
        hits += [h for h in others if h.id not in seen]
    hits.sort(key=lambda h: -round(h.score + language_offset(question_language, str(h.metadata.get("lang", "")),
                                                             offsets), SCORE_DECIMALS))
    nominated = list(dict.fromkeys(str(h.metadata.get("doc_id")) for h in hits))
    titles = {str(h.metadata.get("doc_id")): str(h.metadata.get("title", "")) for h in hits}
    named = [d for d in nominated if names_title(question, titles[d])]
    if named:
        return named[:MAX_DOCUMENTS], True
    return nominated[:MAX_DOCUMENTS], False


def retrieve(question: str, store: ChromaStore) -> Retrieval:
    """Embed the question, pick the documents, and rank their paragraphs."""
    started = time.perf_counter()
    vector = store.embeddings.embed_question(question)
    embedded = time.perf_counter()
    language = detect_language(question)
    ids, scoped = nominate(store, vector, question, language)
    documents = [d for d in store.documents_chunks(ids) if d is not None]
    searched = time.perf_counter()
    bridge = bridge_terms(question, store, documents)
    bridged_at = time.perf_counter()
    bridged = [t for terms in bridge.terms.values() for t in terms]
    paragraphs = score_documents(question, vector, documents, BM25_WEIGHT, bridged, DENSE_KINDS, language)
    done = time.perf_counter()
    return Retrieval(paragraphs, {
        "embed": round((embedded - started) * 1000, 2),
        "search": round((searched - embedded) * 1000, 2),
        "bridge": round((bridged_at - searched) * 1000, 2),
        "rank": round((done - bridged_at) * 1000, 2),
    }, bridge, [d.record for d in documents], scoped, lambda: store.catalogue(CATALOGUE_TITLES),
        overview_signal(vector, store.embeddings.embed_words(PROTOTYPES), store.embeddings.embed_words(SPECIFIC)))
