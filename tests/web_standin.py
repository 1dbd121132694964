"""A real HTTP server on 127.0.0.1:0 serving pages that tests change between requests.

Each path serves a `Page` (or a queue of them, answered in turn). Pages with an
ETag or Last-Modified answer 304 to a matching conditional GET, as news sites do.
A page can be held: the server then sends nothing until the test releases it (a
slow server, past the client's read timeout). Every request is recorded.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests.conftest import REPLY_CEILING_S


@dataclass
class Page:
    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    status: int = 200
    etag: str = ""
    last_modified: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    hold: threading.Event | None = None  # send nothing until this is set
    chunked: bool = False  # no Content-Length: the client learns the size only by reading


@dataclass
class Request:
    path: str
    headers: dict[str, str]
    status: int


def html_page(title: str, paragraphs: list[str], charset: str = "utf-8", meta_charset: str = "",
              author: str = "Kim Reporter", date: str = "2026-11-02") -> bytes:
    """An article page trafilatura extracts: <title>, byline, date and <p> paragraphs."""
    meta = f'<meta charset="{meta_charset}">' if meta_charset else ""
    body = "".join(f"<p>{p}</p>\n" for p in paragraphs)
    return (f"<!doctype html><html><head>{meta}<title>{title}</title>"
            f'<meta name="author" content="{author}"><meta property="article:published_time" content="{date}">'
            f"</head><body><nav><a href='/'>Home</a></nav><article><h1>{title}</h1>\n{body}</article>"
            f"<footer>News Co.</footer></body></html>").encode(charset)


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hangs up (size cap, timeout) is expected here; anything else is printed."""
        import sys

        if not isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            super().handle_error(request, client_address)


class WebStandIn:
    def __init__(self) -> None:
        self.pages: dict[str, list[Page]] = {}
        self.requests: list[Request] = []
        self._holds: list[threading.Event] = []
        self._cond = threading.Condition()
        standin = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # headers and body leave in separate writes: without this, Nagle's algorithm
            # and the client's delayed ACK add ~40 ms to every response, as no real server does
            disable_nagle_algorithm = True

            def do_GET(self) -> None:  # noqa: N802 - stdlib name
                standin._handle(self)

            def log_message(self, *args: Any) -> None:
                pass

        self._server = _QuietServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)

    def start(self) -> "WebStandIn":
        self._thread.start()
        return self

    def close(self) -> None:
        for hold in self._holds:
            hold.set()
        self._server.shutdown()
        self._server.server_close()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def serve(self, path: str, *pages: Page) -> str:
        """Serve `pages` at `path`, one per request, the last one from then on; returns the URL."""
        with self._cond:
            self.pages[path] = list(pages)
            self._holds += [p.hold for p in pages if p.hold is not None]
        return self.url(path)

    def redirect(self, path: str, to: str, status: int = 301) -> str:
        return self.serve(path, Page(status=status, headers={"Location": to}))

    def requests_for(self, path: str) -> list[Request]:
        with self._cond:
            return [r for r in self.requests if r.path == path]

    def wait_for_request(self, path: str, count: int = 1) -> None:
        with self._cond:
            if not self._cond.wait_for(lambda: len([r for r in self.requests if r.path == path]) >= count,
                                       timeout=REPLY_CEILING_S):
                raise AssertionError(f"no request for {path}")

    def _handle(self, request: BaseHTTPRequestHandler) -> None:
        with self._cond:
            queue = self.pages.get(request.path)
            page = (queue.pop(0) if len(queue) > 1 else queue[0]) if queue else Page(b"not found", "text/plain", 404)
        status = page.status
        if status == 200 and ((page.etag and request.headers.get("If-None-Match") == page.etag)
                              or (page.last_modified and request.headers.get("If-Modified-Since") == page.last_modified)):
            status = 304
        with self._cond:
            self.requests.append(Request(request.path, dict(request.headers), status))
            self._cond.notify_all()
        if page.hold is not None:
            page.hold.wait(REPLY_CEILING_S)
        body = b"" if status == 304 else page.body
        try:
            request.send_response(status)
            request.send_header("Content-Type", page.content_type)
            for name, value in [("ETag", page.etag), ("Last-Modified", page.last_modified), *page.headers.items()]:
                if value:
                    request.send_header(name, value)
            if page.chunked:
                request.send_header("Transfer-Encoding", "chunked")
                request.end_headers()
                for start in range(0, len(body), 65536):
                    piece = body[start : start + 65536]
                    request.wfile.write(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
                request.wfile.write(b"0\r\n\r\n")
            else:
                request.send_header("Content-Length", str(len(body)))
                request.end_headers()
                request.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a size cap or a timeout): that is the point of the test
