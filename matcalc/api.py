"""The public API: `derivative`, `hessian`, and the `Derivative` they return.

derivative(expression, wrt, shapes=None, layout="numerator") parses (the grammar is the
only door), types, differentiates (engine), reads the derivative off the differential
(readoff) and simplifies it (simplify). Layouts: numerator (the tutorial's: a gradient is
a row, ∂y/∂x is m×n), denominator (transposed), mixed (gradient a column, Jacobian as in
numerator, as matrixcalculus.org prints). `evaluate` returns output shape + wrt shape
(numerator, mixed) or wrt shape + output shape (denominator).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from . import expr as E
from .build import Typed, build_typed
from .codegen import to_source
from .declarations import spec_string
from .engine import differentiate
from .errors import MatcalcError, NameError_, UnsupportedError
from .layout import LAYOUTS, Layout
from .parse import parse_query
from .primitives.catalog import function_names
from .readoff import NotFactorable, gradient, jacobian, substitute
from .render.display import derivative_latex, derivative_markdown
from .render.tensor import linear_map_latex, linear_map_text
from .render.text import latex as latex_of
from .render.text import text as text_of
from .shapes import Shape
from .simplify import simplify
from .steps import Steps

# NumPy (evaluate) and SymPy (check) are imported where a Derivative first needs them, so
# that `import matcalc` and the command line stay quick.

__all__ = ["LAYOUTS", "Derivative", "Layout", "derivative", "function_names", "hessian"]


@dataclass
class Derivative:
    """A derivative in matrix notation: print it, typeset it, evaluate it, check it."""

    expression: E.Expr
    wrt: tuple  # the Var(s)
    variables: dict
    layout: Layout  # a str: "numerator", "denominator" or "mixed"
    result: E.Expr | None  # the matrix-notation derivative (None: a linear map)
    differential: E.Expr  # d f, linear in d(wrt) (for a single wrt)
    kind: str  # "tangent" | "jacobian" | "gradient" | "linear map" | "stacked"
    derivations: list = field(default_factory=list)
    rewrites: list = field(default_factory=list)
    raw: E.Expr | None = None  # the read-off before simplification
    function: E.Expr | None = None  # for a Hessian: f itself (`expression` is its gradient)
    # every name of the query -> its shape as a declaration ("vector(N)", "matrix(m, n)",
    # "scalar", "symmetric(n)", "simplex(n)"; dimensions used as numbers are not names here),
    # and the part of it that was inferred rather than declared (shown as "where …")
    declarations: dict = field(default_factory=dict)
    inferred: dict = field(default_factory=dict)
    # a stacked ∇f(x, y, …): the derivative by each variable (numerator layout), in wrt order
    parts: tuple = ()

    def __post_init__(self):
        self.layout = Layout.of(self.layout)

    # ---------------------------------------------------------------- printing
    def __str__(self) -> str:
        if self.result is None:
            return linear_map_text(self)
        return text_of(self.result)

    def __repr__(self) -> str:
        names = ", ".join(v.name for v in self.wrt)
        return f"<Derivative ∂({text_of(self.expression)})/∂{names} = {self}>"

    def latex(self) -> str:
        if self.result is None:
            return linear_map_latex(self)
        return latex_of(self.result)

    @property
    def steps(self):
        return Steps(self)

    @property
    def shape(self) -> tuple:
        """Symbolic NumPy shape of `evaluate`'s array: output + wrt (numerator, mixed)."""
        out = _np_dims(self.expression.shape)
        var = (
            tuple(d for v in self.wrt for d in _np_dims(v.shape))
            if len(self.wrt) == 1
            else (len(self.wrt),)
        )
        return self.layout.axes(out, var)

    # ---------------------------------------------------------------- numbers
    def evaluate(self, values: dict):
        """The derivative at `values` (name -> float/array; dimension sizes follow from them):
        a numpy.ndarray. A symmetric or simplex variable's value must be on its set; an array
        past limits.EVALUATE_MAX_BYTES is refused (LimitError) before it is built."""
        from .evaluate_derivative import evaluate_derivative

        return evaluate_derivative(self, values)

    def check(self, n: int = 3, seed: int = 0):
        """SymPy's component-wise cross-check at sizes n, 3, 2, 4, … (1 <= n <= 8): a
        `matcalc.check.Report`; raises `CheckFailed` at a difference, `LimitError` past
        matcalc.limits. Symmetric and simplex variables: the unconstrained gradient, on the set."""
        from .check import check

        return check(self, n=n, seed=seed)

    # ---------------------------------------------------------------- code and Jupyter
    def to_numpy(self) -> str:
        """Source of a self-contained Python function computing the value and the derivative."""
        return to_source(self, "numpy")

    def to_source(self, target: str = "numpy") -> str:
        """Like `to_numpy`, for "numpy", "jax" or "torch" (imported only by the generated code)."""
        return to_source(self, target)

    def _repr_latex_(self) -> str:
        return derivative_latex(self)

    def _repr_markdown_(self) -> str:
        return derivative_markdown(self)


