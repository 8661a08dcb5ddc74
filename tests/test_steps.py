"""`Derivative.steps`: the tutorial's four steps, as text and as LaTeX, for every derivative
the API returns — every row of the tutorial's and the Cookbook's tables (both layouts for
the tutorial's), the Cookbook's Hessians and Hessians by a list of scalars and by a
matrix — each ending in the derivative itself; and the derivations that used to raise
(issue 7)."""

from __future__ import annotations

import re

import pytest
from helpers import assert_derivative

import matcalc
from matcalc.render.latex_names import latex_name, latex_text
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


def _tex_rows(tex: str) -> list[str]:
    """The rows of `steps.latex()`'s `aligned` block."""
    body = tex.split("\\begin{aligned}\n", 1)[1].rsplit("\n\\end{aligned}", 1)[0]
    return [r.removeprefix("& ") for r in re.split(r" \\\\\n(?=& )", body)]


def _tex_dims(a: str, b: str) -> str:
    def dim(x: str) -> str:
        return x if x.isdigit() else latex_name(x) if re.fullmatch(r"[^\W\d]\w*", x) else x

    return f"({dim(a)} \\times {dim(b)})"


def assert_latex_mirrors_text(steps) -> None:
    """The LaTeX steps are the text steps, row for row (one list of rows, two writers):
    the same numbered headings (the read-off's and the layout change's among them), each
    equation's shape and rule, each rewrite named; ASCII only (MathJax)."""
    text, tex = str(steps).splitlines(), steps.latex()
    rows = _tex_rows(tex)
    assert tex.isascii()
    assert len(rows) == len(text), (text, rows)
    for line, row in zip(text, rows):
        heading = re.match(r"(\d+)\. (.*)", line)
        if heading:
            words = heading[2].partition(": ")[0] if " ⇒ " in heading[2] else heading[2]
            assert row.startswith(f"\\text{{{heading[1]}. {latex_text(words)}"), (line, row)
            if " ⇒ " in heading[2]:  # the read-off's rule, typeset beside its heading
                assert "\\Rightarrow" in row and "\\mathrm{d}" in row, row
            continue
        assert not re.match(r"\\text\{\d+\. ", row), (line, row)  # no heading of its own
        note = re.search(r"    \((\S+)×(\S+)\)(    \[([^\]]+)\])?$", line)
        if note:  # an equation's shape (and rule) beside it
            tail = _tex_dims(note[1], note[2])
            if note[4]:
                tail += f"\\quad \\text{{[{latex_text(note[4])}]}}"
            assert row.endswith(tail), (line, row)
        elif re.search(r"    \[([^\]]+)\]$", line):  # a rule alone: a rewrite or a differential
            rule = re.search(r"    \[([^\]]+)\]$", line)[1]
            assert row.endswith(f"\\quad \\text{{[{latex_text(rule)}]}}"), (line, row)
            if line.startswith("     "):  # a rewrite, under the equation it tidied
                assert row.startswith("\\qquad\\qquad "), row


def _derivative(query, wrt, shapes, layout):
    if layout == "hessian":
        return matcalc.hessian(query, wrt, shapes=shapes)
    return matcalc.derivative(query, wrt, shapes=shapes, layout=layout)


def _sections(lines: list[str]) -> list[list[str]]:
    """The numbered steps of each derivation: [[heading, its lines…], …] per derivation."""
    out: list = []
    for line in lines:
        if line.startswith("1. "):
            out.append([])
        if re.match(r"\d+\. ", line):
            out[-1].append([line])
        elif line.startswith("   ") and out and out[-1]:
            out[-1][-1].append(line)
    return out


