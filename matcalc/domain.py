"""Where a primitive is defined and smooth (`Domain`), and the common domains. Every
sampler (evaluate's points, the SymPy check's numeric points, verify, the tests) reads a
primitive's domain from its registry record; the record's domain is one of these values.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING

from .records import Record

if TYPE_CHECKING:
    import numpy as np

__all__ = ["BETWEEN_ARGUMENTS", "INVERTIBLE", "KINK_AT_ZERO", "POSITIVE", "REAL", "Domain"]


class Domain(Record):
    """Where a primitive is defined and smooth: the open interval (low, high) for its
    argument(s), the argument values where it is kinked (abs at 0), or kinks where its
    arguments meet (max, min, clip); `gap` is the distance to the nearest of these;
    `invertible`: the argument must be an invertible matrix (det, inv)."""

    __slots__ = ("low", "high", "kinks", "between_arguments", "distance", "invertible")
    low: float
    high: float
    kinks: tuple
    between_arguments: bool
    distance: Callable | None  # a custom gap (a reduction's kinks), values -> array
    invertible: bool

    def __init__(
        self,
        low: float = -math.inf,
        high: float = math.inf,
        kinks: tuple = (),
        between_arguments: bool = False,
        distance: Callable | None = None,
        invertible: bool = False,
    ) -> None:
        _set = object.__setattr__  # (past the record's __setattr__)
        _set(self, "low", low)
        _set(self, "high", high)
        _set(self, "kinks", kinks)
        _set(self, "between_arguments", between_arguments)
        _set(self, "distance", distance)
        _set(self, "invertible", invertible)

    def _key(self) -> tuple:
        return (
            self.low,
            self.high,
            self.kinks,
            self.between_arguments,
            self.distance,
            self.invertible,
        )

    @property
    def positive(self) -> bool:
        return self.low >= 0

    @property
    def kinked(self) -> bool:
        return bool(self.kinks) or self.between_arguments or self.distance is not None

    @property
    def bounded(self) -> bool:
        return math.isfinite(self.low) or math.isfinite(self.high)

    def gap(self, *values) -> np.ndarray:
        """The distance of the arguments' values from the domain's edges and kinks
        (positive inside, ≤ 0 outside), element-wise."""
        import numpy as np  # here: a derivation never samples, and the CLI starts faster

        vals = [np.asarray(v, dtype=float) for v in values]
        gaps = [np.full(np.broadcast(*vals).shape, np.inf)]
        if self.distance is not None:
            gaps.append(np.asarray(self.distance(*vals), dtype=float))
        for v in vals[:1] if not self.between_arguments else vals:
            gaps.append(np.minimum(v - self.low, self.high - v))
        for k in self.kinks:
            gaps.append(np.abs(vals[0] - k))
        if self.between_arguments:
            for i, a in enumerate(vals):
                for b in vals[i + 1 :]:
                    gaps.append(np.abs(a - b))
        return np.minimum.reduce(np.broadcast_arrays(*gaps))

    def sample(self, rng, shape, margin: float = 0.05) -> np.ndarray:
        """Random values inside the domain, at least `margin` from edges and kinks."""
        low = self.low + margin if math.isfinite(self.low) else -1.5
        high = self.high - margin if math.isfinite(self.high) else 1.5
        low, high = (max(low, -1.5), min(high, 1.5))
        import numpy as np

        for _ in range(1000):
            v = rng.uniform(low, high, shape)
            if np.all(self.gap(v) > margin):
                return v
        raise ValueError(f"no sample in {self}")


REAL = Domain()
POSITIVE = Domain(low=0.0)
KINK_AT_ZERO = Domain(kinks=(0.0,))
BETWEEN_ARGUMENTS = Domain(between_arguments=True)
INVERTIBLE = Domain(invertible=True)
