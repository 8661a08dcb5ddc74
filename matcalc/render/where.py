"""Printing with names: `Naming` maps the named nodes of a result to their names and prints
an expression with them (`(s − y)xᵀ`), their definitions (`where s = softmax(Wx)`, in text or
LaTeX, on one line or as `aligned` rows) and their identifiers for generated code (`σ` →
`sigma`). Which nodes get a name, and which name, is `render.names`'s choice.
"""

from __future__ import annotations

import unicodedata

from .. import expr as E
from ..records import Record
from .latex_names import fold_lines
from .styles import ATOM, LatexStyle, Style
from .text import Printer

__all__ = ["Naming", "latex_block"]

_DIGITS = str.maketrans("₀₁₂₃₄₅₆₇₈₉", "0123456789")


class Naming(Record):
    """Which nodes print as names: `names` maps a node to its name, in definition order
    (a definition uses only names before it). Empty (falsy) when nothing is named."""

    __slots__ = ("names",)

    def __init__(
        self,
        names: dict | None = None,
    ) -> None:
        _set = object.__setattr__  # (past the record's __setattr__)
        _set(self, "names", {} if names is None else names)

    def _key(self) -> tuple:
        return (self.names,)

    def __bool__(self) -> bool:
        return bool(self.names)

    @property
    def definitions(self) -> list[tuple[str, E.Expr]]:
        """[(name, node)], inner first."""
        return [(name, node) for node, name in self.names.items()]

    def symbols(self) -> dict:
        """node -> `Var(name, node.shape)`: for a caller that substitutes the names into
        expressions (steps, generated code) rather than printing through `Naming`."""
        return {node: E.Var(name, node.shape) for node, name in self.names.items()}

    def identifiers(self) -> dict:
        """node -> its name as an ASCII Python identifier (`σ` → `sigma`, `h₁` → `h1`),
        for generated code."""
        return {node: _identifier(name) for node, name in self.names.items()}

    def printer(self, style: Style, defining: E.Expr | None = None) -> Printer:
        """A printer that prints each named node (but `defining`, whose definition this is)
        as its name."""
        p = Printer(style)
        for node, name in self.names.items():
            if node is not defining:
                p.memo[node] = (style.name(name), ATOM)
                p.named.add(node)
        return p

    def text(self, e: E.Expr) -> str:
        return self.printer(Style())(e)

    def latex(self, e: E.Expr) -> str:
        return self.printer(LatexStyle())(e)

    def where_text(self) -> str:
        """`where s = softmax(Wx), h = tanh(W₁x)`, or "" when nothing is named."""
        return self._where(Style(), "where ", ", ")

    def where_latex(self) -> str:
        """`\\text{where } s = …,\\ h = …` on one line, or "" when nothing is named."""
        return self._where(LatexStyle(), "\\text{where } ", ",\\ ")

    def _where(self, s: Style, head: str, separator: str) -> str:
        if not self:
            return ""
        parts = [f"{s.name(n)} = {self.printer(s, node)(node)}" for n, node in self.definitions]
        return head + separator.join(parts)

    def latex_rows(self, at_equals: bool = True) -> list[str]:
        """One `aligned` row per definition: `\\text{where } s &= …`, then `h &= …`
        aligned at the equals signs; or (`at_equals=False`) `&\\text{where } s = …`,
        then `&\\hphantom{\\text{where }} h = …` aligned on the left."""
        s = LatexStyle()
        rows = []
        for i, (name, node) in enumerate(self.definitions):
            head = (
                "\\text{where } " if i == 0 else ("" if at_equals else "\\hphantom{\\text{where }}")
            )
            eq = "&=" if at_equals else "="
            row = f"{head}{s.name(name)} {eq} {fold_lines(self.printer(s, node)(node))}"
            rows.append(row if at_equals else "&" + row)
        return rows

    def show_text(self, e: E.Expr) -> str:
        """The body and its definitions on one line: `(s − y)xᵀ  where s = softmax(Wx)`."""
        body = self.text(e)
        return f"{body}  {self.where_text()}" if self else body

    def show_latex(self, e: E.Expr) -> str:
        """The body, then its definitions, as an `aligned` block (a bare formula when
        nothing is named)."""
        body = fold_lines(self.latex(e))
        if not self:
            return body
        return latex_block(["&" + body] + self.latex_rows(at_equals=False))


def _identifier(name: str) -> str:
    out = ""
    for ch in name.translate(_DIGITS):
        if ch.isascii():
            out += ch
        else:
            word = unicodedata.name(ch, "v").split(" LETTER ")[-1].split()[0].lower()
            out += word if word.isidentifier() else "v"
    return out


def latex_block(rows: list[str]) -> str:
    """`rows` as one `aligned` environment (amsmath; math mode)."""
    return "\\begin{aligned}\n" + " \\\\\n".join(rows) + "\n\\end{aligned}"
