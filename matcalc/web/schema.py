"""The JSON API's request bodies: each endpoint's fields, their types, and the size limits.

`check(endpoint, raw_bytes)` returns the request as a dict or raises `BadRequest` with the
HTTP status (400 bad JSON, unknown field, wrong type, a value not among a field's choices;
413 too large) and a message that names the field (and `expected`, the accepted values). Nothing here evaluates anything: JSON in, checked plain values out.
"""

from __future__ import annotations

import json
import re

from ..layout import LAYOUTS
from ..limits import WEB_MAX_BODY_BYTES, WEB_MAX_QUERY_CHARS, WEB_MAX_SHAPES
from ..render.array_targets import DTYPES
from ..render.styles import NOTATIONS
from .jobs import TARGETS

__all__ = ["FIELDS", "MAX_NAME_CHARS", "NAME", "REQUIRED", "BadRequest", "check"]

MAX_NAME_CHARS = 64  # a variable's name, or a shape spec, in "wrt" and "shapes"
NAME = re.compile(r"[A-Za-z_α-ωΑ-Ω][A-Za-z_0-9α-ωΑ-Ω]*")  # the grammar's NAME


class BadRequest(Exception):
    def __init__(
        self, status: int, message: str, expected: str | None = None, kind: str = "bad request"
    ):
        super().__init__(message)
        self.status, self.message, self.expected, self.kind = status, message, expected, kind

    def body(self) -> dict:
        return {
            "message": self.message,
            "kind": self.kind,
            "line": None,
            "column": None,
            "width": None,
            "expected": self.expected,
        }


def _text(name: str, value, limit: int = WEB_MAX_QUERY_CHARS) -> str:
    if not isinstance(value, str):
        raise BadRequest(400, f"'{name}' must be a string, not {_type(value)}")
    if len(value) > limit:
        raise BadRequest(
            413,
            f"'{name}' is too long: {len(value)} characters, the limit is {limit}",
            expected="a shorter query",
            kind="limit",
        )
    return value


def _wrt(name: str, value):
    if value is None:
        return None
    if isinstance(value, list):
        if not value or len(value) > WEB_MAX_SHAPES:
            raise BadRequest(400, f"'wrt' must list 1 to {WEB_MAX_SHAPES} names")
        return [_text("wrt", v, MAX_NAME_CHARS) for v in value]
    return _text("wrt", value, MAX_NAME_CHARS)


def _choice(choices) -> object:
    """A checker of a field whose value is one of `choices` (the first is the default)."""

    def checker(name: str, value) -> str:
        if value is None:
            return choices[0]
        if not isinstance(value, str) or value not in choices:
            shown = repr(value) if isinstance(value, str) else _type(value)
            raise BadRequest(
                400,
                f"unknown {name} {shown}: '{name}' must be " + " or ".join(map(repr, choices)),
                expected=" or ".join(choices),
            )
        return value

    return checker


_layout = _choice(tuple(LAYOUTS))
_target = _choice(tuple(TARGETS))
_notation = _choice(tuple(NOTATIONS))
_dtype = _choice(tuple(DTYPES))


def _shapes(name: str, value) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise BadRequest(
            400,
            f"'shapes' must be an object name -> spec, not {_type(value)}",
            expected='{"x": "vector(n)", "A": "matrix(m, n)"}',
        )
    if len(value) > WEB_MAX_SHAPES:
        raise BadRequest(
            413, f"'shapes' has {len(value)} entries, the limit is {WEB_MAX_SHAPES}", kind="limit"
        )
    for name, spec in value.items():
        _text("a name in 'shapes'", name, MAX_NAME_CHARS)
        if not NAME.fullmatch(name):
            raise BadRequest(
                400,
                f"{name!r} in 'shapes' is not a name",
                expected="a name as in the query: a letter, then letters, digits or _",
            )
        _text(f"shapes[{name!r}]", spec, MAX_NAME_CHARS)
    return dict(value)


def _bool(name: str, value) -> bool | None:
    if value is None:
        return None  # absent: the job's default ("names" true, the others false)
    if not isinstance(value, bool):
        raise BadRequest(400, f"'{name}' must be true or false, not {_type(value)}")
    return value


_DERIVATIVE = {
    "query": _text,
    "wrt": _wrt,
    "layout": _layout,
    "shapes": _shapes,
    "hessian": _bool,
    "notation": _notation,
    "names": _bool,
}
FIELDS = {
    "derivative": _DERIVATIVE,
    "check": _DERIVATIVE,
    "code": {**_DERIVATIVE, "target": _target, "dtype": _dtype, "value_and_grad": _bool},
    "verify": {"claim": _text, "layout": _layout, "shapes": _shapes},
}
REQUIRED = {"derivative": "query", "check": "query", "code": "query", "verify": "claim"}


def _type(value) -> str:
    return {
        dict: "an object",
        list: "an array",
        str: "a string",
        bool: "a boolean",
        type(None): "null",
        int: "a number",
        float: "a number",
    }.get(type(value), type(value).__name__)


def check(endpoint: str, raw: bytes) -> dict:
    """The request of `endpoint` from its raw body, checked; raises BadRequest."""
    if len(raw) > WEB_MAX_BODY_BYTES:
        raise BadRequest(
            413,
            f"the request body is {len(raw)} bytes, the limit is {WEB_MAX_BODY_BYTES}",
            kind="limit",
        )
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as err:
        raise BadRequest(
            400,
            f"the body is not valid JSON: {err}",
            expected='a JSON object such as {"query": "x @ A @ x", "wrt": "x"}',
        ) from err
    if not isinstance(data, dict):
        raise BadRequest(400, f"the body must be a JSON object, not {_type(data)}")
    fields = FIELDS[endpoint]
    unknown = sorted(set(data) - set(fields))
    if unknown:
        raise BadRequest(
            400,
            f"unknown field{'s' * (len(unknown) > 1)}: {', '.join(map(repr, unknown))}",
            expected=", ".join(fields),
        )
    required = REQUIRED[endpoint]
    if required not in data:
        raise BadRequest(400, f"missing '{required}'", expected=", ".join(fields))
    out = {}
    for name, value in data.items():
        out[name] = fields[name](name, value)
    return out
