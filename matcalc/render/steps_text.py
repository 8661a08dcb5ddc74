"""The steps of a derivative (`steps.Steps`) as text: numbered as shown, each equation
with its notes in one column — the shape of what it defines, the rule that gave it — and
each rewrite named under the equation it tidied.

`steps_text(steps, show)` writes them, every expression printed by `show`; it reads a
finished `Steps` only (its `derivations`, from `steps.derive_steps`).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from ..declarations import where_text
from ..derived import StepsLike
from .text import text as text_of

__all__ = ["steps_text"]


def _dims(shape) -> str:
    return f"{shape.rows}×{shape.cols}"


def _aligned(rows: list[tuple[str, str]]) -> list[str]:
    """Equations with their notes (shape, rule), the notes in one column."""
    width = max((len(a) for a, b in rows if b), default=0)
    return [f"   {a.ljust(width)}    {b}" if b else f"   {a}" for a, b in rows]


def _note(shape, rule: str = "") -> str:
    return "    ".join(x for x in (f"({_dims(shape)})" if shape is not None else "", rule) if x)


def _rewrites(rewrites: list, show) -> list[str]:
    """Each rewrite applied, named: `1ᵀdiag(x) = xᵀ    [ones-diag]`."""
    return [f"     {show(r.before)} = {show(r.after)}    [{r.rule}]" for r in rewrites]


_PARTIAL = re.compile(r"∂([^\s/()∂]+)/∂([^\s/()∂]+)")


def steps_text(steps: StepsLike, show: Callable[..., str]) -> str:
    """The steps as text, every expression printed by `show`."""
    d = steps.derivative
    names = ", ".join(v.name for v in d.wrt)
    head = f"∂/∂{names} of {show(d.expression)}   ({d.layout} layout)"
    if d.function is not None:  # a Hessian: the derivative of the gradient
        head = f"Hessian of {show(d.function)} by {names} = " + head.replace(
            " of ", " of the gradient ", 1
        )
    lines = [head, where_text(getattr(d, "inferred", {}))]
    for der, diff in zip(steps.derivations, d.derivations):
        if len(steps.derivations) > 1:
            lines.append(f"— by {der.var.name} —")
        lines += _derivation(steps, der, diff, show)
    if len(steps.derivations) > 1:
        lines.append(f"Stacked: {d}")
    return "\n".join(line for line in lines if line != "")


def _finished(d, show) -> Callable[..., str]:
    """`show`, except that the derivative itself prints as `str(d)` does: with its named
    intermediates (`(s − y)xᵀ  where s = softmax(Wx)`, render.names)."""

    def final(e) -> str:
        return d.text() if e is not None and e is d.result and show is text_of else show(e)

    return final


def _part(steps, der):
    """The Derivative by `der`'s variable (itself, or its part of a stacked one)."""
    d = steps.derivative
    if len(steps.derivations) == 1:
        return d
    return next(p for p in d.parts if p.wrt[0] is der.var)


