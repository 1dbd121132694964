"""What the store holds, summarised per document (for `articlebot status`)."""

from __future__ import annotations

from typing import Any

from ingest.chunking import PASSAGE_KINDS
from vectorstore.store import ChromaStore


def store_status(store: ChromaStore) -> dict[str, Any]:
    per_doc: dict[str, dict[str, Any]] = {}
    metadata = store.all_metadata()
    for meta in metadata:
        doc = per_doc.setdefault(str(meta.get("doc_id", "")), {
            "doc_id": meta.get("doc_id", ""), "title": meta.get("title", ""),
            "url": meta.get("url", ""), "paragraphs": 0, "chunks": 0,
        })
        doc["chunks"] += 1
        if meta.get("kind") in PASSAGE_KINDS:
            doc["paragraphs"] += 1
    return {
        "store": store.location,
        "collection": store.collection_name,
        "embedding_model": store.embeddings.model_id,
        "documents": len(per_doc),
        "paragraphs": sum(d["paragraphs"] for d in per_doc.values()),
        "chunks": len(metadata),
        "per_document": sorted(per_doc.values(), key=lambda d: d["doc_id"]),
    }
