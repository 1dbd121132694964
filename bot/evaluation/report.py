"""Render evaluation reports as terminal tables (pure).

Twelve metrics do not fit 80 columns in one table (rich then cut every number to
"0.…", and a pipe is 80 columns too), so a report is two tables, retrieval and
answers, with short headers explained once by LEGEND; numbers are never cut.
"""

from __future__ import annotations

from typing import Any

from rich.console import Group
from rich.table import Table

RETRIEVAL = {"recall@1": "R@1", "recall@3": "R@3", "recall@5": "R@5", "full_recall@5": "full@5", "mrr": "MRR"}
ANSWERS = {
    "abstention": "abst", "false_abstention": "f-abst", "keyword_hit": "kw", "citation_validity": "cite",
    "llm_fallback": "fallb", "latency_p50_ms": "p50ms", "latency_p95_ms": "p95ms",
}
COLUMNS = {**RETRIEVAL, **ANSWERS}

LEGEND = (
    "R@k: a passage covering the evidence is in the top k; full@5: every evidence span in the top 5; "
    "MRR: mean reciprocal rank; abst: unanswerable questions refused; f-abst: answerable ones refused; "
    "kw: share of answer keywords found; cite: valid citations (LLM); fallb: LLM replies replaced by "
    "the extractive answer; p50ms/p95ms: latency per question. –: not applicable."
)


def _cell(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.0f}" if value >= 10 else f"{value:.2f}"
    return str(value)


def _rows(report: dict[str, Any]) -> list[tuple[str, dict[str, Any], bool]]:
    """(label, metrics, is_breakdown): each method overall, then articlebot per language and kind."""
    methods = report["methods"]
    rows = [(method, data["metrics"]["overall"]["all"], False) for method, data in methods.items()]
    ours = methods["articlebot"]["metrics"]
    rows += [(f"  {key}", row, True) for group in ("language", "kind") for key, row in ours[group].items()]
    return rows


def metrics_table(title: str, rows: list[tuple[str, dict[str, Any], bool]], columns: dict[str, str]) -> Table:
    """One table over `columns`, leaving out those no row has a value for (e.g. cite without an LLM).

    Numbers never wrap and each column is as wide as its widest cell; only the method
    names may fold, so a narrow terminal squeezes labels, not figures.
    """
    shown = {key: header for key, header in columns.items() if any(row.get(key) is not None for _, row, _ in rows)}
    table = Table(title=title, title_justify="left", padding=(0, 1), box=None)
    table.add_column("method", overflow="fold")
    table.add_column("n", justify="right", no_wrap=True)
    for key, header in shown.items():
        width = max(len(header), *(len(_cell(row.get(key))) for _, row, _ in rows))
        table.add_column(header, justify="right", no_wrap=True, min_width=width)
    for label, row, breakdown in rows:
        table.add_row(label, str(row["questions"]), *(_cell(row.get(key)) for key in shown),
                      style="dim" if breakdown else None)
    return table


def report_table(name: str, report: dict[str, Any]) -> Group:
    """Retrieval, then answers: one row per method (overall), then articlebot per language and per kind."""
    rows = _rows(report)
    return Group(
        metrics_table(f"{name} (k={report['k']}): retrieval", rows, RETRIEVAL),
        "",
        metrics_table(f"{name} (k={report['k']}): answers", rows, ANSWERS),
        "",
    )
