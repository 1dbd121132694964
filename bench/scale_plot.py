"""docs/scale.svg by hand: latency and memory against the number of articles (log x axis).

No plotting library is a dependency of the project, and two small line charts do
not need one.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any, Sequence

WIDTH, HEIGHT = 460, 330  # one panel
LEFT, RIGHT, TOP, BOTTOM = 58, 16, 34, 76  # its margins (the legend sits under the axis)
EMBEDDED, SERVER, CHROMA = "#1f77b4", "#d62728", "#7f7f7f"
Series = tuple[str, str, str, list[tuple[float, float, bool]]]  # label, colour, dash, (x, y, real?)


def _series(rows: Sequence[dict[str, Any]], mode: str, key: str) -> list[tuple[float, float, bool]]:
    points = [(float(r["documents"]), float(r[key]), r["store"] == "real") for r in rows if r["mode"] == mode and key in r]
    return sorted(points)


def _nice_top(value: float) -> float:
    step = 10 ** math.floor(math.log10(value)) if value > 0 else 1
    return math.ceil(value / step * 1.1) * step if value > 0 else 1


def _panel(x0: float, title: str, unit: str, series: Sequence[Series],
           targets: Sequence[tuple[float, str]], xs: Sequence[float]) -> list[str]:
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    lo, hi = math.floor(math.log10(min(xs))), math.ceil(math.log10(max(xs)))
    top = _nice_top(max([y for *_, pts in series for _, y, _ in pts] + [t for t, _ in targets]))

    def sx(x: float) -> float:
        return x0 + LEFT + (math.log10(x) - lo) / (hi - lo) * plot_w

    def sy(y: float) -> float:
        return TOP + plot_h - y / top * plot_h

    out = [f'<text x="{x0 + WIDTH / 2}" y="20" text-anchor="middle" font-weight="bold">{title}</text>',
           f'<rect x="{x0 + LEFT}" y="{TOP}" width="{plot_w}" height="{plot_h}" fill="none" stroke="#999"/>']
    for e in range(lo, hi + 1):
        x = sx(10 ** e)
        out += [f'<line x1="{x:.1f}" y1="{TOP}" x2="{x:.1f}" y2="{TOP + plot_h}" stroke="#eee"/>',
                f'<text x="{x:.1f}" y="{TOP + plot_h + 16}" text-anchor="middle">{10 ** e:,}</text>']
    for k in range(5):
        y = top * k / 4
        out.append(f'<text x="{x0 + LEFT - 6}" y="{sy(y) + 4:.1f}" text-anchor="end">{y:,.0f}</text>')
    out += [f'<text x="{x0 + LEFT + plot_w / 2}" y="{TOP + plot_h + 30}" text-anchor="middle">articles (log scale)</text>',
            f'<text x="{x0 + 14}" y="{TOP + plot_h / 2}" text-anchor="middle" '
            f'transform="rotate(-90 {x0 + 14} {TOP + plot_h / 2})">{unit}</text>']
    for value, label in targets:
        out += [f'<line x1="{x0 + LEFT}" y1="{sy(value):.1f}" x2="{x0 + LEFT + plot_w}" y2="{sy(value):.1f}" '
                f'stroke="#2ca02c" stroke-dasharray="2 3"/>',
                f'<text x="{x0 + LEFT + 4}" y="{sy(value) - 4:.1f}" fill="#2ca02c">{label}</text>']
    for n, (label, colour, dash, points) in enumerate(series):
        path = " ".join(f"{sx(x):.1f},{sy(y):.1f}" for x, y, _ in points)
        out.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2" stroke-dasharray="{dash}"/>')
        out += [f'<circle cx="{sx(x):.1f}" cy="{sy(y):.1f}" r="3.5" stroke="{colour}" stroke-width="1.5" '
                f'fill="{"white" if real else colour}"/>' for x, y, real in points]
        lx, ly = x0 + LEFT + 190 * (n % 2), TOP + plot_h + 48 + 15 * (n // 2)
        out += [f'<line x1="{lx}" y1="{ly - 4}" x2="{lx + 22}" y2="{ly - 4}" stroke="{colour}" '
                f'stroke-width="2" stroke-dasharray="{dash}"/>',
                f'<text x="{lx + 27}" y="{ly}">{label}</text>']
    return out


def write_svg(rows: Sequence[dict[str, Any]], path: Path) -> None:
    """Warm p50/p95 (all dev questions, first pass) and resident memory, embedded and on a server."""
    xs = [float(r["documents"]) for r in rows]
    latency: list[Series] = [
        ("embedded p50", EMBEDDED, "none", _series(rows, "embedded", "first_p50_ms")),
        ("embedded p95", EMBEDDED, "6 4", _series(rows, "embedded", "first_p95_ms")),
        ("server p50", SERVER, "none", _series(rows, "server", "first_p50_ms")),
        ("server p95", SERVER, "6 4", _series(rows, "server", "first_p95_ms")),
    ]
    memory: list[Series] = [
        ("bot, embedded store", EMBEDDED, "none", _series(rows, "embedded", "bot_rss_mb")),
        ("bot, on a server", SERVER, "none", _series(rows, "server", "bot_rss_mb")),
        ("chroma run server", CHROMA, "6 4", _series(rows, "server", "server_rss_mb")),
    ]
    body = [*_panel(0, "Warm question latency", "ms", [s for s in latency if s[3]],
                    [(150, "server p95 target 150 ms")], xs),
            *_panel(WIDTH, f"Resident memory after {rows[0].get('questions', 1000):,} questions", "MB",
                    [s for s in memory if s[3]], [(1536, "bot target 1.5 GB")], xs)]
    note = "hollow marker: the real, fully embedded store; filled: real articles plus perturbed copies"
    svg = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{2 * WIDTH}" height="{HEIGHT + 20}" '
           f'font-family="sans-serif" font-size="11">',
           '<rect width="100%" height="100%" fill="white"/>', *body,
           f'<text x="{WIDTH}" y="{HEIGHT + 12}" text-anchor="middle" fill="#555">{note}</text>', "</svg>"]
    path.write_text("\n".join(svg) + "\n", encoding="utf-8")
