"""The evaluation harness measures what it claims, and quality stays above its floor."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import cli
from bot.evaluation.gold import GoldQuestion, bundled_gold_files, load_gold
from bot.evaluation.harness import evaluate
from bot.evaluation.metrics import QuestionResult, summarize
from vectorstore.errors import ArticlebotError

# Floors sit a little under a measured run on the dev set (docs/retrieval.md);
# raise them when quality improves, never lower them to make a change pass.
DEV_FLOORS = {  # measured: 0.88 / 0.83 / 0.82 / 1.00 (6 of 6; the floor allows one miss)
    "recall@3": 0.86, "mrr": 0.81, "full_recall@5": 0.80, "abstention": 0.80,
}
DEV_LANGUAGE_FLOORS = {"en": 0.83, "ko": 0.90}  # recall@3; measured 0.85 and 0.93
EXTRA_ABSTENTION_FLOOR = 0.89  # measured 0.93 (26 of 28 unanswerable questions)
# English questions of the extra set, where the word bridge earns its keep
# (measured 0.89 / 0.77 with it, 0.83 / 0.70 without).
EXTRA_ENGLISH_FLOORS = {"recall@3": 0.87, "mrr": 0.75}
MAX_FALSE_ABSTENTION = 0.05


def _gold(answerable: bool = True, evidence: tuple[str, ...] = ("span",)) -> GoldQuestion:
    return GoldQuestion(id="t", lang="en", question="q?", answerable=answerable, evidence=list(evidence),
                        answer_keywords_en=["alpha", "beta"])


def test_recall_and_mrr_count_the_first_passage_that_covers_evidence() -> None:
    results = [
        QuestionResult(_gold(), ["x", "has span", "y"], False, "alpha", 1.0, "en"),
        QuestionResult(_gold(), ["has span"], False, "alpha beta", 3.0, "en"),
        QuestionResult(_gold(), ["x", "y", "z", "w", "v", "span"], True, "", 2.0, "en"),
        QuestionResult(_gold(answerable=False, evidence=()), ["x"], True, "", 4.0, "en"),
    ]
    metrics = summarize(results)
    assert metrics["recall@1"] == round(1 / 3, 3)
    assert metrics["recall@3"] == round(2 / 3, 3)
    assert metrics["recall@5"] == round(2 / 3, 3)
    assert metrics["mrr"] == round((1 / 2 + 1 + 1 / 6) / 3, 3)
    assert metrics["false_abstention"] == round(1 / 3, 3)
    assert metrics["abstention"] == 1.0
    assert metrics["keyword_hit"] == 0.75  # abstained answers are left out
    assert metrics["latency_p50_ms"] == 2.5


def test_full_evidence_recall_needs_every_span_in_the_top_five() -> None:
    gold = _gold(evidence=("one", "two"))
    assert QuestionResult(gold, ["one", "x", "two"], False, "", 1.0).covers_all(5)
    assert not QuestionResult(gold, ["one", "x", "y", "z", "w", "two"], False, "", 1.0).covers_all(5)


def test_a_malformed_gold_line_is_named(tmp_path: Path) -> None:
    path = tmp_path / "gold.jsonl"
    path.write_text('{"id": "a", "question": "q", "answerable": true}\n{"id": "b"}\n', encoding="utf-8")
    with pytest.raises(ArticlebotError, match="gold.jsonl:2"):
        load_gold(path)


def test_every_bundled_evidence_span_is_in_the_article() -> None:
    from tests.conftest import ARTICLE

    article = ARTICLE.read_text(encoding="utf-8")
    for name, path in bundled_gold_files().items():
        for question in load_gold(path):
            for span in question.evidence:
                assert span in article, (name, question.id, span)


@pytest.fixture(scope="module")
def dev_report(store) -> dict:  # type: ignore[no-untyped-def]
    return evaluate(store, load_gold(bundled_gold_files()["dev"]), k=3)


def test_dev_set_quality_stays_above_its_floor(dev_report: dict) -> None:
    metrics = dev_report["methods"]["articlebot"]["metrics"]
    overall = metrics["overall"]["all"]
    for name, floor in DEV_FLOORS.items():
        assert overall[name] >= floor, f"{name} {overall[name]} fell below {floor}"
    assert overall["false_abstention"] <= MAX_FALSE_ABSTENTION
    for language, floor in DEV_LANGUAGE_FLOORS.items():
        assert metrics["language"][language]["recall@3"] >= floor, language


def test_extra_set_abstains_on_unanswerable_questions_only(store) -> None:  # type: ignore[no-untyped-def]
    questions = [q for q in load_gold(bundled_gold_files()["extra"]) if not q.answerable or q.kind == "fact"]
    overall = evaluate(store, questions, k=3)["methods"]["articlebot"]["metrics"]["overall"]["all"]
    assert overall["abstention"] >= EXTRA_ABSTENTION_FLOOR
    assert overall["false_abstention"] <= MAX_FALSE_ABSTENTION


def test_extra_english_questions_rank_above_their_floor(store) -> None:  # type: ignore[no-untyped-def]
    questions = [q for q in load_gold(bundled_gold_files()["extra"]) if q.lang == "en" and q.answerable]
    overall = evaluate(store, questions, k=3)["methods"]["articlebot"]["metrics"]["overall"]["all"]
    for name, floor in EXTRA_ENGLISH_FLOORS.items():
        assert overall[name] >= floor, f"{name} {overall[name]} fell below {floor}"


def test_false_premises_are_answered_with_what_the_article_says(dev_report: dict) -> None:
    adversarial = [q for q in dev_report["methods"]["articlebot"]["questions"] if q["kind"] == "adversarial"]
    assert adversarial
    for question in adversarial:
        assert not question["abstained"] and question["first_hit"] == 1, question["id"]


def test_eval_json_lists_each_question_with_its_ranked_passages(
        ingested_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ARTICLEBOT_DATA_DIR", str(ingested_dir))
    gold = tmp_path / "mini.jsonl"
    gold.write_text("\n".join(json.dumps(row, ensure_ascii=False) for row in [
        {"id": "a", "lang": "en", "question": "Why did SearchGPT raise tensions?", "answerable": True,
         "evidence": ["출시 검색GPT 이러한 긴장감을 더욱 심화시켰습니다"], "kind": "why"},
        {"id": "b", "lang": "en", "question": "When is GPT-5 going to be released?", "answerable": False,
         "evidence": [], "kind": "unanswerable"},
    ]), encoding="utf-8")
    result = CliRunner().invoke(cli, ["eval", "--json", "--baselines", "--gold", str(gold)])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)["mini"]
    assert set(report["methods"]) == {"articlebot", "bm25", "naive-rag"}
    rows = {q["id"]: q for q in report["methods"]["articlebot"]["questions"]}
    assert rows["a"]["first_hit"] == 1 and rows["a"]["passages"][0].startswith("출시 검색GPT")
    assert rows["b"]["abstained"] is True
    assert report["methods"]["articlebot"]["metrics"]["overall"]["all"]["recall@1"] == 1.0
