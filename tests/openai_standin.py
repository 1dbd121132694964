"""A loopback stand-in for an OpenAI-compatible server, for tests.

It serves POST /v1/chat/completions on 127.0.0.1 (port 0: the OS picks one) and
answers from a script of `Reply`s, one per request (the last one repeats): a
canned completion, the same streamed as server-sent events, a slow reply (for
timeouts) or an HTTP error (for retries and fallback). Every request body is
kept in `requests` so tests can check what the client sent.

    with OpenAIStandIn(Reply("It did [1].")) as server:
        ChatOpenAI(base_url=server.base_url, api_key="x", model="stand-in")
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class Reply:
    text: str = ""
    status: int = 200
    delay_s: float = 0.0  # before the response starts (cut short when the stand-in closes)
    chunk_delay_s: float = 0.0  # between streamed chunks (likewise)
    chunk_size: int = 8  # characters per streamed chunk


class OpenAIStandIn:
    def __init__(self, *script: Reply) -> None:
        self.script = list(script) or [Reply("OK [1].")]
        self.requests: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._closing = threading.Event()  # ends every delay at once when the test is done

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/v1"

    def __enter__(self) -> "OpenAIStandIn":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._closing.set()
        self._server.shutdown()
        self._server.server_close()

    def _next_reply(self, body: dict[str, Any]) -> Reply:
        with self._lock:
            self.requests.append(body)
            index = min(len(self.requests) - 1, len(self.script) - 1)
            return self.script[index]

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        standin = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:  # quiet test output
                pass

            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                length = int(self.headers.get("Content-Length", 0))
                body = json.loads(self.rfile.read(length) or b"{}")
                if not self.path.endswith("/chat/completions"):
                    return self._json(404, {"error": {"message": f"no route {self.path}"}})
                reply = standin._next_reply(body)
                try:
                    if reply.delay_s:
                        standin._closing.wait(reply.delay_s)
                    if reply.status != 200:
                        return self._json(reply.status, {"error": {"message": "stand-in failure", "type": "server_error"}},
                                          {"retry-after-ms": "10"})
                    if body.get("stream"):
                        return self._stream(body, reply)
                    return self._json(200, completion(body, reply.text))
                except (BrokenPipeError, ConnectionResetError):  # the client gave up (timeout)
                    return None

            def _json(self, status: int, payload: dict[str, Any], headers: dict[str, str] | None = None) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

            def _stream(self, body: dict[str, Any], reply: Reply) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Connection", "close")
                self.end_headers()
                pieces = [reply.text[i : i + reply.chunk_size] for i in range(0, len(reply.text), reply.chunk_size)]
                for i, piece in enumerate(pieces):
                    delta = {"role": "assistant", "content": piece} if i == 0 else {"content": piece}
                    self._event(chunk(body, delta, None))
                    if reply.chunk_delay_s:
                        standin._closing.wait(reply.chunk_delay_s)
                self._event(chunk(body, {}, "stop"))
                self.wfile.write(b"data: [DONE]\n\n")
                self.wfile.flush()
                self.close_connection = True

            def _event(self, payload: dict[str, Any]) -> None:
                self.wfile.write(f"data: {json.dumps(payload)}\n\n".encode())
                self.wfile.flush()

        return Handler


def completion(body: dict[str, Any], text: str) -> dict[str, Any]:
    return {
        "id": "chatcmpl-standin", "object": "chat.completion", "created": int(time.time()),
        "model": body.get("model", "stand-in"),
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15},
    }


def chunk(body: dict[str, Any], delta: dict[str, Any], finish: str | None) -> dict[str, Any]:
    return {
        "id": "chatcmpl-standin", "object": "chat.completion.chunk", "created": int(time.time()),
        "model": body.get("model", "stand-in"),
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }
