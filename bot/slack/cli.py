"""`articlebot slack` and `articlebot feedback` (imports stay lazy so --help is instant)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from vectorstore.store import ChromaStore


@click.command()
@click.option("--http", "http_mode", is_flag=True, help="Serve the Events API over HTTP instead of Socket Mode.")
@click.option("--port", type=click.IntRange(0, 65535), default=3000, show_default=True,
              help="Port for --http (0 picks a free one).")
@click.option("--host", default="0.0.0.0", show_default=True, help="Address for --http to listen on.")
@click.option("-v", "--verbose", is_flag=True, help="Debug logging (tokens are always redacted).")
def slack(http_mode: bool, port: int, host: str, verbose: bool) -> None:
    """Run the Slack bot (Socket Mode by default; --http for the Events API)."""
    from vectorstore.errors import ArticlebotError

    try:
        _run_slack(http_mode, port, host, verbose)
    except ArticlebotError as exc:
        raise click.ClickException(str(exc)) from None
    except KeyboardInterrupt:  # Ctrl-C during start-up
        click.echo("Stopped.", err=True)


def _run_slack(http_mode: bool, port: int, host: str, verbose: bool) -> None:
    import logging
    import threading

    from bot.cli_support import load_settings, ready_store
    from bot.llm.pipeline import Answerer
    from bot.slack.app import (
        build_app, check_app_token, check_bot_token, listener_threads, retry_handlers, web_client,
    )
    from bot.slack.config import slack_config
    from bot.slack.feedback import FeedbackStore
    from bot.slack.logs import configure_logging
    from bot.slack.pool import AnswerPool
    from bot.slack.server import HttpServer, run_socket_mode
    from bot.slack.threads import SharedConversationMemory, SharedSeenEvents
    from bot.slack.worker import Worker

    settings = load_settings()
    config = slack_config(settings, http_mode=http_mode)  # fails fast, before the store loads
    configure_logging(config.secrets(), verbose)
    log = logging.getLogger("articlebot.slack")

    client = web_client(config)
    identity = check_bot_token(client, config)
    if not http_mode:
        check_app_token(client, config)
    log.info("signed in to Slack as %s (%s) in %s", identity.get("user"), identity.get("user_id"), identity.get("team"))

    answerer = Answerer.from_settings(settings, store_lock=threading.Lock()).prepare()
    store = ready_store(settings)
    k = settings.top_k
    warm_up(store, k)
    memory = SharedConversationMemory.in_data_dir(settings.data_dir)
    worker = Worker(
        lambda question, history, on_token=None: answerer.ask(question, store, k, history=history,
                                                               on_token=on_token),
        memory, FeedbackStore.in_data_dir(settings.data_dir), retry_handlers(), streaming=answerer.enabled,
        documents=store.list_documents,
        pool=AnswerPool(settings.slack_answer_workers, settings.slack_answer_queue),
        max_question_chars=settings.max_question_chars,
    )
    listeners = listener_threads()
    app = build_app(config, worker, memory, seen=SharedSeenEvents.in_data_dir(settings.data_dir), client=client,
                    http_mode=http_mode, listener_executor=listeners)
    stop_on_sigterm()
    try:
        if http_mode:
            server = HttpServer(app, config.signing_secret, host=host, port=port)
            log.info("articlebot is listening on %s (Events API)", server.url)
            try:
                server.serve_forever()  # returns on Ctrl-C or SIGTERM
            finally:
                server.close()
        else:
            log.info("articlebot is connecting to Slack (Socket Mode)")
            run_socket_mode(app, config.app_token)
    except KeyboardInterrupt:
        pass
    finally:
        listeners.shutdown(wait=False, cancel_futures=True)
        cancelled = worker.close()
        click.echo(f"Stopped ({cancelled} queued answers cancelled)." if cancelled else "Stopped.", err=True)


WARM_UP_QUESTION = "What is this article about?"


def warm_up(store: ChromaStore, k: int) -> None:
    """Answer one question before listening. The first question loads the language-id and
    embedding models (3-6 s on two cores), and every question arriving meanwhile waits for it:
    after a restart, a replica that answers /healthz should also answer promptly."""
    from bot.answering import answer_question

    answer_question(WARM_UP_QUESTION, store, k)


def stop_on_sigterm() -> None:
    """SIGTERM (systemd, docker stop, kill) stops the bot the way Ctrl-C does."""
    import signal
    import threading

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, interrupt)


@click.command()
@click.option("-n", "--limit", type=click.IntRange(1), default=None, help="Show only the newest N.")
@click.option("json_", "--json", is_flag=True, help="Print the feedback as JSON.")
def feedback(limit: int | None, json_: bool) -> None:
    """List 👍/👎 feedback given in Slack, newest first."""
    from bot.cli_support import load_settings
    from bot.slack.feedback import FeedbackStore
    from vectorstore.errors import ArticlebotError

    try:
        rows = FeedbackStore.in_data_dir(load_settings().data_dir).rows(limit)
    except ArticlebotError as exc:
        raise click.ClickException(str(exc)) from None
    if json_:
        click.echo(json.dumps([r.to_dict() for r in rows], ensure_ascii=False, indent=2))
        return
    if not rows:
        click.echo("No feedback yet.")
        return
    for row in rows:
        when = datetime.fromtimestamp(row.created_at).strftime("%Y-%m-%d %H:%M")
        vote = "👍" if row.vote > 0 else "👎"
        cited = ", ".join(f"[{p['n']}] ¶ {p['paragraph']}" for p in row.passages) or "no passages"
        click.echo(f"{when} {vote} {row.user} in {row.channel}")
        click.echo(f"  Q: {row.question}")
        click.echo(f"  A: {_short(row.answer)}")
        click.echo(f"  cited: {cited}")


def _short(text: str, limit: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
