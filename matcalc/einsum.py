"""`einsum("ij,jk->ik", A, B)`: NumPy's Einstein summation, for operands of order ≤ 2,
lowered to matrix nodes so that it prints (and differentiates) in matrix notation.

    "ij,jk->ik"  A B            "ii->"   tr(A)          "ij->i"  A1      "ij->"  sum(A)
    "ij->ji"     Aᵀ             "ii->i"  diag(A)        "ij->j"  Aᵀ1
    "ij,ij->ij"  A ⊙ B          "i,i->"  xᵀy            "i,j->ij"  x yᵀ
    "ij,ji->"    tr(A B)        "ij,j->i"  A x          "ij,jk,kl->il"  A B C

The subscripts are NumPy's: one term of letters per operand, as many letters as the
operand has axes (a vector one, a matrix two, a scalar none), separated by commas; `->`
then the output's letters. Without `->` the output is NumPy's implicit one: the letters
that occur once, in alphabetical order. A letter repeated inside a term takes a diagonal;
a letter absent from the output is summed over. Operands are combined two at a time
(each pair a matrix product, an element-wise product, an outer product or a trace), so
every intermediate must have order ≤ 2: a spec that needs an order-3 intermediate
(`"ij,k->ijk"`) is an error here (tensors are another module's work).

`lower(spec, operands, orders)` is the entry point on expressions (the tensor module calls
it per slice); `infer` and `construct` are the builder's two passes over the syntax node.
"""

from __future__ import annotations

from collections.abc import Sequence

from . import expr as E
from .builder_like import BuilderLike
from .einsum_ellipsis import expand_ellipsis
from .errors import MatcalcError, ShapeError
from .records import Record
from .shapes import Shape
from .syntax import Position, Syntax

__all__ = [
    "NEEDS_ORDER_3",
    "needs_order_3",
    "EINSUM",
    "Spec",
    "construct",
    "infer",
    "lower",
    "parse_spec",
    "source",
    "string_error",
    "vector_operands",
]

EINSUM = "einsum"
#: The refusal of an einsum the 2-D builder cannot lower (api hands such a query to the
#: any-order index engine, matcalc/tindex, by this text).
NEEDS_ORDER_3 = "this einsum needs an intermediate of order 3 or more"
_FORM = 'einsum("ij,jk->ik", A, B): a string of subscripts, then one operand per term'


def needs_order_3(err: MatcalcError) -> bool:
    """Is `err` the refusal of an einsum whose lowering needs an order-3 intermediate (the
    queries api and the web page hand to the any-order index engine)?"""
    return err.message.startswith(NEEDS_ORDER_3)


class Spec(Record):
    """The subscripts: one term (a string of letters) per operand, and the output's."""

    __slots__ = ("inputs", "output")
    inputs: tuple[str, ...]
    output: str

    def __init__(self, inputs: tuple[str, ...], output: str) -> None:
        object.__setattr__(self, "inputs", inputs)
        object.__setattr__(self, "output", output)

    def _key(self) -> tuple:
        return (self.inputs, self.output)


def parse_spec(spec: str, count: int) -> Spec:
    """The subscripts `spec` for `count` operands, checked as NumPy checks them (letters
    only, one term per operand, output letters distinct and each in some input)."""
    text = spec.replace(" ", "")
    left, arrow, output = text.partition("->")
    if "->" in output or "-" in left or ">" in left:
        raise MatcalcError("einsum's subscripts have one '->'", expected="'ij,jk->ik'")
    inputs = tuple(left.split(","))
    if "." in text and len(inputs) == count:  # _checked writes it out (einsum_ellipsis)
        raise MatcalcError(
            "einsum's ellipsis (...) is not supported", expected="explicit letters, 'ij,jk->ik'"
        )
    for term in (*inputs, output):
        bad = [c for c in term if not (c.isascii() and c.isalpha()) and c != "."]
        if bad:
            raise MatcalcError(
                f"einsum's subscripts are letters; {bad[0]!r} is not",
                expected="terms of letters a-z, A-Z separated by ',' and '->'",
            )
    if len(inputs) != count:
        raise MatcalcError(
            f"einsum's subscripts {spec!r} name {len(inputs)} operand"
            f"{'s' * (len(inputs) != 1)}, but {count} {'is' if count == 1 else 'are'} given",
            expected=f"{len(inputs)} operand{'s' * (len(inputs) != 1)} after the subscripts",
        )
    if not arrow:  # NumPy's implicit output: the letters used once, alphabetically
        letters = "".join(inputs)
        output = "".join(sorted(c for c in set(letters) if letters.count(c) == 1))
    for c in output:
        if output.count(c) > 1:
            raise MatcalcError(
                f"einsum's output index {c} is repeated in {output!r}",
                expected="each output letter once",
            )
        if not any(c in term for term in inputs):
            raise MatcalcError(
                f"einsum's output index {c} is in no operand's subscripts",
                expected="output letters that an operand's subscripts use",
            )
    return Spec(inputs, output)


