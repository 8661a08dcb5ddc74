"""Order >= 3 values (`T: tensor(h, n, d)`), read slice by slice (matcalc/tensor_query.py):
each derivation three ways — the printed form, `evaluate` against central differences of
an independent NumPy function, SymPy's component check of the slice — and the generated
NumPy code against `evaluate`."""

from __future__ import annotations

import importlib.util
import inspect

import numpy as np
import pytest

import matcalc
from matcalc import testing
from matcalc.errors import MatcalcError, UnsupportedError

RTOL, ATOL = 1e-5, 1e-6
SIZES = {"h": 2, "n": 3, "d": 4, "p": 5, "a": 2, "b": 3}


def draw(dims: dict, seed: int = 0) -> dict:
    """Normal values of the given NumPy shapes (dimension names from SIZES)."""
    rng = np.random.default_rng(seed)
    return {
        name: rng.normal(size=tuple(SIZES[d] if isinstance(d, str) else d for d in shape))
        for name, shape in dims.items()
    }


def generated(d, values: dict) -> np.ndarray:
    scope: dict = {}
    exec(compile(d.to_numpy(), "<to_numpy>", "exec"), scope)  # noqa: S102 - our own output
    f = scope["f"]
    names = list(inspect.signature(f).parameters)
    value, derivative = f(*(values[n] for n in names))
    assert scope["check"](*(values[n] for n in names)) < 1e-6
    return np.asarray(derivative, dtype=float)


def three_ways(query, wrt, expected, fn, values, hessian=False, check_n=3):
    d = (matcalc.hessian if hessian else matcalc.derivative)(query, wrt)
    assert str(d) == expected, f"printed {str(d)!r}"
    want = testing.jacobian(fn, values, wrt)
    got = np.asarray(d.evaluate(values), dtype=float)
    sizes = tuple(SIZES.get(s, s) for s in d.shape)
    assert got.shape == sizes == want.shape
    np.testing.assert_allclose(got, want, rtol=RTOL, atol=ATOL)
    d.check(n=check_n)
    np.testing.assert_allclose(generated(d, values), got, rtol=1e-9, atol=1e-12)
    return d


def softmax_last(z):
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def attention(v):
    d = v["Q"].shape[-1]
    return softmax_last(v["Q"] @ np.swapaxes(v["K"], -1, -2) / np.sqrt(d)) @ v["V"]


MHA = "Q, K, V: tensor(h, n, d); softmax(Q @ K.mT / sqrt(d), axis=-1) @ V"
LOSS = "Q, K, V, Y: tensor(h, n, d); sum(Y * (softmax(Q @ K.mT / sqrt(d), axis=-1) @ V))"
QKV = {"Q": ("h", "n", "d"), "K": ("h", "n", "d"), "V": ("h", "n", "d")}
S = "S = softmax((1/√d)Qₐ Kₐᵀ, axis=1)"
EACH = "for each a = 1…h"


def test_attention_loss_by_q():
    three_ways(
        LOSS,
        "Q",
        f"∂f/∂Qₐ = (1/√d)(S ⊙ (Yₐ Vₐᵀ − (S ⊙ (Yₐ Vₐᵀ))1 1ᵀ))Kₐ  where {S}  {EACH}",
        lambda v: np.sum(v["Y"] * attention(v)),
        draw({**QKV, "Y": ("h", "n", "d")}),
    )


def test_attention_loss_by_k():
    three_ways(
        LOSS,
        "K",
        f"∂f/∂Kₐ = (1/√d)(Sᵀ ⊙ (Vₐ Yₐᵀ − 1 1ᵀ(S ⊙ (Yₐ Vₐᵀ))ᵀ))Qₐ  where {S}  {EACH}",
        lambda v: np.sum(v["Y"] * attention(v)),
        draw({**QKV, "Y": ("h", "n", "d")}, seed=1),
    )


def test_attention_loss_by_v():
    three_ways(
        LOSS,
        "V",
        f"∂f/∂Vₐ = softmax((1/√d)Qₐ Kₐᵀ, axis=1)ᵀYₐ  {EACH}",
        lambda v: np.sum(v["Y"] * attention(v)),
        draw({**QKV, "Y": ("h", "n", "d")}, seed=2),
    )


