"""Section "The chain rules": which of the tutorial's chain rules a derivation used.

The engine applies the chain rule by composing the local linear maps; this module names
the case for the steps: the single-variable chain rule (one path, scalars), the
single-variable total-derivative chain rule (a node reached by several paths), and the
vector chain rule (vectors: the Jacobians multiply).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # for annotations only
    from .. import expr as E

__all__ = ["SINGLE_VARIABLE", "TOTAL_DERIVATIVE", "VECTOR", "kind"]

SINGLE_VARIABLE = "single-variable chain rule"
TOTAL_DERIVATIVE = "single-variable total-derivative chain rule"
VECTOR = "vector chain rule"


def kind(nodes: list[E.Expr], var: E.Expr, dependent_children: Callable[[E.Expr], list]) -> str:
    """nodes: the intermediate nodes; dependent_children(node) -> children that depend on var."""
    scalar = var.shape.is_scalar and all(n.shape.is_scalar for n in nodes)
    several_paths = any(len(dependent_children(n)) > 1 for n in nodes)
    if not scalar:
        return VECTOR
    return TOTAL_DERIVATIVE if several_paths else SINGLE_VARIABLE
