"""`articlebot` command line: ingest, docs, remove, ask, chat, status, eval (slack and feedback
come from bot/slack/cli.py; refresh, follow, feeds and unfollow from bot/web_cli.py).

Heavy libraries (chromadb, kiwipiepy, the embedding model) are imported inside
the commands that need them, so `articlebot --help` stays instant.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from bot.cli_support import load_settings, ready_store, stderr_console, stdout_console, user_errors

if TYPE_CHECKING:
    from bot.settings import Settings
    from vectorstore.store import ChromaStore

@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="articlebot")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Ask questions about news articles and get answers with cited passages.

    Settings come from the environment and a .env file (see .env.example).
    """
    ctx.obj = None  # settings are loaded lazily by commands that need them


def settings_of(ctx: click.Context) -> "Settings":
    if ctx.obj is None:
        ctx.obj = load_settings()
    return ctx.obj


@cli.command()
@click.argument("arguments", nargs=-1, required=True, metavar="PATH_OR_URL...")
@click.option("--title", default="", help="Title of the article (default: from the file or page).")
@click.option("--url", default="", help="Where the article was published (also its id, unless --doc-id).")
@click.option("--doc-id", default="", help="Document id (default: the URL, else the file name's stem).")
@click.option("--rebuild", is_flag=True, help="Delete the whole store first (e.g. after changing the model).")
@click.option("--watch", is_flag=True, help="Keep running and re-ingest files in the folder as they change.")
@click.option("--replace", "--force", "replace", is_flag=True,
              help="Allow a new version that removes or rewrites most of a stored document.")
@click.option("--allow-duplicate", is_flag=True, help="Store a new document even if another holds the same text.")
@click.option("--allow-private", is_flag=True, help="URLs: also fetch private, loopback and link-local hosts.")
@click.option("json_", "--json", is_flag=True, help="Print the summary as JSON (one line per run with --watch).")
@click.pass_context
@user_errors
def ingest(ctx: click.Context, arguments: tuple[str, ...], title: str, url: str, doc_id: str,
           rebuild: bool, watch: bool, replace: bool, allow_duplicate: bool, allow_private: bool,
           json_: bool) -> None:
    """Ingest .txt, .md and .html files or folders, or web pages by http(s) URL, into the store."""
    from bot.progress import IngestProgress
    from bot.runtime import ingest_options, open_store
    from bot.web_cli import ingest_urls_command, is_url
    from ingest.pipeline import ingest_paths

    settings = settings_of(ctx)
    if any(is_url(a) for a in arguments):
        if not all(is_url(a) for a in arguments) or url or watch or rebuild:
            raise click.ClickException("give files or URLs, not both; --url, --watch and --rebuild are for files")
        with IngestProgress(stderr_console(), enabled=not json_) as progress:
            summary = ingest_urls_command(settings, list(arguments), title, doc_id, allow_private,
                                          allow_duplicate, on_embedded=progress.embedded)
        _print_summary(summary, json_)
        if summary.errors:
            raise click.ClickException(summary.errors[0] if len(summary.errors) == 1
                                       else f"{len(summary.errors)} URLs could not be ingested")
        return
    paths = tuple(Path(a) for a in arguments)
    progress = IngestProgress(stderr_console(), enabled=not json_)
    options = ingest_options(settings, title=title, url=url, doc_id=doc_id, replace=replace,
                             allow_duplicate=allow_duplicate, on_embedded=None if watch else progress.embedded)
    if watch:
        if len(paths) != 1 or not paths[0].is_dir():
            raise click.ClickException("--watch takes one folder")
        if title or url or doc_id:
            raise click.ClickException("--title, --url and --doc-id name one article; not with --watch")
        _watch(open_store(settings, rebuild=rebuild), paths[0], options, json_)
        return
    store = open_store(settings, rebuild=rebuild)
    with progress:
        summary = ingest_paths(list(paths), store, options, progress=progress.file_done)
    if summary.documents == 0 and len(summary.errors) == 1 and not json_:
        raise click.ClickException(summary.errors[0])  # its reason, once
    _print_summary(summary, json_)
    if summary.documents == 0:
        raise click.ClickException(summary.errors[0] if len(summary.errors) == 1 else
                                   f"nothing was ingested ({len(summary.errors)} refused)")


def _print_summary(summary: Any, json_: bool, one_line: bool = False) -> None:
    """Terminal lines, or JSON (one line per summary when a watch streams them)."""
    from bot.formatting import change_lines

    if json_:
        click.echo(json.dumps(summary.to_dict(), ensure_ascii=False, indent=None if one_line else 2))
        return
    out, err = stdout_console(), stderr_console()
    for problem in summary.errors:
        err.print(f"[red]skipped[/red] {problem}", highlight=False, soft_wrap=True)
    for report in summary.files:
        for line in change_lines(report):
            out.print(line, highlight=False, soft_wrap=True, markup=False)
    out.print(
        f"Ingested {summary.documents} document(s): {summary.paragraphs} paragraphs, "
        f"{summary.chunks} chunks, {summary.embedded} embedded, {summary.deleted} removed"
        + (f", {summary.embedded_terms} new terms" if summary.embedded_terms else "")
        + f" in {summary.seconds:.2f} s.", highlight=False, soft_wrap=True,
    )


