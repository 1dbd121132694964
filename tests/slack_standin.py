"""A loopback stand-in for Slack's Web API, for tests: records every call.

Slack itself cannot be reached from tests, so this small HTTP server answers the
methods the bot uses (`auth.test`, `chat.postMessage`, `reactions.add`, …) the way
Slack does, records each call, and can be told to fail a method (an API error or an
HTTP 429 with Retry-After) a given number of times. Also serves response_url posts
(`/response/<id>`) for slash commands. Binds to 127.0.0.1, port 0.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable
from urllib.parse import parse_qsl, urlsplit

from tests.conftest import REPLY_CEILING_S

BOT_USER_ID = "UBOT0001"
BOT_ID = "BBOT0001"
TEAM_ID = "T0000001"


@dataclass
class Call:
    method: str  # "chat.postMessage", or "response:<id>" for a response_url post
    params: dict[str, Any]
    token: str
    at: float = field(default_factory=time.monotonic)
    status: int = 200
    ok: bool = True  # False for HTTP errors and {"ok": false} answers
    response: dict[str, Any] = field(default_factory=dict)  # what the stand-in answered (e.g. a post's ts)


@dataclass
class Scripted:
    status: int = 200
    body: dict[str, Any] | None = None
    headers: dict[str, str] = field(default_factory=dict)


class SlackStandIn:
    """Start with `SlackStandIn(bot_token).start()`; `api_url` is the SLACK_API_URL to use."""

    def __init__(self, bot_token: str, app_token: str = "") -> None:
        self.bot_token = bot_token
        self.app_token = app_token
        self.calls: list[Call] = []
        self._scripts: dict[str, list[Scripted]] = {}
        self._cond = threading.Condition()
        self._ts = itertools.count(1)
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - stdlib name
                standin._handle(self)

            do_GET = do_POST  # noqa: N815

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)

    # -- lifecycle -----------------------------------------------------------------

    def start(self) -> "SlackStandIn":
        self._thread.start()
        return self

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/"

    def response_url(self, name: str = "cmd") -> str:
        return f"http://127.0.0.1:{self.port}/response/{name}"

    # -- scripting and inspection ----------------------------------------------------

    def fail(self, method: str, error: str = "", times: int = 1, status: int = 200,
             retry_after: int | None = None) -> None:
        """Make the next `times` calls of `method` fail: `{"ok": false, "error": error}`,
        or an HTTP `status` (e.g. 429 with a Retry-After header)."""
        headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
        body = {"ok": False, "error": error or ("ratelimited" if status == 429 else "internal_error")}
        with self._cond:
            self._scripts.setdefault(method, []).extend(Scripted(status, body, headers) for _ in range(times))

    def of(self, method: str) -> list[Call]:
        with self._cond:
            return [c for c in self.calls if c.method == method]

    def wait_for(self, method: str, count: int = 1, timeout: float = REPLY_CEILING_S,
                 where: Callable[[Call], bool] = lambda _c: True) -> list[Call]:
        """Block until `count` successful calls of `method` (matching `where`) were recorded;
        returns those. It returns as soon as they are; `timeout` only bounds a broken run."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                found = [c for c in self.calls if c.method == method and c.ok and where(c)]
                if len(found) >= count:
                    return found
                left = deadline - time.monotonic()
                if left <= 0:
                    seen = [(c.method, c.status, c.ok) for c in self.calls]
                    raise AssertionError(f"timed out waiting for {count} × {method}; calls so far: {seen}")
                self._cond.wait(left)

    def settle(self, quiet: float = 0.3, timeout: float = 5.0) -> None:
        """Wait until no call arrived for `quiet` seconds (to check nothing *more* happens)."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while time.monotonic() < deadline:
                last = self.calls[-1].at if self.calls else 0.0
                idle = time.monotonic() - last
                if idle >= quiet:
                    return
                self._cond.wait(quiet - idle)

    # -- the server side ---------------------------------------------------------------

    def _handle(self, request: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(request.path)
        length = int(request.headers.get("Content-Length") or 0)
        raw = request.rfile.read(length) if length else b""
        params: dict[str, Any] = dict(parse_qsl(parts.query))
        if "json" in (request.headers.get("Content-Type") or ""):
            params.update(json.loads(raw or b"{}"))
        else:
            params.update(parse_qsl(raw.decode()))
        for key in ("blocks", "prompts"):
            if isinstance(params.get(key), str):
                params[key] = json.loads(params[key])
        auth = request.headers.get("Authorization") or ""
        token = auth.removeprefix("Bearer ").strip() or str(params.get("token", ""))
        if parts.path.startswith("/response/"):
            method = "response:" + parts.path.removeprefix("/response/")
        else:
            method = parts.path.removeprefix("/api/")
        call = Call(method, params, token)
        with self._cond:
            queue = self._scripts.get(method) or []
            scripted = queue.pop(0) if queue else None
            if scripted is not None:
                status, body, headers = scripted.status, scripted.body, scripted.headers
            else:
                status, headers = 200, {}
                body = self._answer(method, params, token)
            call.status = status
            call.response = body or {}
            call.ok = status == 200 and call.response.get("ok") is not False
            self.calls.append(call)
            self._cond.notify_all()
        if method.startswith("response:") and scripted is None:
            payload, content_type = b"ok", "text/plain"
        else:
            payload, content_type = json.dumps(body).encode(), "application/json"
        request.send_response(status)
        request.send_header("Content-Type", content_type)
        request.send_header("Content-Length", str(len(payload)))
        for name, value in headers.items():
            request.send_header(name, value)
        request.end_headers()
        request.wfile.write(payload)

    def _answer(self, method: str, params: dict[str, Any], token: str) -> dict[str, Any]:
        if method.startswith("response:"):
            return {"ok": True}
        expected = self.app_token if method == "apps.connections.open" else self.bot_token
        if token != expected:
            return {"ok": False, "error": "invalid_auth"}
        if method == "auth.test":
            return {"ok": True, "url": "https://example.slack.com/", "team": "Example", "user": "articlebot",
                    "team_id": TEAM_ID, "user_id": BOT_USER_ID, "bot_id": BOT_ID, "is_enterprise_install": False}
        if method == "chat.postMessage":
            ts = f"{1700000000 + next(self._ts)}.000100"
            return {"ok": True, "channel": params.get("channel"), "ts": ts,
                    "message": {"text": params.get("text"), "user": BOT_USER_ID, "bot_id": BOT_ID, "ts": ts}}
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": f"{1700000000 + next(self._ts)}.000200"}
        if method == "chat.update":
            return {"ok": True, "channel": params.get("channel"), "ts": params.get("ts")}
        if method == "bots.info":
            return {"ok": True, "bot": {"id": BOT_ID, "user_id": BOT_USER_ID, "name": "articlebot"}}
        return {"ok": True}
