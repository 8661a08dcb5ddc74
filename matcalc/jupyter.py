"""matcalc in Jupyter: derivatives and their four steps typeset, the %matcalc magics, and the
numbers the notebooks check a derivative with.

- `derivative_latex(d)` / `derivative_markdown(d)`: ∂/∂w (f) = result as display math
  (∂²f/∂x² for a Hessian, ∇ for a stacked list of scalars, ∂vec(Y)/∂vec(X) for a linear
  map); `Derivative._repr_latex_` / `_repr_markdown_` call them.
- `steps_latex(steps)` / `steps_markdown(steps)`: the tutorial's four steps (section "The
  chain rules") as one `aligned` block, written from `steps.derivations` with the LaTeX
  printer of `render.text` for every expression — no Unicode left for MathJax to trip on.
- `load_ipython_extension`: `%load_ext matcalc` registers the `%matcalc` line magic and the
  `%%matcalc` cell magic (the CLI's arguments; the cell body is the query) and typesets
  `Steps` objects in the notebook.
- `value(d, values)` and `finite_differences(d, values)`: the differentiated expression's
  value and its central differences, the independent check the notebooks assert.
"""
from __future__ import annotations

import re
import shlex
import sys
from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np

from .evaluate import bind, evaluate
from .render.latex_names import latex_name as _name
from .render.latex_names import latex_text
from .render.text import latex as latex_of

if TYPE_CHECKING:                                   # for annotations only
    from .api import Derivative
    from .steps import Steps

__all__ = [
    "derivative_equation", "derivative_latex", "derivative_markdown", "finite_differences",
    "load_ipython_extension", "run_magic", "steps_latex", "steps_markdown", "value", "where_latex",
]

# ---------------------------------------------------------------- pieces of notation


def _partial(of: str, by: str) -> str:
    return f"\\frac{{\\partial {_name(of)}}}{{\\partial {_name(by)}}}"


def _chain_names(names: str) -> str:
    """`∂y/∂u₂ (∂u₂/∂a + ∂u₂/∂b)` → the same product of fractions in LaTeX."""
    out = re.sub(r"∂([^\s/()∂]+)/∂([^\s/()∂]+)", lambda m: _partial(m[1], m[2]), names)
    return out.replace("(", "\\left(").replace(")", "\\right)")


def _label(rule: str) -> str:
    return f"\\quad \\text{{[{latex_text(rule)}]}}"


def _linear_map(d) -> str:
    """A matrix-by-matrix derivative: `render.tensor`'s LaTeX, ∂vec(Y)/∂vec(X) (or
    ∂Yᵢⱼ/∂Xₖₗ) as a fraction."""
    from .render.tensor import linear_map_latex
    return linear_map_latex(d)


def _by(var, expression) -> str:
    return f"\\frac{{\\partial}}{{\\partial {_name(var.name)}}}\\left({latex_of(expression)}\\right)"


def _operator(d) -> str:
    """The left-hand side: the derivative operator applied to the expression."""
    if d.function is not None and len(d.wrt) > 1:                # a Hessian by scalars
        names = ", ".join(_name(v.name) for v in d.wrt)
        return f"\\nabla^{{2}}_{{{names}}}\\left({latex_of(d.function)}\\right)"
    if d.function is not None:                                   # a Hessian
        (v,) = d.wrt
        return (f"\\frac{{\\partial^{{2}}}}{{\\partial {_name(v.name)}^{{2}}}}"
                f"\\left({latex_of(d.function)}\\right)")
    if len(d.wrt) > 1:
        names = ", ".join(_name(v.name) for v in d.wrt)
        return f"\\nabla_{{{names}}}\\left({latex_of(d.expression)}\\right)"
    return _by(d.wrt[0], d.expression)


def derivative_equation(d: Derivative) -> str:
    """`operator(expression) = result` in LaTeX, without math delimiters."""
    if d.result is None:
        return _linear_map(d)
    return f"{_operator(d)} = {latex_of(d.result)}"


def _layout_note(d) -> str:
    return "" if d.layout == "numerator" else f" \\quad \\text{{({d.layout} layout)}}"


# ---------------------------------------------------------------- inferred shapes
def where_latex(d: Derivative) -> str:
    """The inferred declarations (`Derivative.inferred`) in LaTeX, `\\text{where } y:
    \\text{vector}(n), …`, or "" when every name was declared."""
    inferred = getattr(d, "inferred", {}) or {}
    if not inferred:
        return ""
    parts = []
    for name, spec in inferred.items():
        kind, _, dims = spec.partition("(")
        dims = ", ".join(_name(x.strip()) for x in dims.rstrip(")").split(",")) if dims else ""
        parts.append(f"{_name(name)} : \\text{{{kind}}}" + (f"({dims})" if dims else ""))
    return "\\text{where } " + ",\\ ".join(parts)


