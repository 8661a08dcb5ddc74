"""matcalc: symbolic matrix calculus the way "The Matrix Calculus You Need For Deep
Learning" derives it by hand — Jacobians, gradients and Hessians in matrix notation, with
the derivation shown, cross-checked by SymPy, evaluable with NumPy."""

from __future__ import annotations

from .api import Derivative, derivative, hessian, value_and_grad_source
from .errors import MatcalcError
from .render import text as _text  # noqa: F401  (registers how expressions print)

# `matcalc.verify` is the function that decides a hand-derived claim such as
# `d/dz (x + z) = 1` (the package of that name holds its parts and documents the claim
# syntax): imported here, eagerly, so that the name stays bound to the function.
from .verify import verify


def load_ipython_extension(ipython: object) -> None:
    """`%load_ext matcalc`: the %matcalc line magic and %%matcalc cell magic."""
    from .jupyter import load_ipython_extension as load

    load(ipython)


__all__ = [
    "derivative",
    "hessian",
    "value_and_grad_source",
    "verify",
    "Derivative",
    "MatcalcError",
    "load_ipython_extension",
]
__version__ = "0.2.0"  # keep equal to pyproject.toml (tests/test_habits.py)
