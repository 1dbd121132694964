"""Several articles in one store: passages come from the right one, refusals say what was searched."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.answering import answer_question
from ingest.pipeline import IngestOptions, ingest_paths

TRAM = Path(__file__).resolve().parents[1] / "bot" / "evaluation" / "data" / "tramline.en.txt"
TRAM_TITLE = "Westbridge Opens Its First Tram Line in Six Decades, Two Years Late and Over Budget"


@pytest.fixture(scope="module")
def two_articles(ingested_dir: Path, embeddings, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """The bundled Korean article and an English one (written for evaluation) in one store."""
    from vectorstore.store import ChromaStore

    target = tmp_path_factory.mktemp("two-articles") / "data"
    shutil.copytree(ingested_dir, target)
    store = ChromaStore.persistent(target, embeddings)
    summary = ingest_paths([TRAM], store, IngestOptions())
    assert summary.documents == 1 and not summary.errors
    return store


@pytest.mark.parametrize(("question", "doc_id"), [
    ("Who built the new tram line?", "tramline.en"),
    ("트램 노선 공사가 늦어진 이유는 무엇인가요?", "tramline.en"),
    ("Why did SearchGPT raise tensions?", "microsoft-openai-tensions.ko"),
    ("마이크로소프트는 오픈AI에 얼마를 투자했나요?", "microsoft-openai-tensions.ko"),
])
def test_passages_come_from_the_article_that_answers(two_articles, question: str, doc_id: str) -> None:  # type: ignore[no-untyped-def]
    answer = answer_question(question, two_articles, k=3)
    assert not answer.abstained, answer.reason
    assert answer.passages[0].doc_id == doc_id


def test_an_english_article_answers_english_questions_without_a_language_note(two_articles) -> None:  # type: ignore[no-untyped-def]
    answer = answer_question("How many stops does the Riverside Line have?", two_articles, k=3)
    assert not answer.abstained and answer.article_language == "en" and answer.notes == []
    assert any("17 stops" in p.text for p in answer.passages)


def test_english_sentences_are_highlighted_one_by_one(two_articles) -> None:  # type: ignore[no-untyped-def]
    answer = answer_question("How many stops does the Riverside Line have?", two_articles, k=3)
    stops = next(p for p in answer.passages if "17 stops" in p.text)
    assert stops.highlights and all(len(mark.text) < len(stops.text) for mark in stops.highlights)


def test_a_question_naming_an_article_title_is_kept_to_that_article(two_articles) -> None:  # type: ignore[no-untyped-def]
    from bot.retrieval import retrieve

    retrieval = retrieve(f"What does “{TRAM_TITLE}” say about the budget?", two_articles)
    assert retrieval.scoped and {p.document.doc_id for p in retrieval.paragraphs} == {"tramline.en"}


@pytest.mark.parametrize("question", [
    "김치찌개 끓일 때 돼지고기는 언제 넣어야 맛있나요?",
    "강아지가 초콜릿을 먹었을 때는 어떻게 해야 하나요?",
])
def test_a_question_no_article_covers_is_refused_naming_the_articles_searched(two_articles, question: str) -> None:  # type: ignore[no-untyped-def]
    answer = answer_question(question, two_articles, k=3)
    assert answer.abstained and answer.passages == []
    assert "Westbridge" in answer.answer and "Microsoft와 OpenAI" in answer.answer
