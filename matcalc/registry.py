"""The core of the primitive registry (`matcalc.primitives`, which re-exports all of it): the
record of a function of the language, the registry, and the helpers that register records, named for the kind of rule (as JAX's `defjvp`/`deflinear`, autograd's
`defvjp`, DiffRules.jl's `@define_diffrule`):

- `elementwise(name, partials=..., lower=...)`: f applied entry by entry; its derivative is
  one partial per argument, written with matcalc's own expression nodes (a generic
  `expr.Func` node carries it);
- `reduction(name, linear=..., lower=...)`: an array to a scalar, its derivative a local
  linear map (also an `expr.Func` node);
- `structural(name, node=..., ...)`: a function with a dedicated, canonicalising node class
  (trace, det, inv, diag, ...); its rule lives in `rules/` (one per node type), its adjoint
  and, for sum/norm/trace/det/inv, its lowering here;
- `composite(name, build=...)`: built from other primitives (relu = max(0, x), mean, dot).

A record also holds the one array-API lowering `lower(xp, *args)` that `evaluate` (xp =
NumPy), the SymPy check (xp = SymPy, exact) and the code generator (xp = a tracer writing
NumPy, JAX or PyTorch source) all run, with `stable` for a numerically stable form used by the
numeric backends only (`logaddexp` for softplus); its Unicode and LaTeX forms; its domain
(positive, bounded, kinked) for every sampler; and a line of documentation for `--help` and
the README. This module imports nothing of matcalc's expression layer, so `expr` can look
names up here without an import running back up; the records themselves are in
`primitives.scalar` (element-wise) and `primitives.arrays` (the rest), loaded by
`primitives.catalog`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from .domain import BETWEEN_ARGUMENTS, INVERTIBLE, KINK_AT_ZERO, POSITIVE, REAL, Domain
from .records import Record

if TYPE_CHECKING:
    pass


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

KINDS = ("elementwise", "reduction", "structural", "composite", "constant", "rowwise")
_set = object.__setattr__  # (a record's __init__ sets its fields past its __setattr__)


class Primitive(Record):
    """One function of the language (see the module docstring for the fields' meaning)."""

    __slots__ = (
        "name",  # the canonical name: the node's name, the printed name
        "kind",  # one of KINDS
        "arity",  # the numbers of arguments the surface call accepts
        "shape",  # the builder's shape rule: "elementwise", "reduce", ...
        "doc",  # one line for --help and the README
        "build",  # the call's arguments (Exprs) -> the expression; None:
        #         the generic node expr.Func(name, *arguments)
        "aliases",
        "surface",  # callable by name in the language
        "partials",  # elementwise: ∂f/∂(argument i)(*args) -> Expr
        "linear",  # reduction: (node) -> [(child, d -> Expr)]
        "adjoint",  # structural linear node: (node, c) -> [(child, c')]
        "lower",  # (xp, *args) -> value: the one array-API lowering
        "stable",  # (xp, *args) for NumPy/JAX/PyTorch only
        "unicode",  # printed name, or a template with {0}
        "latex",
        "domain",
        "node",  # the dedicated expression class, if any
        "example",  # a call for the tests and the README: "sinh(x)"
        "parameters",  # literal arguments: position -> values
        "result",  # rowwise: the argument's Shape -> the result's Shape
        "letters",  # an activation: the letters its layer's value is named with,
        #            preferred first (`s` softmax, `σ` sigmoid, `h` tanh); () none
    )

    def __init__(
        self,
        name: str,
        kind: str,
        arity: tuple,
        shape: str,
        doc: str,
        build: Callable | None,
        aliases: tuple = (),
        surface: bool = True,
        partials: tuple | None = None,
        linear: Callable | None = None,
        adjoint: Callable | None = None,
        lower: Callable | None = None,
        stable: Callable | None = None,
        unicode: str = "",
        latex: str = "",
        domain: Domain = REAL,
        node: type | None = None,
        example: str = "",
        parameters: dict | None = None,
        result: Callable | None = None,
        letters: tuple = (),
    ) -> None:
        values = locals()
        for field in self._fields:  # (once per primitive, at import)
            _set(self, field, values[field])
        if parameters is None:
            _set(self, "parameters", {})

    def _key(self) -> tuple:
        return tuple(getattr(self, field) for field in self._fields)

    @property
    def names(self) -> tuple:
        return (self.name,) + self.aliases if self.surface else self.aliases

    def lowering(self, backend: str) -> Callable:
        """The lowering for a backend: the stable form for numpy/jax/torch if there is one."""
        if backend != "sympy" and self.stable is not None:
            return self.stable
        return self.lower


class Registry:
    """Records by canonical name, and every surface name (aliases too) to its record."""

    def __init__(self):
        self.records: dict[str, Primitive] = {}
        self.by_surface: dict[str, Primitive] = {}
        self.by_node: dict[type, Primitive] = {}

    def add(self, p: Primitive) -> Primitive:
        if p.kind not in KINDS:
            raise ValueError(f"{p.name}: unknown kind {p.kind!r}")
        for n in p.names:
            if n in self.by_surface:
                raise ValueError(f"the function name {n!r} is registered twice")
        if p.name in self.records:
            raise ValueError(f"the primitive {p.name!r} is registered twice")
        self.records[p.name] = p
        for n in p.names:
            self.by_surface[n] = p
        if p.node is not None:
            self.by_node.setdefault(p.node, p)
        return p

    def __iter__(self):
        return iter(self.records.values())

    def __len__(self):
        return len(self.records)


REGISTRY = Registry()


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


# ---------------------------------------------------------------- look-ups
def get(name: str) -> Primitive:
    """The record of a canonical name (KeyError if none)."""
    return REGISTRY.records[name]


def func(name: str) -> Primitive | None:
    """The record behind an `expr.Func` node's name (element-wise, reduction, row-wise,
    constant)."""
    p = REGISTRY.records.get(name)
    return (
        p
        if p is not None and p.kind in ("elementwise", "reduction", "constant", "rowwise")
        else None
    )


def surface() -> dict[str, Primitive]:
    """Every name callable in the language (aliases too) -> its record."""
    return REGISTRY.by_surface


def domain_of(name: str) -> Domain:
    """The domain of a function by any of its names (REAL for one without restrictions);
    what a sampler (matcalc.verify, tests, check) needs to draw points where it is smooth."""
    p = REGISTRY.by_surface.get(name) or REGISTRY.records.get(name)
    return p.domain if p is not None else REAL


def is_elementwise(name: str) -> bool:
    p = REGISTRY.records.get(name)
    return p is not None and p.kind == "elementwise"
