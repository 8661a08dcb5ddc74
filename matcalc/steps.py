"""The derivation in the tutorial's four steps (section "The chain rules"):

1. introduce intermediate variables u₁, u₂, … for the nodes that depend on the variable,
   each with its shape;
2. differentiate each with respect to its parameters, naming the rule that gave it (with
   the shape of each local derivative: `∂u₁/∂w: 1×n`);
3. combine the derivatives with the chain rule (single-variable, total-derivative or
   vector, as the case is), still in terms of the uᵢ, the shape of each factor beside;
   a one-link chain has nothing to combine and skips this step;
4. where only the differential reads well, read the derivative off it (for a matrix
   variable the trace trick, d f = tr(Gᵀ dX) ⇒ ∂f/∂X = G);
5. substitute back and simplify, naming each rewrite (`1ᵀdiag(x) = xᵀ`);
6. change to the requested layout, where it differs from the numerator layout.
Steps are numbered as shown; a derivative of a constant (or of the variable itself) is
one line. A derivative that is a linear map (matrix by matrix) ends in its own form.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from . import expr as E
from .engine import differentiate
from .errors import ShapeError
from .layout import Layout
from .readoff import NotFactorable, gradient, jacobian, rebuild, substitute
from .render.display import steps_latex, steps_markdown
from .render.steps_text import steps_text
from .render.styles import using_notation
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
    rewrites: list = field(default_factory=list)  # those that tidied the local derivative
    raw: E.Expr | None = None  # the local derivative before them

    @property
    def shape(self):
        """The local derivative's shape (numerator layout), None for a differential."""
        return None if self.value is None else self.value.shape


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
    layout_rewrites: list = field(default_factory=list)  # those that tidied the transpose
    # the Derivative's form where the steps' own path ends in another (equal) form
    whole: E.Expr | None = None
    top: str = "y"
    # where the chain has no matrix form: (title, d f in read-off form, the derivative)
    read_off: tuple | None = None


def _read(local: E.Expr, by: E.Expr, of_shape) -> E.Expr | None:
    """The local derivative in matrix form, or None when only the differential reads well."""
    d = E.Differential(by)
    try:
        if by.shape.is_scalar:
            return substitute(local, {d: E.Const(1)})
        if by.shape.is_column and (of_shape.is_scalar or of_shape.is_vector):
            return jacobian(local, by)
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


def _rule_name(definition: E.Expr, by: E.Expr, rule: str) -> str:
    """The rule's name; a product of `by` and numbers only (3x, −x, x/2) is the constant
    rule, d(cx) = c dx, not the product rule."""
    if (
        isinstance(definition, E.Mul)
        and by in definition.args
        and all(f is by or isinstance(f, E.Const) for f in definition.args)
    ):
        return "constant rule"
    return rule


def _read_off(L: E.Expr, var: E.Var, top: str) -> tuple | None:
    """(title, d f in the form the derivative is read from, the derivative) where the chain
    has no matrix form: d f = t dx ⇒ ∂f/∂x = t by a scalar, d f = J dx ⇒ ∂f/∂x = J by a
    vector; by a matrix, for a scalar f,
    the trace trick d f = tr(Gᵀ dX) ⇒ ∂f/∂X = G. None where neither applies."""
    v, dvar = var.name, E.Differential(var)
    try:
        if var.shape.is_scalar:
            t = substitute(L, {dvar: E.Const(1)})
            title = f"Read off the derivative: d{top} = t d{v} ⇒ ∂{top}/∂{v} = t"
            return title, E.Mul(t, dvar), t
        if var.shape.is_column:
            J = jacobian(L, var)
            title = f"Read off the Jacobian: d{top} = J d{v} ⇒ ∂{top}/∂{v} = J"
            return title, E.MatMul(J, dvar), J
        if L.shape.is_scalar and not var.shape.is_scalar:
            try:
                G = gradient(L, var)
            except NotFactorable:  # as the API reads it: simplified first
                G = gradient(simplify(L), var)
            title = (
                f"Read off the gradient by the trace trick: d{top} = tr(Gᵀ d{v}) ⇒ ∂{top}/∂{v} = G"
            )
            return title, E.Trace(E.MatMul(E.Transpose(G), dvar)), G
    except NotFactorable:
        return None
    return None


