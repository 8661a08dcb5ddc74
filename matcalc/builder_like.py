"""What the syntax extensions (einsum.py, indexing.py) use of the shape builder
(build.Builder): a Protocol, so they name the builder's type without importing build, which
imports them."""

from __future__ import annotations

from typing import Protocol

from . import expr as E
from .syntax import Syntax
from .unify import Dims

__all__ = ["BuilderLike"]


class BuilderLike(Protocol):
    """The shape builder as the extensions see it: the query's text and dimensions, the
    inference and construction of a sub-expression, and located errors."""

    text: str
    dims: Dims

    def infer(self, node: Syntax, depth: int = 0) -> tuple: ...

    def construct(self, node: Syntax, variables: dict) -> E.Expr: ...

    def error(self, node: Syntax, message: str, cls: type = ..., expected: object = None): ...

    def show(self, shape: tuple) -> str: ...

    def is_column(self, s: tuple) -> bool: ...

    def ndim(self, node: Syntax) -> int: ...
