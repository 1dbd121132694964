"""One object the front ends call: extractive by default, LLM when configured.

`Answerer.from_settings(settings).ask(question, store, k, history, on_token)`
is the whole integration: with LLM_PROVIDER=none it is `answer_question` and
imports nothing more; otherwise it rewrites follow-ups, retrieves, and lets
the model answer from the retrieved passages (bot.llm.answer.generate).
"""

from __future__ import annotations

import contextlib
import dataclasses
from typing import TYPE_CHECKING, Any, ContextManager, Sequence

from bot.answering import answer_question
from bot.llm.answer import Generation, TokenCallback, generate_detailed
from bot.llm.config import LLMConfig
from bot.models import Answer

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

    from vectorstore.store import ChromaStore


class Answerer:
    """Answers questions with the configured model (built once, on first use)."""

    def __init__(self, config: LLMConfig | None = None, chat_model: "BaseChatModel | None" = None,
                 store_lock: ContextManager[Any] | None = None) -> None:
        """`store_lock` is held while the store and the embedding model are used (retrieval,
        tens of milliseconds), never while the model writes: a bot answering several people
        at once then waits for one retrieval at a time, not for one whole LLM answer."""
        self.config = config or LLMConfig()
        self._chat_model = chat_model
        self._store_lock = store_lock or contextlib.nullcontext()

    @classmethod
    def from_settings(cls, settings: Any, store_lock: ContextManager[Any] | None = None) -> "Answerer":
        return cls(LLMConfig.from_settings(settings), store_lock=store_lock)

    @property
    def enabled(self) -> bool:
        return self.config.enabled or self._chat_model is not None

    def prepare(self) -> "Answerer":
        """Build the model now, so a bad configuration fails at start-up, not at the first question."""
        if self.enabled:
            self.chat_model  # noqa: B018 (builds and caches it)
        return self

    @property
    def chat_model(self) -> "BaseChatModel":
        if self._chat_model is None:
            from bot.llm.provider import make_chat_model

            self._chat_model = make_chat_model(self.config)
        return self._chat_model

    def ask(self, question: str, store: "ChromaStore", k: int = 3, history: Sequence[str] = (),
            on_token: TokenCallback | None = None) -> Answer:
        return self.ask_detailed(question, store, k, history, on_token).answer

    def ask_detailed(self, question: str, store: "ChromaStore", k: int = 3, history: Sequence[str] = (),
                     on_token: TokenCallback | None = None) -> Generation:
        question = question.strip()
        if not self.enabled:
            with self._store_lock:
                return Generation(answer_question(question, store, k, history=history))
        extractive, query = self.retrieve(question, store, k, history)
        return generate_detailed(query, extractive, self.chat_model, self.config, on_token)

    def retrieve(self, question: str, store: "ChromaStore", k: int,
                 history: Sequence[str]) -> tuple[Answer, str]:
        """The extractive answer and the question the model should answer.

        A follow-up is first made standalone by the model; retrieval and the
        model then work from that, while the Answer keeps the question as asked.
        """
        if not history or not self.config.rewrite_followups:
            with self._store_lock:
                return answer_question(question, store, k, history=history), question
        from bot.llm.followup import model_rewrite

        query = model_rewrite(question, history, self.chat_model, self.config.timeout_s)
        with self._store_lock:
            if query is None or query == question:
                return answer_question(question, store, k, history=history), question
            answer = answer_question(query, store, k)
        note = (f"(질문을 이렇게 읽었습니다: “{query}”)" if answer.language == "ko"
                else f"(Read as: “{query}”)")
        return dataclasses.replace(answer, question=question, notes=[note, *answer.notes]), query
