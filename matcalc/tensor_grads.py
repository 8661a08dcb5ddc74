"""`value_and_grad_source` of a query over tensors (a training step of multi-head
attention: the loss and its gradients by Q, K, V or by shared weights, in one function).

The query is read slice by slice (tensor_query.plan); the slice's loss and its gradients
by every variable are one generated function `f_slice` (codegen_grads, unchanged), and an
`f` over the whole arrays applies it slice by slice: the value is the sum of the slices'
values (over their count for a top `mean`), the gradient by a tensor the slices' gradients
stacked on the batch axes, by a value shared by every slice their sum (same scale). The
module's `check` (finite differences of f's value) then checks the whole f.
"""

from __future__ import annotations

import re

from . import pipeline
from .codegen import backend
from .codegen_grads import value_and_grad_to_source
from .errors import MatcalcError
from .layout import Layout
from .parse import parse_query
from .tensor_code import slicing_lines
from .tensor_query import plan
from .typed import build_typed

__all__ = ["tensor_value_and_grad_source"]


def tensor_value_and_grad_source(
    expression: str, wrt: str | list, shapes: dict | None, target: str, dtype: str
) -> str:
    """The source of f(...) -> (value, (∂f/∂w for w in wrt)) over the whole tensors, and
    check(...); `expression` a scalar tensor query (a sum or mean of every slice on top)."""
    tensor_plan = plan(parse_query(expression), shapes)
    typed = build_typed(tensor_plan.query, tensor_plan.shapes)
    expr = typed.expression
    if tensor_plan.reduction is None or not expr.shape.is_scalar:
        raise MatcalcError(
            "value and gradients need a scalar function; over tensors, a sum or mean of "
            "every slice at the top of the query",
            expected="sum(…) or mean(…) of the whole value (a loss)",
        )
    vars_ = pipeline.resolve(wrt, typed.variables, expression, typed.dimensions)
    parts = [
        pipeline.declare(pipeline.derive(expr, v, typed.variables, Layout.NUMERATOR), typed)
        for v in vars_
    ]
    source = value_and_grad_to_source(parts, target, dtype)
    header = re.search(r"^def f\((.*)\):$", source, re.M)
    if header is None:  # pragma: no cover - codegen writes def f(...)
        raise MatcalcError("the slice's generated code has no function f")
    args = [a.strip() for a in header.group(1).split(",") if a.strip()]
    source = source[: header.start()] + "def f_slice(" + source[header.start() + 6 :]
    check = source.find("\n\ndef check(")
    whole = _whole(args, [v.name for v in vars_], tensor_plan, target, dtype)
    head = (
        f"# A query over tensors ({', '.join(tensor_plan.tensors)}: batch axes "
        f"{tuple(tensor_plan.batch)}): f_slice is one slice, f the whole.\n"
    )
    return head + source[:check].rstrip("\n") + "\n" + whole + source[check:]


def _whole(args: list, wrt: list, tensor_plan, target: str, dtype: str) -> str:
    b = backend(target, dtype)
    xp = b.m
    tensors = [a for a in args if a in tensor_plan.tensors]
    nb = len(tensor_plan.batch)
    scale = "1.0 / count" if tensor_plan.reduction == "mean" else "1.0"
    lines = [
        "",
        "",
        f"def f({', '.join(args)}):",
        '    """The value and the gradients over the whole tensors: f_slice slice by slice;',
        '    by a tensor the slices\' gradients stacked, by a shared value their sum."""',
    ]
    lines += slicing_lines(args, tensors, nb, b)
    call = ", ".join(f"{a}_slices[i]" if a in tensor_plan.tensors else a for a in args)
    lines += [
        f"    values, parts = [], [[] for _ in range({len(wrt)})]",
        "    for i in range(count):",
        f"        value_i, gradients_i = f_slice({call})",
        "        values.append(value_i)",
        "        for part, gradient in zip(parts, gradients_i):",
        "            part.append(gradient)",
        f"    scale = {scale}",
        f"    value = {xp}.stack(values).sum(0) * scale",
        "    gradients = []",
    ]
    for k, name in enumerate(wrt):
        lines.append(f"    stacked = {xp}.stack(parts[{k}])")
        if name in tensor_plan.tensors:  # d_{name}: stacked on the batch axes
            lines.append(
                "    gradients.append(stacked.reshape(batch + tuple(stacked.shape[1:])) * scale)"
            )
        else:  # d_{name}: shared by every slice, summed
            lines.append("    gradients.append(stacked.sum(0) * scale)")
    lines.append("    return value, tuple(gradients)")
    return "\n".join(lines) + "\n"
