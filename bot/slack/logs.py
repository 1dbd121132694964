"""Logging for the Slack bot: to stderr, with every token and secret redacted.

Redaction happens on the fully formatted line (message, arguments and traceback),
so no library — ours, Bolt's or the SDK's — can print a token by accident.
"""

from __future__ import annotations

import logging
import re
import sys
from typing import Iterable

_TOKEN = re.compile(r"\b(xox[a-z]|xapp|xoxe(?:\.xox[a-z])?)-[A-Za-z0-9-]+")


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, "[redacted]")
    return _TOKEN.sub(lambda m: f"{m.group(1)}-[redacted]", text)


class RedactingFormatter(logging.Formatter):
    def __init__(self, fmt: str, secrets: Iterable[str] = ()) -> None:
        super().__init__(fmt)
        self._secrets = sorted((s for s in secrets if s), key=len, reverse=True)

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record), self._secrets)


def configure_logging(secrets: Iterable[str], verbose: bool = False) -> logging.Handler:
    """Send log records to stderr through the redacting formatter; returns the handler."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s", secrets))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    for noisy in ("chromadb", "httpx", "urllib3"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    return handler
