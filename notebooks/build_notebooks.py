"""Writes the tutorial notebooks of this folder, one per section of "The Matrix Calculus You
Need For Deep Learning" (Parr & Howard), from the cells below:

    python notebooks/build_notebooks.py            # (re)write every .ipynb
    python notebooks/build_notebooks.py --check    # exit 1 if a committed one differs

The notebooks are written without outputs (run them in Jupyter, or let
tests/test_notebooks.py run them); cell ids are fixed, so the files are reproducible.
Every worked example is computed by matcalc, shown with its four steps, asserted equal to
central finite differences, and cross-checked by SymPy (`d.check()`).
"""

from __future__ import annotations

import sys
from pathlib import Path
from textwrap import dedent

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = Path(__file__).resolve().parent

SETUP = '''\
%load_ext matcalc
import numpy as np
import matcalc
from matcalc.jupyter import finite_differences, value


def numerically_right(d, at, rtol=1e-5, atol=1e-7):
    """d.evaluate(at) agrees with central finite differences of the expression at `at`."""
    return np.allclose(d.evaluate(at), finite_differences(d, at), rtol=rtol, atol=atol)'''

PLOTS = "import matplotlib.pyplot as plt"


# ---------------------------------------------------------------- cell makers
def md(text: str):
    return new_markdown_cell(dedent(text).strip())


def code(source: str):
    return new_code_cell(dedent(source).strip())


def example(
    query: str,
    wrt,
    at: str,
    *,
    shapes: str | None = None,
    hessian: bool = False,
    layout: str | None = None,
    check: str = "d.check()",
    show_steps: bool = True,
):
    """One worked example: derive, assert against finite differences, SymPy-check, show."""
    call = "matcalc.hessian" if hessian else "matcalc.derivative"
    args = [repr(query), repr(wrt)]
    args.append('notation="tutorial"')  # the tutorial's ⊗ for the element-wise product
    if shapes:
        args.append(f"shapes={shapes}")
    if layout:
        args.append(f"layout={layout!r}")
    lines = [
        f"d = {call}({', '.join(args)})",
        f"assert numerically_right(d, {at})",
        f"print({check})",
        "display(d)",
    ]
    if show_steps:
        lines.append("d.steps")
    return new_code_cell("\n".join(lines))


def notebook(title: str, cells: list, plots: bool = False):
    setup = SETUP + ("\n" + PLOTS if plots else "")
    nb = new_notebook(cells=[md(title), code(setup)] + cells)
    nb.nbformat, nb.nbformat_minor = 4, 5  # fixed: a newer nbformat writes the same
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.metadata["language_info"] = {"name": "python"}
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{i:02d}"
    return nb


# ---------------------------------------------------------------- 01
def scalar_rules():
    return notebook(
        """
        # 1. Review: the scalar derivative rules

        The tutorial starts from the rules of single-variable calculus, because every
        matrix rule later is built from them. matcalc applies the same rules, names the one
        it used at each step, and shows its work in the tutorial's four steps (intermediate
        variables, their derivatives, the chain rule, substitution).

        Every example below is checked two independent ways: `numerically_right` compares
        `d.evaluate` with central finite differences of the expression, and `d.check()`
        lets SymPy differentiate the components itself and proves the results equal.
        """,
        [
            md(
                "**Constant.** The derivative of a constant is 0: $\\frac{d}{dx}99 = 0$. "
                "(`x` has to be declared, since `99` does not mention it.)"
            ),
            example("x: scalar; 99", "x", '{"x": 1.3}'),
            md(
                "**Multiplication by a constant:** $\\frac{d}{dx}cf = c\\frac{df}{dx}$, so "
                "$\\frac{d}{dx}3x = 3$."
            ),
            example("3*x", "x", '{"x": 1.3}'),
            md("**Power rule:** $\\frac{d}{dx}x^n = nx^{n-1}$, so $\\frac{d}{dx}x^3 = 3x^2$."),
            example("x^3", "x", '{"x": 1.3}'),
            md(
                "**Sum rule:** the derivative of a sum is the sum of the derivatives: "
                "$\\frac{d}{dx}(x^2 + 3x) = 2x + 3$."
            ),
            example("x^2 + 3*x", "x", '{"x": 1.3}'),
            md(
                "**Product rule:** $\\frac{d}{dx}fg = f\\frac{dg}{dx} + g\\frac{df}{dx}$: "
                "$\\frac{d}{dx}x^2x = x^2 + x\\cdot 2x = 3x^2$. matcalc's algebra already "
                "merges $x^2 x$ into $x^3$, so the power rule finishes it."
            ),
            example("x^2 * x", "x", '{"x": 1.3}'),
            md(
                "**Chain rule:** $\\frac{d}{dx}f(g(x)) = \\frac{df(u)}{du}\\frac{du}{dx}$ with "
                "$u = g(x)$: $\\frac{d}{dx}\\ln(x^2) = \\frac{1}{x^2}2x = \\frac{2}{x}$. The "
                "steps introduce $u_1 = x^2$ exactly as the tutorial does."
            ),
            example("ln(x^2)", "x", '{"x": 1.3}'),
            md(
                "**Factoring out a constant** keeps the result as simple as the tutorial's: "
                "$\\frac{d}{dx}9(x + x^2) = 9(1 + 2x)$."
            ),
            example("9*(x + x^2)", "x", '{"x": 1.3}'),
            md("""
            ## The derivative is the slope

            `d.evaluate` gives numbers: here the slope of $x^3$ at a few points, drawn as
            tangent lines. Each tangent touches the curve and has the slope $3x^2$.
            """),
            code("""
            d = matcalc.derivative("x^3", "x", notation="tutorial")
            xs = np.linspace(-1.5, 1.5, 200)
            fig, ax = plt.subplots(figsize=(5, 3.5))
            ax.plot(xs, xs**3, label="$x^3$")
            for x0 in (-1.0, 0.4, 1.1):
                slope = float(d.evaluate({"x": x0}))
                assert np.isclose(slope, 3 * x0**2)
                ax.plot(xs, x0**3 + slope * (xs - x0), "--", lw=1, label=f"slope {slope:.2f} at {x0}")
            ax.set_ylim(-3.5, 3.5)
            ax.legend(fontsize=8)
            ax.set_title("tangents with slope d.evaluate({'x': x0})");
            """),
            md("""
            ## The same from the `%matcalc` magic

            `%load_ext matcalc` (run in the first cell) adds a line magic and a cell magic
            that take what the `matcalc` command line takes. A cell magic reads its query
            from the cell, declarations on their own lines; a mistake is reported with its
            line, column and a caret, not a traceback.
            """),
            code("%matcalc 'ln(x^2)' --steps --notation tutorial"),
            code("""
            %%matcalc --wrt w --check --notation tutorial
            w, x: vector(n)
            b: scalar
            max(0, w @ x + b)    # the neuron of section 6
            """),
            code("%matcalc 'A: matrix(m, n); x: vector(k); A @ x' --wrt x --notation tutorial"),
        ],
        plots=True,
    )


