"""A linear map's Jacobian in generated code without a Python loop over basis directions.

`codegen` writes the terms of a linear map dX ↦ L(dX) that are not c·G⊙(A·dX·B) (the
derivatives that print in index notation: softmax by rows, attention by Q, …) by applying
L to the basis directions. Where every node of L that depends on dX is a product, a sum,
an element-wise product or a transpose (what the engine produces for these maps), L is
applied to all p·q directions at once: dX is the stack eye(p·q) reshaped to (p·q, p, q), a
leading batch axis that `@` and element-wise broadcasting carry through, with transposes
of batched values written as `swapaxes(x, -1, -2)` (never `.T`, which would reverse the
batch axis too). The same text runs on NumPy, JAX and PyTorch. A map with any other node
depending on dX (a reduction written by a primitive's lowering, a solve, a block, …) keeps
the loop: `batchable` says which.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .. import expr as E
from .array_code import ATOM, MUL, UNARY, Body, Text, wrap

if TYPE_CHECKING:  # for annotations only
    from ..shapes import Shape

__all__ = ["BatchedBody", "batchable", "batched_lines"]

# what a node depending on dX may be, planned or as written, for the batched form
_PLANS = ("mm", "T", "same", "neg", "rowsum", "spread", "outer", "diag_left", "diag_right")
_NODES = (E.Differential, E.Add, E.Mul, E.MatMul, E.Transpose)
_ELEMENTWISE = (E.Add, E.Mul)


class BatchedBody(Body):
    """A Body that writes the transposes of nodes depending on `batch_dX` (when set) as
    swapaxes of the last two axes; everything else as Body does."""

    batch_dX = None

    def _batched(self, node) -> bool:
        return self.batch_dX is not None and node.depends_on(self.batch_dX)

    def _swap(self, t: Text) -> Text:
        return Text(f"{self.b.m}.swapaxes({t.text}, -1, -2)", ATOM)

    def render(self, node, out) -> Text:
        if self._batched(node) and self.planner.plan(node) is None:
            if isinstance(node, E.Transpose):
                return self._swap(self.text[node.children[0]])
        return super().render(node, out)

    def planned(self, p, out, node=None) -> Text:
        if any(self._batched(x) for x in p.parts):
            t = [self.text[x] for x in p.parts]
            if p.kind == "T":
                return self._swap(t[0])
            if p.kind == "rowsum":  # the last axis, whatever leads it
                return Text(self.xp.sum(self.traced(t[0]), axis=-1, keepdims=True).text, ATOM)
            if p.kind == "outer":  # broadcasting carries the batch ('i,j->ij' would not)
                return Text(f"{wrap(t[0], MUL)} * {wrap(t[1], UNARY)}", MUL)
        return super().planned(p, out, node)


def _plan_ok(p, dX) -> bool:
    if p.kind == "choice":
        return all(_plan_ok(option, dX) for option, _, _ in p.options)
    if p.kind not in _PLANS:
        return False
    if p.kind == "diag_right" and p.parts[1].depends_on(dX):
        return False  # written with `.T` on the diagonal
    return True


def batchable(body: Body, roots: list, dX: E.Expr) -> bool:
    """Whether every node below `roots` that depends on dX can take a leading batch axis."""
    kids, seen, stack = body.planner.kids, set(), list(roots)
    while stack:
        node = stack.pop()
        if node in seen or not node.depends_on(dX):
            continue
        seen.add(node)
        p = body.planner.plan(node)
        if p is not None:
            if not _plan_ok(p, dX):
                return False
        elif not isinstance(node, _NODES):
            return False
        if (
            isinstance(node, _ELEMENTWISE)
            and not node.shape.is_scalar
            and all(c.shape.is_scalar for c in node.children)
        ):
            return False  # Body.expand would broadcast it to the unbatched shape
        stack.extend(kids(node))
    return True


def batched_lines(
    codegen: Any, body: Body, rest: list, dname: str, var: E.Var, out_shape: Shape, four: str
) -> tuple:
    """The lines before the walk (dX as the stacked basis) and the function that, given the
    walk's text of the terms, writes the tensor (R, C, p, q) from the batched total."""
    b, names = body.b, body.names
    size = codegen.product(var.shape.rows, var.shape.cols)
    p, q = codegen.dim(var.shape.rows), codegen.dim(var.shape.cols)
    head = [f"{dname} = {b.reshape(b.eye(size), f'({size}, {p}, {q})')}"]
    R, C = out_shape.rows, out_shape.cols

    def tail(total_text: str, only_scalars: bool) -> tuple:
        lines, total = [], total_text
        if only_scalars:  # (N, 1, 1) beside an array output: expand over the output
            total = b.broadcast(total, f"({size}, {codegen.dim(R)}, {codegen.dim(C)})")
        flat = names.temp()
        lines.append(f"{flat} = {b.reshape(total, f'({size}, {codegen.product(R, C)})')}")
        return lines, b.reshape(b.permute(flat, "(1, 0)"), four)

    return head, tail