def _order_error(spec: str, index: int, term: str, order: int, name: str) -> MatcalcError:
    axes = {0: "a scalar (no axes)", 1: "a vector (1 axis)"}.get(order, f"order {order}")
    return MatcalcError(
        f"einsum's operand {index + 1} ({name}) is {axes}, but its subscripts {term!r} in "
        f"{spec!r} name {len(term)} ax{'is' if len(term) == 1 else 'es'}",
        expected=f"{order} letter{'s' * (order != 1)} for operand {index + 1}",
    )


def _checked(spec: str, operands: Sequence, orders: Sequence[int], names: Sequence[str]) -> Spec:
    parsed = parse_spec(expand_ellipsis(spec, orders, names), len(operands))
    for i, (term, order) in enumerate(zip(parsed.inputs, orders)):
        if len(term) != order:
            raise _order_error(spec, i, term, order, names[i])
    return parsed


# ---------------------------------------------------------------- on expressions
def _order_of(e: E.Expr) -> int:
    return 0 if e.shape.is_scalar else 1 if e.shape.is_column or e.shape.is_row else 2


class _NoMatrixForm(Exception):
    """A pair whose product has order > 2."""


def lower(
    spec: str,
    operands: Sequence[E.Expr],
    orders: Sequence[int] | None = None,
    *,
    text: str = "",
    pos: Position | None = None,
    names: Sequence[str] | None = None,
) -> E.Expr:
    """`einsum(spec, *operands)` as matrix nodes (a matrix product, trace, diagonal, sum,
    element-wise or outer product, transpose), of order `len(output)`: a scalar, a column
    vector (n×1) or a matrix.

    `operands` are expressions of order ≤ 2; `orders` their NumPy orders (0, 1, 2; by
    default from the shape: 1×1 → 0, a column or a row → 1, else 2 — pass them when an
    n×1 matrix is meant). An order-1 operand may be a column or a row. `text` and `pos`
    locate errors (the query and the call's position); `names` name the operands in them.
    Raises `MatcalcError` for bad subscripts (wrong number of terms, a term that does not
    match its operand's order, a repeated or unknown output letter), `ShapeError` for an
    index whose dimensions disagree or a spec that needs an intermediate of order 3.
    """
    orders = [_order_of(e) for e in operands] if orders is None else list(orders)
    names = list(names) if names is not None else [f"operand {i + 1}" for i in range(len(operands))]
    try:
        parsed = _checked(spec, operands, orders, names)
        factors = []
        size: dict[str, object] = {}
        for i, (e, term) in enumerate(zip(operands, parsed.inputs)):
            if len(term) == 1 and e.shape.is_row and not e.shape.is_scalar:
                e = E.Transpose(e)
            dims = [e.shape.rows, e.shape.cols][: len(term)]
            for letter, d in zip(term, dims):
                if size.setdefault(letter, d) != d:
                    raise ShapeError(
                        f"einsum's index {letter} is {size[letter]} long in one operand and "
                        f"{d} in {names[i]}",
                        expected=f"operands whose axes {letter} have one length",
                    )
            factors.append((e, tuple(term)))
        return _contract(factors, parsed.output)
    except MatcalcError as err:
        raise err.located(text, pos) from None


