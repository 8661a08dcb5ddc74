"""`Derivative.steps`: the tutorial's four steps, as text and as LaTeX, for every derivative
the API returns — every row of the tutorial's and the Cookbook's tables (both layouts for
the tutorial's), the Cookbook's Hessians and Hessians by a list of scalars and by a
matrix — each ending in the derivative itself; and the derivations that used to raise
(issue 7)."""

from __future__ import annotations

import pytest

import matcalc
from matcalc.render.text import latex as latex_of

MORE_HESSIANS = [
    ("x*y", ["x", "y"]),
    ("x*y*z + x^2 + sin(y)*z", ["x", "y", "z"]),
    ("X: matrix(n, n); trace(X @ X)", "X"),
    ("X: matrix(n, n); det(X)", "X"),
]


def _rows():
    """Every row of the tutorial's and Cookbook's tables (test_codegen's list) and more
    Hessians."""
    from test_codegen import _table_rows

    return _table_rows() + [
        pytest.param(q, w, None, "hessian", id=f"hessian-{q}-by-{w}") for q, w in MORE_HESSIANS
    ]


def _derivative(query, wrt, shapes, layout):
    if layout == "hessian":
        return matcalc.hessian(query, wrt, shapes=shapes)
    return matcalc.derivative(query, wrt, shapes=shapes, layout=layout)


@pytest.mark.parametrize("query, wrt, shapes, layout", _rows())
def test_steps_end_in_the_derivative(query, wrt, shapes, layout):
    d = _derivative(query, wrt, shapes, layout)
    lines = str(d.steps).splitlines()
    assert lines[0].startswith("Hessian of " if d.function is not None else "∂/∂")
    headings = [line[:2] for line in lines if line[:2] in ("1.", "2.", "3.", "4.")]
    assert headings == ["1.", "2.", "3.", "4."] * len(d.derivations)
    last = lines[-1]
    if len(d.wrt) > 1:
        assert last == f"Stacked: {d}"
    elif d.result is None:
        assert last == f"   {d}"
    else:
        assert last.endswith((f" = {d}", f" = {d}    [{d.layout} layout]"))
    tex = d.steps.latex()
    assert tex.startswith("$$\n\\begin{aligned}\n") and tex.endswith("\n\\end{aligned}\n$$")
    if d.result is not None:  # the derivative as `d.latex()` names it (render.names)
        naming = d.naming if len(d.wrt) == 1 else None
        assert (naming.latex(d.result) if naming else latex_of(d.result)) in tex.splitlines()[-3]


# ---------------------------------------------------------------- what used to raise
def test_a_matrix_scaled_by_the_variable():
    """A·c by c: the tangent is A (a ShapeError: `A @ 1`, before)."""
    d = matcalc.derivative("A: matrix(m, n); c: scalar; A * c", "c")
    assert str(d.steps).splitlines()[1:] == [
        "1. Intermediate variables",
        "   y = cA",
        "2. Their derivatives",
        "   ∂y/∂c = A    [product rule]",
        "3. Combined by the vector chain rule",
        "   ∂y/∂c = A",
        "4. Substituted back and simplified",
        "   ∂y/∂c = A",
    ]
    assert "\\frac{\\partial y}{\\partial c} = A" in d.steps.latex()


def test_a_scalar_expanded_over_a_matrix_then_summed():
    """sum(P + b) by b: ∂u₁/∂b is the matrix of ones, and the sum has no matrix-form
    derivative by a matrix, so the chain is shown as the differential (a ShapeError
    `1 1ᵀ @ 1`, before)."""
    d = matcalc.derivative("P: matrix(m, n); b: scalar; sum(P + b)", "b")
    text = str(d.steps)
    assert "   ∂u₁/∂b = 1 1ᵀ    [sum rule]" in text
    assert "   dy = sum(du₁)    [sum reduction]" in text
    assert "   dy = mn db" in text
    assert text.splitlines()[-1] == "   ∂y/∂b = mn"
    assert "\\mathrm{d}y = m n db" in d.steps.latex()


def test_tangent_of_a_matrix_function_by_a_scalar():
    d = matcalc.derivative("z: scalar; X: matrix(m, n); exp(z * X)", "z")
    text = str(d.steps)
    assert "   ∂u₁/∂z = X    [product rule]" in text
    assert text.splitlines()[-1] == f"   ∂y/∂z = {d}"


def test_a_one_link_chain_is_written_once():
    d = matcalc.derivative("3*x", "x")
    text = str(d.steps)
    assert "   ∂y/∂x = 3" in text.splitlines()
    assert "∂y/∂x = ∂y/∂x" not in text
    tex = d.steps.latex()
    assert "\\frac{\\partial y}{\\partial x} = \\frac{\\partial y}{\\partial x}" not in tex
    # a longer chain still names its links
    assert "∂y/∂u₁ ∂u₁/∂x = " in str(matcalc.derivative("sin(x^2)", "x").steps)


def test_the_requested_layout_ends_the_steps():
    """The steps work in numerator layout; the last line is the answer in the layout asked
    for (it was the numerator form under a "(denominator layout)" heading)."""
    d = matcalc.derivative("w, x: vector(n); w @ x", "w", layout="denominator")
    lines = str(d.steps).splitlines()
    assert lines[-2:] == ["   ∂y/∂w = xᵀ", "   ∂y/∂w = x    [denominator layout]"]
    assert (
        "\\frac{\\partial y}{\\partial w} = x\\quad \\text{[denominator layout]}" in d.steps.latex()
    )
    # with named rewrites: the numerator result they reach, then the layout's
    d = matcalc.derivative("w, x: vector(n); sum(w * x)", "w", layout="mixed")
    assert str(d.steps).splitlines()[-3:] == [
        "     1ᵀdiag(x) = xᵀ    [ones-diag]",
        "   ∂y/∂w = xᵀ",
        "   ∂y/∂w = x    [mixed layout]",
    ]


def test_a_linear_map_ends_in_its_own_form():
    d = matcalc.derivative("X: matrix(n, n); X + det(X)", "X")
    assert str(d.steps).splitlines()[-1] == "   d(X + det(X)) = dX + tr(X⁻¹dX)det(X)"


def test_steps_of_a_hessian_by_scalars():
    d = matcalc.hessian("x*y", ["x", "y"])
    text = str(d.steps)
    assert (
        text.splitlines()[0]
        == "Hessian of xy by x, y = ∂/∂x, y of the gradient [y, x]   (numerator layout)"
    )
    assert "— by x —" in text and "— by y —" in text
    assert text.splitlines()[-1] == "Stacked: [[0, 1], [1, 0]]"
    assert (
        d.steps.latex()
        .splitlines()[2]
        .startswith("& \\nabla^{2}_{x, y}\\left(x y\\right) = \\nabla_{x, y}")
    )


def test_an_inline_transpose_beside_a_scalar_term():
    """Found by the fuzzer: `uᵀ + α` by α adds a row term to a column one in the chain; the
    steps read them as one row and end in the derivative."""
    d = matcalc.derivative("u, x: vector(n); α: scalar; transpose(u ⊗ (α - x)) + α", "α")
    assert str(d) == "uᵀ + 1"
    text = str(d.steps)
    assert text.splitlines()[-1] == "   ∂y/∂α = uᵀ + 1ᵀ"
    assert "uᵀ" in d.steps.latex() or "u^\\top" in d.steps.latex()
