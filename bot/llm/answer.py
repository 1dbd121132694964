"""Turn the extractive answer into the model's cited answer, or keep it.

`generate` takes the core's extractive Answer (passages retrieved, abstention
decided) and asks the model for an answer in the question's language. The
reply is checked (bot.llm.citations); if the check fails, or the model errors
or runs out of time, the extractive answer is returned with a one-line note.
The reply is never blank.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable

from bot.glosses import without_hint
from bot.llm.citations import Check, Issue, check_answer
from bot.llm.config import LLMConfig
from bot.llm.errors import LLMTimeout
from bot.llm.prompt import answer_messages
from bot.models import Answer

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

TokenCallback = Callable[[str], None]

_REASONS = {
    "en": {
        "timeout": "the model timed out",
        "error": "the model failed",
        "empty": "the model's reply was empty",
        "unknown_citation": "it cited a passage it was not given",
        "no_citation": "it cited no passage",
        "uncited_sentence": "a sentence had no citation",
        "hollow_citation": "it cited passages instead of answering",
        "follows_passage_instruction": "it followed instructions found in the article text",
        "unsupported_figure": "a figure did not match the article",
    },
    "ko": {
        "timeout": "모델 응답 시간 초과",
        "error": "모델 오류",
        "empty": "모델의 답변이 비어 있음",
        "unknown_citation": "주어지지 않은 단락을 인용함",
        "no_citation": "인용이 없음",
        "uncited_sentence": "출처 없는 문장이 있음",
        "hollow_citation": "답 대신 단락 번호만 제시함",
        "follows_passage_instruction": "기사 본문 속 지시를 따름",
        "unsupported_figure": "기사와 맞지 않는 수치가 있음",
    },
}


@dataclass
class Generation:
    """What happened, for eval and logs; `answer` is what the user sees."""

    answer: Answer
    raw: str = ""  # the model's reply as received ('' if none)
    check: Check | None = None
    fallback: str = ""  # '' when the model's answer is shown, else the reason code
    seconds: float = 0.0
    used_model: bool = False

    @property
    def valid(self) -> bool:
        """The model's reply passed the check (whether or not it was an abstention)."""
        return self.check is not None and self.check.ok


def fallback_note(language: str, reason: str) -> str:
    """The one line that says the extractive answer is shown instead, and why."""
    lang = language if language in _REASONS else "en"
    why = _REASONS[lang].get(reason, reason)
    if lang == "ko":
        return f"언어 모델의 답변을 쓰지 않고({why}) 기사 원문을 인용했습니다."
    return f"Showing quotes from the article instead of the language model's answer ({why})."


def _text_of(message: Any) -> str:
    content = getattr(message, "content", message)
    if isinstance(content, str):
        return content
    if isinstance(content, list):  # content blocks
        return "".join(b if isinstance(b, str) else str(b.get("text", "")) for b in content
                       if isinstance(b, (str, dict)))
    return str(content or "")


def call_model(chat_model: "BaseChatModel", messages: list[Any], timeout_s: float,
               on_token: TokenCallback | None = None) -> str:
    """The model's reply text; streamed to `on_token` when given, within `timeout_s` overall."""
    if on_token is None:
        return _text_of(chat_model.invoke(messages))
    started = time.monotonic()
    parts: list[str] = []
    for chunk in chat_model.stream(messages):
        piece = _text_of(chunk)
        if piece:
            parts.append(piece)
            on_token(piece)
        if time.monotonic() - started > timeout_s:
            raise LLMTimeout(f"no complete answer within {timeout_s:g} s")
    return "".join(parts)


def _is_timeout(exc: BaseException) -> bool:
    names = {type(e).__name__ for e in (exc, exc.__cause__, exc.__context__) if e is not None}
    return isinstance(exc, (LLMTimeout, TimeoutError)) or any("Timeout" in n for n in names)


def _with_timing(answer: Answer, started: float) -> dict[str, float]:
    timings = dict(answer.timings_ms)
    llm_ms = round((time.perf_counter() - started) * 1000, 2)
    timings["llm"] = llm_ms
    timings["total"] = round(timings.get("total", 0.0) + llm_ms, 2)
    return timings


def _fallback(extractive: Answer, reason: str, started: float, **details: Any) -> Generation:
    answer = dataclasses.replace(
        extractive,
        notes=[fallback_note(extractive.language, reason), *extractive.notes],
        glosses=without_hint(extractive.glosses),
        timings_ms=_with_timing(extractive, started),
    )
    return Generation(answer, fallback=reason, seconds=time.perf_counter() - started, used_model=True, **details)


def _note_for(issue: Issue, language: str) -> str:
    if issue.kind == "wrong_language":
        return ("모델이 질문과 다른 언어로 답했습니다." if language == "ko"
                else "The model answered in a different language than the question.")
    return issue.detail


def generate_detailed(question: str, extractive: Answer, chat_model: "BaseChatModel",
                      config: LLMConfig | None = None, on_token: TokenCallback | None = None) -> Generation:
    """`generate`, with the raw reply, the check and the reason for any fallback."""
    config = config or LLMConfig()
    if extractive.abstained or not extractive.passages:
        return Generation(extractive)  # nothing to ground an answer in: the core's abstention stands
    started = time.perf_counter()
    title = extractive.passages[0].title
    messages = answer_messages(question, extractive.passages, extractive.language, title)
    try:
        raw = call_model(chat_model, messages, config.timeout_s, on_token)
    except Exception as exc:  # any client, HTTP or parsing error: the extractive answer stands
        return _fallback(extractive, "timeout" if _is_timeout(exc) else "error", started,
                         raw=f"{type(exc).__name__}: {exc}"[:300])
    check = check_answer(raw, extractive.passages, extractive.language, question)
    if not check.ok:
        return _fallback(extractive, check.fatal[0].kind, started, raw=raw, check=check)
    notes = [_note_for(i, extractive.language) for i in check.issues] + list(extractive.notes)
    answer = dataclasses.replace(
        extractive,
        answer=check.text,
        abstained=check.abstained,
        citations=check.citations,
        notes=notes,
        glosses=[],  # the model wrote the answer in the question's language
        timings_ms=_with_timing(extractive, started),
    )
    return Generation(answer, raw=raw, check=check, seconds=time.perf_counter() - started, used_model=True)


def generate(question: str, extractive: Answer, chat_model: "BaseChatModel",
             config: LLMConfig | None = None, on_token: TokenCallback | None = None) -> Answer:
    """The model's checked, cited answer — or the extractive one plus a note saying why not."""
    return generate_detailed(question, extractive, chat_model, config, on_token).answer
