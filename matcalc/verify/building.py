"""The claimed side of a claim as an Expr over the expression's own variables: the
tutorial's notation (`I`, `ones`, `1ᵀ`, a number where a column is due) sized to fit the
true derivative's shape, or the shape it has when it cannot fit."""

from __future__ import annotations

from dataclasses import dataclass

from .. import expr as E
from ..build import MAX_DEPTH, Builder
from ..errors import MatcalcError, NameError_, ShapeError
from ..shapes import Shape, ShapeSpec
from ..syntax import Query, Syntax
from ..unify import is_unknown

__all__ = ["build_claimed", "describe", "dimension_names"]

_I_NAME, _ONES_NAME = "I", "ones"
_I_DIM, _ONES_DIM = "?I", "?ones"  # unknown dimensions of I and ones, in the Builder


def _spec_of(var: E.Var) -> ShapeSpec:
    """The declaration that gives `var` its shape (and structure) again."""
    s, structure = var.shape, getattr(var, "structure", None)
    if s.is_scalar:
        return ShapeSpec("scalar", ())
    if s.is_column:
        return ShapeSpec("vector", (s.rows,), structure)
    return ShapeSpec("matrix", (s.rows, s.cols), structure)


def dimension_names(variables: dict) -> list:
    out = []
    for v in variables.values():
        for d in (v.shape.rows, v.shape.cols):
            if isinstance(d, str) and d not in out:
                out.append(d)
    return out


def _rewrite(node: Syntax, ones: str, text: str, depth: int = 0) -> Syntax:
    """The tutorial's bold numbers: `cᵀ` → c·onesᵀ, a number operand of `@` → c·ones."""
    if depth > MAX_DEPTH:
        raise MatcalcError(f"expression nested too deeply (more than {MAX_DEPTH} levels)").located(
            text, node.pos
        )
    if node.kind == "transpose" and node.children[0].kind == "number":
        return _bold(node.children[0], node.pos, ones, transpose=True)
    kids = tuple(_rewrite(c, ones, text, depth + 1) for c in node.children)
    if node.kind == "binary" and node.value == "@":
        kids = tuple(_bold(k, k.pos, ones) if k.kind == "number" else k for k in kids)
    if all(a is b for a, b in zip(kids, node.children)):
        return node
    return Syntax(node.kind, node.value, kids, node.pos)


def _bold(number: Syntax, pos, ones: str, transpose: bool = False) -> Syntax:
    vec = Syntax("name", ones, (), pos)
    if transpose:
        vec = Syntax("transpose", None, (vec,), pos)
    if number.value == 1:
        return vec
    return Syntax("binary", "*", (number, vec), pos)


def _names(node: Syntax):
    stack = [node]
    while stack:
        n = stack.pop()
        if n.kind == "name":
            yield n
        stack.extend(reversed(n.children))


def describe(shape: Shape) -> str:
    if shape.is_scalar:
        return "a scalar"
    if shape.is_column:
        return f"a column vector({shape.rows})"
    if shape.is_row:
        return f"a row vector({shape.cols})"
    return f"a matrix({shape.rows}, {shape.cols})"


@dataclass
class _Built:
    expr: E.Expr | None  # the claim, sized to the derivative (None: does not fit)
    printed: E.Expr  # the claim for printing (sized as well as it goes)
    shape: Shape  # the claim's shape (for a shape error)
    constant: bool = False


def build_claimed(query: Query, variables: dict, due: Shape) -> _Built:
    """The claimed side as an Expr over EXPR's own variables, with I and ones sized to fit
    the derivative's shape `due`."""
    specs = {name: _spec_of(v) for name, v in variables.items()}
    dims = [d for d in dimension_names(variables) if d not in specs]
    for d in dims:
        specs[d] = ShapeSpec("scalar", ())
    i_name = _I_NAME if _I_NAME not in variables else "⟨I⟩"
    ones = _ONES_NAME if _ONES_NAME not in variables else "⟨1⟩"
    specs.setdefault(i_name, ShapeSpec("matrix", (_I_DIM, _I_DIM)))
    specs.setdefault(ones, ShapeSpec("vector", (_ONES_DIM,)))

    body = _rewrite(query.body, ones, query.text)
    allowed = set(specs)
    for node in _names(body):
        if node.value not in allowed:
            known = ", ".join(sorted(variables)) or "none"
            extra = f"; dimensions {', '.join(dims)}" if dims else ""
            raise NameError_(
                f"unknown name {node.value!r} in the claim",
                expected=f"a variable of the expression ({known}){extra}; I, ones or a number",
            ).located(query.text, node.pos)
    builder = Builder(Query((), body, query.text), specs)
    rows, cols = builder.infer(body)
    find = builder.dims.find
    shape_dims = (find(rows), find(cols))
    want = (due.rows, due.cols)

    # the sized constants: I and ones take the sizes the derivative needs
    binding: dict = {}
    fits = True
    for d, w in zip(shape_dims, want):
        d = binding.get(d, d) if is_unknown(d) else d
        if is_unknown(d):
            binding[d] = w
        elif d != w:
            fits = False
    scalar_claim = shape_dims == (1, 1)
    if not fits and not scalar_claim:
        # only printed and described: unknowns take the derivative's non-trivial dimension
        guess = next((w for w in want if w != 1), "n")
        binding = {d: guess for d in (_I_DIM, _ONES_DIM) if is_unknown(find(d))}

    def size(dim):
        r = find(dim)
        return binding.get(r, r) if is_unknown(r) else r

    built_vars = dict(variables)
    for d in dims:
        built_vars[d] = E.DimSize(d)
    used = {n.value for n in _names(body)}
    for name, dim, make in (
        (i_name, _I_DIM, E.Identity),
        (ones, _ONES_DIM, lambda k: E.Ones(Shape(k, 1))),
    ):
        if name in used and name not in variables:
            k = size(dim)
            if is_unknown(k):
                node = next(n for n in _names(body) if n.value == name)
                raise ShapeError(
                    f"cannot tell the size of {node.value} in the claim",
                    expected="a claim whose shape fixes it",
                ).located(query.text, node.pos)
            built_vars[name] = make(k)
    claim = builder.construct(body, built_vars)
    shape = claim.shape
    if scalar_claim and not due.is_scalar:
        constant = not any(isinstance(v, E.Var) for v in claim.free)
        if constant and E.is_zero(claim):
            return _Built(E.Zero(due), claim, shape, True)
        if constant and due.is_column:
            return _Built(E.Mul(claim, E.Ones(due)), claim, shape, True)
        return _Built(None, claim, shape, constant)
    return _Built(claim if fits else None, claim, shape)
