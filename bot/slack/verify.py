"""Is this request from Slack? The v0 signature check, strict about every header (pure).

It runs on the raw bytes before anything parses them, so that a forged request,
however malformed, costs one comparison and gets a 401. Bolt's own verifier does
`int(timestamp)` and decodes the body first: a timestamp of "abc", "1.5" or 400
digits, a non-ASCII signature or a body that is not UTF-8 made it raise (HTTP 500
and a traceback per request).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import time

MAX_AGE_S = 300  # Slack's guidance: refuse requests older than five minutes (replays)
_TIMESTAMP = re.compile(r"[0-9]{1,12}")
_SIGNATURE = re.compile(r"v0=[0-9a-f]{64}")


def unverified_reason(secret: str, body: bytes, timestamp: str, signature: str,
                      now: float | None = None, max_age_s: int = MAX_AGE_S) -> str | None:
    """Why the request cannot be from Slack, in a few words; None when its signature holds."""
    if not timestamp or not signature:
        return "no signature headers"
    if not _TIMESTAMP.fullmatch(timestamp):
        return "a malformed timestamp"
    if abs((time.time() if now is None else now) - int(timestamp)) > max_age_s:
        return "a stale timestamp"
    if not _SIGNATURE.fullmatch(signature):
        return "a malformed signature"
    digest = hmac.new(secret.encode(), b"v0:" + timestamp.encode() + b":" + body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(f"v0={digest}", signature):
        return "a wrong signature"
    return None

