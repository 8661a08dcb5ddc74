"""The engine: one walk of the expression DAG, children before parents (forward
accumulation), composing each node's local derivatives into its differential.

d(node) = Σ over children c that depend on the variable of linear_c(d c). Children that do
not depend on the variable are skipped; shared subexpressions are differentiated once
(memo keyed by the hash-consed node). Every rule applied is recorded for `steps`.
"""

from __future__ import annotations

from . import expr as E
from .errors import UnsupportedError
from .records import Struct
from .rules import load as load_rules

__all__ = ["Applied", "Differentiation", "differentiate"]


class Applied(Struct):
    """One node's derivative: the rule and, per dependent child, its local linear map."""

    __slots__ = (
        "node",
        "rule",
        "section",
        "locals",  # [(child, linear)]
    )

    def __init__(
        self,
        node: E.Expr,
        rule: str,
        section: str,
        locals: list,
    ) -> None:
        self.node = node
        self.rule = rule
        self.section = section
        self.locals = locals

    def _key(self) -> tuple:
        return (self.node, self.rule, self.section, self.locals)


class Differentiation(Struct):
    __slots__ = (
        "var",
        "root",
        "differential",  # d(root), linear in d(var)
        "memo",  # node -> its differential
        "applied",
    )

    def __init__(
        self,
        var: E.Var,
        root: E.Expr,
        differential: E.Expr,
        memo: dict | None = None,
        applied: list | None = None,
    ) -> None:
        self.var = var
        self.root = root
        self.differential = differential
        self.memo = {} if memo is None else memo
        self.applied = [] if applied is None else applied

    def _key(self) -> tuple:
        return (self.var, self.root, self.differential, self.memo, self.applied)


def differentiate(root: E.Expr, var: E.Var) -> Differentiation:
    """The differential of `root` with respect to `var` (a linear expression in d var)."""
    rules = load_rules()
    memo: dict = {}
    applied: list = []
    dvar = E.Differential(var)
    for node in E.walk(root):
        if var not in node.free:
            continue
        if node is var:
            memo[node] = dvar
            continue
        entry = rules.get(type(node))
        if entry is None:
            raise UnsupportedError(f"no derivative rule for the operation {type(node).__name__}")
        pairs = [(c, lin) for c, lin in entry.local(node) if var in c.free]
        if isinstance(node, E.Block):  # d[f₁, f₂] = [df₁, df₂] at once: the sum of the
            memo[node] = _block_differential(node, var, memo)  # per-entry maps is n² work
        else:
            terms = [lin(memo[c]) for c, lin in pairs]
            memo[node] = E.Add(*terms) if terms else E.Zero(node.shape)
        applied.append(Applied(node, entry.name, entry.section, pairs))
    d = memo.get(root, E.Zero(root.shape))
    return Differentiation(var, root, d, memo, applied)


def _block_differential(node: E.Block, var: E.Var, memo: dict) -> E.Expr:
    """d of a literal, entry by entry: what Σ of the stacking rule's maps adds up to."""
    return E.Block(
        tuple(
            tuple(memo[x] if var in x.free else E.Zero(x.shape) for x in row) for row in node.rows
        )
    )
