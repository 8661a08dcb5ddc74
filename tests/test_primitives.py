"""One loop over the primitive registry (matcalc.primitives): every record is checked the day
it is registered.

- every field its kind needs is present;
- an element-wise partial, or a reduction's local linear map, agrees with central differences
  of the primitive's own NumPy lowering, at points drawn from its registered domain;
- a linear node's adjoint agrees with its forward map: ⟨c, L dx⟩ = ⟨L*c, dx⟩;
- the SymPy lowering agrees with the NumPy one (and the stable form with the plain one);
- the source written for NumPy, JAX and PyTorch compiles (and NumPy's runs and agrees);
- the Unicode and LaTeX forms print;
- the README lists exactly the registry.
A throwaway registry with broken records shows that the loop catches each kind of mistake.
"""

from __future__ import annotations

import pathlib

import numpy as np
import pytest
import sympy as sp

from matcalc import expr as E
from matcalc import primitives as P
from matcalc.evaluate import evaluate
from matcalc.primitives.catalog import (
    README_BEGIN,
    README_END,
    REGISTRY,
    function_table,
)
from matcalc.primitives.lowering import NUMPY, sympy_namespace
from matcalc.render.array_code import BACKENDS
from matcalc.render.array_lowering import Traced, Tracer
from matcalc.render.text import latex, text
from matcalc.rules import load
from matcalc.shapes import SCALAR, Shape

STEP = 1e-6
RTOL, ATOL = 1e-6, 1e-8
NAMES = ("x", "y", "z")
FUNC_KINDS = ("elementwise", "reduction", "constant")
SP = sympy_namespace(sp)
ALL = list(REGISTRY)


def _points(p, count=4, seed=0):
    """Argument tuples inside the primitive's domain (scalars, or a vector for a reduction)."""
    rng = np.random.default_rng(seed)
    if p.kind == "rowwise":  # a matrix argument, by rows
        return [[rng.normal(size=(3, 4))] for _ in range(count)]
    if p.kind == "structural":  # a matrix argument (invertible if square)
        square = p.shape in ("square", "square-scalar")
        return [
            [2 * np.eye(3) + rng.normal(size=(3, 3)) / 3 if square else rng.normal(size=(4, 1))]
            for _ in range(count)
        ]
    n = max(p.arity)
    shape = (4, 1) if p.kind == "reduction" else ()
    out = []
    while len(out) < count:
        args = [p.domain.sample(rng, shape) for _ in range(n)]
        if np.all(p.domain.gap(*args) > 0.05):
            out.append(args)
    return out


# ---------------------------------------------------------------- the checks, record by record
def field_problems(p) -> list:
    need = ["name", "kind", "arity", "shape", "doc", "example"]
    if p.kind in FUNC_KINDS:
        need += ["lower", "unicode", "latex"]
    if p.kind == "elementwise":
        need += ["partials"]
        if p.partials is not None and len(p.partials) != max(p.arity):
            return [f"{p.name}: {len(p.partials)} partials for {max(p.arity)} arguments"]
    if p.kind == "reduction":
        need += ["linear"]
    if p.kind in ("structural", "composite"):
        need += ["build"]
    out = [f"{p.name}: no {f}" for f in need if getattr(p, f) in (None, "", ())]
    letters = p.letters
    if not isinstance(letters, tuple) or not all(
        isinstance(c, str) and len(c) == 1 and c.isalpha() for c in letters
    ):
        out.append(f"{p.name}: letters {letters!r} are not a tuple of single letters")
    return out


def derivative_problems(p) -> list:
    """The partials (or the local linear map) against central differences of `lower`."""
    out = []
    f = p.lowering("numpy")
    for args in _points(p):
        if p.kind == "elementwise":
            vs = [E.Var(NAMES[i]) for i in range(len(args))]
            arrays = {v.name: np.full((1, 1), a) for v, a in zip(vs, args)}
            for i, partial in enumerate(p.partials):
                got = evaluate(partial(*vs), arrays, {}).item()
                up, down = list(args), list(args)
                up[i], down[i] = args[i] + STEP, args[i] - STEP
                want = (f(NUMPY, *up) - f(NUMPY, *down)) / (2 * STEP)
                if not np.isclose(got, want, rtol=RTOL, atol=ATOL):
                    out.append(f"{p.name}: ∂/∂arg{i} at {args} is {got}, differences say {want}")
        elif p.kind == "reduction":
            u = E.Var("u", Shape(4, 1))
            node = E._node(E.Func, (p.name, u), SCALAR, p.name)  # (a dummy's name too)
            direction = np.random.default_rng(1).normal(size=(4, 1))
            du = E.Differential(u)
            arrays = {"u": args[0]}
            value = {node: np.full((1, 1), f(NUMPY, args[0]))}
            got = sum(
                evaluate(lin(du), arrays, {}, {**value, du: direction}).item()
                for child, lin in p.linear(node)
            )
            want = (f(NUMPY, args[0] + STEP * direction) - f(NUMPY, args[0] - STEP * direction)) / (
                2 * STEP
            )
            if not np.isclose(got, want, rtol=RTOL, atol=ATOL):
                out.append(f"{p.name}: L(du) at {args[0].ravel()} is {got}, differences say {want}")
    return out


