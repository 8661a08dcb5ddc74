"""matcalc's errors: every one a `MatcalcError` that can point at the query text.

The CLI prints `str(error)` and exits 2; nothing the user types ends in a traceback.
"""

from __future__ import annotations

__all__ = [
    "caret_lines",
    "escape_controls",
    "shorten_words",
    "LimitError",
    "MatcalcError",
    "NameError_",
    "ParseError",
    "ShapeError",
    "UnsupportedError",
]


class MatcalcError(Exception):
    """An error in the user's query, optionally located at (line, column) of `text`."""

    kind = "error"

    def __init__(
        self,
        message: str,
        text: str | None = None,
        line: int | None = None,
        column: int | None = None,
        width: int = 1,
        expected: str | None = None,
    ):
        super().__init__(message)
        self.message = message
        self.text = text
        self.line = line
        self.column = column
        self.width = max(1, width)
        self.expected = expected

    def located(self, text: str, pos) -> MatcalcError:
        """Attach the query text and a `syntax.Position` if none is attached yet."""
        if self.text is None and pos is not None:
            self.text, self.line, self.column = text, pos.line, pos.column
            if pos.end_column:
                self.width = max(1, pos.end_column - pos.column)
        return self

    def __str__(self) -> str:
        message = shorten_words(escape_controls(self.message))
        head = f"{self.kind}: {message}"
        if self.line is not None and self.column is not None:
            head = f"{self.kind} at line {self.line}, column {self.column}: {message}"
        parts = [head]
        if self.expected:
            parts.append(f"expected {shorten_words(escape_controls(self.expected))}")
        if self.text is not None and self.line is not None and self.column is not None:
            lines = self.text.split("\n")  # the parser's lines: a \r is a character in one
            src = lines[self.line - 1] if 0 < self.line <= len(lines) else ""
            parts.extend(caret_lines(src, self.column, self.width))
        return "\n".join(parts)


SOURCE_WINDOW = 60  # characters of the source line shown either side of the caret
LONG_WORD = 60  # a longer word in a message is shortened with …


def _escaped(ch: str) -> str:
    """`ch` as the terminal may safely show it: control, format (bidi) and separator
    characters other than a space as \\xNN / \\uNNNN, anything else as itself."""
    import unicodedata

    if ch == " " or unicodedata.category(ch) not in ("Cc", "Cf", "Zl", "Zp", "Zs"):
        return ch
    return f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}"


def escape_controls(text: str) -> str:
    return "".join(_escaped(ch) for ch in str(text))


def shorten_words(text: str, limit: int = LONG_WORD) -> str:
    """Every run of more than `limit` non-space characters cut to its ends around …."""
    import re

    keep = limit // 2
    return re.sub(
        rf"\S{{{limit + 1},}}", lambda m: f"{m.group()[:keep]}…{m.group()[-keep // 2 :]}", text
    )


def caret_lines(src: str, column: int, width: int) -> list:
    """The source line (escaped, a window of SOURCE_WINDOW characters either side of the
    place, … where cut) and the caret under the place."""
    start = max(0, column - 1 - SOURCE_WINDOW)
    stop = min(len(src), column - 1 + max(1, width) + SOURCE_WINDOW)
    before = escape_controls(src[start : column - 1])
    marked = escape_controls(src[column - 1 : min(stop, column - 1 + max(1, width))])
    after = escape_controls(
        src[column - 1 + len(src[column - 1 : column - 1 + max(1, width)]) : stop]
    )
    lead = "…" if start > 0 else ""
    tail = "…" if stop < len(src) else ""
    if len(marked) > 2 * SOURCE_WINDOW:  # a very wide place: mark its start
        marked, after, tail = marked[: 2 * SOURCE_WINDOW], "", "…"
    return [
        "  " + lead + before + marked + after + tail,
        "  " + " " * (len(lead) + len(before)) + "^" * max(1, len(marked)),
    ]


class ParseError(MatcalcError):
    kind = "syntax error"


class ShapeError(MatcalcError):
    kind = "shape error"


class NameError_(MatcalcError):
    kind = "name error"


class UnsupportedError(MatcalcError):
    """No rule for a node or function: named, never a silent zero."""

    kind = "unsupported"


class LimitError(MatcalcError):
    """A limit of size, depth, time or memory (matcalc.limits) that the query would pass:
    reported before the work is spent, never a hang, a crash or a traceback."""

    kind = "limit"
