"""Benchmark stores: SQuAD-format articles (and the bundled article) ingested into a store of their own.

Each combination of entries gets its own embedded store under
`ARTICLEBOT_DATA_DIR/benchmarks/`, built once and reused: re-running the same
benchmark embeds nothing (ingest's fingerprints see unchanged files).
"""

from __future__ import annotations

import hashlib
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

from bot.evaluation.gold import GoldQuestion, load_gold
from bot.evaluation.squad import SquadArticle, answerable, load_squad, translated, unanswerable
from bot.runtime import ingest_options, open_embeddings
from bot.settings import Settings
from ingest.corpus import bundled_articles
from ingest.korean import KiwiAnalyzer
from ingest.pipeline import ingest_paths
from vectorstore.store import ChromaStore


@dataclass(frozen=True)
class SquadBenchmark:
    """What to ingest and ask: entries held in the store, entries asked about but absent."""

    path: Path
    held: Sequence[int]
    unseen: Sequence[int] = ()
    per_article: int = 8
    with_bundled: bool = True
    translations: Sequence[Path] = ()
    extra_articles: Sequence[Path] = ()  # more articles to store (e.g. an English one with its gold)
    extra_gold: Sequence[Path] = ()

    def key(self, model_id: str) -> str:
        spec = repr((sorted(self.held), self.with_bundled, sorted(str(p) for p in self.extra_articles), model_id))
        return hashlib.sha256(spec.encode()).hexdigest()[:12]


@dataclass
class BenchmarkSet:
    store: ChromaStore
    questions: list[GoldQuestion] = field(default_factory=list)
    documents: int = 0


def _write_articles(articles: Sequence[SquadArticle], folder: Path) -> list[tuple[Path, SquadArticle]]:
    written = []
    for article in articles:
        path = folder / f"{article.doc_id}.txt"
        path.write_text(article.title + "\n\n" + article.text + "\n", encoding="utf-8")
        written.append((path, article))
    return written


def build_benchmark(bench: SquadBenchmark, settings: Settings,
                    progress: Callable[[str], None] = lambda _: None) -> BenchmarkSet:
    """Open (building when needed) the benchmark's store, and gather its questions."""
    held = load_squad(bench.path, bench.held)
    unseen = load_squad(bench.path, bench.unseen)
    embeddings = open_embeddings(settings)
    folder = settings.data_dir / "benchmarks" / bench.key(embeddings.model_id)
    store = ChromaStore.persistent(folder, embeddings)
    analyzer = KiwiAnalyzer()
    with tempfile.TemporaryDirectory() as tmp:
        written = _write_articles(held, Path(tmp))
        for n, (path, article) in enumerate(written, start=1):
            progress(f"storing entry {article.index} ({n}/{len(written)}): {article.title}")
            ingest_paths([path], store, ingest_options(settings, title=article.title, doc_id=article.doc_id),
                         analyzer=analyzer)
    others = [*(bundled_articles() if bench.with_bundled else []), *bench.extra_articles]
    if others:
        progress(f"storing {len(others)} more article(s)")
        ingest_paths(list(others), store, ingest_options(settings), analyzer=analyzer)
    questions = [*answerable(held, bench.per_article), *unanswerable(unseen, max(1, bench.per_article // 2))]
    every = [*held, *unseen]
    held_indices = {a.index for a in held}
    for path in bench.translations:
        questions += translated(path, every, held_indices)
    for path in bench.extra_gold:
        questions += load_gold(path)
    return BenchmarkSet(store, questions, len(held) + len(others))
