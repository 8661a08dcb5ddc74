"""`Derivative.evaluate`: the derivative's array at given values, shaped output + wrt
(numerator, mixed) or wrt + output (denominator); a linear map (matrix by matrix, …) is
tabulated by applying it to each basis direction. NumPy is imported with this module, which
`api` imports only when a Derivative is first evaluated.
"""

from __future__ import annotations

import numpy as np

from . import expr as E
from .derived import DerivativeLike
from .errors import MatcalcError
from .evaluate import bind, dimension_sizes, evaluate, node_values, require_bytes, require_structure

__all__ = ["evaluate_derivative", "linear_map_tensor"]


def evaluate_derivative(d: DerivativeLike, values: dict) -> np.ndarray:
    """The derivative `d` at `values` (name -> float/array; dimension sizes follow from them)."""
    if not isinstance(values, dict):
        raise MatcalcError(
            f"evaluate needs a dict of values (name -> number or array), "
            f"not {type(values).__name__}"
        )
    used = {n: v for n, v in d.variables.items() if n in values or v in d.expression.free}
    arrays, dims = bind(used, values)
    require_structure(used, arrays)
    roots = [r for r in (d.expression, d.result, d.differential) if r is not None]
    dimension_sizes(roots + list(d.wrt), dims)
    out_np = d.expression.shape.numpy(dims)
    if len(d.wrt) > 1:  # the printed matrix itself: output × k, or transposed
        k = (len(d.wrt),)
        require_bytes(out_np + k)
        return np.asarray(evaluate(d.result, arrays, dims)).reshape(d.layout.axes(out_np, k))
    var = d.wrt[0]
    var_np = var.shape.numpy(dims)
    require_bytes(out_np + var_np)
    if d.result is not None:
        value = np.asarray(evaluate(d.result, arrays, dims))
        return value.reshape(d.layout.axes(out_np, var_np))
    arr = linear_map_tensor(d.differential, var, arrays, dims, out_np, var_np)
    if d.layout.variable_first:
        arr = np.moveaxis(
            arr, list(range(len(out_np))), list(range(len(var_np), len(var_np) + len(out_np)))
        )
    return arr


def linear_map_tensor(
    L: E.Expr, var: E.Var, arrays: dict, dims: dict, out_np: tuple, var_np: tuple
) -> np.ndarray:
    """The tensor of a linear map, column by column: L applied to each basis direction
    (of the unconstrained variable: a symmetric one's entries are independent here too)."""
    dvar = E.Differential(var)
    r, c = (int(d) if isinstance(d, int) else dims[d] for d in (var.shape.rows, var.shape.cols))
    out = np.empty((int(np.prod(out_np, dtype=np.int64)), r * c))
    basis = np.zeros((r, c))
    # what does not depend on d(var) (X⁻¹, …) is computed once, not once per direction
    fixed = {
        node: v
        for node, v in node_values(L, arrays, dims, {dvar: basis}).items()
        if not node.depends_on(dvar)
    }
    for k in range(r * c):
        basis.flat[k] = 1.0
        out[:, k] = np.asarray(evaluate(L, arrays, dims, {**fixed, dvar: basis})).reshape(-1)
        basis.flat[k] = 0.0
    return out.reshape(out_np + var_np)