def _watch(store: "ChromaStore", folder: Path, options: Any, json_: bool) -> None:
    from ingest.watching import stop_on_ctrl_c, watch_folder

    def removed(doc_id: str, chunks: int) -> None:
        if json_:
            click.echo(json.dumps({"removed": doc_id, "chunks": chunks}))
        else:
            stdout_console().print(f"{doc_id}: file deleted, document removed ({chunks} chunks)", highlight=False)

    stderr_console().print(f"Watching {folder} for changes (Ctrl-C to stop)…", highlight=False)
    with stop_on_ctrl_c() as stop:
        try:
            watch_folder(folder, store, options, lambda s: _print_summary(s, json_, one_line=True),
                         removed, stop=stop)
        except KeyboardInterrupt:  # a second Ctrl-C stops at once
            pass
    stderr_console().print("Stopped watching.", highlight=False)


@cli.command()
@click.option("json_", "--json", is_flag=True, help="Print the list as JSON.")
@click.pass_context
@user_errors
def docs(ctx: click.Context, json_: bool) -> None:
    """List ingested documents with revision, paragraph count and last update."""
    from bot.runtime import open_store

    records = open_store(settings_of(ctx)).list_documents()
    from bot.web_cli import document_status

    rows = [{"doc_id": r.doc_id, "title": r.title, "url": r.url, "revision": r.revision,
             "paragraphs": r.paragraph_count, "created_at": r.created_at, "updated_at": r.updated_at,
             "status": document_status(r)}
            for r in records]
    if json_:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    from bot.status import document_lines

    console = stdout_console()
    if not rows:
        console.print("No documents yet: articlebot ingest PATH", highlight=False)
    for line in document_lines(rows):  # soft_wrap: the terminal wraps a long id, rich never cuts it
        console.print(line, highlight=False, markup=False, soft_wrap=True)


@cli.command()
@click.argument("doc_id")
@click.pass_context
@user_errors
def remove(ctx: click.Context, doc_id: str) -> None:
    """Delete one document (all its chunks) from the store."""
    from bot.runtime import open_store

    store = open_store(settings_of(ctx))
    if store.get_document(doc_id) is None:
        known = ", ".join(r.doc_id for r in store.list_documents()) or "none"
        raise click.ClickException(f"no document {doc_id!r} (known: {known})")
    with store.writing():
        chunks = store.delete_document(doc_id)
    stdout_console().print(f"Removed {doc_id} ({chunks} chunks).", highlight=False)


@cli.command()
@click.argument("question", nargs=-1, required=True)
@click.option("-k", "k", type=click.IntRange(1, 20), default=None, help="How many passages to cite.")
@click.option("json_", "--json", is_flag=True, help="Print the answer as JSON.")
@click.pass_context
@user_errors
def ask(ctx: click.Context, question: tuple[str, ...], k: int | None, json_: bool) -> None:
    """Answer one QUESTION with cited passages (`-` reads it from standard input)."""
    from bot.formatting import answer_json, render_answer
    from bot.llm.pipeline import Answerer
    from bot.questions import clean_question, read_question

    settings = settings_of(ctx)
    if question == ("-",):
        raw = read_question(sys.stdin.buffer, settings.max_question_chars)
    else:
        raw = " ".join(question)
    if not raw.strip():
        raise click.ClickException("the question is empty")
    asked = clean_question(raw, settings.max_question_chars)
    answerer = Answerer.from_settings(settings).prepare()  # a bad LLM config fails before any work
    store = ready_store(settings, quiet=json_)
    answer = asked.annotate(answerer.ask(asked.text, store, k or settings.top_k))
    if json_:
        click.echo(answer_json(answer))
    else:
        stdout_console().print(render_answer(answer))


@cli.command()
@click.option("-k", "k", type=click.IntRange(1, 20), default=None, help="How many passages to cite.")
@click.pass_context
@user_errors
def chat(ctx: click.Context, k: int | None) -> None:
    """Chat about the ingested articles (/help for commands)."""
    from bot.chat import run_chat
    from bot.llm.pipeline import Answerer

    settings = settings_of(ctx)
    answerer = Answerer.from_settings(settings).prepare()
    store = ready_store(settings)
    run_chat(store, k or settings.top_k, stdout_console(), answerer=answerer,
             max_question_chars=settings.max_question_chars, history_path=settings.data_dir / "chat_history")


