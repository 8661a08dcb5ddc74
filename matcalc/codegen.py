"""Code generation: the source of a self-contained Python function computing an
expression's value and its derivative together, for NumPy, JAX or PyTorch.

    d = matcalc.derivative("x @ A @ x", "x")
    print(d.to_numpy())         # def f(x, A): ... return value, derivative
    d.to_source("torch", dtype="float32")

The generated module defines

- `f(<variables in declaration order>)` (the order the declarations, then the query, name
  them first; keyword-callable) returning `(value, derivative)`: the value shaped
  as NumPy gives it (scalar 0-d, vector (n,), matrix (m, n)) and the derivative shaped
  exactly as `Derivative.evaluate` returns it (output + wrt axes; wrt + output in the
  denominator layout; output + (k,) for a stacked list of k scalars). For a Hessian,
  `(f, ∂²f/∂x²)`, and a function `gradient(...)` as well.
- `check(*args, eps=1e-6)`: central finite differences of the value against the
  derivative `f` returns, the largest absolute difference (for a Hessian, also of f
  against the gradient).

Inside `f`, every value is 2-D as in `evaluate.py` (a vector is n×1, a row 1×n) except
scalars, which stay 0-d (or Python numbers for constants). The value and the derivative
are one DAG walked once: a node used more than once (hash-consing makes equal nodes one
object, so this is common-subexpression elimination), or whose inline text would be long,
gets one assignment; every other node is written inline into its single user. Derivatives
that are linear maps (matrix by matrix, vector by matrix, …) are built with `einsum` term
by term where a term is c · G ⊗ (A · dX · B) (G element-wise, dX possibly transposed), and
otherwise by applying the map to each basis direction in a loop — slower, never an error.

How each node is computed is chosen by a cost model (`render.array_plan`): matrix chains
split by flop count (at run time when the best order depends on the sizes), diag(v) and
outer products as broadcasting (NumPy: the module's `_outer`, a row at a time), sums in a
chain applied to a vector distributed, GᵀG and Gᵀdiag(d)G as symmetric products, scalars
on the smallest operand (at run time when that depends on the sizes), X⁻¹B as a solve, row
forms as the transpose of their column form (so the value and the derivative share them),
and stable forms (slogdet, logaddexp, shifted softmax/logsumexp) whatever the user wrote.

Expressions are written by `render.array_code`; `codegen_module` writes the module around
them (arguments and their shape checks, helpers, the finite-difference check) and
`codegen_linear` the derivatives that are linear maps; this module is their entry point
(the target, the dtype). Nothing here runs what it writes.
"""

from __future__ import annotations

from .codegen_module import Module, argument_order, finite_differences_lines
from .derived import DerivativeLike
from .errors import MatcalcError
from .records import replace
from .render.array_code import BACKENDS, Backend
from .render.array_targets import DTYPES

__all__ = ["TARGETS", "argument_order", "backend", "finite_differences_lines", "to_source"]

TARGETS = ("numpy", "jax", "torch")


def backend(target: str, dtype: str = "float64") -> Backend:
    """The target's Backend, computing in dtype ("float64" or "float32")."""
    if target not in TARGETS:
        raise MatcalcError(
            f"unknown code generation target {target!r}", expected=" or ".join(TARGETS)
        )
    if dtype not in DTYPES:
        raise MatcalcError(f"unknown dtype {dtype!r}", expected=" or ".join(DTYPES))
    return replace(BACKENDS[target], dtype=dtype)


def to_source(derivative: DerivativeLike, target: str = "numpy", dtype: str = "float64") -> str:
    """The source of a module defining f(...) -> (value, derivative) and check(...)."""
    return Module(derivative, backend(target, dtype)).source()
