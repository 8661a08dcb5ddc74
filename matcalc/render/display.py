"""Display math of a finished `Derivative` and of its `Steps`: LaTeX and Markdown.

- `derivative_latex(d)` / `derivative_markdown(d)`: ∂/∂w (f) = result as display math
  (∂²f/∂x² for a Hessian, ∇ for a stacked list of scalars, ∂vec(Y)/∂vec(X) for a linear
  map); `Derivative._repr_latex_` / `_repr_markdown_` call them.
- `steps_latex(steps)` / `steps_markdown(steps)`: the tutorial's four steps (section "The
  chain rules") as one `aligned` block, written from `steps.derivations` with the LaTeX
  printer of `render.text` for every expression — no Unicode left for MathJax to trip on.

It reads a finished Derivative (and Steps) only: nothing here derives anything.
"""

from __future__ import annotations

import re
from dataclasses import replace

from ..declarations import where_text
from ..derived import DerivativeLike, StepsLike
from .latex_names import latex_name as _name
from .latex_names import latex_text
from .styles import using_notation
from .tensor import linear_map_latex
from .text import latex as latex_of

__all__ = [
    "derivative_equation",
    "derivative_latex",
    "derivative_markdown",
    "steps_latex",
    "steps_markdown",
    "where_latex",
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
    return linear_map_latex(d)


def _by(var, expression) -> str:
    return (
        f"\\frac{{\\partial}}{{\\partial {_name(var.name)}}}\\left({latex_of(expression)}\\right)"
    )


def _operator(d) -> str:
    """The left-hand side: the derivative operator applied to the expression."""
    if d.function is not None and len(d.wrt) > 1:  # a Hessian by scalars
        names = ", ".join(_name(v.name) for v in d.wrt)
        return f"\\nabla^{{2}}_{{{names}}}\\left({latex_of(d.function)}\\right)"
    if d.function is not None:  # a Hessian
        (v,) = d.wrt
        return (
            f"\\frac{{\\partial^{{2}}}}{{\\partial {_name(v.name)}^{{2}}}}"
            f"\\left({latex_of(d.function)}\\right)"
        )
    if len(d.wrt) > 1:
        names = ", ".join(_name(v.name) for v in d.wrt)
        return f"\\nabla_{{{names}}}\\left({latex_of(d.expression)}\\right)"
    return _by(d.wrt[0], d.expression)


def derivative_equation(d: DerivativeLike) -> str:
    """`operator(expression) = result` in LaTeX, without math delimiters."""
    if d.result is None:
        return _linear_map(d)
    return f"{_operator(d)} = {latex_of(d.result)}"


def _layout_note(d) -> str:
    return "" if d.layout == "numerator" else f" \\quad \\text{{({d.layout} layout)}}"


# ---------------------------------------------------------------- inferred shapes
def where_latex(d: DerivativeLike) -> str:
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
def derivative_latex(d: DerivativeLike) -> str:
    """Display math for Jupyter's text/latex: `$$\\frac{\\partial}{\\partial w}(…) = …$$`."""
    return f"$${derivative_equation(d)}{_layout_note(d)}$$"


def derivative_markdown(d: DerivativeLike) -> str:
    """Markdown for Jupyter: the display math, then a caption with the Unicode form (what
    `str(d)` and the CLI print), the kind of derivative and the layout."""
    kind = "derivative" if d.kind == "tangent" else d.kind
    if d.function is not None:
        kind = "Hessian"
    elif d.kind in ("jacobian", "stacked"):
        kind = "gradient" if d.expression.shape.is_scalar else "Jacobian"
    where = where_text(getattr(d, "inferred", {}))
    where = f"{where}\n\n" if where else ""  # the inferred shapes, under the result
    return f"$${derivative_equation(d)}$$\n\n{where}*{kind}, {d.layout} layout:* `{d}`"


# ---------------------------------------------------------------- the four steps
def _steps_rows(steps) -> list[str]:
    d = steps.derivative
    title = _operator(d)
    if d.function is not None:  # a Hessian: the Jacobian of the gradient
        title += " = " + (
            _by(d.wrt[0], d.expression) if len(d.wrt) == 1 else _operator(replace(d, function=None))
        )
    rows = [title + _layout_note(d)]
    if where_latex(d):
        rows.append(where_latex(d))
    for der, diff in zip(steps.derivations, d.derivations):
        v, top = der.var.name, der.top
        if len(steps.derivations) > 1:
            rows.append(f"\\textbf{{by }} {_name(v)}")
        rows.append("\\text{1. Intermediate variables}")
        rows += [
            f"\\qquad {_name(sym.name)} = {latex_of(definition)}"
            for sym, definition in der.intermediates
        ]
        rows.append("\\text{2. Their derivatives}")
        for p in der.partials:
            eq = (
                f"{_partial(p.of, p.by)} = {latex_of(p.value)}"
                if p.value is not None
                else f"\\mathrm{{d}}{_name(p.of)} = {latex_of(p.differential)}"
            )
            rows.append(f"\\qquad {eq}{_label(p.rule)}")
        rows.append(f"\\text{{3. Combined by the {latex_text(der.chain_rule)}}}")
        if der.chained is not None:
            named = (
                "" if der.chain_names == f"∂{top}/∂{v}" else f"{_chain_names(der.chain_names)} = "
            )
            rows.append(f"\\qquad {_partial(top, v)} = {named}{latex_of(der.chained)}")
        else:
            rows.append(f"\\qquad \\mathrm{{d}}{_name(top)} = {latex_of(diff.differential)}")
        rows.append("\\text{4. Substituted back and simplified}")
        substituted = latex_of(der.substituted) if der.substituted is not None else None
        if substituted is not None:
            rows.append(f"\\qquad {_partial(top, v)} = {substituted}")
        rows += [
            f"\\qquad\\qquad {latex_of(r.before)} = {latex_of(r.after)}{_label(r.rule)}"
            for r in der.rewrites
        ]
        if der.result is not None:
            final = f"{_partial(top, v)} = {latex_of(der.result)}"
        elif len(steps.derivations) == 1 and d.result is None:
            final = _linear_map(d)
        else:
            final = None
        if final is not None and (
            der.rewrites or substituted is None or not final.endswith(" = " + substituted)
        ):
            rows.append(f"\\qquad {final}")
        if getattr(der, "whole", None) is not None:  # the Derivative's form of the result
            rows.append(f"\\qquad {_partial(top, v)} = {latex_of(der.whole)}")
        if der.laid_out is not None:
            rows.append(
                f"\\qquad {_partial(top, v)} = {latex_of(der.laid_out)}"
                f"{_label(d.layout + ' layout')}"
            )
    if len(steps.derivations) > 1:
        rows.append(f"\\text{{Stacked: }} {derivative_equation(d)}")
    return rows


def steps_latex(steps: StepsLike) -> str:
    """The tutorial's four steps as display math: one `aligned` block, a `\\text{…}`
    heading per step and one equation per row, each rule named beside its equation; in
    the notation of the Derivative (`notation="tutorial"`), if it names one."""
    with using_notation(getattr(steps.derivative, "notation", None)):
        rows = " \\\\\n".join("& " + r for r in _steps_rows(steps))
    return f"$$\n\\begin{{aligned}}\n{rows}\n\\end{{aligned}}\n$$"


def steps_markdown(steps: StepsLike) -> str:
    """The four steps for Jupyter's text/markdown (which front ends prefer to text/latex):
    the same display math; Jupyter's Markdown typesets `$$ … $$`."""
    return steps_latex(steps)
