"""Block literals: a scalar multiple and a sum of literals `[a, b]` folded into one literal,
and the trace of a square literal of scalars read off its diagonal.
"""

from __future__ import annotations

from .. import expr as E
from .engine import rewrite

__all__ = ["add_blocks", "scale_block", "trace_block"]


@rewrite("scale-block")
def scale_block(node: E.Expr) -> E.Expr | None:
    """s [a, b] → [s a, s b]. Shrinks: the literal absorbs the factor."""
    if isinstance(node, E.Mul):
        blocks = [f for f in node.args if isinstance(f, E.Block)]
        scalars = [f for f in node.args if f.shape.is_scalar]
        if (
            len(blocks) == 1
            and len(scalars) == len(node.args) - 1
            and all(x.shape.is_scalar for r in blocks[0].rows for x in r)
        ):
            s = E.Mul(*scalars)
            return E.Block(tuple(tuple(E.Mul(s, x) for x in r) for r in blocks[0].rows))


@rewrite("add-blocks")
def add_blocks(node: E.Expr) -> E.Expr | None:
    """[a, b] + [c, d] → [a + c, b + d]. Shrinks: one literal instead of two."""
    if isinstance(node, E.Add) and all(isinstance(t, E.Block) for t in node.args):
        first = node.args[0]
        if all(t.args[:2] == first.args[:2] for t in node.args):
            rows = [t.rows for t in node.args]
            return E.Block(
                tuple(
                    tuple(E.Add(*(r[i][j] for r in rows)) for j in range(len(first.rows[0])))
                    for i in range(len(first.rows))
                )
            )


@rewrite("trace-of-block")
def trace_block(node: E.Expr) -> E.Expr | None:
    """tr([[a, b], [c, d]]) → a + d for a square literal of scalars. Shrinks: the
    off-diagonal entries go, and the gradient is read off entry-wise."""
    if isinstance(node, E.Trace) and isinstance(node.args[0], E.Block):
        rows = node.args[0].rows
        if len(rows) == len(rows[0]) and all(x.shape.is_scalar for r in rows for x in r):
            return E.Add(*(rows[i][i] for i in range(len(rows))))
