"""matcalc in Jupyter (matcalc/jupyter.py): the typeset display of a Derivative and of its
four steps, the numbers the notebooks check with, and the %matcalc / %%matcalc magics in a
real IPython shell."""

from __future__ import annotations

import re

import numpy as np
import pytest
from IPython.core.interactiveshell import InteractiveShell

import matcalc
from matcalc import jupyter
from matcalc.render.latex_names import latex_text
from matcalc.steps import Steps

NEURON = {"w": "vector(n)", "x": "vector(n)", "b": "scalar"}
NEURON_AT = {"w": [0.5, -1.2, 2.0], "x": [1.5, 0.3, -0.7], "b": 0.4}


def neuron(wrt="w", **kw):
    return matcalc.derivative("max(0, w @ x + b)", wrt, shapes=NEURON, **kw)


def assert_mathjax_safe(tex: str):
    """What MathJax needs: ASCII only (no ∂, ᵀ, −, u₁ left over), balanced braces,
    \\left and \\right in pairs, environments closed."""
    assert tex.isascii(), [c for c in tex if not c.isascii()]
    depth = 0
    for c in re.sub(r"\\[{}]", "", tex):
        depth += {"{": 1, "}": -1}.get(c, 0)
        assert depth >= 0, tex
    assert depth == 0, tex
    assert len(re.findall(r"\\left\b", tex)) == len(re.findall(r"\\right\b", tex)), tex
    for env in re.findall(r"\\begin\{(\w+)\}", tex):
        assert tex.count(f"\\begin{{{env}}}") == tex.count(f"\\end{{{env}}}"), env
    assert "\\tr\\left" not in tex  # undefined in MathJax


# ---------------------------------------------------------------- Derivative display
EQUATIONS = [
    # derivative                                                     its display equation
    (
        lambda: neuron(),
        r"$$\frac{\partial}{\partial w}\left(\max\left(0, w \cdot x + b\right)\right) = "
        r"\left(w \cdot x + b > 0\right) x^\top$$",
    ),
    (
        lambda: matcalc.derivative("ln(x^2)", "x"),
        r"$$\frac{\partial}{\partial x}\left(\log\left(x^{2}\right)\right) = \frac{2}{x}$$",
    ),
    (
        lambda: matcalc.hessian("x @ A @ x", "x"),
        r"$$\frac{\partial^{2}}{\partial x^{2}}\left(x^\top A x\right) = A + A^\top$$",
    ),
    (
        lambda: matcalc.derivative("3*x^2*y", ["x", "y"]),
        r"$$\nabla_{x, y}\left(3 x^{2} y\right) = "
        r"\begin{bmatrix} 6 x y \\ 3 x^{2} \end{bmatrix}^\top$$",
    ),
    (
        lambda: matcalc.derivative("A @ X @ B", "X"),
        r"$$\frac{\partial \operatorname{vec}(A X B)}{\partial \operatorname{vec}(X)} = "
        r"B^\top \otimes A$$",
    ),
    (
        lambda: matcalc.derivative("w, x: vector(n); sum(w * x)", "w", layout="denominator"),
        r"$$\frac{\partial}{\partial w}\left(\operatorname{sum}\left(w \odot x\right)\right) = x"
        r" \quad \text{(denominator layout)}$$",
    ),
    (
        lambda: matcalc.derivative("trace(A @ X @ B)", "X"),
        r"$$\frac{\partial}{\partial X}\left(\operatorname{tr}\left(A X B\right)\right) = "
        r"A^\top B^\top$$",
    ),
]


EQUATION_IDS = ["neuron", "scalar", "hessian", "stacked", "kronecker", "denominator", "trace"]


@pytest.mark.parametrize("make, expected", EQUATIONS, ids=EQUATION_IDS)
def test_derivative_latex(make, expected):
    d = make()
    assert jupyter.derivative_latex(d) == expected
    assert d._repr_latex_() == expected
    assert_mathjax_safe(expected)


@pytest.mark.parametrize("make, expected", EQUATIONS, ids=EQUATION_IDS)
def test_derivative_markdown_is_the_equation_and_the_text_form(make, expected):
    d = make()
    md = jupyter.derivative_markdown(d)
    equation = expected.replace(r" \quad \text{(denominator layout)}", "")
    assert md.startswith(equation + "\n\n")
    assert md.endswith(f"layout:* `{d}`")
    assert d._repr_markdown_() == md


def test_markdown_caption_names_the_kind():
    assert "*gradient, numerator layout:*" in neuron()._repr_markdown_()
    assert "*Hessian," in matcalc.hessian("x @ A @ x", "x")._repr_markdown_()
    assert "*Jacobian," in matcalc.derivative("[3*x^2*y, 2*x + y^8]", ["x", "y"])._repr_markdown_()
    assert (
        "*derivative, mixed layout:*"
        in matcalc.derivative("x^3", "x", layout="mixed")._repr_markdown_()
    )


