"""Run `articlebot eval` under several numeric set-ups, to set test floors that hold on any machine.

    python bench/eval_variants.py [--squad FILE] > bench/eval_variants.json

CPUs differ, and so do the kernels numpy's OpenBLAS picks for them: near-ties in
cosine scores can break differently. Each set-up runs in a fresh process with
1 or 2 BLAS threads and OpenBLAS's own core detection or an older core type
(Nehalem: no AVX). The floors in tests/test_evaluation.py sit at least two
questions below the lowest figure printed here.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SQUAD = ROOT.parent / "shared" / "benchmarks" / "korquad" / "KorQuAD_v1.0_dev.json"
DATA = ROOT / "bot" / "evaluation" / "data"
SETUPS = {
    "2 threads": {"OPENBLAS_NUM_THREADS": "2"},
    "1 thread": {"OPENBLAS_NUM_THREADS": "1"},
    "2 threads, Nehalem": {"OPENBLAS_NUM_THREADS": "2", "OPENBLAS_CORETYPE": "Nehalem"},
    "1 thread, Nehalem": {"OPENBLAS_NUM_THREADS": "1", "OPENBLAS_CORETYPE": "Nehalem"},
}
KEYS = ("recall@1", "recall@3", "mrr", "full_recall@5", "abstention", "false_abstention")


def run(args: list[str], env: dict[str, str]) -> dict:  # type: ignore[type-arg]
    out = subprocess.run([sys.executable, "-m", "bot.cli", "eval", "--json", *args], env=env,
                         capture_output=True, text=True, check=True, cwd=ROOT)
    return json.loads(out.stdout)


def summary(reports: dict) -> dict:  # type: ignore[type-arg]
    rows = {}
    for name, report in reports.items():
        metrics = report["methods"]["articlebot"]["metrics"]
        rows[name] = {"all": {k: metrics["overall"]["all"].get(k) for k in KEYS},
                      **{lang: {k: row.get(k) for k in KEYS} for lang, row in metrics["language"].items()}}
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--squad", type=Path, default=SQUAD)
    args = parser.parse_args()
    results = {}
    with tempfile.TemporaryDirectory() as data_dir:
        for label, extra in SETUPS.items():
            env = {**os.environ, "HF_HUB_OFFLINE": "1", "ARTICLEBOT_DATA_DIR": data_dir, **extra}
            reports = run([], env)
            reports.update(run(["--squad", str(args.squad), "--entries", "0-2", "--unseen", "3-5",
                                "--translations", str(DATA / "korquad-dev-en.jsonl")], env))
            results[label] = summary(reports)
            print(f"{label}: done", file=sys.stderr)
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
