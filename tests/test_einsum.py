"""einsum with operands of order ≤ 2 (matcalc/einsum.py): lowered to matrix nodes, so each
derivative prints in matrix notation, agrees with central differences of NumPy's own
`np.einsum`, passes the SymPy check, and its generated code agrees with `evaluate`."""

from __future__ import annotations

import numpy as np
import pytest
from batched_helpers import three_ways

import matcalc
from matcalc import einsum
from matcalc import expr as E
from matcalc.errors import MatcalcError, ShapeError
from matcalc.shapes import Shape

MN = "A: matrix(m, n); "
SQ = "A: matrix(n, n); "


def _ein(spec, *names):
    return lambda v: np.einsum(spec, *(np.asarray(v[n], dtype=float) for n in names))


# query, by, printed derivative, the NumPy function (np.einsum itself)
CASES = [
    (
        MN + 'B: matrix(n, p); einsum("ij,jk->ik", A, B)',
        "A",
        "∂vec(AB)/∂vec(A) = Bᵀ ⊗ I",
        _ein("ij,jk->ik", "A", "B"),
    ),
    (
        MN + "B: matrix(n, p); einsum('ij,jk->ik', A, B)",
        "B",
        "∂vec(AB)/∂vec(B) = I ⊗ A",
        _ein("ij,jk->ik", "A", "B"),
    ),
    (SQ + 'einsum("ii->", A)', "A", "I", _ein("ii->", "A")),
    (SQ + 'einsum("ii->i", A)', "A", "d(diag(A)) = diag(dA)", _ein("ii->i", "A")),
    (MN + 'einsum("ij->i", A)', "A", "∂vec(A1)/∂vec(A) = 1ᵀ ⊗ I", _ein("ij->i", "A")),
    (MN + 'einsum("ij->", A)', "A", "1 1ᵀ", _ein("ij->", "A")),
    (MN + 'einsum("ij->ji", A)', "A", "∂(Aᵀ)ᵢⱼ/∂Aₖₗ = δᵢₗδₖⱼ", _ein("ij->ji", "A")),
    (
        "A, B: matrix(m, n); einsum('ij,ij->ij', A, B)",
        "A",
        "∂(A ⊙ B)ᵢⱼ/∂Aₖₗ = δᵢₖδⱼₗBᵢⱼ",
        _ein("ij,ij->ij", "A", "B"),
    ),
    ("A, B: matrix(m, n); einsum('ij,ij->', A, B)", "A", "B", _ein("ij,ij->", "A", "B")),
    (MN + "B: matrix(n, m); einsum('ij,ji->', A, B)", "A", "Bᵀ", _ein("ij,ji->", "A", "B")),
    ("x, y: vector(n); einsum('i,i->', x, y)", "x", "yᵀ", _ein("i,i->", "x", "y")),
    (
        "x: vector(n); y: vector(m); einsum('i,j->ij', x, y)",
        "x",
        "∂vec(xyᵀ)/∂vec(x) = y ⊗ I",
        _ein("i,j->ij", "x", "y"),
    ),
    (
        MN + "B: matrix(n, p); C: matrix(p, q); einsum('ij,jk,kl->il', A, B, C)",
        "B",
        "∂vec(ABC)/∂vec(B) = Cᵀ ⊗ A",
        _ein("ij,jk,kl->il", "A", "B", "C"),
    ),
    (MN + "x: vector(n); einsum('ij,j->i', A, x)", "x", "A", _ein("ij,j->i", "A", "x")),
    # NumPy's implicit output: the letters used once, alphabetically (here j)
    (MN + "x: vector(m); einsum('ij,i', A, x)", "x", "Aᵀ", _ein("ij,i", "A", "x")),
    (
        MN + "x: vector(n); y: vector(m); einsum('i,ij,j->', y, A, x)",
        "A",
        "yxᵀ",
        _ein("i,ij,j->", "y", "A", "x"),
    ),
    # NumPy's ellipsis: the axes the letters do not name (here 0, 1 or 2 of them)
    (
        MN + "B: matrix(n, p); einsum('...ij,jk->...ik', A, B)",
        "A",
        "∂vec(AB)/∂vec(A) = Bᵀ ⊗ I",
        _ein("...ij,jk->...ik", "A", "B"),
    ),
    (MN + "x: vector(n); einsum('...j,j', A, x)", "x", "A", _ein("...j,j", "A", "x")),
    (MN + "einsum('i...->...', A)", "A", "∂(Aᵀ1)ᵢ/∂Aₖₗ = δᵢₗ", _ein("i...->...", "A")),
    (MN + "einsum('...ij->i', A)", "A", "∂vec(A1)/∂vec(A) = 1ᵀ ⊗ I", _ein("...ij->i", "A")),
    ("x, y: vector(n); einsum('...,...', x, y)", "x", "diag(y)", _ein("...,...", "x", "y")),
    # a letter kept in a matrix-vector pair: M diag(v)
    (
        MN + "x: vector(n); einsum('ij,j->ij', A, x)",
        "x",
        "d(A diag(x)) = A diag(dx)",
        _ein("ij,j->ij", "A", "x"),
    ),
]


