"""The any-order index engine (matcalc/tindex): the tensor queries the slice model refuses,
each three ways — the printed form, `evaluate` against central differences of an
independent NumPy function, SymPy's component check — and the generated NumPy code
against `evaluate`."""

from __future__ import annotations

import inspect
import io

import numpy as np
import pytest

import matcalc
from matcalc import testing
from matcalc.check import CheckFailed
from matcalc.errors import MatcalcError, NameError_, ShapeError, UnsupportedError
from matcalc.tindex import IndexDerivative

RTOL, ATOL = 1e-5, 1e-6
SIZES = {"h": 2, "n": 3, "d": 4, "m": 3, "p": 2, "k": 3, "a": 2, "b": 3, "e": 2}


def draw(dims: dict, seed: int = 0, scale: float = 1.0, positive: bool = False) -> dict:
    """Normal values of the given shapes; `scale` < 1: squashed into (−scale, scale);
    `positive`: in [0.5, 1.5]."""
    rng = np.random.default_rng(seed)
    out = {}
    for name, shape in dims.items():
        size = tuple(SIZES[d] if isinstance(d, str) else d for d in shape)
        v = rng.uniform(0.5, 1.5, size) if positive else rng.normal(size=size)
        out[name] = v if scale == 1.0 or positive else scale * np.tanh(v)
    return out


def generated(d, values: dict) -> np.ndarray:
    scope: dict = {}
    exec(compile(d.to_numpy(), "<to_numpy>", "exec"), scope)  # noqa: S102 - our own output
    f = scope["f"]
    names = list(inspect.signature(f).parameters)
    _, derivative = f(*(values[n] for n in names))
    if "check" in scope:
        assert scope["check"](*(values[n] for n in names)) < 1e-5
    return np.asarray(derivative, dtype=float)


def three_ways(query, wrt, expected, fn, dims, seed=0, hessian=False, scale=1.0, positive=False):
    """Printed form, central differences of `fn` (a NumPy function of the values; for a
    Hessian, of its gradient), SymPy's check, and the generated code."""
    d = (matcalc.hessian if hessian else matcalc.derivative)(query, wrt)
    assert isinstance(d, IndexDerivative)
    assert str(d) == expected, f"printed {str(d)!r}"
    values = draw(dims, seed, scale, positive)
    want = testing.jacobian(fn, values, wrt)
    got = np.asarray(d.evaluate(values), dtype=float)
    sizes = tuple(SIZES.get(s, s) for s in d.shape)
    assert got.shape == sizes == want.shape
    np.testing.assert_allclose(got, want, rtol=RTOL, atol=ATOL)
    d.check()
    np.testing.assert_allclose(generated(d, values), got, rtol=1e-9, atol=1e-12)
    return d


def softmax(z, axis):
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


T3 = {"T": ("h", "n", "d")}


# ---------------------------------------------------------------- the brief's five queries
def test_full_transpose_reverses_every_axis():
    three_ways(
        "T: tensor(h,n,d); sum(T.T * T.T)",
        "T",
        "∂f/∂Tₐᵢⱼ = 2Tₐᵢⱼ",
        lambda v: np.sum(v["T"].T * v["T"].T),
        T3,
    )


def test_softmax_over_a_batch_axis():
    three_ways(
        "T: tensor(h,n,d); sum(softmax(T, axis=0) * T)",
        "T",
        "∂f/∂Tₐᵢⱼ = Sₐᵢⱼ(Tₐᵢⱼ − Σₖ TₖᵢⱼSₖᵢⱼ + 1), where S = softmax(T, axis=0)",
        lambda v: np.sum(softmax(v["T"], 0) * v["T"]),
        T3,
        seed=1,
    )


def test_reduction_over_a_batch_axis_inside_the_query():
    three_ways(
        "T: tensor(h,n,d); X: matrix(n,d); sum(sum(T, axis=0) * X)",
        "T",
        "∂f/∂Tₐᵢⱼ = Xᵢⱼ",
        lambda v: np.sum(v["T"].sum(axis=0) * v["X"]),
        {**T3, "X": ("n", "d")},
        seed=2,
    )