# ---------------------------------------------------------------- 02
def jacobians():
    return notebook(
        """
        # 2. Partial derivatives, the gradient and the Jacobian

        With more than one parameter, each one gets its own *partial* derivative: the
        others are held constant. Stacking the partials of a function gives its
        **gradient**; stacking the gradients of several functions gives the **Jacobian**.
        The tutorial uses the *numerator layout*: the gradient is a row, and the Jacobian
        of $m$ functions of $n$ parameters is an $m \\times n$ matrix.
        """,
        [
            md(
                "$\\frac{\\partial}{\\partial x}3x^2y = 3y\\frac{\\partial}{\\partial x}x^2 = "
                "6xy$, treating $y$ as a constant:"
            ),
            example("3*x^2*y", "x", '{"x": 1.3, "y": -0.7}'),
            md("and $\\frac{\\partial}{\\partial y}3x^2y = 3x^2$:"),
            example("3*x^2*y", "y", '{"x": 1.3, "y": -0.7}'),
            md("""
            **The gradient** $\\nabla f(x, y) = \\left[\\frac{\\partial f}{\\partial x},
            \\frac{\\partial f}{\\partial y}\\right] = [6yx, 3x^2]$: pass a *list* of scalar
            variables. In matcalc's notation `[a, b]` is a column, so the row gradient
            prints as `[6xy, 3x²]ᵀ`; the steps show each partial on its own.
            """),
            example("3*x^2*y", ["x", "y"], '{"x": 1.3, "y": -0.7}'),
            md("""
            **The Jacobian** of $f(x, y) = 3x^2y$ and $g(x, y) = 2x + y^8$ stacks their
            gradients as rows:
            $J = \\begin{bmatrix}\\nabla f \\\\ \\nabla g\\end{bmatrix}
               = \\begin{bmatrix}6yx & 3x^2 \\\\ 2 & 8y^7\\end{bmatrix}$.
            """),
            example("[3*x^2*y, 2*x + y^8]", ["x", "y"], '{"x": 1.3, "y": -0.7}'),
            md("""
            The *denominator layout* (used by some papers) is the transpose; `evaluate`
            then puts the parameter's axis first.
            """),
            code("""
            J = matcalc.derivative("[3*x^2*y, 2*x + y^8]", ["x", "y"], notation="tutorial")
            Jt = matcalc.derivative("[3*x^2*y, 2*x + y^8]", ["x", "y"], layout="denominator", notation="tutorial")
            at = {"x": 1.3, "y": -0.7}
            assert numerically_right(Jt, at)
            assert np.allclose(Jt.evaluate(at), J.evaluate(at).T)
            display(Jt)
            J.evaluate(at), Jt.evaluate(at)
            """),
            md("""
            **The identity.** With vectors, $\\mathbf{y} = \\mathbf{f}(\\mathbf{x}) =
            \\mathbf{x}$ has $y_i = x_i$, so $\\frac{\\partial y_i}{\\partial x_j}$ is 1 on
            the diagonal and 0 elsewhere: the Jacobian is $I$.
            """),
            example("x: vector(n); x", "x", '{"x": [0.5, -1.0, 2.0, 0.3]}'),
            md("""
            ## The gradient points uphill

            The gradient of $f(x, y) = 3x^2y$ evaluated on a grid (`d.evaluate`), drawn as
            arrows over the contours of $f$ (`value`): every arrow crosses the contours at a
            right angle, towards larger $f$.
            """),
            code("""
            grad = matcalc.derivative("3*x^2*y", ["x", "y"], notation="tutorial")
            fx, fy = np.meshgrid(np.linspace(-1, 1, 61), np.linspace(-1, 1, 61))
            F = np.array([[value(grad, {"x": x, "y": y}) for x, y in zip(rx, ry)]
                          for rx, ry in zip(fx, fy)])
            xs, ys = np.meshgrid(np.linspace(-1, 1, 13), np.linspace(-1, 1, 13))
            G = np.array([[grad.evaluate({"x": x, "y": y}) for x, y in zip(rx, ry)]
                          for rx, ry in zip(xs, ys)])
            assert np.allclose(F, 3 * fx**2 * fy)
            assert np.allclose(G[..., 0], 6 * xs * ys) and np.allclose(G[..., 1], 3 * xs**2)
            fig, ax = plt.subplots(figsize=(4.5, 4))
            ax.contour(fx, fy, F, levels=np.linspace(-3, 3, 25), cmap="viridis")
            ax.quiver(xs, ys, G[..., 0], G[..., 1], color="tab:red")
            ax.set_xlabel("x"); ax.set_ylabel("y")
            ax.set_title("$\\\\nabla(3x^2y)$ over the contours of $3x^2y$");
            """),
        ],
        plots=True,
    )


# ---------------------------------------------------------------- 03
WX_AT = '{"w": [0.5, -1.2, 2.0, 0.8], "x": [1.5, 0.3, -0.7, 1.1]}'


def elementwise():
    intro = """
        # 3. Derivatives of element-wise binary operators

        An element-wise operator applies a scalar operator to each pair of elements:
        $\\mathbf{y} = \\mathbf{f}(\\mathbf{w}) \\bigcirc \\mathbf{g}(\\mathbf{x})$ with
        $y_i = f_i(\\mathbf{w}) \\bigcirc g_i(\\mathbf{x})$. The Jacobian is in general a
        full matrix, but when $f_i$ depends only on $w_i$ and $g_i$ only on $x_i$ (the
        tutorial's *diagonal condition*) every off-diagonal entry is zero, and
        $\\frac{\\partial \\mathbf{y}}{\\partial \\mathbf{w}} =
        \\operatorname{diag}\\left(\\frac{\\partial (f_i \\bigcirc g_i)}{\\partial w_i}\\right)$.

        Like the tutorial, these notebooks write $\\otimes$ (`*`) for the element-wise
        product and $\\oslash$ (`/`) for the element-wise division: every derivative is
        asked for with `notation="tutorial"` (`--notation tutorial` for the magics).
        Without it matcalc writes the element-wise product $\\odot$, as Goodfellow et al.
        and the Matrix Cookbook do, and keeps $\\otimes$ for the Kronecker product.
        """
    cells = []
    table = [
        ("w + x", "I", "I"),
        ("w - x", "I", "-I"),
        ("w * x", "diag(x)", "diag(w)"),
        ("w / x", "diag(1 ⊘ x)", "diag(−w ⊘ x²)"),
    ]
    for op, by_w, by_x in table:
        cells.append(
            md(
                f"`{op}`: by $\\mathbf{{w}}$ the tutorial finds `{by_w}`, by "
                f"$\\mathbf{{x}}$ `{by_x}`."
            )
        )
        for wrt in ("w", "x"):
            cells.append(example(f"w, x: vector(n); {op}", wrt, WX_AT))
    cells += [
        md("""
            ## Diagonal, as the rule says

            At $n = 4$ the evaluated Jacobians of all four operators are diagonal matrices:
            only $\\partial y_i / \\partial w_i$ can be non-zero.
            """),
        code(f"""
            at = {WX_AT}
            for op in ("w + x", "w - x", "w * x", "w / x"):
                for wrt in ("w", "x"):
                    J = matcalc.derivative("w, x: vector(n); " + op, wrt, notation="tutorial").evaluate(at)
                    assert np.allclose(J, np.diag(np.diag(J))), (op, wrt)
            matcalc.derivative("w, x: vector(n); w / x", "x", notation="tutorial").evaluate(at).round(3)
            """),
        md("""
            Without the diagonal condition the Jacobian fills in: here each $y_i$ depends on
            every $w_j$ through $\\operatorname{sum}(\\mathbf{w})$.
            """),
        example("w, x: vector(n); sum(w) * x", "w", WX_AT),
    ]
    return notebook(intro, cells)


# ---------------------------------------------------------------- 04
XZ_AT = '{"x": [0.5, -1.2, 2.0], "z": 1.7}'


