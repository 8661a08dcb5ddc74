"""Splitting a claim's text at the top level — declarations, `d/dVAR` (or `∂…/∂VAR`),
EXPR, `=`, CLAIMED — without parsing the parts; and the located errors of that split
(each part is later parsed from a blanked copy, so positions need no translation)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from ..errors import MatcalcError, ParseError

__all__ = [
    "Claim",
    "Relocated",
    "blank",
    "error_at",
    "is_declaration",
    "offset_of",
    "parse_claim",
    "statement_starts",
    "without_comments",
]

_NAME = r"[A-Za-z_α-ωΑ-Ω][A-Za-z_0-9α-ωΑ-Ω]*"
_D_HEAD = re.compile(rf"d[ \t]*/[ \t]*d[ \t]*({_NAME})")
_P_HEAD = re.compile(rf"∂[ \t]*/[ \t]*∂[ \t]*({_NAME})")
_P_TAIL = re.compile(rf"/[ \t]*∂[ \t]*({_NAME})")
_ANY_HEAD = re.compile(r"(?<![A-Za-z_0-9α-ωΑ-Ω])d[ \t]*/[ \t]*d|∂")
_FORMS = "d/dVAR EXPR = CLAIMED, or ∂(EXPR)/∂VAR = CLAIMED"


@dataclass(frozen=True)
class Claim:
    """A claim split at the top level; spans are offsets into `text`."""

    text: str
    declarations: tuple  # (start, end) of the declarations part
    head: tuple  # (start, end) of `d/dVAR`, `∂/∂VAR`, or the `∂` of ∂EXPR/∂VAR
    var: str
    var_span: tuple
    expression: tuple  # (start, end) of EXPR
    equals: int  # offset of the "="
    claimed: tuple  # (start, end) of CLAIMED


def _line_col(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def offset_of(text: str, line: int, column: int) -> int:
    start = 0
    for _ in range(line - 1):
        start = text.index("\n", start) + 1
    return start + column - 1


def error_at(
    cls: type[MatcalcError],
    message: str,
    text: str,
    offset: int,
    width: int = 1,
    expected: str | None = None,
) -> MatcalcError:
    line, column = _line_col(text, offset)
    return cls(message, text=text, line=line, column=column, width=width, expected=expected)


def _end_offset(text: str, scan: str) -> int:
    """Just after the last character that is not blank or comment."""
    stripped = scan.rstrip()
    return len(stripped) if stripped else 0


def without_comments(text: str) -> str:
    """`text` with every `# …` comment replaced by spaces (same length, same lines)."""
    return re.sub(r"#[^\n]*", lambda m: " " * len(m.group()), text)


def statement_starts(scan: str) -> Iterator[int]:
    """Offsets where a statement may start: the text's start and after each top-level
    `;` or new line, skipping blanks."""
    depth, at_start = 0, True
    for i, ch in enumerate(scan):
        if at_start and not ch.isspace():
            yield i
            at_start = False
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth = max(0, depth - 1)
        elif ch in ";\n" and depth == 0:
            at_start = True


def parse_claim(text: str) -> Claim:
    """Split a claim into declarations, head, EXPR and CLAIMED (no parsing of the parts)."""
    if not isinstance(text, str):
        raise MatcalcError(f"verify expects the claim as a str, not {type(text).__name__}")
    scan = without_comments(text)
    if not scan.strip():
        raise ParseError("empty claim", text=text, line=1, column=1, expected=_FORMS)
    head = None
    first_other = None
    for start in statement_starts(scan):
        m = _D_HEAD.match(scan, start) or _P_HEAD.match(scan, start)
        if m:
            head = ("operator", start, m.end(), m.group(1), m.span(1))
            break
        if scan.startswith("∂", start):
            head = ("quotient", start, start + 1, None, None)
            break
        if first_other is None and not is_declaration(scan, start):
            first_other = start
    if head is None:
        m = _ANY_HEAD.search(scan)
        if m:
            raise error_at(
                ParseError,
                "the derivative must start a statement",
                text,
                m.start(),
                len(m.group()),
                "';' or a new line between the declarations and it",
            )
        where = first_other if first_other is not None else len(scan) - len(scan.lstrip())
        raise error_at(
            ParseError, "a claim needs a derivative d/dVAR or ∂…/∂VAR", text, where, expected=_FORMS
        )
    form, h_start, h_end, var, var_span = head

    # the single "=": not part of >= or <=, not in brackets
    equals, depth = [], 0
    for i in range(h_end, len(scan)):
        ch = scan[i]
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth = max(0, depth - 1)
        elif ch == "=" and scan[i - 1] not in "<>":
            if scan[i + 1 : i + 2] == "=":
                raise error_at(
                    ParseError,
                    "'==' is not a claim's '='",
                    text,
                    i,
                    2,
                    "a single '=' between the derivative and the claimed result",
                )
            equals.append((i, depth))
    if not equals:
        raise error_at(
            ParseError,
            "missing '=' and the claimed derivative",
            text,
            _end_offset(text, scan),
            expected="'=' then the claimed result, as in d/dz (x + z) = ones",
        )
    if len(equals) > 1:
        raise error_at(
            ParseError,
            "more than one '='",
            text,
            equals[1][0],
            expected="a single '=' between the derivative and the claimed result",
        )
    eq, eq_depth = equals[0]
    if eq_depth:
        raise error_at(
            ParseError,
            "'=' inside brackets",
            text,
            eq,
            expected="the '=' between the derivative and the claimed result, outside parentheses",
        )

    if form == "operator":
        expression = (h_end, eq)
    else:  # ∂EXPR/∂VAR: the last top-level /∂VAR before "="
        tail = None
        depth = 0
        for i in range(h_end, eq):
            ch = scan[i]
            if ch in "([":
                depth += 1
            elif ch in ")]":
                depth = max(0, depth - 1)
            elif ch == "/" and depth == 0:
                m = _P_TAIL.match(scan, i)
                if m:
                    tail = m
        if tail is None:
            raise error_at(
                ParseError, "missing /∂VAR after ∂EXPR", text, eq, expected="∂(EXPR)/∂VAR = CLAIMED"
            )
        stray = scan[tail.end() : eq]
        if stray.strip():
            at = tail.end() + len(stray) - len(stray.lstrip())
            raise error_at(
                ParseError,
                "unexpected text between ∂…/∂VAR and '='",
                text,
                at,
                len(stray.strip()),
                "'=' right after ∂(EXPR)/∂VAR",
            )
        var, var_span = tail.group(1), tail.span(1)
        expression = (h_end, tail.start())
    if not scan[expression[0] : expression[1]].strip():
        raise error_at(
            ParseError,
            "nothing to differentiate",
            text,
            expression[0] if form == "quotient" else h_start,
            (h_end - h_start) if form == "operator" else 1,
            "an expression, as in d/dz (x + z) = ones",
        )
    claimed = (eq + 1, len(text))
    if not scan[claimed[0] :].strip():
        raise error_at(
            ParseError,
            "missing the claimed derivative after '='",
            text,
            eq,
            expected="an expression after '='",
        )
    return Claim(text, (0, h_start), (h_start, h_end), var, var_span, expression, eq, claimed)


def is_declaration(scan: str, start: int) -> bool:
    """Whether the statement at `start` has a top-level ':' before its end."""
    depth = 0
    for ch in scan[start:]:
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth = max(0, depth - 1)
        elif depth == 0 and ch in ";\n":
            return False
        elif depth == 0 and ch == ":":
            return True
    return False


def blank(text: str, *spans: tuple[int, int] | None) -> str:
    """`text` with everything outside `spans` turned into spaces (new lines kept), so that
    a parse of the result reports the lines and columns of `text`."""
    keep = [False] * len(text)
    for start, end in spans:
        for i in range(start, end):
            keep[i] = True
    return "".join(ch if keep[i] or ch == "\n" else " " for i, ch in enumerate(text))


class Relocated:
    """Re-attach errors raised while parsing a blanked copy to the original claim text."""

    def __init__(self, text: str):
        self.text = text

    def __enter__(self):
        return self

    def __exit__(self, kind, error, tb):
        if (
            isinstance(error, MatcalcError)
            and error.text is not None
            and len(error.text) == len(self.text)
        ):
            error.text = self.text
        return False
