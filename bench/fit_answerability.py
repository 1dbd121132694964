"""Fit the answerability weights on one split, and report them on another.

    python bench/fit_answerability.py [--squad FILE] [--json]

Fit split: the bundled article's dev and extra sets, KorQuAD 1.0 dev entries
0-19 and the English harbour article stored beside it (entries 20-34 asked about
but not stored), their English translations, the harbour article's English and
Korean questions, and off-topic questions. Report split: entries 35-54 stored,
55-69 not. Entries 70-139 are held out for checks by others and never read.
The fitted weights are printed in the form `bot/answerability.py` keeps them;
paste them there when they change. A logistic regression with balanced classes
on standardised features. Each (question language, article language) pair with
enough fit questions gets its own threshold, the rest share "default"; each is
the fit split's 5th percentile of its answerable questions, so that about 5% of
them are refused.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import numpy as np  # noqa: E402

from bot.answerability import FEATURES, gather_evidence  # noqa: E402
from bot.evaluation.benchmark import SquadBenchmark, build_benchmark  # noqa: E402
from bot.evaluation.gold import GoldQuestion, bundled_gold_files, load_gold  # noqa: E402
from bot.evaluation.squad import parse_entries  # noqa: E402
from bot.retrieval import retrieve  # noqa: E402
from bot.settings import Settings  # noqa: E402
from ingest.language import detect_language  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
GOLD = ROOT / "bot" / "evaluation" / "data"
SQUAD = ROOT.parent / "shared" / "benchmarks" / "korquad" / "KorQuAD_v1.0_dev.json"
FALSE_REFUSALS = 0.05
MIN_PAIR_QUESTIONS = 100  # a language pair with fewer answerable fit questions shares "default"


def source(question: GoldQuestion, bundled: bool) -> str:
    if question.kind in ("squad", "unseen-article"):
        return "korquad"
    if not bundled:  # the report split's only other gold is the tram article's
        return "tram"
    return {"o": "off-topic", "h": "harbour"}.get(question.id[0], "bundled")


DUMP: list[dict] = []  # type: ignore[type-arg]  # each question's evidence, for --dump


def features(store, questions: list[GoldQuestion], bundled: bool) -> tuple[np.ndarray, np.ndarray, list[str], list[str]]:  # type: ignore[no-untyped-def]
    rows, labels, groups, pair_of = [], [], [], []
    for question in questions:
        retrieval = retrieve(question.question, store)
        language = detect_language(question.question)
        evidence = gather_evidence(question.question, retrieval, language)
        rows.append([evidence.features()[name] for name in FEATURES])
        DUMP.append({"id": question.id, "group": f"{source(question, bundled)}-{question.lang}",
                     "question": question.question, "answerable": question.answerable,
                     **evidence.features(), "pair": evidence.pair, "missing": evidence.missing_names,
                     "bridge": retrieval.bridge.terms})
        labels.append(1.0 if question.answerable else 0.0)
        groups.append(f"{source(question, bundled)}-{question.lang}")
        pair_of.append(evidence.pair)
    return np.array(rows), np.array(labels), groups, pair_of


def fit(x: np.ndarray, y: np.ndarray, l2: float = 1e-3, steps: int = 5000) -> tuple[np.ndarray, float]:
    mean, spread = x.mean(0), x.std(0) + 1e-9
    z = (x - mean) / spread
    w, b = np.zeros(z.shape[1]), 0.0
    balance = np.where(y == 1, 0.5 / y.mean(), 0.5 / (1 - y.mean()))
    for _ in range(steps):
        p = 1 / (1 + np.exp(-(z @ w + b)))
        g = (p - y) * balance
        w -= 0.5 * (z.T @ g / len(y) + l2 * w)
        b -= 0.5 * g.mean()
    return w / spread, float(b - (w / spread * mean).sum())


def rates(scores: np.ndarray, y: np.ndarray, groups: list[str], pair_of: list[str],
          thresholds: dict[str, float]) -> dict[str, dict[str, float | None]]:
    table: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for score, label, group, kind in zip(scores, y, groups, pair_of):
        row = table[group]
        refused = score < thresholds[kind]
        if label:
            row[0] += 1
            row[1] += refused
        else:
            row[2] += 1
            row[3] += refused
    return {g: {"answerable": a, "false_refusal": round(fa / a, 3) if a else None,
                "unanswerable": u, "refused": round(ru / u, 3) if u else None}
            for g, (a, fa, u, ru) in sorted(table.items())}


def split(settings: Settings, squad: Path, held: str, unseen: str, bundled: bool) -> tuple:  # type: ignore[type-arg]
    bench = SquadBenchmark(squad, parse_entries(held), parse_entries(unseen), 8,
                           translations=[GOLD / "korquad-dev-en.jsonl"],
                           extra_articles=[GOLD / ("harbour-desal.en.txt" if bundled else "tramline.en.txt")],
                           extra_gold=[GOLD / "offtopic.jsonl", GOLD / "harbour-desal.jsonl"] if bundled
                           else [GOLD / "tramline.jsonl"])
    built = build_benchmark(bench, settings, lambda line: print(line, file=sys.stderr))
    questions = built.questions
    if bundled:
        questions += [q for name in ("dev", "extra") for q in load_gold(bundled_gold_files()[name])]
    return features(built.store, questions, bundled)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--squad", type=Path, default=SQUAD)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--dump", type=Path, help="write each question's evidence and score (JSON Lines)")
    parser.add_argument("--without", action="append", default=[], choices=FEATURES,
                        help="leave a feature out (to measure what it adds)")
    args = parser.parse_args()
    used = [i for i, name in enumerate(FEATURES) if name not in args.without]
    settings = Settings()
    x, y, groups, pair_of = split(settings, args.squad, "0-19", "20-34", bundled=True)
    x = x[:, used]
    w, b = fit(x, y)
    scores = x @ w + b
    counts = Counter(k for k, label in zip(pair_of, y) if label)
    own = [pair for pair, n in counts.items() if n >= MIN_PAIR_QUESTIONS]
    pairs = [pair if pair in own else "default" for pair in pair_of]
    thresholds = {}
    for kind in sorted(set(pairs)):
        answerable = np.sort([s for s, label, k in zip(scores, y, pairs) if label and k == kind])
        thresholds[kind] = round(float(answerable[int(FALSE_REFUSALS * len(answerable))]), 3)
    rx, ry, rgroups, rpair_of = split(settings, args.squad, "35-54", "55-69", bundled=False)
    rx = rx[:, used]
    rpairs = [pair if pair in own else "default" for pair in rpair_of]
    result = {
        "weights": {FEATURES[i]: round(float(v), 3) for i, v in zip(used, w)},
        "intercept": round(b, 3),
        "thresholds": thresholds,
        "fit": rates(scores, y, groups, pairs, thresholds),
        "report": rates(rx @ w + b, ry, rgroups, rpairs, thresholds),
    }
    if args.dump:
        fit_scores = [*scores.tolist(), *(rx @ w + b).tolist()]
        with args.dump.open("w", encoding="utf-8") as out:
            for row, score, pair in zip(DUMP, fit_scores, [*pairs, *rpairs]):
                out.write(json.dumps({**row, "score": round(score, 3), "refused": score < thresholds[pair]},
                                     ensure_ascii=False) + "\n")
    if args.json:
        print(json.dumps(result, indent=2))
        return
    print("WEIGHTS =", result["weights"])
    print("INTERCEPT =", result["intercept"])
    print("THRESHOLDS =", result["thresholds"])
    for name in ("fit", "report"):
        for group, row in result[name].items():  # type: ignore[attr-defined]
            print(f"{name:6s} {group:22s} answerable {row['answerable']:4d} refused {row['false_refusal']}"
                  f" | unanswerable {row['unanswerable']:4d} refused {row['refused']}")


if __name__ == "__main__":
    main()
