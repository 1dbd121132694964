"""Scale: question latency, memory and disk as the number of stored articles grows.

Embedding 145 texts an article for thousands of articles takes days on two cores,
so the larger stores are built from real articles with their vectors computed
once: the bundled article and KorQuAD dev entries 0-19 (the fit benchmark store),
each copied under new ids with its vectors perturbed (Gaussian noise, sigma 0.01,
renormalised), written through the project's own store code (`ChromaStore.upsert`,
`put_document`, `put_terms`). The originals stay in every store, so the bundled
article's dev questions keep their answers; the copies are the haystack. The
first point (21 articles) is the real, fully embedded store.

    python bench/scale.py [--articles 100 1000]   -> bench/scale.json, docs/scale.md table
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import numpy as np  # noqa: E402
from report import fit_split, save  # noqa: E402

from bot.answering import answer_question  # noqa: E402
from bot.evaluation.gold import bundled_gold_files, load_gold  # noqa: E402
from bot.settings import Settings  # noqa: E402
from vectorstore.records import Chunk  # noqa: E402
from vectorstore.store import ChromaStore  # noqa: E402

NOISE = 0.01


def copy_into(target: ChromaStore, source: ChromaStore, count: int, rng: np.random.Generator) -> None:
    """The source's documents, then perturbed copies, until `count` documents are stored."""
    docs = [source.document_chunks(r.doc_id) for r in source.list_documents()]
    docs = [d for d in docs if d is not None]
    target.put_terms(*source.stored_terms())
    for n in range(count):
        doc = docs[n % len(docs)]
        suffix = "" if n < len(docs) else f"~{n // len(docs)}"
        doc_id = doc.record.doc_id + suffix
        chunks = []
        for hit in doc.hits:
            meta = {**hit.metadata, "doc_id": doc_id}
            if meta.get("parent_id"):
                meta["parent_id"] = str(meta["parent_id"]) + suffix
            chunks.append(Chunk(hit.id + suffix, hit.text, hit.text, meta))
        vectors = np.asarray(doc.vectors, dtype=np.float32)
        if suffix:
            vectors = vectors + rng.normal(0, NOISE, vectors.shape).astype(np.float32)
            vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        target.upsert(chunks, vectors)
        target.put_document(replace(doc.record, doc_id=doc_id, chunk_ids=tuple(c.id for c in chunks),
                                    title=doc.record.title + suffix))


def latencies(store: ChromaStore, questions: list[str]) -> list[float]:
    answer_question(questions[0], store)  # warm-up
    out = []
    for question in questions:
        started = time.perf_counter()
        answer_question(question, store)
        out.append((time.perf_counter() - started) * 1000)
    return out


def p(values: list[float], q: float) -> float:
    return round(float(np.percentile(values, q)), 1)


def du(path: Path) -> float:
    return round(int(subprocess.run(["du", "-sk", str(path)], capture_output=True, text=True).stdout.split()[0]) / 1024, 1)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, nargs="+", default=[100, 1000])
    args = parser.parse_args()
    settings = Settings()
    real = fit_split(settings)
    gold = load_gold(bundled_gold_files()["dev"])
    english = [q.question for q in gold if q.lang == "en"]
    korean = [q.question for q in gold if q.lang == "ko"]
    rng = np.random.default_rng(7)
    results: dict[str, object] = {"noise_sigma": NOISE}
    rows = []
    stores = [("real", real.store, None, 0.0)]
    with tempfile.TemporaryDirectory() as tmp:
        for count in args.articles:
            started = time.perf_counter()
            store = ChromaStore.persistent(Path(tmp) / str(count), real.store.embeddings)
            copy_into(store, real.store, count, rng)
            stores.append((str(count), store, Path(tmp) / str(count), time.perf_counter() - started))
        for name, store, folder, build_s in stores:
            documents = len(store.list_documents())
            en, ko = latencies(store, english), latencies(store, korean)
            row = {"articles": documents, "vectors": store.count(),
                   "en_p50_ms": p(en, 50), "en_p95_ms": p(en, 95), "ko_p50_ms": p(ko, 50), "ko_p95_ms": p(ko, 95),
                   "disk_mb": du(folder) if folder else None, "build_s": round(build_s, 1),
                   "max_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}
            results[name] = row
            rows.append(row)
            print(f"{documents:6d} articles {row['vectors']:8d} vectors | en p50 {row['en_p50_ms']:6.1f} "
                  f"p95 {row['en_p95_ms']:6.1f} ms | ko p50 {row['ko_p50_ms']:6.1f} p95 {row['ko_p95_ms']:6.1f} ms"
                  f" | disk {row['disk_mb']} MB | build {row['build_s']} s | rss {row['max_rss_mb']} MB", flush=True)
    save(results, "scale")


if __name__ == "__main__":
    main()