def _np_dims(shape) -> tuple:
    return shape.np_dims


def _apply_layout(result: E.Expr, layout: Layout, kind: str, var) -> E.Expr:
    return E.Transpose(result) if layout.transposes(kind, result.shape) else result


def _derive(expression: E.Expr, var: E.Var, variables: dict, layout: Layout) -> Derivative:
    d = differentiate(expression, var)
    L = d.differential
    out = expression.shape
    raw, kind = None, None
    if var.shape.is_scalar:
        raw, kind = substitute(L, {E.Differential(var): E.Const(1)}), "tangent"
    elif var.shape.is_column and (out.is_scalar or out.is_vector):
        try:
            raw, kind = jacobian(L, var), "jacobian"
        except NotFactorable:
            if out.is_scalar:
                try:
                    raw, kind = E.Transpose(gradient(L, var)), "jacobian"
                except NotFactorable:
                    pass
    elif out.is_scalar:
        try:
            raw, kind = gradient(L, var), "gradient"
        except NotFactorable:
            try:  # simplified, it may take a form the read-off knows (tr of a literal)
                raw, kind = gradient(simplify(L), var), "gradient"
            except NotFactorable:
                pass
    rewrites: list = []
    if raw is None:
        return Derivative(expression, (var,), variables, layout, None, L, "linear map", [d])
    result = simplify(raw, log=rewrites)
    # a gradient by a matrix is shaped like the matrix in every layout (the Cookbook's)
    laid_out = (
        result
        if kind == "gradient" and not var.shape.is_column
        else _apply_layout(result, layout, kind, var)
    )
    if laid_out is not result:
        result = simplify(laid_out, log=rewrites)
    return Derivative(expression, (var,), variables, layout, result, L, kind, [d], rewrites, raw)


def _parse(expression, shapes):
    """(expression, {name: Var}) of a query text or an Expr."""
    typed = _parse_typed(expression, shapes)
    return typed.expression, typed.variables


def _parse_typed(expression, shapes) -> Typed:
    if isinstance(expression, E.Expr):
        variables = {v.name: v for v in E.walk(expression) if isinstance(v, E.Var)}
        declared = {n: spec_string(v.shape, v.structure) for n, v in variables.items()}
        return Typed(expression, variables, declared, {}, frozenset())
    if not isinstance(expression, str):
        raise MatcalcError(
            f"the expression must be a str (or an Expr), not {type(expression).__name__}"
        )
    return build_typed(parse_query(expression), shapes)


def _resolve(wrt, variables, expression_text, dimensions=frozenset()) -> list:
    names = [wrt] if isinstance(wrt, str) else list(wrt) if isinstance(wrt, (list, tuple)) else None
    if names is None or not all(isinstance(n, str) for n in names):
        raise NameError_(f"wrt must be a variable name or a list of names, not {wrt!r}")
    if not names:
        raise NameError_("no variable to differentiate by (wrt is empty)")
    out = []
    for n in names:
        n = n.strip()
        if not n:
            raise NameError_(
                "an empty name in wrt", expected="a variable name, or names separated by commas"
            )
        if n in (v.name for v in out):
            raise NameError_(f"{n!r} is listed twice in wrt", expected="each variable once")
        if n not in variables:
            known = ", ".join(sorted(variables)) or "none"
            if n in dimensions:
                raise NameError_(
                    f"{n!r} is a dimension (a size), not a variable",
                    expected=f"one of the variables: {known}",
                )
            raise NameError_(
                f"{n!r} does not appear in the expression",
                expected=f"one of its variables: {known}",
            )
        out.append(variables[n])
    return out


def _declare(d: Derivative, typed: Typed) -> Derivative:
    d.declarations, d.inferred = dict(typed.declarations), dict(typed.inferred)
    return d


def _stacked(expr: E.Expr, vars_: list, variables: dict, layout: str) -> Derivative:
    """∂f/∂(x₁, …, x_k) for scalars xᵢ: the tangents ∂f/∂xᵢ side by side — the gradient
    row [∂f/∂x₁, …] of a scalar f, the Jacobian (one column per xᵢ) of a vector (a row
    is read as a column, as by a vector). A matrix's would be a third-order array, which
    has no matrix notation: an error that says what to do instead."""
    if any(not v.shape.is_scalar for v in vars_):
        raise MatcalcError(
            "a list of variables must be scalars (stacked into ∇f(x, y));"
            " differentiate by a vector variable instead"
        )
    if expr.shape.is_matrix:
        names = ", ".join(v.name for v in vars_)
        raise UnsupportedError(
            f"{text_of(expr)} is a {expr.shape.kind}: its derivative by the list [{names}] "
            "would be a third-order array, which has no matrix form; a list of scalars "
            "stacks the derivatives of a scalar (the gradient) or a vector (the Jacobian)",
            expected="one scalar at a time (each gives ∂F/∂x, shaped like F)",
        )
    parts = [_derive(expr, v, variables, Layout.NUMERATOR) for v in vars_]
    stacked = _side_by_side([p.result for p in parts], expr.shape)
    if layout.stacked_transposed(expr.shape.is_scalar):
        stacked = simplify(E.Transpose(stacked))  # mixed: a gradient is a column
    return Derivative(
        expr,
        tuple(vars_),
        variables,
        layout,
        stacked,
        parts[0].differential,
        "stacked",
        [p.derivations[0] for p in parts],
        [r for p in parts for r in p.rewrites],
        parts=tuple(parts),
    )


