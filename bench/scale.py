"""Scale: question latency, memory and disk as the number of stored articles grows.

Embedding about 70 texts an article for thousands of articles takes days on two
cores, so the larger stores are built from real articles with their vectors
computed once: the fit and report split stores (KorQuAD dev entries 0-19 and
35-54 with the bundled article, and the English tram article: 42 articles, fully
embedded), each copied under new ids with its vectors perturbed (Gaussian noise,
sigma 0.01, renormalised), written through the project's own store code
(`ChromaStore.put_terms`, `upsert`, `put_documents`, many articles a write). The
originals stay in every store, so the dev questions keep their answers; the
copies are the haystack. The first point is the 42 real articles alone.

Each store is measured by fresh processes, as a user meets it: three cold
`articlebot ask --json` runs, then one bot process that answers the bundled dev
questions over and over, 1,000 questions in all, and reports its latencies and
its memory. With `--server` the same store files are then served by a real
`chroma run` started here, and measured again through it.

    python bench/scale.py [--articles 100 1000 10000] [--server] [--stores DIR] [--build-only]
        -> bench/scale.json, docs/scale.svg (the table for docs/scale.md is printed)
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any, Iterator, Sequence

os.environ.setdefault("HF_HUB_OFFLINE", "1")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import numpy as np  # noqa: E402
from report import fit_split, report_split, run_cli, save  # noqa: E402
from scale_plot import write_svg  # noqa: E402

from vectorstore.records import Chunk, DocumentChunks, DocumentRecord  # noqa: E402

NOISE = 0.01
WRITE_CHUNKS = 5000  # chunks gathered before one write (Chroma's largest batch is 5,461)
QUESTIONS = 1000
COLD_ASKS = 3
IDLE_LOAD = 1.5  # measure when the 1-minute load is at most this...
IDLE_WAIT_S = 1200  # ...or once this long has been spent waiting in the run (the load is recorded either way)
SERVER_START_S = 300


# -- building ------------------------------------------------------------------------------


def real_documents() -> tuple[list[DocumentChunks], list[str], np.ndarray]:
    """The fit and report split stores' articles (the bundled one once) with their vocabulary."""
    from bot.settings import Settings

    documents: dict[str, DocumentChunks] = {}
    vocabulary: dict[str, np.ndarray] = {}
    for split in (fit_split(Settings()), report_split(Settings())):
        for record in split.store.list_documents():
            chunks = split.store.document_chunks(record.doc_id)
            if chunks is not None:
                documents.setdefault(record.doc_id, chunks)
        words, vectors = split.store.stored_terms()
        vocabulary.update(zip(words, vectors))
    return [documents[k] for k in sorted(documents)], list(vocabulary), np.asarray(list(vocabulary.values()))


def copies(documents: Sequence[DocumentChunks], count: int,
           rng: np.random.Generator) -> Iterator[tuple[list[Chunk], np.ndarray, DocumentRecord]]:
    """The documents themselves, then perturbed copies under new ids, until `count` articles."""
    for n in range(count):
        doc = documents[n % len(documents)]
        suffix = "" if n < len(documents) else f"~{n // len(documents)}"
        chunks = []
        for hit in doc.hits:
            meta = {**hit.metadata, "doc_id": doc.record.doc_id + suffix}
            if meta.get("parent_id"):
                meta["parent_id"] = str(meta["parent_id"]) + suffix
            chunks.append(Chunk(hit.id + suffix, hit.text, hit.text, meta))
        vectors = np.asarray(doc.vectors, dtype=np.float32)
        if suffix:
            vectors = vectors + rng.normal(0, NOISE, vectors.shape).astype(np.float32)
            vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        yield chunks, vectors, replace(doc.record, doc_id=doc.record.doc_id + suffix,
                                       chunk_ids=tuple(c.id for c in chunks), title=doc.record.title + suffix)


def build(folder: Path, documents: Sequence[DocumentChunks], vocabulary: tuple[list[str], np.ndarray],
          count: int, rng: np.random.Generator) -> float:
    """Write a store of `count` articles into `folder`; seconds taken (kept in folder/built.json)."""
    import chromadb

    from bot.settings import Settings
    from vectorstore.embeddings import make_embeddings
    from vectorstore.store import ChromaStore

    settings = Settings()  # the bot's embedding model, so that it opens the store as its own
    load = os.getloadavg()[0]
    started = time.perf_counter()
    store = ChromaStore.persistent(folder, make_embeddings(settings.embedding_backend, settings.embedding_model))
    store.put_terms(*vocabulary)
    pending: list[tuple[list[Chunk], np.ndarray, DocumentRecord]] = []
    written = 0
    for item in copies(documents, count, rng):
        pending.append(item)
        if sum(len(chunks) for chunks, _, _ in pending) >= WRITE_CHUNKS or len(pending) + written == count:
            store.upsert([c for chunks, _, _ in pending for c in chunks], np.concatenate([v for _, v, _ in pending]))
            store.put_documents([record for *_, record in pending])
            written += len(pending)
            pending = []
            print(f"  {folder.name}: {written}/{count} articles, {time.perf_counter() - started:.0f} s",
                  file=sys.stderr, flush=True)
    seconds = time.perf_counter() - started
    del store
    chromadb.api.shared_system_client.SharedSystemClient.clear_system_cache()  # let the index go
    (folder / "built.json").write_text(json.dumps({"articles": count, "build_s": round(seconds, 1),
                                                   "build_load": [round(load, 2), round(os.getloadavg()[0], 2)]}))
    return seconds