def test_index_into_the_batch_axes():
    three_ways(
        "T: tensor(h,n,d); sum(T[0] @ T[1].T)",
        "T",
        "∂f/∂Tₐᵢⱼ = Σₖ δₐ₀T₁ₖⱼ + Σₖ δₐ₁T₀ₖⱼ",
        lambda v: np.sum(v["T"][0] @ v["T"][1].T),
        T3,
        seed=3,
    )


ABC = "a: vector(n); b: vector(m); c: vector(p); "
ABC_DIMS = {"a": ("n",), "b": ("m",), "c": ("p",)}


def test_einsum_with_an_order_3_intermediate():
    three_ways(
        ABC + "sum(einsum('i,j,k->ijk', a, b, c))",
        "a",
        "∂f/∂aᵢ = Σⱼₖ bⱼcₖ",
        lambda v: np.sum(np.einsum("i,j,k->ijk", v["a"], v["b"], v["c"])),
        ABC_DIMS,
        seed=4,
    )


@pytest.mark.parametrize(
    ("query", "wrt", "expected", "spec", "dims"),
    [
        (
            "T: tensor(h, n, d); W: matrix(d, p); sum(tanh(einsum('...ij,jk->...ik', T, W)))",
            "T",
            '∂f/∂Tₐᵢⱼ = Σₖ (1 − tanh(Pₐᵢₖ)²)Wⱼₖ, where P = einsum("...ij,jk->...ik", T, W)',
            None,
            {"T": ("h", "n", "d"), "W": ("d", "p")},
        ),
        (
            "T: tensor(h, n, d); x: vector(d); einsum('...j,j', T, x)",
            "T",
            '∂(einsum("...j,j", T, x))ᵢⱼ/∂Tₐₖₗ = δᵢₐδⱼₖxₗ',
            "...j,j",
            {"T": ("h", "n", "d"), "x": ("d",)},
        ),
        (
            "T: tensor(h, n, d); A: matrix(n, d); sum(einsum('...ij,ij->...', T, A) ^ 2)",
            "A",
            '∂f/∂Aᵢⱼ = 2Σₖ PₖTₖᵢⱼ, where P = einsum("...ij,ij->...", T, A)',
            None,
            {"T": ("h", "n", "d"), "A": ("n", "d")},
        ),
        (
            "T, U: tensor(h, n, d); einsum('...,...', T, U)",
            "U",
            '∂(einsum("...,...", T, U))ₐᵢⱼ/∂Uₑₖₗ = δₐₑδᵢₖδⱼₗTₐᵢⱼ',
            "...,...",
            {"T": ("h", "n", "d"), "U": ("h", "n", "d")},
        ),
    ],
    ids=["stacked product", "implicit output", "summed ellipsis", "element-wise"],
)
def test_einsum_ellipsis(query, wrt, expected, spec, dims):
    """NumPy's ellipsis: the axes the letters do not name, broadcast right-aligned; with
    no output, first. Printed as written."""
    sums = {
        "T": lambda v: np.sum(np.tanh(np.einsum("...ij,jk->...ik", v["T"], v["W"]))),
        "A": lambda v: np.sum(np.einsum("...ij,ij->...", v["T"], v["A"]) ** 2),
    }
    names = list(dims)
    fn = (lambda v: np.einsum(spec, *(v[n] for n in names))) if spec else sums[wrt]
    three_ways(query, wrt, expected, fn, dims, seed=40)


def test_order_3_output_of_vectors():
    three_ways(
        ABC + "einsum('i,j,k->ijk', a, b, c)",
        "b",
        '∂(einsum("i,j,k->ijk", a, b, c))ₐᵢⱼ/∂bₖ = δᵢₖaₐcⱼ',
        lambda v: np.einsum("i,j,k->ijk", v["a"], v["b"], v["c"]),
        ABC_DIMS,
        seed=5,
    )


# ---------------------------------------------------------------- the language
def test_transpose_jacobian_is_a_permutation():
    three_ways(
        "T: tensor(h, n, d); T.T",
        "T",
        "∂(T.T)ₐᵢⱼ/∂Tₑₖₗ = δₐₗδᵢₖδⱼₑ",
        lambda v: v["T"].T,
        T3,
    )


