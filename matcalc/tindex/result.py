"""`IndexDerivative`: a derivative by the any-order index engine, with the public API of
`Derivative` (matcalc/result.py): `str`, `latex`, `steps`, `shape`, `evaluate`, `check`,
`to_numpy`, `to_source`. `evaluate` returns output axes then the variable's (as
jax.jacobian); a Hessian's are the variable's twice.
"""

from __future__ import annotations

import numpy as np

from ..errors import MatcalcError
from ..layout import Layout
from .contract import contract
from .numeric import Values

__all__ = ["IndexDerivative"]


def _indices_fit(root, sizes: dict) -> None:
    """Every constant index and slice end of the query inside its axis at these sizes."""
    from .numeric import _postorder

    def size(dim):
        return dim if isinstance(dim, int) else sizes.get(dim)

    for node in _postorder(root):
        needs = []
        if node.op == "view":
            for e, dim in zip(node.data, node.args[0].shape):
                if isinstance(e, int):
                    needs.append((e + 1 if e >= 0 else -e, dim, f"index {e}"))
                elif isinstance(node.shape[e[1]], int):
                    needs.append((node.shape[e[1]], dim, f"slice :{node.shape[e[1]]}"))
        if node.op == "einsum" and isinstance(node.data[2], tuple) and node.data[2][0] == "slice":
            _, position, start, stop = node.data[2]
            needs.append((stop, node.args[0].shape[position], f"slice {start}:{stop}"))
        for need, dim, what in needs:
            n = size(dim)
            if n is not None and n < need:
                raise MatcalcError(
                    f"the {what} needs an axis of at least {need} entries; {dim} is {n} here",
                    expected=f"values with {dim} ≥ {need}",
                )


class IndexDerivative:
    """∂F[I]/∂X[V] = Σ terms (matcalc/tindex/terms.py)."""

    def __init__(self, built, wrt, ix, out_idx, var_idx, terms, hessian=False):
        self.built, self.var, self.ix = built, wrt, ix
        self.out_idx, self.var_idx, self.terms = tuple(out_idx), tuple(var_idx), list(terms)
        self.hessian = hessian
        self.names = True
        self.layout = Layout.NUMERATOR
        self.notation: str | None = None  # "standard", "tutorial", None: the current one

    # ---------------------------------------------------------------- shape
    @property
    def expression(self):
        """The function's root node (index engine)."""
        return self.built.root

    @property
    def function(self) -> None:
        """None: `expression` is the function itself (a Hessian's too: its terms are read
        off the function directly)."""
        return None

    @property
    def variables(self) -> dict:
        """{name: variable node} of the query."""
        return dict(self.built.variables)

    @property
    def declarations(self) -> dict:
        """{name: its declaration} of every variable (all are declared in such a query)."""
        words = {0: "scalar", 1: "vector", 2: "matrix"}
        out = {}
        for name, var in self.built.variables.items():
            word = words.get(var.ndim, "tensor")
            dims = f"({', '.join(map(str, var.shape))})" if var.shape else ""
            out[name] = word + dims
        return out

    @property
    def inferred(self) -> dict:
        """{}: a query over order-3 values declares every name."""
        return {}

    @property
    def wrt(self) -> tuple:
        return (self.var,)

    @property
    def kind(self) -> str:
        if self.hessian:
            return "hessian"
        return "gradient" if not self.built.root.shape else "jacobian"

    @property
    def shape(self) -> tuple:
        """Symbolic NumPy shape of `evaluate`'s array: output + variable (numerator)."""
        return tuple(self.ix.dims[s] for s in self.out_idx + self.var_idx)

    # ---------------------------------------------------------------- printing
    def text(self, names: bool | None = None) -> str:
        from ..render.styles import using_notation
        from .show import derivative_text

        with using_notation(self.notation):
            return derivative_text(self, latex=False)

    def latex(self, names: bool | None = None) -> str:
        from ..render.styles import using_notation
        from .show import derivative_text

        with using_notation(self.notation):
            return derivative_text(self, latex=True)

    def __str__(self) -> str:
        return self.text()

    def __repr__(self) -> str:
        return f"<IndexDerivative {self}>"

    def _repr_markdown_(self) -> str:
        return f"`{self.text()}`"

    @property
    def steps(self):
        from .steps import IndexSteps

        return IndexSteps(self)

    # ---------------------------------------------------------------- numbers
    def bind(self, values: object) -> tuple[dict, dict]:
        """({name: float array}, {dimension: size}) from `values`, every shape checked."""
        if not isinstance(values, dict):
            raise MatcalcError("values must be a dict of name -> array")
        env, sizes = {}, {}
        for name, var in self.built.variables.items():
            if name not in values:
                raise MatcalcError(f"no value for {name}", expected=", ".join(self.built.variables))
            try:
                a = np.asarray(values[name], dtype=float)
            except (TypeError, ValueError):
                raise MatcalcError(f"the value of {name} is not an array of numbers") from None
            if a.ndim != var.ndim:
                raise MatcalcError(
                    f"{name} must be an array of order {var.ndim} (shape "
                    f"({', '.join(str(d) for d in var.shape)})), not of shape {a.shape}"
                )
            for dim, n in zip(var.shape, a.shape):
                want = dim if isinstance(dim, int) else sizes.setdefault(dim, n)
                if want != n:
                    raise MatcalcError(f"{name} has {n} where {dim} is {want}")
            env[name] = a
        _indices_fit(self.built.root, sizes)
        return env, sizes

    def evaluate(self, values: dict):
        """The derivative at `values`: a numpy.ndarray of shape `self.shape`."""
        env, sizes = self.bind(values)
        return contract(self.terms, self.out_idx + self.var_idx, self.ix.dims, Values(env, sizes))

    def value(self, values: dict):
        """The function's own value at `values` (NumPy)."""
        env, sizes = self.bind(values)
        return Values(env, sizes)(self.built.root)

    def check(self, n: int = 3, seed: int = 0):
        """SymPy's component-wise derivative at small distinct sizes, against this one."""
        from .check import check

        return check(self, n, seed)

    def to_numpy(self) -> str:
        return self.to_source("numpy")

    def to_source(self, target: str = "numpy", dtype: str = "float64") -> str:
        """Source of f(...) -> (value, derivative), the derivative as np.einsum terms."""
        from .source import source

        return source(self, target, dtype)
