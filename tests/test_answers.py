"""Questions in English and Korean get cited answers from the real store and model."""

from __future__ import annotations

import pytest

from bot.answering import answer_question, standalone_query
from bot.models import Answer


def cited_paragraph_starts(answer: Answer, top: int = 3) -> list[str]:
    return [p.text[:12] for p in answer.passages[:top]]


@pytest.mark.parametrize("question", [
    "Why did SearchGPT raise tensions?",
    "검색GPT 출시가 왜 긴장을 키웠나요?",
])
def test_a_question_about_searchgpt_cites_the_searchgpt_paragraph(store, question: str) -> None:
    answer = answer_question(question, store, k=3)
    assert not answer.abstained
    assert any(p.text.startswith("출시 검색GPT") for p in answer.passages[:3]), cited_paragraph_starts(answer)


def test_the_satellite_office_question_cites_the_bellevue_paragraph(store) -> None:
    answer = answer_question("Where did OpenAI open a satellite office?", store, k=3)
    assert not answer.abstained
    assert any("벨뷰" in p.text for p in answer.passages[:3])


def test_a_question_the_article_does_not_answer_abstains_without_quotes(store) -> None:
    answer = answer_question("How do I reset my Wi-Fi router if I forgot the admin password?", store, k=3)
    assert answer.abstained
    assert answer.answer.startswith("The article doesn't say")
    assert "Microsoft와 OpenAI 사이의 긴장" in answer.answer  # it says which article it searched
    assert answer.passages == [] and answer.citations == []


def test_a_korean_question_the_article_does_not_answer_abstains_in_korean(store) -> None:
    answer = answer_question("김치찌개 끓일 때 돼지고기는 언제 넣어야 맛있나요?", store, k=3)
    assert answer.abstained
    assert "기사" in answer.answer


@pytest.mark.parametrize("question", [
    "Who is OpenAI's CEO?",
    "What is Microsoft's stance on proprietary systems?",
    "In which city did OpenAI open its satellite office?",
    "What is the name of OpenAI's search product?",
    "오픈AI는 어느 도시에 사무실을 열었나요?",
])
def test_typed_questions_the_article_answers_are_answered(store, question: str) -> None:
    answer = answer_question(question, store, k=3)
    assert not answer.abstained, answer.reason


def test_the_answer_cites_passages_it_returns_and_marks_the_matched_sentence(store) -> None:
    answer = answer_question("Why did SearchGPT raise tensions?", store, k=3)
    numbers = {p.n for p in answer.passages}
    assert answer.citations and set(answer.citations) <= numbers
    for n in answer.citations:
        assert f"[{n}]" in answer.answer
    first = answer.passages[0]
    assert first.highlights
    for mark in first.highlights:
        assert first.text[mark.start : mark.end] == mark.text
        assert mark.text in answer.answer or any(mark.text in p.text for p in answer.passages)


def test_an_english_question_is_told_the_quotes_are_korean(store) -> None:
    english = answer_question("Why did SearchGPT raise tensions?", store)
    korean = answer_question("검색GPT 출시가 왜 긴장을 키웠나요?", store)
    assert english.language == "en" and english.article_language == "ko"
    assert any("Korean" in note for note in english.notes)
    assert korean.language == "ko" and korean.notes == []


def test_passages_carry_their_place_in_the_article(store) -> None:
    answer = answer_question("Why did SearchGPT raise tensions?", store, k=3)
    passage = next(p for p in answer.passages if p.text.startswith("출시 검색GPT"))
    assert passage.section == "Microsoft와 OpenAI 간의 재정적, 전략적 긴장"
    assert passage.paragraph == 13
    assert passage.doc_id == "microsoft-openai-tensions.ko"
    assert passage.title == "Microsoft와 OpenAI 사이의 긴장: AI의 미래에 대한 의미"
    assert passage.end - passage.start == len(passage.text)


def test_k_sets_how_many_passages_are_cited(store) -> None:
    assert len(answer_question("What does the article say about Azure?", store, k=5).passages) == 5


def test_a_short_follow_up_borrows_the_subject_of_the_previous_question() -> None:
    assert standalone_query("and Bing?", ["Why did SearchGPT raise tensions?"]) == \
        "Why did SearchGPT raise tensions? and Bing?"
    full = "Which alternatives might Azure customers consider instead?"
    assert standalone_query(full, ["Why did SearchGPT raise tensions?"]) == full


def test_a_follow_up_in_context_finds_the_earlier_topic(store) -> None:
    answer = answer_question("and how is it different from Bing?", store, k=3,
                             history=["Why did SearchGPT raise tensions?"])
    assert any("SearchGPT" in p.text for p in answer.passages[:3])
