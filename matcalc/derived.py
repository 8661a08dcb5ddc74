"""What the consumers of a finished derivative read from it — the check, the code
generator, the printers of linear maps and of the steps — as Protocols that
`result.Derivative` and `steps.Steps` satisfy. They annotate against these, so none of them
imports `api` (which imports them): the layers flow one way, from `api` down."""

from __future__ import annotations

from typing import Protocol

from . import expr as E

__all__ = ["DerivativeLike", "StepsLike"]


class DerivativeLike(Protocol):
    """A finished derivative (the fields of `result.Derivative` its consumers read)."""

    expression: E.Expr
    wrt: tuple
    variables: dict
    layout: str
    result: E.Expr | None
    differential: E.Expr
    kind: str
    derivations: list
    rewrites: list
    raw: E.Expr | None
    function: E.Expr | None
    declarations: dict
    inferred: dict
    parts: tuple


class StepsLike(Protocol):
    """The tutorial's four steps of a derivative (`steps.Steps`)."""

    derivative: DerivativeLike
    derivations: list