@pytest.mark.parametrize("query, wrt, shapes, layout", _rows())
def test_steps_end_in_the_derivative(query, wrt, shapes, layout):
    d = _derivative(query, wrt, shapes, layout)
    text = str(d.steps)
    assert repr(d.steps) == text  # plain text in a terminal and in IPython
    lines = text.splitlines()
    assert lines[0].startswith("Hessian of " if d.function is not None else "∂/∂")
    for derivation in _sections(lines):  # numbered 1, 2, … and no section left empty
        assert [int(s[0].split(".")[0]) for s in derivation] == list(range(1, len(derivation) + 1))
        assert all(len(s) > 1 for s in derivation), derivation
    assert not re.search(r"(∂\S+/∂\S+) = \1 ", text)  # a one-link chain is written once
    last = lines[-1]
    if len(d.wrt) > 1:
        assert last == f"Stacked: {d}"
    elif d.result is None:
        assert last == f"   {d}"
    else:
        note = r"(    \(\S+×\S+\))?(    \[[^\]]+\])?"
        assert re.fullmatch(rf"   (d.* ⇒  )?∂\S+/∂\S+ = (.* = )?{re.escape(str(d))}{note}", last), (
            last
        )
    tex = d.steps.latex()
    assert tex.startswith("$$\n\\begin{aligned}\n") and tex.endswith("\n\\end{aligned}\n$$")
    assert_latex_mirrors_text(d.steps)
    if d.result is not None:  # the derivative as `d.latex()` names it (render.names)
        naming = d.naming if len(d.wrt) == 1 else None
        assert (naming.latex(d.result) if naming else latex_of(d.result)) in tex.splitlines()[-3]


# ---------------------------------------------------------------- what used to raise
def test_a_matrix_scaled_by_the_variable():
    """A·c by c: the tangent is A (a ShapeError: `A @ 1`, before)."""
    d = matcalc.derivative("A: matrix(m, n); c: scalar; A * c", "c")
    assert str(d.steps).splitlines()[1:] == [
        "1. Intermediate variables",
        "   y = cA    (m×n)",
        "2. Their derivatives",
        "   ∂y/∂c = A    (m×n)    [product rule]",
    ]
    assert "\\frac{\\partial y}{\\partial c} = A" in d.steps.latex()


def test_a_matrix_by_a_vector_ends_in_its_differential():
    """Σ/‖u‖ by u is a third-order array: the steps end in the differential the result
    prints (the read-off was asked for a Jacobian of a matrix: a ShapeError, `Σ @ uᵀ`,
    before; found by fuzz seed 1, case 240)."""
    d = matcalc.derivative("Σ: symmetric(3); u: vector(3); Σ / norm(u)", "u")
    lines = str(d.steps).splitlines()
    assert lines[-2:] == ["4. Written as a linear map", f"   {d}"]
    assert str(d) == "d(Σ/‖u‖) = −(u·du)Σ/‖u‖³"
    assert (
        d.steps.latex()
        .rstrip()
        .removesuffix("$$")
        .rstrip()
        .endswith(d.latex() + "\n\\end{aligned}")
    )


def test_a_scalar_expanded_over_a_matrix_then_summed():
    """sum(P + b) by b: ∂u₁/∂b is the matrix of ones, and the sum has no matrix-form
    derivative by a matrix, so the chain is shown as the differential (a ShapeError
    `1 1ᵀ @ 1`, before)."""
    d = matcalc.derivative("P: matrix(m, n); b: scalar; sum(P + b)", "b")
    text = str(d.steps)
    assert re.search(r"\n   ∂u₁/∂b = 1 1ᵀ +\(m×n\)    \[sum rule\]\n", text)
    assert re.search(r"\n   dy = sum\(du₁\) +\[sum reduction\]\n", text)
    assert "   dy = mn db\n4. Read off the derivative: dy = t db ⇒ ∂y/∂b = t\n" in text
    assert text.splitlines()[-1] == "   dy = mn db  ⇒  ∂y/∂b = mn    (1×1)"
    assert "\\mathrm{d}y = m n db" in d.steps.latex()


def test_tangent_of_a_matrix_function_by_a_scalar():
    d = matcalc.derivative("z: scalar; X: matrix(m, n); exp(z * X)", "z")
    text = str(d.steps)
    assert re.search(r"\n   ∂u₁/∂z = X +\(m×n\)    \[product rule\]\n", text)
    assert text.splitlines()[-1] == f"   dy = dz({d})  ⇒  ∂y/∂z = {d}    (m×n)"


def test_a_one_link_chain_is_written_once():
    d = matcalc.derivative("3*x", "x")
    text = str(d.steps)
    assert text.splitlines()[-2:] == [
        "2. Their derivatives",
        "   ∂y/∂x = 3    (1×1)    [constant rule]",
    ]
    assert text.count("∂y/∂x") == 1
    tex = d.steps.latex()
    assert "\\frac{\\partial y}{\\partial x} = \\frac{\\partial y}{\\partial x}" not in tex
    # a longer chain still names its links
    assert "∂y/∂u₁ ∂u₁/∂x = " in str(matcalc.derivative("sin(x^2)", "x").steps)


