"""Is a signed payload shaped as Slack sends it? Checked before Bolt sees it (pure).

Bolt's request parsing and matchers index fields without checking their types
(`payload["authorizations"][0]`, `view.get(...)`), so a payload with a number
where an object belongs raised deep inside Bolt: HTTP 500. Slack never sends such
payloads; anything else that can sign requests is misbehaving and gets a 400
naming the field.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl

from bot.slack.blocks import BUTTON_VALUE_LIMIT, FEEDBACK_DOWN, FEEDBACK_UP

MAX_DEPTH = 32  # Slack payloads nest a handful of levels (blocks in a view in a payload)
_OBJECTS = ("event", "view", "container", "message", "item", "assistant_thread", "previous_message", "state")
_IDS_OR_OBJECTS = ("team", "enterprise", "user", "channel")
_STRINGS = ("type", "team_id", "enterprise_id", "user_id", "channel_id", "event_id", "api_app_id", "token",
            "trigger_id", "response_url", "command", "text")
_FLAGS = ("is_enterprise_install", "is_ext_shared_channel")
_ANSWER_ID_DIGITS = 18  # SQLite integers are 64-bit


def parse_payload(body: bytes, content_type: str | None) -> Any:
    """The payload as Bolt will read it (JSON, or form fields with a JSON `payload`).

    Raises ValueError for a body that is not UTF-8, not JSON where JSON belongs, or
    nested deeper than MAX_DEPTH (json.loads would hit the recursion limit).
    """
    text = body.decode("utf-8")  # UnicodeDecodeError is a ValueError
    if not text:
        return {}
    if content_type == "application/json" or text.startswith("{"):
        return loads_bounded(text)
    fields = dict(parse_qsl(text, keep_blank_values=True))
    if "payload" in text and "payload" in fields:
        return loads_bounded(fields["payload"])
    return fields


def loads_bounded(text: str) -> Any:
    """`json.loads` that refuses nesting deeper than MAX_DEPTH before parsing (no RecursionError)."""
    if _depth(text) > MAX_DEPTH:
        raise ValueError(f"nested more than {MAX_DEPTH} levels deep")
    return json.loads(text)


def _depth(text: str) -> int:
    """Bracket depth, ignoring brackets inside strings; linear and without recursion."""
    depth = deepest = 0
    in_string = escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in "]}":
            depth -= 1
    return deepest


def payload_problem(payload: Any) -> str | None:
    """What is wrong with a payload's shape, or None when Bolt and our listeners can read it."""
    if not isinstance(payload, dict):
        return "the payload is not an object"
    problem = _list_problem(payload, "authorizations") or _actions_problem(payload)
    if problem:
        return problem
    # Bolt reads the same fields from the first authorization and from the event.
    inner = [("", payload), *((f"authorizations[{i}].", a) for i, a in enumerate(payload.get("authorizations") or []))]
    if isinstance(payload.get("event"), dict):
        inner.append(("event.", payload["event"]))
    for prefix, fields in inner:
        problem = _fields_problem(fields)
        if problem:
            return prefix + problem
    return None


def _fields_problem(fields: dict[str, Any]) -> str | None:
    for key in _OBJECTS:
        if key in fields and not isinstance(fields[key], (dict, type(None))):
            return f"{key} is not an object"
    for key in _IDS_OR_OBJECTS:
        value = fields.get(key)
        if value is not None and not isinstance(value, (str, dict)):
            return f"{key} is neither an id nor an object"
        if isinstance(value, dict) and not isinstance(value.get("id", ""), str):
            return f"{key}.id is not a string"
    for key in _STRINGS:
        if key in fields and not isinstance(fields[key], (str, type(None))):
            return f"{key} is not a string"
    for key in _FLAGS:
        if key in fields and not isinstance(fields[key], (bool, str, type(None))):
            return f"{key} is not true or false"
    return None


def _list_problem(payload: dict[str, Any], key: str) -> str | None:
    items = payload.get(key)
    if items is None:
        return None
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        return f"{key} is not a list of objects"
    return None


def _actions_problem(payload: dict[str, Any]) -> str | None:
    problem = _list_problem(payload, "actions")
    if problem:
        return problem
    actions = payload.get("actions")
    if payload.get("type") == "block_actions" and not actions:
        return "a block action without actions"
    for action in actions or []:
        for key in ("action_id", "block_id", "value", "type"):
            if not isinstance(action.get(key, ""), str):
                return f"actions[].{key} is not a string"
        value = action.get("value", "")
        if len(value) > BUTTON_VALUE_LIMIT:
            return "a button value longer than Slack allows"
        if action.get("action_id") in (FEEDBACK_UP, FEEDBACK_DOWN) and not (
                value.isascii() and value.isdigit() and len(value) <= _ANSWER_ID_DIGITS):
            return "a feedback button whose value is not an answer id"
    return None