# -- a running bot (run in its own process: `scale.py --bot N`) ---------------------------------


def p(values: Sequence[float], q: float) -> float:
    return round(float(np.percentile(values, q)), 1)


def resident_mb() -> tuple[float, float]:
    """This process's resident memory now and at its peak (VmRSS, VmHWM), in MB."""
    return process_memory(os.getpid())


def process_memory(pid: int) -> tuple[float, float]:
    fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line)
    return tuple(round(int(fields[k].split()[0]) / 1024, 1) for k in ("VmRSS", "VmHWM"))  # type: ignore[return-value]


def run_bot(questions: int) -> dict[str, Any]:
    """Open the configured store once and answer the dev questions until `questions` are answered.

    The first pass asks each question once (after one warm-up question, which loads
    the model); the rest repeat them, as a long-running bot asked familiar questions would.
    """
    from bot.answering import answer_question
    from bot.evaluation.gold import bundled_gold_files, load_gold
    from bot.runtime import open_store
    from bot.settings import Settings

    gold = load_gold(bundled_gold_files()["dev"])
    store = open_store(Settings())
    answer_question("What is this article about?", store)
    timings: list[tuple[str, float]] = []
    stages: dict[str, list[float]] = {}  # where the first pass spent its time (retrieval's own timings)
    while len(timings) < questions:
        for q in gold[: questions - len(timings)]:
            started = time.perf_counter()
            answer = answer_question(q.question, store)
            timings.append((q.lang, (time.perf_counter() - started) * 1000))
            if len(timings) <= len(gold):
                for stage, ms in answer.timings_ms.items():
                    stages.setdefault(stage, []).append(ms)
    first = timings[: len(gold)]
    rss, peak = resident_mb()
    return {
        "documents": store.catalogue(1)[1], "vectors": store.count(),
        **{f"{lang}_{name}_ms": p([t for g, t in first if g == lang], q)
           for lang in ("en", "ko") for name, q in (("p50", 50), ("p95", 95))},
        "first_p50_ms": p([t for _, t in first], 50), "first_p95_ms": p([t for _, t in first], 95),
        "repeat_p50_ms": p([t for _, t in timings[len(gold):]], 50),
        "repeat_p95_ms": p([t for _, t in timings[len(gold):]], 95),
        "first_stage_p50_ms": {stage: p(ms, 50) for stage, ms in stages.items()},
        "questions": len(timings), "bot_rss_mb": rss, "bot_peak_rss_mb": peak,
    }


# -- measuring -------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def chroma_server(path: Path) -> Iterator[tuple[subprocess.Popen[bytes], int]]:
    """`chroma run` serving the store files at `path` on a free loopback port, stopped afterwards."""
    port = free_port()
    with (path.parent / "chroma-server.log").open("wb") as log:
        proc = subprocess.Popen([str(Path(sys.executable).with_name("chroma")), "run", "--host", "127.0.0.1",
                                 "--port", str(port), "--path", str(path)], stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + SERVER_START_S
        while True:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"chroma run did not accept connections (see {path.parent}/chroma-server.log)")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        yield proc, port
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def wait_for_idle(deadline: float) -> float:
    """Wait (until the monotonic `deadline` at most) for the 1-minute load to fall to IDLE_LOAD;
    the load measured under."""
    while os.getloadavg()[0] > IDLE_LOAD and time.monotonic() < deadline:
        print(f"  load {os.getloadavg()[0]:.2f} > {IDLE_LOAD}: waiting", file=sys.stderr, flush=True)
        time.sleep(60)
    return round(os.getloadavg()[0], 2)


def measure(folder: Path, question: str, questions: int, **settings: str) -> dict[str, Any]:
    """Cold asks and a running bot against one store (embedded, or through CHROMA_HOST)."""
    cold = []
    for _ in range(COLD_ASKS):
        out, seconds = run_cli(["ask", "--json", question], folder, **settings)
        if not json.loads(out).get("passages"):
            raise RuntimeError(f"the cold ask found no passage in {folder}")
        cold.append(round(seconds, 2))
    env = {**os.environ, "ARTICLEBOT_DATA_DIR": str(folder), **settings}
    done = subprocess.run([sys.executable, __file__, "--bot", str(questions)], env=env, check=True,
                          capture_output=True, text=True, cwd=ROOT)
    return {"cold_ask_s": float(np.median(cold)), "cold_asks_s": cold, **json.loads(done.stdout)}


