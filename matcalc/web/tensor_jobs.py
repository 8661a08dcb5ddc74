"""The web jobs' side of a query over order >= 3 values: which engine derives a query
(the matrix pipeline, the slice model of matcalc/tensor_api.py, or the any-order index
engine of matcalc/tindex), the names its body uses, and the parts of the derivative answer
read from a `TensorDerivative` or `IndexDerivative` itself (its declarations, inferred
shapes, shape, kind, LaTeX), never from building the query as matrices.
"""

from __future__ import annotations

from ..errors import MatcalcError, UnsupportedError
from ..syntax import Query
from ..tensor_api import is_tensor_query

__all__ = [
    "ENGINES",
    "engine_of",
    "is_array_result",
    "label_of",
    "no_verify",
    "ordered_table",
    "query_text",
]

#: "matrix": the 2-D pipeline; "tensor": a query that declares a tensor (api hands it to
#: tensor_api, which may hand it on to the index engine); "index": an einsum the matrix
#: builder refuses for its order-3 intermediate (api hands it to the index engine).
ENGINES = ("matrix", "tensor", "index")


def engine_of(text: str, shapes: dict) -> str:
    """ "tensor" when the query (or the table) declares a tensor, else "matrix" (the matrix
    builder's refusal of an einsum then says whether it is "index": einsum.needs_order_3)."""
    return "tensor" if is_tensor_query(text, shapes) else "matrix"


def query_text(parsed: Query, text: str, overridden: set, body_start: int) -> str:
    """The query text without the inline declarations of `overridden` names (the page's
    table gives them): the tensor path takes the query as text."""
    if not overridden:
        return text
    kept = []
    for decl in parsed.declarations:
        names = [n for n in decl.names if n not in overridden]
        if names:
            kept.append(f"{', '.join(names)}: {decl.spec}; ")
    return "".join(kept) + text[body_start:]


def ordered_table(d: object, order: list) -> tuple[dict, dict]:
    """(declarations, inferred) of a tensor result, from its own `declarations` and
    `inferred`, in the query's order (declared, then as the expression uses them)."""
    table = dict(d.declarations)
    names = [n for n in order if n in table] + [n for n in table if n not in order]
    return {n: table[n] for n in names}, {n: s for n, s in d.inferred.items() if n in table}


def is_array_result(d: object) -> bool:
    """Is `d` a derivative over tensors (slice model or index engine)?"""
    from ..tensor_result import TensorDerivative
    from ..tindex import IndexDerivative

    return isinstance(d, (TensorDerivative, IndexDerivative))


def label_of(d: object) -> str:
    """What a tensor result is, in words: "Hessian", "gradient" (of a scalar), "Jacobian"."""
    from ..tindex import IndexDerivative

    if d.hessian:
        return "Hessian"
    if isinstance(d, IndexDerivative):
        scalar = not d.out_idx
    else:  # the slice model: a scalar whole is a sum or mean of scalar slices
        scalar = d.plan.reduction is not None and d.part.expression.shape.is_scalar
    return "gradient" if scalar else "Jacobian"


def no_verify(err: MatcalcError) -> MatcalcError:
    """verify of a claim whose einsum has an order-3 intermediate: verify reads matrix
    claims; the derivative of such a query is the index engine's (the page's main answer).
    The same place as the builder's refusal."""
    return UnsupportedError(
        f"verify does not take this claim: {err.message}; the derivative of such a query is "
        "derived by the any-order index engine (ask for it, without a claim)",
        err.text,
        err.line,
        err.column,
        err.width,
        expected="a claim over scalars, vectors and matrices",
    )
