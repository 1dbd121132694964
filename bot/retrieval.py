"""Find the paragraphs that answer a question.

1. The question is embedded once; a Chroma search over all chunks nominates
   the documents worth reading.
2. Every paragraph of those documents is scored densely by the best of its own
   vector (embedded with title and section), its best sentence and its best
   three-sentence window.
3. A light BM25 signal over Korean morphemes is fused in: both scores are
   z-normalised over the candidate paragraphs and summed with weight 0.2.
   English questions first cross the word bridge (`bot/bridge.py`): their
   words' Korean counterparts join the BM25 query, which then weighs 0.3.
4. Headings and the source line (which carries the title) answer questions
   about the article itself ("which sections…", "what is the title…"): for
   those they gain 1.0 (z units); for every other question they lose 0.5,
   since a bare heading attracts vague questions without answering them.
docs/retrieval.md records what each step gained on the evaluation sets.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Sequence

from bot.bridge import bridge_terms, crosses
from bot.lexical import bm25_scores, question_terms
from ingest.chunking import PASSAGE_KINDS
from vectorstore.records import DocumentChunks, DocumentRecord, Hit
from vectorstore.store import ChromaStore

if TYPE_CHECKING:
    import numpy as np

NOMINATING_HITS = 40
MAX_DOCUMENTS = 3
BM25_WEIGHT = 0.2
ENGLISH_BM25_WEIGHT = 0.3  # English questions, whose words cross the bridge to Korean terms
OUTLINE_KINDS = ("heading", "source")
OUTLINE_BONUS = 1.0  # for questions about the article's sections, title or source
OUTLINE_PENALTY = 0.5  # for all other questions
ARTICLE_QUESTION = re.compile(
    r"\b(sections?|headings?|headlines?|title|titled|main (topic|point|idea|theme)|topic|published|first appeared)\b"
    r"|\b(article|piece|story)\b.*\b(focus(es)?( on)?|about|cover|covers)\??$|\bfocus(es)? on\b.*\b(article|piece)\b"
    r"|섹션|소주제|제목|주제|목차|출처|원문|게재|실린|(기사|글)[은는이가]?.*(다루|초점|나뉘)",
    re.IGNORECASE,
)


@dataclass
class RankedParagraph:
    """A paragraph with the evidence behind its score."""

    hit: Hit
    score: float  # fused, comparable within one question only
    dense: float  # best cosine of paragraph, sentence or window
    document: DocumentRecord
    sentences: list[Hit] = field(default_factory=list)  # its sentences, best match first


@dataclass
class Retrieval:
    paragraphs: list[RankedParagraph]
    timings_ms: dict[str, float]
    bridged_terms: list[str] = field(default_factory=list)  # Korean terms the English words reached


def _zscore(values: "np.ndarray") -> "np.ndarray":
    spread = float(values.std())
    return (values - values.mean()) / spread if spread > 1e-9 else values * 0.0


def score_documents(question: str, vector: "np.ndarray", documents: list[DocumentChunks],
                    bm25_weight: float = BM25_WEIGHT,
                    bridged_terms: Sequence[str] = ()) -> list[RankedParagraph]:
    """Rank every paragraph of the given documents for the question (no I/O).

    `bridged_terms` are extra BM25 query terms (the question's words in Korean).
    """
    import numpy as np

    entries: list[RankedParagraph] = []
    for doc in documents:
        sims = doc.vectors @ vector
        by_parent: dict[str, RankedParagraph] = {}
        for hit, sim in zip(doc.hits, sims.tolist()):
            if hit.metadata.get("kind") in PASSAGE_KINDS:
                entry = RankedParagraph(Hit(hit.id, hit.text, hit.metadata, sim), 0.0, sim, doc.record)
                by_parent[hit.id] = entry
                entries.append(entry)
        for hit, sim in zip(doc.hits, sims.tolist()):
            entry = by_parent.get(str(hit.metadata.get("parent_id")))
            if entry is None or hit.metadata.get("kind") not in ("sentence", "window"):
                continue
            entry.dense = max(entry.dense, sim)
            if hit.metadata.get("kind") == "sentence":
                entry.sentences.append(Hit(hit.id, hit.text, hit.metadata, sim))
    if not entries:
        return []
    dense = _zscore(np.array([e.dense for e in entries]))
    terms = [str(e.hit.metadata.get("terms", "")).split() for e in entries]
    vocabulary = {t for doc_terms in terms for t in doc_terms}
    query = [*question_terms(question, vocabulary), *bridged_terms]
    lexical = _zscore(np.array(bm25_scores(query, terms)))
    outline = OUTLINE_BONUS if ARTICLE_QUESTION.search(question) else -OUTLINE_PENALTY
    for entry, d, lex in zip(entries, dense.tolist(), lexical.tolist()):
        entry.score = d + bm25_weight * lex
        if entry.hit.metadata.get("kind") in OUTLINE_KINDS:
            entry.score += outline
        entry.sentences.sort(key=lambda h: -h.score)
    return sorted(entries, key=lambda e: -e.score)


def retrieve(question: str, store: ChromaStore) -> Retrieval:
    """Embed the question, pick the documents, and rank their paragraphs."""
    started = time.perf_counter()
    vector = store.embeddings.embed_question(question)
    embedded = time.perf_counter()
    nominated = list(dict.fromkeys(str(h.metadata.get("doc_id")) for h in store.query(vector, NOMINATING_HITS)))
    documents = [d for d in (store.document_chunks(i) for i in nominated[:MAX_DOCUMENTS]) if d is not None]
    searched = time.perf_counter()
    bridged = bridge_terms(question, store, documents)
    bridged_at = time.perf_counter()
    weight = ENGLISH_BM25_WEIGHT if crosses(question, store.embeddings) else BM25_WEIGHT
    paragraphs = score_documents(question, vector, documents, weight, bridged)
    done = time.perf_counter()
    return Retrieval(paragraphs, {
        "embed": round((embedded - started) * 1000, 2),
        "search": round((searched - embedded) * 1000, 2),
        "bridge": round((bridged_at - searched) * 1000, 2),
        "rank": round((done - bridged_at) * 1000, 2),
    }, bridged)
