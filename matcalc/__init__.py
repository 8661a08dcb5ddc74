"""matcalc: symbolic matrix calculus the way "The Matrix Calculus You Need For Deep
Learning" derives it by hand — Jacobians, gradients and Hessians in matrix notation, with
the derivation shown, cross-checked by SymPy, evaluable with NumPy."""

from __future__ import annotations

import sys
import types
from importlib import import_module

from .errors import MatcalcError
from .render import text as _text  # noqa: F401  (registers how expressions print)

# The public names are imported on first use (PEP 562), so that `import matcalc.cli` or
# `import matcalc.errors` loads only what it needs (issue 11: CLI cold start).
_LAZY = {
    "derivative": ".api",
    "hessian": ".api",
    "value_and_grad_source": ".api",
    "Derivative": ".api",
    "verify": ".verify",
}


def __getattr__(name: str) -> object:
    if name not in _LAZY:
        raise AttributeError(f"module 'matcalc' has no attribute {name!r}")
    value = getattr(import_module(_LAZY[name], __name__), name)
    globals()[name] = value
    return value


class _Package(types.ModuleType):
    """`matcalc.verify` is the function that decides a hand-derived claim such as
    `d/dz (x + z) = 1`; the subpackage of that name holds its parts. Importing the
    subpackage makes Python bind the package's attribute `verify` to the subpackage:
    this keeps it bound to the function (as `from .verify import verify` did eagerly)."""

    def __setattr__(self, name: str, value: object) -> None:
        if name == "verify" and isinstance(value, types.ModuleType):
            value = value.verify
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package


def load_ipython_extension(ipython: object) -> None:
    """`%load_ext matcalc`: the %matcalc line magic and %%matcalc cell magic."""
    from .jupyter import load_ipython_extension as load

    load(ipython)


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


__all__ = [
    "derivative",
    "hessian",
    "value_and_grad_source",
    "verify",
    "Derivative",
    "MatcalcError",
    "load_ipython_extension",
]
__version__ = "0.2.0"  # keep equal to pyproject.toml (tests/test_habits.py)
