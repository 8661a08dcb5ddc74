"""`derivative` and `hessian` of a query over order >= 3 values (`T: tensor(h, n, d)`):
the query is read slice by slice (tensor_query.plan), one slice is derived by the 2-D
pipeline (api), and the result (tensor_result.TensorDerivative) puts the slices together.
A query the slice model refuses (an UnsupportedError of plan: it mixes the slices) goes to
the any-order index engine (matcalc/tindex), which returns an `IndexDerivative`.
api calls this module when a query declares a tensor; every other query never reaches it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import expr as E
from . import pipeline
from .errors import MatcalcError, UnsupportedError
from .layout import Layout
from .parse import parse_query
from .readoff import NotFactorable
from .tensor_query import has_tensors, plan
from .tensor_result import TensorDerivative
from .typed import build_typed

if TYPE_CHECKING:
    from .tindex import IndexDerivative

__all__ = ["is_tensor_query", "slice_plan", "tensor_derivative", "tensor_hessian"]


def is_tensor_query(expression: object, shapes: object) -> bool:
    """Does this query text (or `shapes=`) declare a tensor? Cheap for every other query."""
    if not isinstance(expression, str):
        return False
    given = isinstance(shapes, dict) and any("tensor" in str(s) for s in shapes.values())
    if "tensor" not in expression and not given:
        return False
    return has_tensors(parse_query(expression), shapes)


class _Refused(Exception):
    """The slice model refuses the query: the index engine (matcalc/tindex) derives it."""


def slice_plan(expression: str, shapes: dict | None) -> tuple | None:
    """(the tensor plan, the typed slice query) of a tensor query, or None where the slice
    model refuses it (it mixes the slices): the index engine derives that one."""
    try:
        tensor_plan = plan(parse_query(expression), shapes)
        return tensor_plan, build_typed(tensor_plan.query, tensor_plan.shapes)
    except UnsupportedError:
        return None


def _sliced(expression: str, wrt, shapes):
    planned = slice_plan(expression, shapes)
    if planned is None:
        raise _Refused
    tensor_plan, typed = planned
    if not isinstance(wrt, str):
        raise UnsupportedError(
            "a list of variables with tensors is not supported yet",
            expected="one variable name",
        )
    (var,) = pipeline.resolve(wrt, typed.variables, expression, typed.dimensions)
    used = {n for n in tensor_plan.tensors if n in typed.variables}
    if not used:
        raise UnsupportedError(
            "the query declares a tensor but does not use it", expected="a query over it"
        )
    return tensor_plan, typed, var


def _finish(part, tensor_plan, typed, var, notation, hessian=False) -> TensorDerivative:
    part = pipeline.declare(pipeline.notated(part, notation), typed)
    out = TensorDerivative(part, tensor_plan, (var,), var.name in tensor_plan.tensors, hessian)
    out.declarations = dict(part.declarations)
    for name, dims in tensor_plan.tensors.items():
        if name in out.declarations:
            out.declarations[name] = f"tensor({', '.join(str(d) for d in dims)})"
    out.inferred = dict(part.inferred)
    return out


def tensor_derivative(
    expression: str,
    wrt: str | list,
    shapes: dict | None = None,
    layout: str = "numerator",
    notation: str | None = None,
    names: bool = True,
) -> TensorDerivative | IndexDerivative:
    """∂ expression / ∂ wrt of a tensor query, numerator layout (as jax.jacobian)."""
    if Layout.of(layout) != Layout.NUMERATOR:
        raise UnsupportedError(
            "a query over tensors is derived in numerator layout only (as jax.jacobian)",
            expected='layout="numerator"',
        )
    try:
        tensor_plan, typed, var = _sliced(expression, wrt, shapes)
    except _Refused:
        from .tindex import index_derivative

        return index_derivative(expression, wrt, shapes, layout, notation)
    part = pipeline.derive(typed.expression, var, typed.variables, Layout.NUMERATOR)
    part.names = bool(names)
    return _finish(part, tensor_plan, typed, var, notation)


def tensor_hessian(
    expression: str, wrt: str | list, shapes: dict | None = None, notation: str | None = None
) -> TensorDerivative | IndexDerivative:
    """The Hessian of a scalar tensor query (a sum or mean of the slices at the top)."""
    try:
        tensor_plan, typed, var = _sliced(expression, wrt, shapes)
    except _Refused:
        from .tindex import index_hessian

        return index_hessian(expression, wrt, shapes, notation)
    expr = typed.expression
    if tensor_plan.reduction is None or not expr.shape.is_scalar:
        raise MatcalcError(
            "the Hessian needs a scalar function; over tensors, a sum or mean of every "
            "slice at the top of the query",
            expected="sum(…) or mean(…) of the whole value",
        )
    grad = pipeline.closed_gradient(expr, var, typed.variables)
    grad = E.Transpose(grad) if var.shape.is_column else grad
    try:
        second = pipeline.derive(grad, var, typed.variables, Layout.NUMERATOR)
    except NotFactorable:
        second = pipeline.as_linear_map(grad, var, typed.variables)
    second.function = expr
    return _finish(second, tensor_plan, typed, var, notation, hessian=True)
