"""The symbols the index engine prints with, in Unicode text or LaTeX: subscripts, δ, Σ,
numbers and the names of the functions (the primitive registry's `unicode` and `latex`).
"""

from __future__ import annotations

from fractions import Fraction

from .. import registry

__all__ = ["Style", "TEXT", "LATEX"]

_SUB = dict(
    zip(
        "aehijklmnoprstuvx0123456789-",
        "ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ₀₁₂₃₄₅₆₇₈₉₋",
    )
)
_SUP = dict(zip("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻"))


class Style:
    """Unicode text (latex=False) or LaTeX."""

    def __init__(self, latex: bool):
        self.latex = latex

    def sub(self, name: str, idx: tuple) -> str:
        """name with its indices (letters or constants) as a subscript."""
        if not idx:
            return name
        parts = [str(x) for x in idx]
        if self.latex:
            sep = "," if any(len(p) > 1 for p in parts) else ""
            return f"{name}_{{{sep.join(parts)}}}"
        joined = ("," if any(len(p) > 1 for p in parts) else "").join(parts)
        if all(c in _SUB for c in joined.replace(",", "")) and "," not in joined:
            return name + "".join(_SUB[c] for c in joined)
        return f"{name}[{','.join(parts)}]"

    def delta(self, a, b) -> str:
        return self.sub(r"\delta" if self.latex else "δ", (a, b))

    def sigma(self, letters: list) -> str:
        if self.latex:
            return rf"\sum_{{{''.join(letters)}}} "
        return self.sub("Σ", tuple(letters)) + " "

    def number(self, value: Fraction) -> str:
        if value.denominator == 1:
            return str(value.numerator)
        if self.latex:
            return rf"\frac{{{value.numerator}}}{{{value.denominator}}}"
        return f"({value.numerator}/{value.denominator})"

    def power(self, base: str, exponent: Fraction, atomic: bool = False) -> str:
        """base^exponent; `atomic`: the base needs no parentheses."""
        wrapped = base if atomic else f"({base})"
        if exponent == Fraction(1, 2):
            return rf"\sqrt{{{base}}}" if self.latex else f"√{wrapped}"
        if exponent == -1:
            return rf"\frac{{1}}{{{base}}}" if self.latex else f"1/{wrapped}"
        if self.latex:
            return f"{wrapped}^{{{exponent}}}"
        if exponent.denominator == 1:
            return wrapped + "".join(_SUP[c] for c in str(exponent.numerator))
        return f"{wrapped}^({exponent})"

    def function(self, name: str) -> str:
        p = registry.REGISTRY.records.get(name)
        if p is None:
            return name
        if self.latex:
            return p.latex if p.latex.startswith("\\") else rf"\operatorname{{{p.latex}}}"
        return p.unicode if "{0}" not in p.unicode else name

    def times(self) -> str:
        """The element-wise product of the current notation (⊙, or the tutorial's ⊗)."""
        from ..render.styles import current_notation

        n = current_notation()
        return f" {n.hadamard_latex} " if self.latex else f" {n.hadamard} "

    def minus(self) -> str:
        return " - " if self.latex else " − "

    def where(self) -> str:
        return r",\quad\text{where } " if self.latex else ", where "

    def partial(self, top: str, bottom: str) -> str:
        if self.latex:
            return rf"\frac{{\partial {top}}}{{\partial {bottom}}}"
        return f"∂{top}/∂{bottom}"

    def partial2(self, top: str, first: str, second: str) -> str:
        if self.latex:
            return rf"\frac{{\partial^2 {top}}}{{\partial {first}\,\partial {second}}}"
        return f"∂²{top}/∂{first}∂{second}"


TEXT = Style(False)
LATEX = Style(True)
