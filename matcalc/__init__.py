"""matcalc: symbolic matrix calculus the way "The Matrix Calculus You Need For Deep
Learning" derives it by hand — Jacobians, gradients and Hessians in matrix notation, with
the derivation shown, cross-checked by SymPy, evaluable with NumPy."""
from __future__ import annotations

from typing import TYPE_CHECKING

from .api import Derivative, derivative, hessian
from .errors import MatcalcError

if TYPE_CHECKING:                                   # for annotations only
    from .verify_claims import VerifyReport


def verify(claim: str, shapes: dict | None = None, layout: str = "numerator") -> VerifyReport:
    """Decide whether a hand-derived claim such as `d/dz (x + z) = 1` is right; see
    `matcalc.verify_claims` for the claim syntax and the report."""
    from .verify_claims import verify as _verify
    return _verify(claim, shapes=shapes, layout=layout)


def load_ipython_extension(ipython: object) -> None:
    """`%load_ext matcalc`: the %matcalc line magic and %%matcalc cell magic."""
    from .jupyter import load_ipython_extension as load
    load(ipython)


__all__ = ["derivative", "hessian", "verify", "Derivative", "MatcalcError",
           "load_ipython_extension"]
__version__ = "0.2.0"                   # keep equal to pyproject.toml (tests/test_habits.py)
