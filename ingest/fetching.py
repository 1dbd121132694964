"""Fetch one URL safely: http(s) only, public hosts only, size-capped, timed out.

URL ingest is an operator's action (the CLI), never something a Slack user can
trigger, and still it must not become a way to read the machine's own services:
every hop of a redirect chain is checked for its scheme and for where its host
resolves. The client carries no credentials: no auth headers, no cookies, and
`trust_env=False`, so neither proxy settings nor ~/.netrc from the environment
are sent to a fetched host (Slack and LLM tokens live only in `Settings`).
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit

from ingest.reading import InputError

if TYPE_CHECKING:
    import httpx

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
USER_AGENT = "articlebot/0.1 (news question answering; +https://github.com/articlebot)"
REDIRECTS = (301, 302, 303, 307, 308)
MAX_REDIRECTS = 10
ALLOWED_SCHEMES = ("http", "https")


class FetchError(InputError):
    """A URL that could not be fetched; `transient` ones (network, 5xx) are worth retrying."""

    def __init__(self, message: str, status: int | None = None, transient: bool = False) -> None:
        super().__init__(message)
        self.status = status
        self.transient = transient


class PageGone(FetchError):
    """The server says the page is gone (404 or 410)."""


class UnsafeURL(FetchError):
    """A scheme other than http(s), or a host on a private, loopback or link-local address."""


@dataclass(frozen=True)
class FetchLimits:
    """How far a fetch may go; from settings (FETCH_*), smaller in tests."""

    max_bytes: int = DEFAULT_MAX_BYTES
    connect_timeout_s: float = 10.0
    read_timeout_s: float = 30.0
    allow_private: bool = False


@dataclass(frozen=True)
class Fetched:
    """One answer from a server: 200 with a body, or 304 (`not_modified`, no body)."""

    url: str
    final_url: str
    status: int
    content_type: str
    body: bytes
    etag: str
    last_modified: str
    fetched_at: str

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    @property
    def media_type(self) -> str:
        return self.content_type.split(";")[0].strip().lower()


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _blocked_address(host: str, port: int) -> str:
    """The first address `host` resolves to that is not public, or ""."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise FetchError(f"cannot resolve {host} ({exc.strerror or exc})", transient=True) from exc
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%")[0])
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
            address = address.ipv4_mapped
        if not address.is_global or address.is_multicast:
            return str(address)
    return ""


def check_url(url: str, allow_private: bool = False) -> None:
    """Refuse schemes other than http(s) and, unless allowed, hosts that are not public.

    The check resolves the name itself; a DNS answer that changes between this
    check and the connection is not caught (run behind an egress proxy for that).
    """
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ALLOWED_SCHEMES:
        shown = f"{scheme}:" if scheme else "no scheme"
        raise UnsafeURL(f"{url}: only http and https URLs can be fetched, not {shown}")
    host = parts.hostname
    if not host:
        raise UnsafeURL(f"{url}: has no host name")
    if allow_private:
        return
    try:
        blocked = _blocked_address(host, parts.port or (443 if scheme == "https" else 80))
    except FetchError as exc:
        raise FetchError(f"{url}: {exc}", transient=True) from exc
    if blocked:
        raise UnsafeURL(f"{url}: {host} is a private, loopback or link-local address ({blocked}); "
                        "use --allow-private (or FETCH_ALLOW_PRIVATE=true) for intranet pages")


def _status_error(url: str, response: "httpx.Response") -> FetchError:
    status = response.status_code
    reason = f"HTTP {status} {response.reason_phrase}".strip()
    if status in (404, 410):
        return PageGone(f"{url}: {reason}: the page is gone", status=status)
    transient = status >= 500 or status in (408, 425, 429)
    return FetchError(f"{url}: the server answered {reason}", status=status, transient=transient)


class Fetcher:
    """One HTTP client for many fetches (connections are reused); close it, or use `with`."""

    def __init__(self, limits: FetchLimits = FetchLimits(), transport: Any = None) -> None:
        import httpx

        self.limits = limits
        self._client = httpx.Client(
            follow_redirects=False,  # each hop is checked by `check_url` first
            trust_env=False,
            timeout=httpx.Timeout(limits.read_timeout_s, connect=limits.connect_timeout_s),
            headers={"User-Agent": USER_AGENT, "Accept-Encoding": "gzip, deflate"},
            transport=transport,
        )

    def __enter__(self) -> "Fetcher":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    def get(self, url: str, etag: str = "", last_modified: str = "", accept: str = "") -> Fetched:
        """GET `url`, following redirects; conditional when validators are given.

        Raises `FetchError` (with `transient` set for network errors and 5xx),
        `PageGone` for 404/410 and `UnsafeURL` for a refused hop.
        """
        import httpx

        headers = {"Accept": accept or "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5"}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        current = url
        for _hop in range(MAX_REDIRECTS + 1):
            check_url(current, self.limits.allow_private)
            try:
                with self._client.stream("GET", current, headers=headers) as response:
                    if response.status_code in REDIRECTS and response.headers.get("location"):
                        current = urljoin(current, response.headers["location"])
                        continue
                    return self._finish(url, current, response)
            except httpx.TimeoutException as exc:
                raise FetchError(f"{url}: no answer in time ({_timeout_kind(exc, self.limits)})",
                                 transient=True) from exc
            except httpx.HTTPError as exc:
                raise FetchError(f"{url}: cannot fetch ({type(exc).__name__}: {exc})", transient=True) from exc
        raise FetchError(f"{url}: more than {MAX_REDIRECTS} redirects")

    def _finish(self, url: str, final_url: str, response: "httpx.Response") -> Fetched:
        if response.status_code != 304 and response.status_code >= 300:
            raise _status_error(url, response)
        body = b"" if response.status_code == 304 else self._read_capped(url, response)
        return Fetched(
            url=url, final_url=final_url, status=response.status_code,
            content_type=response.headers.get("content-type", ""), body=body,
            etag=response.headers.get("etag", ""), last_modified=response.headers.get("last-modified", ""),
            fetched_at=now_iso(),
        )

    def _read_capped(self, url: str, response: "httpx.Response") -> bytes:
        """The body, refused as soon as it passes the cap (declared or actually read)."""
        cap = self.limits.max_bytes
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > cap:
            raise FetchError(f"{url}: is {int(declared) / 1e6:.1f} MB, over the {cap / 1e6:g} MB limit (FETCH_MAX_MB)")
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > cap:
                raise FetchError(f"{url}: is over the {cap / 1e6:g} MB limit (FETCH_MAX_MB)")
            chunks.append(chunk)
        return b"".join(chunks)


def _timeout_kind(exc: Exception, limits: FetchLimits) -> str:
    import httpx

    if isinstance(exc, httpx.ConnectTimeout):
        return f"no connection within {limits.connect_timeout_s:g} s, FETCH_CONNECT_TIMEOUT_S"
    return f"nothing read for {limits.read_timeout_s:g} s, FETCH_READ_TIMEOUT_S"
