"""The derivation in the tutorial's four steps (section "The chain rules"):

1. introduce intermediate variables u₁, u₂, … for the nodes that depend on the variable;
2. differentiate each with respect to its parameters, naming the rule that gave it;
3. combine the derivatives with the chain rule (single-variable, total-derivative or
   vector, as the case is), still in terms of the uᵢ;
4. substitute back and simplify, naming each rewrite (`1ᵀdiag(x) = xᵀ`).
A derivative that is a linear map (matrix by matrix) shows its differentials instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from . import expr as E
from .declarations import where_text
from .engine import differentiate
from .errors import ShapeError
from .layout import Layout
from .readoff import NotFactorable, jacobian, rebuild, substitute
from .render.display import steps_latex, steps_markdown
from .render.text import text as text_of
from .rules import load
from .rules.chain import kind as chain_kind
from .simplify import simplify

__all__ = ["SUBSCRIPT", "Derivation", "Partial", "Steps", "derive_steps"]

SUBSCRIPT = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


@dataclass
class Partial:
    of: str
    by: str
    value: E.Expr | None  # None: shown as a differential
    differential: E.Expr
    rule: str


@dataclass
class Derivation:
    var: E.Var
    intermediates: list = field(default_factory=list)  # [(symbol, definition)]
    partials: list = field(default_factory=list)  # [Partial]
    chain_rule: str = ""
    chain_names: str = ""
    chained: E.Expr | None = None
    substituted: E.Expr | None = None
    rewrites: list = field(default_factory=list)
    result: E.Expr | None = None
    laid_out: E.Expr | None = None  # the result in the requested layout, where it differs
    top: str = "y"


def _read(local: E.Expr, by: E.Expr, of_shape) -> E.Expr | None:
    """The local derivative in matrix form, or None when only the differential reads well."""
    d = E.Differential(by)
    try:
        if by.shape.is_scalar:
            return simplify(substitute(local, {d: E.Const(1)}))
        if by.shape.is_column and (of_shape.is_scalar or of_shape.is_vector):
            return simplify(jacobian(local, by))
    except NotFactorable:
        return None
    return None


def _compose(local: E.Expr, inner: E.Expr) -> E.Expr | None:
    """One link of the chain rule, ∂u/∂c · ∂c/∂x, in matrix notation, or None where it has
    none (a matrix-valued u by a vector x is a third-order tensor). By a scalar the tangent
    ∂c/∂x is shaped like c and scales ∂u/∂c; a scalar ∂u/∂c (u and c scalars) scales ∂c/∂x;
    otherwise the Jacobians multiply (an outer product where c is a scalar)."""
    if local.shape.is_scalar or inner.shape.is_scalar:
        return E.Mul(local, inner)
    if local.shape.cols == inner.shape.rows:
        return E.MatMul(local, inner)
    return None


def _sum_of_terms(terms: list, shape) -> E.Expr | None:
    """The chain's terms added; a row term beside column ones (an inline transpose, as in
    `uᵀ + α` by α) is read as the column it is the transpose of. None when the terms do not
    add up to one shape: the steps then show the differential instead of a matrix form."""
    if not terms:
        return None
    try:
        return E.Add(*terms)
    except ShapeError:
        pass
    first = shape if any(t.shape == shape for t in terms) else terms[0].shape
    aligned = [
        t if t.shape == first else E.Transpose(t) if t.shape.T == first else None for t in terms
    ]
    if any(t is None for t in aligned):
        return None
    try:
        return E.Add(*aligned)
    except ShapeError:
        return None


def derive_steps(
    diff: E.Expr, layout_result: E.Expr | None, rewrites: list, transposed: bool = False
) -> Derivation:
    """Name the intermediates, differentiate each definition by the symbols it uses (with
    the same engine), chain the local derivatives, substitute back. The steps work in
    numerator layout; where the requested layout is another (`transposed`), the result
    in it, `layout_result`, ends them."""
    rules = load()
    var = diff.var
    applied = [
        a for a in diff.applied if not isinstance(a.node, E.Transpose) or a.node is diff.root
    ]  # xᵀ stays inline: w·x, not u₁x
    out = Derivation(var)
    symbols: dict = {}
    taken = {v.name for v in E.walk(diff.root) if isinstance(v, E.Var)}
    top = next(n for n in ("y", "f", "g", "F") if n not in taken)
    out.top = top
    for i, a in enumerate(applied):
        last = a.node is diff.root
        name = top if last else f"u{i + 1}".translate(SUBSCRIPT)
        symbols[a.node] = E.Var(name, a.node.shape)
    origin = {s: n for n, s in symbols.items()}
    origin[var] = var
    definitions: dict = {}
    for a in diff.applied:
        kids = [symbols[c] if c in symbols else definitions.get(c, c) for c in a.node.children]
        definitions[a.node] = rebuild(a.node, kids) if kids else a.node
    total: dict = {var: E.Identity(var.shape.rows) if var.shape.is_column else E.Const(1)}
    names: dict = {var: ""}
    matrix_form = var.shape.is_scalar or var.shape.is_column
    for a in applied:
        sym = symbols[a.node]
        definition = definitions[a.node]
        out.intermediates.append((sym, definition))
        terms, term_names = [], []
        for by in [s for s in E.walk(definition) if s in origin]:
            local = differentiate(definition, by).differential
            value = _read(local, by, a.node.shape)
            out.partials.append(Partial(sym.name, by.name, value, local, rules[type(a.node)].name))
            child = origin[by]
            if value is None or total.get(child) is None:
                matrix_form = False
                continue
            term = _compose(value, total[child])
            if term is None:
                matrix_form = False
                continue
            term_names.append(
                f"∂{sym.name}/∂{by.name}" + ("" if child is var else " " + names[child])
            )
            terms.append(term)
        if matrix_form:
            total[a.node] = _sum_of_terms(terms, a.node.shape)
            matrix_form = total[a.node] is not None or not terms
            names[a.node] = (
                "(" + " + ".join(term_names) + ")"
                if len(term_names) > 1
                else (term_names[0] if term_names else "0")
            )
    out.chain_rule = chain_kind(
        [a.node for a in applied],
        var,
        lambda n: [c for c, _ in next(x for x in applied if x.node is n).locals],
    )
    if applied and matrix_form and total.get(applied[-1].node) is not None:
        out.chain_names = names[applied[-1].node].strip()
        out.chained = total[applied[-1].node]
        back: dict = {}
        for a in applied:  # children first: earlier u's are resolved
            back[symbols[a.node]] = substitute(definitions[a.node], back)
        out.substituted = substitute(out.chained, back)
    if not rewrites and out.substituted is not None:
        out.result = simplify(out.substituted, log=rewrites)
    elif transposed and out.substituted is not None:
        out.result = simplify(out.substituted)  # the rewrites are the Derivative's own
    else:
        out.result = layout_result
    if transposed and layout_result is not None and text_of(layout_result) != text_of(out.result):
        out.laid_out = layout_result  # denominator: the transpose, …
    out.rewrites = rewrites
    return out


class Steps:
    """Printable derivation; `str(steps)` is text, `steps.latex()` a LaTeX `aligned` block."""

    def __init__(self, d):
        self.derivative = d
        single = len(d.wrt) == 1
        self.derivations = [
            derive_steps(
                diff,
                d.result if single else None,
                list(d.rewrites) if single else [],
                single and d.layout != Layout.NUMERATOR,
            )
            for diff in d.derivations
        ]

    def __str__(self) -> str:
        return self.render(text_of)

    def _repr_markdown_(self) -> str:
        return steps_markdown(self)

    def _repr_latex_(self) -> str:
        return steps_latex(self)

    def __iter__(self):
        return iter(str(self).splitlines())

    def render(self, show) -> str:
        d = self.derivative

        def final(e):  # the derivative itself, with its named intermediates (render.names)
            return d.text() if e is d.result and show is text_of else show(e)

        names = ", ".join(v.name for v in d.wrt)
        head = f"∂/∂{names} of {show(d.expression)}   ({d.layout} layout)"
        if d.function is not None:  # a Hessian: the derivative of the gradient
            head = f"Hessian of {show(d.function)} by {names} = " + head.replace(
                " of ", " of the gradient ", 1
            )
        lines = [head]
        lines.append(where_text(getattr(d, "inferred", {})))
        for der, diff in zip(self.derivations, d.derivations):
            v = der.var.name
            top = der.top
            if len(self.derivations) > 1:
                lines.append(f"— by {v} —")
            lines.append("1. Intermediate variables")
            for sym, definition in der.intermediates:
                lines.append(f"   {sym.name} = {show(definition)}")
            lines.append("2. Their derivatives")
            for p in der.partials:
                if p.value is not None:
                    lines.append(f"   ∂{p.of}/∂{p.by} = {show(p.value)}    [{p.rule}]")
                else:
                    lines.append(f"   d{p.of} = {show(p.differential)}    [{p.rule}]")
            lines.append(f"3. Combined by the {der.chain_rule}")
            if der.chained is not None:
                named = "" if der.chain_names == f"∂{top}/∂{v}" else f"{der.chain_names} = "
                lines.append(f"   ∂{top}/∂{v} = {named}{show(der.chained)}")
            else:
                lines.append(f"   d{top} = {show(diff.differential)}")
            lines.append("4. Substituted back and simplified")
            if der.substituted is not None:
                lines.append(f"   ∂{top}/∂{v} = {show(der.substituted)}")
            for r in der.rewrites:
                lines.append(f"     {show(r.before)} = {show(r.after)}    [{r.rule}]")
            if der.result is None:  # a linear map: its own left-hand side
                part = (
                    d
                    if len(self.derivations) == 1
                    else next(p for p in d.parts if p.wrt[0] is der.var)
                )
                lines.append(
                    f"   {part}" if part.result is None else f"   ∂{top}/∂{v} = {show(part.result)}"
                )
            elif (
                der.rewrites
                or der.substituted is None
                or final(der.result) != show(der.substituted)
            ):
                lines.append(f"   ∂{top}/∂{v} = {final(der.result)}")
            if der.laid_out is not None:
                lines.append(f"   ∂{top}/∂{v} = {final(der.laid_out)}    [{d.layout} layout]")
        if len(self.derivations) > 1:
            lines.append(f"Stacked: {d}")
        return "\n".join(line for line in lines if line != "")

    def latex(self) -> str:
        """The derivation as a LaTeX `aligned` block, the four steps typeset."""
        return steps_latex(self)
