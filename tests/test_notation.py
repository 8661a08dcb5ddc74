"""One meaning per symbol (issue 10): the element-wise (Hadamard) product prints `⊙` and
the Kronecker product `⊗` (standard notation), or the tutorial's `⊗` element-wise with the
Kronecker product spelled `kron(A, B)` (`notation="tutorial"`, `--notation tutorial`); no
printed output uses one glyph for both. Comparisons print as typed."""

from __future__ import annotations

import io
import re

import pytest
from helpers import assert_derivative
from test_codegen import _table_rows

import matcalc
from matcalc.cli import ascii_text, run
from matcalc.errors import MatcalcError
from matcalc.render.styles import NOTATIONS, Notation, current_notation, using_notation

# A notation whose glyphs occur nowhere else: printed in it, an output shows exactly where
# (and how often) each product is printed.
PROBE = Notation("probe", "⟦H⟧", "⟦H⟧", "{0} ⟦K⟧ {1}", "{0} ⟦K⟧ {1}")
# what each product looks like in each notation's text and LaTeX
GLYPHS = {
    "standard": {"hadamard": ("⊙", "\\odot"), "kron": ("⊗", "\\otimes")},
    "tutorial": {"hadamard": ("⊗", "\\otimes"), "kron": ("kron(", "\\operatorname{kron}")},
}


def _derivative(query, wrt, shapes, layout):
    if layout == "hessian":
        return matcalc.hessian(query, wrt, shapes=shapes)
    return matcalc.derivative(query, wrt, shapes=shapes, layout=layout)


def _outputs(d) -> dict:
    """Every printed form of a Derivative: text, repr, LaTeX, Jupyter's Markdown, the
    steps as text and as LaTeX."""
    steps = d.steps
    return {
        "str": str(d),
        "repr": repr(d),
        "latex": d.latex(),
        "markdown": d._repr_markdown_(),
        "steps": str(steps),
        "steps-latex": steps.latex(),
    }


def _count(text: str, glyph: str) -> int:
    if glyph.startswith("\\"):  # a TeX control word, not the start of a longer one
        return len(re.findall(re.escape(glyph) + r"(?![A-Za-z])", text))
    return text.count(glyph)


@pytest.mark.parametrize("notation", ["standard", "tutorial"])
@pytest.mark.parametrize("query, wrt, shapes, layout", _table_rows())
def test_no_glyph_means_two_products(query, wrt, shapes, layout, notation):
    """Every output of every row of the tutorial's and the Cookbook's tables: each
    product's glyph occurs exactly as often as that product is printed, so no glyph
    stands for both (a glyph from anywhere else — a rule's name — would be counted too)."""
    d = _derivative(query, wrt, shapes, layout)
    with using_notation(PROBE):
        probed = _outputs(d)
    with using_notation(notation):
        printed = _outputs(d)
    for kind, text in printed.items():
        hadamard, kron = probed[kind].count("⟦H⟧"), probed[kind].count("⟦K⟧")
        # text and LaTeX glyphs (Jupyter's Markdown has both: the math, the text caption)
        forms = {"str": (0,), "repr": (0,), "steps": (0,), "markdown": (0, 1)}.get(kind, (1,))
        glyphs = GLYPHS[notation]
        assert sum(_count(text, glyphs["hadamard"][i]) for i in forms) == hadamard, (kind, text)
        assert sum(_count(text, glyphs["kron"][i]) for i in forms) == kron, (kind, text)
        # the other notation's glyphs never appear with a meaning of their own
        if notation == "standard":
            assert "kron(" not in text and "operatorname{kron}" not in text
        else:
            assert "⊙" not in text and "\\odot" not in text


def test_the_scan_saw_both_products():
    """The scan above is not vacuous: the tables print both products (a linear map of a
    matrix prints a Kronecker product)."""
    kinds = {"hadamard": 0, "kron": 0}
    for p in _table_rows():
        d = _derivative(*p.values)
        with using_notation(PROBE):
            text = str(d)
        kinds["hadamard"] += text.count("⟦H⟧")
        kinds["kron"] += text.count("⟦K⟧")
    assert kinds["hadamard"] > 0 and kinds["kron"] > 0, kinds


