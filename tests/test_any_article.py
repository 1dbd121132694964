"""Pieces that make answering work for any article: names across scripts, language, SQuAD benchmarks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.answerability import content_words, coverage
from bot.evaluation.squad import load_squad, parse_entries, spread, translated, unanswerable
from bot.lexical import ENGLISH_STOPWORDS
from bot.names import article_names, question_names
from ingest.language import detect_language
from vectorstore.errors import ArticlebotError


def test_question_names_skip_the_question_word_and_keep_multiword_names() -> None:
    assert question_names("Where did Kim Young-sam go after talks with Roh Tae-woo failed?",
                          ENGLISH_STOPWORDS) == ["Kim Young-sam", "Roh Tae-woo"]
    assert question_names("When is GPT-5 going to be released?", ENGLISH_STOPWORDS) == ["GPT-5"]
    assert question_names("how much was the fee?", ENGLISH_STOPWORDS) == []


@pytest.mark.parametrize("name", ["Kim Young-sam", "Gim Yeongsam", "Roh Tae-woo", "Lee Myung-bak", "Park Chung-hee"])
def test_romanised_korean_names_are_found_in_hangul(name: str) -> None:
    names = article_names("김영삼은 노태우와의 협상이 결렬되자 이명박, 박정희와 함께 떠났다.")
    assert names.holds(name)


def test_a_name_the_article_lacks_in_either_script_is_missing() -> None:
    names = article_names("김영삼은 노태우와의 협상이 결렬되자 떠났다. Samsung and Nvidia signed.")
    assert not names.holds("Kim Dae-jung")
    assert not names.holds("Volkswagen")
    assert names.holds("삼성") and names.holds("samsung")


def test_content_words_drop_particles_and_question_words() -> None:
    assert content_words("임종석이 지명수배 된 날은 언제인가?") == ["임종석", "지명수배"]
    assert content_words("What was the transfer fee?") == ["transfer", "fee"]


def test_coverage_counts_words_as_written_by_stem_and_through_the_bridge() -> None:
    texts = ["The club paid a transfer fee of 80 million euros.", "Microsoft가 자금을 투자했다."]
    assert coverage(["transfer", "fee"], texts, {}) == 1.0
    assert coverage(["transferred", "salary"], texts, {}) == 0.5  # "transf" stem, salary absent
    assert coverage(["money"], texts, {"money": ["자금"]}) == 1.0
    assert coverage([], texts, {}) == 1.0


@pytest.mark.parametrize(("text", "code"), [
    ("Why did SearchGPT raise tensions?", "en"),
    ("검색GPT 출시가 왜 긴장을 키웠나요?", "ko"),
    ("OpenAI의 CEO는 누구인가요?", "ko"),
    ("Warum hat Microsoft in OpenAI investiert?", "de"),
    ("Pourquoi Microsoft a-t-il investi dans OpenAI ?", "fr"),
    ("GPT-5?", "en"),
    ("", "en"),
])
def test_language_detection_knows_more_than_hangul_or_not(text: str, code: str) -> None:
    assert detect_language(text) == code


SQUAD = {"version": "test", "data": [
    {"title": "First_article", "paragraphs": [
        {"context": "Alpha was founded in 1901 by Beta.\nIt grew.", "qas": [
            {"id": "q1", "question": "When was Alpha founded?", "answers": [{"text": "1901", "answer_start": 21}]},
            {"id": "q2", "question": "Who founded Alpha?", "answers": [{"text": "Beta", "answer_start": 29}]},
        ]},
    ]},
    {"title": "Second", "paragraphs": [
        {"context": "Gamma is a river.", "qas": [
            {"id": "q3", "question": "What is Gamma?", "answers": [{"text": "a river", "answer_start": 9}]},
        ]},
    ]},
]}


def test_squad_entries_become_articles_with_evidence_in_their_paragraphs(tmp_path: Path) -> None:
    path = tmp_path / "squad.json"
    path.write_text(json.dumps(SQUAD), encoding="utf-8")
    first, second = load_squad(path, [0, 1])
    assert first.title == "First article" and first.paragraphs == ("Alpha was founded in 1901 by Beta. It grew.",)
    for question in first.questions:
        assert question.answerable and all(span in first.text for span in question.evidence)
    refused = unanswerable([second], per_article=5)
    assert [(q.id, q.answerable, q.evidence) for q in refused] == [("q3", False, [])]
    lines = tmp_path / "en.jsonl"
    lines.write_text('{"id": "q1", "lang": "de", "question": "Wann wurde Alpha gegründet?"}\n'
                     '{"id": "q3", "question": "What is Gamma?"}\n', encoding="utf-8")
    asked = translated(lines, [first, second], held={0})
    assert [(q.lang, q.answerable, bool(q.evidence)) for q in asked] == [("de", True, True), ("en", False, False)]


def test_squad_questions_are_spread_over_the_article_and_ranges_are_parsed(tmp_path: Path) -> None:
    assert [q for q in spread(list(range(10)), 3)] == [0, 3, 6]  # type: ignore[arg-type]
    assert parse_entries("0-2,5") == [0, 1, 2, 5]
    with pytest.raises(ArticlebotError, match="entry range"):
        parse_entries("3-x")
    path = tmp_path / "squad.json"
    path.write_text(json.dumps(SQUAD), encoding="utf-8")
    with pytest.raises(ArticlebotError, match="no entry 7"):
        load_squad(path, [7])


def test_english_paragraphs_are_split_into_sentences_and_plain_terms() -> None:
    from ingest.korean import KiwiAnalyzer, latin_sentences

    text = 'Mr. Smith paid $4.5 million. He said: "It works." Then U.S. officials left! Why? 2026 was late.'
    assert [text[s:e] for s, e in latin_sentences(text)] == [
        "Mr. Smith paid $4.5 million.", 'He said: "It works."', "Then U.S. officials left!", "Why?",
        "2026 was late."]
    assert KiwiAnalyzer().terms("The fee was way. Higher") == ["the", "fee", "was", "way", "higher"]
