"""The codebase's habits, kept true by a test (issue 8): every public module of the
package declares `__all__`, every name in it exists, every public function and class the
module defines is in it, and every public function in it is annotated (each parameter and
the return).

The modules are found by walking the package, so a new module is covered the day it is
added. A module is public when no part of its dotted name starts with `_` (`__init__`
modules stand for their package; `__main__` is a script).
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from pathlib import Path

import pytest

import matcalc


def _public_modules() -> list[str]:
    names = ["matcalc"]
    for info in pkgutil.walk_packages(matcalc.__path__, prefix="matcalc."):
        if not any(part.startswith("_") for part in info.name.split(".")):
            names.append(info.name)
    return sorted(names)


MODULES = _public_modules()


def test_the_walk_finds_the_package():
    for name in (
        "matcalc.api",
        "matcalc.render.text",
        "matcalc.rules.scalar",
        "matcalc.web.app",
        "matcalc.simplify",
    ):
        assert name in MODULES


def _defined_here(module, name: str) -> bool:
    obj = getattr(module, name)
    return (inspect.isfunction(obj) or inspect.isclass(obj)) and getattr(
        obj, "__module__", None
    ) == module.__name__


def _unannotated(func) -> list[str]:
    """The parameters of `func` without an annotation, and "return" if it has none."""
    sig = inspect.signature(func, eval_str=False)
    missing = [p.name for p in sig.parameters.values() if p.annotation is inspect.Parameter.empty]
    if sig.return_annotation is inspect.Signature.empty:
        missing.append("return")
    return missing


@pytest.mark.parametrize("name", MODULES)
def test_public_module_declares_all(name):
    module = importlib.import_module(name)
    assert "__all__" in vars(module), f"{name} has no __all__"
    names = module.__all__
    assert isinstance(names, (list, tuple)) and all(isinstance(n, str) for n in names), (
        f"{name}.__all__ must be a list of strings"
    )
    assert len(set(names)) == len(names), f"{name}.__all__ lists a name twice"
    absent = [n for n in names if not hasattr(module, n)]
    assert not absent, f"{name}.__all__ names what the module does not have: {absent}"
    unlisted = [
        n
        for n in vars(module)
        if not n.startswith("_") and _defined_here(module, n) and n not in names
    ]
    assert not unlisted, (
        f"{name} defines public functions/classes missing from __all__ "
        f"(add them, or make them private with a leading _): {unlisted}"
    )


@pytest.mark.parametrize("name", MODULES)
def test_public_functions_are_annotated(name):
    module = importlib.import_module(name)
    problems = {}
    for n in getattr(module, "__all__", ()):
        obj = getattr(module, n, None)
        if inspect.isfunction(obj) and obj.__module__ == name:
            missing = _unannotated(obj)
            if missing:
                problems[n] = missing
    assert not problems, (
        f"{name}: public functions with unannotated parameters or return "
        f"(name -> what lacks a type): {problems}"
    )


def test_the_annotation_check_can_fail():
    def bare(x, y: int = 0):
        return x

    def typed(x: int, *args: int, **kw: str) -> int:
        return x

    assert _unannotated(bare) == ["x", "return"]
    assert _unannotated(typed) == []


def test_version_matches_pyproject():
    """`matcalc.__version__` is a constant (no importlib.metadata at import time): it must
    say what pyproject.toml says."""
    pyproject = Path(__file__).resolve().parent.parent / "pyproject.toml"
    found = re.search(r'^version = "([^"]+)"', pyproject.read_text(encoding="utf-8"), re.M)
    assert found, "no version in pyproject.toml"
    assert matcalc.__version__ == found.group(1)


def test_expr_prints_through_a_registered_printer_not_an_import():
    """expr sits below render: it never imports render.text (that would be a circle);
    render.text registers itself with `expr.set_printer`, and without a printer an
    expression still prints, in a plain constructor form."""
    from matcalc import expr as E
    from matcalc.expr import core

    for path in (Path(matcalc.__file__).parent / "expr").glob("*.py"):
        source = path.read_text(encoding="utf-8")
        assert not re.search(r"^\s*(from|import) .*render", source, re.M), path.name
    x = E.Var("x")
    assert str(E.Pow(x, E.Const(3))) == "x³"
    saved = core._printer
    try:
        core._printer = None
        assert str(E.Pow(x, E.Const(3))).startswith("Pow(Var(")
    finally:
        E.set_printer(saved)
    assert repr(E.Pow(x, E.Const(3))) == "<Pow x³>"
