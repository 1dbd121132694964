"""One exception base for the whole project.

It lives in the bottom layer so that `ingest` and `bot` can raise and catch it
without importing upwards. Anything derived from `ArticlebotError` is a user-facing
problem: the CLI prints its message on one line and exits non-zero.
"""

from __future__ import annotations


class ArticlebotError(Exception):
    """A problem the user can fix; its message is shown as-is."""


class StoreError(ArticlebotError):
    """The vector store cannot be opened or used as asked."""


class EmbeddingModelMismatch(StoreError):
    """The store holds vectors from a different embedding model."""


class StoreInUse(StoreError):
    """Another process is writing to the embedded store."""


class EmbeddingError(ArticlebotError):
    """The embedding backend cannot be loaded."""
