"""∇f(a, b, …) of a scalar query the index engine derives, by a list of scalar variables:
the derivatives side by side, as the 2-D API stacks them (api._stacked): `evaluate` is the
vector [∂f/∂a, ∂f/∂b, …] (shape (k,)), the printed form each derivative in index notation
in turn. A list with a variable that is not a scalar, or a function that is not a scalar,
is a located error saying so (the index engine takes such variables one at a time).
"""

from __future__ import annotations

import numpy as np

from ..check import Report
from ..errors import MatcalcError, UnsupportedError
from ..layout import Layout
from .build import Built
from .grads import module_source, parts_of

__all__ = ["StackedIndexDerivative", "stacked_derivative"]


def stacked_derivative(built: Built, wrt: list) -> StackedIndexDerivative:
    """The stacked derivative of `built` (a scalar query) by the scalars named in `wrt`."""
    names = [w.strip() if isinstance(w, str) else w for w in wrt]
    if not names:
        raise MatcalcError("no variable to differentiate by (wrt is empty)")
    dims = {**built.declared, **{n: v.shape for n, v in built.variables.items()}}
    wide = [n for n in names if dims.get(n)]
    if wide:
        raise MatcalcError(
            "a list of variables must be scalars (stacked into ∇f(x, y)); "
            f"{', '.join(wide)} {'is not' if len(wide) == 1 else 'are not'}: "
            "differentiate by it alone instead",
            expected="one variable name, or a list of scalar names",
        )
    if built.root.shape:
        raise UnsupportedError(
            "a list of scalars stacks the derivatives of a scalar function (its gradient) "
            "in a query over order-3 values; this one has shape "
            f"({', '.join(str(d) for d in built.root.shape)})",
            expected="one scalar at a time (each gives ∂F/∂x, shaped like F)",
        )
    return StackedIndexDerivative(built, parts_of(built, names))


class StackedIndexDerivative:
    """∇f(a, b, …) = [∂f/∂a, ∂f/∂b, …] of a scalar f by scalars, by the index engine."""

    def __init__(self, built, parts: list):
        self.built, self.parts = built, list(parts)
        self.names = True
        self.layout = Layout.NUMERATOR
        self.notation: str | None = None
        self.hessian = False

    @property
    def expression(self):
        """The function's root node (index engine)."""
        return self.built.root

    @property
    def function(self) -> None:
        return None

    @property
    def variables(self) -> dict:
        return dict(self.built.variables)

    @property
    def declarations(self) -> dict:
        return self.parts[0].declarations

    @property
    def inferred(self) -> dict:
        return {}

    @property
    def wrt(self) -> tuple:
        return tuple(p.var for p in self.parts)

    @property
    def kind(self) -> str:
        return "stacked"

    @property
    def shape(self) -> tuple:
        """(k,): one entry per variable, as the 2-D API's ∇f(x, y)."""
        return (len(self.parts),)

    def _each(self, method: str) -> list:
        out = []
        for p in self.parts:
            p.notation = self.notation
            out.append(getattr(p, method)())
        return out

    def text(self, names: bool | None = None) -> str:
        wrt = ", ".join(p.var.data for p in self.parts)
        return f"∇f({wrt}) = [" + "; ".join(self._each("text")) + "]"

    def latex(self, names: bool | None = None) -> str:
        wrt = ", ".join(p.var.data for p in self.parts)
        return rf"\nabla f({wrt}) = \left[" + r";\ ".join(self._each("latex")) + r"\right]"

    def __str__(self) -> str:
        return self.text()

    def __repr__(self) -> str:
        return f"<StackedIndexDerivative {self}>"

    def _repr_markdown_(self) -> str:
        return f"`{self.text()}`"

    @property
    def steps(self):
        """The steps of each derivative in turn."""
        return _Steps([p.steps for p in self.parts])

    def evaluate(self, values: dict):
        """[∂f/∂a, ∂f/∂b, …] at `values`: a numpy.ndarray of shape (k,)."""
        return np.array([float(p.evaluate(values)) for p in self.parts])

    def value(self, values: dict):
        return self.parts[0].value(values)

    def check(self, n: int = 3, seed: int = 0) -> Report:
        """SymPy's check of each derivative (raises CheckFailed on the first that fails)."""
        reports = [p.check(n, seed) for p in self.parts]
        sizes: dict = {}
        for r in reports:
            sizes.update(r.sizes)
        return Report(
            sizes,
            sum(r.entries for r in reports),
            sum(r.proved for r in reports),
            sum(r.numeric for r in reports),
        )

    def to_numpy(self) -> str:
        return self.to_source("numpy")

    def to_source(self, target: str = "numpy", dtype: str = "float64") -> str:
        """Source of f(...) -> (value, ∇f) and check(...), the forward pass shared."""
        if dtype not in ("float64", "float32"):
            raise MatcalcError(f"dtype {dtype!r}", expected='"float64" or "float32"')
        return module_source(self.built, self.parts, target, dtype, stacked=True)


class _Steps:
    def __init__(self, each: list):
        self.each = each

    def text(self) -> str:
        return "\n\n".join(s.text() for s in self.each)

    def latex(self) -> str:
        return "\n\n".join(s.latex() for s in self.each)

    def __str__(self) -> str:
        return self.text()