# ---------------------------------------------------------------- the tutorial notation
def test_tutorial_notation_prints_the_tutorials_symbols():
    """The derivative of the element-wise product x ⊙ exp(x), both ways, and right three
    ways (printed, central differences, SymPy)."""
    query = "x: vector(n); sum(x * exp(x))"
    assert_derivative(query, "x", "(exp(x) ⊙ (1 + x))ᵀ")
    with using_notation("tutorial"):
        assert_derivative(query, "x", "(exp(x) ⊗ (1 + x))ᵀ")
    d = matcalc.derivative(query, "x", notation="tutorial")
    assert str(d) == "(exp(x) ⊗ (1 + x))ᵀ"  # pinned: whatever the context
    with using_notation("standard"):
        assert str(d) == "(exp(x) ⊗ (1 + x))ᵀ"
        assert "\\exp\\left(x\\right) \\otimes" in d.latex()
        assert "   u₂ = u₁ ⊗ x    (n×1)" in str(d.steps).splitlines()
        assert "\\otimes" in d.steps.latex() and "\\odot" not in d.steps.latex()
    assert current_notation() is NOTATIONS["standard"]


def test_tutorial_notation_spells_the_kronecker_product():
    query = "X: matrix(n, n); A: matrix(n, n); A @ X @ A"
    d = matcalc.derivative(query, "X")
    assert str(d) == "∂vec(AXA)/∂vec(X) = Aᵀ ⊗ A"
    t = matcalc.derivative(query, "X", notation="tutorial")
    assert str(t) == "∂vec(AXA)/∂vec(X) = kron(Aᵀ, A)"
    assert t.latex().endswith("\\operatorname{kron}\\left(A^\\top, A\\right)")
    assert "kron(Aᵀ, A)" in str(t.steps)
    # the same map, evaluated: the notation changes the print only
    import numpy as np

    rng = np.random.default_rng(0)
    values = {"X": rng.normal(size=(3, 3)), "A": rng.normal(size=(3, 3))}
    np.testing.assert_allclose(t.evaluate(values), d.evaluate(values))


def test_hessian_takes_the_notation():
    d = matcalc.hessian("x: vector(n); sum(exp(x) * x)", "x", notation="tutorial")
    assert "⊗" in str(d) and "⊙" not in str(d)


def test_an_unknown_notation_is_a_matcalc_error():
    with pytest.raises(MatcalcError, match="unknown notation 'cookbook'"):
        matcalc.derivative("x^2", "x", notation="cookbook")
    with pytest.raises(MatcalcError):
        with using_notation("ascii"):
            pass


def _call(*argv):
    out, err = io.StringIO(), io.StringIO()
    status = run(list(argv), out=out, err=err)
    return status, out.getvalue(), err.getvalue()


def test_cli_notation_option(capsys):
    assert _call("x: vector(n); sum(x * exp(x))", "--wrt", "x", "--notation", "tutorial") == (
        0,
        "(exp(x) ⊗ (1 + x))ᵀ\n",
        "",
    )
    status, out, _ = _call(
        "X: matrix(n, n); A: matrix(n, n); A @ X @ A", "--wrt", "X", "--notation", "tutorial"
    )
    assert (status, out) == (0, "∂vec(AXA)/∂vec(X) = kron(Aᵀ, A)\n")
    status, out, _ = _call("x: vector(n); sum(x * exp(x))", "--steps", "--notation", "tutorial")
    assert status == 0 and "   u₂ = u₁ ⊗ x    (n×1)" in out.splitlines()
    with pytest.raises(SystemExit) as exit_:  # argparse's usage error, status 2
        _call("x^2", "--notation", "cookbook")
    assert exit_.value.code == 2 and "invalid choice: 'cookbook'" in capsys.readouterr().err


def test_ascii_fallback_spells_each_products_meaning():
    with using_notation("tutorial"):
        assert ascii_text("x ⊗ y + kron(Aᵀ, A)") == "x * y + kron(A^T, A)"
    assert ascii_text("x ⊙ y + Aᵀ ⊗ A") == "x * y + A^T kron A"


def test_verify_takes_the_notation():
    status, out, _ = _call(
        "verify", "x, y: vector(n); d/dx sum(x * y * x) = 2 * x * y", "--notation", "tutorial"
    )
    assert status == 1 and "⊙" not in out


# ---------------------------------------------------------------- comparisons as typed
@pytest.mark.parametrize(
    "query, printed",
    [
        ("r: scalar; (abs(r) < 1) * r^2", "2r(abs(r) < 1)"),
        ("r: scalar; (r <= 1) * r^3", "3r²(r ≤ 1)"),
        ("r: scalar; (1 > abs(r)) * r^2", "2r(1 > abs(r))"),
        ("x: vector(n); sum((x < 0) * x^2)", "2(x ⊙ (x < 0))ᵀ"),
    ],
)
def test_comparisons_print_as_typed(query, printed):
    """`abs(r) < 1` stays `abs(r) < 1` (it printed `1 > abs(r)`); each operator computes
    what it says (central differences) and SymPy agrees."""
    assert_derivative(query, query.split(";")[0].split(":")[0].strip(), printed)