def test_softmax_jacobian_over_the_batch_axis():
    three_ways(
        "T: tensor(h, n, d); softmax(T, axis=0)",
        "T",
        "∂(softmax(T, axis=0))ₐᵢⱼ/∂Tₑₖₗ = δᵢₖδⱼₗSₐᵢⱼ(δₐₑ − Sₑᵢⱼ), where S = softmax(T, axis=0)",
        lambda v: softmax(v["T"], 0),
        T3,
        seed=6,
    )


def test_tensors_with_different_batch_axes():
    three_ways(
        "T: tensor(h, n, d); U: tensor(k, n, d); einsum('hij,kij->hk', T, U)",
        "U",
        '∂(einsum("hij,kij->hk", T, U))ᵢⱼ/∂Uₐₖₗ = δⱼₐTᵢₖₗ',
        lambda v: np.einsum("hij,kij->hk", v["T"], v["U"]),
        {**T3, "U": ("k", "n", "d")},
        seed=7,
    )


def test_stacked_matmul_broadcasts_batch_axes():
    three_ways(
        "A: tensor(a, b, n, d); B: tensor(b, d, e); sum(tanh(A @ B))",
        "B",
        "∂f/∂Bₐᵢⱼ = Σₖₗ (1 − tanh(Pₖₐₗⱼ)²)Aₖₐₗᵢ, where P = A @ B",
        lambda v: np.sum(np.tanh(v["A"] @ v["B"])),
        {"A": ("a", "b", "n", "d"), "B": ("b", "d", "e")},
        seed=8,
    )


def test_matmul_of_a_stack_of_vectors():
    three_ways(
        "T: tensor(h, n, n); x: vector(n); (T @ x) @ T",
        "x",
        "∂((T @ x) @ T)ₐᵢⱼ/∂xₖ = Σₗ TₐₗⱼTᵢₗₖ",
        lambda v: (v["T"] @ v["x"]) @ v["T"],
        {"T": ("h", "n", "n"), "x": ("n",)},
        seed=9,
    )


def test_tuple_of_negative_axes_with_keepdims():
    three_ways(
        "T: tensor(h, n, d); sum(T * logsumexp(T, axis=(0, -1), keepdims=True))",
        "T",
        "∂f/∂Tₐᵢⱼ = Lᵢ + Σₖₗ TₖᵢₗSₐᵢⱼ, where L = logsumexp(T, axis=(0, 2)), "
        "S = softmax(T, axis=(0, 2))",
        lambda v: np.sum(v["T"] * np.log(np.sum(np.exp(v["T"]), axis=(0, -1), keepdims=True))),
        T3,
        seed=10,
    )


def test_variance_over_the_batch_axis():
    three_ways(
        "T: tensor(h, n, d); X: matrix(n, d); sum(var(T, axis=0) * X)",
        "T",
        "∂f/∂Tₐᵢⱼ = Xᵢⱼ(2(1/h)(Tₐᵢⱼ − (1/h)Pᵢⱼ) − 2Σₖ h⁻²(Tₖᵢⱼ − (1/h)Pᵢⱼ)), "
        "where P = sum(T, axis=0)",
        lambda v: np.sum(np.var(v["T"], axis=0) * v["X"]),
        {**T3, "X": ("n", "d")},
        seed=11,
    )


def test_max_over_the_batch_axis():
    three_ways(
        "T: tensor(h, n, d); X: matrix(n, d); sum(max(T, axis=0) * X)",
        "T",
        "∂f/∂Tₐᵢⱼ = Xᵢⱼ[Tₐᵢⱼ ≥ Mᵢⱼ], where M = max(T, axis=0)",
        lambda v: np.sum(np.max(v["T"], axis=0) * v["X"]),
        {**T3, "X": ("n", "d")},
        seed=12,
    )


def test_a_batch_dimension_as_a_number():
    three_ways(
        "T: tensor(h, n, d); sum(T * h)",
        "T",
        "∂f/∂Tₐᵢⱼ = h",
        lambda v: np.sum(v["T"] * v["T"].shape[0]),
        T3,
    )