def expansion_and_reduction():
    cells = [
        md("""
            ## Scalar expansion

            $\\mathbf{y} = \\mathbf{x} + z$ adds the scalar $z$ to every element: it is
            really $\\mathbf{x} + \\mathbf{1}z$, the scalar *expanded* to a vector. By
            $\\mathbf{x}$ that is the identity, as before. By $z$, each
            $\\frac{\\partial y_i}{\\partial z} = 1$, and there is one $y_i$ per element: the
            derivative is the **column vector** $\\mathbf{1}$, not the matrix $I$.
            """),
        example("x: vector(n); z: scalar; x + z", "x", XZ_AT),
        example("x: vector(n); z: scalar; x + z", "z", XZ_AT),
        md(
            "$\\mathbf{y} = \\mathbf{x}z$: by $\\mathbf{x}$ the diagonal $Iz$ (matcalc "
            "writes $zI$), by $z$ the vector $\\mathbf{x}$ itself."
        ),
        example("x: vector(n); z: scalar; x * z", "x", XZ_AT),
        example("x: vector(n); z: scalar; x * z", "z", XZ_AT),
        md(
            "The tutorial's reference table adds the other operators: "
            "$\\mathbf{x} - z$, $z - \\mathbf{x}$, $\\mathbf{x} / z$ and $z / \\mathbf{x}$."
        ),
        code(f"""
            at = {XZ_AT}
            for query in ("x - z", "z - x", "x / z", "z / x"):
                for wrt in ("x", "z"):
                    d = matcalc.derivative("x: vector(n); z: scalar; " + query, wrt, notation="tutorial")
                    assert numerically_right(d, at), (query, wrt)
                    d.check()
                    print(f"∂({{query}})/∂{{wrt}} = {{d}}")
            """),
        md("""
            ## Sum reduction

            $y = \\operatorname{sum}(\\mathbf{f}(\\mathbf{x})) = \\sum_i f_i(\\mathbf{x})$
            reduces a vector to a scalar. Its derivative is a row (a scalar by a vector, in
            numerator layout): for $\\operatorname{sum}(\\mathbf{x})$ each partial is 1, so
            $\\mathbf{1}^\\top$.
            """),
        example("x: vector(n); sum(x)", "x", '{"x": [0.5, -1.2, 2.0]}'),
        md(
            "$\\operatorname{sum}(\\mathbf{x}z)$: by $\\mathbf{x}$ a row of $z$'s, "
            "$z\\mathbf{1}^\\top$; by $z$ the sum of the elements."
        ),
        example("x: vector(n); z: scalar; sum(x * z)", "x", XZ_AT),
        example("x: vector(n); z: scalar; sum(x * z)", "z", XZ_AT),
        md("""
            ## The dot product

            $\\mathbf{w} \\cdot \\mathbf{x} = \\operatorname{sum}(\\mathbf{w} \\otimes
            \\mathbf{x})$: an element-wise product, then a sum reduction. The chain rule
            gives $\\mathbf{1}^\\top \\operatorname{diag}(\\mathbf{x})$, which simplifies to
            $\\mathbf{x}^\\top$ — the named rewrite `ones-diag` in step 4.
            """),
        example(
            "w, x: vector(n); sum(w * x)", "w", '{"w": [0.5, -1.2, 2.0], "x": [1.5, 0.3, -0.7]}'
        ),
        md(
            "Written with `@` (or `·`) the dot product is one node, and matcalc reads "
            "$\\mathbf{x}^\\top$ off directly; by $\\mathbf{x}$ it is $\\mathbf{w}^\\top$."
        ),
        example("w, x: vector(n); w @ x", "w", '{"w": [0.5, -1.2, 2.0], "x": [1.5, 0.3, -0.7]}'),
        example("w, x: vector(n); w @ x", "x", '{"w": [0.5, -1.2, 2.0], "x": [1.5, 0.3, -0.7]}'),
        md(
            "Adding the bias $b$ changes nothing by $\\mathbf{w}$, and by $b$ gives 1: the "
            "affine function $z = \\mathbf{w}\\cdot\\mathbf{x} + b$ of the neuron."
        ),
        example(
            "w, x: vector(n); b: scalar; w @ x + b",
            "w",
            '{"w": [0.5, -1.2, 2.0], "x": [1.5, 0.3, -0.7], "b": 0.4}',
        ),
        example(
            "w, x: vector(n); b: scalar; w @ x + b",
            "b",
            '{"w": [0.5, -1.2, 2.0], "x": [1.5, 0.3, -0.7], "b": 0.4}',
        ),
    ]
    return notebook(
        """
        # 4. Scalar expansion and sum reduction

        Two operations hide in ordinary vector code: adding or multiplying a scalar to a
        vector (the scalar is *expanded*), and summing a vector to a scalar (*reduction*).
        matcalc keeps both explicit, so their derivatives have the right shapes: a column
        $\\mathbf{1}$ where a scalar was expanded, a row $\\mathbf{1}^\\top$ where a vector
        was summed.
        """,
        cells,
    )


# ---------------------------------------------------------------- 05
def chain_rules():
    return notebook(
        """
        # 5. The chain rules

        The chain rule is what makes nested expressions tractable. The tutorial's recipe,
        which matcalc's steps follow:

        1. introduce intermediate variables $u_1, u_2, \\ldots$ for the nested
           subexpressions;
        2. differentiate each with respect to its own parameter;
        3. combine the derivatives with the chain rule;
        4. substitute the definitions back and simplify.
        """,
        [
            md("""
            ## The single-variable chain rule

            $\\frac{dy}{dx} = \\frac{dy}{du}\\frac{du}{dx}$: for $\\sin(x^2)$, $u = x^2$ and
            $\\frac{dy}{dx} = \\cos(u)\\,2x = 2x\\cos(x^2)$.
            """),
            example("sin(x^2)", "x", '{"x": 0.8}'),
            md("""
            The tutorial's longer example, $y = \\ln(\\sin(x^3)^2)$, needs four links:
            $u_1 = x^3$, $u_2 = \\sin(u_1)$, $u_3 = u_2^2$, $y = \\ln(u_3)$. Multiplying the
            four local derivatives and substituting back gives
            $\\frac{6x^2\\cos(x^3)}{\\sin(x^3)}$.
            """),
            example("ln(sin(x^3)^2)", "x", '{"x": 0.8}'),
            md("""
            ## The total-derivative chain rule

            When $x$ reaches $y$ along more than one path, the single-variable rule is not
            enough: the derivative sums over every path,
            $\\frac{dy}{dx} = \\frac{\\partial y}{\\partial x} + \\sum_i
            \\frac{\\partial y}{\\partial u_i}\\frac{du_i}{dx}$. For $y = x + x^2$ with
            $u_1 = x^2$: $\\frac{dy}{dx} = 1 + 2x$. The steps name this rule.
            """),
            example("x + x^2", "x", '{"x": 0.8}'),
            example("sin(x + x^2)", "x", '{"x": 0.8}'),
            md(
                "$y = x \\cdot x^2$: the product rule along both paths, $x^2 + 2x^2 = 3x^2$ "
                "(matcalc's algebra merges the product to $x^3$ first)."
            ),
            example("x * x^2", "x", '{"x": 0.8}'),
            md("""
            ## The vector chain rule

            For a vector of functions, $\\frac{\\partial}{\\partial x}\\mathbf{f}(\\mathbf{g}(x))
            = \\frac{\\partial \\mathbf{f}}{\\partial \\mathbf{g}}
            \\frac{\\partial \\mathbf{g}}{\\partial x}$: the Jacobians multiply. With the
            scalar $x$ and $\\mathbf{y} = [\\ln(x^2), \\sin(3x)]$ the result is the column
            $\\left[\\frac{2}{x}, 3\\cos(3x)\\right]^\\top$.
            """),
            example("[ln(x^2), sin(3*x)]", "x", '{"x": 0.8}'),
            md("""
            When both $\\mathbf{f}$ and $\\mathbf{g}$ are element-wise, both Jacobians are
            diagonal and so is their product:
            $\\frac{\\partial}{\\partial \\mathbf{x}} e^{\\sin(\\mathbf{x})} =
            \\operatorname{diag}(e^{\\sin(\\mathbf{x})} \\otimes \\cos(\\mathbf{x}))$.
            """),
            example("x: vector(n); exp(sin(x))", "x", '{"x": [0.3, -1.1, 2.0]}'),
            md("""
            ## Every path counted

            The derivative of $\\sin(x + x^2)$ from `d.evaluate` on a grid, against central
            differences of the function: the total-derivative factor $(1 + 2x)$ is what
            makes them agree.
            """),
            code("""
            d = matcalc.derivative("sin(x + x^2)", "x", notation="tutorial")
            xs = np.linspace(-2, 1.5, 300)
            slope = np.array([float(d.evaluate({"x": x})) for x in xs])
            f = np.sin(xs + xs**2)
            assert np.allclose(slope, np.cos(xs + xs**2) * (1 + 2 * xs))
            assert np.allclose(slope[1:-1], (f[2:] - f[:-2]) / (xs[2] - xs[0]), atol=0.05)
            fig, ax = plt.subplots(figsize=(5, 3.5))
            ax.plot(xs, f, label="$\\\\sin(x + x^2)$")
            ax.plot(xs, slope, label="matcalc: $\\\\cos(x + x^2)(1 + 2x)$")
            ax.axhline(0, color="gray", lw=0.5)
            ax.legend(fontsize=8);
            """),
        ],
        plots=True,
    )


# ---------------------------------------------------------------- 06
NEURON = '{"w": [0.5, -1.2, 2.0], "x": [1.5, 0.3, -0.7], "b": 0.4}'
NEURON_OFF = '{"w": [0.5, -1.2, 2.0], "x": [-1.5, 0.3, -0.7], "b": 0.4}'


