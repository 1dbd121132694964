"""The passage list names an article once when every passage comes from it (pure)."""

from __future__ import annotations

from rich.console import Console

from bot.formatting import plain_text, render_answer
from bot.models import Answer, Passage

TITLE = "Microsoft와 OpenAI 사이의 긴장: AI의 미래에 대한 의미"


def passage(n: int, paragraph: int, doc_id: str = "tensions", title: str = TITLE,
            section: str = "재정적, 전략적 긴장") -> Passage:
    return Passage(n=n, doc_id=doc_id, title=title, section=section, paragraph=paragraph, start=0, end=5,
                   text=f"문단 {paragraph}", score=0.5)


def answer(passages: list[Passage]) -> Answer:
    return Answer(question="Why?", answer="Because. [1]", abstained=False, language="en", article_language="ko",
                  passages=passages, citations=[1])


def terminal(ans: Answer) -> str:
    console = Console(width=200, record=True)
    console.print(render_answer(ans))
    return console.export_text()


def test_passages_from_one_article_name_it_once() -> None:
    ans = answer([passage(1, 13), passage(2, 14), passage(3, 2, section="")])
    for out in (terminal(ans), plain_text(ans)):
        assert out.count(TITLE) == 1
        assert f"From: {TITLE}" in out
        assert "[1] 재정적, 전략적 긴장 · ¶ 13" in out and "[2] 재정적, 전략적 긴장 · ¶ 14" in out
        assert "[3] ¶ 2" in out


def test_passages_from_several_articles_keep_their_titles() -> None:
    tram = "Westbridge Opens Its First Tram Line"
    ans = answer([passage(1, 13), passage(2, 4, doc_id="tram", title=tram, section="Delays")])
    for out in (terminal(ans), plain_text(ans)):
        assert "From:" not in out
        assert f"[1] {TITLE} · 재정적, 전략적 긴장 · ¶ 13" in out
        assert f"[2] {tram} · Delays · ¶ 4" in out
