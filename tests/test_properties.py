"""Whatever arrives — random Unicode, random bytes, oversized text — the reader, the chunker,
the question cleaner and the Slack request check give a result or their one kind of
refusal, never another exception; what they let through is safe to store and embed."""

from __future__ import annotations

import hashlib
import hmac
import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.questions import NotAQuestion, clean_question
from bot.slack.payloads import parse_payload, payload_problem
from bot.slack.verify import unverified_reason
from ingest.chunking import ArticleInfo, build_chunks
from ingest.korean import latin_sentences
from ingest.reading import InputError, read_source
from ingest.safe_text import clean_id, has_words, shown_path
from ingest.structure import parse_article

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
ANY_CHAR = st.characters(codec=None, exclude_categories=())  # surrogates, controls, format characters too
ANY_TEXT = st.text(ANY_CHAR, max_size=400)
SECRET = "8f742231b10e8888abcd99yyyzzz85a5"


def encodes(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


class PeriodSplitter:
    """Sentences after . ! ? (Kiwi's results are not the property under test)."""

    def split_sentences(self, text: str) -> list[tuple[int, int]]:
        return latin_sentences(text)

    def terms(self, text: str) -> list[str]:
        return text.lower().split()


@FAST
@given(data=st.one_of(st.binary(max_size=3000), ANY_TEXT.map(lambda t: t.encode("utf-8", "surrogatepass")),
                      st.sampled_from(["utf-8", "utf-16", "cp949"]).flatmap(
                          lambda enc: st.text(max_size=300).map(lambda t: t.encode(enc, "ignore")))),
       suffix=st.sampled_from([".txt", ".md", ".html"]))
def test_the_reader_returns_storable_text_or_one_line_of_refusal(data: bytes, suffix: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"input{suffix}"
        path.write_bytes(data)
        try:
            source = read_source(path)
        except InputError as exc:
            message = str(exc)
            assert "\n" not in message and message.startswith(str(path)) and encodes(message)
            return
    assert has_words(source.text) and encodes(source.text)


@FAST
@given(text=st.text(st.characters(codec="utf-8"), min_size=1, max_size=6000),
       max_chars=st.integers(200, 1200))
def test_every_chunk_fits_the_window_and_points_into_the_document(text: str, max_chars: int) -> None:
    structure = parse_article(text)
    if not structure.blocks:
        return
    document = "\n".join(b.text for b in structure.blocks)
    chunks = build_chunks(structure, ArticleInfo(doc_id="d", title="A title"), PeriodSplitter(), max_chars)
    numbers = set(range(1, len(structure.blocks) + 1))
    for chunk in chunks:
        assert len(chunk.embed_text) <= max_chars
        assert chunk.metadata["paragraph"] in numbers
        block = structure.blocks[int(chunk.metadata["paragraph"]) - 1]
        assert chunk.text in block.text
    assert len({c.id for c in chunks}) == len(chunks)
    assert document  # every block kept its text


@FAST
@given(raw=st.one_of(ANY_TEXT, st.text(ANY_CHAR, min_size=2000, max_size=50_000)),
       max_chars=st.integers(20, 3000))
def test_a_cleaned_question_is_utf8_short_enough_and_has_words(raw: str, max_chars: int) -> None:
    try:
        question = clean_question(raw, max_chars)
    except NotAQuestion:
        return
    assert encodes(question.text) and len(question.text) <= max_chars and has_words(question.text)
    assert bool(question.notes) == (len(raw) > max_chars and len(question.text) < len(raw.strip()))


@FAST
@given(name=st.binary(min_size=1, max_size=60))
def test_any_file_name_has_a_printable_form_and_a_clean_id(name: bytes) -> None:
    import os

    decoded = os.fsdecode(name)
    assert encodes(shown_path(decoded)) and shown_path(decoded).isprintable()
    assert encodes(clean_id(decoded))


HEADER_TEXT = st.text(st.characters(codec="latin-1"), max_size=80)  # what WSGI hands us


@FAST
@given(body=st.binary(max_size=2000), timestamp=st.one_of(HEADER_TEXT, st.integers().map(str)),
       signature=st.one_of(HEADER_TEXT, st.just("v0=" + "0" * 64)))
def test_the_request_check_refuses_anything_unsigned_without_raising(body: bytes, timestamp: str,
                                                                       signature: str) -> None:
    assert isinstance(unverified_reason(SECRET, body, timestamp, signature), str)


@FAST
@given(body=st.binary(max_size=2000))
def test_a_correctly_signed_body_verifies(body: bytes) -> None:
    import time

    timestamp = str(int(time.time()))
    digest = hmac.new(SECRET.encode(), f"v0:{timestamp}:".encode() + body, hashlib.sha256).hexdigest()
    assert unverified_reason(SECRET, body, timestamp, f"v0={digest}") is None


JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
                    lambda children: st.lists(children, max_size=4)
                    | st.dictionaries(st.sampled_from(["type", "team", "enterprise", "user", "channel", "event",
                                                        "view", "actions", "authorizations", "value",
                                                        "action_id", "id", "text"]), children, max_size=5),
                    max_leaves=30)


@FAST
@given(payload=JSON, depth=st.integers(0, 3000))
def test_any_signed_body_is_parsed_and_checked_or_refused_as_a_value_error(payload: object, depth: int) -> None:
    body = ("[" * depth + json.dumps(payload) + "]" * depth).encode()
    try:
        parsed = parse_payload(body, "application/json")
    except ValueError:
        return
    problem = payload_problem(parsed)
    assert problem is None or isinstance(problem, str)


@pytest.mark.parametrize("timestamp", ["abc", "1.5", "9" * 400, "", " 1", "١٢٣"])
def test_malformed_timestamps_are_named(timestamp: str) -> None:
    assert unverified_reason(SECRET, b"{}", timestamp, "v0=" + "0" * 64) in (
        "a malformed timestamp", "no signature headers")
