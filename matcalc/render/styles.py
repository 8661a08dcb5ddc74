"""The tokens of printed forms: a `Style` (Unicode) and a `LatexStyle` say how each operator,
power, transpose and name is written, and the precedences say what needs parentheses.
`text.Printer` walks the expression and asks its style for the tokens.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from fractions import Fraction

from ..errors import MatcalcError
from ..records import Record
from .latex_names import latex_name, latex_operator

__all__ = [
    "ATOM",
    "ELEMENTWISE",
    "NOTATIONS",
    "POWER",
    "PRODUCT",
    "SUM",
    "SUPERSCRIPT",
    "UNARY",
    "LatexStyle",
    "Notation",
    "Style",
    "current_notation",
    "notation_of",
    "using_notation",
]


# ---------------------------------------------------------------- notations
class Notation(Record):
    """The glyphs of the two products, which must never share one. `kron` and `kron_latex`
    are templates of the Kronecker product A ⊗ B ({0}, {1} the printed factors); `ascii`
    spells this notation's glyphs where a terminal cannot print them."""

    __slots__ = (
        "name",
        "hadamard",
        "hadamard_latex",
        "kron",
        "kron_latex",
        "ascii",
    )

    def __init__(
        self,
        name: str,
        hadamard: str,
        hadamard_latex: str,
        kron: str,
        kron_latex: str,
        ascii: dict | None = None,
    ) -> None:
        _set = object.__setattr__  # (past the record's __setattr__)
        _set(self, "name", name)
        _set(self, "hadamard", hadamard)
        _set(self, "hadamard_latex", hadamard_latex)
        _set(self, "kron", kron)
        _set(self, "kron_latex", kron_latex)
        _set(self, "ascii", {} if ascii is None else ascii)

    def _key(self) -> tuple:
        return (
            self.name,
            self.hadamard,
            self.hadamard_latex,
            self.kron,
            self.kron_latex,
            self.ascii,
        )


NOTATIONS = {
    # Goodfellow, the Matrix Cookbook, matrixcalculus.org: ⊙ element-wise, ⊗ Kronecker
    "standard": Notation(
        "standard", "⊙", "\\odot", "{0} ⊗ {1}", "{0} \\otimes {1}", {"⊙": "*", "⊗": "kron"}
    ),
    # the tutorial writes ⊗ for the element-wise product; the Kronecker product, which it
    # never uses, is then spelled out so that ⊗ keeps one meaning
    "tutorial": Notation(
        "tutorial",
        "⊗",
        "\\otimes",
        "kron({0}, {1})",
        "\\operatorname{{kron}}\\left({0}, {1}\\right)",
        {"⊗": "*"},
    ),
}

_CURRENT: ContextVar[Notation] = ContextVar("matcalc_notation", default=NOTATIONS["standard"])


def notation_of(name: str | Notation | None) -> Notation:
    """The notation called `name` ("standard" or "tutorial"; None: the current one)."""
    if isinstance(name, Notation):
        return name
    if name is None:
        return current_notation()
    if not isinstance(name, str) or name not in NOTATIONS:
        raise MatcalcError(
            f"unknown notation {name!r}", expected=" or ".join(repr(n) for n in NOTATIONS)
        )
    return NOTATIONS[name]


def current_notation() -> Notation:
    """The notation printing uses now (`using_notation` sets it; default "standard")."""
    return _CURRENT.get()


@contextmanager
def using_notation(name: str | Notation | None) -> Iterator[Notation]:
    """Print in notation `name` inside the `with` block (text, LaTeX, steps, linear maps);
    None keeps the current one."""
    token = _CURRENT.set(notation_of(name))
    try:
        yield _CURRENT.get()
    finally:
        _CURRENT.reset(token)


SUPERSCRIPT = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")
SUBSCRIPT = str.maketrans("0123456789-", "₀₁₂₃₄₅₆₇₈₉₋")
# precedence: what a child must reach to go without parentheses
SUM, ELEMENTWISE, PRODUCT, UNARY, POWER, ATOM = 1, 1.5, 2, 3, 4, 5


class Style:
    minus = "−"
    divide = " ⊘ "
    dot = "·"
    T = "ᵀ"
    inv = "⁻¹"
    inv_T = "⁻ᵀ"
    sigmoid = "σ"
    braced_exponent = False

    @property
    def times(self) -> str:
        """The element-wise (Hadamard) product, spaced: ` ⊙ ` (` ⊗ ` in the tutorial's)."""
        return f" {current_notation().hadamard} "

    def kron(self, left: str, right: str) -> str:
        """The Kronecker product of two printed factors: `A ⊗ B` (`kron(A, B)`)."""
        return current_notation().kron.format(left, right)

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

    def unit(self, index: str, single: bool) -> str:
        """Indexing's constants: the unit vector e₂ (NumPy's index 2), or I[:, 1:3]."""
        return "e" + index.translate(SUBSCRIPT) if single else f"I[:, {index}]"

    def element(self, base: str, indices: list[str]) -> str:
        """An entry picked by unit vectors (eₖᵀx, eᵢᵀX eⱼ), as NumPy indexes it: x[0], X[1, -1]."""
        return f"{base}[{', '.join(indices)}]"

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
    divide = " \\oslash "
    dot = " \\cdot "
    T = "^\\top"
    inv = "^{-1}"
    inv_T = "^{-\\top}"
    sigmoid = "\\sigma"
    braced_exponent = True

    @property
    def times(self) -> str:
        return f" {current_notation().hadamard_latex} "

    def kron(self, left: str, right: str) -> str:
        return current_notation().kron_latex.format(left, right)

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

    def unit(self, index, single):
        return f"e_{{{index}}}" if single else f"I_{{:,\\,{index}}}"

    def element(self, base, indices):
        # a subscripted name (W_{1}) is braced before its index: {W_{1}}_{0}
        base = f"{{{base}}}" if "_" in base or "^" in base else base
        return f"{base}_{{{','.join(indices)}}}"

    def name(self, n):
        return latex_name(n)

    def differential(self, n):
        return "d" + self.name(n)

    def join(self, left, right):
        if not left:
            return right
        return left + " " + right