def neuron():
    return notebook(
        """
        # 6. The gradient of the neuron activation

        A neuron computes an affine function of its input and clips it at zero:
        $\\text{activation}(\\mathbf{x}) = \\max(0, \\mathbf{w}\\cdot\\mathbf{x} + b)$.
        Training needs its derivatives by the weights $\\mathbf{w}$ and the bias $b$. With
        $z = \\mathbf{w}\\cdot\\mathbf{x} + b$, the derivative of $\\max(0, z)$ is the step
        function: 0 where $z \\le 0$, 1 where $z > 0$ — matcalc writes it $(z > 0)$.
        """,
        [
            md("""
            ## The ReLU and its derivative

            $\\frac{d}{dz}\\max(0, z) = (z > 0)$: a step. Both evaluated by matcalc on a grid
            (which skips $z = 0$, where the derivative does not exist).
            """),
            code("""
            relu = matcalc.derivative("max(0, z)", "z", notation="tutorial")
            zs = np.linspace(-2, 2, 400)
            step = np.array([float(relu.evaluate({"z": z})) for z in zs])
            activation = np.array([float(value(relu, {"z": z})) for z in zs])
            assert np.array_equal(step, (zs > 0).astype(float))
            fig, ax = plt.subplots(figsize=(5, 3.2))
            ax.plot(zs, activation, label="$\\\\max(0, z)$")
            ax.plot(zs, step, label="$\\\\frac{d}{dz}\\\\max(0, z) = (z > 0)$")
            ax.legend()
            display(relu)
            relu.steps
            """),
            md("""
            ## By the weights

            The chain rule through $z$: $\\frac{\\partial}{\\partial \\mathbf{w}} =
            \\frac{\\partial \\max(0, z)}{\\partial z}\\frac{\\partial z}{\\partial \\mathbf{w}}
            = (z > 0)\\,\\mathbf{x}^\\top$: $\\mathbf{0}^\\top$ where the neuron is off,
            $\\mathbf{x}^\\top$ where it is on. Checked at a point where it is on …
            """),
            example("w, x: vector(n); b: scalar; max(0, w @ x + b)", "w", NEURON),
            md("… and where it is off (the gradient is zero there):"),
            code(f"""
            d = matcalc.derivative("w, x: vector(n); b: scalar; max(0, w @ x + b)", "w", notation="tutorial")
            off = {NEURON_OFF}
            assert numerically_right(d, off)
            assert np.all(d.evaluate(off) == 0)
            d.evaluate(off)
            """),
            md("## By the bias: $(z > 0)$"),
            example("w, x: vector(n); b: scalar; max(0, w @ x + b)", "b", NEURON),
            md("""
            Applied to a whole vector, $\\max(0, \\mathbf{x})$ is element-wise, so its
            Jacobian is diagonal: $\\operatorname{diag}(\\mathbf{x} > 0)$, the 0/1 step of
            each element.
            """),
            example("x: vector(n); max(0, x)", "x", '{"x": [0.5, -1.2, 2.0, -0.3]}'),
            md("""
            ## The augmented form

            Folding the bias into the weights, $\\hat{\\mathbf{w}} = [\\mathbf{w}^\\top, b]^\\top$
            and $\\hat{\\mathbf{x}} = [\\mathbf{x}^\\top, 1]^\\top$, gives
            $\\mathbf{w}\\cdot\\mathbf{x} + b = \\hat{\\mathbf{w}}\\cdot\\hat{\\mathbf{x}}$,
            and one gradient for both: $(\\hat z > 0)\\,\\hat{\\mathbf{x}}^\\top$. Its last
            entry is the bias derivative.
            """),
            code(f"""
            d = matcalc.derivative("w_hat, x_hat: vector(n); max(0, w_hat @ x_hat)", "w_hat", notation="tutorial")
            at = {NEURON}
            hat = {{"w_hat": at["w"] + [at["b"]], "x_hat": at["x"] + [1.0]}}
            assert numerically_right(d, hat)
            by_w = matcalc.derivative("w, x: vector(n); b: scalar; max(0, w @ x + b)", "w", notation="tutorial")
            by_b = matcalc.derivative("w, x: vector(n); b: scalar; max(0, w @ x + b)", "b", notation="tutorial")
            assert np.allclose(d.evaluate(hat), np.append(by_w.evaluate(at), by_b.evaluate(at)))
            print(d.check())
            d
            """),
        ],
        plots=True,
    )


# ---------------------------------------------------------------- 07
LOSS = "X: matrix(N, n); y: vector(N); w: vector(n); b: scalar; mean((y - max(0, X @ w + b))^2)"


def loss():
    return notebook(
        """
        # 7. The gradient of the neural network loss

        Training fits $\\mathbf{w}$ and $b$ to $N$ samples $\\mathbf{x}_i$ (the rows of
        $X$) with targets $y_i$, minimising the mean squared error of the neuron:
        $$L = \\frac{1}{N}\\sum_{i=1}^N \\left(y_i - \\max(0, \\mathbf{w}\\cdot\\mathbf{x}_i
        + b)\\right)^2 \\quad\\text{— in matcalc:}\\quad
        \\operatorname{mean}\\left((\\mathbf{y} - \\max(0, X\\mathbf{w} + b))^2\\right).$$
        With $z_i = \\mathbf{w}\\cdot\\mathbf{x}_i + b$ and the error $e_i = z_i - y_i$, the
        tutorial finds $\\frac{\\partial L}{\\partial \\mathbf{w}} = \\frac{2}{N}\\sum_{z_i > 0}
        e_i\\mathbf{x}_i^\\top$: in matrix form
        $\\frac{2}{N}(\\mathbf{e} \\otimes (\\mathbf{z} > 0))^\\top X$. Note that the
        condition $z_i > 0$ belongs to each sample, inside the sum.
        """,
        [
            code("""
            rng = np.random.default_rng(7)
            N, n = 8, 3
            X = rng.normal(size=(N, n))
            y = np.maximum(0, X @ [1.0, -2.0, 0.5] + 0.3) + 0.1 * rng.normal(size=N)
            at = {"X": X, "y": y, "w": [0.4, -1.5, 0.8], "b": 0.2}
            z = X @ at["w"] + at["b"]
            print("active samples (z > 0):", int((z > 0).sum()), "of", N)
            """),
            md("## By the weights"),
            example(LOSS, "w", "at"),
            md("The same, written as the tutorial's sum over the active samples:"),
            code("""
            d = matcalc.derivative("X: matrix(N, n); y: vector(N); w: vector(n); b: scalar; "
                                   "mean((y - max(0, X @ w + b))^2)", "w", notation="tutorial")
            e = z - y
            by_hand = 2 / N * sum(e[i] * X[i] for i in range(N) if z[i] > 0)
            assert np.allclose(d.evaluate(at), by_hand)
            by_hand
            """),
            md("## By the bias: $\\frac{2}{N}\\sum_{z_i > 0} e_i$"),
            example(LOSS, "b", "at"),
            code("""
            d = matcalc.derivative("X: matrix(N, n); y: vector(N); w: vector(n); b: scalar; "
                                   "mean((y - max(0, X @ w + b))^2)", "b", notation="tutorial")
            assert np.isclose(d.evaluate(at), 2 / N * e[z > 0].sum())
            """),
            md("""
            ## The loss surface of a two-weight neuron

            With two inputs the loss is a surface over $(w_1, w_2)$ (the bias held fixed).
            `value` gives the loss and `d.evaluate` its gradient at every point of a grid;
            the arrows are $-\\nabla L$, the direction gradient descent steps in. The path
            is plain gradient descent from a poor start, every step computed by matcalc.
            """),
            code("""
            query = ("X: matrix(N, n); y: vector(N); w: vector(n); b: scalar; "
                     "mean((y - max(0, X @ w + b))^2)")
            grad = matcalc.derivative(query, "w", notation="tutorial")
            rng = np.random.default_rng(3)
            X2 = rng.normal(size=(40, 2))
            y2 = np.maximum(0, X2 @ [1.5, -1.0] + 0.5)
            data = {"X": X2, "y": y2, "b": 0.5}

            w1, w2 = np.meshgrid(np.linspace(-1, 3, 25), np.linspace(-3, 1, 25))
            L = np.zeros_like(w1)
            G = np.zeros(w1.shape + (2,))
            for idx in np.ndindex(w1.shape):
                point = {**data, "w": [w1[idx], w2[idx]]}
                L[idx] = value(grad, point)
                G[idx] = grad.evaluate(point)

            w, path = np.array([-0.5, 0.5]), []
            for _ in range(60):
                path.append((w, float(value(grad, {**data, "w": w}))))
                w = w - 0.5 * grad.evaluate({**data, "w": w})
            losses = [l for _, l in path]
            assert losses[-1] < 0.01 * losses[0], "gradient descent should nearly fit the data"
            assert np.allclose(w, [1.5, -1.0], atol=0.05)

            fig, ax = plt.subplots(figsize=(5.5, 4.5))
            cs = ax.contourf(w1, w2, np.log10(L + 1e-3), levels=20, cmap="viridis")
            fig.colorbar(cs, label="log10 loss")
            ax.quiver(w1, w2, -G[..., 0], -G[..., 1], color="white", alpha=0.7)
            ws = np.array([p for p, _ in path])
            ax.plot(ws[:, 0], ws[:, 1], "o-", color="tab:red", ms=2, label="gradient descent")
            ax.set_xlabel("$w_1$"); ax.set_ylabel("$w_2$"); ax.legend(loc="lower left");
            print(f"loss {losses[0]:.3f} -> {losses[-1]:.5f}, w = {w.round(3)}")
            """),
        ],
        plots=True,
    )


