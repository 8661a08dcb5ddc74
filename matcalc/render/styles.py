"""The tokens of printed forms: a `Style` (Unicode) and a `LatexStyle` say how each operator,
power, transpose and name is written, and the precedences say what needs parentheses.
`text.Printer` walks the expression and asks its style for the tokens.
"""

from __future__ import annotations

import re
from fractions import Fraction

from .latex_names import latex_name, latex_operator

__all__ = [
    "ATOM",
    "ELEMENTWISE",
    "POWER",
    "PRODUCT",
    "SUM",
    "SUPERSCRIPT",
    "UNARY",
    "LatexStyle",
    "Style",
]

SUPERSCRIPT = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")
# precedence: what a child must reach to go without parentheses
SUM, ELEMENTWISE, PRODUCT, UNARY, POWER, ATOM = 1, 1.5, 2, 3, 4, 5


class Style:
    minus = "−"
    times = " ⊙ "
    divide = " ⊘ "
    dot = "·"
    T = "ᵀ"
    inv = "⁻¹"
    inv_T = "⁻ᵀ"
    sigmoid = "σ"
    braced_exponent = False

    def power(self, base: str, k: Fraction) -> str:
        if k.denominator == 1:
            return base + str(k.numerator).translate(SUPERSCRIPT)
        return f"{base}^({k.numerator}/{k.denominator})"

    def power_expr(self, base: str, exponent: str) -> str:
        return f"{base}^{exponent}"

    def sqrt(self, arg: str) -> str:
        return f"√{arg}" if _atomic_text(arg) else f"√({arg})"

    def fraction(self, top: str, bottom: str, bottom_compound: bool) -> str:
        return f"{top}/({bottom})" if bottom_compound else f"{top}/{bottom}"

    def call(self, name: str, args: list[str]) -> str:
        return f"{name}({', '.join(args)})"

    def norm(self, arg: str) -> str:
        return f"‖{arg}‖"

    def form(self, p) -> str:
        """A primitive's printed name, or its template with {0}."""
        return p.unicode

    def paren(self, s: str) -> str:
        return f"({s})"

    def compare(self, op: str) -> str:
        return {">=": "≥", "<=": "≤"}.get(op, op)

    def block(self, rows: list[list[str]], column: bool) -> str:
        if column:
            return "[" + ", ".join(r[0] for r in rows) + "]"
        return "[" + ", ".join("[" + ", ".join(r) + "]" for r in rows) + "]"

    def ones(self) -> str:
        return "1"

    def identity(self) -> str:
        return "I"

    def name(self, n: str) -> str:
        return n

    def differential(self, n: str) -> str:
        return "d" + n

    def join(self, left: str, right: str) -> str:
        """Juxtaposition: `2x`, `xy`, `x²cos(x³)`, `2x cos(x²)`, `W1 x`."""
        if not left:
            return right
        a, b = left[-1], right[0]
        if not _word(a) or not _word(b):
            return left + right
        if a.isdigit() and b.isdigit():
            return left + "·" + right
        if _number(left) and b.isalpha():
            return left + right
        if _single_symbol(_trailing_symbol(left)) and _single_symbol(right):
            return left + right
        return left + " " + right


def _word(c: str) -> bool:
    return (c.isalnum() or c == "_") and c not in "⁰¹²³⁴⁵⁶⁷⁸⁹⁻ᵀ"


def _number(s: str) -> bool:
    return s.replace("/", "").isdigit()


def _trailing_symbol(s: str) -> str:
    """The name at the end of a printed product: `6x²` → `x²`, `W1` → `W1`."""
    m = re.search(r"([A-Za-z_][A-Za-z_0-9]*|[0-9]+)([⁰¹²³⁴⁵⁶⁷⁸⁹⁻ᵀ]*)$", s)
    return m.group(0) if m else s


def _single_symbol(s: str) -> bool:
    """One letter (x, x², xᵀ) or the ones vector/identity (1, 1ᵀ, I): safe to juxtapose."""
    core = s.rstrip("⁰¹²³⁴⁵⁶⁷⁸⁹⁻ᵀ")
    return len(core) == 1 and (core.isalpha() or core == "1")


def _atomic_text(s: str) -> bool:
    return s.isalnum()


class LatexStyle(Style):
    minus = "-"
    times = " \\odot "
    divide = " \\oslash "
    dot = " \\cdot "
    T = "^\\top"
    inv = "^{-1}"
    inv_T = "^{-\\top}"
    sigmoid = "\\sigma"
    braced_exponent = True

    def power(self, base, k):
        if k.denominator == 1:
            return f"{base}^{{{k.numerator}}}"
        return f"{base}^{{{k.numerator}/{k.denominator}}}"

    def power_expr(self, base, exponent):
        return f"{base}^{{{exponent}}}"

    def sqrt(self, arg):
        return f"\\sqrt{{{arg}}}"

    def fraction(self, top, bottom, bottom_compound):
        return f"\\frac{{{top}}}{{{bottom}}}"

    def call(self, name, args):
        head = name if name.startswith("\\") else latex_operator(name)
        return f"{head}\\left({', '.join(args)}\\right)"

    def norm(self, arg):
        return f"\\left\\lVert {arg} \\right\\rVert"

    def form(self, p):
        return p.latex

    def paren(self, s):
        return f"\\left({s}\\right)"

    def compare(self, op):
        return {">=": "\\geq", ">": ">", "<=": "\\leq", "<": "<"}[op]

    def block(self, rows, column):
        body = " \\\\ ".join(" & ".join(r) for r in rows)
        return f"\\begin{{bmatrix}} {body} \\end{{bmatrix}}"

    def ones(self):
        return "\\mathbf{1}"

    def identity(self):
        return "I"

    def name(self, n):
        return latex_name(n)

    def differential(self, n):
        return "d" + self.name(n)

    def join(self, left, right):
        if not left:
            return right
        return left + " " + right