# ---------------------------------------------------------------- the four steps
def test_steps_latex_are_the_texts_steps():
    """The neuron's vector chain: the rows of the text steps (numbered headings, each
    intermediate, local derivative and factor with its shape, each rule), typeset."""
    tex = jupyter.steps_latex(neuron().steps)
    assert tex == "\n".join(
        [
            r"$$",
            r"\begin{aligned}",
            r"& \frac{\partial}{\partial w}\left(\max\left(0, w \cdot x + b\right)\right) \\",
            r"& \text{1. Intermediate variables} \\",
            r"& \qquad u_{1} = w \cdot x\quad (1 \times 1) \\",
            r"& \qquad u_{2} = u_{1} + b\quad (1 \times 1) \\",
            r"& \qquad y = \max\left(0, u_{2}\right)\quad (1 \times 1) \\",
            r"& \text{2. Their derivatives} \\",
            r"& \qquad \frac{\partial u_{1}}{\partial w} = x^\top\quad (1 \times n)\quad "
            r"\text{[product rule (matrix product)]} \\",
            r"& \qquad \frac{\partial u_{2}}{\partial u_{1}} = 1\quad (1 \times 1)\quad "
            r"\text{[sum rule]} \\",
            r"& \qquad \frac{\partial y}{\partial u_{2}} = \left(u_{2} > 0\right)\quad "
            r"(1 \times 1)\quad \text{[max rule (ReLU)]} \\",
            r"& \text{3. Combined by the vector chain rule} \\",
            r"& \qquad \text{shapes: }\frac{\partial y}{\partial u_{2}}\colon 1 \times 1,\ "
            r"\frac{\partial u_{2}}{\partial u_{1}}\colon 1 \times 1,\ "
            r"\frac{\partial u_{1}}{\partial w}\colon 1 \times n \;\to\; "
            r"\frac{\partial y}{\partial w}\colon 1 \times n \\",
            r"& \qquad \frac{\partial y}{\partial w} = \frac{\partial y}{\partial u_{2}} "
            r"\frac{\partial u_{2}}{\partial u_{1}} \frac{\partial u_{1}}{\partial w} = "
            r"\left(u_{2} > 0\right) x^\top\quad (1 \times n) \\",
            r"& \text{4. Substituted back and simplified} \\",
            r"& \qquad \frac{\partial y}{\partial w} = \left(w \cdot x + b > 0\right) x^\top"
            r"\quad (1 \times n)",
            r"\end{aligned}",
            r"$$",
        ]
    )


def test_steps_latex_shows_each_rewrite_and_the_result():
    tex = jupyter.steps_latex(matcalc.derivative("w, x: vector(n); sum(w * x)", "w").steps)
    assert (
        r"& \qquad\qquad \mathbf{1}^\top \operatorname{diag}\left(x\right) = x^\top\quad "
        r"\text{[ones-diag]} \\"
    ) in tex
    assert tex.endswith(
        "\\frac{\\partial y}{\\partial w} = x^\\top\\quad (1 \\times n)\n\\end{aligned}\n$$"
    )


def test_steps_latex_total_derivative_sums_the_paths():
    tex = jupyter.steps_latex(matcalc.derivative("x + x^2", "x").steps)
    assert r"\text{3. Combined by the single-variable total-derivative chain rule}" in tex
    assert (
        r"\frac{\partial y}{\partial x} = \left(\frac{\partial y}{\partial x} + "
        r"\frac{\partial y}{\partial u_{1}} \frac{\partial u_{1}}{\partial x}\right)"
    ) in tex


STEPS_CASES = [
    lambda: neuron(),
    lambda: neuron("b", layout="denominator"),
    lambda: matcalc.derivative("ln(sin(x^3)^2)", "x"),
    lambda: matcalc.derivative("[3*x^2*y, 2*x + y^8]", ["x", "y"]),
    lambda: matcalc.derivative("[ln(x^2), sin(3*x)]", "x"),
    lambda: matcalc.derivative("x: scalar; 99", "x"),
    lambda: matcalc.derivative(
        "X: matrix(N, n); y: vector(N); w: vector(n); b: scalar; mean((y - max(0, X @ w + b))^2)",
        "w",
    ),
    lambda: matcalc.hessian("x @ A @ x", "x"),
    lambda: matcalc.derivative("A @ X @ B", "X"),
    lambda: matcalc.derivative("X.T @ X", "X"),
    lambda: matcalc.derivative("log(det(X))", "X"),
    lambda: matcalc.derivative("trace(A @ X @ B)", "X"),
    lambda: matcalc.derivative("x: vector(n); softmax(x)", "x"),
]


