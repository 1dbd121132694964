"""The chat remembers earlier questions between sessions at a terminal; piped chats stay as they were."""

from __future__ import annotations

import io
import stat
from pathlib import Path

import pytest
from rich.console import Console

from bot.chat import HISTORY_LENGTH, line_editing, read_history, run_chat, write_history


def test_history_is_saved_and_read_back_oldest_first(tmp_path: Path) -> None:
    path = tmp_path / "data" / "chat_history"  # the data dir may not exist yet
    write_history(path, ["Why did SearchGPT raise tensions?", "", "검색GPT 출시가 왜 긴장을 키웠나요?", "/sources"])
    assert read_history(path) == ["Why did SearchGPT raise tensions?", "검색GPT 출시가 왜 긴장을 키웠나요?", "/sources"]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600  # questions can be private


def test_history_keeps_only_the_newest_entries(tmp_path: Path) -> None:
    path = tmp_path / "chat_history"
    write_history(path, [f"question {i}" for i in range(HISTORY_LENGTH + 50)])
    kept = read_history(path)
    assert len(kept) == HISTORY_LENGTH and kept[0] == "question 50" and kept[-1] == f"question {HISTORY_LENGTH + 49}"
    assert read_history(path, limit=2) == [f"question {HISTORY_LENGTH + 48}", f"question {HISTORY_LENGTH + 49}"]


def test_a_missing_or_garbled_history_is_no_history(tmp_path: Path) -> None:
    assert read_history(tmp_path / "none") == []
    garbled = tmp_path / "garbled"
    garbled.write_bytes(b"ok\n\xff\xfe broken\n")
    assert read_history(garbled)[0] == "ok" and len(read_history(garbled)) == 2


def test_an_unwritable_history_does_not_break_the_chat(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    write_history(blocker / "chat_history", ["q"])  # no exception
    assert not (blocker / "chat_history").exists()


def test_readline_starts_with_the_saved_history_and_saves_what_was_added(tmp_path: Path) -> None:
    readline = pytest.importorskip("readline")
    path = tmp_path / "chat_history"
    write_history(path, ["first question"])
    with line_editing(path):
        assert readline.get_current_history_length() == 1
        assert readline.get_history_item(1) == "first question"
        readline.add_history("second question")  # what input() does after each line
    assert read_history(path) == ["first question", "second question"]
    readline.clear_history()


def test_piped_chat_works_as_before_and_writes_no_history(tmp_path: Path) -> None:
    out = io.StringIO()
    path = tmp_path / "chat_history"
    run_chat(None, 3, Console(file=out, width=80), stream=io.StringIO("/help\n/sources\n/quit\n"),  # type: ignore[arg-type]
             history_path=path)
    text = out.getvalue()
    assert "you> /help" in text and "/clear" in text and "No passages yet" in text
    assert text.rstrip().endswith("Bye.")
    assert not path.exists()
