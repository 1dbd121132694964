"""Fetching web pages for real, from a local HTTP server: redirects, validators, charsets,
limits and refusals. No store involved: these are the fetch and extraction steps alone."""

from __future__ import annotations

import threading

import pytest

from ingest.fetching import Fetcher, FetchError, FetchLimits, PageGone, UnsafeURL, check_url
from ingest.reading import InputError
from ingest.webpages import decode_page, page_from, url_doc_id
from tests.web_standin import Page, WebStandIn, html_page

KOREAN = ["마이크로소프트와 오픈AI의 관계가 새로운 국면을 맞았다는 분석이 나왔습니다. 양사는 여러 분야에서 협력해 왔습니다.",
          "검색GPT 출시는 두 회사 사이의 긴장을 더욱 키웠다는 평가를 받고 있으며 업계의 관심이 집중되고 있습니다."]
ENGLISH = ["The city council of Harborview approved a new tramline on Tuesday, linking the harbour to the campus.",
           "Construction will begin next spring and is expected to cost 240 million dollars from a transport fund."]


def test_a_redirect_chain_is_followed_and_the_final_url_recorded(web: WebStandIn, fetcher: Fetcher) -> None:
    final = web.serve("/story-final", Page(html_page("Tramline", ENGLISH)))
    web.redirect("/b", "/story-final", status=302)
    start = web.redirect("/a", web.url("/b"), status=301)

    fetched = fetcher.get(start)

    assert fetched.status == 200 and fetched.url == start and fetched.final_url == final
    page = page_from(fetched, url_doc_id(start))
    assert page.web["final_url"] == final and page.web["url"] == start
    assert "Harborview" in page.source.text


def test_validators_are_sent_back_and_a_304_has_no_body(web: WebStandIn, fetcher: Fetcher) -> None:
    url = web.serve("/v", Page(html_page("Tramline", ENGLISH), etag='"abc"', last_modified="Mon, 02 Nov 2026 08:00:00 GMT"))
    first = fetcher.get(url)
    again = fetcher.get(url, etag=first.etag, last_modified=first.last_modified)

    assert first.status == 200 and first.etag == '"abc"'
    assert again.not_modified and again.body == b""
    sent = web.requests_for("/v")[-1].headers
    assert sent["If-None-Match"] == '"abc"' and sent["If-Modified-Since"] == first.last_modified


def test_http_errors_are_one_line_and_say_whether_to_retry(web: WebStandIn, fetcher: Fetcher) -> None:
    url = web.serve("/flaky", Page(b"oops", "text/plain", 500), Page(html_page("Tramline", ENGLISH)))
    gone = web.serve("/gone", Page(b"", "text/plain", 410))
    with pytest.raises(FetchError) as failed:
        fetcher.get(url)
    assert failed.value.transient and failed.value.status == 500
    assert str(failed.value) == f"{url}: the server answered HTTP 500 Internal Server Error"
    assert fetcher.get(url).status == 200, "the second request gets the page"
    with pytest.raises(PageGone, match="410"):
        fetcher.get(gone)
    with pytest.raises(PageGone, match="404"):
        fetcher.get(web.url("/never-served"))


def test_a_server_that_stops_answering_times_out_with_a_clear_message(web: WebStandIn) -> None:
    hold = threading.Event()
    url = web.serve("/slow", Page(html_page("Tramline", ENGLISH), hold=hold))
    with Fetcher(FetchLimits(allow_private=True, read_timeout_s=0.3)) as fetcher:
        with pytest.raises(FetchError, match="no answer in time.*FETCH_READ_TIMEOUT_S") as failed:
            fetcher.get(url)
    hold.set()
    assert failed.value.transient


@pytest.mark.parametrize("chunked", [False, True], ids=["declared-size", "streamed"])
def test_a_body_over_the_size_cap_is_refused(web: WebStandIn, chunked: bool) -> None:
    url = web.serve("/huge", Page(b"<html><body><p>" + b"x" * 300_000 + b"</p></body></html>", chunked=chunked))
    with Fetcher(FetchLimits(allow_private=True, max_bytes=100_000)) as fetcher:
        with pytest.raises(FetchError, match="over the 0.1 MB limit"):
            fetcher.get(url)


@pytest.mark.parametrize(("content_type", "body"), [
    ("application/pdf", b"%PDF-1.7\n1 0 obj << >> endobj\n"),
    ("image/png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"),
])
def test_pdfs_and_images_are_not_web_pages(web: WebStandIn, fetcher: Fetcher, content_type: str, body: bytes) -> None:
    url = web.serve("/file", Page(body, content_type))
    with pytest.raises(InputError, match=f"is {content_type}, not a web page"):
        page_from(fetcher.get(url), "file")