@cli.command()
@click.option("json_", "--json", is_flag=True, help="Print the status as JSON.")
@click.pass_context
@user_errors
def status(ctx: click.Context, json_: bool) -> None:
    """Show what the store holds."""
    from bot.llm.config import LLMConfig
    from bot.runtime import open_store
    from bot.status import store_status

    settings = settings_of(ctx)
    info = store_status(open_store(settings))
    info["language_model"] = LLMConfig.from_settings(settings).describe()
    if json_:
        click.echo(json.dumps(info, ensure_ascii=False, indent=2))
        return
    console = stdout_console()
    console.print(f"store: {info['store']}", highlight=False)
    console.print(f"embedding model: {info['embedding_model']}", highlight=False)
    console.print(f"language model: {info['language_model']}", highlight=False)
    console.print(f"documents: {info['documents']}  paragraphs: {info['paragraphs']}  "
                  f"chunks: {info['chunks']}", highlight=False)
    for doc in info["per_document"]:
        console.print(f"  {doc['doc_id']}: {doc['title']} ({doc['paragraphs']} paragraphs)", highlight=False)


@cli.command("eval")
@click.option("--gold", "gold_files", multiple=True, type=click.Path(path_type=Path),
              help="Gold JSON Lines file(s) (default: the bundled dev and extra sets).")
@click.option("-k", "k", type=click.IntRange(1, 20), default=None, help="Passages cited per answer.")
@click.option("--baselines", is_flag=True, help="Also run plain e5, BM25 and LangChain's naive RAG recipe.")
@click.option("--squad", "squad", type=click.Path(path_type=Path, exists=True, dir_okay=False),
              help="A SQuAD-format file (e.g. KorQuAD 1.0 dev): its --entries go into a benchmark store of "
                   "their own, beside the bundled article; questions of --unseen entries must be refused.")
@click.option("--entries", default="0-19", show_default=True, help="SQuAD entries to store (file order).")
@click.option("--unseen", default="20-34", show_default=True, help="SQuAD entries asked about but not stored.")
@click.option("--per-article", type=click.IntRange(1, 1000), default=8, show_default=True,
              help="Questions asked per stored SQuAD entry (half as many per unseen one).")
@click.option("--translations", multiple=True, type=click.Path(path_type=Path, exists=True, dir_okay=False),
              help="Questions written in another language for SQuAD questions ({id, lang, question} lines).")
@click.option("--article", "articles", multiple=True, type=click.Path(path_type=Path, exists=True),
              help="More articles to store in the benchmark store (their gold sets go in --gold).")
@click.option("json_", "--json", is_flag=True, help="Print metrics and every question's results as JSON.")
@click.pass_context
@user_errors
def evaluate_command(ctx: click.Context, gold_files: tuple[Path, ...], k: int | None, baselines: bool,
                     squad: Path | None, entries: str, unseen: str, per_article: int,
                     translations: tuple[Path, ...], articles: tuple[Path, ...], json_: bool) -> None:
    """Measure retrieval, abstention and latency on gold questions (or a SQuAD-format benchmark)."""
    from bot.evaluation.gold import bundled_gold_files, load_gold
    from bot.evaluation.harness import evaluate
    from bot.evaluation.report import LEGEND, report_table
    from bot.llm.pipeline import Answerer

    settings = settings_of(ctx)
    answerer = Answerer.from_settings(settings).prepare()
    llm = answerer if answerer.enabled else None
    if squad is not None:
        from bot.evaluation.benchmark import SquadBenchmark, build_benchmark
        from bot.evaluation.squad import parse_entries

        bench = SquadBenchmark(squad, parse_entries(entries), parse_entries(unseen), per_article,
                               translations=translations, extra_articles=articles, extra_gold=gold_files)
        console = stderr_console()
        built = build_benchmark(bench, settings, lambda line: None if json_ else console.print(line, highlight=False))
        reports = {squad.stem: evaluate(built.store, built.questions, k or settings.top_k, baselines, answerer=llm)}
    else:
        store = ready_store(settings, quiet=json_)
        files = {p.stem: p for p in gold_files} if gold_files else bundled_gold_files()
        reports = {name: evaluate(store, load_gold(path), k or settings.top_k, baselines, answerer=llm)
                   for name, path in sorted(files.items())}
    if json_:
        click.echo(json.dumps(reports, ensure_ascii=False, indent=2))
        return
    console = stdout_console()
    for name, report in reports.items():
        console.print(report_table(name, report))
    console.print(LEGEND, style="dim", highlight=False)


def _register_front_ends() -> None:
    """Commands of other front ends live with them; their modules import lazily."""
    from bot.slack.cli import feedback, slack
    from bot.web_cli import COMMANDS as WEB_COMMANDS

    cli.add_command(slack)
    cli.add_command(feedback)
    for command in WEB_COMMANDS:
        cli.add_command(command)


_register_front_ends()


def main() -> None:
    cli(prog_name="articlebot")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
