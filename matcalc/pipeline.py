"""The derivation pipeline shared by the API's faces (matrix queries in api.py, tensor
queries in tensor_api.py and tensor_grads.py): differentiate, read the derivative off the
differential, lay it out and simplify it (`derive`); which variables a `wrt` names
(`resolve`); the declarations and notation a result prints with (`declare`, `notated`); the
closed-form gradient a Hessian differentiates (`closed_gradient`); and the differential as
the derivative where no read-off applies (`as_linear_map`)."""

from __future__ import annotations

from . import expr as E
from .engine import differentiate
from .errors import NameError_, UnsupportedError
from .layout import Layout
from .readoff import NotFactorable, gradient, jacobian, substitute
from .render.text import text as text_of
from .result import Derivative
from .simplify import simplify
from .typed import Typed

__all__ = [
    "apply_layout",
    "as_linear_map",
    "closed_gradient",
    "declare",
    "derive",
    "notated",
    "resolve",
]


def apply_layout(result: E.Expr, layout: Layout, kind: str, var: E.Var) -> E.Expr:
    """`result` as `layout` writes a derivative of this kind by `var`."""
    return E.Transpose(result) if layout.transposes(kind, result.shape) else result


def derive(expression: E.Expr, var: E.Var, variables: dict, layout: Layout) -> Derivative:
    """∂expression/∂var: differentiated, read off, laid out and simplified (the
    differential alone where no read-off applies)."""
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
        else apply_layout(result, layout, kind, var)
    )
    if laid_out is not result:
        result = simplify(laid_out, log=rewrites)
    return Derivative(expression, (var,), variables, layout, result, L, kind, [d], rewrites, raw)


def resolve(
    wrt: object, variables: dict, expression_text: str, dimensions: frozenset = frozenset()
) -> list:
    """The variables `wrt` names (a name or a list of names), or a NameError_ that says
    why one is not a variable of the expression."""
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


def declare(d: Derivative, typed: Typed) -> Derivative:
    """`d` with the query's declarations, inferred shapes and argument order."""
    d.declarations, d.inferred = dict(typed.declarations), dict(typed.inferred)
    d.argument_order = typed.declared + tuple(n for n in typed.variables if n not in typed.declared)
    return d


def notated(d: Derivative, notation: str | None) -> Derivative:
    """`d` (and its parts) printing in `notation`."""
    d.notation = notation
    for part in d.parts:
        part.notation = notation
    return d


def closed_gradient(expr: E.Expr, var: E.Var, variables: dict) -> E.Expr:
    """∂f/∂var in matrix notation (numerator layout), or an error: a Hessian differentiates
    the gradient, so it needs one in closed form."""
    try:
        first = derive(expr, var, variables, Layout.NUMERATOR)
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


def as_linear_map(expression: E.Expr, var: E.Var, variables: dict) -> Derivative:
    """The derivative as its differential only (no read-off): always defined."""
    d = differentiate(expression, var)
    return Derivative(
        expression, (var,), variables, Layout.NUMERATOR, None, d.differential, "linear map", [d]
    )