def test_an_euc_kr_page_declared_only_in_the_header_is_decoded(web: WebStandIn, fetcher: Fetcher) -> None:
    url = web.serve("/kr-header", Page(html_page("검색GPT와 긴장", KOREAN, charset="euc-kr"),
                                       "text/html; charset=EUC-KR"))
    page = page_from(fetcher.get(url), "kr")
    assert page.source.encoding == "cp949"
    assert KOREAN[1][:20] in page.source.text and page.source.html_title == "검색GPT와 긴장"


def test_an_euc_kr_page_declared_only_in_meta_is_decoded(web: WebStandIn, fetcher: Fetcher) -> None:
    url = web.serve("/kr-meta", Page(html_page("검색GPT와 긴장", KOREAN, charset="euc-kr", meta_charset="euc-kr"),
                                     "text/html"))
    page = page_from(fetcher.get(url), "kr")
    assert page.source.encoding == "cp949" and KOREAN[0][:20] in page.source.text


def test_a_wrong_charset_declaration_falls_back_to_guessing() -> None:
    text, encoding = decode_page("검색GPT 출시".encode("cp949"), "text/html; charset=utf-8")
    assert text == "검색GPT 출시" and encoding == "cp949"


def test_a_page_without_article_text_is_an_empty_extraction(web: WebStandIn, fetcher: Fetcher) -> None:
    url = web.serve("/empty", Page(b"<html><head><title>Gallery</title></head><body><div><img src='a.jpg'></div>"
                                   b"<script>var x = 1;</script></body></html>"))
    with pytest.raises(InputError, match="no article text found on the page"):
        page_from(fetcher.get(url), "empty")


def test_the_page_title_author_and_date_are_kept(web: WebStandIn, fetcher: Fetcher) -> None:
    url = web.serve("/meta", Page(html_page("Harborview approves tramline", ENGLISH, author="Kim Reporter",
                                            date="2026-11-02"), etag='"1"'))
    page = page_from(fetcher.get(url), "meta")
    assert page.source.html_title == "Harborview approves tramline"
    assert page.web["author"] == "Kim Reporter" and page.web["published"] == "2026-11-02"
    assert page.web["etag"] == '"1"' and page.web["fetched_at"]


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.com/a.txt", "gopher://example.com/",
                                 "javascript:alert(1)", "//example.com/no-scheme"])
def test_schemes_other_than_http_and_https_are_refused(url: str) -> None:
    with pytest.raises(UnsafeURL, match="only http and https URLs can be fetched"):
        check_url(url, allow_private=True)


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "10.1.2.3", "192.168.0.10", "169.254.169.254",
                                  "[::1]", "[fe80::1]", "0.0.0.0"])
def test_private_loopback_and_link_local_hosts_are_refused_by_default(host: str) -> None:
    with pytest.raises(UnsafeURL, match="private, loopback or link-local.*--allow-private"):
        check_url(f"http://{host}/admin")


def test_every_redirect_hop_is_checked(web: WebStandIn, fetcher: Fetcher) -> None:
    start = web.redirect("/to-file", "file:///etc/passwd")
    with pytest.raises(UnsafeURL, match="file:///etc/passwd: only http and https"):
        fetcher.get(start)
    with Fetcher(FetchLimits(allow_private=False)) as strict:
        with pytest.raises(UnsafeURL, match="private, loopback"):
            strict.get(web.url("/to-file"))
    assert len(web.requests_for("/to-file")) == 1, "the refused host was never asked"


def test_no_credentials_reach_a_fetched_host(web: WebStandIn, fetcher: Fetcher, monkeypatch: pytest.MonkeyPatch,
                                             tmp_path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / ".netrc").write_text("machine 127.0.0.1 login me password netrc-secret\n")
    monkeypatch.setenv("NETRC", str(tmp_path / ".netrc"))
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1-2-SECRET")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-SECRET")
    url = web.serve("/plain", Page(html_page("Tramline", ENGLISH)))
    with Fetcher(FetchLimits(allow_private=True)) as client:
        client.get(url)
    headers = web.requests_for("/plain")[0].headers
    assert not {"Authorization", "Cookie", "Proxy-Authorization"} & set(headers)
    assert "SECRET" not in repr(headers) and "netrc-secret" not in repr(headers)
