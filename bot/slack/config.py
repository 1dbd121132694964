"""Slack settings checked before start-up: one clear line per problem, never a token.

Tokens come only from the environment or `.env` (through `Settings`); this module
checks their shape so a typo stops start-up at once instead of failing later.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass
from typing import Iterator

from bot.settings import Settings
from vectorstore.errors import ArticlebotError


class SlackConfigError(ArticlebotError):
    """A Slack token or setting is missing or malformed."""


@contextlib.contextmanager
def slack_call(setting: str, method: str, unreachable: str) -> Iterator[None]:
    """Turn a failed start-up call into one line naming the setting Slack rejected, never its value.

    The exception text is left out: it can hold a token or a WebSocket URL.
    """
    from slack_sdk.errors import SlackApiError

    try:
        yield
    except SlackApiError as exc:
        code = exc.response.get("error", "error") if exc.response is not None else "error"
        raise SlackConfigError(f"Slack rejected {setting} at {method} ({code})") from None
    except Exception as exc:  # connection refused, DNS, TLS …
        raise SlackConfigError(f"{unreachable} ({type(exc).__name__})") from None


_TOKEN_SHAPES = {
    "SLACK_BOT_TOKEN": ("xoxb-", "a bot token starting with xoxb-"),
    "SLACK_APP_TOKEN": ("xapp-", "an app-level token starting with xapp-"),
}
_TOKEN_BODY = re.compile(r"[A-Za-z0-9-]+")
_SECRET = re.compile(r"[A-Za-z0-9]{16,}")
_IDS = re.compile(r"[A-Z0-9]+")


@dataclass(frozen=True)
class SlackConfig:
    """What the Slack front end needs, validated. Secrets stay plain strings only here."""

    bot_token: str
    app_token: str
    signing_secret: str
    api_url: str
    allowed_channels: frozenset[str]
    allowed_users: frozenset[str]

    def secrets(self) -> list[str]:
        """Values that must never reach a log line."""
        return [s for s in (self.bot_token, self.app_token, self.signing_secret) if s]

    def allows(self, user: str, channel: str, is_dm: bool) -> bool:
        """Allow-lists: users everywhere; channels for channel conversations (DMs follow the user list)."""
        if self.allowed_users and user not in self.allowed_users:
            return False
        if self.allowed_channels and not is_dm and channel not in self.allowed_channels:
            return False
        return True


def _token(name: str, value: str) -> str:
    prefix, expected = _TOKEN_SHAPES[name]
    if not value:
        raise SlackConfigError(f"{name} is not set: expected {expected} (environment or .env)")
    if not value.startswith(prefix) or not _TOKEN_BODY.fullmatch(value[len(prefix):]):
        raise SlackConfigError(f"{name} is malformed: expected {expected}, without spaces or quotes")
    return value


def _id_list(name: str, raw: str) -> frozenset[str]:
    ids = [part.strip() for part in raw.split(",") if part.strip()]
    for item in ids:
        if not _IDS.fullmatch(item):
            raise SlackConfigError(f"{name} is malformed: expected comma-separated Slack ids like C0123ABCD")
    return frozenset(ids)


def slack_config(settings: Settings, http_mode: bool) -> SlackConfig:
    """Validate the Slack settings for Socket Mode (app token) or HTTP mode (signing secret)."""
    bot_token = _token("SLACK_BOT_TOKEN", settings.slack_bot_token.get_secret_value())
    app_token = settings.slack_app_token.get_secret_value()
    secret = settings.slack_signing_secret.get_secret_value()
    if http_mode:
        if not secret:
            raise SlackConfigError("SLACK_SIGNING_SECRET is not set: --http mode verifies every request with it")
        if not _SECRET.fullmatch(secret):
            raise SlackConfigError("SLACK_SIGNING_SECRET is malformed: expected the app's signing secret "
                                   "(letters and digits), without spaces or quotes")
    else:
        app_token = _token("SLACK_APP_TOKEN", app_token)
    api_url = settings.slack_api_url.strip()
    if not re.fullmatch(r"https?://\S+", api_url):
        raise SlackConfigError("SLACK_API_URL is malformed: expected an http(s) URL like https://slack.com/api/")
    if not api_url.endswith("/"):
        api_url += "/"
    return SlackConfig(
        bot_token=bot_token,
        app_token=app_token if not http_mode else "",
        signing_secret=secret if http_mode else "",
        api_url=api_url,
        allowed_channels=_id_list("SLACK_ALLOWED_CHANNELS", settings.slack_allowed_channels),
        allowed_users=_id_list("SLACK_ALLOWED_USERS", settings.slack_allowed_users),
    )