def test_multi_head_attention_by_v_is_block_diagonal():
    d = three_ways(
        MHA,
        "V",
        "∂vec(softmax((1/√d)Qₐ Kₐᵀ, axis=1)Vₐ)/∂vec(Vₐ) = I ⊗ softmax((1/√d)Qₐ Kₐᵀ, axis=1)"
        f"  {EACH}; by another slice Vᵦ (b ≠ a): 0 (block diagonal, δₐᵦ)",
        attention,
        draw(QKV, seed=3),
    )
    got = d.evaluate(draw(QKV, seed=3))
    assert got.shape == (2, 3, 4, 2, 3, 4)
    assert np.all(got[0, :, :, 1] == 0) and np.any(got[0, :, :, 0] != 0)


def test_multi_head_attention_by_q_and_k():
    for wrt, seed in (("Q", 4), ("K", 5)):
        d = matcalc.derivative(MHA, wrt)
        text = str(d)
        assert text.startswith(f"∂(softmax((1/√d)Qₐ Kₐᵀ, axis=1)Vₐ)ᵢⱼ/∂{wrt}ₐₖₗ = (1/√d) ")
        assert text.endswith("block diagonal, δₐᵦ)")
        values = draw(QKV, seed=seed)
        want = testing.jacobian(attention, values, wrt)
        np.testing.assert_allclose(d.evaluate(values), want, rtol=RTOL, atol=ATOL)
        d.check(n=2)
        np.testing.assert_allclose(generated(d, values), want, rtol=RTOL, atol=ATOL)


TX = "T: tensor(h, n, d); x: vector(d); T @ x"


def test_stacked_matvec_by_t():
    three_ways(
        TX,
        "T",
        f"∂vec(Tₐ x)/∂vec(Tₐ) = xᵀ ⊗ I  {EACH}; by another slice Tᵦ (b ≠ a): 0 (block "
        "diagonal, δₐᵦ)",
        lambda v: v["T"] @ v["x"],
        draw({"T": ("h", "n", "d"), "x": ("d",)}),
    )


def test_stacked_matvec_by_x():
    three_ways(
        TX,
        "x",
        f"∂fₐ/∂x = Tₐ  {EACH}",
        lambda v: v["T"] @ v["x"],
        draw({"T": ("h", "n", "d"), "x": ("d",)}, seed=1),
    )


SHARED = "Q, Y: tensor(h, n, d); W: matrix(d, d); sum(Y * tanh(Q @ W))"


def shared_fn(v):
    return np.sum(v["Y"] * np.tanh(v["Q"] @ v["W"]))


def test_weight_shared_across_heads_sums_over_heads():
    three_ways(
        SHARED,
        "W",
        f"∂f/∂W = Σₐ (Qₐᵀ(Yₐ ⊙ (1 − tanh(Qₐ W)²)))  {EACH}",
        shared_fn,
        draw({"Q": ("h", "n", "d"), "Y": ("h", "n", "d"), "W": ("d", "d")}),
    )


def test_weight_shared_across_heads_by_q():
    three_ways(
        SHARED,
        "Q",
        f"∂f/∂Qₐ = (Yₐ ⊙ (1 − tanh(Qₐ W)²))Wᵀ  {EACH}",
        shared_fn,
        draw({"Q": ("h", "n", "d"), "Y": ("h", "n", "d"), "W": ("d", "d")}, seed=1),
    )


MEAN = "Q: tensor(h, n, d); W: matrix(d, d); -mean(tanh(Q @ W)) / 2"


def mean_fn(v):
    return -np.mean(np.tanh(v["Q"] @ v["W"])) / 2


def test_mean_over_every_axis_scaled_by_w():
    three_ways(
        MEAN,
        "W",
        f"∂f/∂W = (1/h)Σₐ ((1/(2dn))Qₐᵀ(−1 + tanh(Qₐ W)²))  {EACH}",
        mean_fn,
        draw({"Q": ("h", "n", "d"), "W": ("d", "d")}),
    )


