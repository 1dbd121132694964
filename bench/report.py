"""Shared by the bench scripts: run the CLI in a fresh process; print and keep results."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
SQUAD = ROOT.parent / "shared" / "benchmarks" / "korquad" / "KorQuAD_v1.0_dev.json"
DATA = ROOT / "bot" / "evaluation" / "data"


def fit_split(settings: Any) -> Any:
    """KorQuAD dev entries 0-19 stored beside the bundled article and the English harbour article,
    with their English translations and the harbour article's gold (English and Korean questions)."""
    from bot.evaluation.benchmark import SquadBenchmark, build_benchmark
    from bot.evaluation.squad import parse_entries

    return build_benchmark(SquadBenchmark(SQUAD, parse_entries("0-19"), (), 8, True, [DATA / "korquad-dev-en.jsonl"],
                                          (DATA / "harbour-desal.en.txt",), (DATA / "harbour-desal.jsonl",)),
                           settings)


def report_split(settings: Any) -> Any:
    """KorQuAD dev entries 35-54 with their translations, and the English tram article with its gold."""
    from bot.evaluation.benchmark import SquadBenchmark, build_benchmark
    from bot.evaluation.squad import parse_entries

    return build_benchmark(SquadBenchmark(SQUAD, parse_entries("35-54"), (), 8, True, [DATA / "korquad-dev-en.jsonl"],
                                          (DATA / "tramline.en.txt",), (DATA / "tramline.jsonl",)), settings)


def run_cli(args: list[str], data_dir: Path, **settings: str) -> tuple[str, float]:
    """`articlebot ARGS` in a new process on `data_dir` (and any other settings, e.g. CHROMA_HOST):
    (stdout, wall seconds)."""
    env = {**os.environ, "ARTICLEBOT_DATA_DIR": str(data_dir), "HF_HUB_OFFLINE": "1", **settings}
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "bot.cli", *args], env=env, check=True,
                          capture_output=True, text=True, cwd=ROOT)
    return done.stdout, time.perf_counter() - started


def save(results: dict[str, object], name: str) -> None:
    results = {"machine": f"{platform.machine()}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}",
               **results}
    width = max(len(k) for k in results)
    for key, value in results.items():
        print(f"{key:<{width}}  {value}")
    (BENCH / f"{name}.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
