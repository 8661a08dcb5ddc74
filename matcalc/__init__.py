"""matcalc: symbolic matrix calculus the way "The Matrix Calculus You Need For Deep
Learning" derives it by hand — Jacobians, gradients and Hessians in matrix notation, with
the derivation shown, cross-checked by SymPy, evaluable with NumPy."""
from .api import Derivative, derivative, hessian
from .errors import MatcalcError

__all__ = ["derivative", "hessian", "Derivative", "MatcalcError"]
__version__ = "0.1.0"
