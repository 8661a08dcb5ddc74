"""Display math of a finished `Derivative` and of its `Steps`: LaTeX and Markdown.

- `derivative_latex(d)` / `derivative_markdown(d)`: ∂/∂w (f) = result as display math
  (∂²f/∂x² for a Hessian, ∇ for a stacked list of scalars, ∂vec(Y)/∂vec(X) for a linear
  map); `Derivative._repr_latex_` / `_repr_markdown_` call them.
- `steps_latex(steps)` / `steps_markdown(steps)`: the steps as one `aligned` block, written
  from the same rows as the text (`render.steps_text.step_rows`: numbered headings, each
  equation with its shape and rule, the read-off and layout steps, each rewrite under the
  equation it tidied), with the LaTeX printer of `render.text` for every expression — no
  Unicode left for MathJax to trip on.

- `derivative_naming(d)`, `result_text(d, names)`, `result_latex(d, names)`: the result
  with its named intermediates (`(s − y)xᵀ  where s = softmax(Wx)`, `render.names`), or
  flat (`names=False`); what `str(d)`, `d.text()` and `d.latex()` print.

It reads a finished Derivative (and Steps) only: nothing here derives anything.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from ..declarations import where_text
from ..derived import DerivativeLike, StepsLike
from ..records import replace
from .latex_names import fold_lines, latex_text
from .latex_names import latex_name as _name
from .names import Naming, latex_block, name_intermediates, taken_names
from .styles import using_notation
from .text import latex as latex_of
from .text import text as text_of

__all__ = [
    "derivative_equation",
    "derivative_naming",
    "derivative_latex",
    "derivative_markdown",
    "result_latex",
    "result_text",
    "steps_latex",
    "steps_markdown",
    "where_latex",
]


# The steps and the index form of a linear map are imported when first asked for: a plain
# derivative prints without them (CLI cold start, issue 11).
def _step_rows(steps: StepsLike, show: Callable[..., str]) -> list:
    from .steps_text import step_rows as rows

    return rows(steps, show)


def _linear_map_exprs(d: DerivativeLike) -> list:
    from .tensor import linear_map_exprs as exprs

    return exprs(d)


def _linear_map_latex(d: DerivativeLike, show: Callable | None = None) -> str:
    from .tensor import linear_map_latex as latex

    return latex(d, show)


def _linear_map_text(d: DerivativeLike, show: Callable | None = None) -> str:
    from .tensor import linear_map_text as text

    return text(d, show)


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
    return _linear_map_latex(d)


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


def derivative_equation(d: DerivativeLike, names: bool | None = None) -> str:
    """`operator(expression) = result` in LaTeX, without math delimiters; with named
    intermediates an `aligned` block, the definitions under the result aligned at `=`."""
    naming = derivative_naming(d, names)
    if d.result is None:
        equation = _linear_map_latex(d, naming.latex if naming else None)
        return latex_block(["&" + equation] + naming.latex_rows(False)) if naming else equation
    if not naming:
        return f"{_operator(d)} = {latex_of(d.result)}"
    body = fold_lines(naming.latex(d.result))
    return latex_block([f"{_operator(d)} &= {body}"] + naming.latex_rows())


# ---------------------------------------------------------------- named intermediates
def _wants_names(d, names: bool | None) -> bool:
    return getattr(d, "names", True) if names is None else bool(names)


def derivative_naming(d: DerivativeLike, names: bool | None = None) -> Naming:
    """The names `d` prints with (`render.names`): empty when `names` is False (or, when
    None, the Derivative's own `names` setting is)."""
    if not _wants_names(d, names):
        return Naming()
    # nodes compare by identity: a changed result (or function, variable) is measured again
    key = (d.result, d.differential, tuple(d.wrt), d.expression, getattr(d, "function", None))
    cached = getattr(d, "_naming", None)
    if cached is not None and cached[0] == key:
        return cached[1]
    naming = _naming(d)
    try:  # the same result prints the same names, measured once
        d._naming = (key, naming)
    except AttributeError:  # a read-only DerivativeLike
        pass
    return naming


def _naming(d) -> Naming:
    exprs = [d.result] if d.result is not None else _linear_map_exprs(d)
    variables = getattr(d, "variables", {}) or {}
    taken = taken_names(
        d.expression, d.result, getattr(d, "function", None), variables=variables.values()
    )
    return name_intermediates(exprs, taken | {v.name for v in d.wrt})


def result_text(d: DerivativeLike, names: bool | None = None) -> str:
    """The result in Unicode, `(s − y)xᵀ  where s = softmax(Wx)` (flat: `names=False`)."""
    naming = derivative_naming(d, names)
    if d.result is None:
        equation = _linear_map_text(d, naming.text if naming else None)
        return f"{equation}  {naming.where_text()}" if naming else equation
    return naming.show_text(d.result) if naming else text_of(d.result)


def result_latex(d: DerivativeLike, names: bool | None = None) -> str:
    """The result in LaTeX: an `aligned` block with its `where` rows, or flat."""
    naming = derivative_naming(d, names)
    if d.result is None:
        equation = _linear_map_latex(d, naming.latex if naming else None)
        return latex_block(["&" + equation] + naming.latex_rows(False)) if naming else equation
    return naming.show_latex(d.result) if naming else latex_of(d.result)


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
def derivative_latex(d: DerivativeLike, names: bool | None = None) -> str:
    """Display math for Jupyter's text/latex: `$$\\frac{\\partial}{\\partial w}(…) = …$$`."""
    return f"$${derivative_equation(d, names)}{_layout_note(d)}$$"


def derivative_markdown(d: DerivativeLike, names: bool | None = None) -> str:
    """Markdown for Jupyter: the display math, then a caption with the Unicode form (what
    `str(d)` and the CLI print), the kind of derivative and the layout."""
    kind = "derivative" if d.kind == "tangent" else d.kind
    if d.function is not None:
        kind = "Hessian"
    elif d.kind in ("jacobian", "stacked"):
        kind = "gradient" if d.expression.shape.is_scalar else "Jacobian"
    where = where_text(getattr(d, "inferred", {}))
    where = f"{where}\n\n" if where else ""  # the inferred shapes, under the result
    shown = result_text(d, names)
    return f"$${derivative_equation(d, names)}$$\n\n{where}*{kind}, {d.layout} layout:* `{shown}`"


# ---------------------------------------------------------------- the steps
_OPERATORS = {" = ": " = ", "  ⇒  ": r" \;\Rightarrow\; ", ": ": r"\colon ", ", ": r",\ "}
_OPERATORS["  →  "] = r" \;\to\; "


def _dims_latex(shape) -> str:
    def dim(x) -> str:
        x = str(x)
        if x.isdigit():
            return x
        return _name(x) if re.fullmatch(r"[^\W\d]\w*", x) else f"\\text{{{latex_text(x)}}}"

    return f"{dim(shape.rows)} \\times {dim(shape.cols)}"


def _part_latex(part: tuple, final) -> str:
    """One part of a step row (`render.steps_text.Row`) in LaTeX."""
    kind = part[0]
    if kind == "w":
        return f"\\text{{{latex_text(part[1])}}}"
    if kind == "o":
        return _OPERATORS.get(part[1], part[1])
    if kind == "n":
        return _name(part[1])
    if kind == "p":
        return _partial(part[1], part[2])
    if kind == "d":
        return f"\\mathrm{{d}}{_name(part[1])}"
    if kind == "e":
        return latex_of(part[1])
    if kind == "f":
        return final(part[1])
    if kind == "c":
        return _chain_names(part[1])
    if kind == "s":
        return _dims_latex(part[1])
    if kind == "m":
        return _linear_map_latex(part[1])
    return part[2]  # "x": (text, latex)


def _note_latex(row) -> str:
    shape = f"\\quad ({_dims_latex(row.shape)})" if row.shape is not None else ""
    return shape + (_label(row.rule) if row.rule else "")


def _steps_rows(steps) -> list[str]:
    """The rows of `render.steps_text.step_rows` (the same rows the text prints) in LaTeX."""
    d = steps.derivative
    naming = derivative_naming(d) if len(steps.derivations) == 1 else Naming()

    def final(e) -> str:  # the derivative itself, with its named intermediates (as `str(d)`)
        if e is d.result and naming:
            return f"{naming.latex(e)} \\quad {naming.where_latex()}"
        return latex_of(e)

    out = []
    for row in _step_rows(steps, text_of):
        said = "".join(_part_latex(p, final) for p in row.parts)
        if row.kind == "head":
            out.append(_steps_title(d))
        elif row.kind == "where":
            if where_latex(d):
                out.append(where_latex(d))
        elif row.kind == "by":
            out.append(f"\\textbf{{by }} {_name(row.var.name)}")
        elif row.kind == "stacked":
            out.append(f"\\text{{Stacked: }} {derivative_equation(d)}")
        elif row.kind == "heading":
            words = row.title.partition(": ")[0] if row.parts else row.title
            heading = f"\\text{{{row.number}. {latex_text(words)}}}"
            out.append(heading + (f"\\colon\\ {said}" if row.parts else ""))
        elif row.kind == "equation":
            out.append(f"\\qquad {said}{_note_latex(row)}")
        elif row.kind == "rewrite":
            out.append(f"\\qquad\\qquad {said}{_label(row.rule)}")
        else:
            out.append(f"\\qquad {said}")
    return out


def _steps_title(d) -> str:
    title = _operator(d)
    if d.function is not None:  # a Hessian: the Jacobian of the gradient
        title += " = " + (
            _by(d.wrt[0], d.expression) if len(d.wrt) == 1 else _operator(replace(d, function=None))
        )
    return title + _layout_note(d)


def steps_latex(steps: StepsLike) -> str:
    """The steps as display math: one `aligned` block, a `\\text{…}` heading per step and
    one equation per row, its shape and rule beside it (the rows of the text); in
    the notation of the Derivative (`notation="tutorial"`), if it names one."""
    with using_notation(getattr(steps.derivative, "notation", None)):
        rows = " \\\\\n".join("& " + r for r in _steps_rows(steps))
    return f"$$\n\\begin{{aligned}}\n{rows}\n\\end{{aligned}}\n$$"


def steps_markdown(steps: StepsLike) -> str:
    """The steps for Jupyter's text/markdown (which front ends prefer to text/latex):
    the same display math; Jupyter's Markdown typesets `$$ … $$`."""
    return steps_latex(steps)
