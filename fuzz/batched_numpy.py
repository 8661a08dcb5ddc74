"""The NumPy side of the batched property tests (fuzz/batched.py): the variables' values,
the reductions written with NumPy's own functions (not matcalc's evaluator), and how close
the drawn point is to a kink (a max/min tie, a std or norm near 0)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

__all__ = ["NUMPY", "OPS", "REDUCE", "Gaps", "Term", "log_softmax", "point", "softmax"]

M, N = 3, 4  # distinct, so a transposed or mis-broadcast axis shows
A_VALUE = np.array(
    [[0.6, -0.3, 0.2, 0.1], [0.1, 0.5, -0.4, 0.2], [-0.2, 0.3, 0.7, -0.1], [0.3, 0.1, -0.2, 0.4]]
)
Y_VALUE = np.array([[0.2, 0.3, 0.1, 0.4], [0.0, 1.0, 0.0, 0.0], [0.25, 0.25, 0.4, 0.1]])
NUMPY = {
    "exp": np.exp,
    "sin": np.sin,
    "cos": np.cos,
    "tanh": np.tanh,
    "sigmoid": lambda u: 1 / (1 + np.exp(-u)),
    "softplus": lambda u: np.logaddexp(0, u),
}
OPS = {"+": np.add, "-": np.subtract, "*": np.multiply}


@dataclass(frozen=True)
class Term:
    """Query text and the NumPy function of the variables that computes the same value."""

    text: str
    fn: Callable[[dict], object]


class Gaps:
    """The smallest distance from a kink met while evaluating the NumPy side."""

    least = np.inf

    @classmethod
    def note(cls, gap) -> None:
        cls.least = min(cls.least, float(np.min(gap)))


# ---------------------------------------------------------------- NumPy reductions
def _max(u, axis=None, keepdims=False, lowest=False):
    """np.max / np.min, noting the gap between the extreme and the runner-up."""
    v = -u if lowest else u
    flat = np.moveaxis(v, axis, -1) if isinstance(axis, int) else v.reshape(-1)
    top2 = np.sort(flat, axis=-1)[..., -2:]
    Gaps.note(top2[..., 1] - top2[..., 0])
    out = np.max(v, axis=axis, keepdims=keepdims)
    return -out if lowest else out


def _std(u, axis=None, keepdims=False):
    out = np.std(u, axis=axis, keepdims=keepdims)
    Gaps.note(out)
    return out


def _norm(u, axis=None, keepdims=False):
    out = np.sqrt(np.sum(u * u, axis=axis, keepdims=keepdims))
    Gaps.note(out)
    return out


def _logsumexp(u, axis=None, keepdims=False):
    top = np.max(u, axis=axis, keepdims=True)
    out = np.log(np.sum(np.exp(u - top), axis=axis, keepdims=True)) + top
    return out if keepdims else np.squeeze(out, axis=axis)


def softmax(u, axis):
    e = np.exp(u - np.max(u, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis, keepdims=True)


def log_softmax(u, axis):
    return u - _logsumexp(u, axis=axis, keepdims=True)


REDUCE = {
    "sum": np.sum,
    "mean": np.mean,
    "var": np.var,
    "logsumexp": _logsumexp,
    "std": _std,
    "norm": _norm,
    "max": _max,
    "min": lambda u, axis=None, keepdims=False: _max(u, axis, keepdims, lowest=True),
}


def point(seed: int) -> dict:
    rng = np.random.default_rng(seed)
    signs = rng.choice([-1.0, 1.0], (M, N))
    return {
        "X": rng.uniform(0.3, 1.2, (M, N)) * signs,
        "b": rng.uniform(-1.0, 1.0, N),
        "z": float(rng.uniform(0.5, 1.5)),
        "A": A_VALUE,
        "Y": Y_VALUE,
    }
