"""Shape inference's unknown dimensions: a union-find over dimensions (names and integers
are fixed, `?k` are unknowns), the shape tests on (rows, cols) pairs of them, and how an
inferred shape is described in an error."""

from __future__ import annotations

__all__ = ["Dims", "is_unknown"]


def is_unknown(d: object) -> bool:
    """Is `d` an unknown dimension (`?k`)?"""
    return isinstance(d, str) and d.startswith("?")


class Dims:
    """Union-find over dimensions: names and integers are fixed, `?k` are unknowns."""

    def __init__(self):
        self.parent: dict = {}
        self.count = 0

    def fresh(self) -> str:
        self.count += 1
        return f"?{self.count}"

    def find(self, d):
        while is_unknown(d) and self.parent.get(d, d) != d:
            d = self.parent[d]
        return d

    def unify(self, a, b) -> bool:
        a, b = self.find(a), self.find(b)
        if a == b:
            return True
        if is_unknown(a):
            if b == 1:
                return False
            self.parent[a] = b
            return True
        if is_unknown(b):
            return self.unify(b, a)
        return False

    # ------------------------------------------------------------ (rows, cols) pairs
    def is_scalar(self, s) -> bool:
        return self.find(s[0]) == 1 and self.find(s[1]) == 1

    def is_column(self, s) -> bool:
        return self.find(s[1]) == 1 and self.find(s[0]) != 1

    def is_row(self, s) -> bool:
        return self.find(s[0]) == 1 and self.find(s[1]) != 1

    def same(self, a, b) -> bool:
        return self.unify(a[0], b[0]) and self.unify(a[1], b[1])

    def describe(self, shape: tuple) -> str:
        """'a scalar', 'a vector(n)', 'a row vector(?)', 'a matrix(m, ?)': unknowns as '?'."""
        r, c = (self.find(d) for d in shape)

        def name(d):
            return "?" if is_unknown(d) else str(d)

        if (r, c) == (1, 1):
            return "a scalar"
        if c == 1:
            return f"a vector({name(r)})"
        if r == 1:
            return f"a row vector({name(c)})"
        return f"a matrix({name(r)}, {name(c)})"
