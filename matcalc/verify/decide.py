"""`verify`: parse the claim, build both sides, compare the shapes, then the values, then
(where cheap) prove it; the report says how it was settled."""

from __future__ import annotations

from .. import expr as E
from ..api import derivative
from ..errors import NameError_, ParseError, UnsupportedError
from ..layout import Layout
from ..parse import parse_query
from ..render.text import text as text_of
from ..sampling import needs_positive, nodes_of
from ..structured import projection
from ..typed import build_typed
from .building import build_claimed, describe
from .claims import Relocated, blank, error_at, offset_of, parse_claim
from .compare import RTOL, compare
from .proof import prove
from .report import VerifyReport

__all__ = ["verify"]


def _notes(result: E.Expr | None) -> list:
    if result is None:
        return []
    kinds = {(n.shape.is_column, n.shape.is_row) for n in E.walk(result) if isinstance(n, E.Ones)}
    notes = []
    if (True, False) in kinds:
        notes.append("1 is a column of ones")
    if (False, True) in kinds:
        notes.append("1ᵀ is a row of ones")
    return notes


def _refuse_tensors(query, shapes, text: str, parts) -> None:
    """A claim over tensors is not decided yet: the derivative is a slice's (Qₐ) put
    together by a rule (stacked, block diagonal, Σₐ over the slices), and the claimed side
    has no notation for the slice index nor for that Σₐ."""
    from ..tensor_query import has_tensors

    if not has_tensors(query, shapes):
        return
    tensor = next((d for d in query.declarations if "tensor" in str(d.spec)), None)
    pos = tensor.pos if tensor is not None and tensor.pos is not None else None
    start = offset_of(text, pos.line, pos.column) if pos is not None else parts.head[0]
    raise error_at(
        UnsupportedError,
        "verify does not take tensors yet: a claim would need notation for the slice "
        "index (Qₐ) and the sum over slices (Σₐ) that put a tensor derivative together",
        text,
        start,
        len("tensor") if pos is not None else 1,
        expected="matcalc.derivative(query, name) (its evaluate, check and to_source)",
    )


def verify(
    claim: str, shapes: dict | None = None, layout: str = "numerator", seed: int = 0
) -> VerifyReport:
    """Decide a claim `d/dVAR EXPR = CLAIMED` (see `matcalc.verify`'s docstring for the syntax).

    Returns a `VerifyReport`; raises `MatcalcError` (located in `claim`) on bad input.
    """
    layout = Layout.of(layout).value
    parts = parse_claim(claim)
    text = parts.text
    expr_text = blank(text, parts.declarations, parts.expression)
    claimed_text = blank(text, parts.claimed)
    with Relocated(text):
        query = parse_query(expr_text)
        for decl in query.declarations:
            if (
                decl.pos is not None
                and offset_of(text, decl.pos.line, decl.pos.column) >= parts.head[0]
            ):
                raise ParseError(
                    "declarations go before the derivative",
                    text=text,
                    line=decl.pos.line,
                    column=decl.pos.column,
                    expected="an expression to differentiate",
                )
        _refuse_tensors(query, shapes, text, parts)
        variables = build_typed(query, shapes).variables
        if parts.var not in variables:
            known = ", ".join(sorted(variables)) or "none"
            raise error_at(
                NameError_,
                f"{parts.var!r} does not appear in the expression",
                text,
                parts.var_span[0],
                len(parts.var),
                expected=f"one of its variables ({known}), or a name declared "
                f"before the derivative, as in '{parts.var}: scalar;'",
            )
        d = derivative(expr_text, parts.var, shapes, layout=layout)
        declared = [n for decl in query.declarations for n in decl.names] + list(shapes or ())
        order = [n for n in dict.fromkeys(declared) if n in d.variables]
        variables = {n: d.variables[n] for n in order + [n for n in d.variables if n not in order]}
        if d.result is None:
            raise error_at(
                UnsupportedError,
                f"∂({text_of(d.expression)})/∂{parts.var} is a "
                f"linear map ({d}); a claim for it cannot be checked in matrix "
                "notation",
                text,
                parts.head[0],
                parts.head[1] - parts.head[0],
            )
        claimed_query = parse_query(claimed_text)
        if claimed_query.declarations:
            pos = claimed_query.declarations[0].pos
            raise ParseError(
                "declarations go before the derivative, not after '='",
                text=text,
                line=pos.line if pos else 1,
                column=pos.column if pos else 1,
                expected="the claimed result",
            )
        built = build_claimed(claimed_query, variables, d.result.shape)

    truth = d.result
    report = VerifyReport(
        correct=False,
        kind="shape error",
        claimed=text_of(built.printed),
        correct_form=str(d),
        counterexample=None,
        expression=text_of(d.expression),
        wrt=parts.var,
        layout=layout,
        due_shape=describe(truth.shape),
        claimed_shape=describe(built.shape),
        notes=_notes(truth),
        derivative=d,
    )
    if built.expr is None:
        if built.constant and not truth.shape.is_column:
            report.hint = "a number c stands for the column c·1 only where a column is due" + (
                "; the row of c's is c * 1ᵀ" if truth.shape.is_row else ""
            )
        elif built.shape == truth.shape.T and not truth.shape.is_square:
            other = "numerator" if layout == "denominator" else "denominator"
            with Relocated(text):
                flipped = derivative(expr_text, parts.var, shapes, layout=other)
            if flipped.result is not None and flipped.result.shape == built.shape:
                report.hint = (
                    f"the claim is shaped as in {other} layout, where {report.lhs} = {flipped}"
                )
        return report
    report.claimed_shape = report.due_shape
    projected = projection(d.wrt[0], truth.shape, layout)
    project = projected[0] if projected else None
    compared, example, representative = compare(
        built.expr, truth, d.expression, variables, seed, project
    )
    if example is not None:
        report.kind, report.counterexample = "wrong value", example
        return report
    report.correct, report.kind = True, "correct"
    how = f"equal at {len(compared)} random point{'s' * (len(compared) > 1)}"
    names = list(compared[0])
    if names:
        sets = list(dict.fromkeys(tuple(sizes[k] for k in names) for sizes in compared))
        if len(names) == 1:
            at = f"{names[0]} = " + ", ".join(str(t[0]) for t in sets)
        else:
            at = f"({', '.join(names)}) = " + ", ".join(f"({', '.join(map(str, t))})" for t in sets)
        how += f" ({at})"
    positive = needs_positive(nodes_of(d.expression, truth, built.expr))
    proved, entries = prove(built.expr, truth, variables, compared[0], positive, project)
    if proved < 0:  # equal within the tolerance, but exactly not equal
        report.correct, report.kind = False, "wrong value"
        report.checks = (
            f"{how}, within the tolerance (relative {RTOL:g}), but SymPy "
            "finds an entry that differs by an exact nonzero constant"
        )
        return report
    at_first = ", ".join(f"{k}={v}" for k, v in compared[0].items())
    at_first = f" at {at_first}" if at_first else ""
    if proved == entries:
        what = "the value" if entries == 1 else f"all {entries} entries"
        how += f"; SymPy proves {what} equal{at_first}"
    elif proved:
        how += f"; SymPy proves {proved} of {entries} entries equal{at_first}"
    if representative:
        how += f"; {projected[1]}"
    report.checks = how
    return report
