"""The helpers that register primitives (`matcalc.primitives` re-exports them, with the
record and the table of `matcalc.primitive_table`, which this module re-exports too), named for
the kind of rule (as JAX's `defjvp`/`deflinear`, autograd's `defvjp`, DiffRules.jl's
`@define_diffrule`):

- `elementwise(name, partials=..., lower=...)`: f applied entry by entry; its derivative is
  one partial per argument, written with matcalc's own expression nodes (a generic
  `expr.Func` node carries it);
- `reduction(name, linear=..., lower=...)`: an array to a scalar, its derivative a local
  linear map (also an `expr.Func` node);
- `structural(name, node=..., ...)`: a function with a dedicated, canonicalising node class
  (trace, det, inv, diag, ...); its rule lives in `rules/` (one per node type), its adjoint
  and, for sum/norm/trace/det/inv, its lowering here;
- `composite(name, build=...)`: built from other primitives (relu = max(0, x), mean, dot);
- `rowwise(name, result=..., linear=..., ...)`: applied to each row of a matrix (softmax
  along axis=1);
- `constant(name, lower=...)`: a named constant (π).

A record also holds the one array-API lowering `lower(xp, *args)` that `evaluate` (xp =
NumPy), the SymPy check (xp = SymPy, exact) and the code generator (xp = a tracer writing
NumPy, JAX or PyTorch source) all run, with `stable` for a numerically stable form used by the
numeric backends only (`logaddexp` for softplus); its Unicode and LaTeX forms; its domain
(positive, bounded, kinked) for every sampler; and a line of documentation for `--help` and
the README. Like the table, this module imports nothing of matcalc's expression layer, so
`expr` can look names up here without an import running back up; the records themselves are
in `primitives.scalar` (element-wise) and `primitives.arrays` (the rest), loaded by
`primitives.catalog`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from .domain import BETWEEN_ARGUMENTS, INVERTIBLE, KINK_AT_ZERO, POSITIVE, REAL, Domain
from .primitive_table import (
    REGISTRY,
    Primitive,
    Registry,
    domain_of,
    func,
    get,
    is_elementwise,
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


def _arity(arity) -> tuple:
    return (arity,) if isinstance(arity, int) else tuple(arity)


def elementwise(
    name: str,
    *,
    partials: Sequence[Callable],
    lower: Callable,
    doc: str,
    example: str,
    stable: Callable | None = None,
    aliases: tuple = (),
    unicode: str = "",
    latex: str = "",
    domain: Domain = REAL,
    arity: int | tuple = 1,
    surface: bool = True,
    letters: tuple = (),
    registry: Registry | None = None,
) -> Primitive:
    """f applied entry by entry: d f(u, v, …) = ∂f/∂u ⊗ du + ∂f/∂v ⊗ dv + …"""
    p = Primitive(
        name,
        "elementwise",
        _arity(arity),
        "elementwise",
        doc,
        None,
        aliases,
        surface,
        tuple(partials),
        lower=lower,
        stable=stable,
        unicode=unicode or name,
        latex=latex or name,
        domain=domain,
        letters=tuple(letters),
        example=example,
    )
    return (REGISTRY if registry is None else registry).add(p)


def reduction(
    name: str,
    *,
    linear: Callable,
    lower: Callable,
    doc: str,
    example: str,
    stable: Callable | None = None,
    aliases: tuple = (),
    unicode: str = "",
    latex: str = "",
    domain: Domain = REAL,
    surface: bool = True,
    registry: Registry | None = None,
) -> Primitive:
    """An array to a scalar, with a local linear map d f = L(du)."""
    p = Primitive(
        name,
        "reduction",
        (1,),
        "reduce",
        doc,
        None,
        aliases,
        surface,
        linear=linear,
        lower=lower,
        stable=stable,
        unicode=unicode or name,
        latex=latex or name,
        domain=domain,
        example=example,
    )
    return (REGISTRY if registry is None else registry).add(p)


def structural(
    name: str,
    *,
    node: type,
    shape: str,
    doc: str,
    example: str,
    build: Callable | None = None,
    adjoint: Callable | None = None,
    aliases: tuple = (),
    domain: Domain = REAL,
    unicode: str = "",
    latex: str = "",
    arity: int | tuple = 1,
    parameters: dict | None = None,
    lower: Callable | None = None,
    letters: tuple = (),
    registry: Registry | None = None,
) -> Primitive:
    """A function with its own canonicalising node class; its rule is in `rules/`."""
    p = Primitive(
        name,
        "structural",
        _arity(arity),
        shape,
        doc,
        build or node,
        aliases,
        node=node,
        adjoint=adjoint,
        lower=lower,
        unicode=unicode or name,
        latex=latex or name,
        domain=domain,
        letters=tuple(letters),
        example=example,
        parameters=parameters or {},
    )
    return (REGISTRY if registry is None else registry).add(p)


def composite(
    name: str,
    *,
    build: Callable,
    shape: str,
    doc: str,
    example: str,
    arity: int | tuple = 1,
    aliases: tuple = (),
    domain: Domain = REAL,
    parameters: dict | None = None,
    letters: tuple = (),
    registry: Registry | None = None,
) -> Primitive:
    """A function built from other primitives (its derivative comes from theirs)."""
    p = Primitive(
        name,
        "composite",
        _arity(arity),
        shape,
        doc,
        build,
        aliases,
        domain=domain,
        letters=tuple(letters),
        example=example,
        parameters=parameters or {},
    )
    return (REGISTRY if registry is None else registry).add(p)


def rowwise(
    name: str,
    *,
    result: Callable,
    linear: Callable,
    lower: Callable,
    stable: Callable,
    unicode: str,
    latex: str,
    doc: str,
    example: str,
    domain: Domain = REAL,
    letters: tuple = (),
    registry: Registry | None = None,
) -> Primitive:
    """A function applied to each row of a matrix (softmax, logsumexp, max along axis=1),
    on the generic node: `result` gives its shape from the argument's, `linear` its local
    linear map; `lower` is the exact form (SymPy matrices), `stable` the numeric one
    (NumPy/JAX/PyTorch, with `axis=1, keepdims=True`). Not callable by name: the axis
    keywords (`matcalc.axes`) build it."""
    p = Primitive(
        name,
        "rowwise",
        (1,),
        "rowwise",
        doc,
        None,
        surface=False,
        linear=linear,
        lower=lower,
        stable=stable,
        unicode=unicode,
        latex=latex,
        domain=domain,
        example=example,
        result=result,
        letters=tuple(letters),
    )
    return (REGISTRY if registry is None else registry).add(p)


def constant(
    name: str,
    *,
    lower: Callable,
    unicode: str,
    latex: str,
    doc: str,
    registry: Registry | None = None,
) -> Primitive:
    """A named constant (π), a primitive of no arguments, not callable in the language."""
    p = Primitive(
        name,
        "constant",
        (0,),
        "elementwise",
        doc,
        None,
        surface=False,
        partials=(),
        lower=lower,
        unicode=unicode,
        latex=latex,
        example=name,
    )
    return (REGISTRY if registry is None else registry).add(p)