def derive_steps(
    diff: E.Expr,
    layout_result: E.Expr | None,
    rewrites: list,
    transposed: bool = False,
    names: frozenset = frozenset(),
) -> Derivation:
    """Name the intermediates, differentiate each definition by the symbols it uses (with
    the same engine), chain the local derivatives, substitute back. The steps work in
    numerator layout; where the requested layout is another (`transposed`), the result
    in it, `layout_result`, ends them. The result's symbol (y, f, g or F) is none of the
    expression's names nor of `names` (every variable of the derivative)."""
    rules = load()
    var = diff.var
    applied = [
        a for a in diff.applied if not isinstance(a.node, E.Transpose) or a.node is diff.root
    ]  # xᵀ stays inline: w·x, not u₁x
    out = Derivation(var)
    symbols: dict = {}
    taken = {v.name for v in E.walk(diff.root) if isinstance(v, E.Var)} | {var.name} | names
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
            log: list = []
            raw = _read(local, by, a.node.shape)
            value = None if raw is None else simplify(raw, log=log)
            rule = _rule_name(definition, by, rules[type(a.node)].name)
            out.partials.append(Partial(sym.name, by.name, value, local, rule, log, raw))
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
    if out.chained is None and applied:
        out.read_off = _read_off(diff.differential, var, top)
    # the steps' own path, every rewrite on it logged: from the substituted chain (or the
    # read-off) to the result, then to the transpose where the layout asks for it
    start = out.substituted
    if start is None and out.read_off is not None:
        start = out.read_off[2]
    if start is None:  # a linear map (or no matrix form): the Derivative's own
        out.result = layout_result
        out.rewrites = list(rewrites) if layout_result is not None else []
        return out
    out.result = simplify(start, log=out.rewrites)
    if transposed and layout_result is not None:
        laid = simplify(E.Transpose(out.result), log=out.layout_rewrites)
        if text_of(laid) != text_of(layout_result):
            out.layout_rewrites = []  # the Derivative's form, reached from its read-off
        if text_of(layout_result) != text_of(out.result):
            out.laid_out = layout_result  # denominator: the transpose, …
    elif layout_result is not None and text_of(layout_result) != text_of(out.result):
        if _terms(layout_result) == _terms(out.result):  # the same terms, in its order
            out.result = layout_result
        else:
            out.whole = layout_result  # reached from the read-off of the whole differential
    return out


def _terms(e: E.Expr) -> list[str]:
    """The printed terms of a sum, in a fixed order (two orders of one sum compare equal)."""
    return sorted(text_of(t) for t in (e.args if isinstance(e, E.Add) else (e,)))


class Steps:
    """Printable derivation; `str(steps)` (and `repr`) is text, `steps.latex()` a LaTeX
    `aligned` block, and Jupyter shows the LaTeX."""

    def __init__(self, d):
        self.derivative = d
        single = len(d.wrt) == 1
        self.derivations = [
            derive_steps(
                diff,
                d.result if single else None,
                list(d.rewrites) if single else [],
                single and d.layout != Layout.NUMERATOR,
                frozenset(getattr(d, "variables", ())),  # y names no variable
            )
            for diff in d.derivations
        ]

    def _notation(self):
        return using_notation(getattr(self.derivative, "notation", None))

    def __str__(self) -> str:
        return self.render(text_of)

    def __repr__(self) -> str:  # a terminal and IPython's plain text show the steps
        return str(self)

    def _repr_markdown_(self) -> str:
        with self._notation():
            return steps_markdown(self)

    def _repr_latex_(self) -> str:
        with self._notation():
            return steps_latex(self)

    def __iter__(self):
        return iter(str(self).splitlines())

    def render(self, show) -> str:
        """The steps as text, each expression printed by `show`."""
        with self._notation():
            return steps_text(self, show)

    def latex(self) -> str:
        """The derivation as a LaTeX `aligned` block, the four steps typeset."""
        with self._notation():
            return steps_latex(self)
