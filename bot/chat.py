"""Interactive chat in the terminal: questions, follow-ups, /sources, /help, /quit.

Reads plain lines, so it works the same typed at a prompt or piped from a file.
"""

from __future__ import annotations

import io
import sys
from typing import TYPE_CHECKING, TextIO

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
  /quit      leave (Ctrl-D and Ctrl-C work too)"""


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
        for note in answer.notes:
            console.print(note, style="dim", highlight=False)
    else:  # extractive, or a fallback replaced the streamed text
        console.print(render_answer(answer, show_passages=False))
    return answer


def run_chat(store: ChromaStore, k: int, console: Console, stream: TextIO | None = None,
             answerer: "Answerer | None" = None, max_question_chars: int = 2000) -> None:
    from bot.llm.pipeline import Answerer
    from bot.questions import NotAQuestion, clean_question

    if stream is None:
        stream = sys.stdin
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(errors="surrogateescape")  # bad bytes are dropped, not a crash
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
