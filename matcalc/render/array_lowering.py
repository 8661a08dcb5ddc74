"""A primitive's array-API lowering, run with a tracer instead of arrays: the source text
of the call in NumPy, JAX or PyTorch, as `array_code` writes it. `xp.erf(u)` becomes the
backend's spelling from `primitives.lowering.VOCABULARY` (and records the import it
needs); Python numbers become float literals (0-d tensors where torch's functions want one);
the operators keep Python's precedence, so the text has no redundant parentheses.
"""

from __future__ import annotations

from ..primitives.lowering import CONSTANTS, spelling

ATOM, POW, UNARY, MUL, ADD = 100, 14, 13, 12, 11  # Python precedences

__all__ = ["Traced", "Tracer", "lift"]


class Traced:
    """A value in generated code: its text, precedence, and whether it is a Python number."""

    __slots__ = ("prec", "pure", "text")

    def __init__(self, text: str, prec: int, pure: bool = False):
        self.text, self.prec, self.pure = text, prec, pure

    def wrap(self, need: int) -> str:
        return self.text if self.prec >= need else f"({self.text})"

    def _binary(self, other, op, prec, left_need, right_need, swap=False):
        other = lift(other)
        a, b = (other, self) if swap else (self, other)
        return Traced(f"{a.wrap(left_need)} {op} {b.wrap(right_need)}", prec, a.pure and b.pure)

    def __add__(self, o):
        return self._binary(o, "+", ADD, ADD, MUL)

    def __radd__(self, o):
        return self._binary(o, "+", ADD, ADD, MUL, True)

    def __sub__(self, o):
        return self._binary(o, "-", ADD, ADD, MUL)

    def __rsub__(self, o):
        return self._binary(o, "-", ADD, ADD, MUL, True)

    def __mul__(self, o):
        return self._binary(o, "*", MUL, MUL, UNARY)

    def __rmul__(self, o):
        return self._binary(o, "*", MUL, MUL, UNARY, True)

    def __truediv__(self, o):
        return self._binary(o, "/", MUL, MUL, UNARY)

    def __rtruediv__(self, o):
        return self._binary(o, "/", MUL, MUL, UNARY, True)

    def __pow__(self, o):
        return self._binary(o, "**", POW, ATOM, UNARY)

    def __neg__(self):
        return Traced("-" + self.wrap(UNARY), UNARY, self.pure)


def lift(x: Traced | float) -> Traced:
    if isinstance(x, Traced):
        return x
    text = str(x) if isinstance(x, int) else repr(float(x))
    return Traced(text, ATOM if x >= 0 else UNARY, True)


class Tracer:
    """The namespace `xp` for one backend: every name a lowering calls, as source text."""

    def __init__(self, backend):
        self.backend = backend
        self.imports: set = set()

    def __getattr__(self, name):
        if name in CONSTANTS:
            return CONSTANTS[name]
        text, needs = spelling(name, self.backend.name, self.backend.m)

        def call(*args, **keywords):
            if needs:
                self.imports.add(needs)
            parts = [self.backend.tensor(a.text) if a.pure else a.text for a in map(lift, args)]
            for key, value in keywords.items():  # axis=1, keepdims=True (torch: dim, keepdim)
                if self.backend.name == "torch":
                    key = {"axis": "dim", "keepdims": "keepdim"}.get(key, key)
                parts.append(f"{key}={value!r}")
            return Traced(f"{text}({', '.join(parts)})", ATOM)

        return call