# ---------------------------------------------------------------- 08
def matrices_and_hessians():
    return notebook(
        """
        # 8. Beyond the tutorial: matrices and Hessians

        The same machinery — derivatives as linear maps of the differential, read off in
        matrix notation — covers functions of matrices (the identities of the *Matrix
        Cookbook*) and second derivatives. For a scalar function of a matrix the derivative
        is shaped like the matrix; a matrix by a matrix is a 4th-order tensor, printed as a
        Kronecker product of `vec`s where that is exact.
        """,
        [
            code("""
            rng = np.random.default_rng(0)
            def invertible(n):
                return rng.normal(size=(n, n)) + n * np.eye(n)
            """),
            md("$\\frac{\\partial}{\\partial X}\\ln\\det X = X^{-\\top}$:"),
            example("X: matrix(n, n); log(det(X))", "X", '{"X": invertible(3)}'),
            md("$\\frac{\\partial}{\\partial X}\\operatorname{tr}(AXB) = A^\\top B^\\top$:"),
            example(
                "trace(A @ X @ B)",
                "X",
                '{"A": rng.normal(size=(2, 3)), "X": rng.normal(size=(3, 4)), '
                '"B": rng.normal(size=(4, 2))}',
            ),
            md(
                "$\\frac{\\partial}{\\partial X}\\mathbf{a}^\\top X\\mathbf{b} = "
                "\\mathbf{a}\\mathbf{b}^\\top$:"
            ),
            example(
                "a @ X @ b",
                "X",
                '{"a": [0.5, -1.0, 2.0], "X": rng.normal(size=(3, 2)), "b": [1.5, 0.3]}',
            ),
            md("""
            $AXB$ by $X$ is a linear map from matrices to matrices:
            $\\frac{\\partial \\operatorname{vec}(AXB)}{\\partial \\operatorname{vec}(X)} =
            B^\\top \\otimes A$ (column-major `vec`), the Kronecker product. In the
            tutorial's notation $\\otimes$ is the element-wise product, so matcalc spells
            this one `kron(Bᵀ, A)`. `evaluate` returns the 4th-order tensor; reshaped, it is
            exactly NumPy's `kron`.
            """),
            code("""
            d = matcalc.derivative("A @ X @ B", "X", notation="tutorial")
            A, X, B = rng.normal(size=(2, 3)), rng.normal(size=(3, 4)), rng.normal(size=(4, 5))
            at = {"A": A, "X": X, "B": B}
            assert numerically_right(d, at)
            T = d.evaluate(at)                                   # (2, 5, 3, 4): output + X
            vec_jacobian = T.transpose(1, 0, 3, 2).reshape(2 * 5, 3 * 4)
            assert np.allclose(vec_jacobian, np.kron(B.T, A))
            print(d.check())
            display(d)
            d.steps
            """),
            md(
                "$\\frac{\\partial \\operatorname{vec}(X^{-1})}{\\partial \\operatorname{vec}(X)} "
                "= -X^{-\\top} \\otimes X^{-1}$ (from $dX^{-1} = -X^{-1}\\,dX\\,X^{-1}$), "
                "printed `−kron(X⁻ᵀ, X⁻¹)`:"
            ),
            code("""
            d = matcalc.derivative("X: matrix(n, n); inv(X)", "X", notation="tutorial")
            X = invertible(3)
            assert numerically_right(d, {"X": X})
            Xi = np.linalg.inv(X)
            assert np.allclose(d.evaluate({"X": X}).transpose(1, 0, 3, 2).reshape(9, 9),
                               np.kron(-Xi.T, Xi))
            print(d.check(n=2))
            d
            """),
            md("""
            When no Kronecker form is exact, the derivative is printed in index notation, as
            for $X^\\top X$:
            """),
            example("X.T @ X", "X", '{"X": rng.normal(size=(3, 2))}', show_steps=False),
            md("""
            ## Softmax and log-sum-exp

            The Jacobian of softmax is $\\operatorname{diag}(\\mathbf{s}) -
            \\mathbf{s}\\mathbf{s}^\\top$ with $\\mathbf{s} = \\operatorname{softmax}(\\mathbf{x})$;
            the gradient of log-sum-exp is softmax itself (a row, in numerator layout).
            """),
            example("x: vector(n); softmax(x)", "x", '{"x": [0.5, -1.2, 2.0, 0.1]}'),
            example("x: vector(n); logsumexp(x)", "x", '{"x": [0.5, -1.2, 2.0, 0.1]}'),
            md("""
            ## Hessians

            `matcalc.hessian` differentiates the gradient (as a column) once more:
            $\\frac{\\partial^2}{\\partial \\mathbf{x}^2}$. The finite differences here are of
            the gradient, and the Hessian of a smooth function must come out symmetric.
            For a quadratic form, $\\frac{\\partial^2}{\\partial \\mathbf{x}^2}
            \\mathbf{x}^\\top A\\mathbf{x} = A + A^\\top$ …
            """),
            example(
                "x @ A @ x",
                "x",
                '{"x": [0.5, -1.2, 2.0], "A": rng.normal(size=(3, 3))}',
                hessian=True,
            ),
            md("… and $2A$ when $A$ is declared symmetric:"),
            example(
                "A: symmetric(n); x @ A @ x",
                "x",
                '{"x": [0.5, -1.2, 2.0], "A": (lambda M: M + M.T)(rng.normal(size=(3, 3)))}',
                hessian=True,
            ),
            md("""
            Least squares: $\\lVert A\\mathbf{x} - \\mathbf{b}\\rVert^2$ has the gradient
            $2(A\\mathbf{x} - \\mathbf{b})^\\top A$ and the Hessian $2A^\\top A$, constant in
            $\\mathbf{x}$ (so Newton's method solves it in one step).
            """),
            example(
                "b: vector(m); norm(A @ x - b)^2",
                "x",
                '{"A": rng.normal(size=(4, 2)), "x": [0.5, -1.2], "b": [1.0, 0.2, -0.3, 0.8]}',
            ),
            example(
                "b: vector(m); norm(A @ x - b)^2",
                "x",
                '{"A": rng.normal(size=(4, 2)), "x": [0.5, -1.2], "b": [1.0, 0.2, -0.3, 0.8]}',
                hessian=True,
            ),
            code("""
            q = "b: vector(m); norm(A @ x - b)^2"
            grad, hess = matcalc.derivative(q, "x", notation="tutorial"), matcalc.hessian(q, "x", notation="tutorial")
            A, b = rng.normal(size=(4, 2)), rng.normal(size=4)
            x0 = np.zeros(2)
            H = hess.evaluate({"A": A, "b": b, "x": x0})
            x1 = x0 - np.linalg.solve(H, grad.evaluate({"A": A, "b": b, "x": x0}))
            assert np.allclose(x1, np.linalg.lstsq(A, b, rcond=None)[0])
            x1                                               # one Newton step: least squares
            """),
            md("""
            **Logistic regression.** The loss of one sample with label $y = \\pm 1$ is
            $\\log(1 + e^{-y\\,\\mathbf{w}\\cdot\\mathbf{x}}) =
            \\operatorname{softplus}(-y\\,\\mathbf{w}\\cdot\\mathbf{x})$. Its gradient is
            $-y\\,\\sigma(-y\\,\\mathbf{w}\\cdot\\mathbf{x})\\,\\mathbf{x}^\\top$ and its Hessian
            $y^2\\sigma(1 - \\sigma)\\,\\mathbf{x}\\mathbf{x}^\\top$: positive semi-definite,
            the loss is convex. Over $N$ samples (rows of $X$, labels $\\mathbf{y}$) the
            Hessian is $\\frac{1}{N}X^\\top \\operatorname{diag}(\\ldots) X$.
            """),
            example(
                "w, x: vector(n); y: scalar; softplus(-y * (w @ x))",
                "w",
                '{"w": [0.5, -1.2, 2.0], "x": [1.5, 0.3, -0.7], "y": -1.0}',
            ),
            example(
                "w, x: vector(n); y: scalar; softplus(-y * (w @ x))",
                "w",
                '{"w": [0.5, -1.2, 2.0], "x": [1.5, 0.3, -0.7], "y": -1.0}',
                hessian=True,
            ),
            code("""
            h = matcalc.hessian("X: matrix(N, n); y: vector(N); mean(softplus(-y * (X @ w)))", "w", notation="tutorial")
            at = {"X": rng.normal(size=(6, 3)), "y": rng.choice([-1.0, 1.0], size=6),
                  "w": [0.5, -1.2, 2.0]}
            assert numerically_right(h, at)
            H = h.evaluate(at)
            assert np.allclose(H, H.T) and np.linalg.eigvalsh(H).min() >= -1e-12   # convex
            print(h.check())
            h
            """),
        ],
    )


