"""The bundled default corpus: articles shipped inside the package."""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def bundled_articles() -> list[Path]:
    """Paths of the articles that ship with articlebot."""
    folder = resources.files(__name__)
    return sorted(Path(str(p)) for p in folder.iterdir() if str(p).endswith((".txt", ".md", ".html")))