def test_mean_over_every_axis_scaled_by_q():
    three_ways(
        MEAN,
        "Q",
        f"∂f/∂Qₐ = (1/h)((1/(2dn))(−1 + tanh(Qₐ W)²)Wᵀ)  {EACH}",
        mean_fn,
        draw({"Q": ("h", "n", "d"), "W": ("d", "d")}, seed=1),
    )


HEADSUM = "Q: tensor(h, n, d); W: matrix(d, d); sum(tanh(Q @ W), axis=0)"


def test_sum_over_the_head_axis_by_the_shared_weight():
    three_ways(
        HEADSUM,
        "W",
        "∂(Σₐ tanh(Qₐ W))ᵢⱼ/∂Wₖₗ = Σₐ (δⱼₗQₐᵢₖSᵢⱼ, where S = 1 − tanh(Qₐ W)²)  " + EACH,
        lambda v: np.tanh(v["Q"] @ v["W"]).sum(axis=0),
        draw({"Q": ("h", "n", "d"), "W": ("d", "d")}),
        check_n=2,
    )


def test_sum_over_the_head_axis_and_the_last_by_q():
    three_ways(
        "Q: tensor(h, n, d); W: matrix(d, d); sum(tanh(Q @ W), axis=(0, 2))",
        "Q",
        "∂(Σᵦ tanh(Qᵦ W)1)ᵢ/∂Qₐₖₗ = Σₘ δᵢₖWₗₘSᵢₘ, where S = 1 − tanh(Qₐ W)²  " + EACH,
        lambda v: np.tanh(v["Q"] @ v["W"]).sum(axis=(0, 2)),
        draw({"Q": ("h", "n", "d"), "W": ("d", "d")}, seed=2),
        check_n=2,
    )


def test_sum_over_the_last_axes_keeps_the_heads():
    three_ways(
        "T: tensor(h, n, d); x: vector(d); sum(T @ x, axis=-1)",
        "x",
        f"∂fₐ/∂x = 1ᵀTₐ  {EACH}",
        lambda v: (v["T"] @ v["x"]).sum(axis=-1),
        draw({"T": ("h", "n", "d"), "x": ("d",)}),
    )


def test_hessian_by_a_tensor_is_block_diagonal():
    three_ways(
        "Q: tensor(h, n, d); sum(Q * Q * Q)",
        "Q",
        f"∂(3Qₐ²)ᵢⱼ/∂Qₐₖₗ = δₐᵦ (6δᵢₖδⱼₗQₐᵢⱼ)  {EACH}",
        lambda v: 3 * v["Q"] ** 2,
        draw({"Q": ("h", "n", "d")}),
        hessian=True,
        check_n=2,
    )


def test_hessian_by_a_shared_weight_sums_over_heads():
    d = matcalc.hessian("Q: tensor(h, n, d); W: matrix(d, d); sum(tanh(Q @ W))", "W")
    assert d.shape == ("d", "d", "d", "d")
    assert str(d).startswith("∂(Qₐᵀ(1 − tanh(Qₐ W)²))ᵢⱼ/∂Wₖₗ = Σₐ (")
    values = draw({"Q": ("h", "n", "d"), "W": ("d", "d")})
    want = testing.jacobian(
        lambda v: np.einsum("hni,hnj->ij", v["Q"], 1 - np.tanh(v["Q"] @ v["W"]) ** 2),
        values,
        "W",
    )
    np.testing.assert_allclose(d.evaluate(values), want, rtol=RTOL, atol=ATOL)
    d.check(n=2)
    np.testing.assert_allclose(generated(d, values), want, rtol=RTOL, atol=ATOL)


FOUR = "T: tensor(a, b, n, d); x: vector(d); T @ x"


def test_order_four_by_t():
    three_ways(
        FOUR,
        "T",
        "∂vec(Tₐₑ x)/∂vec(Tₐₑ) = xᵀ ⊗ I  for each a = 1…a, e = 1…b; by another slice Tᵦᵧ "
        "(b ≠ a): 0 (block diagonal, δₐₑᵦᵧ)",
        lambda v: v["T"] @ v["x"],
        draw({"T": ("a", "b", "n", "d"), "x": ("d",)}),
    )