def _side_by_side(tangents: list, out) -> E.Expr:
    """Tangents of a scalar as a row; of a vector as columns, one matrix literal when
    each is a literal column of scalars ([[6xy, 3x²], [2, 8y⁷]])."""
    if out.is_scalar:
        return E.Block((tuple(tangents),))
    column = Shape(out.rows if out.is_column else out.cols, 1)
    cols = [
        E.Mul(t, E.Ones(column))
        if t.shape.is_scalar
        # a constant tangent
        else t
        if t.shape.is_column
        else E.Transpose(t)
        for t in tangents
    ]
    if all(isinstance(c, E.Block) and c.args[1] == 1 for c in cols) and all(
        e.shape.is_scalar for c in cols for e in c.args[2:]
    ):
        return E.Block(tuple(tuple(c.args[2 + i] for c in cols) for i in range(cols[0].args[0])))
    return E.Block((tuple(cols),))


def derivative(
    expression: str | E.Expr,
    wrt: str | list[str],
    shapes: dict | None = None,
    layout: str = "numerator",
) -> Derivative:
    """∂ expression / ∂ wrt in matrix notation.

    expression: query text (may start with declarations `x: vector(n);`), or an Expr.
    wrt: a variable name, or a list of scalar names for the stacked Jacobian ∇f(x, y).
    shapes: {"x": "vector(n)", "A": "matrix(m, n)", "b": "scalar", "S": "symmetric(n)"}.
    """
    layout = Layout.of(layout)
    typed = _parse_typed(expression, shapes)
    expr, variables = typed.expression, typed.variables
    vars_ = _resolve(wrt, variables, expression, typed.dimensions)
    if len(vars_) == 1 and isinstance(wrt, str):
        return _declare(_derive(expr, vars_[0], variables, layout), typed)
    return _declare(_stacked(expr, vars_, variables, layout), typed)


def hessian(
    expression: str | E.Expr, wrt: str | list[str], shapes: dict | None = None
) -> Derivative:
    """The Hessian ∂²f/∂x² of a scalar f: the Jacobian of the gradient (a column). By a
    matrix X, the fourth-order ∂²f/∂Xᵢⱼ∂Xₖₗ (a linear map); by a list of scalars
    [x, y, …], the k×k matrix of ∂²f/∂xᵢ∂xⱼ. The result's `function` is f, its
    `expression` the gradient."""
    typed = _parse_typed(expression, shapes)
    expr, variables = typed.expression, typed.variables
    vars_ = _resolve(wrt, variables, expression, typed.dimensions)
    if not expr.shape.is_scalar:
        raise MatcalcError(
            f"the Hessian needs a scalar function; this one is {expr.shape.kind}",
            expected="a scalar expression (sum(...), x @ A @ x, norm(...)^2, …)",
        )
    if isinstance(wrt, str):
        (var,) = vars_
        grad = _closed_gradient(expr, var, variables)
        grad = E.Transpose(grad) if var.shape.is_column else grad
        try:
            second = _derive(grad, var, variables, Layout.NUMERATOR)
        except NotFactorable:
            second = _as_linear_map(grad, var, variables)
    else:
        if any(not v.shape.is_scalar for v in vars_):
            raise MatcalcError(
                'a Hessian by a list needs scalar variables (["x", "y"]);'
                " for a vector, give its name alone"
            )
        grad = E.Block(tuple((_closed_gradient(expr, v, variables),) for v in vars_))
        second = _stacked(grad, vars_, variables, Layout.NUMERATOR)
    second.function = expr
    return _declare(second, typed)


def _closed_gradient(expr: E.Expr, var: E.Var, variables: dict) -> E.Expr:
    """∂f/∂var in matrix notation (numerator layout), or an error: a Hessian differentiates
    the gradient, so it needs one in closed form."""
    try:
        first = _derive(expr, var, variables, Layout.NUMERATOR)
    except NotFactorable:
        first = None
    if first is None or first.result is None:
        raise UnsupportedError(
            f"the Hessian by {var.name} needs the gradient of {text_of(expr)} in matrix "
            f"notation, and matcalc can only write it as a linear map of d{var.name}",
            expected="a function whose gradient matcalc reads off (derivative(f, "
            f"{var.name!r}) prints a matrix expression)",
        )
    return first.result


def _as_linear_map(expression: E.Expr, var: E.Var, variables: dict) -> Derivative:
    """The derivative as its differential only (no read-off): always defined."""
    d = differentiate(expression, var)
    return Derivative(
        expression, (var,), variables, Layout.NUMERATOR, None, d.differential, "linear map", [d]
    )
