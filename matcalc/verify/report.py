"""The verdict on a claim, `VerifyReport`, and the text the CLI prints for it."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["VerifyReport"]


@dataclass
class VerifyReport:
    """The verdict on a claim. `str(report)` is the multi-line message the CLI prints.

    `counterexample` (a wrong value only): {"sizes": {dimension: size}, "values": {variable:
    number or (nested) list}, "claimed": value, "true": value}, values rounded to 4 decimals;
    when the derivative has more than 12 entries also "entry" (0-based index of the first
    that differs), "claimed_entry" and "true_entry", and the text shows that entry only.
    """

    correct: bool
    kind: str  # "correct" | "wrong value" | "shape error"
    claimed: str  # the claim, printed in matrix notation
    correct_form: str  # the true derivative, str(derivative)
    counterexample: dict | None  # sizes, values, claimed and true value (wrong value)
    expression: str = ""  # EXPR, printed
    wrt: str = ""
    layout: str = "numerator"
    due_shape: str = ""  # "a column vector(n)"
    claimed_shape: str = ""
    notes: list = field(default_factory=list)  # what the notation in correct_form means
    checks: str = ""  # how a correct claim was settled
    hint: str = ""  # a shape error's hint: the layout the claim is shaped for
    derivative: object = field(default=None, repr=False, compare=False)  # the Derivative

    @property
    def lhs(self) -> str:
        return f"∂{_parenthesized(self.expression)}/∂{self.wrt}"

    def __bool__(self) -> bool:
        return self.correct

    def __str__(self) -> str:
        layout = f"; {self.layout} layout" if self.layout != "numerator" else ""
        notes = f"   ({'; '.join(self.notes)})" if self.notes else ""
        if self.kind == "correct":
            lines = [f"✓ correct: {self.lhs} = {self.claimed}"]
            if self.claimed != self.correct_form:
                lines.append(f"  matcalc writes it {self.correct_form}{notes}")
            if self.checks:
                lines.append(f"  {self.checks}{layout}")
            return "\n".join(lines)
        if self.kind == "shape error":
            lines = [
                f"✗ wrong shape: {self.lhs} is {self.due_shape}, but the claim "
                f"{self.claimed} is {self.claimed_shape}."
            ]
            lines.append(
                f"  correct{' (' + self.layout + ' layout)' if layout else ''}: "
                f"{self.lhs} = {self.correct_form}{notes}"
            )
            if self.hint:
                lines.append(f"  {self.hint}")
            return "\n".join(lines)
        lines = [f"✗ wrong value: {self.lhs} = {self.correct_form}, not {self.claimed}{notes}"]
        if self.checks:
            lines.append(f"  {self.checks}")
        if self.counterexample:
            lines.append("  " + _counterexample_text(self.counterexample))
        return "\n".join(lines)


def _parenthesized(text: str) -> str:
    """`(text)`, unless the parentheses around it already enclose all of it."""
    if text.startswith("(") and text.endswith(")"):
        depth = 0
        for i, ch in enumerate(text):
            if ch in "([":
                depth += 1
            elif ch in ")]":
                depth -= 1
            if depth == 0:  # the first "(" closes here: at the end, or before
                if i == len(text) - 1:
                    return text
                break
    return f"({text})"


def _number(v: float, digits: int = 4) -> str:
    v = float(v)
    if v == 0:
        return "0"
    s = f"{v:.{digits}g}"
    return s.replace("e+0", "e").replace("e-0", "e-")


def _array_text(value) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_array_text(v) for v in value) + "]"
    return _number(value)


def _counterexample_text(c: dict) -> str:
    sizes = ", ".join(f"{k}={v}" for k, v in c["sizes"].items())
    values = ", ".join(f"{k}={_array_text(v)}" for k, v in c["values"].items())
    where = f"at {sizes}: {values}" if sizes else f"at {values}"
    if "entry" in c:
        index = ", ".join(str(i + 1) for i in c["entry"])
        both = (
            f"entry ({index}): claim {_number(c['claimed_entry'])}, true {_number(c['true_entry'])}"
        )
    else:
        both = f"claim {_array_text(c['claimed'])}, true {_array_text(c['true'])}"
    return f"the claim differs {where}: {both}"