# ---------------------------------------------------------------- 09
def errata():
    def claim(text: str, correct: bool):
        verdict = "report.correct" if correct else "not report.correct"
        return code(f"""
            with using_notation("tutorial"):  # the tutorial's ⊗ in the report
                report = matcalc.verify({text!r})
                assert {verdict}
                print(report)
            """)

    return notebook(
        """
        # 9. Errata in the notes

        The two sets of notes this project was specified from (translations of the
        tutorial) contain a few slips. `matcalc.verify` checks a hand-derived claim,
        `d/dVAR EXPR = CLAIMED`, against matcalc's derivative: the shapes first, then the
        values at random points (and SymPy where it is cheap). In a claim `I` is the
        identity and `ones` the column of ones. Each cell asserts the verdict, so the
        notebook fails if matcalc ever agrees with a typo. The reports use the tutorial's
        notation (`⊗` element-wise), as the rest of these notebooks do.
        """,
        [
            code("from matcalc.render.styles import using_notation"),
            md("""
            **$\\mathbf{w} - \\mathbf{x}$.** One note labels the row for $\\mathbf{w} -
            \\mathbf{x}$ with $\\frac{\\partial(\\mathbf{w} + \\mathbf{x})}{\\partial
            \\mathbf{w}}$. The result $I$ is right for both by $\\mathbf{w}$; the two differ by
            $\\mathbf{x}$, where the minus sign shows.
            """),
            claim("w, x: vector(n); d/dw (w - x) = I", True),
            claim("w, x: vector(n); d/dx (w - x) = I", False),
            claim("w, x: vector(n); d/dx (w - x) = -I", True),
            md("""
            **$\\frac{\\partial}{\\partial z}(\\mathbf{x} + z)$** is written
            $\\operatorname{diag}(\\mathbf{1}) = I$ in one note. Expanding the scalar $z$
            gives one partial per element: the column $\\mathbf{1}$, not a matrix.
            """),
            claim("x: vector(n); z: scalar; d/dz (x + z) = I", False),
            claim("x: vector(n); z: scalar; d/dz (x + z) = ones", True),
            md("""
            **The bias gradient of the loss** is written
            $\\frac{2}{N}\\sum 2(\\mathbf{w}\\cdot\\mathbf{x}_i + b - y_i)$ in one note: one
            factor 2 too many.
            """),
            claim(
                "X: matrix(N, n); y: vector(N); w: vector(n); b: scalar; "
                "d/db mean((y - max(0, X @ w + b))^2) = (2/N) * sum(2 * (X @ w + b - y) * (X @ w + b > 0))",
                False,
            ),
            claim(
                "X: matrix(N, n); y: vector(N); w: vector(n); b: scalar; "
                "d/db mean((y - max(0, X @ w + b))^2) = (2/N) * sum((X @ w + b - y) * (X @ w + b > 0))",
                True,
            ),
            md("""
            **$g(x, y)$** is written $2x + y^2$ in the other note, while its gradient uses
            $8y^7$: the tutorial's $g$ is $2x + y^8$.
            """),
            claim("d/dy (2*x + y^2) = 8*y^7", False),
            claim("d/dy (2*x + y^8) = 8*y^7", True),
            md("""
            **The condition $\\mathbf{w}\\cdot\\mathbf{x}_i + b > 0$** is moved outside the
            sum in both notes' loss gradients, as if one test held for all samples. It
            belongs to each sample: dropping the per-sample mask is wrong wherever some sample
            is inactive.
            """),
            claim(
                "X: matrix(N, n); y: vector(N); w: vector(n); b: scalar; "
                "d/dw mean((y - max(0, X @ w + b))^2) = (2/N) * (X @ w + b - y).T @ X",
                False,
            ),
            claim(
                "X: matrix(N, n); y: vector(N); w: vector(n); b: scalar; "
                "d/dw mean((y - max(0, X @ w + b))^2) = (2/N) * ((X @ w + b - y) * (X @ w + b > 0)).T @ X",
                True,
            ),
            md("""
            **The vector chain rule's $2 \\times 2$ matrix** starts its second row with
            $\\frac{\\partial f_1}{\\partial g_1}$; it is $\\frac{\\partial f_2}{\\partial g_1}$.
            With concrete $f_1 = \\sin(g_1) + g_2$, $f_2 = g_1 g_2$, $g_1 = x^2$, $g_2 = 3x$,
            the product $\\frac{\\partial \\mathbf{f}}{\\partial \\mathbf{g}}
            \\frac{\\partial \\mathbf{g}}{\\partial x}$ is right only with the corrected row.
            """),
            claim(
                "d/dx [sin(x^2) + 3*x, x^2 * (3*x)] = [[cos(x^2), 1], [cos(x^2), x^2]] @ [2*x, 3]",
                False,
            ),
            claim(
                "d/dx [sin(x^2) + 3*x, x^2 * (3*x)] = [[cos(x^2), 1], [3*x, x^2]] @ [2*x, 3]", True
            ),
            md("""
            **Step 2 of $\\ln(\\sin(x^3)^2)$** writes $\\frac{d}{du_3}u_5$; there is no
            $u_5$ — it is $\\frac{d}{du_3}u_4 = \\frac{1}{u_3}$ with $u_4 = \\ln(u_3)$. The
            claim as printed does not even name a variable of its expression, and `verify`
            says where; the corrected one holds. matcalc's own steps for the example follow.
            """),
            code("""
            try:
                matcalc.verify("d/du3 u5 = 1/u3")
            except matcalc.MatcalcError as error:
                print(error)
            else:
                raise AssertionError("u5 is not a variable of the claim")
            """),
            claim("u3: scalar; d/du3 ln(u3) = 1/u3", True),
            code("""
            d = matcalc.derivative("ln(sin(x^3)^2)", "x", notation="tutorial")
            assert [p.of for p in d.steps.derivations[0].partials] == ["u₁", "u₂", "u₃", "y"]
            d.steps
            """),
        ],
    )


