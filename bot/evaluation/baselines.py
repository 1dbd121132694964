"""The two baselines every number is compared with, run on the same machine.

- BM25 over Kiwi morphemes of each paragraph (lexical only).
- LangChain's RAG-tutorial recipe: RecursiveCharacterTextSplitter(1000, 200)
  chunks, the same embeddings, plain top-k cosine.
Neither abstains: they show what retrieval alone gets.
"""

from __future__ import annotations

import time
from typing import Callable

from bot.evaluation.gold import GoldQuestion
from bot.evaluation.metrics import QuestionResult
from bot.lexical import bm25_scores
from ingest.chunking import PASSAGE_KINDS
from vectorstore.store import ChromaStore

Method = Callable[[GoldQuestion], QuestionResult]


def _paragraphs(store: ChromaStore) -> list[str]:
    texts: list[str] = []
    for record in store.list_documents():
        chunks = store.document_chunks(record.doc_id)
        if chunks:
            texts.extend(h.text for h in chunks.hits if h.metadata.get("kind") in PASSAGE_KINDS)
    return texts


def bm25_method(store: ChromaStore, depth: int = 5) -> Method:
    from ingest.korean import KiwiAnalyzer

    analyzer = KiwiAnalyzer()
    paragraphs = _paragraphs(store)
    terms = [analyzer.terms(p) for p in paragraphs]

    def run(gold: GoldQuestion) -> QuestionResult:
        started = time.perf_counter()
        scores = bm25_scores(analyzer.terms(gold.question), terms)
        ranked = [paragraphs[i] for i in sorted(range(len(scores)), key=lambda i: -scores[i])[:depth]]
        latency = (time.perf_counter() - started) * 1000
        return QuestionResult(gold, ranked, False, ranked[0] if ranked else "", latency, "ko")

    return run


def naive_rag_method(store: ChromaStore, depth: int = 5) -> Method:
    import numpy as np
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    splitter = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)
    chunks = [c for record in store.list_documents(with_text=True) for c in splitter.split_text(record.text)]
    vectors = store.embeddings.embed_passages(chunks)

    def run(gold: GoldQuestion) -> QuestionResult:
        started = time.perf_counter()
        scores = vectors @ store.embeddings.embed_question(gold.question)
        ranked = [chunks[i] for i in np.argsort(-scores)[:depth]]
        latency = (time.perf_counter() - started) * 1000
        return QuestionResult(gold, ranked, False, ranked[0] if ranked else "", latency, "ko")

    return run


def plain_e5_method(store: ChromaStore, depth: int = 5) -> Method:
    """The model alone: each paragraph scores the better of its own and its best sentence's similarity."""
    import numpy as np

    texts: list[str] = []
    owners: list[int] = []
    rows = []
    for record in store.list_documents():
        chunks = store.document_chunks(record.doc_id)
        if chunks is None:
            continue
        index: dict[str, int] = {}
        for hit in chunks.hits:
            if hit.metadata.get("kind") in PASSAGE_KINDS:
                index[hit.id] = len(texts)
                texts.append(hit.text)
        for hit, vector in zip(chunks.hits, np.asarray(chunks.vectors)):
            if hit.metadata.get("kind") in (*PASSAGE_KINDS, "sentence"):
                owners.append(index[str(hit.metadata.get("parent_id", hit.id))])
                rows.append(vector)
    matrix = np.asarray(rows, dtype=np.float32)
    owner = np.asarray(owners)

    def run(gold: GoldQuestion) -> QuestionResult:
        started = time.perf_counter()
        sims = matrix @ store.embeddings.embed_question(gold.question)
        best = np.full(len(texts), -1.0, dtype=np.float32)
        np.maximum.at(best, owner, sims)
        ranked = [texts[i] for i in np.argsort(-best, kind="stable")[:depth]]
        latency = (time.perf_counter() - started) * 1000
        return QuestionResult(gold, ranked, False, ranked[0] if ranked else "", latency, "ko")

    return run