@pytest.mark.parametrize(("query", "wrt", "expected", "fn"), CASES)
def test_einsum_three_ways(query, wrt, expected, fn):
    three_ways(query, wrt, expected, fn)


@pytest.mark.parametrize(
    ("einsum_query", "matrix_query", "wrt"),
    [
        (MN + 'B: matrix(n, p); einsum("ij,jk->ik", A, B)', MN + "B: matrix(n, p); A @ B", "A"),
        (SQ + "einsum('ii', A)", SQ + "trace(A)", "A"),
        (MN + "einsum('ij->j', A)", MN + "sum(A, axis=0)", "A"),
        ("x, y: vector(n); einsum('i,i', x, y)", "x, y: vector(n); dot(x, y)", "y"),
    ],
)
def test_einsum_prints_as_its_matrix_form(einsum_query, matrix_query, wrt):
    a, b = matcalc.derivative(einsum_query, wrt), matcalc.derivative(matrix_query, wrt)
    assert str(a) == str(b)
    assert a.expression == b.expression


# query, message, the text the caret underlines (its last occurrence in the query)
ERRORS = [
    (MN + 'einsum("ij,jk->ik", A)', "name 2 operands, but 1 is given", '"ij,jk->ik"'),
    (MN + 'B: matrix(p, q); einsum("ij,jk->ik", A, B)', "index j must have one length", "B"),
    (MN + 'einsum("ij->ii", A)', "output index i is repeated", '"ij->ii"'),
    (
        'x: vector(n); einsum("ij->i", x)',
        "is a vector (1 axis), but its subscripts 'ij'",
        '"ij->i"',
    ),
    (MN + 'einsum("ij->k", A)', "output index k is in no operand", '"ij->k"'),
    (
        MN + 'einsum("...i->i", A)',
        "output has no '...', but the ellipsis stands for 1",
        '"...i->i"',
    ),
    (MN + 'einsum("..i->i", A)', "ellipsis in '..i' is not '...'", '"..i->i"'),
    (
        'x: vector(n); einsum("ij...->i", x)',
        "is a vector (1 axis), but its subscripts 'ij...' name 2 axes besides the ellipsis",
        '"ij...->i"',
    ),
    (MN + 'einsum("ii", A)', "not square", "A"),
    (MN + 'einsum("i1->i", A)', "letters; '1' is not", '"i1->i"'),
    (MN + '"ij" + A', "a string is only einsum's subscripts", '"ij"'),
    (MN + "sum('ij')", "a string is only einsum's subscripts", "'ij'"),
    (MN + "einsum(A, A)", "first argument is a string", "einsum(A, A)"),
    (MN + 'einsum("ij->i", A, axis=1)', "no keyword arguments", "axis"),
    ("kron(A, B) + A", "kron needs the shapes of its operands declared", "kron(A, B)"),
]