def test_order_four_loss_by_x():
    three_ways(
        "T: tensor(a, b, n, d); x: vector(d); sum(exp(T @ x))",
        "x",
        "∂f/∂x = Σₐₑ (exp(Tₐₑ x)ᵀTₐₑ)  for each a = 1…a, e = 1…b",
        lambda v: np.sum(np.exp(v["T"] @ v["x"])),
        draw({"T": ("a", "b", "n", "d"), "x": ("d",)}),
    )


def test_steps_name_the_batch_axes():
    text = str(matcalc.derivative(LOSS, "V").steps)
    assert text.startswith("Slice by slice: Q, K, V, Y are stacks of h matrices")
    assert "one slice (for each a = 1…h)" in text
    assert "u₁ = softmax((1/√d)QKᵀ, axis=1)V    (n×d)" in text


def test_jax_and_torch_code_agree_with_evaluate():
    d = matcalc.derivative(SHARED, "W")
    values = draw({"Q": ("h", "n", "d"), "Y": ("h", "n", "d"), "W": ("d", "d")})
    want = d.evaluate(values)
    for target in ("jax", "torch"):
        code = compile(d.to_source(target), f"<{target}>", "exec")  # generated and compiled
        if importlib.util.find_spec(target) is None:  # run where the bench extra is installed
            continue
        scope: dict = {}
        exec(code, scope)  # noqa: S102
        got = scope["f"](values["Q"], values["Y"], values["W"])[1]
        np.testing.assert_allclose(np.asarray(got), want, rtol=1e-9, atol=1e-12)


def test_existing_queries_are_not_tensor_queries():
    d = matcalc.derivative("X: matrix(n, d); w: vector(d); sum(tanh(X @ w))", "w")
    assert type(d).__name__ == "Derivative"


# What the slice model refuses (it mixes the slices) is derived by the index engine
# (matcalc/tindex, tests/test_tindex.py); these were located "not expressible yet" errors
# before it.
MIXED = [
    ("T: tensor(h, n, d); T.T", lambda v: v["T"].T),
    ("T: tensor(h, n, d); sum(T) * T", lambda v: np.sum(v["T"]) * v["T"]),
    ("T: tensor(h, n, d); sum(T, axis=0) + T", lambda v: np.sum(v["T"], axis=0) + v["T"]),
    ("T: tensor(h, n, d); softmax(T, axis=0)", lambda v: softmax_axis(v["T"], 0)),
    ("T: tensor(h, n, d); softmax(T, axis=(0, 1, 2))", lambda v: softmax_axis(v["T"], (0, 1, 2))),
    ("T: tensor(h, n, d); sum(T, keepdims=True)", lambda v: np.sum(v["T"], keepdims=True)),
    (
        "T: tensor(h, n, d); A: matrix(h, n); sum(T, axis=-1) + A",
        lambda v: np.sum(v["T"], axis=-1) + v["A"],
    ),
    ("T: tensor(h, n, n); x: vector(n); (T @ x) @ T", lambda v: (v["T"] @ v["x"]) @ v["T"]),
    ("T: tensor(h, n, d); sum(T * h)", lambda v: np.sum(v["T"] * v["T"].shape[0])),
]


def softmax_axis(z, axis):
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


