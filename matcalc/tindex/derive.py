"""The entry points of the index engine: `index_derivative` and `index_hessian` of a query
(its text and shapes=) by one variable, as an `IndexDerivative` (matcalc/tindex/result.py).
"""

from __future__ import annotations

from ..errors import MatcalcError, NameError_, UnsupportedError
from ..layout import Layout
from ..parse import parse_query
from ..render.styles import notation_of
from .build import build
from .diff import Deriver
from .nodes import make
from .result import IndexDerivative
from .stacked import StackedIndexDerivative, stacked_derivative
from .terms import Indices, merge

__all__ = ["index_derivative", "index_hessian"]


def _setup(expression: object, wrt: object, shapes: object):
    if not isinstance(expression, str):
        raise MatcalcError("a query over order-3 values is given as text")
    if not isinstance(wrt, str):
        raise UnsupportedError(
            "a Hessian by a list of variables in a query over order-3 values is not "
            "supported yet (a derivative by a list of scalars is: ∇f(a, b))",
            expected="one variable name",
        )
    built = build(parse_query(expression), shapes)
    name = wrt.strip()
    if name in built.declared and name not in built.variables:  # declared, unused: ∂ = 0
        built.variables[name] = make("var", name, (), built.declared[name])
    if name not in built.variables:
        raise NameError_(
            f"{name} is not a variable of the query",
            expected=", ".join(sorted(built.variables)) or "a variable",
        )
    return built, built.variables[name]


def index_derivative(
    expression: str,
    wrt: str,
    shapes: object = None,
    layout: str = "numerator",
    notation: str | None = None,
) -> IndexDerivative | StackedIndexDerivative:
    """∂ expression / ∂ wrt by the any-order index engine (numerator layout: output axes,
    then the variable's, as jax.jacobian); by a list of scalars of a scalar query, the
    derivatives stacked (∇f(a, b), matcalc/tindex/stacked.py)."""
    if Layout.of(layout) != Layout.NUMERATOR:
        raise UnsupportedError(
            "a query over order-3 values is derived in numerator layout only (as jax.jacobian)",
            expected='layout="numerator"',
        )
    if isinstance(expression, str) and isinstance(wrt, (list, tuple)):
        d = stacked_derivative(build(parse_query(expression), shapes), list(wrt))
        d.notation = None if notation is None else notation_of(notation).name
        return d
    built, var = _setup(expression, wrt, shapes)
    ix = Indices()
    out_idx = tuple(ix.fresh(d) for d in built.root.shape)
    var_idx = tuple(ix.fresh(d) for d in var.shape)
    terms = merge(Deriver(ix, var, var_idx).d(built.root, out_idx))
    d = IndexDerivative(built, var, ix, out_idx, var_idx, terms, hessian=False)
    d.notation = None if notation is None else notation_of(notation).name
    return d


def index_hessian(
    expression: str, wrt: str, shapes: object = None, notation: str | None = None
) -> IndexDerivative:
    """∂²f/∂X∂X of a scalar query: the gradient's terms differentiated again."""
    built, var = _setup(expression, wrt, shapes)
    if built.root.shape:
        raise MatcalcError(
            "the Hessian needs a scalar function; this one has shape "
            f"({', '.join(str(d) for d in built.root.shape)})",
            expected="sum(…), mean(…) or another scalar",
        )
    ix = Indices()
    first = tuple(ix.fresh(d) for d in var.shape)
    second = tuple(ix.fresh(d) for d in var.shape)
    gradient = merge(Deriver(ix, var, first).d(built.root, ()))
    again = Deriver(ix, var, second)
    terms = merge([s for t in gradient for s in again.term(t)])
    d = IndexDerivative(built, var, ix, first, second, terms, hessian=True)
    d.notation = None if notation is None else notation_of(notation).name
    return d
