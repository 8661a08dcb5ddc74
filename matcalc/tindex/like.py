"""What the printing, the check, the code generator and the steps read of a derivative by
the index engine (matcalc/tindex/result.py's `IndexDerivative` is one): its query as nodes,
the variable, the index symbols and the terms. A protocol, so that they need not import
the result class that imports them."""

from __future__ import annotations

from typing import Protocol

__all__ = ["IndexDerivativeLike"]


class IndexDerivativeLike(Protocol):
    built: object  # build.Built: the root node, the variables, the dimensions
    var: object  # the variable's node
    ix: object  # terms.Indices: every index symbol's dimension
    out_idx: tuple  # the output's index symbols
    var_idx: tuple  # the variable's (the second copy for a Hessian)
    terms: list  # terms.Term
    hessian: bool

    @property
    def shape(self) -> tuple: ...
