"""Optional language-model answers on top of the extractive core.

Nothing here imports a model client at import time: with LLM_PROVIDER=none the
bot needs no LLM package at all. The modules, one job each:

- config.py     LLMConfig, built from Settings (provider, model, limits)
- provider.py   make_chat_model: ChatOpenAI / ChatOllama, imported lazily
- prompt.py     the messages sent to the model (pure)
- numbers.py    Korean number units (억, 조, 만) read and converted (pure)
- citations.py  parse and check the [n] markers and figures of an answer (pure)
- answer.py     generate: the LLM answer, or the extractive one plus a note
- followup.py   rewrite_followup: a follow-up made standalone before retrieval
- pipeline.py   Answerer: what the CLI, chat and Slack call
- stream.py     helpers for showing tokens as they arrive
- evaluate.py   answer-level figures for `articlebot eval`
"""
