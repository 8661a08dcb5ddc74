"""The table of primitives: `Primitive`, the record of one function of the language (its
fields are described in `matcalc.registry`, whose helpers build them), `Registry`, the records
by canonical name, by every surface name and by node class, and `REGISTRY`, the one table,
with its look-ups (`get`, `func`, `surface`, `domain_of`, `is_elementwise`).

It imports nothing of matcalc's expression layer, so `expr` can look names up here without
an import running back up.
"""

from __future__ import annotations

from collections.abc import Callable

from .domain import REAL, Domain
from .records import Record

__all__ = [
    "KINDS",
    "REGISTRY",
    "Primitive",
    "Registry",
    "domain_of",
    "func",
    "get",
    "is_elementwise",
    "surface",
]

KINDS = ("elementwise", "reduction", "structural", "composite", "constant", "rowwise")
_set = object.__setattr__  # (a record's __init__ sets its fields past its __setattr__)


class Primitive(Record):
    """One function of the language (the fields: the comments below, and `matcalc.registry`)."""

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
