"""The typed query: the builder's (build.py) inference run and the expression constructed,
with every name's shape as a declaration ('vector(n)') and which of them were inferred, for
the result to show (`build_typed`, `build`)."""

from __future__ import annotations

from . import expr as E
from .build import Builder
from .declarations import dimension_names, spec_string
from .errors import ShapeError
from .readoff import substitute
from .records import Struct
from .syntax import Query

__all__ = ["Typed", "build", "build_typed"]


class Typed(Struct):
    """A typed query: the expression, its variables, every name's shape as a declaration
    ('vector(n)'), the names whose shape was inferred, and the dimensions used as numbers."""

    __slots__ = (
        "expression",
        "variables",
        "declarations",
        "inferred",
        "dimensions",
        "declared",  # the declared names, in the order the declarations give them
    )

    def __init__(
        self,
        expression: E.Expr,
        variables: dict,
        declarations: dict,
        inferred: dict,
        dimensions: frozenset,
        declared: tuple = (),
    ) -> None:
        self.expression = expression
        self.variables = variables
        self.declarations = declarations
        self.inferred = inferred
        self.dimensions = dimensions
        self.declared = declared

    def _key(self) -> tuple:
        return (
            self.expression,
            self.variables,
            self.declarations,
            self.inferred,
            self.dimensions,
            self.declared,
        )


def _on_the_simplex(e: E.Expr) -> E.Expr:
    """sum(y) = 1 for a simplex y: a query is read on the set its variables are declared on
    (the derivative is then the unconstrained one of what remains; README, "Layouts"). In a
    derivative the same identity is the named rewrite `simplex-sum`."""
    ones = {
        n: E.Const(1)
        for n in E.walk(e)
        if isinstance(n, E.Sum)
        and isinstance(n.args[0], E.Var)
        and n.args[0].structure == "simplex"
    }
    return substitute(e, ones) if ones else e


def build_typed(query: Query, shapes: dict | None = None) -> Typed:
    """Type the query: the builder's inference, the variables, the expression."""
    builder = Builder(query, shapes)
    clash = sorted(builder.specs.keys() & dimension_names(builder.specs))
    if clash:
        name = clash[0]
        owner = next(n for n, sp in builder.specs.items() if name in sp.dims)
        raise ShapeError(
            f"{name} is declared as a variable and is also a dimension (of {owner})",
            expected="a dimension name that is not a variable",
        )
    builder.run()
    final = builder.final_shapes()
    variables = {n: E.Var(n, s, builder.symmetric.get(n)) for n, s in final.items()}
    expression = builder.construct(query.body, variables)
    if any(v.structure == "simplex" for v in variables.values()):
        expression = _on_the_simplex(expression)
    declarations = {n: spec_string(v.shape, v.structure) for n, v in variables.items()}
    inferred = {n: spec for n, spec in declarations.items() if n not in builder.specs}
    declared = tuple(n for n in builder.specs if n in variables)
    return Typed(
        expression, variables, declarations, inferred, frozenset(builder.dimensions), declared
    )


def build(query: Query, shapes: dict | None = None) -> tuple[E.Expr, dict[str, E.Var]]:
    """Type the query: returns (expression, {name: Var})."""
    typed = build_typed(query, shapes)
    return typed.expression, typed.variables
