"""The steps of a derivative (`steps.Steps`) as rows, and those rows as text.

`step_rows(steps, show)` builds the steps ONCE, as typed rows — numbered headings, equations
with their notes (the shape of what each defines, the rule that gave it), each rewrite named
under the equation it tidied, plain lines — every piece of notation a typed part (a name, a
partial ∂a/∂b, a differential, an expression, a shape). Two writers read the same rows:
`steps_text(steps, show)` here (Unicode, the notes in one column) and `render.display`'s
`steps_latex` (an `aligned` block). `show` (a text printer) decides only which rows there
are (an equation already as shown is not repeated); the writers print every expression.
It reads a finished `Steps` only (its `derivations`, from `steps.derive_steps`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from itertools import count, groupby

from .. import expr as E
from ..declarations import where_text
from ..derived import StepsLike
from ..errors import ShapeError
from ..records import Record
from .latex_names import latex_name
from .text import text as text_of

__all__ = ["Row", "part_text", "step_rows", "steps_text"]


class Row(Record):
    """One row of the steps. `kind`: "head" (∂/∂x of f), "where" (the inferred shapes),
    "by" (a variable of a stacked derivative), "heading" (`number. title`; a read-off's
    formula also as `parts`), "equation" (`parts`, noted with `shape` and `rule`; the
    equations of one `group` share a note column), "rewrite" (`parts`: before = after,
    named `rule`), "line" (`parts`), "stacked" (the stacked result). A part is a tuple:
    ("w", words), ("o", operator), ("n", name), ("p", of, by) ∂of/∂by, ("d", name) dname,
    ("e", expr), ("f", expr) the result as the Derivative prints it (named intermediates),
    ("c", chain of partials), ("s", shape), ("m", derivative) a linear map's own form,
    ("x", text, latex) a formula with a spelling for each."""

    __slots__ = (
        "kind",
        "parts",
        "shape",
        "rule",
        "group",
        "number",
        "title",
        "var",
    )

    def __init__(
        self,
        kind: str,
        parts: tuple = (),
        shape: object = None,
        rule: str = "",
        group: int = 0,
        number: int = 0,
        title: str = "",
        var: object = None,
    ) -> None:
        _set = object.__setattr__  # (past the record's __setattr__)
        _set(self, "kind", kind)
        _set(self, "parts", parts)
        _set(self, "shape", shape)
        _set(self, "rule", rule)
        _set(self, "group", group)
        _set(self, "number", number)
        _set(self, "title", title)
        _set(self, "var", var)

    def _key(self) -> tuple:
        return (
            self.kind,
            self.parts,
            self.shape,
            self.rule,
            self.group,
            self.number,
            self.title,
            self.var,
        )


def _dims(shape) -> str:
    return f"{shape.rows}×{shape.cols}"


def _note(shape, rule: str = "") -> str:
    notes = (f"({_dims(shape)})" if shape is not None else "", f"[{rule}]" if rule else "")
    return "    ".join(x for x in notes if x)


def part_text(part: tuple, show: Callable[..., str], final: Callable[..., str]) -> str:
    """One part of a row in Unicode."""
    kind = part[0]
    if kind in ("w", "o", "n", "c"):
        return part[1]
    if kind == "p":
        return f"∂{part[1]}/∂{part[2]}"
    if kind == "d":
        return f"d{part[1]}"
    if kind == "e":
        return show(part[1])
    if kind == "f":
        return final(part[1])
    if kind == "s":
        return _dims(part[1])
    if kind == "m":
        return str(part[1])
    return part[1]  # "x": (text, latex)


def steps_text(steps: StepsLike, show: Callable[..., str]) -> str:
    """The steps as text, every expression printed by `show`."""
    d = steps.derivative
    final = _finished(d, show)
    rows = step_rows(steps, show)
    widths: dict = {}
    for r in rows:
        if r.kind == "equation" and (r.shape is not None or r.rule):
            line = "".join(part_text(p, show, final) for p in r.parts)
            widths[r.group] = max(widths.get(r.group, 0), len(line))
    lines = []
    for r in rows:
        said = "".join(part_text(p, show, final) for p in r.parts)
        if r.kind == "head":
            lines.append(_head(d, show))
        elif r.kind == "where":
            lines.append(where_text(getattr(d, "inferred", {})))
        elif r.kind == "by":
            lines.append(f"— by {r.var.name} —")
        elif r.kind == "stacked":
            lines.append(f"Stacked: {d}")
        elif r.kind == "heading":
            lines.append(f"{r.number}. {r.title}")
        elif r.kind == "equation":
            note = _note(r.shape, r.rule)
            lines.append(f"   {said.ljust(widths[r.group])}    {note}" if note else f"   {said}")
        elif r.kind == "rewrite":
            lines.append(f"     {said}    [{r.rule}]")
        else:
            lines.append(f"   {said}")
    return "\n".join(line for line in lines if line != "")


def _head(d, show) -> str:
    names = ", ".join(v.name for v in d.wrt)
    head = f"∂/∂{names} of {show(d.expression)}   ({d.layout} layout)"
    if d.function is not None:  # a Hessian: the derivative of the gradient
        head = f"Hessian of {show(d.function)} by {names} = " + head.replace(
            " of ", " of the gradient ", 1
        )
    return head


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


_PARTIAL = re.compile(r"∂([^\s/()∂]+)/∂([^\s/()∂]+)")
EQ = ("o", " = ")


def step_rows(steps: StepsLike, show: Callable[..., str]) -> list[Row]:
    """The steps as rows (see `Row`), for every writer; `show` is the text printer that
    decides which equations are already as shown."""
    d = steps.derivative
    many = len(steps.derivations) > 1
    rows, groups = [Row("head"), Row("where")], count()
    for der, diff in zip(steps.derivations, d.derivations):
        if many:
            rows.append(Row("by", var=der.var))
        b = _Builder(groups)
        _derivation(b, steps, der, diff, show)
        rows += b.rows
    if many:
        rows.append(Row("stacked"))
    return rows


class _Builder:
    """The rows of one derivation, its headings numbered as shown."""

    def __init__(self, groups):
        self.rows: list[Row] = []
        self.groups = groups
        self.number = 0

    def heading(self, title: str, parts: tuple = ()) -> None:
        self.number += 1
        self.rows.append(Row("heading", parts, number=self.number, title=title))

    def equations(self, eqs: list) -> list[Row]:
        """(parts, shape, rule) each, their notes in one column."""
        group = next(self.groups)
        return [Row("equation", tuple(parts), shape, rule, group) for parts, shape, rule in eqs]

    def line(self, parts: tuple) -> None:
        self.rows.append(Row("line", parts))

    def add(self, rows: list[Row]) -> None:
        self.rows += rows


def _rewrites(rewrites: list) -> list[Row]:
    """Each rewrite applied, named: `1ᵀdiag(x) = xᵀ    [ones-diag]`."""
    return [Row("rewrite", (("e", r.before), EQ, ("e", r.after)), rule=r.rule) for r in rewrites]


def _partial_rows(partials: list, shown: list) -> tuple[list, list]:
    """(equation specs, the rewrites under each) for the local derivatives. Where one of an
    intermediate's partials reads only as a differential, its partials are one line, the
    total differential du = d₁u + d₂u + … (a line per partial would say du = du₁ and
    du = du₅ of one u, each the differential by one argument only)."""
    specs: list = []
    notes: list = []
    for of, group in groupby(zip(partials, shown), key=lambda pv: pv[0].of):
        group = list(group)
        total = None
        if len(group) > 1 and any(value is None for _, value in group):
            try:
                total = E.Add(*(p.differential for p, _ in group))
            except ShapeError:
                total = None
        if total is not None:
            rule = "; ".join(dict.fromkeys(p.rule for p, _ in group))
            specs.append(((("d", of), EQ, ("e", total)), None, rule))
            notes.append([])
            continue
        for p, value in group:
            if value is not None:
                specs.append(((("p", p.of, p.by), EQ, ("e", value)), p.shape, p.rule))
            else:
                specs.append(((("d", p.of), EQ, ("e", p.differential)), None, p.rule))
            notes.append(p.rewrites)
    return specs, notes


def _derivation(b: _Builder, steps, der, diff, show) -> None:
    d, v, top = steps.derivative, der.var.name, der.top
    part = _part(steps, der)
    final = _finished(d, show)
    by = ("p", top, v)
    if not der.intermediates:  # a constant, or the variable itself: one rule, no chain
        if diff.root is der.var:
            said, rule = (("n", top), EQ, ("n", v), ("w", ", the variable itself")), "identity"
        else:
            said = (("n", top), EQ, ("e", diff.root), ("w", " does not depend on "), ("n", v))
            rule = "constant rule"
        result = part.result if part.result is not None else der.result
        b.line(said)
        if result is None:
            b.line((("m", part),))
        else:
            b.add(b.equations([((by, EQ, ("f", result)), result.shape, rule)]))
        return
    b.heading("Intermediate variables")
    b.add(b.equations([((("n", s.name), EQ, ("e", x)), s.shape, "") for s, x in der.intermediates]))
    b.heading("Their derivatives")
    one_link = len(der.partials) == 1
    # a one link's derivative is the result: its rewrites are the simplification step's
    tidied = [] if not one_link else der.partials[0].rewrites
    shown = [p.raw if tidied else p.value for p in der.partials]
    specs, notes = _partial_rows(der.partials, shown)
    for row, rewrites in zip(b.equations(specs), notes):  # each with the rewrites that tidied it
        b.add([row] + ([] if tidied else _rewrites(rewrites)))
    last = show(shown[0]) if one_link and shown[0] is not None else None
    if not one_link:
        b.heading(f"Combined by the {der.chain_rule}")
        if der.chained is not None:
            named = () if der.chain_names == f"∂{top}/∂{v}" else (("c", der.chain_names), EQ)
            last = show(der.chained)
            b.line(_factors(der))
            b.add(b.equations([((by, EQ, *named, ("e", der.chained)), der.chained.shape, "")]))
        else:
            b.line((("d", top), EQ, ("e", diff.differential)))
    if der.read_off is not None:
        title, form, value = der.read_off
        b.heading(title, _read_off_formula(der))
        last = show(value)
        said = (("d", top), EQ, ("e", form), ("o", "  ⇒  "), by, EQ, ("e", value))
        b.add(b.equations([(said, value.shape, "")]))
    _simplified(b, der, part, show, final, last, tidied)
    if der.whole is not None:  # the Derivative's form, equal, from the whole differential
        b.heading("The same, as the read-off of the whole differential simplifies it")
        b.add(b.equations([((by, EQ, ("e", der.whole)), der.whole.shape, "")]))
    if der.laid_out is not None:
        b.heading(f"Changed to the {d.layout} layout: the transpose")
        b.add(_rewrites(der.layout_rewrites))
        b.add(b.equations([((by, EQ, ("f", der.laid_out)), der.laid_out.shape, "")]))


def _read_off_formula(der) -> tuple:
    """The read-off's rule as parts (`dy = tr(Gᵀ dX) ⇒ ∂y/∂X = G`), for a writer that
    typesets a heading's formula (the text heading says it in its title)."""
    var, top = der.var, der.top
    v, dv = var.name, f"\\mathrm{{d}}{latex_name(var.name)}"
    if var.shape.is_scalar:
        letter, form = "t", ("x", f"t d{v}", f"t \\, {dv}")
    elif var.shape.is_column:
        letter, form = "J", ("x", f"J d{v}", f"J \\, {dv}")
    else:
        letter = "G"
        form = ("x", f"tr(Gᵀ d{v})", f"\\operatorname{{tr}}\\left(G^\\top {dv}\\right)")
    return (("d", top), EQ, form, ("o", "  ⇒  "), ("p", top, var.name), EQ, ("n", letter))


