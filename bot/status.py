"""What the store holds, summarised per document (for `articlebot status` and `docs`)."""

from __future__ import annotations

from typing import Any

from vectorstore.store import ChromaStore


def store_status(store: ChromaStore) -> dict[str, Any]:
    """Counts of the live versions (chunks a killed ingest left behind are not counted)."""
    per_doc = [
        {"doc_id": r.doc_id, "title": r.title, "url": r.url, "paragraphs": r.paragraph_count,
         "chunks": len(r.chunk_ids)}
        for r in store.list_documents()
    ]
    return {
        "store": store.location,
        "collection": store.collection_name,
        "embedding_model": store.embeddings.model_id,
        "documents": len(per_doc),
        "paragraphs": sum(d["paragraphs"] for d in per_doc),
        "chunks": sum(d["chunks"] for d in per_doc),
        "per_document": per_doc,
    }


def document_lines(rows: list[dict[str, Any]]) -> list[str]:
    """`articlebot docs` for people: each id whole on a line of its own, details below.

    The id is what `remove` takes, so it is never cut; a table would have to cut it
    (or the title) to fit 80 columns.
    """
    lines: list[str] = []
    for row in rows:
        details = [f"revision {row['revision']}", f"{row['paragraphs']} paragraphs",
                   f"updated {str(row['updated_at'])[:16].replace('T', ' ')}"]
        if row.get("status"):
            details.append(str(row["status"]))
        lines += [str(row["doc_id"]), f"    {row['title']}", "    " + " · ".join(details)]
    return lines