def test_log_softmax_over_the_batch_axis():
    three_ways(
        "T: tensor(h, n, d); sum(log_softmax(T, axis=0) * T)",
        "T",
        "∂f/∂Tₐᵢⱼ = Tₐᵢⱼ − Σₖ TₖᵢⱼSₐᵢⱼ + (Tₐᵢⱼ − Lᵢⱼ), where S = softmax(T, axis=0), "
        "L = logsumexp(T, axis=0)",
        lambda v: np.sum((v["T"] - np.log(np.exp(v["T"]).sum(0, keepdims=True))) * v["T"]),
        T3,
        seed=13,
    )


def test_a_shared_vector_of_batch_weights():
    three_ways(
        "T: tensor(h, n, d); x: vector(h); sum(T.T * T.T * x)",
        "x",
        "∂f/∂xᵢ = Σⱼₖ Tᵢⱼₖ²",
        lambda v: np.sum(v["T"].T * v["T"].T * v["x"]),
        {**T3, "x": ("h",)},
        seed=17,
    )


def test_cancelling_terms_merge_to_zero():
    d = three_ways(
        "T: tensor(h, n, d); sum(T.T * T.T - T.T * T.T) + sum(T)",
        "T",
        "∂f/∂Tₐᵢⱼ = 1",
        lambda v: np.sum(v["T"]),
        T3,
    )
    assert len(d.terms) == 1


# ---------------------------------------------------------------- Hessian, LaTeX, steps
def test_hessian_by_a_tensor():
    three_ways(
        "T: tensor(h, n, d); sum(T.T * T.T * T.T)",
        "T",
        "∂²f/∂Tₐᵢⱼ∂Tₑₖₗ = 6δₐₑδᵢₖδⱼₗTₐᵢⱼ",
        lambda v: 3 * v["T"] ** 2,
        T3,
        seed=14,
        hessian=True,
    )


def test_hessian_of_a_softmax_loss_agrees_with_differences():
    q = "T: tensor(h, n, d); sum(softmax(T, axis=0) * T)"
    d = matcalc.hessian(q, "T")
    g = matcalc.derivative(q, "T")
    values = draw(T3, seed=15)
    want = testing.jacobian(lambda v: g.evaluate(v), values, "T")
    np.testing.assert_allclose(d.evaluate(values), want, rtol=RTOL, atol=ATOL)
    d.check()


def test_latex_and_steps():
    d = matcalc.derivative("T: tensor(h, n, d); softmax(T, axis=0)", "T")
    assert d.latex() == (
        r"\frac{\partial (\operatorname{softmax}(T, axis=0))_{aij}}{\partial T_{ekl}} = "
        r"\delta_{ik}\delta_{jl}S_{aij}(\delta_{ae} - S_{eij}),\quad\text{where } "
        r"S = \operatorname{softmax}(T, axis=0)"
    )
    steps = str(d.steps)
    assert "u1 = softmax(T, axis=0)  : (h, n, d)" in steps
    assert steps.endswith(str(d))


def test_check_can_fail():
    d = matcalc.derivative("T: tensor(h, n, d); sum(softmax(T, axis=0) * T)", "T")
    from dataclasses import replace

    d.terms = [replace(d.terms[0], coef=d.terms[0].coef * 2)] + d.terms[1:]
    with pytest.raises(CheckFailed):
        d.check()


# ---------------------------------------------------------------- what stays as it was
def test_queries_the_slice_model_takes_are_unchanged():
    d = matcalc.derivative("T: tensor(h, n, d); x: vector(d); T @ x", "x")
    assert type(d).__name__ == "TensorDerivative"
    d = matcalc.derivative("X: matrix(n, d); w: vector(d); sum(tanh(X @ w))", "w")
    assert type(d).__name__ == "Derivative"


