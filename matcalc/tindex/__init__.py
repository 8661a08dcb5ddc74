"""The any-order index engine: queries over tensors that the slice model
(matcalc/tensor_query.py) refuses — or whose einsum needs an order-3 intermediate — are
derived here into index terms (δs, indexed factors, explicit sums), printed in index
notation, evaluated with np.einsum and checked component by component with SymPy."""

from __future__ import annotations

from .derive import index_derivative, index_hessian
from .result import IndexDerivative

__all__ = ["IndexDerivative", "index_derivative", "index_hessian"]
