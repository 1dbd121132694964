"""The article's paragraphs, headings and source line are found (pure functions)."""

from __future__ import annotations

from ingest.chunking import ArticleInfo, build_chunks
from ingest.structure import parse_article, parse_source_line
from tests.conftest import ARTICLE

TEXT = ARTICLE.read_text(encoding="utf-8")


def test_the_bundled_article_has_its_five_headings_and_a_source_line() -> None:
    structure = parse_article(TEXT)
    assert structure.headings == [
        "Microsoft-OpenAI 파트너십의 시작",
        "Microsoft와 OpenAI 간의 재정적, 전략적 긴장",
        "혁신과 독점성의 균형",
        "이 균열이 AI 산업에 미치는 영향",
        "결론",
    ]
    assert structure.source_site == "Unite.AI"
    assert structure.source_title == "Microsoft와 OpenAI 사이의 긴장: AI의 미래에 대한 의미"
    assert structure.blocks[-1].kind == "source"
    assert len(structure.blocks) == 28


def test_every_block_points_at_its_exact_span_of_the_document() -> None:
    for block in parse_article(TEXT).blocks:
        assert TEXT[block.start : block.end] == block.text


def test_paragraphs_know_their_section() -> None:
    searchgpt = next(b for b in parse_article(TEXT).blocks if b.text.startswith("출시 검색GPT"))
    assert searchgpt.section == "Microsoft와 OpenAI 간의 재정적, 전략적 긴장"


def test_english_feed_source_lines_are_recognised() -> None:
    assert parse_source_line("The post Big News appeared first on Example Times.") == ("Big News", "Example Times")
    assert parse_source_line("Microsoft invested heavily.") is None


def test_hard_wrapped_blocks_become_one_paragraph_each() -> None:
    text = ("Heading One\n\nThis is a long paragraph that was\nwrapped at a fixed width by an\n"
            "old mail client.\n\nSecond paragraph, also\nwrapped.\n")
    article = parse_article(text)
    assert article.title == "Heading One"  # a plain-text first line that reads as a headline
    assert [b.text for b in article.blocks] == [
        "This is a long paragraph that was wrapped at a fixed width by an old mail client.",
        "Second paragraph, also wrapped.",
    ]


def test_markdown_headings_and_title() -> None:
    structure = parse_article("# The Title\n\n## Part one\n\nSome **bold** text here.\n", markdown=True)
    assert structure.title == "The Title"
    assert structure.headings == ["Part one"]
    assert structure.paragraphs[0].text == "Some bold text here."
    assert structure.paragraphs[0].section == "Part one"


class PeriodAnalyzer:
    """A tiny stand-in for Kiwi in pure chunking tests: sentences end at periods."""

    def split_sentences(self, text: str) -> list[tuple[int, int]]:
        spans, start = [], 0
        for i, ch in enumerate(text):
            if ch == ".":
                spans.append((start, i + 1))
                start = i + 2
        if start < len(text):
            spans.append((start, len(text)))
        return spans

    def terms(self, text: str) -> list[str]:
        return text.lower().replace(".", "").split()


_split_on_periods = PeriodAnalyzer()


def test_chunk_ids_depend_on_content_not_position() -> None:
    info = ArticleInfo(doc_id="a", title="t")
    first = build_chunks(parse_article("Intro one. Intro two.\nBody three. Body four.\n"), info, _split_on_periods)
    second = build_chunks(parse_article("New lead. Added here.\nIntro one. Intro two.\nBody three. Body four.\n"),
                          info, _split_on_periods)
    assert {c.id for c in first} <= {c.id for c in second}
    moved = {c.id: c.metadata["paragraph"] for c in second}
    assert moved[first[0].id] == 2


def test_sentences_point_to_their_paragraph_with_document_offsets() -> None:
    text = "First para. Has two.\nSecond para. Also two.\n"
    chunks = build_chunks(parse_article(text), ArticleInfo(doc_id="d", title="t"), _split_on_periods)
    paragraphs = {c.id: c for c in chunks if c.metadata["kind"] == "paragraph"}
    sentences = [c for c in chunks if c.metadata["kind"] == "sentence"]
    assert len(sentences) == 4
    for sentence in sentences:
        assert sentence.metadata["parent_id"] in paragraphs
        assert text[int(sentence.metadata["start"]) : int(sentence.metadata["end"])] == sentence.text


def test_paragraphs_are_embedded_with_title_and_section_and_carry_bm25_terms() -> None:
    text = "Intro line here.\nPart two\nBody one. Body two. Body three. Body four.\n"
    chunks = build_chunks(parse_article(text), ArticleInfo(doc_id="d", title="The Title"), _split_on_periods)
    body = next(c for c in chunks if c.text.startswith("Body one"))
    assert body.embed_text == "The Title\nPart two\n" + body.text
    assert body.metadata["terms"] == "body one body two body three body four"
    windows = [c.text for c in chunks if c.metadata["kind"] == "window" and c.metadata["parent_id"] == body.id]
    assert windows == ["Body one. Body two. Body three.", "Body two. Body three. Body four."]


def test_long_lines_without_final_punctuation_stay_separate_paragraphs() -> None:
    lines = [f"문단 {n} " + "내용이 이어지는 긴 문장 " * 12 + "(개정판)" for n in range(3)]
    assert len(parse_article("\n".join(lines)).blocks) == 3
