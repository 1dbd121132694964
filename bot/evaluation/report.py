"""Render evaluation reports as terminal tables (pure)."""

from __future__ import annotations

from typing import Any

from rich.table import Table

COLUMNS = {  # metric -> short header, so the table fits an 80-column terminal
    "recall@1": "R@1", "recall@3": "R@3", "recall@5": "R@5", "full_recall@5": "full@5", "mrr": "MRR",
    "abstention": "abst", "false_abstention": "f-abst", "keyword_hit": "kw",
    "latency_p50_ms": "p50ms", "latency_p95_ms": "p95ms",
    "citation_validity": "cite", "llm_fallback": "fallb",
}


def _cell(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.0f}" if value >= 10 else f"{value:.2f}"
    return str(value)


def report_table(name: str, report: dict[str, Any]) -> Table:
    """One row per method (overall), then articlebot per language and per kind."""
    table = Table(title=f"{name} (k={report['k']})", title_justify="left", padding=(0, 1), box=None)
    table.add_column("method", no_wrap=True)
    table.add_column("n", justify="right")
    for header in COLUMNS.values():
        table.add_column(header, justify="right", no_wrap=True)
    methods = report["methods"]
    for method, data in methods.items():
        row = data["metrics"]["overall"]["all"]
        table.add_row(method, str(row["questions"]), *(_cell(row.get(c)) for c in COLUMNS))
    ours = methods["articlebot"]["metrics"]
    for group in ("language", "kind"):
        for key, row in ours[group].items():
            table.add_row(f"  {key}", str(row["questions"]),
                          *(_cell(row.get(c)) for c in COLUMNS), style="dim")
    return table
