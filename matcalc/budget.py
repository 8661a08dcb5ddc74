"""A time budget: a `Deadline` is called between pieces of work and raises once its seconds
are spent (the SymPy check raises `LimitError`, the claim proof gives up quietly)."""

from __future__ import annotations

import time

__all__ = ["Deadline"]


class Deadline:
    """`deadline()` raises `error()` once `seconds` have passed since it was made;
    `deadline.expired()` only says whether they have."""

    def __init__(self, seconds: float, error=TimeoutError):
        self.seconds = seconds
        self.error = error
        self.start = time.monotonic()

    def expired(self) -> bool:
        return time.monotonic() - self.start > self.seconds

    def __call__(self) -> None:
        if self.expired():
            raise self.error()
