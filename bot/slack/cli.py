"""`articlebot slack` and `articlebot feedback` (imports stay lazy)."""

from __future__ import annotations

import click


@click.command()
@click.option("--http", "http_mode", is_flag=True, help="Serve the Events API over HTTP instead of Socket Mode.")
@click.option("--port", type=int, default=3000, show_default=True, help="Port for --http.")
def slack(http_mode: bool, port: int) -> None:
    """Run the Slack bot (Socket Mode by default)."""
    raise click.ClickException("the Slack bot is not built yet")


@click.command()
def feedback() -> None:
    """List 👍/👎 feedback given in Slack."""
    raise click.ClickException("feedback is not built yet")
