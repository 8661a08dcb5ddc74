"""The builder's function table, derived from the primitive registry (`matcalc.primitives`):
every name callable in the language (aliases too) -> (arities, shape rule, builder)."""

from __future__ import annotations

from collections.abc import Callable

from . import expr as E
from .primitives import Primitive
from .primitives.catalog import REGISTRY
from .syntax import Syntax

__all__ = [
    "ELEMENTWISE",
    "FUNCTIONS",
    "ONE_D_RULES",
    "PRIMITIVES",
    "VECTOR_ARGUMENT",
    "builder",
    "literal",
    "parameters",
]

ELEMENTWISE = "elementwise"
_VECTOR_SHAPES = ("reduce", "vector", "diag", "dot", "outer")
# shape rules whose arguments are vectors: a NumPy 1-D value that matcalc holds as a row
# (v @ A, v.T) is passed as its column (build_shapes, construct)
ONE_D_RULES = ("vector", "diag", "dot")


def builder(p: Primitive) -> Callable[..., E.Expr]:
    """What a call of `p` builds from its arguments' expressions."""
    if p.build is not None:
        return p.build
    return lambda *args: E.Func(p.name, *args)


PRIMITIVES: dict[str, Primitive] = dict(REGISTRY.by_surface)
"""Every surface name -> its record."""
FUNCTIONS = {name: (p.arity, p.shape, builder(p), p.parameters) for name, p in PRIMITIVES.items()}
"""name -> (the numbers of arguments it takes, its shape rule, its builder, its literal
arguments: position -> the literals allowed, e.g. norm(u, p) with p one of 1, 2, inf)."""


def literal(node: Syntax) -> str | None:
    """The text of a literal argument (a number or a name), else None."""
    if node.kind == "number":
        return str(node.value)
    return node.value if node.kind == "name" else None


def parameters(node: Syntax) -> dict:
    """The literal arguments a call takes: position -> allowed texts ({} if none)."""
    entry = FUNCTIONS.get(node.value) if node.kind == "call" else None
    return entry[3] if entry else {}


VECTOR_ARGUMENT = frozenset(n for n, p in PRIMITIVES.items() if p.shape in _VECTOR_SHAPES)
"""Names whose (undeclared) argument is inferred to be a vector."""
