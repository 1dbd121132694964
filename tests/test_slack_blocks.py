"""Answers rendered as Slack messages fit Slack's limits and read well (pure functions)."""

from __future__ import annotations

import json
import unicodedata

import pytest

from bot.models import Answer, Highlight, Passage
from bot.slack.blocks import (
    ELLIPSIS, GENERIC_PROMPTS, MAX_BLOCKS, MAX_PROMPTS, PROMPT_TITLE_LIMIT, QUOTE_LIMIT, SECTION_LIMIT, answer_message,
    clip, escape, passage_mrkdwn, quote_mrkdwn, quote_window, safe_cut, slack_len, split_text, suggested_prompts,
)
from vectorstore.records import DocumentRecord


def passage(text: str, highlights: list[tuple[int, int]] = (), n: int = 1, url: str = "") -> Passage:
    return Passage(n=n, doc_id="doc", title="Tensions", section="Strains", paragraph=13, start=0, end=len(text),
                   text=text, score=0.5, url=url,
                   highlights=[Highlight(a, b, text[a:b], 0.9) for a, b in highlights])


def answer(text: str = "It did. [1]", passages: list[Passage] | None = None, abstained: bool = False,
           notes: list[str] | None = None) -> Answer:
    return Answer(question="Why?", answer=text, abstained=abstained, language="en", article_language="ko",
                  passages=passages if passages is not None else [passage("출시 검색GPT 이러한 긴장감을.", [(0, 15)])],
                  citations=[1], notes=notes or [])


def test_a_short_quote_is_whole_with_its_matched_sentence_in_bold() -> None:
    text = "첫 문장입니다. 출시 검색GPT 이러한 긴장감을 더욱 심화시켰습니다. 끝."
    start = text.index("출시")
    end = text.index("끝") - 1
    assert quote_mrkdwn(passage(text, [(start, end)])) == f">첫 문장입니다. *{text[start:end]}* 끝."


def test_a_long_quote_is_trimmed_around_the_highlighted_sentence() -> None:
    sentence = "출시 검색GPT 이러한 긴장감을 더욱 심화시켰습니다."
    text = "앞 문장입니다. " * 200 + sentence + " 뒤 문장입니다." * 200
    start = text.index(sentence)
    mark = passage(text, [(start, start + len(sentence))])
    lo, hi = quote_window(mark)
    assert lo <= start and start + len(sentence) <= hi and slack_len(text[lo:hi]) <= QUOTE_LIMIT
    quote = quote_mrkdwn(mark)
    assert quote.startswith(f">{ELLIPSIS}") and quote.endswith(ELLIPSIS) and f"*{sentence}*" in quote