def test_an_order_3_intermediate_goes_to_the_index_engine():
    """It was the located error "this einsum needs an intermediate of order 3 or more";
    the any-order index engine (matcalc/tindex, tests/test_tindex.py) derives it now."""
    d = matcalc.derivative(
        "x: vector(n); y: vector(m); z: vector(p); einsum('i,j,k->ijk', x, y, z)", "x"
    )
    assert type(d).__name__ == "IndexDerivative"
    assert str(d) == '∂(einsum("i,j,k->ijk", x, y, z))ₐᵢⱼ/∂xₖ = δₐₖyᵢzⱼ'


@pytest.mark.parametrize(("query", "message", "marked"), ERRORS)
def test_einsum_errors_are_located(query, message, marked):
    with pytest.raises(MatcalcError) as info:
        matcalc.derivative(query, "A" if "A" in query else "x")
    err = info.value
    assert message in err.message
    assert (err.column, err.width) == (query.rindex(marked) + 1, len(marked))
    assert "^" * len(marked) in str(err)


def test_undeclared_einsum_operands_with_one_letter_are_vectors():
    d = three_ways("einsum('ij,j', A, x)", "x", "A", _ein("ij,j", "A", "x"))
    assert d.expression.shape.is_column


def test_lower_on_expressions():
    """The entry point the tensor module calls per slice: expressions in, matrix nodes out."""
    a = E.Var("A", Shape("m", "n"))
    b = E.Var("B", Shape("n", "p"))
    x = E.Var("x", Shape("n", 1))
    assert einsum.lower("ij,jk->ik", [a, b]) is E.MatMul(a, b)
    assert einsum.lower("ij,jk->ki", [a, b]) is E.Transpose(E.MatMul(a, b))
    assert einsum.lower("ij,j->i", [a, x]) is E.MatMul(a, x)
    assert einsum.lower("j,ij->i", [E.Transpose(x), a], [1, 2]) is E.MatMul(a, x)
    with pytest.raises(ShapeError, match="index j"):
        einsum.lower("ij,jk->ik", [a, a], names=["A", "A"])
    with pytest.raises(MatcalcError, match="name 1 operand, but 2 are given"):
        einsum.lower("ij->i", [a, b])


# ---------------------------------------------------------------- outer and kron
def _kron(v):
    return np.kron(np.asarray(v["A"], dtype=float), np.asarray(v["B"], dtype=float))


