"""The numeric decision: the claim and the true derivative compared at random points, at
small distinct sizes, inside the domain and away from kinks; a counterexample where they
differ."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .. import expr as E
from ..errors import MatcalcError
from ..evaluate import evaluate, require_bytes
from ..sampling import (
    domain_gaps,
    draw_value,
    needs_invertible,
    needs_positive,
    nodes_of,
    radius,
)
from ..shapes import Shape
from .building import dimension_names

__all__ = ["POINTS", "SIZES", "compare"]

SIZES = (3, 2, 4, 5, 6, 7)  # one distinct size per dimension, in order of first use
POINTS = 6  # random points at which the values must agree,
PER_SIZE = 2  # two at each set of sizes
MAX_TRIES = 60  # draws allowed to find them (kinks, singular points)
KINK_MARGIN = 0.05  # no argument this close to a kink or a domain edge
RTOL, ATOL = 1e-6, 1e-9
SHOWN_ENTRIES = 12  # a larger value in a counterexample shows one entry


def _sizes(variables: dict, point: int = 0) -> dict:
    """Distinct sizes per dimension, in order of first use: 3, 2, 4, … at the first point,
    then rotated (2, 4, 5, …), so that a claim that holds at one size only is caught."""
    return {d: SIZES[(i + point) % len(SIZES)] for i, d in enumerate(dimension_names(variables))}


def _plain(a: np.ndarray, shape: Shape):
    """A 2-D value as a Python number or (nested) list, rounded for reading."""
    a = np.round(np.asarray(a, dtype=float), 4) + 0.0
    if shape.is_scalar:
        return float(a.reshape(-1)[0])
    if shape.is_vector:
        return [float(v) for v in a.reshape(-1)]
    return a.tolist()


def compare(
    claim: E.Expr,
    truth: E.Expr,
    expression: E.Expr,
    variables: dict,
    seed: int,
    project: Callable | None = None,
) -> tuple[list, dict | None, bool]:
    """(the sizes of each point compared, counterexample or None, whether the claim is
    another representative: equal only after `project` — see matcalc.structured)."""
    nodes = nodes_of(expression, truth, claim)
    positive = needs_positive(nodes)
    invertible = needs_invertible(nodes)
    bound = radius(nodes)  # arcsin, log1p, …: values drawn closer to 0
    used = [v for v in variables.values() if any(v in r.free for r in (expression, truth, claim))]
    rng = np.random.default_rng(seed)
    compared: list = []
    representative = False
    overflow = False
    with np.errstate(all="ignore"):
        for _ in range(MAX_TRIES):
            if len(compared) >= POINTS:
                break
            sizes = _sizes(variables, len(compared) // PER_SIZE)
            for node in nodes:  # indexing: an axis at least as long as its indices need
                if isinstance(node, E.Unit) and isinstance(node.n, str) and node.n in sizes:
                    sizes[node.n] = max(sizes[node.n], node.needs)
            for v in used:  # a declared vector(10^20) is refused, not drawn
                require_bytes(v.shape.numpy(sizes), f"a value of {v.name}")
            require_bytes(truth.shape.numpy(sizes), "the derivative")
            arrays = {v.name: draw_value(v, sizes, rng, positive, invertible, bound) for v in used}
            try:
                gaps = domain_gaps(nodes, lambda a, at=arrays, n=sizes: evaluate(a, at, n))
                if any(np.any(g <= KINK_MARGIN) for g in gaps):
                    continue  # near a kink or an edge of a registered domain
                true_value = np.asarray(evaluate(truth, arrays, sizes), dtype=float)
                claim_value = np.asarray(evaluate(claim, arrays, sizes), dtype=float)
                if not np.all(np.isfinite(evaluate(expression, arrays, sizes))):
                    continue
            except (np.linalg.LinAlgError, FloatingPointError, ZeroDivisionError):
                continue
            except OverflowError:  # a constant past the floats (1e999)
                overflow = True
                continue
            if not np.all(np.isfinite(true_value)):
                continue
            compared.append(sizes)
            scale = max(1.0, float(np.max(np.abs(true_value))) if true_value.size else 1.0)
            close = np.isclose(claim_value, true_value, rtol=RTOL, atol=ATOL * scale)
            if project is not None and not np.all(close):
                close = np.isclose(
                    project(claim_value), project(true_value), rtol=RTOL, atol=ATOL * scale
                )
                representative = representative or bool(np.all(close))
            if np.all(close):
                continue
            example = {
                "sizes": dict(sizes),
                "values": {v.name: _plain(arrays[v.name], v.shape) for v in used},
                "claimed": _plain(claim_value, claim.shape),
                "true": _plain(true_value, truth.shape),
            }
            if true_value.size > SHOWN_ENTRIES:
                flat = int(np.argmax(~close.reshape(-1)))
                index = np.unravel_index(flat, true_value.shape)
                if truth.shape.is_vector:
                    index = (flat,)
                example["entry"] = tuple(int(i) for i in index)
                example["claimed_entry"] = round(float(claim_value.reshape(-1)[flat]), 4)
                example["true_entry"] = round(float(true_value.reshape(-1)[flat]), 4)
            return compared, example, False
    if not compared and overflow:
        raise MatcalcError(
            "a number in the claim or the expression is too large for "
            "floating point, so the claim cannot be compared at points",
            expected="constants below about 1e308",
        )
    if not compared:
        raise MatcalcError(
            "could not find a point where the derivative is defined to compare the claim with it"
        )
    return compared, None, representative