# ---------------------------------------------------------------- errors, located
@pytest.mark.parametrize(
    ("query", "error", "message", "column"),
    [
        (
            "T: tensor(h, n, d); U: tensor(k, n, e); T * U",
            ShapeError,
            "could not be broadcast together with shapes (h, n, d) (k, n, e)",
            43,
        ),
        ("T: tensor(h, n, d); T[1:]", UnsupportedError, "does not start at 0", 21),
        ("T: tensor(h, n, d); sum(T, axis=3)", MatcalcError, "axis 3 is out of range", 28),
        ("T: tensor(h, n, d); T.T * Z", NameError_, "Z is not declared", 27),
        ("T: tensor(h, n, d); kron(T, T)", UnsupportedError, "kron with these arguments", 21),
        ("T: tensor(h, n, d); T.T @ T.T", ShapeError, "@ of shapes (d, n, h) and (d, n, h)", 25),
        # as for a matrix, a softmax of several axes says which (no silent choice)
        ("T: tensor(h, n, d); sum(softmax(T.T))", ShapeError, "softmax needs a vector or", 25),
        ("T: tensor(h, n, d); log_softmax(T.T)", ShapeError, "log_softmax needs a vector", 21),
    ],
)
def test_what_is_not_expressible_is_a_located_error(query, error, message, column):
    with pytest.raises(error) as err:
        matcalc.derivative(query, "T")
    assert message in str(err.value)
    assert f"column {column}:" in str(err.value)


def test_bad_values_are_errors():
    d = matcalc.derivative("T: tensor(h, n, d); sum(T.T * T.T)", "T")
    with pytest.raises(MatcalcError, match="order 3"):
        d.evaluate({"T": np.ones((3, 4))})
    with pytest.raises(MatcalcError, match="no value for T"):
        d.evaluate({})
    with pytest.raises(UnsupportedError, match="numerator layout only"):
        matcalc.derivative("T: tensor(h, n, d); sum(T.T * T.T)", "T", layout="denominator")


def test_constant_slices_and_indices():
    three_ways(
        "T: tensor(h, n, d); sum(tanh(T[1:2, :2]) * T[0:1, 1:3])",
        "T",
        "∂f/∂Tₐᵢⱼ = Σₖₗ δᵢₗδ[k+1,a]Pₖₗⱼ(1 − tanh(Qₖₗⱼ)²) + Σₖₗ δₐₖδ[l+1,i]tanh(Qₖₗⱼ), "
        "where P = T[:1][:, 1:3], Q = T[:, :2][1:2]",
        lambda v: np.sum(np.tanh(v["T"][1:2, :2]) * v["T"][0:1, 1:3]),
        T3,
        seed=16,
    )


def test_a_slice_of_symbolic_length_is_a_located_error():
    with pytest.raises(UnsupportedError, match="symbolic size n") as err:
        matcalc.derivative("T: tensor(h, n, d); sum(T.T * T.T) + sum(T[:, 1:])", "T")
    assert "column 42:" in str(err.value)


def test_too_many_index_terms_is_a_limit():
    from matcalc.errors import LimitError

    inner = "T"
    for axis in (0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2):
        inner = f"softmax({inner} * T, axis={axis})"
    with pytest.raises(LimitError, match="index terms"):
        matcalc.derivative(f"T: tensor(h, n, d); sum({inner})", "T")


def test_the_command_line_prints_and_checks():
    from matcalc.cli import run

    out, err = io.StringIO(), io.StringIO()
    status = run(["T: tensor(h, n, d); sum(T.T * T.T)", "--wrt", "T", "--check"], out, err)
    assert status == 0, err.getvalue()
    assert out.getvalue().splitlines() == [
        "∂f/∂Tₐᵢⱼ = 2Tₐᵢⱼ",
        "SymPy check passed at h=3, n=2, d=4: 24 entries, 24 proved symbolically",
    ]


def test_jax_and_torch_sources_agree_with_evaluate():
    d = matcalc.derivative(
        "T: tensor(h, n, d); sum(softmax(T, axis=0)[:, 1:3] * tanh(T.T.T[:, 1:3]))", "T"
    )
    values = draw(T3, seed=18)
    want = d.evaluate(values)
    for target in ("jax", "torch"):
        try:
            __import__(target)
        except ImportError:
            continue
        scope: dict = {}
        exec(compile(d.to_source(target), f"<{target}>", "exec"), scope)  # noqa: S102
        got = np.asarray(scope["f"](values["T"])[1])
        np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-12)
        assert scope["check"](values["T"]) < 1e-5
    with pytest.raises(MatcalcError, match="dtype"):
        d.to_source("numpy", dtype="int8")


