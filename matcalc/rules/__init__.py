"""The derivative rules as tables, one module per section of the tutorial.

A rule is registered for a node type with `@rule(NodeType, "name of the rule")` and returns
the node's *local* derivatives: a list of `(child, linear)` pairs, where `linear(d_child)`
is the child's contribution to the node's differential (Magnus–Neudecker: d(u ⊗ v) =
v ⊗ du + u ⊗ dv). The engine owns the recursion and the chain rule; a rule holds only math.
A node type with no rule raises `UnsupportedError` naming it — never a silent zero.
"""

from __future__ import annotations

from collections.abc import Callable

from ..records import Record

__all__ = ["RULES", "Rule", "load", "rule"]

RULES: dict[type, Rule] = {}


class Rule(Record):
    __slots__ = (
        "node",
        "name",  # the tutorial's name for it: "product rule", "sum reduction", ...
        "section",  # the module, i.e. the tutorial section it comes from
        "local",  # node -> [(child, linear)]
    )

    def __init__(
        self,
        node: type,
        name: str,
        section: str,
        local: Callable,
    ) -> None:
        _set = object.__setattr__  # (past the record's __setattr__)
        _set(self, "node", node)
        _set(self, "name", name)
        _set(self, "section", section)
        _set(self, "local", local)

    def _key(self) -> tuple:
        return (self.node, self.name, self.section, self.local)


def rule(node_type: type, name: str) -> Callable[[Callable], Callable]:
    def register(fn):
        RULES[node_type] = Rule(node_type, name, fn.__module__.rsplit(".", 1)[-1], fn)
        return fn

    return register


def load() -> dict[type, Rule]:
    """Import every rule module (each registers itself) and return the table."""
    from . import chain, elementwise, expansion, matrix, reduction, scalar  # noqa: F401

    return RULES
