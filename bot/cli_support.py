"""What every `articlebot` command shares: settings, consoles, the ready store, clean errors.

The main CLI (bot/cli.py) and the commands it adds from bot/slack/cli.py and
bot/web_cli.py all import these from here, so that no command module imports
another: the imports point one way.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any, Callable, TypeVar

import click

from vectorstore.errors import ArticlebotError

if TYPE_CHECKING:
    from rich.console import Console

    from bot.settings import Settings
    from vectorstore.store import ChromaStore

F = TypeVar("F", bound=Callable[..., Any])


def user_errors(func: F) -> F:
    """Turn project errors into one clean line and exit 1 — never a traceback."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except ArticlebotError as exc:
            raise click.ClickException(str(exc)) from exc

    return wrapper  # type: ignore[return-value]


def load_settings() -> "Settings":
    from pydantic import ValidationError

    from bot.settings import Settings

    try:
        return Settings()
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()
        )
        raise click.ClickException(f"invalid configuration: {problems}") from exc


def stderr_console() -> "Console":
    from rich.console import Console

    return Console(stderr=True)


def stdout_console() -> "Console":
    from rich.console import Console

    return Console()


def ready_store(settings: "Settings", quiet: bool = False) -> "ChromaStore":
    """Open the store; fill it with the bundled article when it is empty (with progress)."""
    from bot.progress import IngestProgress
    from bot.runtime import ensure_corpus, open_store

    store = open_store(settings)
    console = stderr_console()

    def announce(message: str) -> None:
        if not quiet:
            console.print(message, soft_wrap=True, highlight=False)

    with IngestProgress(console, enabled=not quiet) as progress:
        ensure_corpus(store, settings, announce, on_embedded=progress.embedded)
    if store.count() == 0:
        raise ArticlebotError(f"the store at {store.location} is empty: run `articlebot ingest PATH` first")
    return store