def test_a_bounded_domain_is_checked_inside_it():
    three_ways(
        "T: tensor(h, n, d); sum(arcsin(T.T) * T.T)",
        "T",
        "∂f/∂Tₐᵢⱼ = Tₐᵢⱼ(1 − Tₐᵢⱼ²)^(-1/2) + arcsin(Tₐᵢⱼ)",
        lambda v: np.sum(np.arcsin(v["T"]) * v["T"]),
        {"T": ("h", "n", "d")},
        seed=19,
        scale=0.5,
    )


def test_an_index_past_the_values_axis_is_an_error():
    d = matcalc.derivative("T: tensor(h, n, d); sum(T[3] @ T[1].T)", "T")
    with pytest.raises(MatcalcError, match="index 3 needs an axis of at least 4 entries; h is 2"):
        d.evaluate(draw(T3))
    d = matcalc.derivative("T: tensor(h, n, d); sum(T.T[1:7] * T.T[0:6])", "T")
    with pytest.raises(MatcalcError, match="slice :6 needs an axis of at least 6 entries; d is 4"):
        d.evaluate(draw(T3))


def test_a_common_factor_is_taken_out_once():
    """Regression: T·exp(T) common to 2T·exp(T) and T·T·exp(T) left (2 + 1), dropping
    every T of the second term instead of one."""
    three_ways(
        "T: tensor(h, n, d); sum(T.T * T.T * exp(T.T))",
        "T",
        "∂f/∂Tₐᵢⱼ = exp(Tₐᵢⱼ)Tₐᵢⱼ(2 + Tₐᵢⱼ)",
        lambda v: np.sum(v["T"] ** 2 * np.exp(v["T"])),
        T3,
        seed=20,
    )


def test_a_power_with_a_variable_exponent():
    three_ways(
        "T: tensor(h, n, d); X: matrix(n, d); sum((T.T.T * X) ^ (T * X - 2))",
        "T",
        "∂f/∂Tₐᵢⱼ = Xᵢⱼ((TₐᵢⱼXᵢⱼ − 2)(TₐᵢⱼXᵢⱼ)^(TₐᵢⱼXᵢⱼ − 2 − 1) + "
        "(TₐᵢⱼXᵢⱼ)^(TₐᵢⱼXᵢⱼ − 2)log(TₐᵢⱼXᵢⱼ))",
        lambda v: np.sum((v["T"] * v["X"]) ** (v["T"] * v["X"] - 2)),
        {**T3, "X": ("n", "d")},
        seed=21,
        positive=True,
    )


A3 = {"A": ("h", "n", "n")}


def _well_conditioned(v):
    return {**v, "A": v["A"] + 3 * np.eye(v["A"].shape[-1])}


@pytest.mark.parametrize(
    ("query", "expected", "fn"),
    [
        (
            "A: tensor(h, n, n); sum(logdet(A.T.T))",
            "∂f/∂Aₐᵢⱼ = Nₐⱼᵢ, where N = inv(A)",
            lambda v: np.sum(np.linalg.slogdet(v["A"])[1]),
        ),
        (
            "A: tensor(h, n, n); det(A).T",
            "∂(det(A))ᵢ/∂Aₐⱼₖ = δᵢₐDᵢNᵢₖⱼ, where D = det(A), N = inv(A)",
            lambda v: np.linalg.det(v["A"]).T,
        ),
        (
            "A: tensor(h, n, n); sum(inv(A).T)",
            "∂f/∂Aₐᵢⱼ = −Σₖₗ NₐₖᵢNₐⱼₗ, where N = inv(A)",
            lambda v: np.sum(np.linalg.inv(v["A"])),
        ),
    ],
)
def test_matrix_functions_of_a_stack(query, expected, fn):
    d = matcalc.derivative(query, "A")
    assert str(d) == expected
    values = _well_conditioned(draw(A3, seed=22))
    want = testing.jacobian(fn, values, "A")
    np.testing.assert_allclose(d.evaluate(values), want, rtol=RTOL, atol=ATOL)
    d.check(n=2)
    np.testing.assert_allclose(generated(d, values), d.evaluate(values), rtol=1e-9, atol=1e-12)


