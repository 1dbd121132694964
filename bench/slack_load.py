"""Slack under load: 20 mentions at once, answered by an LLM that takes 2 s per answer.

Everything is real but Slack and the model: the Bolt app behind the waitress
server, signed requests, the answering core on the bundled article, the Worker's
pool, and ChatOpenAI talking to a loopback OpenAI-compatible stand-in that waits
2 s before each reply (tests/openai_standin.py); Slack's Web API is the loopback
stand-in of the tests. Measured for several SLACK_ANSWER_WORKERS; the target is
20 answers in at most 6 x one answer's time. `python bench/slack_load.py`
prints the table and writes bench/slack_load.json.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from report import save  # noqa: E402

QUESTIONS = 20
MODEL_DELAY_S = 2.0
REPLY = "SearchGPT challenges Bing's market share in AI search [1]."
QUESTION = "Why did SearchGPT raise tensions?"


def run(workers: int, store, standin_url: str, data_dir: Path) -> float:  # type: ignore[no-untyped-def]
    import threading

    from bot.llm.config import LLMConfig
    from bot.llm.pipeline import Answerer
    from bot.settings import Settings
    from bot.slack.app import build_app, retry_handlers
    from bot.slack.config import slack_config
    from bot.slack.feedback import FeedbackStore
    from bot.slack.pool import AnswerPool
    from bot.slack.server import HttpServer
    from bot.slack.threads import SharedConversationMemory, SharedSeenEvents
    from bot.slack.worker import Worker
    from tests.slack_helpers import BOT_TOKEN, BOT_USER_ID, CHANNEL, SIGNING_SECRET, USER, http_post, signed_headers
    from tests.slack_standin import SlackStandIn

    slack = SlackStandIn(BOT_TOKEN).start()
    os.environ.update(SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_SIGNING_SECRET=SIGNING_SECRET, SLACK_API_URL=slack.api_url)
    config = slack_config(Settings(), http_mode=True)
    answerer = Answerer(LLMConfig(provider="openai", base_url=standin_url, api_key="x", model="stand-in",
                                  timeout_s=60), store_lock=threading.Lock())
    memory = SharedConversationMemory.in_data_dir(data_dir)
    worker = Worker(lambda q, h, on_token=None: answerer.ask(q, store, 3, history=h, on_token=on_token),
                    memory, FeedbackStore.in_data_dir(data_dir), retry_handlers(), streaming=False,
                    pool=AnswerPool(workers, QUESTIONS * 2))
    app = build_app(config, worker, memory, seen=SharedSeenEvents.in_data_dir(data_dir))
    server = HttpServer(app, config.signing_secret, host="127.0.0.1", port=0).start()
    try:
        bodies = []
        for n in range(QUESTIONS):
            ts = f"{1800000000 + workers * 1000 + n}.000100"
            bodies.append(json.dumps({
                "token": "unused", "team_id": "T0000TEAM", "api_app_id": "A0000001", "type": "event_callback",
                "event_id": f"EvLoad{workers}-{n}", "event_time": int(time.time()),
                "authorizations": [{"team_id": "T0000TEAM", "user_id": BOT_USER_ID, "is_bot": True}],
                "event": {"type": "app_mention", "user": USER, "text": f"<@{BOT_USER_ID}> {QUESTION}",
                          "ts": ts, "channel": CHANNEL},
            }).encode())
        started = time.perf_counter()
        with ThreadPoolExecutor(QUESTIONS) as pool:
            codes = list(pool.map(lambda b: http_post(server.url, b, signed_headers(b))[0], bodies))
        assert codes == [200] * QUESTIONS, codes
        slack.wait_for("chat.postMessage", count=QUESTIONS, timeout=600)
        seconds = time.perf_counter() - started
        answers = [c.params.get("text", "") for c in slack.of("chat.postMessage")]
        assert len(answers) == QUESTIONS and all(REPLY in a for a in answers), answers[:2]
        return seconds
    finally:
        server.close()
        worker.close()
        slack.close()


def main() -> None:
    from bot.cli_support import ready_store
    from bot.settings import Settings
    from tests.openai_standin import OpenAIStandIn, Reply

    store = ready_store(Settings())
    results: dict[str, object] = {"questions": QUESTIONS, "model_delay_s": MODEL_DELAY_S}
    with OpenAIStandIn(Reply(REPLY, delay_s=MODEL_DELAY_S)) as standin:
        for workers in (2, 8, 20):
            with tempfile.TemporaryDirectory() as tmp:
                seconds = run(workers, store, standin.base_url, Path(tmp))
            results[f"workers_{workers}_s"] = round(seconds, 2)
            results[f"workers_{workers}_x_one_answer"] = round(seconds / MODEL_DELAY_S, 1)
            print(f"SLACK_ANSWER_WORKERS={workers:2d}: {QUESTIONS} answers in {seconds:5.1f} s "
                  f"({seconds / MODEL_DELAY_S:.1f} x one answer)", flush=True)
    save(results, "slack_load")


if __name__ == "__main__":
    main()