def test_the_requested_layout_ends_the_steps():
    """The steps work in numerator layout; a layout change is a named last step (it was
    the numerator form under a "(denominator layout)" heading)."""
    d = matcalc.derivative("w, x: vector(n); w @ x", "w", layout="denominator")
    assert str(d.steps).splitlines()[-3:] == [
        "   ∂y/∂w = xᵀ    (1×n)    [product rule (matrix product)]",
        "3. Changed to the denominator layout: the transpose",
        "   ∂y/∂w = x    (n×1)",
    ]
    assert _tex_rows(d.steps.latex())[-2:] == [
        "\\text{3. Changed to the denominator layout: the transpose}",
        "\\qquad \\frac{\\partial y}{\\partial w} = x\\quad (n \\times 1)",
    ]
    # with named rewrites: the numerator result they reach, then the layout's
    d = matcalc.derivative("w, x: vector(n); sum(w * x)", "w", layout="mixed")
    assert str(d.steps).splitlines()[-5:] == [
        "4. Simplified",
        "     1ᵀdiag(x) = xᵀ    [ones-diag]",
        "   ∂y/∂w = xᵀ    (1×n)",
        "5. Changed to the mixed layout: the transpose",
        "   ∂y/∂w = x    (n×1)",
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
    assert text.splitlines()[-1] == "   ∂y/∂α = uᵀ + 1    (1×n)"
    assert "uᵀ" in d.steps.latex() or "u^\\top" in d.steps.latex()


# ---------------------------------------------------------------- steps that teach (issue 10)
def _steps_of(query, wrt, expected_result, layout="numerator"):
    """The derivative is right three ways (printed, central differences, SymPy); its
    steps as printed."""
    d = assert_derivative(query, wrt, expected_result, layout=layout)
    assert repr(d.steps) == str(d.steps)  # plain text: a terminal, IPython without %load_ext
    assert_latex_mirrors_text(d.steps)  # and the LaTeX the same rows
    return str(d.steps).splitlines()


def test_steps_of_a_constant_multiple():
    """A one-link chain prints its derivative once, labelled with the constant rule."""
    assert _steps_of("x: scalar; 3*x", "x", "3") == [
        "∂/∂x of 3x   (numerator layout)",
        "1. Intermediate variables",
        "   y = 3x    (1×1)",
        "2. Their derivatives",
        "   ∂y/∂x = 3    (1×1)    [constant rule]",
    ]
    assert _steps_of("x: vector(n); -x/2", "x", "−I/2")[-1] == (
        "   ∂y/∂x = −I/2    (n×n)    [constant rule]"
    )


def test_steps_of_the_neuron_show_each_shape():
    """The vector chain: each intermediate, each local derivative and each factor of the
    chain with its shape."""
    assert _steps_of("w, x: vector(n); b: scalar; max(0, w @ x + b)", "w", "(w·x + b > 0)xᵀ") == [
        "∂/∂w of max(0, w·x + b)   (numerator layout)",
        "1. Intermediate variables",
        "   u₁ = w·x          (1×1)",
        "   u₂ = u₁ + b       (1×1)",
        "   y = max(0, u₂)    (1×1)",
        "2. Their derivatives",
        "   ∂u₁/∂w = xᵀ          (1×n)    [product rule (matrix product)]",
        "   ∂u₂/∂u₁ = 1          (1×1)    [sum rule]",
        "   ∂y/∂u₂ = (u₂ > 0)    (1×1)    [max rule (ReLU)]",
        "3. Combined by the vector chain rule",
        "   shapes: ∂y/∂u₂: 1×1, ∂u₂/∂u₁: 1×1, ∂u₁/∂w: 1×n  →  ∂y/∂w: 1×n",
        "   ∂y/∂w = ∂y/∂u₂ ∂u₂/∂u₁ ∂u₁/∂w = (u₂ > 0)xᵀ    (1×n)",
        "4. Substituted back and simplified",
        "   ∂y/∂w = (w·x + b > 0)xᵀ    (1×n)",
    ]


def test_steps_of_a_matrix_gradient_read_off_by_the_trace_trick():
    assert _steps_of("X: matrix(m, n); a: vector(m); b: vector(n); a @ X @ b", "X", "abᵀ") == [
        "∂/∂X of aᵀXb   (numerator layout)",
        "1. Intermediate variables",
        "   y = aᵀXb    (1×1)",
        "2. Their derivatives",
        "   dy = aᵀdX b    [product rule (matrix product)]",
        "3. Read off the gradient by the trace trick: dy = tr(Gᵀ dX) ⇒ ∂y/∂X = G",
        "   dy = tr(baᵀdX)  ⇒  ∂y/∂X = abᵀ    (m×n)",
    ]
    # a longer chain: the differential combined, then read off and simplified
    lines = _steps_of("X: matrix(n, n); A: matrix(n, n); trace(A @ X @ X)", "X", "(AX + XA)ᵀ")
    assert lines[-7:] == [
        "3. Combined by the vector chain rule",
        "   dy = tr(A dX X + AX dX)",
        "4. Read off the gradient by the trace trick: dy = tr(Gᵀ dX) ⇒ ∂y/∂X = G",
        "   dy = tr((AX + XA)dX)  ⇒  ∂y/∂X = XᵀAᵀ + AᵀXᵀ    (n×n)",
        "5. Simplified",
        "     XᵀAᵀ + AᵀXᵀ = (AX + XA)ᵀ    [gather-transpose]",
        "   ∂y/∂X = (AX + XA)ᵀ    (n×n)",
    ]


def test_a_layout_change_is_a_named_step():
    lines = _steps_of("w, x: vector(n); b: scalar; w @ x + b", "w", "x", layout="denominator")
    assert lines[-5:] == [
        "3. Combined by the vector chain rule",
        "   shapes: ∂y/∂u₁: 1×1, ∂u₁/∂w: 1×n  →  ∂y/∂w: 1×n",
        "   ∂y/∂w = ∂y/∂u₁ ∂u₁/∂w = xᵀ    (1×n)",
        "4. Changed to the denominator layout: the transpose",
        "   ∂y/∂w = x    (n×1)",
    ]


def test_a_constants_steps_have_no_empty_sections():
    assert _steps_of("x: vector(n); 7", "x", "0ᵀ") == [
        "∂/∂x of 7   (numerator layout)",
        "   y = 7 does not depend on x",
        "   ∂y/∂x = 0ᵀ    (1×n)    [constant rule]",
    ]
    assert _steps_of("x: vector(n); x", "x", "I")[1:] == [
        "   y = x, the variable itself",
        "   ∂y/∂x = I    (n×n)    [identity]",
    ]


def test_every_rewrite_is_named_on_the_steps_path():
    """Each rewrite the steps apply is listed: those of a local derivative under it, those
    of the substituted chain in the last step (1ᵀdiag(x) = xᵀ, not a silent change)."""
    lines = _steps_of("w, x: vector(n); sum(w * x)", "w", "xᵀ")
    assert lines[-4:] == [
        "   ∂y/∂w = ∂y/∂u₁ ∂u₁/∂w = 1ᵀdiag(x)    (1×n)",
        "4. Simplified",
        "     1ᵀdiag(x) = xᵀ    [ones-diag]",
        "   ∂y/∂w = xᵀ    (1×n)",
    ]
    lines = _steps_of("x: vector(n); B: matrix(n, n); x @ B @ x", "x", "xᵀ(Bᵀ + B)")
    assert lines[-4:] == [
        "   ∂y/∂x = xᵀBᵀ + xᵀB    (1×n)    [product rule (matrix product)]",
        "3. Simplified",
        "     xᵀBᵀ + xᵀB = xᵀ(Bᵀ + B)    [common-factor]",
        "   ∂y/∂x = xᵀ(Bᵀ + B)    (1×n)",
    ]


def test_the_results_symbol_names_no_variable():
    """∇(3x) by [x, y]: the result is f in both derivations (it was y, the variable, by y)."""
    text = str(matcalc.derivative("x: scalar; y: scalar; 3*x", ["x", "y"]).steps)
    assert text.splitlines()[-3:] == [
        "   f = 3x does not depend on y",
        "   ∂f/∂y = 0    (1×1)    [constant rule]",
        "Stacked: [3, 0]ᵀ",
    ]
    assert "   f = 3x    (1×1)" in text.splitlines()


# ---------------------------------------------------------------- the same steps in LaTeX
CE = "W: matrix(k, n); x: vector(n); y: vector(k); -sum(y * log(softmax(W @ x)))"
TEACHING = [  # (query, by, printed result, layout)
    ("x: scalar; 3*x", "x", "3", "numerator"),
    ("w, x: vector(n); b: scalar; max(0, w @ x + b)", "w", "(w·x + b > 0)xᵀ", "numerator"),
    ("X: matrix(m, n); a: vector(m); b: vector(n); a @ X @ b", "X", "abᵀ", "numerator"),
    ("w, x: vector(n); b: scalar; w @ x + b", "w", "x", "denominator"),
    (CE, "W", "(sum(y)s − y)xᵀ  where s = softmax(Wx)", "numerator"),
]


def test_latex_steps_of_a_constant_multiple():
    d = assert_derivative(*TEACHING[0][:3])
    assert _tex_rows(d.steps.latex())[-2:] == [
        "\\text{2. Their derivatives}",
        "\\qquad \\frac{\\partial y}{\\partial x} = 3\\quad (1 \\times 1)\\quad "
        "\\text{[constant rule]}",
    ]  # a one-link chain once: no step 3 repeating it
    assert_latex_mirrors_text(d.steps)


def test_latex_steps_of_the_neuron_show_each_shape():
    d = assert_derivative(*TEACHING[1][:3])
    rows = _tex_rows(d.steps.latex())
    assert "\\qquad u_{1} = w \\cdot x\\quad (1 \\times 1)" in rows
    assert (
        "\\qquad \\text{shapes: }\\frac{\\partial y}{\\partial u_{2}}\\colon 1 \\times 1,\\ "
        "\\frac{\\partial u_{2}}{\\partial u_{1}}\\colon 1 \\times 1,\\ "
        "\\frac{\\partial u_{1}}{\\partial w}\\colon 1 \\times n \\;\\to\\; "
        "\\frac{\\partial y}{\\partial w}\\colon 1 \\times n"
    ) in rows
    assert_latex_mirrors_text(d.steps)


def test_latex_steps_read_a_matrix_gradient_off_by_the_trace_trick():
    d = assert_derivative(*TEACHING[2][:3])
    assert _tex_rows(d.steps.latex())[-2:] == [
        "\\text{3. Read off the gradient by the trace trick}\\colon\\ \\mathrm{d}y = "
        "\\operatorname{tr}\\left(G^\\top \\mathrm{d}X\\right) \\;\\Rightarrow\\; "
        "\\frac{\\partial y}{\\partial X} = G",
        f"\\qquad \\mathrm{{d}}y = {latex_of(d.steps.derivations[0].read_off[1])} "
        "\\;\\Rightarrow\\; \\frac{\\partial y}{\\partial X} = a b^\\top\\quad (m \\times n)",
    ]
    assert_latex_mirrors_text(d.steps)


def test_latex_steps_change_the_layout_in_a_numbered_step():
    d = assert_derivative(*TEACHING[3][:3], layout="denominator")
    assert _tex_rows(d.steps.latex())[-2:] == [
        "\\text{4. Changed to the denominator layout: the transpose}",
        "\\qquad \\frac{\\partial y}{\\partial w} = x\\quad (n \\times 1)",
    ]
    assert_latex_mirrors_text(d.steps)


def test_latex_steps_end_in_the_named_result():
    d = assert_derivative(*TEACHING[4][:3])
    last = _tex_rows(d.steps.latex())[-1]
    assert last == (
        f"\\qquad \\frac{{\\partial f}}{{\\partial W}} = {d.naming.latex(d.result)} \\quad "
        f"{d.naming.where_latex()}\\quad (k \\times n)"
    )
    assert "s" in d.naming.names.values() and "softmax" in last
    assert str(d.steps).splitlines()[-1].endswith("where s = softmax(Wx)    (k×n)")
    assert_latex_mirrors_text(d.steps)


def test_the_teaching_steps_latex_compiles_with_pdflatex():
    from test_latex import failing_formulas

    formulas = [
        (f"{q} by {w} steps.latex()", _derivative(q, w, None, layout).steps.latex())
        for q, w, _, layout in TEACHING
    ]
    assert failing_formulas(formulas) == []