def test_diag_reads_through_to_deltas():
    fn = lambda v: np.sum(  # noqa: E731
        np.swapaxes(v["T"], -1, -2) @ np.diag(v["x"]) @ np.diag(np.diag(v["T"][0])) * v["T"]
    )
    query = "T: tensor(h, n, n); x: vector(n); sum(T.mT @ diag(x) @ diag(diag(T[0])) * T.T.T)"
    dims = {"T": ("h", "n", "n"), "x": ("n",)}
    three_ways(query, "x", "∂f/∂xᵢ = Σⱼₖ TⱼₖᵢTⱼᵢₖT₀ᵢᵢ", fn, dims, seed=23)
    three_ways(
        query,
        "T",
        "∂f/∂Tₐᵢⱼ = TₐⱼᵢxᵢT₀ᵢᵢ + Σₖₗ δₐ₀δᵢⱼTₖₗᵢPₖₗᵢ + Qₐᵢⱼ, where P = T.mT @ diag(x), "
        "Q = P @ diag(diag(T[0]))",
        fn,
        dims,
        seed=24,
    )


def test_size_1_axes_broadcast():
    three_ways(
        "A: tensor(1, n, d); B: tensor(h, d, e); sum(tanh(A @ B).T * 1)",
        "A",
        "∂f/∂Aₐᵢⱼ = Σₖₗ (1 − tanh(Pₖᵢₗ)²)Bₖⱼₗ, where P = A[0] @ B",
        lambda v: np.sum(np.tanh(v["A"] @ v["B"])),
        {"A": (1, "n", "d"), "B": ("h", "d", "e")},
        seed=25,
    )
    three_ways(
        "T: tensor(h, n, d); U: tensor(h, 1, d); sum(exp(T.T.T - U))",
        "U",
        "∂f/∂Uₐᵢⱼ = −Σₖ exp(Tₐₖⱼ − Uₐ₀ⱼ)",
        lambda v: np.sum(np.exp(v["T"] - v["U"])),
        {**T3, "U": ("h", 1, "d")},
        seed=26,
    )


def test_a_vector_times_a_stack():
    three_ways(
        "x: vector(n); T: tensor(h, n, d); (x @ T).T",
        "T",
        "∂((x @ T).T)ᵢⱼ/∂Tₐₖₗ = δᵢₗδⱼₐxₖ",
        lambda v: (v["x"] @ v["T"]).T,
        {"x": ("n",), **T3},
        seed=27,
    )


def test_an_ellipsis_the_slice_model_takes():
    """`h...` over a tensor: the slice's spec keeps the ellipsis (it stands for the same
    axes once the batch letter is struck out)."""
    query = "T: tensor(h, n, d); x: vector(d); sum(einsum('h...,...->h...', T, x) ^ 2)"
    d = matcalc.derivative(query, "x")
    assert not isinstance(d, IndexDerivative)
    assert str(d) == "∂f/∂x = Σₐ (2(diag(TₐᵀTₐ)ᵀ ⊙ xᵀ))  for each a = 1…h"
    values = draw({"T": ("h", "n", "d"), "x": ("d",)}, seed=41)
    want = testing.jacobian(
        lambda v: np.sum(np.einsum("h...,...->h...", v["T"], v["x"]) ** 2), values, "x"
    )
    np.testing.assert_allclose(d.evaluate(values), want, rtol=RTOL, atol=ATOL)
    d.check()
    with pytest.raises(MatcalcError, match="output has no '...'") as e:
        matcalc.derivative(
            "T: tensor(h, n, d); x: vector(d); sum(einsum('h...,...->h', T, x))", "x"
        )
    assert e.value.column == 46