def du_mb(path: Path) -> float:
    return round(int(subprocess.run(["du", "-sk", str(path)], capture_output=True, text=True).stdout.split()[0]) / 1024, 1)


def measure_store(name: str, folder: Path, server: bool, question: str, questions: int,
                  idle_until: float) -> list[dict[str, Any]]:
    built = json.loads((folder / "built.json").read_text())
    common = {"store": name, "disk_mb": du_mb(folder / "chroma"), "build_s": built["build_s"],
              "build_load": built.get("build_load")}
    rows = [{**common, "mode": "embedded", "load": wait_for_idle(idle_until), **measure(folder, question, questions),
             "load_after": round(os.getloadavg()[0], 2)}]
    print_row(rows[-1])
    if server:
        load = wait_for_idle(idle_until)
        with chroma_server(folder / "chroma") as (proc, port):
            row = measure(folder, question, questions, CHROMA_HOST="127.0.0.1", CHROMA_PORT=str(port))
            rss, peak = process_memory(proc.pid)
        rows.append({**common, "mode": "server", "load": load, **row, "load_after": round(os.getloadavg()[0], 2),
                     "server_rss_mb": rss, "server_peak_rss_mb": peak})
        print_row(rows[-1])
    return rows


def print_row(row: dict[str, Any]) -> None:
    server = f" | server rss {row['server_rss_mb']} MB" if "server_rss_mb" in row else ""
    print(f"{row['documents']:6d} articles {row['vectors']:8d} vectors {row['mode']:8s} | "
          f"en p50/p95 {row['en_p50_ms']}/{row['en_p95_ms']} ms | ko {row['ko_p50_ms']}/{row['ko_p95_ms']} ms | "
          f"repeat {row['repeat_p50_ms']}/{row['repeat_p95_ms']} ms | cold ask {row['cold_ask_s']} s "
          f"{row['cold_asks_s']} | bot rss {row['bot_rss_mb']} MB (peak {row['bot_peak_rss_mb']}){server} | "
          f"disk {row['disk_mb']} MB | build {row['build_s']} s | load {row['load']}-{row['load_after']}", flush=True)


def markdown_table(rows: Sequence[dict[str, Any]]) -> str:
    lines = ["| articles | vectors | store | English p50 / p95 | Korean p50 / p95 | repeated p50 / p95 | cold `ask` "
             "| bot RSS | server RSS | on disk | build | load |",
             "|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        lines.append(
            f"| {r['documents']:,}{' (real)' if r['store'] == 'real' else ''} | {r['vectors']:,} | {r['mode']} "
            f"| {r['en_p50_ms']} / {r['en_p95_ms']} ms | {r['ko_p50_ms']} / {r['ko_p95_ms']} ms "
            f"| {r['repeat_p50_ms']} / {r['repeat_p95_ms']} ms | {r['cold_ask_s']:.1f} s | {r['bot_rss_mb']:.0f} MB "
            f"| {str(round(r['server_rss_mb'])) + ' MB' if 'server_rss_mb' in r else '–'} | {r['disk_mb']:.0f} MB "
            f"| {'copy ' if r['store'] == 'real' else ''}{r['build_s']:,.0f} s | {r['load']}–{r['load_after']} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, nargs="+", default=[100, 1000, 10000])
    parser.add_argument("--server", action="store_true", help="also measure each store through `chroma run`")
    parser.add_argument("--stores", type=Path, help="keep the stores here (and reuse those already built)")
    parser.add_argument("--build-only", action="store_true")
    parser.add_argument("--questions", type=int, default=QUESTIONS)
    parser.add_argument("--idle-wait", type=float, default=IDLE_WAIT_S,
                        help=f"seconds the run may spend waiting for the load to fall to {IDLE_LOAD}")
    parser.add_argument("--bot", type=int, help=argparse.SUPPRESS)  # the running bot's own process
    args = parser.parse_args()
    if args.bot:
        print(json.dumps(run_bot(args.bot)))
        return
    with contextlib.ExitStack() as stack:
        stores = args.stores or Path(stack.enter_context(tempfile.TemporaryDirectory()))
        documents, *vocabulary = real_documents()
        names = [("real", len(documents)), *((str(n), n) for n in args.articles)]
        for name, count in names:
            if not (stores / name / "built.json").exists():
                print(f"building {name}: {count} articles", file=sys.stderr, flush=True)
                build(stores / name, documents, tuple(vocabulary), count, np.random.default_rng(7))  # type: ignore[arg-type]
        if args.build_only:
            return
        from bot.evaluation.gold import bundled_gold_files, load_gold

        idle_until = time.monotonic() + args.idle_wait
        question = next(q.question for q in load_gold(bundled_gold_files()["dev"]) if q.lang == "en")
        rows = [row for name, _ in names
                for row in measure_store(name, stores / name, args.server, question, args.questions, idle_until)]
    save({"noise_sigma": NOISE, "questions_per_bot": args.questions, "rows": rows}, "scale")
    write_svg(rows, ROOT / "docs" / "scale.svg")
    print(markdown_table(rows))


if __name__ == "__main__":
    main()
