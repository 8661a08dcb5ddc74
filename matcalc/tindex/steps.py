"""The steps of an `IndexDerivative`: the intermediates of the function with their shapes
(each as the query writes it), the variable's indices, and the result in index form."""

from __future__ import annotations

from .notation import LATEX, TEXT
from .numeric import _postorder
from .ops import shape_text
from .printing import Namer
from .show import derivative_text

__all__ = ["IndexSteps"]

_LEAVES = ("var", "const", "dim", "ones", "eye")


class IndexSteps:
    """Steps of a derivative by the index engine: `text()`, `latex()`, `str()`."""

    def __init__(self, d):
        self.d = d

    def lines(self, latex: bool = False) -> list:
        d = self.d
        style = LATEX if latex else TEXT
        taken = set(d.built.variables) | set(d.built.dimensions)
        namer = Namer(style, taken)
        inner = [n for n in _postorder(d.built.root) if n.op not in _LEAVES]
        out = []
        for name, var in d.built.variables.items():
            out.append(f"{name}: {shape_text(var.shape)}")
        for k, node in enumerate(inner, 1):
            text = namer.expr(node, top=True)
            label = f"u{k}"
            namer.taken.add(label)
            namer.names[node.uid] = (label, node)
            out.append(f"{label} = {text}  : {shape_text(node.shape)}")
        what = "second derivative" if d.hessian else "derivative"
        out.append(
            f"the {what} by {d.var.data} {shape_text(d.var.shape)}: a sum of index terms "
            f"(δs, indexed factors, sums over bound indices), shape {shape_text(d.shape)}"
        )
        out.append(derivative_text(d, latex))
        return out

    def text(self) -> str:
        return "\n".join(self.lines())

    def latex(self) -> str:
        return "\n".join(self.lines(latex=True))

    def __str__(self) -> str:
        return self.text()