def _operand(p) -> E.Var:
    if p.shape == "transpose":
        return E.Var("X", Shape(3, 2))
    if p.shape in ("square", "square-scalar"):
        return E.Var("X", Shape(3, 3))
    return E.Var("X", Shape(3, 1))


def adjoint_problems(p) -> list:
    """⟨c, L dx⟩ = ⟨L*c, dx⟩ for a linear node, L from its rule, L* from its record."""
    if p.adjoint is None:
        return []
    rng = np.random.default_rng(2)
    x = _operand(p)
    node = p.node(x)
    ((_, forward),) = load()[p.node].local(node)
    c = E.Var("c", node.shape)
    ((_, back),) = p.adjoint(node, c)

    def shape(s):
        return (s.rows, s.cols)

    arrays = {"X": rng.normal(size=shape(x.shape)), "c": rng.normal(size=shape(node.shape))}
    dx = E.Differential(x)
    direction = rng.normal(size=shape(x.shape))
    lhs = np.sum(arrays["c"] * evaluate(forward(dx), arrays, {}, {dx: direction}))
    rhs = np.sum(evaluate(back, arrays, {}) * direction)
    return (
        []
        if np.isclose(lhs, rhs, rtol=1e-10, atol=1e-12)
        else [f"{p.name}: ⟨c, L dx⟩ = {lhs} but ⟨L*c, dx⟩ = {rhs}"]
    )


def sympy_problems(p) -> list:
    """The SymPy lowering (exact) and the stable numeric form against the NumPy lowering."""
    out = []
    for args in _points(p, 3, seed=3):
        want = np.asarray(p.lowering("numpy")(NUMPY, *args), dtype=float)
        plain = np.asarray(p.lower(NUMPY, *args), dtype=float)
        if p.kind in ("reduction", "structural", "rowwise"):
            exact = p.lower(SP, sp.Matrix(args[0].tolist()))
        else:
            exact = p.lower(SP, *(sp.Float(a, 30) for a in args))
        got = np.array(sp.N(exact, 20), dtype=float).reshape(np.shape(want))
        if not np.allclose(got, want, rtol=1e-9, atol=1e-12):
            out.append(f"{p.name}: SymPy gives {got} at {args}, NumPy {want}")
        if not np.allclose(plain, want, rtol=1e-9, atol=1e-12):
            out.append(f"{p.name}: the stable form gives {want} at {args}, the plain one {plain}")
    return out


def codegen_problems(p) -> list:
    """The generated NumPy, JAX and PyTorch text compiles; NumPy's runs and agrees."""
    out = []
    n = len(_points(p, 1)[0])
    for backend in BACKENDS.values():
        xp = Tracer(backend)
        try:
            traced = P.Primitive.lowering(p, backend.name)(
                xp, *(Traced(NAMES[i], 100) for i in range(n))
            )
        except (KeyError, AttributeError, TypeError) as err:
            out.append(f"{p.name} [{backend.name}]: {err}")
            continue
        result = traced.text if isinstance(traced, Traced) else repr(traced)
        source = "\n".join([*sorted(xp.imports), *backend.imports, f"result = {result}"])
        try:
            code = compile(source, f"<{p.name}:{backend.name}>", "exec")
        except SyntaxError as err:
            out.append(f"{p.name} [{backend.name}]: does not compile: {err}\n{source}")
            continue
        if backend.name == "numpy":
            for args in _points(p, 2, seed=4):
                scope = dict(zip(NAMES, args))
                exec(code, scope)  # noqa: S102
                want = p.lowering("numpy")(NUMPY, *args)
                if not np.allclose(scope["result"], want, rtol=1e-12, atol=1e-14):
                    out.append(
                        f"{p.name}: generated NumPy gives {scope['result']}, evaluate {want}"
                    )
    return out


def printed_problems(p) -> list:
    args = [E.Var(NAMES[i], SCALAR) for i in range(max(p.arity))]
    node = E.Func(p.name, *args)
    shown, tex = text(node), latex(node)
    inner = ", ".join(NAMES[: len(args)])
    want = (
        p.unicode.format(inner)
        if "{0}" in p.unicode
        else p.unicode
        if not args
        else f"{p.unicode}({inner})"
    )
    out = [] if shown == want else [f"{p.name}: prints {shown!r}, expected {want!r}"]
    head = p.latex.split("{0}")[0] if "{0}" in p.latex else p.latex
    if head not in tex:
        out.append(f"{p.name}: LaTeX {tex!r} lacks {head!r}")
    return out


