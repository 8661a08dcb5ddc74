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
from .declarations import spec_string
from .einsum import needs_order_3
from .errors import MatcalcError, UnsupportedError
from .layout import LAYOUTS, Layout
from .parse import parse_query
from .pipeline import (
    as_linear_map as _as_linear_map,
)
from .pipeline import (
    closed_gradient as _closed_gradient,
)
from .pipeline import (
    declare as _declare,
)
from .pipeline import (
    derive as _derive,
)
from .pipeline import (
    notated as _notated,
)
from .pipeline import (
    resolve as _resolve,
)
from .primitives.catalog import function_names
from .readoff import NotFactorable
from .render.styles import notation_of
from .render.text import text as text_of
from .result import Derivative
from .shapes import Shape
from .simplify import simplify
from .typed import Typed, build_typed

__all__ = [
    "LAYOUTS",
    "Derivative",
    "Layout",
    "derivative",
    "function_names",
    "hessian",
    "used_variables",
    "value_and_grad_source",
]


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


def _needs_index_engine(err: MatcalcError, expression) -> bool:
    """The 2-D builder refused an einsum for its order-3 intermediate: the any-order index
    engine (matcalc/tindex) derives such a query instead."""
    return isinstance(expression, str) and needs_order_3(err)


def _sliceable(expression: str, shapes) -> bool:
    """Does the slice model (tensor_query.plan) take this tensor query? If not, the index
    engine derives it (as tensor_api does for `derivative`)."""
    from .tensor_api import slice_plan

    return slice_plan(expression, shapes) is not None


def used_variables(query: str, shapes: dict | None = None) -> list[str]:
    """The names of the variables a query text uses, sorted: what a face (the command line,
    the magics) may differentiate by when the user names none. A query over tensors, or an
    einsum the index engine derives, is read from its syntax tree (the declared names its
    body uses); every other query from its typed expression."""
    if not _tensors(query, shapes):
        try:
            expr = build_typed(parse_query(query), shapes or {}).expression
            return sorted({v.name for v in E.walk(expr) if isinstance(v, E.Var)})
        except MatcalcError as err:
            if not _needs_index_engine(err, query):
                raise
    from .tensor_syntax import names_in

    parsed = parse_query(query)
    declared = {n for decl in parsed.declarations for n in decl.names} | set(shapes or {})
    return sorted(set(names_in(parsed.body)) & declared)


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
    try:
        typed = _parse_typed(expression, shapes)
    except MatcalcError as err:
        if not _needs_index_engine(err, expression):
            raise
        from .tindex import index_derivative

        return index_derivative(expression, wrt, shapes, layout.value, notation)
    expr, variables = typed.expression, typed.variables
    vars_ = _resolve(wrt, variables, expression, typed.dimensions)
    if len(vars_) == 1 and isinstance(wrt, str):
        d = _derive(expr, vars_[0], variables, layout)
    else:
        d = _stacked(expr, vars_, variables, layout)
    d = _declare(_notated(d, notation), typed)
    d.names = bool(names)
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
    try:
        typed = _parse_typed(expression, shapes)
    except MatcalcError as err:
        if not _needs_index_engine(err, expression):
            raise
        from .tindex import index_hessian

        return index_hessian(expression, wrt, shapes, notation)
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
    if _tensors(expression, shapes):
        if _sliceable(expression, shapes):  # slice by slice, put together (tensor_grads)
            from .tensor_grads import tensor_value_and_grad_source

            return tensor_value_and_grad_source(expression, wrt, shapes, target, dtype)
        from .tindex.grads import index_value_and_grad_source

        return index_value_and_grad_source(expression, wrt, shapes, target, dtype)
    try:
        typed = _parse_typed(expression, shapes)
    except MatcalcError as err:
        if not _needs_index_engine(err, expression):
            raise
        from .tindex.grads import index_value_and_grad_source

        return index_value_and_grad_source(expression, wrt, shapes, target, dtype)
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
