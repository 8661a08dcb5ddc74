"""What a sampler needs from the registry, over the nodes of an expression: whether it must
draw positive values, and where the kinks and domain edges are. For the claim verifier
(`verify_claims`), the tests and the check, so that a new primitive's domain (arcsin's
[−1, 1], log1p's u > −1, a kink) is honoured by every sampler the day it is registered."""
from __future__ import annotations

import numpy as np

from .. import expr as E
from . import REAL, Domain, get

__all__ = ["domain_gaps", "domain_of_node", "kink_arguments", "needs_positive"]


def domain_of_node(node: E.Expr) -> Domain:
    """The registered domain of a function node (REAL for any other node)."""
    return get(node.name).domain if isinstance(node, E.Func) else REAL


def needs_positive(nodes) -> bool:
    """Some registered function among `nodes` is defined for positive arguments only."""
    return any(isinstance(n, E.Func) and domain_of_node(n).positive for n in nodes)


def kink_arguments(nodes) -> list:
    """The arguments of every kinked registered function (abs, sign, min, clip, norm1, …)."""
    return [n.operands for n in nodes if isinstance(n, E.Func) and domain_of_node(n).kinked]


def domain_gaps(nodes, value_of) -> list:
    """For every registered function with arguments, the distance of its arguments' values
    (`value_of(node)` gives a node's array) from its domain's edges and kinks."""
    return [np.asarray(domain_of_node(n).gap(*(value_of(a) for a in n.operands)))
            for n in nodes if isinstance(n, E.Func) and n.operands]
