"""Questions about the whole article get each section's lead, cited; others are untouched."""

from __future__ import annotations

import pytest

from bot.answering import answer_question
from bot.overview import OverviewSignal, is_overview


def test_a_summary_request_must_beat_both_the_passages_and_the_specific_questions() -> None:
    assert is_overview(OverviewSignal(request=0.93, specific=0.88), best_passage=0.86)
    assert not is_overview(OverviewSignal(request=0.93, specific=0.925), best_passage=0.86)
    assert not is_overview(OverviewSignal(request=0.93, specific=0.80), best_passage=0.925)
    assert not is_overview(OverviewSignal(request=0.84, specific=0.70), best_passage=0.70)


@pytest.mark.parametrize("question", ["Summarize the article", "이 기사 요약해 줘", "Resume el artículo"])
def test_a_summary_request_gets_the_lead_of_each_section_in_order(store, question: str) -> None:  # type: ignore[no-untyped-def]
    answer = answer_question(question, store)
    assert not answer.abstained
    paragraphs = [p.paragraph for p in answer.passages]
    assert paragraphs == sorted(paragraphs) and len(paragraphs) >= 4
    assert all(p.kind == "paragraph" for p in answer.passages)
    assert len({p.section for p in answer.passages}) == len(answer.passages)  # one per section
    lines = answer.answer.splitlines()
    assert lines[0].startswith("“Microsoft와 OpenAI 사이의 긴장")
    for passage, line in zip(answer.passages, lines[1:]):
        lead = passage.highlights[0].text
        assert passage.text.startswith(lead) and lead in line and line.endswith(f"[{passage.n}]")
    assert answer.citations == [p.n for p in answer.passages]


def test_a_topical_question_is_not_taken_for_a_summary_request(store) -> None:  # type: ignore[no-untyped-def]
    answer = answer_question("Why did SearchGPT raise tensions?", store)
    assert "•" not in answer.answer and answer.passages[0].paragraph == 13
