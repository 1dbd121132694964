"""Interactive chat in the terminal: questions, follow-ups, /sources, /help, /quit.

Reads plain lines, so it works the same typed at a prompt or piped from a file. At a
terminal, Python's readline gives the prompt line editing (arrow keys, Ctrl-A/E) and
↑/↓ through earlier questions, kept between chats in a history file.
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Iterator, Sequence, TextIO

from rich.console import Console

from bot.formatting import render_answer, render_passages
from bot.models import Answer
from ingest.safe_text import without_surrogates
from vectorstore.store import ChromaStore

if TYPE_CHECKING:
    from bot.llm.pipeline import Answerer
    from bot.questions import Question

HELP = """Ask a question about the articles in the store, in any language.
  /sources   show the passages of the last answer in full
  /clear     forget the conversation (follow-ups use earlier questions)
  /help      this help
  /quit      leave (Ctrl-D and Ctrl-C work too)
At a terminal, ↑ and ↓ bring back earlier questions, also from earlier chats."""


HISTORY_LENGTH = 1000  # questions kept in the history file, newest last


def read_history(path: Path, limit: int = HISTORY_LENGTH) -> list[str]:
    """The last `limit` history entries, oldest first; no file (or an unreadable one) is none."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return []
    return [line for line in text.splitlines() if line.strip()][-limit:]


def write_history(path: Path, entries: Sequence[str], limit: int = HISTORY_LENGTH) -> None:
    """Keep the last `limit` entries, readable by the owner only (questions can be private).

    One entry a line, in our own format rather than readline's, which differs between
    GNU readline and libedit. Failing to save is not worth an error at exit.
    """
    kept = [e for e in entries if e.strip() and "\n" not in e][-limit:]
    partial = path.with_name(path.name + ".partial")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8", errors="replace") as handle:
            handle.write("".join(f"{entry}\n" for entry in kept))
        os.replace(partial, path)
    except OSError:
        pass


@contextlib.contextmanager
def line_editing(history_path: Path) -> Iterator[None]:
    """Readline at the prompt, its history loaded from and saved to `history_path`.

    Only for a terminal: importing readline can write escape codes, and piped input
    needs none of it. Without readline (e.g. Windows) the prompt stays plain.
    """
    try:
        import readline
    except ImportError:
        yield
        return
    readline.clear_history()
    for entry in read_history(history_path):
        readline.add_history(entry)
    try:
        yield
    finally:
        count = readline.get_current_history_length()
        write_history(history_path, [readline.get_history_item(i) or "" for i in range(1, count + 1)])


def _read_line(stream: TextIO, prompt: str, console: Console) -> str | None:
    """One line, with any bytes that are not UTF-8 dropped (they arrive as lone surrogates)."""
    if stream.isatty():
        try:
            return without_surrogates(input(prompt))
        except EOFError:
            return None
    console.print(prompt, end="", highlight=False)
    line = stream.readline()
    if not line:
        return None
    line = without_surrogates(line)
    console.print(line.rstrip("\n"), highlight=False, markup=False)
    return line


def _answer(asked: "Question", store: ChromaStore, k: int, history: list[str], console: Console,
            answerer: "Answerer") -> Answer:
    """Print the answer; a model's answer is printed as it streams (then any fallback)."""
    from bot.llm.stream import StreamEcho

    echo = StreamEcho(lambda t: console.print(t, end="", highlight=False, markup=False, soft_wrap=True))
    answer = asked.annotate(answerer.ask(asked.text, store, k, history=history, on_token=echo))
    if echo.started:
        console.print("")
    if echo.is_final(answer):  # what streamed is the answer: only the notes remain
        for note in answer.remarks:
            console.print(note, style="dim", highlight=False)
    else:  # extractive, or a fallback replaced the streamed text
        console.print(render_answer(answer, show_passages=False))
    return answer


def run_chat(store: ChromaStore, k: int, console: Console, stream: TextIO | None = None,
             answerer: "Answerer | None" = None, max_question_chars: int = 2000,
             history_path: Path | None = None) -> None:
    """The chat loop; at a terminal with `history_path`, with line editing and saved history."""
    if stream is None:
        stream = sys.stdin
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(errors="surrogateescape")  # bad bytes are dropped, not a crash
    editing = line_editing(history_path) if history_path and stream.isatty() else contextlib.nullcontext()
    with editing:
        _chat_loop(store, k, console, stream, answerer, max_question_chars)


def _chat_loop(store: ChromaStore, k: int, console: Console, stream: TextIO,
               answerer: "Answerer | None", max_question_chars: int) -> None:
    from bot.llm.pipeline import Answerer
    from bot.questions import NotAQuestion, clean_question

    answerer = answerer or Answerer()  # no model configured: extractive answers
    history: list[str] = []
    last: Answer | None = None
    console.print("articlebot — ask about the articles. /help for commands, /quit to leave.", highlight=False)
    try:
        while True:
            line = _read_line(stream, "you> ", console)
            if line is None:
                break
            text = line.strip()
            if not text:
                continue
            command = text.lower()
            if command in ("/quit", "/exit", "/q"):
                break
            if command == "/help":
                console.print(HELP, highlight=False)
            elif command == "/sources":
                if last is None or not last.passages:
                    console.print("No passages yet: ask a question first.", highlight=False)
                else:
                    console.print(render_passages(last.passages))
            elif command == "/clear":
                history.clear()
                console.print("Conversation cleared.", highlight=False)
            elif command.startswith("/"):
                console.print(f"Unknown command {text.split()[0]}; /help lists them.", highlight=False)
            else:
                try:
                    asked = clean_question(text, max_question_chars)
                except NotAQuestion as exc:
                    console.print(str(exc), highlight=False)
                    continue
                last = _answer(asked, store, k, history, console, answerer)
                history.append(asked.text)
                if last.passages:
                    cited = ", ".join(f"[{p.n}] ¶ {p.paragraph}" for p in last.passages)
                    console.print(f"sources: {cited} — /sources to read them", style="dim", highlight=False)
    except KeyboardInterrupt:
        console.print("")
    console.print("Bye.", highlight=False)
