"""Paraphrase pairs: two wordings of one question should find the same evidence.

Each pair in bot/evaluation/data/paraphrase-pairs.jsonl (written for this check,
none of them fitted on) asks for one fact twice, in other words. A question
"finds" its evidence when it is answered and a cited passage holds the evidence
text. A pair is consistent when both or neither of its wordings find it.
`python bench/paraphrase_pairs.py` prints each question and writes
bench/paraphrase_pairs.json.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from report import save  # noqa: E402

from bot.answering import answer_question  # noqa: E402
from bot.runtime import ensure_corpus, open_store  # noqa: E402
from bot.settings import Settings  # noqa: E402

PAIRS = ROOT / "bot" / "evaluation" / "data" / "paraphrase-pairs.jsonl"


def main() -> None:
    settings = Settings()
    store = open_store(settings)
    ensure_corpus(store, settings, print)
    rows = [json.loads(line) for line in PAIRS.read_text(encoding="utf-8").splitlines() if line.strip()]
    found: dict[str, list[bool]] = {}
    for row in rows:
        answer = answer_question(row["question"], store)
        hit = not answer.abstained and any(row["evidence"] in p.text for p in answer.passages)
        found.setdefault(row["pair"], []).append(hit)
        print(f"{row['pair']} {'found ' if hit else 'MISSED'} {row['question'][:64]}")
    hits = [h for pair in found.values() for h in pair]
    save({
        "questions": len(hits),
        "evidence_found": round(sum(hits) / len(hits), 3),
        "pairs": len(found),
        "pairs_consistent": round(sum(len(set(p)) == 1 for p in found.values()) / len(found), 3),
        "pairs_both_found": round(sum(all(p) for p in found.values()) / len(found), 3),
    }, "paraphrase_pairs")


if __name__ == "__main__":
    main()