# ---------------------------------------------------------------- Derivative display
def derivative_latex(d: Derivative) -> str:
    """Display math for Jupyter's text/latex: `$$\\frac{\\partial}{\\partial w}(…) = …$$`."""
    return f"$${derivative_equation(d)}{_layout_note(d)}$$"


def derivative_markdown(d: Derivative) -> str:
    """Markdown for Jupyter: the display math, then a caption with the Unicode form (what
    `str(d)` and the CLI print), the kind of derivative and the layout."""
    kind = "derivative" if d.kind == "tangent" else d.kind
    if d.function is not None:
        kind = "Hessian"
    elif d.kind in ("jacobian", "stacked"):
        kind = "gradient" if d.expression.shape.is_scalar else "Jacobian"
    from .declarations import where_text
    where = where_text(getattr(d, "inferred", {}))
    where = f"{where}\n\n" if where else ""            # the inferred shapes, under the result
    return (f"$${derivative_equation(d)}$$\n\n{where}"
            f"*{kind}, {d.layout} layout:* `{d}`")


# ---------------------------------------------------------------- the four steps
def _steps_rows(steps) -> list[str]:
    d = steps.derivative
    title = _operator(d)
    if d.function is not None:               # a Hessian: the Jacobian of the gradient
        title += " = " + (_by(d.wrt[0], d.expression) if len(d.wrt) == 1 else
                          _operator(replace(d, function=None)))
    rows = [title + _layout_note(d)]
    if where_latex(d):
        rows.append(where_latex(d))
    for der, diff in zip(steps.derivations, d.derivations):
        v, top = der.var.name, der.top
        if len(steps.derivations) > 1:
            rows.append(f"\\textbf{{by }} {_name(v)}")
        rows.append("\\text{1. Intermediate variables}")
        rows += [f"\\qquad {_name(sym.name)} = {latex_of(definition)}"
                 for sym, definition in der.intermediates]
        rows.append("\\text{2. Their derivatives}")
        for p in der.partials:
            eq = f"{_partial(p.of, p.by)} = {latex_of(p.value)}" if p.value is not None else \
                f"\\mathrm{{d}}{_name(p.of)} = {latex_of(p.differential)}"
            rows.append(f"\\qquad {eq}{_label(p.rule)}")
        rows.append(f"\\text{{3. Combined by the {latex_text(der.chain_rule)}}}")
        if der.chained is not None:
            named = "" if der.chain_names == f"∂{top}/∂{v}" else \
                f"{_chain_names(der.chain_names)} = "
            rows.append(f"\\qquad {_partial(top, v)} = {named}{latex_of(der.chained)}")
        else:
            rows.append(f"\\qquad \\mathrm{{d}}{_name(top)} = {latex_of(diff.differential)}")
        rows.append("\\text{4. Substituted back and simplified}")
        substituted = latex_of(der.substituted) if der.substituted is not None else None
        if substituted is not None:
            rows.append(f"\\qquad {_partial(top, v)} = {substituted}")
        rows += [f"\\qquad\\qquad {latex_of(r.before)} = {latex_of(r.after)}{_label(r.rule)}"
                 for r in der.rewrites]
        if der.result is not None:
            final = f"{_partial(top, v)} = {latex_of(der.result)}"
        elif len(steps.derivations) == 1 and d.result is None:
            final = _linear_map(d)
        else:
            final = None
        if final is not None and (der.rewrites or substituted is None
                                  or not final.endswith(" = " + substituted)):
            rows.append(f"\\qquad {final}")
        if der.laid_out is not None:
            rows.append(f"\\qquad {_partial(top, v)} = {latex_of(der.laid_out)}"
                        f"{_label(d.layout + ' layout')}")
    if len(steps.derivations) > 1:
        rows.append(f"\\text{{Stacked: }} {derivative_equation(d)}")
    return rows


def steps_latex(steps: Steps) -> str:
    """The tutorial's four steps as display math: one `aligned` block, a `\\text{…}`
    heading per step and one equation per row, each rule named beside its equation."""
    rows = " \\\\\n".join("& " + r for r in _steps_rows(steps))
    return f"$$\n\\begin{{aligned}}\n{rows}\n\\end{{aligned}}\n$$"


def steps_markdown(steps: Steps) -> str:
    """The four steps for Jupyter's text/markdown (which front ends prefer to text/latex):
    the same display math; Jupyter's Markdown typesets `$$ … $$`."""
    return steps_latex(steps)


