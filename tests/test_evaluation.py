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

# How the floors were set: `python bench/eval_variants.py` ran the sets under four numeric
# set-ups (1 and 2 BLAS threads, OpenBLAS's own core type and OPENBLAS_CORETYPE=Nehalem);
# all four gave the same figures (bench/eval_variants.json: ties are broken by document
# and paragraph order, scores rounded). Each floor sits at least two questions below that
# figure, each ceiling two questions above; fine-grained changes are `articlebot eval`'s job.
DEV_FLOORS = {"recall@3": 0.82, "mrr": 0.75, "full_recall@5": 0.76}  # measured 0.882 / 0.811 / 0.824 (34)
DEV_LANGUAGE_FLOORS = {"en": 0.75, "ko": 0.78}  # recall@3; measured 0.85 (20) and 0.929 (14)
DEV_MAX_FALSE_ABSTENTION = 0.18  # measured 0.118 (4 of 34)
EXTRA_ABSTENTION_FLOOR = 0.21  # measured 0.286 (8 of 28 unanswerable questions)
EXTRA_MAX_FALSE_ABSTENTION = 0.14  # measured 0.112 (10 of 89)
EXTRA_ENGLISH_FLOORS = {"recall@3": 0.83, "mrr": 0.70}  # measured 0.868 / 0.737 (53)


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
    assert overall["false_abstention"] <= DEV_MAX_FALSE_ABSTENTION
    for language, floor in DEV_LANGUAGE_FLOORS.items():
        assert metrics["language"][language]["recall@3"] >= floor, language


@pytest.fixture(scope="module")
def extra_report(store) -> dict:  # type: ignore[no-untyped-def]
    return evaluate(store, load_gold(bundled_gold_files()["extra"]), k=3)


def test_extra_set_abstains_on_unanswerable_questions_more_than_on_answerable_ones(extra_report: dict) -> None:
    overall = extra_report["methods"]["articlebot"]["metrics"]["overall"]["all"]
    assert overall["abstention"] >= EXTRA_ABSTENTION_FLOOR, overall
    assert overall["false_abstention"] <= EXTRA_MAX_FALSE_ABSTENTION, overall


def test_extra_english_questions_rank_above_their_floor(extra_report: dict) -> None:
    english = extra_report["methods"]["articlebot"]["metrics"]["language"]["en"]
    for name, floor in EXTRA_ENGLISH_FLOORS.items():
        assert english[name] >= floor, f"{name} {english[name]} fell below {floor}"


def test_false_premises_rank_what_the_article_says_first(dev_report: dict) -> None:
    adversarial = [q for q in dev_report["methods"]["articlebot"]["questions"] if q["kind"] == "adversarial"]
    assert adversarial
    for question in adversarial:
        assert question["first_hit"] == 1, question["id"]
    assert sum(not q["abstained"] for q in adversarial) >= 1


def test_eval_json_lists_each_question_with_its_ranked_passages(
        ingested_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ARTICLEBOT_DATA_DIR", str(ingested_dir))
    gold = tmp_path / "mini.jsonl"
    gold.write_text("\n".join(json.dumps(row, ensure_ascii=False) for row in [
        {"id": "a", "lang": "en", "question": "Why did SearchGPT raise tensions?", "answerable": True,
         "evidence": ["출시 검색GPT 이러한 긴장감을 더욱 심화시켰습니다"], "kind": "why"},
        {"id": "b", "lang": "en", "question": "How do I reset my Wi-Fi router if I forgot the admin password?",
         "answerable": False,
         "evidence": [], "kind": "unanswerable"},
    ]), encoding="utf-8")
    result = CliRunner().invoke(cli, ["eval", "--json", "--baselines", "--gold", str(gold)])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)["mini"]
    assert set(report["methods"]) == {"articlebot", "plain-e5", "bm25", "naive-rag"}
    rows = {q["id"]: q for q in report["methods"]["articlebot"]["questions"]}
    assert rows["a"]["first_hit"] == 1 and rows["a"]["passages"][0].startswith("출시 검색GPT")
    assert rows["b"]["abstained"] is True
    assert report["methods"]["articlebot"]["metrics"]["overall"]["all"]["recall@1"] == 1.0


KORQUAD = Path(__file__).resolve().parents[2] / "shared" / "benchmarks" / "korquad" / "KorQuAD_v1.0_dev.json"
# A small slice of the KorQuAD development half (entries 0-69; 70-139 are held out and never
# read): entries 0-2 stored beside the bundled article, 3-5 asked about but absent.
# Measured 1.00 / 1.00 / 0.036 (28 answerable, 12 unanswerable) under all four set-ups.
KORQUAD_FLOORS = {"recall@3": 0.92, "abstention": 0.83, "false_abstention": 0.11}


@pytest.fixture(scope="module")
def korquad_report(tmp_path_factory: pytest.TempPathFactory) -> dict:
    from bot.evaluation.benchmark import SquadBenchmark, build_benchmark
    from bot.settings import Settings

    if not KORQUAD.exists():
        pytest.skip(f"{KORQUAD} is not beside the project")
    settings = Settings(data_dir=tmp_path_factory.mktemp("korquad"))
    gold = Path(__file__).resolve().parents[1] / "bot" / "evaluation" / "data"
    bench = SquadBenchmark(KORQUAD, [0, 1, 2], [3, 4, 5], per_article=8,
                           translations=[gold / "korquad-dev-en.jsonl"])
    built = build_benchmark(bench, settings)
    return evaluate(built.store, built.questions, k=3)


def test_korquad_slice_answers_stored_articles_and_refuses_absent_ones(korquad_report: dict) -> None:
    overall = korquad_report["methods"]["articlebot"]["metrics"]["overall"]["all"]
    assert overall["answerable"] >= 20 and overall["unanswerable"] >= 10
    assert overall["recall@3"] >= KORQUAD_FLOORS["recall@3"], overall
    assert overall["abstention"] >= KORQUAD_FLOORS["abstention"], overall
    assert overall["false_abstention"] <= KORQUAD_FLOORS["false_abstention"], overall