def _factors(der) -> tuple:
    """`∂y/∂u₁: 1×n, ∂u₁/∂w: n×n → ∂y/∂w: 1×n`: each factor of the chain, its shape."""
    shapes = {(p.of, p.by): p.shape for p in der.partials if p.shape is not None}
    seen, parts = set(), [("w", "shapes: ")]
    for m in _PARTIAL.finditer(der.chain_names):
        key = (m[1], m[2])
        if key in shapes and key not in seen:
            if seen:
                parts.append(("o", ", "))
            seen.add(key)
            parts += [("p", m[1], m[2]), ("o", ": "), ("s", shapes[key])]
    whole = [("p", der.top, der.var.name), ("o", ": "), ("s", der.chained.shape)]
    return (*parts, ("o", "  →  "), *whole)


def _simplified(b: _Builder, der, part, show, final, last, tidied: list) -> None:
    """Substituted back (where there are uᵢ to substitute) and simplified, each
    rewrite named; nothing when the derivative is already as shown."""
    by = ("p", der.top, der.var.name)
    rows: list[Row] = []
    substituted = False
    if der.substituted is not None and len(der.intermediates) > 1 and show(der.substituted) != last:
        last, substituted = show(der.substituted), True
        rows += b.equations([((by, EQ, ("e", der.substituted)), der.substituted.shape, "")])
    rows += _rewrites(tidied + der.rewrites)
    if der.result is None:  # a linear map: its own left-hand side
        if part.result is None:
            rows.append(Row("line", (("m", part),)))
        elif show(part.result) != last:
            rows += b.equations([((by, EQ, ("e", part.result)), part.result.shape, "")])
    elif tidied or der.rewrites or final(der.result) != last:
        rows += b.equations([((by, EQ, ("f", der.result)), der.result.shape, "")])
    if not rows:
        return
    if der.result is None and part.result is None and len(rows) == 1:
        b.heading("Written as a linear map")
    else:
        b.heading("Substituted back and simplified" if substituted else "Simplified")
    b.add(rows)