KRON = "A: matrix(m, n); B: matrix(p, q); "
PRODUCTS = [
    (
        "x: vector(n); y: vector(m); outer(x, y)",
        "y",
        "∂(xyᵀ)ᵢⱼ/∂yₖ = xᵢδₖⱼ",
        lambda v: np.outer(v["x"], v["y"]),
    ),
    (
        "x: vector(n); y: vector(m); outer(x, y)",
        "x",
        "∂vec(xyᵀ)/∂vec(x) = y ⊗ I",
        lambda v: np.outer(v["x"], v["y"]),
    ),
    (
        KRON + "kron(A, B)",
        "A",
        "∂(A ⊗ B)₍ᵢᵣ₎₍ⱼₛ₎/∂Aₖₗ = δᵢₖδⱼₗBᵣₛ  ((i, r) = i·p + r, (j, s) = j·q + s)",
        _kron,
    ),
    (
        KRON + "kron(A, B)",
        "B",
        "∂(A ⊗ B)₍ᵢᵣ₎₍ⱼₛ₎/∂Bₖₗ = δᵣₖδₛₗAᵢⱼ  ((i, r) = i·p + r, (j, s) = j·q + s)",
        _kron,
    ),
    (
        KRON + "kron(A @ A.T, B)",
        "A",
        "∂(AAᵀ ⊗ B)₍ᵢᵣ₎₍ⱼₛ₎/∂Aₖₗ = Bᵣₛ(δᵢₖAⱼₗ + δⱼₖAᵢₗ)  ((i, r) = i·p + r, (j, s) = j·q + s)",
        lambda v: np.kron(v["A"] @ v["A"].T, v["B"]),
    ),
    (
        KRON + "sum(kron(A, B))",
        "B",
        "sum(A)1 1ᵀ",
        lambda v: _kron(v).sum(),
    ),
    (
        "A: matrix(2, 2); B: matrix(3, 3); C: matrix(6, 6); kron(A, B) @ C",
        "B",
        "∂((A ⊗ B)C)₍ᵢᵣ₎ⱼ/∂Bₖₗ = Σₘ δᵣₖAᵢₘC₍ₘₗ₎ⱼ  ((i, r) = i·3 + r, (m, l) = m·3 + l)",
        lambda v: _kron(v) @ v["C"],
    ),
    (
        "x: vector(n); B: matrix(p, q); kron(x, B)",
        "x",
        "∂(xᵀ ⊗ B)ᵣ₍ⱼₛ₎/∂xₖ = δⱼₖBᵣₛ  ((j, s) = j·q + s)",
        lambda v: np.kron(v["x"], v["B"]),
    ),
    (
        "x: vector(n); y: vector(m); kron(x, y)",
        "y",
        "∂(x ⊗ y)₍ᵢᵣ₎/∂yₖ = δᵣₖxᵢ  ((i, r) = i·m + r)",
        lambda v: np.kron(v["x"], v["y"]),
    ),
]


@pytest.mark.parametrize(("query", "wrt", "expected", "fn"), PRODUCTS)
def test_outer_and_kron_three_ways(query, wrt, expected, fn):
    three_ways(query, wrt, expected, fn)


def test_kron_prints_as_a_call_in_the_tutorial_notation():
    d = matcalc.derivative(KRON + "kron(A @ A.T, B)", "B", notation="tutorial")
    assert str(d) == (
        "∂(kron(AAᵀ, B))₍ᵢᵣ₎₍ⱼₛ₎/∂Bₖₗ = δᵣₖδₛₗSᵢⱼ  ((i, r) = i·p + r, (j, s) = j·q + s), "
        "where S = AAᵀ"
    )
    assert matcalc.derivative(KRON + "kron(A, B)", "B").latex() == (
        r"\frac{\partial (A \otimes B)_{(ir)(js)}}{\partial B_{kl}} = \delta_{rk}\delta_{sl}A_{ij}"
        r"\quad ((i, r) = i \cdot p + r, (j, s) = j \cdot q + s)"
    )


# ---------------------------------------------------------------- the ellipsis written out
@pytest.mark.parametrize(
    ("spec", "shapes"),
    [
        ("...ij,jk->...ik", [(2, 3, 4), (4, 5)]),
        ("...ij,...jk", [(2, 3, 4), (4, 5)]),  # implicit: the ellipsis axes first
        ("...j,j", [(2, 3, 4), (4,)]),
        ("i...->...", [(2, 3, 4)]),
        ("...,...", [(3, 4), (4,)]),  # right-aligned: the vector takes the last letter
        ("ba...,c", [(2, 3), (4,)]),  # no axes left for the ellipsis
        ("B...a,b", [(2, 3, 4), (3,)]),  # upper-case letters sort first, as NumPy's
        ("...ii->...i", [(2, 3, 3)]),
        ("a...", [(2, 3, 4)]),
    ],
)
def test_the_ellipsis_written_out_is_numpys(spec, shapes):
    from matcalc.einsum_ellipsis import expand_ellipsis

    rng = np.random.default_rng(3)
    arrays = [rng.normal(size=s) for s in shapes]
    written = expand_ellipsis(spec, [len(s) for s in shapes])
    assert "." not in written and "->" in written
    np.testing.assert_allclose(np.einsum(written, *arrays), np.einsum(spec, *arrays))