@pytest.mark.parametrize("make", STEPS_CASES)
def test_steps_latex_is_mathjax_safe_with_every_heading(make):
    d = make()
    tex = jupyter.steps_latex(d.steps)
    assert tex.startswith("$$\n\\begin{aligned}\n") and tex.endswith("\n\\end{aligned}\n$$")
    assert_mathjax_safe(tex)
    # the text's numbered headings, each typeset (the steps are one list of rows)
    headings = re.findall(r"^(\d+)\. ([^:\n]+)", str(d.steps), re.M)
    assert len(re.findall(r"\\text\{\d+\. ", tex)) == len(headings)  # none for a constant
    for number, words in headings:
        assert f"\\text{{{number}. {latex_text(words)}" in tex
    assert jupyter.steps_markdown(d.steps) == tex


def test_steps_of_a_hessian_say_it_is_the_jacobian_of_the_gradient():
    tex = jupyter.steps_latex(matcalc.hessian("x @ A @ x", "x").steps)
    assert (
        r"& \frac{\partial^{2}}{\partial x^{2}}\left(x^\top A x\right) = "
        r"\frac{\partial}{\partial x}\left(\left(A + A^\top\right) x\right) \\"
    ) in tex


def test_steps_of_a_linear_map_end_with_its_kronecker_form():
    tex = jupyter.steps_latex(matcalc.derivative("A @ X @ B", "X").steps)
    assert r"\mathrm{d}y = A dX B" in tex
    assert tex.endswith(
        r"\frac{\partial \operatorname{vec}(A X B)}"
        r"{\partial \operatorname{vec}(X)} = B^\top \otimes A" + "\n\\end{aligned}\n$$"
    )


# ---------------------------------------------------------------- numbers
def test_value_is_the_differentiated_expression():
    d = neuron()
    assert jupyter.value(d, NEURON_AT) == pytest.approx(max(0, 0.75 - 0.36 - 1.4 + 0.4))
    h = matcalc.hessian("x @ A @ x", "x")
    A, x = np.arange(9.0).reshape(3, 3), np.array([1.0, -2.0, 0.5])
    np.testing.assert_allclose(jupyter.value(h, {"A": A, "x": x}), (A + A.T) @ x)


@pytest.mark.parametrize(
    "d, at",
    [
        (neuron(), {"w": [0.5, -1.2, 2.0], "x": [1.5, 0.3, 0.7], "b": 0.4}),
        (neuron(layout="denominator"), {"w": [0.5, -1.2, 2.0], "x": [1.5, 0.3, 0.7], "b": 0.4}),
        (matcalc.derivative("[3*x^2*y, 2*x + y^8]", ["x", "y"]), {"x": 1.3, "y": -0.7}),
        (
            matcalc.derivative("[3*x^2*y, 2*x + y^8]", ["x", "y"], layout="denominator"),
            {"x": 1.3, "y": -0.7},
        ),
        (matcalc.derivative("A @ x", "A"), {"A": np.arange(6.0).reshape(2, 3), "x": [1, 2, 3]}),
        (
            matcalc.derivative("A @ x", "A", layout="denominator"),
            {"A": np.arange(6.0).reshape(2, 3), "x": [1, 2, 3]},
        ),
    ],
)
def test_finite_differences_agree_with_evaluate_in_every_layout(d, at):
    got = jupyter.finite_differences(d, at)
    want = np.asarray(d.evaluate(at))
    assert got.shape == want.shape
    np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-8)


def test_finite_differences_see_a_wrong_derivative():
    d = matcalc.derivative("x^3", "x")
    assert jupyter.finite_differences(d, {"x": 2.0}) == pytest.approx(12.0, rel=1e-7)
    assert jupyter.finite_differences(d, {"x": 2.0}) != pytest.approx(3 * 2.0, rel=1e-3)


# ---------------------------------------------------------------- the IPython extension
@pytest.fixture(scope="module")
def shell():
    ip = InteractiveShell.instance()
    ip.run_line_magic("load_ext", "matcalc")
    return ip


def run(shell, source):
    result = shell.run_cell(source, store_history=False)
    assert result.error_before_exec is None and result.error_in_exec is None, result
    return result.result


def test_load_ext_registers_both_magics(shell):
    magics = shell.magics_manager.magics
    assert "matcalc" in magics["line"] and "matcalc" in magics["cell"]


def test_line_magic_returns_the_derivative(shell):
    d = run(shell, "%matcalc 'max(0, w @ x + b)' --wrt w --vector w,x --scalar b")
    assert isinstance(d, matcalc.Derivative)
    assert str(d) == "(w·x + b > 0)xᵀ"
    data, _ = shell.display_formatter.format(d)
    assert data["text/latex"] == jupyter.derivative_latex(d)
    assert data["text/markdown"] == jupyter.derivative_markdown(d)


