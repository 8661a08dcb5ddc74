"""Order >= 3 values as a batch of independent matrices: `T: tensor(h, n, d)` is h
matrices n×d (more leading axes the same way: `tensor(a, b, n, d)`).

A query over tensors is read slice by slice: every operation must map over the leading
(batch) axes as NumPy does — element-wise operators and functions, `@` with NumPy's stacked
semantics (a 2-D or 1-D operand shared by every slice broadcasts), `.mT`, and axis
functions over the last two axes — so that slice `a` of the value is the same query with
each tensor replaced by its slice `Tₐ`, a matrix(n, d). At the top, a `sum` or `mean` over
every axis, or over the batch axes (`axis=0`), may gather the slices (optionally scaled: a
sign, a factor or a divisor that does not involve a tensor). `plan` checks this on the
syntax tree, with each node's NumPy order from the 2-D type inference of the slice query,
and returns the slice query (axes renumbered for a slice) that the ordinary 2-D pipeline
derives; matcalc/tensor_result.py puts the slices' derivatives back together. Anything
that mixes slices (`.T` of an order-3 value, a full reduction inside the query, a function
that is not element-wise) is an `UnsupportedError` with a caret.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .axes import AXIS_FUNCTIONS, uses_axes
from .build import Builder
from .construct import CHAINS, chain
from .declarations import tensor_dims
from .errors import MatcalcError, ShapeError, UnsupportedError
from .functions import ELEMENTWISE, FUNCTIONS
from .records import replace
from .syntax import Declaration, Keyword, Query, Syntax
from .tensor_syntax import containing, rewrite, top_of, walk

__all__ = ["SliceBuilder", "TensorPlan", "has_tensors", "plan"]

_MIXES = "it would mix the slices of an order-3 value (tensor), which is not expressible yet"
_TOP = "a sum or mean over the batch axes (or over all axes) at the top of the query"


@dataclass
class TensorPlan:
    """A tensor query read slice by slice: `query` is the slice query (each tensor a
    matrix), `shapes` the `shapes=` for it; `batch` the leading dimensions (names or
    sizes) shared by every tensor, `tensors` {name: its full dims}; `reduction` is None
    (the value has the batch axes in front), "sum" or "mean" (the slices are added up,
    mean divided by their number)."""

    query: Query
    shapes: dict
    batch: tuple
    tensors: dict
    reduction: str | None = None
    text: str = ""
    slice_specs: dict = field(default_factory=dict)


def has_tensors(query: Query, shapes: object) -> bool:
    """Does the query declare an order >= 3 value (inline or in `shapes=`)?"""
    if any(tensor_dims(d.spec) is not None for d in query.declarations):
        return True
    return isinstance(shapes, dict) and any(tensor_dims(s) is not None for s in shapes.values())


def _slice_spec(dims: tuple) -> str:
    return f"matrix({dims[-2]}, {dims[-1]})"


def _tensors(query: Query, shapes: object) -> tuple[dict, dict, Query]:
    """({name: full dims}, the shapes= for the slice query, the slice query's declarations)."""
    tensors: dict = {}
    slice_shapes = {}
    for name, spec in (shapes or {}).items():
        dims = tensor_dims(spec)
        if dims is None:
            slice_shapes[name] = spec
        else:
            tensors[name] = dims
            slice_shapes[name] = _slice_spec(dims)
    decls = []
    for decl in query.declarations:
        dims = tensor_dims(decl.spec)
        if dims is None:
            clash = [n for n in decl.names if n in tensors]
            if clash:
                raise ShapeError(
                    f"conflicting declarations of {clash[0]}: {decl.spec} here, "
                    f"tensor{tensors[clash[0]]} in shapes=",
                    expected="one shape per name",
                ).located(query.text, decl.pos)
            decls.append(decl)
            continue
        for name in decl.names:
            if name in tensors and tensors[name] != dims:
                raise ShapeError(
                    f"conflicting declarations of {name}: tensor{dims} here, "
                    f"tensor{tensors[name]} in shapes=",
                    expected="one shape per name",
                ).located(query.text, decl.pos)
            tensors[name] = dims
        decls.append(Declaration(decl.names, _slice_spec(dims), decl.pos))
    return tensors, slice_shapes, Query(tuple(decls), query.body, query.text)


def _batch(tensors: dict, query: Query) -> tuple:
    batches = {dims[:-2] for dims in tensors.values()}
    if len(batches) > 1:
        shown = ", ".join(f"{n}: tensor{d}" for n, d in tensors.items())
        raise UnsupportedError(
            f"the tensors of one query must share their leading (batch) dimensions: {shown}",
            expected="every tensor as tensor(h, …, n, d) with the same leading dimensions",
        )
    (batch,) = batches
    return batch


class _NotTop(Exception):
    """The top sum/mean reduces no batch axis: plan the query again without a top."""


class SliceBuilder(Builder):
    """The 2-D type inference of the slice query, checking on the way that every node
    over a tensor maps over the batch axes, and renumbering axes for a slice."""

    def __init__(self, query: Query, shapes: dict, inside: set, nb: int, skip: set, top):
        super().__init__(query, shapes)
        self.inside, self.nb, self.skip, self.top = inside, nb, skip, top
        self.rewrites: dict = {}

    def reset(self):
        super().reset()
        self.memo: dict = {}

    def infer(self, node: Syntax, depth=0) -> tuple:
        if id(node) not in self.memo:
            self.memo[id(node)] = super().infer(node, depth)
        return self.memo[id(node)]

    def unsupported(self, node: Syntax, message: str, expected: str | None = None):
        return UnsupportedError(message, expected=expected).located(self.text, node.pos)

    def infer_node(self, node: Syntax, depth: int) -> tuple:
        if node is self.top:
            return self.top_reduction(node, depth)
        if id(node) not in self.inside or id(node) in self.skip:
            return super().infer_node(node, depth)
        original = node
        if node.kind == "list":
            raise self.unsupported(node, f"a list of order-3 values: {_MIXES}")
        if node.kind == "transpose" and node.value != "mT":
            raise self.unsupported(
                node,
                ".T reverses every axis of an order-3 value (its batch axes too): "
                "not expressible yet",
                expected=".mT (the last two axes swapped, slice by slice)",
            )
        if node.kind == "index":
            return self.slice_index(node, depth)
        if node.kind == "call" and node.value == "einsum":
            node = self.slice_einsum(node, depth)
            self.rewrites[id(original)] = node
            return super().infer_node(node, depth)
        if node.kind == "call" and node.value in AXIS_FUNCTIONS and uses_axes(node):
            node = self.slice_axes(node, depth)
            self.rewrites[id(original)] = node
        elif node.kind == "call" and node.value in AXIS_FUNCTIONS and len(node.children) == 1:
            raise self.unsupported(
                node,
                f"{node.value} of an order-3 value without axis= runs over every axis, "
                f"the batch axes too: only {_TOP} may",
                expected=f"{node.value}(…, axis=-1) (or axis=-2, or both)",
            )
        elif node.kind == "call" and FUNCTIONS.get(node.value, (0, ""))[1] != ELEMENTWISE:
            if node.value not in AXIS_FUNCTIONS:
                raise self.unsupported(
                    node,
                    f"{node.value} of an order-3 value is not expressible yet "
                    "(element-wise functions, @, .mT and axis functions over the last "
                    "two axes are)",
                )
        shape, ndim = super().infer_node(node, depth)
        self.check_operands(original)
        return shape, ndim

    def axes_keyword(self, node: Syntax, ndim: int):
        """(the normalised axes, or None without axis=, keepdims) of an axis call over an
        argument of NumPy order `ndim`."""
        axes, keepdims = None, False
        for k in node.keywords:
            if k.name == "keepdims":
                keepdims = bool(k.value)
            elif k.name == "axis":
                raw = k.value if isinstance(k.value, tuple) else (k.value,)
                axes = []
                for a in raw:
                    if not isinstance(a, int) or not -ndim <= a < ndim:
                        raise MatcalcError(
                            f"axis {a} is out of range for a value of order {ndim}",
                            expected=f"an axis from {-ndim} to {ndim - 1}",
                        ).located(self.text, k.pos)
                    if a % ndim in axes:
                        raise MatcalcError(
                            f"axis {a} is repeated", expected="each axis once"
                        ).located(self.text, k.pos)
                    axes.append(a % ndim)
        return axes, keepdims

    def slice_axes(self, node: Syntax, depth: int) -> Syntax:
        """The call with its axes counted in a slice (batch axes are not allowed)."""
        arg = node.children[0]
        self.infer(arg, depth + 1)
        ndim = self.nd[id(arg)] + self.nb
        axes, _ = self.axes_keyword(node, ndim)
        if axes is None or any(a < self.nb for a in axes):
            raise self.unsupported(
                node,
                f"{node.value} over a batch axis of an order-{ndim} value: only {_TOP} "
                "gathers the slices",
                expected="axis=-1 or axis=-2 (the last two axes) inside the query",
            )
        return self.with_axes(node, [a - self.nb for a in axes])

    def slice_index(self, node: Syntax, depth: int) -> tuple:
        """T[:, i]: the batch axes taken whole (`:` first), the rest indexes a slice."""
        entries = tuple(node.value)
        whole = (None, None)
        if len(entries) < self.nb or any(e != whole for e in entries[: self.nb]):
            raise self.unsupported(
                node,
                "an index into the batch axes of a tensor (T[0] is one slice) is not "
                "expressible yet",
                expected=f"{':, ' * self.nb}then the slice's index (T[:, 2], T[:, :, 0])",
            )
        rest = entries[self.nb :]
        if not rest:
            operand = node.children[0]
            self.rewrites[id(node)] = operand
            return self.infer(operand, depth + 1), self.nd[id(operand)]
        new = replace(node, value=rest)
        self.rewrites[id(node)] = new
        return super().infer_node(new, depth)

    def slice_einsum(self, node: Syntax, depth: int) -> Syntax:
        """einsum over tensors: each tensor's term starts with the batch letters (the
        same for every tensor, and first in the output); they are struck out for a slice
        ("hij,hjk->hik" → "ij,jk->ik")."""
        spec, operands = node.children[0], node.children[1:]
        if spec.kind != "string" or "->" not in str(spec.value):
            raise self.unsupported(
                node,
                "einsum over tensors needs its subscripts with an explicit output",
                expected='einsum("hij,hjk->hik", A, B)',
            )
        left, _, output = str(spec.value).replace(" ", "").partition("->")
        terms = left.split(",")
        if len(terms) != len(operands):
            return node  # einsum's own check says what is wrong
        batched = [t for t, o in zip(terms, operands) if id(o) in self.inside]
        letters = {t[: self.nb] for t in batched}
        lead = letters.pop() if len(letters) == 1 else None
        shared = [t for t, o in zip(terms, operands) if id(o) not in self.inside]
        if (
            lead is None
            or len(lead) != self.nb
            or not output.startswith(lead)
            or any(c in t[self.nb :] for t in batched for c in lead)
            or any(c in t for t in shared for c in lead)
            or any(c in output[self.nb :] for c in lead)
        ):
            raise self.unsupported(
                spec,
                f"einsum over tensors: each tensor's term must start with the batch letters "
                f"({self.nb} of them, the same for every tensor), the output too, and they "
                f"appear nowhere else; otherwise {_MIXES}",
                expected='einsum("hij,hjk->hik", A, B) or einsum("hij,j->hi", T, x)',
            )
        cut = [t[self.nb :] if id(o) in self.inside else t for t, o in zip(terms, operands)]
        new_spec = replace(spec, value=",".join(cut) + "->" + output[self.nb :])
        return replace(node, children=(new_spec, *operands))

    def with_axes(self, node: Syntax, axes: list) -> Syntax:
        keywords = tuple(
            Keyword(k.name, axes[0] if len(axes) == 1 else tuple(axes), k.pos)
            if k.name == "axis"
            else k
            for k in node.keywords
        )
        return replace(node, keywords=keywords)

    def top_reduction(self, node: Syntax, depth: int) -> tuple:
        """The top sum/mean: over every axis, or over all the batch axes (and maybe some
        of a slice's): the slice query keeps the rest."""
        arg = node.children[0]
        self.infer(arg, depth + 1)
        ndim = self.nd[id(arg)] + self.nb
        axes, keepdims = self.axes_keyword(node, ndim)
        if axes is not None and not set(axes) & set(range(self.nb)):
            raise _NotTop  # over a slice's axes only: an ordinary node over tensors
        if keepdims:
            raise self.unsupported(
                node, f"keepdims=True on {_TOP} is not expressible yet", "keepdims left out"
            )
        if axes is None:
            new = replace(node, keywords=())
        elif not set(range(self.nb)) <= set(axes):
            raise self.unsupported(
                node,
                f"{node.value} over some of the axes of an order-{ndim} value but not its "
                f"batch axes {tuple(range(self.nb))}: {_MIXES}",
                expected=f"axis={tuple(range(self.nb))} (every batch axis) or no axis",
            )
        else:
            rest = [a - self.nb for a in axes if a >= self.nb]
            new = self.with_axes(node, rest) if rest else arg
        self.rewrites[id(node)] = new
        if new is arg:
            return self.infer(arg, depth + 1), self.nd[id(arg)]
        return super().infer_node(new, depth)

    def check_operands(self, node: Syntax):
        """Operands over tensors have the same order per slice; a shared operand has no
        more axes than a slice (else NumPy would align it with the batch axes)."""
        if node.kind == "binary" and node.value == "@":
            operands, ops = chain(node)
            inside, nd = id(operands[0]) in self.inside, self.nd[id(operands[0])]
            for op, operand in zip(ops, operands[1:]):
                right, rnd = id(operand) in self.inside, self.nd[id(operand)]
                if inside and nd != 2 or right and rnd != 2:
                    raise self.unsupported(
                        op,
                        "@ of an order-2 value over tensors (a stack of vectors) is read by "
                        f"NumPy as one matrix: {_MIXES}",
                        expected="@ between slices that are matrices (tensor @ tensor, "
                        "tensor @ matrix, tensor @ vector)",
                    )
                inside, nd = inside or right, self.nd[id(op)]
            return
        if node.kind == "binary" and node.value in CHAINS:
            operands = chain(node)[0]
        elif node.kind in ("binary", "compare", "call"):
            operands = list(node.children)
        else:
            return
        stacked = {self.nd[id(o)] for o in operands if id(o) in self.inside}
        shared = [o for o in operands if id(o) not in self.inside]
        if len(stacked) > 1 or any(self.nd[id(o)] > min(stacked) for o in shared):
            raise self.unsupported(
                node,
                "operands whose axes NumPy would align with the batch axes of a tensor: " + _MIXES,
                expected="operands with the same axes per slice, or shared ones with fewer",
            )


def plan(query: Query, shapes: object) -> TensorPlan:
    """The slice query of a tensor query (module docstring), or an error saying which
    operation does not map over the batch axes."""
    tensors, slice_shapes, sliced = _tensors(query, shapes)
    batch = _batch(tensors, query)
    slice_dims = {d for dims in tensors.values() for d in dims[-2:]}
    for node in walk(query.body):
        if node.kind == "name" and node.value in batch and node.value not in slice_dims:
            raise UnsupportedError(
                f"{node.value} is a batch dimension of a tensor: as a number in the "
                "expression it is not supported yet",
                expected="the batch size as a number, or a scalar variable",
            ).located(query.text, node.pos)
    inside = containing(query.body, set(tensors))
    wrappers, top = top_of(query.body, inside)
    skip = {id(w) for w in wrappers}
    if top is not None and id(top) not in inside:
        top = None
    try:
        builder = SliceBuilder(sliced, slice_shapes, inside, len(batch), skip, top)
        builder.run()
    except _NotTop:
        top = None
        builder = SliceBuilder(sliced, slice_shapes, inside, len(batch), set(), None)
        builder.run()
    body = rewrite(query.body, builder.rewrites)
    return TensorPlan(
        Query(sliced.declarations, body, query.text),
        slice_shapes,
        batch,
        tensors,
        None if top is None else top.value,
        query.text,
    )