def _arranged(e: E.Expr, labels: tuple, order: tuple) -> E.Expr:
    """The matrix `e` (axes `labels`) with its axes in `order`."""
    return e if labels == order else E.Transpose(e)


def _reduce(factor: tuple, needed: set) -> tuple:
    """A factor's own diagonals (a letter twice: its diagonal, or its trace when the letter
    is needed nowhere else) and sums (a letter needed nowhere else)."""
    e, labels = factor
    if len(labels) == 2 and labels[0] == labels[1]:
        if labels[0] in needed:
            e, labels = E.Diagonal(e), labels[:1]
        else:
            return E.Trace(e), ()
    keep = tuple(lbl for lbl in labels if lbl in needed)
    if keep == labels:
        return e, labels
    if not keep:
        return E.Sum(e), ()
    # a matrix summed over one axis: A1 (over its columns), Aᵀ1 (over its rows)
    rows = _arranged(e, labels, (keep[0], next(lbl for lbl in labels if lbl != keep[0])))
    return E.MatMul(rows, E.Ones(Shape(rows.shape.cols, 1))), keep


def _pair(f: tuple, g: tuple, needed: set) -> tuple:
    """Two reduced factors as one: letters they share are summed unless `needed`."""
    (a, la), (b, lb) = f, g
    if not la or not lb:
        return E.Mul(a, b), la or lb
    shared = [lbl for lbl in la if lbl in lb]
    summed = [lbl for lbl in shared if lbl not in needed]
    if len(la) == 1 and len(lb) == 1:
        if not shared:
            return E.MatMul(a, E.Transpose(b)), la + lb  # outer: a bᵀ
        if summed:
            return E.MatMul(E.Transpose(a), b), ()  # aᵀb
        return E.Mul(a, b), la
    if len(la) == 1 or len(lb) == 1:
        (v, (i,)), (m, lm) = (f, g) if len(la) == 1 else (g, f)
        if i not in lm:
            raise _NoMatrixForm
        other = next((lbl for lbl in lm if lbl != i), i)
        m = _arranged(m, lm, (other, i))
        if summed:
            return E.MatMul(m, v), (other,)  # M v
        return E.MatMul(m, E.Diag(v)), (other, i)  # M diag(v)
    if len(shared) == 1:
        if not summed:
            raise _NoMatrixForm
        j = shared[0]
        i = next(lbl for lbl in la if lbl != j)
        k = next(lbl for lbl in lb if lbl != j)
        return E.MatMul(_arranged(a, la, (i, j)), _arranged(b, lb, (j, k))), (i, k)
    if len(shared) == 0:
        raise _NoMatrixForm
    if len(summed) == 2 and lb != la:  # Σᵢⱼ Aᵢⱼ Bⱼᵢ = tr(A B)
        return E.Trace(E.MatMul(a, b)), ()
    product = E.Mul(a, _arranged(b, lb, la))
    if not summed:
        return product, la
    if len(summed) == 2:
        return E.Sum(product), ()
    return _reduce((product, la), needed)


def _contract(factors: list, output: str) -> E.Expr:
    out = set(output)

    def needed_besides(skip: set) -> set:
        return out.union(*(set(lbls) for k, (_, lbls) in enumerate(factors) if k not in skip))

    factors = [_reduce(f, needed_besides({k})) for k, f in enumerate(factors)]
    while len(factors) > 1:
        combined = None
        for sharing in (True, False):  # contract before taking outer products
            for i in range(len(factors)):
                for j in range(i + 1, len(factors)):
                    f, g = factors[i], factors[j]
                    if sharing and not set(f[1]) & set(g[1]) and f[1] and g[1]:
                        continue
                    needed = needed_besides({i, j})
                    try:
                        pair = _pair(
                            _reduce(f, needed | set(g[1])), _reduce(g, needed | set(f[1])), needed
                        )
                    except _NoMatrixForm:
                        continue
                    combined = (i, j, _reduce(pair, needed))
                    break
                if combined:
                    break
            if combined:
                break
        if combined is None:
            raise ShapeError(
                f"{NEEDS_ORDER_3}, which has no matrix form",
                expected="operands that combine two at a time into scalars, vectors or matrices",
            )
        i, j, pair = combined
        factors = [pair if k == i else f for k, f in enumerate(factors) if k != j]
    e, labels = _reduce(factors[0], out)
    if len(output) == 2:
        return _arranged(e, labels, tuple(output))
    return e


