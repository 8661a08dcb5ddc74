"""Generated code for a tensor query (matcalc/tensor_result.py): the slice's generated
function `f_slice` (codegen, unchanged), and an `f` over the whole tensors that applies
it slice by slice and puts the slices together as `evaluate` does (stacked, summed, or
block diagonal). NumPy, JAX and PyTorch alike; the slice's `check` then checks `f`.

JAX applies the slice to every head at once with `jax.vmap` (the slice code is traced, so
vmap is sound for all of it). NumPy and PyTorch keep a Python loop over the heads: the
slice code is 2-D code (`.T`, `diag`, 2-D reshapes and shape checks, and in PyTorch a
branch on values for the weighted Gram product that `torch.func.vmap` refuses), and a
stacked form of it would need a batched printer for every node kind."""

from __future__ import annotations

import re
from typing import Protocol

from .codegen import backend
from .errors import MatcalcError
from .render.array_targets import Backend
from .result import Derivative

__all__ = ["SlicedDerivative", "slicing_lines", "tensor_source"]


class SlicedDerivative(Protocol):
    """What the code writer reads of a tensor derivative (tensor_result.SlicedDerivative,
    which imports this module where it generates code): the slice's derivative and how the
    slices are put together."""

    part: Derivative
    plan: object

    @property
    def mode(self) -> str: ...

    wrt: tuple
    by_tensor: bool
    hessian: bool

    def text(self, names: bool | None = None) -> str: ...


def tensor_source(d: SlicedDerivative, target: str, dtype: str) -> str:
    """The source of f(...) -> (value, derivative) of the tensor derivative `d`."""
    source = d.part.to_source(target, dtype)
    header = re.search(r"^def f\((.*)\):$", source, re.M)
    if header is None:  # pragma: no cover - codegen always writes def f(...)
        raise MatcalcError("the slice's generated code has no function f")
    args = [a.strip() for a in header.group(1).split(",") if a.strip()]
    source = source[: header.start()] + "def f_slice(" + source[header.start() + 6 :]
    b = backend(target, dtype)
    xp = b.m
    plan = d.plan
    nb = len(plan.batch)
    tensors = [a for a in args if a in plan.tensors]
    var_nd = len(d.wrt[0].shape.np_dims)
    mode = "diag" if d.hessian and d.by_tensor else d.mode
    lines = [
        "",
        "",
        f"def f({', '.join(args)}):",
        f'    """{d.text().replace(chr(92), "/")!s}',
        '    Over the whole tensors: f_slice slice by slice, put together."""',
    ]
    preamble = slicing_lines(args, tensors, nb, b)
    lines += preamble
    call = ", ".join(f"{a}_slices[i]" if a in plan.tensors else a for a in args)
    if target == "jax":  # every head at once: jax.vmap of the slice (no Python loop)
        lines.append(f"    values, parts = {_vmap('f_slice', args, plan.tensors)}")
    else:
        lines += [
            "    values, parts = [], []",
            "    for i in range(count):",
            f"        value_i, part_i = f_slice({call})",
            "        values.append(value_i)",
            "        parts.append(part_i)",
            f"    values, parts = {xp}.stack(values), {xp}.stack(parts)",
        ]
    lines += [
        f"    out = tuple(parts.shape[1 : parts.ndim - {var_nd}])",
        f"    var = tuple(parts.shape[parts.ndim - {var_nd} :])",
        f"    scale = {'1.0 / count' if plan.reduction == 'mean' else '1.0'}",
    ]
    if plan.reduction is None:
        lines.append("    value = values.reshape(batch + tuple(values.shape[1:]))")
    else:
        lines.append("    value = values.sum(0) * scale")
    if mode == "diag":
        lines += [
            f"    zero = {xp}.zeros_like(parts[0])",
            f"    rows = [{xp}.stack([parts[i] if i == j else zero for j in range(count)])"
            " for i in range(count)]",
            f"    full = {b.moveaxis(f'{xp}.stack(rows)', '1', '1 + len(out)')}",
            "    derivative = full.reshape(batch + out + batch + var) * scale",
        ]
    elif mode == "front":
        lines.append("    derivative = parts.reshape(batch + out + var) * scale")
    elif mode == "middle":
        lines.append(
            f"    derivative = {b.moveaxis('parts', '0', 'len(out)')}"
            ".reshape(out + batch + var) * scale"
        )
    else:
        lines.append("    derivative = parts.sum(0) * scale")
    lines.append("    return value, derivative")
    gradient = re.search(r"^def gradient\((.*)\):$", source, re.M)
    if d.hessian and gradient is not None:  # the Hessian's check differentiates it
        source = (
            source[: gradient.start()] + "def gradient_slice(" + source[gradient.start() + 13 :]
        )
        whole = "parts.reshape(batch + tuple(parts.shape[1:]))" if d.by_tensor else "parts.sum(0)"
        lines += ["", "", f"def gradient({', '.join(args)}):"]
        lines.append(
            '    """The gradient over the whole tensors: gradient_slice slice by slice."""'
        )
        lines += preamble
        every = (
            _vmap("gradient_slice", args, plan.tensors)
            if target == "jax"
            else f"{xp}.stack([gradient_slice({call}) for i in range(count)])"
        )
        lines += [
            f"    parts = {every}",
            f"    return {whole} * {'1.0 / count' if plan.reduction == 'mean' else '1.0'}",
        ]
    head = (
        f"# A query over tensors ({', '.join(plan.tensors)}: batch axes "
        f"{tuple(plan.batch)}): f_slice is one slice, f the whole.\n"
    )
    return head + source.rstrip("\n") + "\n".join(lines) + "\n"


def _vmap(name: str, args: list, tensors) -> str:
    """jax.vmap of the slice function `name` over the first axis of the tensors' slices
    (the other arguments shared), called: one traced program for every head."""
    axes = ", ".join("0" if a in tensors else "None" for a in args)
    axes = f"({axes},)" if len(args) == 1 else f"({axes})"
    call = ", ".join(f"{a}_slices" if a in tensors else a for a in args)
    return f"jax.vmap({name}, in_axes={axes})({call})"


def slicing_lines(args: list, tensors: list, nb: int, b: Backend) -> list:
    """Lines that convert the arguments (as the backend `b` writes it) and cut each tensor
    into its slices."""
    lines = [f"    {a} = {b.asarray(a)}" for a in args]
    lines += [
        f"    batch = tuple({tensors[0]}.shape[:{nb}])",
        "    count = 1",
        "    for size in batch:",
        "        count *= size",
    ]
    for t in tensors:
        lines += [
            f"    assert tuple({t}.shape[:{nb}]) == batch, "
            f'"the tensors must share their batch axes"',
            f"    {t}_slices = {t}.reshape((count,) + tuple({t}.shape[{nb}:]))",
        ]
    return lines
