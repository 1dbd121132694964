"""Run the app: Socket Mode (default, no public URL) or the Events API over HTTP.

HTTP mode serves `POST /slack/events` through Bolt's WSGI adapter on waitress, plus
`GET /healthz` for load balancers. waitress is a production server in pure Python:
a few worker threads (enough on two cores: each request only verifies, parses and
hands work to the answer pool), socket timeouts, and a request-size limit. The
standard library's wsgiref, used before, is documented as not for production and
sets no timeouts.

Every request is checked here before Bolt sees it: a signature that does not verify
gets 401 and one WARNING line (never the body), a signed payload Bolt cannot read
gets 400.
"""

from __future__ import annotations

import errno
import io
import logging
import threading
from typing import Any, Callable, Iterable

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler

from bot.slack.payloads import parse_payload, payload_problem
from bot.slack.verify import unverified_reason

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
MAX_BODY_BYTES = 1_000_000
SERVER_THREADS = 4
CHANNEL_TIMEOUT_S = 30  # an idle or trickling connection is closed after this
CONNECTION_LIMIT = 100

log = logging.getLogger("articlebot.slack.http")

StartResponse = Callable[..., Any]


def wsgi_app(app: App, signing_secret: str) -> Callable[[dict[str, Any], StartResponse], Iterable[bytes]]:
    """Bolt's WSGI adapter behind a guard: health checks, size, signature, payload shape."""
    bolt = SlackRequestHandler(app, path=EVENTS_PATH)

    def application(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path, method = environ.get("PATH_INFO", ""), environ.get("REQUEST_METHOD", "GET")
        if path == HEALTH_PATH and method in ("GET", "HEAD"):
            return _plain(start_response, "200 OK", "ok")
        if path != EVENTS_PATH or method != "POST":
            return _plain(start_response, "404 Not Found", "not found")
        refusal = _guard(environ, signing_secret)
        if refusal is not None:
            return _plain(start_response, *refusal)
        try:
            return bolt(environ, start_response)
        except Exception as exc:  # Bolt could not read a verified request
            log.warning("400 for a signed request Bolt could not read (%s)", type(exc).__name__)
            return _plain(start_response, "400 Bad Request", "unreadable payload")

    return application


def _guard(environ: dict[str, Any], signing_secret: str) -> tuple[str, str] | None:
    """(status, text) to answer instead of Bolt, or None to pass the request on."""
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return "400 Bad Request", "bad content length"
    if length < 0 or length > MAX_BODY_BYTES:
        return "413 Payload Too Large", "too large"
    body = environ["wsgi.input"].read(length) if length else b""
    who = environ.get("REMOTE_ADDR", "?")
    why = unverified_reason(signing_secret, body, environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP", ""),
                            environ.get("HTTP_X_SLACK_SIGNATURE", ""))
    if why is not None:
        log.warning("401 for a request from %s that is not from Slack: %s", who, why)
        return "401 Unauthorized", "invalid request"
    try:
        problem = payload_problem(parse_payload(body, environ.get("CONTENT_TYPE")))
    except ValueError as exc:  # not UTF-8, not JSON, nested too deep
        problem = f"the body is not a Slack payload ({str(exc)[:80]})"
    if problem is not None:
        log.warning("400 for a signed request from %s: %s", who, problem)
        return "400 Bad Request", "malformed payload"
    environ["wsgi.input"] = io.BytesIO(body)
    environ["CONTENT_LENGTH"] = str(len(body))
    return None


def _plain(start_response: StartResponse, status: str, text: str) -> list[bytes]:
    body = text.encode()
    start_response(status, [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body)))])
    return [body]


class HttpServer:
    """The Events API endpoint on host:port (port 0 picks a free one; see `.port`)."""

    def __init__(self, app: App, signing_secret: str, host: str = "0.0.0.0", port: int = 3000) -> None:
        from waitress import create_server

        from bot.slack.config import SlackConfigError

        try:
            self._server: Any = create_server(
                wsgi_app(app, signing_secret), host=host, port=port, threads=SERVER_THREADS,
                channel_timeout=CHANNEL_TIMEOUT_S, connection_limit=CONNECTION_LIMIT,
                max_request_body_size=MAX_BODY_BYTES, expose_tracebacks=False, ident="articlebot",
            )
        except OSError as exc:
            raise SlackConfigError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
        self.host = host
        self.port = int(self._server.effective_port)
        self._thread: threading.Thread | None = None
        self._closing = False

    @property
    def url(self) -> str:
        host = "127.0.0.1" if self.host in ("0.0.0.0", "") else self.host
        return f"http://{host}:{self.port}{EVENTS_PATH}"

    def serve_forever(self) -> None:
        """Serve until Ctrl-C (waitress then stops its threads and returns) or `close()`."""
        try:
            self._server.run()
        except OSError as exc:
            # close() shuts the sockets under the running select(): that is the stop, not a fault
            if not (self._closing and exc.errno == errno.EBADF):
                raise

    def start(self) -> "HttpServer":
        """Serve in a background thread (tests, embedding)."""
        self._thread = threading.Thread(target=self.serve_forever, name="articlebot-slack-http", daemon=True)
        self._thread.start()
        return self

    def close(self) -> None:
        """Stop accepting, close every connection, and stop the server's threads."""
        self._closing = True
        self._server.task_dispatcher.shutdown(cancel_pending=True, timeout=5)
        for channel in list(self._server._map.values()):
            channel.handle_close()
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
