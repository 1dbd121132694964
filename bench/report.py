"""Shared by the bench scripts: run the CLI in a fresh process; print and keep results."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent


def run_cli(args: list[str], data_dir: Path) -> tuple[str, float]:
    """`articlebot ARGS` in a new process on `data_dir`: (stdout, wall seconds)."""
    env = {**os.environ, "ARTICLEBOT_DATA_DIR": str(data_dir), "HF_HUB_OFFLINE": "1"}
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