# ---------------------------------------------------------------- numbers for the notebooks
def value(d: Derivative, values: dict) -> np.ndarray:
    """The differentiated expression at `values` (for a Hessian: the gradient, a column),
    shaped as NumPy would: () for a scalar, (n,) for a vector, (m, n) for a matrix."""
    arrays, dims = bind(d.variables, values)
    return np.asarray(evaluate(d.expression, arrays, dims), dtype=float).reshape(
        d.expression.shape.numpy(dims))


def finite_differences(d: Derivative, values: dict, step: float = 1e-6) -> np.ndarray:
    """Central differences of `value(d, ·)` by each of `d.wrt`, shaped as `d.evaluate`
    returns the derivative: output + variable axes (variable + output for the denominator
    layout; a list of scalars stacks on one axis)."""
    out_shape = value(d, values).shape
    parts = []
    for var in d.wrt:
        x = np.asarray(values[var.name], dtype=float)
        g = np.empty(out_shape + x.shape)
        for idx in np.ndindex(*x.shape):
            plus, minus = x.copy(), x.copy()
            plus[idx] += step
            minus[idx] -= step
            g[(Ellipsis,) + idx] = (value(d, {**values, var.name: plus}) -
                                    value(d, {**values, var.name: minus})) / (2 * step)
        parts.append(g)
    jac = parts[0] if len(parts) == 1 else np.stack(parts, axis=-1)
    if d.layout == "denominator":
        k = len(out_shape)
        jac = np.moveaxis(jac, list(range(k)), list(range(jac.ndim - k, jac.ndim)))
    return jac


# ---------------------------------------------------------------- the IPython extension
def _derivative(args):
    """The CLI's query → Derivative (`--wrt` defaults to the only variable)."""
    from .cli import derivative_from_args
    return derivative_from_args(args)


def _parse_args(parser, argv):
    """argparse, but a usage error (printed by argparse) or --help returns None instead of
    leaving the kernel through SystemExit."""
    try:
        from .cli import parse_args
        return parse_args(parser, argv)
    except SystemExit:
        return None


def run_magic(line: str, cell: str | None = None) -> object:
    """`%matcalc QUERY OPTIONS` / `%%matcalc OPTIONS` + query cell, as the CLI takes them.

    Returns the Derivative (typeset by Jupyter), its Steps for `--steps`, the report for
    `verify`; prints LaTeX source (`--latex`), code (`--emit`) and the check report
    (`--check`). A bad query prints its located message (line, column, caret) to stderr
    and returns None: no traceback.
    """
    from . import cli
    from .check import CheckFailed
    from .errors import MatcalcError
    try:
        argv = shlex.split(line)
    except ValueError as error:                       # an unclosed quote
        print(f"error: {error} in: {line}", file=sys.stderr)
        return None
    verify = argv[:1] == ["verify"]
    if verify:
        argv = argv[1:]
    if cell is not None:
        argv = argv + ["--", cell.strip()]
    parser = cli.verify_parser() if verify else cli.build_parser()
    parser.prog = "%matcalc verify" if verify else "%matcalc"
    args = _parse_args(parser, argv)
    if args is None:
        return None
    try:
        if verify:
            from . import verify as verify_claim
            return verify_claim(args.claim, shapes=cli.shapes_from_args(args),
                                layout=args.layout)
        d = _derivative(args)
        if args.emit:
            print(d.to_source(args.emit))
            return None
        shown = d.steps if args.steps else d
        if args.latex:
            print(steps_latex(shown) if args.steps else d.latex())
            shown = None
        if args.check:
            try:
                print(d.check())
            except CheckFailed as failure:
                print(failure, file=sys.stderr)
        return shown
    except MatcalcError as error:
        print(error, file=sys.stderr)
    except RecursionError:
        print("error: expression nested too deeply", file=sys.stderr)
    return None


def _plain(obj, printer, cycle) -> None:
    printer.text(str(obj))


def load_ipython_extension(ipython: object) -> None:
    """Register %matcalc / %%matcalc; typeset Steps objects (text/latex, text/markdown);
    show a verify report as its readable text rather than its dataclass repr."""
    from .steps import Steps
    ipython.register_magic_function(run_magic, magic_kind="line_cell", magic_name="matcalc")
    formatters = ipython.display_formatter.formatters
    formatters["text/latex"].for_type(Steps, steps_latex)
    formatters["text/markdown"].for_type(Steps, steps_markdown)
    formatters["text/plain"].for_type_by_name("matcalc.verify_claims", "VerifyReport", _plain)
