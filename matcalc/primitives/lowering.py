"""The array-API vocabulary a primitive's `lower(xp, *args)` may use, and what each name is
in every backend: NumPy (evaluate), SymPy (the check: exact, element by element on scalars,
whole matrices for reductions) and the source the code generator writes for NumPy, JAX and
PyTorch. A name a lowering uses that is missing here fails the registry's test loop, never
in a user's generated code; codegen no longer assumes `np.<name>`, `jnp.<name>` and
`torch.<name>` all exist.
"""

from __future__ import annotations

import math
from types import ModuleType, SimpleNamespace

__all__ = ["CONSTANTS", "NUMPY", "VOCABULARY", "spelling", "sympy_namespace"]

_MODULES = {"numpy": "np", "jax": "jnp", "torch": "torch"}

# name -> {backend: (source spelling, the import it needs or "")}; a backend not listed
# spells it "<module>.<name>" (np., jnp., torch.) with no further import.
VOCABULARY: dict[str, dict] = {
    "exp": {},
    "log": {},
    "sin": {},
    "cos": {},
    "tan": {},
    "tanh": {},
    "sinh": {},
    "cosh": {},
    "arcsin": {},
    "arccos": {},
    "arctan": {},
    "log1p": {},
    "expm1": {},
    "abs": {},
    "sign": {},
    "sqrt": {},
    "maximum": {},
    "minimum": {},
    "logaddexp": {},
    "sum": {},
    "max": {},
    "amax": {},
    "amin": {},
    "trace": {},
    "det": {b: (f"{m}.linalg.det", "") for b, m in _MODULES.items()},
    "inv": {b: (f"{m}.linalg.inv", "") for b, m in _MODULES.items()},
    # (sign, log|det|): log det X without the overflow of det X (codegen's log(det(X)))
    "slogdet": {b: (f"{m}.linalg.slogdet", "") for b, m in _MODULES.items()},
    # X⁻¹B without forming X⁻¹ (codegen's products with an inverse)
    "solve": {b: (f"{m}.linalg.solve", "") for b, m in _MODULES.items()},
    "norm": {b: (f"{m}.linalg.norm", "") for b, m in _MODULES.items()},
    "erf": {
        "numpy": ("np.vectorize(math.erf, otypes=[float])", "import math"),
        "jax": ("jax.scipy.special.erf", "import jax.scipy.special"),
        "torch": ("torch.special.erf", ""),
    },
}
CONSTANTS = {"pi": math.pi, "SQRT1_2": math.sqrt(0.5)}


NUMPY: SimpleNamespace  # the NumPy namespace `evaluate` runs lowerings with (see __getattr__)


def _numpy_namespace() -> SimpleNamespace:
    import numpy as np

    linalg = {
        "det": np.linalg.det,
        "inv": np.linalg.inv,
        "norm": np.linalg.norm,
        "slogdet": np.linalg.slogdet,
        "solve": np.linalg.solve,
    }
    return SimpleNamespace(
        **{n: getattr(np, n) for n in VOCABULARY if n != "erf" and n not in linalg},
        erf=np.vectorize(math.erf, otypes=[float]),
        **linalg,
        **CONSTANTS,
    )


def __getattr__(name: str) -> SimpleNamespace:
    """`NUMPY`, the NumPy namespace `evaluate` runs lowerings with, made on first use: the
    command line's start (parse, derive, print) does not import NumPy."""
    if name == "NUMPY":
        globals()["NUMPY"] = namespace = _numpy_namespace()
        return namespace
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def spelling(name: str, backend: str, module: str) -> tuple[str, str]:
    """(source text, import needed) for an array-API name in a backend's generated code."""
    if name not in VOCABULARY:
        raise KeyError(f"the array-API name {name!r} has no spelling in the generated code")
    return VOCABULARY[name].get(backend, (f"{module}.{name}", ""))


def sympy_namespace(sp: ModuleType) -> SimpleNamespace:
    """The SymPy namespace: exact constants; functions on scalars, or entry by entry on a
    Matrix; `sum` and `max` reduce a Matrix."""

    def entrywise(f):
        def apply(*args):
            if any(isinstance(a, sp.MatrixBase) for a in args):
                m = next(a for a in args if isinstance(a, sp.MatrixBase))
                return sp.Matrix(
                    m.rows,
                    m.cols,
                    lambda i, j: f(*(a[i, j] if isinstance(a, sp.MatrixBase) else a for a in args)),
                )
            return f(*args)

        return apply

    scalar = {
        "exp": sp.exp,
        "log": sp.log,
        "sin": sp.sin,
        "cos": sp.cos,
        "tan": sp.tan,
        "tanh": sp.tanh,
        "sinh": sp.sinh,
        "cosh": sp.cosh,
        "arcsin": sp.asin,
        "arccos": sp.acos,
        "arctan": sp.atan,
        "log1p": lambda u: sp.log(1 + u),
        "expm1": lambda u: sp.exp(u) - 1,
        "abs": sp.Abs,
        "sign": sp.sign,
        "sqrt": sp.sqrt,
        "maximum": sp.Max,
        "minimum": sp.Min,
        "erf": sp.erf,
        "logaddexp": lambda a, b: sp.log(sp.exp(a) + sp.exp(b)),
    }
    ns = {n: entrywise(f) for n, f in scalar.items()}
    ns["sum"] = lambda m: sum(m) if isinstance(m, sp.MatrixBase) else m
    ns["max"] = lambda m: sp.Max(*m) if isinstance(m, sp.MatrixBase) else m
    ns["amax"] = ns["max"]
    ns["amin"] = lambda m: sp.Min(*m) if isinstance(m, sp.MatrixBase) else m
    ns["trace"] = lambda m: m.trace()
    ns["det"] = lambda m: m.det()
    ns["inv"] = lambda m: m.inv()
    ns["norm"] = lambda m: sp.sqrt(sum(x**2 for x in m))
    return SimpleNamespace(**ns, pi=sp.pi, SQRT1_2=1 / sp.sqrt(2))
