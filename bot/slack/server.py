"""Run the app: Socket Mode (default, no public URL) or the Events API over HTTP.

HTTP mode serves `POST /slack/events` through Bolt's own WSGI adapter on a threaded
stdlib server (no extra dependency), plus `GET /healthz` for load balancers. Bodies
that are too large or not UTF-8 get a 4xx before they reach Bolt.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import logging
import threading
import time
from socketserver import ThreadingMixIn
from typing import Any, Callable, Iterable
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_bolt.request.internals import parse_body

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
MAX_BODY_BYTES = 1_000_000

log = logging.getLogger("articlebot.slack.http")

StartResponse = Callable[..., Any]


class _ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    allow_reuse_address = True


class _QuietHandler(WSGIRequestHandler):
    """Access lines go to our logger (debug), not to stderr."""

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        log.debug("%s %s", self.address_string(), format % args)


def wsgi_app(app: App, signing_secret: str) -> Callable[[dict[str, Any], StartResponse], Iterable[bytes]]:
    """Bolt's WSGI adapter behind a guard for health checks and unreadable bodies.

    A body Bolt could not parse is answered here: 401 unless its signature is valid
    (forged requests never learn anything else), then 400.
    """
    bolt = SlackRequestHandler(app, path=EVENTS_PATH)

    def reject(environ: dict[str, Any], body: bytes, start_response: StartResponse, why: str) -> list[bytes]:
        if not signature_ok(signing_secret, body, environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP", ""),
                            environ.get("HTTP_X_SLACK_SIGNATURE", "")):
            return _plain(start_response, "401 Unauthorized", "invalid request")
        log.warning("rejected a signed request: %s", why)
        return _plain(start_response, "400 Bad Request", why)

    def application(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path, method = environ.get("PATH_INFO", ""), environ.get("REQUEST_METHOD", "GET")
        if path == HEALTH_PATH and method in ("GET", "HEAD"):
            return _plain(start_response, "200 OK", "ok")
        if path == EVENTS_PATH and method == "POST":
            try:
                length = int(environ.get("CONTENT_LENGTH") or 0)
            except ValueError:
                return _plain(start_response, "400 Bad Request", "bad content length")
            if length < 0 or length > MAX_BODY_BYTES:
                return _plain(start_response, "413 Payload Too Large", "too large")
            body = environ["wsgi.input"].read(length) if length else b""
            try:
                parsed = parse_body(body.decode("utf-8"), environ.get("CONTENT_TYPE"))
            except (UnicodeDecodeError, ValueError):
                return reject(environ, body, start_response, "the body is not a Slack payload")
            if not _well_formed(parsed):
                return reject(environ, body, start_response, "the body is not a Slack payload")
            environ["wsgi.input"] = io.BytesIO(body)
            environ["CONTENT_LENGTH"] = str(len(body))
        try:
            return bolt(environ, start_response)
        except Exception:
            log.exception("request to %s failed", path)
            return _plain(start_response, "500 Internal Server Error", "error")

    return application


def signature_ok(secret: str, body: bytes, timestamp: str, signature: str,
                 max_age_seconds: int = 300) -> bool:
    """Slack's v0 request signature over the raw bytes, from at most five minutes ago.

    (The SDK's verifier decodes the body first, which fails on bytes that are not UTF-8.)
    """
    try:
        if abs(time.time() - int(timestamp)) > max_age_seconds:
            return False
    except ValueError:
        return False
    digest = hmac.new(secret.encode(), b"v0:" + timestamp.encode() + b":" + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(f"v0={digest}", signature)


def _well_formed(payload: Any) -> bool:
    """The shape Bolt's matchers take for granted (they index without checking)."""
    if not isinstance(payload, dict):
        return False
    event = payload.get("event", {})
    if not isinstance(event, dict) or not isinstance(event.get("type", ""), str):
        return False
    return all(isinstance(payload.get(key, []), list) for key in ("authorizations", "actions"))


def _plain(start_response: StartResponse, status: str, text: str) -> list[bytes]:
    body = text.encode()
    start_response(status, [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body)))])
    return [body]


class HttpServer:
    """The Events API endpoint on host:port (port 0 picks a free one; see `.port`)."""

    def __init__(self, app: App, signing_secret: str, host: str = "0.0.0.0", port: int = 3000) -> None:
        from bot.slack.config import SlackConfigError

        try:
            self._server = make_server(host, port, wsgi_app(app, signing_secret),
                                       server_class=_ThreadingWSGIServer, handler_class=_QuietHandler)
        except OSError as exc:
            raise SlackConfigError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
        self.host = host
        self.port = int(self._server.server_address[1])
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host = "127.0.0.1" if self.host in ("0.0.0.0", "") else self.host
        return f"http://{host}:{self.port}{EVENTS_PATH}"

    def serve_forever(self) -> None:
        self._server.serve_forever(poll_interval=0.1)

    def start(self) -> "HttpServer":
        """Serve in a background thread (tests, embedding)."""
        self._thread = threading.Thread(target=self.serve_forever, name="articlebot-slack-http", daemon=True)
        self._thread.start()
        return self

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)


def run_socket_mode(app: App, app_token: str) -> None:
    """Connect to Slack over a WebSocket (apps.connections.open) and serve until stopped."""
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    from bot.slack.config import slack_call

    handler = SocketModeHandler(app, app_token, logger=logging.getLogger("articlebot.slack.socket"))
    with slack_call("SLACK_APP_TOKEN", "apps.connections.open", "cannot connect to Slack in Socket Mode"):
        handler.connect()
    log.info("connected to Slack (Socket Mode)")
    try:
        threading.Event().wait()
    finally:
        handler.close()
