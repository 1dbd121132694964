"""Build the store and embeddings from settings: the one place that wires parts.

Front ends (CLI, chat, Slack) call `open_store` once and pass the store down.
"""

from __future__ import annotations

from typing import Callable

from bot.settings import Settings
from ingest.corpus import bundled_articles
from ingest.fetching import FetchLimits
from ingest.pipeline import EmbedProgress, IngestOptions, IngestSummary, ingest_paths
from ingest.safe_text import clean_id, without_surrogates
from vectorstore.embeddings import ModelEmbeddings, make_embeddings
from vectorstore.store import ChromaStore


def open_store(settings: Settings, rebuild: bool = False) -> ChromaStore:
    """The configured store: a Chroma server when CHROMA_HOST is set, else embedded.

    `rebuild` empties it first (all models), e.g. after changing EMBEDDING_MODEL.
    """
    embeddings = open_embeddings(settings)
    caches = {"cache_documents": settings.store_cache_documents, "cache_terms": settings.store_cache_terms}
    if settings.chroma_host:
        return ChromaStore.http(
            settings.chroma_host, settings.chroma_port, embeddings,
            ssl=settings.chroma_ssl, headers=settings.chroma_headers(), rebuild=rebuild,
            database=settings.chroma_database, **caches,
        )
    return ChromaStore.persistent(settings.data_dir, embeddings, rebuild=rebuild, **caches)


def open_embeddings(settings: Settings) -> ModelEmbeddings:
    """The configured embedding model, on the configured device."""
    return make_embeddings(settings.embedding_backend, settings.embedding_model,
                           settings.embedding_device, settings.embedding_batch_size)


def ingest_options(settings: Settings, title: str = "", url: str = "", doc_id: str = "",
                   replace: bool = False, allow_duplicate: bool = False,
                   on_embedded: EmbedProgress | None = None) -> IngestOptions:
    """Options from settings and the command line (arguments may hold undecodable bytes)."""
    return IngestOptions(title=without_surrogates(title), url=without_surrogates(url), doc_id=clean_id(doc_id),
                         max_bytes=int(settings.max_file_mb * 1024 * 1024), replace=replace,
                         allow_duplicate=allow_duplicate, max_embed_chars=settings.max_embed_chars,
                         on_embedded=on_embedded)


def ensure_corpus(store: ChromaStore, settings: Settings, announce: Callable[[str], None],
                  on_embedded: EmbedProgress | None = None) -> IngestSummary | None:
    """Fill an empty store with the bundled article, saying so on screen."""
    if store.count() > 0 or not settings.auto_ingest:
        return None
    articles = bundled_articles()
    announce(f"The store at {store.location} is empty: ingesting the bundled article "
             f"({', '.join(p.name for p in articles)})…")
    summary = ingest_paths(articles, store, ingest_options(settings, on_embedded=on_embedded))
    announce(f"Ingested {summary.documents} article, {summary.paragraphs} paragraphs, "
             f"{summary.chunks} chunks in {summary.seconds:.1f} s.")
    return summary


def fetch_limits(settings: Settings, allow_private: bool = False) -> FetchLimits:
    """What a web fetch may do, from FETCH_* settings; `allow_private` is --allow-private."""
    return FetchLimits(
        max_bytes=int(settings.fetch_max_mb * 1024 * 1024),
        connect_timeout_s=settings.fetch_connect_timeout_s, read_timeout_s=settings.fetch_read_timeout_s,
        allow_private=allow_private or settings.fetch_allow_private,
    )