@pytest.mark.parametrize(("query", "fn"), MIXED)
def test_what_mixes_slices_is_derived_by_the_index_engine(query, fn):
    d = matcalc.derivative(query, "T")
    assert type(d).__name__ == "IndexDerivative"
    dims = {"T": ("h", "n", "n" if "(h, n, n)" in query else "d")}
    if "A: matrix" in query:
        dims["A"] = ("h", "n")
    if "x: vector" in query:
        dims["x"] = ("n",)
    values = draw(dims, seed=11)
    want = testing.jacobian(fn, values, "T")
    np.testing.assert_allclose(d.evaluate(values), want, rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize(
    ("query", "error", "message", "column"),
    [
        ("T: tensor(h, n, d); trace(T)", MatcalcError, "trace of shape (h, n, d)", 21),
        ("T: tensor(h, n, d); [T, T]", UnsupportedError, "a list", 21),
    ],
)
def test_what_stays_inexpressible_is_a_located_error(query, error, message, column):
    with pytest.raises(error) as err:
        matcalc.derivative(query, "T")
    assert message in str(err.value)
    assert f"column {column}:" in str(err.value)


def test_tensor_declaration_errors():
    with pytest.raises(MatcalcError, match="bad declaration"):
        matcalc.derivative("T: tensor(h, n); T", "T")
    with pytest.raises(MatcalcError, match="could not be broadcast together"):
        matcalc.derivative("T: tensor(h, n, d); U: tensor(k, n, d); T * U", "T")
    with pytest.raises(UnsupportedError, match="numerator layout only"):
        matcalc.derivative(TX, "T", layout="denominator")
    with pytest.raises(MatcalcError, match="needs a scalar function"):
        matcalc.hessian(TX, "T")
    with pytest.raises(MatcalcError, match="order 3"):
        matcalc.derivative(TX, "T").evaluate({"T": np.ones((3, 4)), "x": np.ones(4)})
    d = matcalc.derivative("T: tensor(h, n, d); x: vector(d); T @ x", "x", shapes=None)
    assert d.shape == ("h", "n", "d")
    d = matcalc.derivative("T @ x", "x", shapes={"T": "tensor(h, n, d)", "x": "vector(d)"})
    assert d.shape == ("h", "n", "d")


EINSUM_TX = 'T: tensor(h, n, d); x: vector(d); einsum("ijk,k->ij", T, x)'


def test_einsum_contraction_by_t():
    three_ways(
        EINSUM_TX,
        "T",
        f"∂vec(Tₐ x)/∂vec(Tₐ) = xᵀ ⊗ I  {EACH}; by another slice Tᵦ (b ≠ a): 0 (block "
        "diagonal, δₐᵦ)",
        lambda v: np.einsum("ijk,k->ij", v["T"], v["x"]),
        draw({"T": ("h", "n", "d"), "x": ("d",)}, seed=5),
    )


def test_einsum_contraction_by_x():
    three_ways(
        EINSUM_TX,
        "x",
        f"∂fₐ/∂x = Tₐ  {EACH}",
        lambda v: np.einsum("ijk,k->ij", v["T"], v["x"]),
        draw({"T": ("h", "n", "d"), "x": ("d",)}, seed=6),
    )


EINSUM_AB = 'A: tensor(h, n, d); B: tensor(h, d, p); einsum("hij,hjk->hik", A, B)'


def test_einsum_batched_product_by_each():
    values = draw({"A": ("h", "n", "d"), "B": ("h", "d", "p")}, seed=7)
    for wrt, form in (
        ("A", "∂vec(Aₐ Bₐ)/∂vec(Aₐ) = Bₐᵀ ⊗ I"),
        ("B", "∂vec(Aₐ Bₐ)/∂vec(Bₐ) = I ⊗ Aₐ"),
    ):
        three_ways(
            EINSUM_AB,
            wrt,
            f"{form}  {EACH}; by another slice {wrt}ᵦ (b ≠ a): 0 (block diagonal, δₐᵦ)",
            lambda v: np.einsum("hij,hjk->hik", v["A"], v["B"]),
            values,
        )


def test_einsum_that_mixes_slices_is_derived_by_the_index_engine():
    query = 'A: tensor(h, n, d); B: tensor(h, d, p); einsum("hij,hjk->ik", A, B)'
    d = matcalc.derivative(query, "A")
    assert str(d) == '∂(einsum("hij,hjk->ik", A, B))ᵢⱼ/∂Aₐₖₗ = δᵢₖBₐₗⱼ'
    values = draw({"A": ("h", "n", "d"), "B": ("h", "d", "p")}, seed=8)
    want = testing.jacobian(lambda v: np.einsum("hij,hjk->ik", v["A"], v["B"]), values, "A")
    np.testing.assert_allclose(d.evaluate(values), want, rtol=RTOL, atol=ATOL)
    d.check()


T3 = {"T": ("h", "n", "d")}
BLOCK = "; by another slice Tᵦ (b ≠ a): 0 (block diagonal, δₐᵦ)"


@pytest.mark.parametrize(
    ("query", "wrt", "expected", "fn", "dims"),
    [
        (
            "T: tensor(h, n, d); T[:, 2]",
            "T",
            f"∂(Tₐᵀe₂)ᵢ/∂Tₐₖₗ = δᵢₗ(e₂)ₖ  {EACH}{BLOCK}",
            lambda v: v["T"][:, 2],
            T3,
        ),
        (
            "T: tensor(h, n, d); x: vector(n); x @ T",
            "T",
            f"∂vec(xᵀTₐ)/∂vec(Tₐ) = I ⊗ xᵀ  {EACH}{BLOCK}",
            lambda v: v["x"] @ v["T"],
            {**T3, "x": ("n",)},
        ),
        (
            'T: tensor(h, n, d); einsum("hij,hij->h", T, T)',
            "T",
            f"∂fₐ/∂Tₐ = 2Tₐ  {EACH}{BLOCK}",
            lambda v: np.einsum("hij,hij->h", v["T"], v["T"]),
            T3,
        ),
        (
            "T: tensor(h, n, d); sum(T, axis=-1, keepdims=True) * T",
            "T",
            f"∂(Tₐ ⊙ (Tₐ 1·1ᵀ))ᵢⱼ/∂Tₐₖₗ = δᵢₖ(δⱼₗSᵢⱼ + Tₐᵢⱼ), where S = Tₐ 1·1ᵀ  {EACH}{BLOCK}",
            lambda v: v["T"].sum(axis=-1, keepdims=True) * v["T"],
            T3,
        ),
        (
            "T: tensor(h, n, d); norm(T, axis=-1)",
            "T",
            "∂(√Tₐ²1)ᵢ/∂Tₐₖₗ = δᵢₖTₐᵢₗSᵢ, where S = 1 ⊘ √Tₐ²1  " + EACH + BLOCK,
            lambda v: np.linalg.norm(v["T"], axis=-1),
            T3,
        ),
        (
            "T: tensor(h, n, d); mean(T * T, axis=(0, 1, 2))",
            "T",
            f"∂f/∂Tₐ = (1/h)(2Tₐ/(dn))  {EACH}",
            lambda v: np.mean(v["T"] * v["T"]),
            T3,
        ),
        (
            "T: tensor(h, n, d); T.mT @ T",
            "T",
            f"∂(TₐᵀTₐ)ᵢⱼ/∂Tₐₖₗ = δᵢₗTₐₖⱼ + Tₐₖᵢδₗⱼ  {EACH}{BLOCK}",
            lambda v: np.swapaxes(v["T"], -1, -2) @ v["T"],
            T3,
        ),
        (
            "T: tensor(h, n, d); y: scalar; sum(T * y)",
            "y",
            f"∂f/∂y = Σₐ (sum(Tₐ))  {EACH}",
            lambda v: np.sum(v["T"] * v["y"]),
            {**T3, "y": ()},
        ),
    ],
)
def test_more_operations_map_over_the_slices(query, wrt, expected, fn, dims):
    values = draw(dims, seed=11)
    values = {k: float(a) if np.ndim(a) == 0 else a for k, a in values.items()}
    three_ways(query, wrt, expected, fn, values, check_n=2)


def test_repeated_axis_and_comparison():
    with pytest.raises(MatcalcError, match="axis 0 is repeated"):
        matcalc.derivative("T: tensor(h, n, d); sum(T, axis=(0, 0))", "T")
    d = matcalc.derivative("T: tensor(h, n, d); T > 0", "T")
    assert str(d).startswith("d((Tₐ > 0)) = 0  for each a = 1…h")
    assert not np.any(d.evaluate(draw(T3)))