# ---------------------------------------------------------------- the loop
def _ids(records):
    return [p.name for p in records]


@pytest.mark.parametrize("p", ALL, ids=_ids(ALL))
def test_every_field_is_present(p):
    assert not field_problems(p)


FUNCS = [p for p in ALL if p.kind in FUNC_KINDS]
LOWERED = [p for p in ALL if p.lower is not None]


@pytest.mark.parametrize("p", FUNCS, ids=_ids(FUNCS))
def test_derivative_matches_differences_of_the_lowering(p):
    assert not derivative_problems(p)


LINEAR = [p for p in ALL if p.adjoint is not None]


@pytest.mark.parametrize("p", LINEAR, ids=_ids(LINEAR))
def test_adjoint_matches_the_forward_map(p):
    assert not adjoint_problems(p)


def test_structural_lowerings_are_used():
    assert {p.name for p in LOWERED if p.kind == "structural"} >= {
        "sum",
        "norm",
        "trace",
        "det",
        "inv",
    }


def test_linear_nodes_have_adjoints():
    assert {p.name for p in LINEAR} >= {"sum", "trace", "transpose"}


@pytest.mark.parametrize("p", LOWERED, ids=_ids(LOWERED))
def test_sympy_lowering_matches_numpy(p):
    assert not sympy_problems(p)


@pytest.mark.parametrize("p", LOWERED, ids=_ids(LOWERED))
def test_generated_code_compiles(p):
    assert not codegen_problems(p)


@pytest.mark.parametrize("p", FUNCS, ids=_ids(FUNCS))
def test_printed_forms(p):
    assert not printed_problems(p)


def test_readme_lists_exactly_the_registry():
    readme = (pathlib.Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    start, end = readme.index(README_BEGIN), readme.index(README_END) + len(README_END)
    assert readme[start:end] == function_table(), (
        "run `python -m matcalc.primitives --write README.md`"
    )


def test_every_surface_name_is_a_function_of_the_language():
    from matcalc.functions import FUNCTIONS

    assert set(FUNCTIONS) == {n for p in ALL for n in p.names}


# ---------------------------------------------------------------- broken records are caught
def _throwaway(**fields):
    registry = P.Registry()
    defaults = {
        "partials": [lambda u: E.Func("cos", u)],
        "lower": lambda xp, u: xp.sin(u),
        "doc": "a test",
        "example": "dummy(x)",
        "registry": registry,
    }
    return P.elementwise("dummy", **{**defaults, **fields})


def test_a_correct_dummy_passes():
    p = _throwaway()
    assert not (
        field_problems(p) + derivative_problems(p) + sympy_problems(p) + codegen_problems(p)
    )


def test_activations_carry_the_letters_their_layer_is_named_with():
    # one home: render.names reads these from the records (no table of its own)
    from matcalc.render import names

    assert not hasattr(names, "_HIDDEN") and not hasattr(names, "_LETTERS")
    have = {p.name: p.letters for p in ALL if p.letters}
    assert have == {
        "softmax": ("s", "p"),
        "softmax_rows": ("S", "P"),
        "sigmoid": ("σ", "s", "p"),
        "tanh": ("h", "a"),
        "relu": ("h", "a"),
        "gelu": ("h", "a"),
        "softplus": ("h", "a"),
    }


def test_bad_letters_are_caught():
    assert field_problems(_throwaway(letters=("ab",)))
    assert field_problems(_throwaway(letters=("h", 1)))
    assert not field_problems(_throwaway(letters=("h", "a")))


def test_a_missing_field_is_caught():
    assert field_problems(_throwaway(lower=None))
    assert field_problems(_throwaway(partials=[]))


def test_a_wrong_partial_is_caught():
    assert derivative_problems(_throwaway(partials=[lambda u: E.Func("sin", u)]))


def test_a_wrong_stable_form_is_caught():
    assert sympy_problems(_throwaway(stable=lambda xp, u: xp.cos(u)))


def test_a_name_no_backend_spells_is_caught():
    assert codegen_problems(_throwaway(lower=lambda xp, u: xp.sinc(u)))


def test_a_wrong_adjoint_is_caught():
    registry = P.Registry()
    p = P.structural(
        "trace",
        node=E.Trace,
        shape="square-scalar",
        doc="t",
        example="tr(X)",
        adjoint=lambda x, c: [(x.args[0], E.Mul(c, E.Ones(x.args[0].shape)))],
        registry=registry,
    )
    assert adjoint_problems(p)


def test_a_name_registered_twice_is_an_error():
    registry = P.Registry()
    _throwaway(registry=registry)
    with pytest.raises(ValueError, match="twice"):
        _throwaway(registry=registry)