def _derivation(steps, der, diff, show) -> list[str]:
    d, v, top = steps.derivative, der.var.name, der.top
    part = _part(steps, der)
    final = _finished(d, show)
    if not der.intermediates:  # a constant, or the variable itself: one rule, no chain
        if diff.root is der.var:
            said, rule = f"{top} = {v}, the variable itself", "identity"
        else:
            said, rule = f"{top} = {show(diff.root)} does not depend on {v}", "constant rule"
        result = part.result if part.result is not None else der.result
        lines = [f"   {said}"]
        if result is None:
            return lines + [f"   {part}"]
        return lines + _aligned(
            [(f"∂{top}/∂{v} = {final(result)}", _note(result.shape, f"[{rule}]"))]
        )
    lines: list[str] = []

    def heading(title: str) -> None:
        number = sum(1 for x in lines if x[:1].isdigit()) + 1
        lines.append(f"{number}. {title}")

    heading("Intermediate variables")
    lines += _aligned(
        [(f"{sym.name} = {show(x)}", _note(sym.shape)) for sym, x in der.intermediates]
    )
    heading("Their derivatives")
    one_link = len(der.partials) == 1
    # a one link's derivative is the result: its rewrites are the simplification step's
    tidied = [] if not one_link else der.partials[0].rewrites
    shown = [p.raw if tidied else p.value for p in der.partials]
    rows = _aligned(
        [
            (f"∂{p.of}/∂{p.by} = {show(value)}", _note(p.shape, f"[{p.rule}]"))
            if value is not None
            else (f"d{p.of} = {show(p.differential)}", f"[{p.rule}]")
            for p, value in zip(der.partials, shown)
        ]
    )
    for row, p in zip(rows, der.partials):  # each with the rewrites that tidied it
        lines += [row] + ([] if tidied else _rewrites(p.rewrites, show))
    last = show(shown[0]) if one_link and shown[0] is not None else None
    if not one_link:
        heading(f"Combined by the {der.chain_rule}")
        if der.chained is not None:
            named = "" if der.chain_names == f"∂{top}/∂{v}" else f"{der.chain_names} = "
            last = show(der.chained)
            lines.append("   " + _factors(der))
            lines += _aligned([(f"∂{top}/∂{v} = {named}{last}", _note(der.chained.shape))])
        else:
            lines.append(f"   d{top} = {show(diff.differential)}")
    if der.read_off is not None:
        title, form, value = der.read_off
        heading(title)
        last = show(value)
        lines += _aligned([(f"d{top} = {show(form)}  ⇒  ∂{top}/∂{v} = {last}", _note(value.shape))])
    lines += _simplified(der, part, show, final, last, heading, tidied)
    if der.whole is not None:  # the Derivative's form, equal, from the whole differential
        heading("The same, as the read-off of the whole differential simplifies it")
        lines += _aligned([(f"∂{top}/∂{v} = {show(der.whole)}", _note(der.whole.shape))])
    if der.laid_out is not None:
        heading(f"Changed to the {d.layout} layout: the transpose")
        lines += _rewrites(der.layout_rewrites, show)
        lines += _aligned([(f"∂{top}/∂{v} = {final(der.laid_out)}", _note(der.laid_out.shape))])
    return lines


def _factors(der) -> str:
    """`∂y/∂u₁: 1×n, ∂u₁/∂w: n×n → ∂y/∂w: 1×n`: each factor of the chain, its shape."""
    shapes = {(p.of, p.by): p.shape for p in der.partials if p.shape is not None}
    seen, factors = set(), []
    for m in _PARTIAL.finditer(der.chain_names):
        key = (m[1], m[2])
        if key in shapes and key not in seen:
            seen.add(key)
            factors.append(f"∂{m[1]}/∂{m[2]}: {_dims(shapes[key])}")
    whole = f"∂{der.top}/∂{der.var.name}: {_dims(der.chained.shape)}"
    return f"shapes: {', '.join(factors)}  →  {whole}"


def _simplified(der, part, show, final, last, heading, tidied: list) -> list[str]:
    """Substituted back (where there are uᵢ to substitute) and simplified, each
    rewrite named; nothing when the derivative is already as shown."""
    top, v = der.top, der.var.name
    rows: list[str] = []
    substituted = False
    if der.substituted is not None and len(der.intermediates) > 1 and show(der.substituted) != last:
        last, substituted = show(der.substituted), True
        rows += _aligned([(f"∂{top}/∂{v} = {last}", _note(der.substituted.shape))])
    rows += _rewrites(tidied + der.rewrites, show)
    if der.result is None:  # a linear map: its own left-hand side
        if part.result is None:
            rows.append(f"   {part}")
        elif show(part.result) != last:
            rows += _aligned([(f"∂{top}/∂{v} = {show(part.result)}", _note(part.result.shape))])
    elif tidied or der.rewrites or final(der.result) != last:
        rows += _aligned([(f"∂{top}/∂{v} = {final(der.result)}", _note(der.result.shape))])
    if not rows:
        return []
    if der.result is None and part.result is None and len(rows) == 1:
        heading("Written as a linear map")
    else:
        heading("Substituted back and simplified" if substituted else "Simplified")
    return rows
