"""Print benchmark results as an aligned table and keep them as JSON beside the scripts."""

from __future__ import annotations

import json
import os
import platform
from pathlib import Path

BENCH = Path(__file__).resolve().parent


def save(results: dict[str, object], name: str) -> None:
    results = {"machine": f"{platform.machine()}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}",
               **results}
    width = max(len(k) for k in results)
    for key, value in results.items():
        print(f"{key:<{width}}  {value}")
    (BENCH / f"{name}.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
