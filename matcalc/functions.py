"""The builder's function table, derived from the primitive registry (`matcalc.primitives`):
every name callable in the language (aliases too) -> (arities, shape rule, builder)."""
from __future__ import annotations

from . import expr as E
from .primitives import Primitive
from .primitives.catalog import REGISTRY

__all__ = ["ELEMENTWISE", "FUNCTIONS", "VECTOR_ARGUMENT", "PRIMITIVES", "builder"]

ELEMENTWISE = "elementwise"
_VECTOR_SHAPES = ("reduce", "vector", "diag", "dot")


def builder(p: Primitive):
    """What a call of `p` builds from its arguments' expressions."""
    if p.build is not None:
        return p.build
    return lambda *args: E.Func(p.name, *args)


PRIMITIVES: dict[str, Primitive] = dict(REGISTRY.by_surface)
"""Every surface name -> its record."""
FUNCTIONS = {name: (p.arity, p.shape, builder(p)) for name, p in PRIMITIVES.items()}
"""name -> (the numbers of arguments it takes, its shape rule, its builder)."""
VECTOR_ARGUMENT = frozenset(n for n, p in PRIMITIVES.items() if p.shape in _VECTOR_SHAPES)
"""Names whose (undeclared) argument is inferred to be a vector."""
