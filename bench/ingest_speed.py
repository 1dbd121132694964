"""Ingest throughput against the embedding model's own speed on the same texts.

Writes a few KorQuAD dev entries (development entries 0-69 only) into a folder, then
times (a) the configured model alone embedding exactly what an ingest of that folder
embeds: each document's distinct chunk texts as passages, and each vocabulary term
new to the store as a question; and (b) `ingest_paths` of the folder into a fresh
embedded store (reading, Kiwi, chunking, embedding, Chroma writes). Target: the
ingest's texts per second at least 0.8 x the model's. The model alone runs before
and after the ingest, and the ingest's own model calls are timed too, so that a
change in the machine's load shows instead of passing for overhead. Prints a
table and writes bench/ingest_speed.json.
`python bench/ingest_speed.py [--entries 0-3] [--profile 25]`
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

from report import SQUAD, save  # noqa: E402

from vectorstore.embeddings import ModelEmbeddings  # noqa: E402

DEVELOPMENT = range(0, 70)  # entries 70-139 are held out: never read them


class TimedEmbeddings(ModelEmbeddings):
    """The configured model, adding up the seconds spent in its calls."""

    def __init__(self, model: ModelEmbeddings) -> None:
        self._model = model
        self.model_id, self.device, self.batch_size = model.model_id, model.device, model.batch_size
        self.word_match_floor = model.word_match_floor
        self.seconds = 0.0

    def _timed(self, embed, texts):  # type: ignore[no-untyped-def]
        started = time.perf_counter()
        try:
            return embed(texts)
        finally:
            self.seconds += time.perf_counter() - started

    def embed_passages(self, texts):  # type: ignore[no-untyped-def]
        return self._timed(self._model.embed_passages, texts)

    def embed_questions(self, texts):  # type: ignore[no-untyped-def]
        return self._timed(self._model.embed_questions, texts)


def write_entries(spec: str, folder: Path) -> list[Path]:
    from bot.evaluation.squad import load_squad, parse_entries

    entries = parse_entries(spec)
    if any(i not in DEVELOPMENT for i in entries):
        raise SystemExit("only KorQuAD dev entries 0-69 may be used")
    paths = []
    for article in load_squad(SQUAD, entries):
        path = folder / f"{article.doc_id}.md"
        path.write_text(f"# {article.title}\n\n{article.text}\n", encoding="utf-8")
        paths.append(path)
    return paths


def texts_an_ingest_embeds(paths: list[Path]) -> tuple[list[str], list[str]]:
    """(passages, terms) in the order an ingest of a fresh store sends them to the model."""
    from ingest.chunking import index_terms
    from ingest.korean import KiwiAnalyzer, has_hangul
    from ingest.pipeline import IngestOptions, prepare_source
    from ingest.reading import read_source

    analyzer = KiwiAnalyzer()
    passages: list[str] = []
    terms: dict[str, None] = {}
    for path in paths:
        chunks = prepare_source(read_source(path), IngestOptions(), analyzer).chunks
        passages += dict.fromkeys(c.embed_text for c in chunks)
        terms.update(dict.fromkeys(t for t in index_terms(chunks) if has_hangul(t)))
    return passages, list(terms)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", default="0-3", help="KorQuAD dev entries, within 0-69")
    parser.add_argument("--profile", type=int, default=0, help="print the N costliest calls of the ingest")
    args = parser.parse_args()
    from bot.runtime import open_embeddings
    from bot.settings import Settings
    from ingest.pipeline import ingest_paths
    from vectorstore.store import ChromaStore

    embeddings = TimedEmbeddings(open_embeddings(Settings()))

    def model_alone(passages: list[str], terms: list[str]) -> float:
        started = time.perf_counter()
        embeddings.embed_passages(passages)
        embeddings.embed_questions(terms)
        return time.perf_counter() - started

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "articles"
        folder.mkdir()
        paths = write_entries(args.entries, folder)
        passages, terms = texts_an_ingest_embeds(paths)
        embeddings.embed_passages(passages[:4])  # warm up, as the ingest's model is by then
        before = model_alone(passages, terms)
        store = ChromaStore.persistent(Path(tmp) / "store", embeddings)
        profiler = None
        if args.profile:
            import cProfile

            profiler = cProfile.Profile()
            profiler.enable()
        embeddings.seconds = 0.0
        started = time.perf_counter()
        summary = ingest_paths([folder], store)
        ingest_s = time.perf_counter() - started
        in_ingest_s = embeddings.seconds
        if profiler:
            import pstats

            profiler.disable()
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(args.profile)
        after = model_alone(passages, terms)
    if (summary.embedded, summary.embedded_terms) != (len(passages), len(terms)):
        raise SystemExit(f"the ingest embedded {summary.embedded} texts and {summary.embedded_terms} terms, "
                         f"not {len(passages)} and {len(terms)}: the model timing is not comparable")
    texts = len(passages) + len(terms)
    model_s = (before + after) / 2
    save({
        "model": f"{embeddings.model_id} on {embeddings.device}, batch {embeddings.batch_size}",
        "entries": args.entries,
        "documents": summary.documents,
        "passages_embedded": len(passages),
        "terms_embedded": len(terms),
        "model_alone_before_s": round(before, 2),
        "model_alone_after_s": round(after, 2),
        "ingest_s": round(ingest_s, 2),
        "model_calls_in_ingest_s": round(in_ingest_s, 2),
        "model_texts_per_s": round(texts / model_s, 1),
        "ingest_texts_per_s": round(texts / ingest_s, 1),
        "ingest_vs_model": round(model_s / ingest_s, 2),
        "model_share_of_ingest": round(in_ingest_s / ingest_s, 2),
    }, "ingest_speed")


if __name__ == "__main__":
    main()