def test_trimming_never_cuts_inside_a_character() -> None:
    decomposed = unicodedata.normalize("NFD", "한국어 기사입니다 ") * 300  # Hangul as conjoining jamo
    emoji = "👩‍💻👍🏽🇰🇷 " * 400
    for text in (decomposed, emoji, "é" * 5000, "e\u0301" * 5000):
        for limit in (10, 11, 12, 13, 701, 2999, 3000):
            clipped = clip(text, limit)
            assert slack_len(clipped) <= limit
            body = clipped.removesuffix(ELLIPSIS)
            assert text.startswith(body) and (len(body) == len(text) or safe_cut(text, len(body)) == len(body))
        lo, hi = quote_window(passage(text, [(len(text) // 2, len(text) // 2 + 5)]))
        assert safe_cut(text, lo) == lo and safe_cut(text, hi) == hi
        for piece in split_text(text, SECTION_LIMIT):
            assert slack_len(piece) <= SECTION_LIMIT
    assert safe_cut("👩‍💻", 1) == 0 and safe_cut("👩‍💻", 2) == 0 and safe_cut("e\u0301", 1) == 0


def test_a_heading_links_the_article_when_its_url_is_known() -> None:
    linked = passage_mrkdwn(passage("본문", url="https://example.com/a?b=<c>|d"))
    assert linked.startswith("*[1]* <https://example.com/a?b=%3Cc%3E%7Cd|Tensions · Strains · ¶ 13>")
    assert passage_mrkdwn(passage("본문")).startswith("*[1]* Tensions · Strains · ¶ 13\n>본문")


def test_passages_from_one_article_name_it_once_above_them() -> None:
    url = "https://example.com/tensions"
    blocks = message_blocks(answer(passages=[passage("가", n=1, url=url), passage("나", n=2, url=url)]))
    assert blocks[1:3] == [{"type": "divider"}, {"type": "context", "elements": [
        {"type": "mrkdwn", "text": f"From: *<{url}|Tensions>*"}]}]
    sections = [b["text"]["text"] for b in blocks if b["type"] == "section" and b["text"]["text"].startswith("*[")]
    assert [s.split("\n")[0] for s in sections] == [f"*[1]* <{url}|Strains · ¶ 13>", f"*[2]* <{url}|Strains · ¶ 13>"]
    assert json.dumps(blocks).count("Tensions") == 1


def test_passages_from_several_articles_keep_their_titles() -> None:
    other = Passage(n=2, doc_id="tram", title="Tramline", section="Delays", paragraph=4, start=0, end=1, text="x",
                    score=0.4)
    blocks = message_blocks(answer(passages=[passage("가"), other]))
    text = json.dumps(blocks, ensure_ascii=False)
    assert "From:" not in text
    assert "*[1]* Tensions · Strains · ¶ 13" in text and "*[2]* Tramline · Delays · ¶ 4" in text


def test_slack_control_characters_in_the_article_are_escaped() -> None:
    message = answer("A <b> & <@U123> [1]", [passage("x < y & <!channel>")])
    text = json.dumps(message_blocks(message))
    assert "<@U123>" not in text and "<!channel>" not in text and "&lt;@U123&gt;" in text
    assert escape("<&>") == "&lt;&amp;&gt;"


def message_blocks(ans: Answer) -> list[dict]:
    return answer_message(ans, feedback_value="7").blocks


def test_an_answer_has_its_text_notes_passages_and_feedback_buttons() -> None:
    blocks = message_blocks(answer(notes=["Quotes are in Korean, the article's language."]))
    assert [b["type"] for b in blocks] == ["section", "context", "divider", "context", "section", "actions"]
    assert [e["value"] for e in blocks[-1]["elements"]] == ["7", "7"]
    assert answer_message(answer()).text.startswith("It did. [1]")


def test_an_abstention_has_no_quotes() -> None:
    message = answer_message(answer("The article doesn't say.", passages=[], abstained=True), feedback_value="3")
    assert [b["type"] for b in message.blocks] == ["section", "actions"]
    assert message.text == "The article doesn't say."


@pytest.mark.parametrize("count", [1, 20, 45, 48, 49, 60, 200])
def test_any_number_of_passages_fits_in_fifty_blocks(count: int) -> None:
    passages = [passage("긴 문단 " * 2000, [(10, 30)], n=n) for n in range(1, count + 1)]
    blocks = answer_message(answer("답 " * 20000, passages, notes=["note"]), feedback_value="1",
                            asked_by="U1").blocks
    assert len(blocks) <= MAX_BLOCKS and blocks[-1]["type"] == "actions"
    for block in blocks:
        if block["type"] == "section":
            assert slack_len(block["text"]["text"]) <= SECTION_LIMIT
        if block["type"] == "context":
            assert all(slack_len(e["text"]) <= SECTION_LIMIT for e in block["elements"])
    shown = sum(1 for b in blocks if b["type"] == "section" and b["text"]["text"].startswith("*["))
    if shown < count:
        assert "Not shown" in json.dumps(blocks, ensure_ascii=False)


def test_a_passage_full_of_characters_slack_escapes_still_fits_one_section() -> None:
    text = "<&>" * 3000
    nasty = Passage(n=1, doc_id="d", title="&" * 5000, section="<" * 500, paragraph=1, start=0, end=len(text),
                    text=text, score=0.1, url="https://example.com/" + "x" * 5000,
                    highlights=[Highlight(1500, 1800, text[1500:1800], 0.9)])
    rendered = passage_mrkdwn(nasty)
    assert slack_len(rendered) <= SECTION_LIMIT and rendered.startswith("*[1]*")


# -- suggested prompts --------------------------------------------------------------------

def record(doc_id: str, title: str, updated_at: str, headings: list[str] = ()) -> DocumentRecord:
    return DocumentRecord(doc_id=doc_id, version="v1", text="", chunk_ids=(), title=title,
                          created_at="2024-01-01T00:00:00+00:00", updated_at=updated_at,
                          extra={"headings": list(headings)})


def test_suggested_prompts_ask_about_the_newest_stored_articles_and_their_sections() -> None:
    old = record("old", "Rail strike ends", "2024-02-01T00:00:00+00:00", ["Talks"])
    new = record("new", "Chip plant opens", "2024-03-01T00:00:00+00:00", ["Jobs", "Chip plant opens", "Subsidies"])
    prompts = suggested_prompts([old, new])
    assert [p["message"] for p in prompts] == [
        "What is “Chip plant opens” about?",
        "What is “Rail strike ends” about?",
        "What does “Chip plant opens” say about “Jobs”?",  # the newest article's headings; its title is no heading
        "What does “Chip plant opens” say about “Subsidies”?",
    ]
    assert prompts[0]["title"] == "About Chip plant opens" and prompts[2]["title"] == "Jobs"
    assert len(prompts) <= MAX_PROMPTS


def test_a_long_title_is_shortened_for_the_prompt_label_but_kept_in_the_question() -> None:
    title = "마이크로소프트와 오픈AI 사이의 긴장: 인공지능 산업의 미래에 대한 의미와 전망"
    [about, *rest] = suggested_prompts([record("ko", title, "2024-03-01T00:00:00+00:00")])
    assert slack_len(about["title"]) <= PROMPT_TITLE_LIMIT and about["title"].endswith(ELLIPSIS)
    assert about["message"] == f"What is “{title}” about?"
    assert rest == GENERIC_PROMPTS[: len(rest)] and len(rest) >= 1  # generic ones fill in


def test_an_empty_store_gets_generic_prompts() -> None:
    prompts = suggested_prompts([])
    assert prompts == GENERIC_PROMPTS and len(prompts) >= 2
    assert all(slack_len(p["title"]) <= PROMPT_TITLE_LIMIT for p in prompts)