def test_line_magic_assigns_and_defaults_wrt_to_the_only_variable(shell):
    run(shell, "d = %matcalc 'ln(sin(x^3)^2)'")
    assert str(shell.user_ns["d"]) == "6x²cos(x³)/sin(x³)"


def test_line_magic_steps_are_typeset(shell):
    steps = run(shell, "%matcalc 'max(0, w @ x + b)' --wrt w --vector w,x --scalar b --steps")
    assert isinstance(steps, Steps)
    data, _ = shell.display_formatter.format(steps)
    assert data["text/latex"] == jupyter.steps_latex(steps)
    assert data["text/markdown"] == jupyter.steps_markdown(steps)
    assert "\\text{1. Intermediate variables}" in data["text/latex"]


def test_line_magic_hessian_layout_and_stacked(shell):
    assert str(run(shell, "%matcalc 'x @ A @ x' --wrt x --hessian")) == "A + Aᵀ"
    assert str(run(shell, "%matcalc 'w @ x' --wrt w --layout denominator")) == "x"
    assert str(run(shell, "%matcalc '[3*x^2*y, 2*x + y^8]' --wrt x,y")) == "[[6xy, 3x²], [2, 8y⁷]]"


def test_cell_magic_reads_a_multi_line_query(shell, capsys):
    d = run(
        shell,
        "%%matcalc --wrt w --check\n"
        "w, x: vector(n)\n"
        "b: scalar      # the bias\n"
        "\n"
        "max(0, w @ x + b)\n",
    )
    assert str(d) == "(w·x + b > 0)xᵀ"
    assert d.variables["b"].shape.is_scalar
    assert "SymPy check passed" in capsys.readouterr().out


def test_cell_magic_query_may_start_with_a_minus(shell):
    assert str(run(shell, "%%matcalc --wrt x\n-x^2\n")) == "−2x"


def test_latex_option_prints_the_source(shell, capsys):
    assert run(shell, "%matcalc 'x @ A @ x' --wrt x --hessian --latex") is None
    assert capsys.readouterr().out.strip() == "A + A^\\top"
    assert run(shell, "%matcalc 'ln(x^2)' --steps --latex") is None
    assert capsys.readouterr().out.startswith("$$\n\\begin{aligned}")


def test_emit_option_prints_the_code(shell, capsys):
    assert run(shell, "%matcalc 'x^2' --emit numpy") is None
    assert "def f(x):" in capsys.readouterr().out


@pytest.mark.parametrize(
    "source, message",
    [
        (
            "%matcalc 'A: matrix(m,n); x: vector(k); A @ x' --wrt x",
            "shape error at line 1, column 33: @ needs as many columns on the left as rows on the "
            "right: A is a matrix(m, n) and x is a vector(k)\n"
            "  A: matrix(m,n); x: vector(k); A @ x\n"
            "                                  ^\n",
        ),
        ("%%matcalc --wrt x\nx: vector(n)\nx +* 2\n", "syntax error at line 2, column"),
        ("%matcalc 'x @ y' --wrt z", "name error: 'z' does not appear in the expression"),
        ("%matcalc 'x * y'", "error: say which variable to differentiate by"),
        ("%matcalc 'x^2", "error: No closing quotation"),
    ],
)
def test_errors_are_located_messages_not_tracebacks(shell, capsys, source, message):
    assert run(shell, source) is None
    captured = capsys.readouterr()
    assert message in captured.err
    assert "Traceback" not in captured.err + captured.out


def test_usage_errors_do_not_leave_the_kernel(shell, capsys):
    assert run(shell, "%matcalc 'x^2' --bogus") is None
    assert "%matcalc: error: unrecognized arguments: --bogus" in capsys.readouterr().err
    assert run(shell, "%matcalc --help") is None
    assert "usage: %matcalc" in capsys.readouterr().out


def test_verify_returns_the_report_shown_as_text(shell):
    report = run(shell, "%matcalc verify 'x: vector(n); z: scalar; d/dz (x + z) = I'")
    assert report.correct is False
    data, _ = shell.display_formatter.format(report)
    assert data["text/plain"] == str(report)
    assert data["text/plain"].startswith("✗ wrong shape")


def test_verify_cell_magic(shell):
    report = run(shell, "%%matcalc verify\nx: vector(n)\nz: scalar\nd/dz (x + z) = ones\n")
    assert report.correct is True
    assert str(report).startswith("✓ correct: ∂(x + z)/∂z = 1")


def test_verify_bad_claim_is_a_located_message(shell, capsys):
    assert run(shell, "%matcalc verify 'd/du3 u5 = 1/u3'") is None
    err = capsys.readouterr().err
    assert "name error at line 1, column 4: 'u3' does not appear in the expression" in err
    assert "Traceback" not in err
