"""What a sampler needs from the registry, over the nodes of an expression: whether it must
draw positive values or invertible matrices, how far from 0 its values may go, and where the
kinks and domain edges are. The one home of domains: the claim verifier (`matcalc.verify`),
the check (`matcalc.check`, through `matcalc.sampling`) and the tests read them here, so a
new primitive's domain (arcsin's (−1, 1), log1p's u > −1, a kink) is honoured by every
sampler the day it is registered.

A function node (`expr.Func`) and a node class with a record (det, inv, norm, …) have their
registered domain; the operators with node classes of their own take theirs from the
registry's vocabulary: max(a, b) and the comparisons are kinked where their arguments meet
(`BETWEEN_ARGUMENTS`, as the registered `max`), and a fractional or symbolic power needs a
positive base (`POSITIVE`, as the registered `sqrt`)."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable

import numpy as np

from .. import expr as E
from . import BETWEEN_ARGUMENTS, POSITIVE, REAL, REGISTRY, Domain, get

__all__ = [
    "domain_gaps",
    "domain_of_node",
    "kink_arguments",
    "needs_invertible",
    "needs_positive",
    "radius",
]


def _fractional(power: E.Pow) -> bool:
    exponent = power.args[1]
    return not (isinstance(exponent, E.Const) and exponent.value.denominator == 1)


def domain_of_node(node: E.Expr) -> Domain:
    """The domain of a node's arguments (REAL for a node without restrictions)."""
    if isinstance(node, E.Func):
        return get(node.name).domain
    if isinstance(node, (E.Max, E.Compare)):
        return BETWEEN_ARGUMENTS
    if isinstance(node, E.Pow):
        return POSITIVE if _fractional(node) else REAL
    p = REGISTRY.by_node.get(type(node))
    return p.domain if p is not None else REAL


def needs_positive(nodes: Iterable[E.Expr]) -> bool:
    """Some node among `nodes` is defined for positive arguments only (log, roots, …)."""
    return any(domain_of_node(n).positive for n in nodes)


def needs_invertible(nodes: Iterable[E.Expr]) -> bool:
    """Some node among `nodes` needs an invertible matrix (det, inv)."""
    return any(domain_of_node(n).invertible for n in nodes)


def radius(nodes: Iterable[E.Expr]) -> float:
    """The largest r such that (−r, r) lies inside every domain among `nodes` whose edges
    are away from 0 (1 for arcsin's (−1, 1) and log1p's u > −1): values drawn inside it keep
    such a function of a variable defined. inf when no domain is bounded that way."""
    r = math.inf
    for n in nodes:
        d = domain_of_node(n)
        for edge in (d.low, d.high):
            if math.isfinite(edge) and edge != 0:
                r = min(r, abs(edge))
    return r


def kink_arguments(nodes: Iterable[E.Expr]) -> list:
    """The arguments of every kinked node (max, comparisons, abs, sign, min, clip, norm1, …)."""
    return [n.children for n in nodes if domain_of_node(n).kinked]


def domain_gaps(nodes: Iterable[E.Expr], value_of: Callable[[E.Expr], np.ndarray]) -> list:
    """For every node with a restricted domain, the distance of its arguments' values
    (`value_of(node)` gives a node's array) from the domain's edges and kinks, element-wise
    (positive inside)."""
    out = []
    for n in nodes:
        d = domain_of_node(n)
        if (d.bounded or d.kinked) and n.children:
            out.append(np.asarray(d.gap(*(value_of(a) for a in n.children))))
    return out
