"""The primitive registry: one record per function of the language. The record type, the
registry and its look-ups are in `matcalc/primitive_table.py`, the helpers that register
records (`elementwise`, `reduction`, `structural`, `composite`, `constant`) in
`matcalc/registry.py` (both below `expr`, which looks names up there), re-exported here; the records are in `scalar.py` (element-wise) and
`arrays.py` (the rest), loaded by `catalog.py`; `lowering.py` is the array-API vocabulary
of every backend and `sampling.py` the domains every sampler reads."""

from __future__ import annotations

from ..registry import (
    BETWEEN_ARGUMENTS,
    INVERTIBLE,
    KINK_AT_ZERO,
    POSITIVE,
    REAL,
    REGISTRY,
    Domain,
    Primitive,
    Registry,
    composite,
    constant,
    domain_of,
    elementwise,
    func,
    get,
    is_elementwise,
    reduction,
    rowwise,
    structural,
    surface,
)

__all__ = [
    "BETWEEN_ARGUMENTS",
    "INVERTIBLE",
    "KINK_AT_ZERO",
    "POSITIVE",
    "REAL",
    "REGISTRY",
    "Domain",
    "Primitive",
    "Registry",
    "constant",
    "composite",
    "domain_of",
    "elementwise",
    "func",
    "get",
    "is_elementwise",
    "reduction",
    "rowwise",
    "structural",
    "surface",
]
