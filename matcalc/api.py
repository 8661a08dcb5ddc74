"""The public API: `derivative`, `hessian`, and the `Derivative` they return.

derivative(expression, wrt, shapes=None, layout="numerator") parses (the grammar is the
only door), types, differentiates (engine), reads the derivative off the differential
(readoff) and simplifies it (simplify). Layouts: numerator (the tutorial's: a gradient is
a row, ∂y/∂x is m×n), denominator (transposed), mixed (gradient a column, Jacobian as in
numerator, as matrixcalculus.org prints). `evaluate` returns output shape + wrt shape
(numerator, mixed) or wrt shape + output shape (denominator). `notation="tutorial"` prints
the tutorial's ⊗ for the element-wise product (and kron(A, B) for the Kronecker product).
"""

from __future__ import annotations

from . import expr as E
from .build import Typed, build_typed
from .declarations import spec_string
from .engine import differentiate
from .errors import MatcalcError, NameError_, UnsupportedError
from .layout import LAYOUTS, Layout
from .parse import parse_query
from .primitives.catalog import function_names
from .readoff import NotFactorable, gradient, jacobian, substitute
from .render.styles import notation_of
from .render.text import text as text_of
from .result import Derivative
from .shapes import Shape
from .simplify import simplify

__all__ = [
    "LAYOUTS",
    "Derivative",
    "Layout",
    "derivative",
    "function_names",
    "hessian",
    "value_and_grad_source",
]


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


def _tensors(expression, shapes) -> bool:
    """Does the query declare an order >= 3 value (`T: tensor(h, n, d)`)?"""
    given = isinstance(shapes, dict) and any("tensor" in str(s) for s in shapes.values())
    if not (given or isinstance(expression, str) and "tensor" in expression):
        return False
    from .tensor_api import is_tensor_query

    return is_tensor_query(expression, shapes)


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
    d.argument_order = typed.declared + tuple(n for n in typed.variables if n not in typed.declared)
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
    notation: str | None = None,
    names: bool = True,
) -> Derivative:
    """∂ expression / ∂ wrt in matrix notation.

    expression: query text (may start with declarations `x: vector(n);`), or an Expr.
    wrt: a variable name, or a list of scalar names for the stacked Jacobian ∇f(x, y).
    shapes: {"x": "vector(n)", "A": "matrix(m, n)", "b": "scalar", "S": "symmetric(n)"}.
    notation: "standard" (x ⊙ y element-wise, A ⊗ B Kronecker) or "tutorial" (the
    tutorial's x ⊗ y element-wise, kron(A, B) Kronecker); None (default): the notation
    current where it prints ("standard" unless inside `with using_notation(...)`).
    names: print with named intermediates (`(s − y)xᵀ  where s = softmax(Wx)`); False:
    the flat form (each printing method also takes `names=`).
    """
    if _tensors(expression, shapes):  # order >= 3 values: slice by slice (tensor_api)
        from .tensor_api import tensor_derivative

        return tensor_derivative(expression, wrt, shapes, layout, notation, names)
    layout = Layout.of(layout)
    notation = None if notation is None else notation_of(notation).name
    typed = _parse_typed(expression, shapes)
    expr, variables = typed.expression, typed.variables
    vars_ = _resolve(wrt, variables, expression, typed.dimensions)
    if len(vars_) == 1 and isinstance(wrt, str):
        d = _derive(expr, vars_[0], variables, layout)
    else:
        d = _stacked(expr, vars_, variables, layout)
    d = _declare(_notated(d, notation), typed)
    d.names = bool(names)
    return d


def _notated(d: Derivative, notation: str | None) -> Derivative:
    """`d` (and its parts) printing in `notation`."""
    d.notation = notation
    for part in d.parts:
        part.notation = notation
    return d


def hessian(
    expression: str | E.Expr,
    wrt: str | list[str],
    shapes: dict | None = None,
    notation: str | None = None,
) -> Derivative:
    """The Hessian ∂²f/∂x² of a scalar f: the Jacobian of the gradient (a column). By a
    matrix X, the fourth-order ∂²f/∂Xᵢⱼ∂Xₖₗ (a linear map); by a list of scalars
    [x, y, …], the k×k matrix of ∂²f/∂xᵢ∂xⱼ. The result's `function` is f, its
    `expression` the gradient. notation: as for `derivative`."""
    if _tensors(expression, shapes):
        from .tensor_api import tensor_hessian

        return tensor_hessian(expression, wrt, shapes, notation)
    notation = None if notation is None else notation_of(notation).name
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
    return _declare(_notated(second, notation), typed)


def value_and_grad_source(
    expression: str | E.Expr,
    wrt: str | list[str],
    shapes: dict | None = None,
    target: str = "numpy",
    dtype: str = "float64",
) -> str:
    """The source of one function f(...) -> (value, (∂f/∂w for w in wrt)) of a scalar f
    (a loss and all its weights, as a training step needs), sharing the forward pass;
    each gradient is shaped like its variable. target: "numpy", "jax" or "torch"; dtype:
    "float64" or "float32"."""
    if _tensors(expression, shapes):  # slice by slice, put together (tensor_grads)
        from .tensor_grads import tensor_value_and_grad_source

        return tensor_value_and_grad_source(expression, wrt, shapes, target, dtype)
    typed = _parse_typed(expression, shapes)
    expr, variables = typed.expression, typed.variables
    vars_ = _resolve(wrt, variables, expression, typed.dimensions)
    if not expr.shape.is_scalar:
        raise MatcalcError(
            f"value and gradients need a scalar function; this one is a {expr.shape.kind}",
            expected="a scalar expression (sum(...), norm(...)^2, a loss)",
        )
    parts = [_declare(_derive(expr, v, variables, Layout.NUMERATOR), typed) for v in vars_]
    from .codegen_grads import value_and_grad_to_source

    return value_and_grad_to_source(parts, target, dtype)


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