# ---------------------------------------------------------------- the builder's passes
def _spec_node(builder, node: Syntax) -> Syntax:
    if not node.children or node.children[0].kind != "string":
        raise builder.error(
            node,
            "einsum's first argument is a string of subscripts",
            MatcalcError,
            expected=_FORM,
        )
    if node.keywords:
        raise MatcalcError("einsum takes no keyword arguments", expected=_FORM).located(
            builder.text, node.keywords[0].pos
        )
    return node.children[0]


def _located(builder, node: Syntax, err: MatcalcError) -> MatcalcError:
    return err.located(builder.text, node.pos)


def source(node: Syntax, width: int = 40) -> str:
    """An operand as written, for messages (shortened with …)."""
    from .render.syntax_text import syntax_text

    s = syntax_text(node)
    return s if len(s) <= width else s[: width - 1] + "…"


def vector_operands(node: Syntax) -> set:
    """The names an einsum call gives one letter (`x` in einsum("ij,j->i", A, x)): vectors,
    when undeclared."""
    if node.kind != "call" or node.value != EINSUM or not node.children:
        return set()
    spec = node.children[0]
    if spec.kind != "string":
        return set()
    terms = spec.value.replace(" ", "").partition("->")[0].split(",")
    return {
        o.value for o, term in zip(node.children[1:], terms) if o.kind == "name" and len(term) == 1
    }


def infer(builder: BuilderLike, node: Syntax, depth: int) -> tuple:
    """Pass 1: (shape, order) of `einsum(...)`; unifies the dimensions each letter names."""
    spec = _spec_node(builder, node)
    operands = node.children[1:]
    kids = [builder.infer(o, depth + 1) for o in operands]
    orders = [builder.ndim(o) for o in operands]
    names = [source(o) for o in operands]
    try:
        parsed = _checked(spec.value, operands, orders, names)
    except MatcalcError as err:
        raise _located(builder, spec, err) from None
    size: dict = {}
    for k, (operand, shape, term, name) in enumerate(zip(operands, kids, parsed.inputs, names)):
        if len(term) == 2:
            dims = [shape[0], shape[1]]
        else:
            dims = [shape[0] if builder.is_column(shape) else shape[1]][: len(term)]
        for letter, d in zip(term, dims):
            if letter in size and not builder.dims.unify(size[letter][0], d):
                _, first, first_shape = size[letter]
                if first == k:
                    message = f"{name} is {builder.show(shape)}: not square"
                else:
                    message = (
                        f"{names[first]} is {builder.show(first_shape)} and {name} is "
                        f"{builder.show(shape)}"
                    )
                raise builder.error(
                    operand,
                    f"einsum's index {letter} must have one length: in {spec.value!r}, {message}",
                    expected=f"operands whose axes {letter} have one length",
                )
            size.setdefault(letter, (d, k, shape))
    dims = [size[c][0] for c in parsed.output]
    if not dims:
        return (1, 1), 0
    if len(dims) == 1:
        return (dims[0], 1), 1
    return (dims[0], dims[1]), 2


def construct(builder: BuilderLike, node: Syntax, variables: dict) -> E.Expr:
    """Pass 2: the lowered expression of a typed `einsum(...)` node."""
    spec = node.children[0]
    operands = node.children[1:]
    kids = [builder.construct(o, variables) for o in operands]
    return lower(
        spec.value,
        kids,
        [builder.ndim(o) for o in operands],
        text=builder.text,
        pos=node.pos,
        names=[source(o) for o in operands],
    )


def string_error(builder: BuilderLike, node: Syntax) -> MatcalcError:
    """A string anywhere but as einsum's first argument."""
    return builder.error(
        node,
        "a string is only einsum's subscripts (its first argument)",
        MatcalcError,
        expected='an expression; strings only in einsum("ij,jk->ik", A, B)',
    )