# ---------------------------------------------------------------- 10
def batches_and_attention():
    return notebook(
        """
        # 10. Beyond the tutorial: batches and attention

        Deep-learning code does not push one vector $\\mathbf{x}$ through a layer: it pushes a
        *mini-batch*, a matrix $X$ with one sample per row, and writes NumPy's broadcasting
        and `axis=` keywords instead of sums over indices. matcalc reads those forms as NumPy
        does and prints the results in matrix notation wherever one exists: a bias `b` added
        to every row of `X @ W` is $XW + \\mathbf{1}\\mathbf{b}^\\top$ (the ones column copies
        $\\mathbf{b}^\\top$ into each row), so its gradient is a column sum
        $\\mathbf{1}^\\top\\ldots$, and `softmax(Z, axis=1)` is the softmax of each row. Where no
        matrix form exists (attention by its queries) the result is in index notation, with
        every sum written out.

        As in notebook 8, the notebooks keep the tutorial's notation: $\\otimes$ is the
        element-wise product and the Kronecker product is spelled `kron(A, B)`. Every
        derivative is checked against central differences and by SymPy, and the batched
        ones also against the textbook formula written in plain NumPy.
        """,
        [
            code("""
            rng = np.random.default_rng(0)

            def softmax_rows(Z):
                E = np.exp(Z - Z.max(axis=1, keepdims=True))
                return E / E.sum(axis=1, keepdims=True)

            def one_hot(labels, k):
                return np.eye(k)[labels]

            def generated(source):
                \"\"\"The function f that matcalc's generated NumPy source defines.\"\"\"
                scope = {}
                exec(source, scope)  # matcalc's own output, not user text
                return scope["f"]
            """),
            md("""
            ## A bias broadcast over the rows

            A dense layer over a batch: $X$ is $N \\times d$, $W$ is $d \\times h$ and the bias
            $\\mathbf{b}$ has $h$ entries, added to every row as NumPy does. The loss here is a
            weighted sum of the activations (the weights $C$ stand for whatever comes next).
            By $\\mathbf{b}$ the gradient adds up the rows' gradients: $\\mathbf{1}^\\top$ on
            the left is the column sum.
            """),
            code("""
            q = "X: matrix(N, d); W: matrix(d, h); b: vector(h); C: matrix(N, h); sum(C * tanh(X @ W + b))"
            d = matcalc.derivative(q, "b", notation="tutorial")
            X, W, b, C = (rng.normal(size=s) for s in [(5, 3), (3, 4), 4, (5, 4)])
            at = {"X": X, "W": W, "b": b, "C": C}
            assert numerically_right(d, at)
            per_row = C * (1 - np.tanh(X @ W + b) ** 2)     # each row's gradient by b
            assert np.allclose(d.evaluate(at), per_row.sum(axis=0))
            print(d.check())
            display(d)
            d.steps
            """),
            md("""
            By $W$ the same factor is multiplied by $X^\\top$ — the ones column of the bias
            is the column of $X$ that a bias would be if it were folded into $W$:
            """),
            example(
                "X: matrix(N, d); W: matrix(d, h); b: vector(h); C: matrix(N, h); "
                "sum(C * tanh(X @ W + b))",
                "W",
                "at",
                show_steps=False,
            ),
            md("""
            NumPy aligns shapes on the right, so a vector of the wrong length is an error,
            naming both shapes, with a caret under the operator:
            """),
            code("%matcalc 'X: matrix(N, d); b: vector(h); X + b' --wrt b --notation tutorial"),
            md("""
            ## Batched softmax cross-entropy

            A linear classifier over a batch: the scores $XW + \\mathbf{1}\\mathbf{b}^\\top$, a
            softmax over each row, and the mean cross-entropy against labels $Y$ whose rows
            are one-hot. Declaring $Y$ a `rowsimplex` says its rows sum to 1, which is what
            turns the gradient into the textbook's $\\frac{1}{N}X^\\top(S - Y)$ (CS231n's
            `dscores = probs - y`). The softmax is written once, as $S$.
            """),
            code("""
            CE = ("X: matrix(N, d); W: matrix(d, k); b: vector(k); Y: rowsimplex(N, k); "
                  "-sum(Y * log_softmax(X @ W + b, axis=1)) / N")
            by_W = matcalc.derivative(CE, "W", notation="tutorial")
            by_b = matcalc.derivative(CE, "b", notation="tutorial")
            X, W, b = rng.normal(size=(6, 3)), rng.normal(size=(3, 4)), rng.normal(size=4)
            Y = one_hot(rng.integers(0, 4, size=6), 4)
            at = {"X": X, "W": W, "b": b, "Y": Y}
            S = softmax_rows(X @ W + b)
            for d, textbook in [(by_W, X.T @ (S - Y) / 6), (by_b, (S - Y).sum(axis=0) / 6)]:
                assert numerically_right(d, at)
                assert np.allclose(d.evaluate(at), textbook)
                print(d.check())
                display(d)
            by_W.steps
            """),
            md("""
            The generated NumPy code computes the loss and its gradient in one pass (the
            softmax computed stably, once). `matcalc.value_and_grad_source` writes one function
            for the loss and both gradients, as a training step needs; here it trains the
            classifier on three clusters of points by plain gradient descent.
            """),
            code("""
            print(by_W.to_numpy().split("def _finite_differences")[0])
            assert np.allclose(generated(by_W.to_numpy())(X, W, b, Y)[1], by_W.evaluate(at))
            """),
            code("""
            step = generated(matcalc.value_and_grad_source(CE, ["W", "b"]))
            centres = np.array([[2.0, 0.0], [-1.0, 1.7], [-1.0, -1.7]])
            labels = rng.integers(0, 3, size=150)
            X = centres[labels] + rng.normal(scale=0.8, size=(150, 2))
            Y = one_hot(labels, 3)
            W, b, losses = np.zeros((2, 3)), np.zeros(3), []
            for _ in range(200):
                loss, (dW, db) = step(X, W, b, Y)
                W, b = W - 0.5 * dW, b - 0.5 * db
                losses.append(loss)
            assert losses[-1] < 0.5 * losses[0]

            fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9, 3.5))
            ax1.plot(losses)
            ax1.set_xlabel("step"); ax1.set_ylabel("cross-entropy"); ax1.set_title("gradient descent")
            gx, gy = np.meshgrid(np.linspace(-4, 5, 200), np.linspace(-4.5, 4.5, 200))
            grid = np.column_stack([gx.ravel(), gy.ravel()])
            ax2.contourf(gx, gy, (grid @ W + b).argmax(axis=1).reshape(gx.shape), alpha=0.25,
                         levels=[-0.5, 0.5, 1.5, 2.5], cmap="viridis")
            ax2.scatter(X[:, 0], X[:, 1], c=labels, s=8, cmap="viridis")
            ax2.set_title("the classes of the trained XW + 1bᵀ");
            """),
            md("""
            ## Single-head attention

            $\\operatorname{softmax}(QK^\\top/\\sqrt{d})V$ with the softmax over each row: $n$
            queries attend to $n$ keys and average the rows of $V$. It is linear in $V$, so by
            $V$ the derivative is a Kronecker product (column-major `vec`, as in notebook 8):
            $I \\otimes S$ in the usual notation, `kron(I, S)` in the tutorial's.
            """),
            code("""
            ATTENTION = "Q, K: matrix(n, d); V: matrix(n, p); softmax(Q @ K.T / sqrt(d), axis=1) @ V"
            n, dk, p = 4, 3, 2
            Q, K, V = rng.normal(size=(n, dk)), rng.normal(size=(n, dk)), rng.normal(size=(n, p))
            at = {"Q": Q, "K": K, "V": V}
            S = softmax_rows(Q @ K.T / np.sqrt(dk))
            by_V = matcalc.derivative(ATTENTION, "V", notation="tutorial")
            assert numerically_right(by_V, at)
            J = by_V.evaluate(at)                                  # (n, p, n, p): output + V
            assert np.allclose(J.transpose(1, 0, 3, 2).reshape(n * p, n * p), np.kron(np.eye(p), S))
            print(by_V.check(n=2))
            display(by_V)
            by_V.steps
            """),
            md("""
            By the queries (and the keys) there is no matrix form: the softmax's Jacobian
            multiplies element by element inside the product. matcalc prints index notation,
            $\\delta_{ik}$ saying that query $k$ only moves output row $k$. (SymPy's check of
            these takes a while: it runs on the keys here, on both in
            `tests/test_batched_derivations.py`.)
            """),
            code("""
            by_Q = matcalc.derivative(ATTENTION, "Q", notation="tutorial")
            by_K = matcalc.derivative(ATTENTION, "K", notation="tutorial")
            for d in (by_Q, by_K):
                assert numerically_right(d, at)
                display(d)
            print(by_K.check(n=2))
            """),
            md("""
            The same index formula, written in NumPy with `einsum`, is the Jacobian
            `evaluate` returns:
            """),
            code("""
            SV = S @ V
            by_Q_formula = np.einsum("ik,ml,im,mj->ijkl", np.eye(n), K, S, V) - np.einsum(
                "ik,pl,ip,ij->ijkl", np.eye(n), K, S, SV)
            assert np.allclose(by_Q.evaluate(at), by_Q_formula / np.sqrt(dk))
            """),
            md("""
            The generated NumPy code of an index-notation derivative applies the differential
            to each direction of $Q$ in turn (the loop below); it agrees with `evaluate`:
            """),
            code("""
            print(by_Q.to_numpy().split("def _finite_differences")[0])
            assert np.allclose(generated(by_Q.to_numpy())(Q, K, V)[1], by_Q.evaluate(at))
            """),
            md("""
            **The structure of the three Jacobians.** Flatten each to a matrix — a row per
            output entry $(i, j)$, a column per entry $(k, l)$ of the variable, both in NumPy's
            row-major order — and plot the magnitudes. By $V$ every output row mixes all rows
            of $V$ but each output column only its own column ($S \\otimes I$ in row-major
            order); by $Q$ the blocks off the diagonal vanish ($\\delta_{ik}$); by $K$ every
            key moves every output.
            """),
            code("""
            fig, axes = plt.subplots(1, 3, figsize=(11, 3.6))
            for ax, (name, d) in zip(axes, [("V", by_V), ("Q", by_Q), ("K", by_K)]):
                J = d.evaluate(at)
                M = np.abs(J.reshape(n * p, -1))
                ax.imshow(M, cmap="magma_r")
                cols = J.shape[3]
                for i in range(1, n):
                    ax.axhline(i * p - 0.5, color="tab:blue", lw=0.6)
                    ax.axvline(i * cols - 0.5, color="tab:blue", lw=0.6)
                ax.set_title(f"|∂(attention)/∂{name}|  ({n * p}×{n * cols})")
                ax.set_xlabel(f"{name}ₖₗ"); ax.set_ylabel("outputᵢⱼ")
            assert np.allclose(by_Q.evaluate(at)[0, :, 1:, :], 0)   # δᵢₖ: row 0 sees only query 0
            fig.tight_layout()
            """),
            md("""
            ## Layer norm and batch norm

            Layer norm normalises each row of the batch (`axis=1`, `keepdims=True` so the
            statistics broadcast back over the columns); batch norm normalises each column
            over the batch (`axis=0`). Both then scale by $\\mathbf{g}$ and shift by
            $\\mathbf{b}$, vectors broadcast over the rows; $C$ again stands for the next
            layer. By the shift the gradient is the column sum $\\mathbf{1}^\\top C$, by the
            scale a column sum of $C$ times the normalised input:
            """),
            code("""
            NORM = "X, C: matrix(N, d); g, b: vector(d); eps: scalar; "
            LN = "(X - mean(X, axis=1, keepdims=True)) / sqrt(var(X, axis=1, keepdims=True) + eps)"
            BN = "(X - mean(X, axis=0)) / sqrt(var(X, axis=0) + eps)"
            X, C = rng.normal(size=(5, 4)), rng.normal(size=(5, 4))
            at = {"X": X, "C": C, "g": rng.normal(size=4), "b": rng.normal(size=4), "eps": 0.1}
            numpy_norm = {
                LN: (X - X.mean(axis=1, keepdims=True)) / np.sqrt(X.var(axis=1, keepdims=True) + 0.1),
                BN: (X - X.mean(axis=0)) / np.sqrt(X.var(axis=0) + 0.1),
            }
            for body in (LN, BN):
                loss = NORM + f"sum(C * ({body} * g + b))"
                for wrt in ("g", "b", "X"):
                    d = matcalc.derivative(loss, wrt, notation="tutorial")
                    assert numerically_right(d, at)
                    d.check()
                    if wrt == "g":
                        assert np.allclose(d.evaluate(at), (C * numpy_norm[body]).sum(axis=0))
                    if wrt != "X":
                        display(d)
            """),
            md("""
            The steps of the scale's gradient: the broadcast $\\mathbf{1}\\mathbf{g}^\\top$ is an
            intermediate of its own, and the chain ends in the column sum.
            """),
            code("""
            matcalc.derivative(NORM + f"sum(C * ({LN} * g + b))", "g", notation="tutorial").steps
            """),
            md("""
            By the input both are long (the mean and the variance depend on every entry they
            average). The Jacobian of the normalisation itself shows what each couples:
            layer norm the entries of one row (blocks on the diagonal), batch norm the entries
            of one column (a band every $d$ entries).
            """),
            code("""
            fig, axes = plt.subplots(1, 2, figsize=(8, 3.8))
            for ax, (title, body) in zip(axes, [("layer norm (axis=1)", LN), ("batch norm (axis=0)", BN)]):
                d = matcalc.derivative(NORM + body, "X", notation="tutorial")
                assert numerically_right(d, at)
                J = d.evaluate(at).reshape(20, 20)
                ax.imshow(np.abs(J), cmap="magma_r")
                ax.set_title(f"|∂ {title} / ∂X|"); ax.set_xlabel("Xₖₗ"); ax.set_ylabel("outputᵢⱼ")
            fig.tight_layout()
            print(d)
            """),
            md("""
            ## A batched two-layer MLP

            $\\tanh$ hidden units with a broadcast bias, a softmax output layer with another,
            and the mean cross-entropy. matcalc names the layers as backpropagation does —
            $a$ the hidden activations, $S$ the output probabilities — and each gradient is
            the textbook's: the error $S - Y$ sent back through $W_2^\\top$ and the derivative
            $1 - a^2$ of tanh. Each is asserted equal to backpropagation written by hand in
            NumPy (SymPy checks the output bias here, and all four in
            `tests/test_batched_derivations.py`).
            """),
            code("""
            MLP = ("X: matrix(N, d); W1: matrix(d, h); b1: vector(h); W2: matrix(h, k); b2: vector(k); "
                   "Y: rowsimplex(N, k); -sum(Y * log_softmax(tanh(X @ W1 + b1) @ W2 + b2, axis=1)) / N")
            X, Y = rng.normal(size=(3, 2)), one_hot([0, 2, 1], 3)
            W1, b1 = rng.normal(size=(2, 4)), rng.normal(size=4)
            W2, b2 = rng.normal(size=(4, 3)), rng.normal(size=3)
            at = {"X": X, "W1": W1, "b1": b1, "W2": W2, "b2": b2, "Y": Y}
            a = np.tanh(X @ W1 + b1)                        # backpropagation by hand
            error = (softmax_rows(a @ W2 + b2) - Y) / 3
            hidden = (error @ W2.T) * (1 - a**2)
            by_hand = {"W1": X.T @ hidden, "b1": hidden.sum(axis=0),
                       "W2": a.T @ error, "b2": error.sum(axis=0)}
            for wrt in ("W1", "b1", "W2", "b2"):
                d = matcalc.derivative(MLP, wrt, notation="tutorial")
                assert numerically_right(d, at)
                assert np.allclose(d.evaluate(at), by_hand[wrt])
                display(d)
            print(d.check(n=1))
            """),
            md("""
            Trained with the generated value-and-gradients function on two interleaved
            half-moons, which no linear classifier separates:
            """),
            code("""
            step = generated(matcalc.value_and_grad_source(MLP, ["W1", "b1", "W2", "b2"]))
            t = rng.uniform(0, np.pi, 200)
            labels = rng.integers(0, 2, size=200)
            X = np.where(labels[:, None] == 0, np.column_stack([np.cos(t), np.sin(t)]),
                         np.column_stack([1 - np.cos(t), 0.5 - np.sin(t)]))
            X = X + rng.normal(scale=0.1, size=X.shape)
            Y = one_hot(labels, 2)
            params = [rng.normal(scale=0.5, size=(2, 16)), np.zeros(16),
                      rng.normal(scale=0.5, size=(16, 2)), np.zeros(2)]
            losses = []
            for _ in range(1500):
                loss, grads = step(X, *params, Y)
                params = [w - 0.5 * g for w, g in zip(params, grads)]
                losses.append(loss)
            W1, b1, W2, b2 = params
            accuracy = ((np.tanh(X @ W1 + b1) @ W2 + b2).argmax(axis=1) == labels).mean()
            assert accuracy > 0.95, accuracy

            fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9, 3.5))
            ax1.semilogy(losses); ax1.set_xlabel("step"); ax1.set_title("cross-entropy")
            gx, gy = np.meshgrid(np.linspace(-1.5, 2.5, 200), np.linspace(-1, 1.5, 200))
            grid = np.column_stack([gx.ravel(), gy.ravel()])
            scores = np.tanh(grid @ W1 + b1) @ W2 + b2
            ax2.contourf(gx, gy, scores.argmax(axis=1).reshape(gx.shape), alpha=0.25, cmap="coolwarm")
            ax2.scatter(X[:, 0], X[:, 1], c=labels, s=8, cmap="coolwarm")
            ax2.set_title(f"the trained MLP ({accuracy:.0%} right)");
            """),
        ],
        plots=True,
    )


NOTEBOOKS = {
    "01-scalar-rules": scalar_rules,
    "02-jacobians": jacobians,
    "03-elementwise-operators": elementwise,
    "04-scalar-expansion-and-sum-reduction": expansion_and_reduction,
    "05-chain-rules": chain_rules,
    "06-the-neuron": neuron,
    "07-the-loss": loss,
    "08-matrices-and-hessians": matrices_and_hessians,
    "09-errata": errata,
    "10-batches-and-attention": batches_and_attention,
}


def build() -> dict:
    """{file name: notebook text} for every notebook."""
    return {f"{name}.ipynb": nbformat.writes(make()) + "\n" for name, make in NOTEBOOKS.items()}


def main(argv: list[str]) -> int:
    check = "--check" in argv
    stale = []
    for name, text in build().items():
        path = HERE / name
        if check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(name)
        else:
            path.write_text(text, encoding="utf-8")
    if stale:
        print("out of date (run python notebooks/build_notebooks.py):", ", ".join(stale))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
