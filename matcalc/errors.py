"""matcalc's errors: every one a `MatcalcError` that can point at the query text.

The CLI prints `str(error)` and exits 2; nothing the user types ends in a traceback.
"""
from __future__ import annotations

__all__ = [
    "LimitError", "MatcalcError", "NameError_", "ParseError", "ShapeError", "UnsupportedError",
]


class MatcalcError(Exception):
    """An error in the user's query, optionally located at (line, column) of `text`."""

    kind = "error"

    def __init__(self, message: str, text: str | None = None, line: int | None = None,
                 column: int | None = None, width: int = 1, expected: str | None = None):
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
        head = f"{self.kind}: {self.message}"
        if self.line is not None and self.column is not None:
            head = f"{self.kind} at line {self.line}, column {self.column}: {self.message}"
        parts = [head]
        if self.expected:
            parts.append(f"expected {self.expected}")
        if self.text is not None and self.line is not None and self.column is not None:
            lines = self.text.splitlines() or [""]
            src = lines[self.line - 1] if 0 < self.line <= len(lines) else ""
            parts.append("  " + src)
            parts.append("  " + " " * (self.column - 1) + "^" * min(self.width, max(1, len(src) - self.column + 1)))
        return "\n".join(parts)


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
