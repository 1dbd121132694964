"""Reading aids for quotes in another language: figures and dates restated, matched words."""

from __future__ import annotations

import pytest

from bot.glosses import glosses, llm_hint, restated, without_hint
from bot.numbers import english_dates, korean_amount, korean_dates


@pytest.mark.parametrize(("text", "expected"), [
    ("거의 140억 달러 2019년부터", ["140억 달러 = $14 billion", "2019년 = 2019"]),
    ("2024년 7월 25일에 발표", ["2024년 7월 25일 = July 25, 2024"]),
    ("매출은 1조 2000억 원", ["1조 2000억 원 = 1.2 trillion won"]),
    ("아무 숫자도 없는 문장", []),
])
def test_korean_figures_and_dates_are_restated_in_english(text: str, expected: list[str]) -> None:
    assert restated(text, "en") == expected


def test_english_figures_and_dates_are_restated_in_korean() -> None:
    text = "Microsoft invested about $14 billion by July 25, 2024, and 3 million users signed up."
    assert restated(text, "ko") == ["$14 billion = 140억 달러", "3 million = 300만", "July 25, 2024 = 2024년 7월 25일"]


def test_a_language_without_a_reading_gets_no_restatement() -> None:
    assert restated("140억 달러", "ja") == []


def test_myriads_not_thousands() -> None:
    assert [korean_amount(v) for v in (1.4e10, 2.5e12, 3e7, 1234)] == ["140억", "2조 5000억", "3000만", "1,234"]


def test_a_bare_month_name_is_not_a_date_and_a_bare_day_is_not_either() -> None:
    assert english_dates("May we ask? In May.") == []
    assert korean_dates("3일 동안") == []


def test_glosses_name_the_bridged_words_the_answer_holds() -> None:
    lines = glosses("Microsoft의 막대한 투자는 거의 140억 달러", "en", "ko",
                    {"invest": ["투자", "투자자"], "weather": ["날씨"]})
    assert lines == ["In English: 140억 달러 = $14 billion", "Matched words: invest ≈ 투자"]


def test_no_glosses_when_the_question_and_article_share_a_language() -> None:
    assert glosses("거의 140억 달러", "ko", "ko", {}) == []
    assert llm_hint("ko", "ko") == ""


def test_the_llm_hint_is_dropped_for_a_model_answer_but_the_figures_stay() -> None:
    lines = [*glosses("140억 달러", "en", "ko", {}), llm_hint("en", "ko")]
    assert len(lines) == 2 and "LLM_PROVIDER" in lines[1]
    assert without_hint(lines) == ["In English: 140억 달러 = $14 billion"]


def test_an_english_question_on_the_korean_article_gets_dollars_and_matched_words(store) -> None:  # type: ignore[no-untyped-def]
    from bot.answering import answer_question

    answer = answer_question("How much did Microsoft invest in OpenAI?", store)
    assert not answer.abstained
    assert "140억 달러 = $14 billion" in " ".join(answer.glosses)
    assert any(g.startswith("Matched words:") and "≈ 투자" in g for g in answer.glosses)
    assert "LLM_PROVIDER" in answer.glosses[-1]
    korean = answer_question("마이크로소프트는 오픈AI에 얼마를 투자했나요?", store)
    assert korean.glosses == []
