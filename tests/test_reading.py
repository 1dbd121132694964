"""Files in every encoding Korean news arrives in decode to the same text; bad files fail cleanly."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from ingest.reading import InputError, read_source
from ingest.structure import parse_article
from tests.conftest import ARTICLE

TEXT = ARTICLE.read_text(encoding="utf-8")


@pytest.mark.parametrize("encoding, bom", [
    ("utf-8", b""),
    ("utf-8", codecs.BOM_UTF8),
    ("utf-16-le", codecs.BOM_UTF16_LE),
    ("utf-16-be", codecs.BOM_UTF16_BE),
    ("utf-16-le", b""),
    ("cp949", b""),
    ("euc-kr", b""),
])
def test_the_article_reads_the_same_in_every_encoding(tmp_path: Path, encoding: str, bom: bytes) -> None:
    path = tmp_path / "article.txt"
    path.write_bytes(bom + TEXT.encode(encoding))
    assert read_source(path).text == TEXT


def test_windows_line_endings_and_decomposed_hangul_are_normalised(tmp_path: Path) -> None:
    import unicodedata

    path = tmp_path / "nfd.txt"
    path.write_bytes(unicodedata.normalize("NFD", "결론\r\n본문입니다.\r\n").encode("utf-8"))
    assert read_source(path).text == "결론\n본문입니다.\n"


@pytest.mark.parametrize("name, content, message", [
    ("empty.txt", b"", "is empty"),
    ("blank.txt", b"   \n\n  ", "no text"),
    ("image.txt", bytes(range(256)) * 4, "binary"),
    ("photo.png", b"\x89PNG\r\n", "unsupported file type"),
])
def test_unusable_files_give_one_clear_reason(tmp_path: Path, name: str, content: bytes, message: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(InputError, match=message):
        read_source(path)


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        read_source(tmp_path / "nope.txt")


def test_a_huge_file_is_refused_before_it_is_read(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    path.write_bytes(b"a" * 2048)
    with pytest.raises(InputError, match="over the"):
        read_source(path, max_bytes=1024)


def test_html_main_text_is_extracted_without_navigation(tmp_path: Path) -> None:
    body = "".join(f"<p>{line}</p>" for line in TEXT.splitlines()[:4])
    html = (f"<html><head><title>긴장 기사</title></head><body><nav><a href='/'>홈</a> 메뉴 로그인</nav>"
            f"<article><h1>긴장 기사</h1>{body}<h2>결론</h2><p>{TEXT.splitlines()[26]}</p></article>"
            "<footer>저작권 2024 All rights reserved</footer></body></html>")
    path = tmp_path / "page.html"
    path.write_text(html, encoding="utf-8")
    source = read_source(path)
    assert source.html_title == "긴장 기사"
    assert "메뉴 로그인" not in source.text
    structure = parse_article(source.text, markdown=True)
    assert "결론" in structure.headings
    assert any(b.text.startswith("최근 몇 년 동안") for b in structure.paragraphs)
