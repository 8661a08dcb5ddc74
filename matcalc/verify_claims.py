"""Check a hand-derived derivative: `verify("x: vector(n); z: scalar; d/dz (x + z) = 1")`.

Claim syntax
------------
A claim is optional declarations, exactly as in a query, then one derivative, `=`, and the
claimed result::

    [DECLARATIONS]  d/dVAR EXPR = CLAIMED
    [DECLARATIONS]  ∂/∂VAR EXPR = CLAIMED
    [DECLARATIONS]  ∂(EXPR)/∂VAR = CLAIMED        (also ∂EXPR/∂VAR, without parentheses)

    x: vector(n); z: scalar; d/dz (x + z) = ones
    w, x: vector(n); ∂(w * x)/∂w = diag(x)
    d/dx ln(sin(x^3)^2) = 6*x^2*cos(x^3)/sin(x^3)

- DECLARATIONS are `NAMES: scalar | vector(n) | matrix(m, n) | symmetric(n) | simplex(n)`,
  each ended by `;` or a new line; undeclared names take the query language's defaults.
  (The API's `shapes=` and the CLI's --scalar/--vector/… flags declare as well.)
- The derivative starts a statement: the text before it holds only declarations. VAR is a
  name of the expression (or a declared one); EXPR is any expression of the query language,
  parentheses optional: everything up to the `=` is EXPR (in the ∂…/∂VAR form, everything
  up to the last top-level `/∂VAR`).
- There is exactly one `=`, outside brackets (`>=` and `<=` are comparisons). `#` starts a
  comment, as in queries; new lines may break the claim anywhere after the declarations.
- CLAIMED is an expression of the query language (`diag(x)`, `xᵀ`, `*`, `/`, `@`,
  functions, steps `(z > 0)`, …) over the expression's variables, plus the tutorial's
  notation:
    `I`              the identity, its size taken from the true derivative;
    `ones`           the column of ones (`ones.T` / `onesᵀ` the row), sized to fit;
    `1ᵀ`, `cᵀ`       a transposed number: the row of ones 1ᵀ, the row c·1ᵀ (`0ᵀ` zeros);
    `0`              the zero of whatever shape is due;
    a number `c`     where a column is due: the column c·1 (`1` is the tutorial's column
                     of ones, `-1` its negative); where a row or a matrix is due, a number
                     other than 0 is a shape error (write `c * 1ᵀ`, `c * I`);
    `1 @ …`, `… @ 1` a number operand of `@`: the column of ones (times the number);
    `N`, `n`, …      a dimension name of the expression's shapes: that size, e.g. the N of
                     `X: matrix(N, n)` in `(2/N) * sum(...)`.
  A name `I` or `ones` declared as a variable (or used as one in EXPR) is that variable.
  Any other name must be a variable of the expression (used in it or declared).

Layout: `layout="numerator"` (the tutorial's: ∂(w·x)/∂w = xᵀ is a row), "denominator"
(x, a column) or "mixed" (gradient a column, Jacobian m×n), as for `derivative`.

The decision
------------
The true derivative is `matcalc.derivative(EXPR, VAR, shapes, layout)`. Shapes first: a
claim of another shape than the derivative's (`I` where the column `1` is due, a column
where a row is due) is a "shape error", with the shape due and the correct form. Then
values, at several random points at small distinct sizes (3, 2, 4, … per dimension at
the first point, other sizes at the next ones, so that a claim true at one size only fails;
positive values where logs or roots need them; away from the kinks of steps and max; one
decimal, so that a counterexample is readable): a claim that differs somewhere is a "wrong
value", with the sizes, the variables and both values at that point. A claim equal at every
point is "correct"; where it is cheap, SymPy then proves it entry by entry
(simplify(claim − derivative) = 0 at the first sizes), and the report says how it was settled.

Bad input (no `=`, no d/dVAR, a syntax error on either side, an unknown name, a claim whose
own shapes do not fit together) raises `MatcalcError`, located (line, column, caret) in the
original claim text: each side is parsed by the query grammar from a copy of the claim in
which everything else is blanked out, so positions need no translation.
"""
from __future__ import annotations

import re
import time
from dataclasses import dataclass, field

import numpy as np

from . import expr as E
from .build import MAX_DEPTH, Builder
from .errors import MatcalcError, NameError_, ParseError, ShapeError, UnsupportedError
from .evaluate import evaluate, require_bytes
from .parse import parse_query
from .shapes import Shape, ShapeSpec
from .structured import projection
from .syntax import Query, Syntax

__all__ = ["verify", "VerifyReport", "parse_claim", "Claim"]

SIZES = (3, 2, 4, 5, 6, 7)      # one distinct size per dimension, in order of first use
POINTS = 6                      # random points at which the values must agree,
PER_SIZE = 2                    # two at each set of sizes
MAX_TRIES = 60                  # draws allowed to find them (kinks, singular points)
KINK_MARGIN = 0.05              # no step/max/abs argument this close to its kink
RTOL, ATOL = 1e-6, 1e-9
SYMPY_MAX_ENTRIES = 64          # "where cheap": the symbolic confirmation's budget
SYMPY_MAX_OPS = 400
SYMPY_SECONDS = 3.0
SHOWN_ENTRIES = 12              # a larger value in a counterexample shows one entry

_NAME = r"[A-Za-z_α-ωΑ-Ω][A-Za-z_0-9α-ωΑ-Ω]*"
_D_HEAD = re.compile(rf"d[ \t]*/[ \t]*d[ \t]*({_NAME})")
_P_HEAD = re.compile(rf"∂[ \t]*/[ \t]*∂[ \t]*({_NAME})")
_P_TAIL = re.compile(rf"/[ \t]*∂[ \t]*({_NAME})")
_ANY_HEAD = re.compile(rf"(?<![A-Za-z_0-9α-ωΑ-Ω])d[ \t]*/[ \t]*d|∂")
_FORMS = "d/dVAR EXPR = CLAIMED, or ∂(EXPR)/∂VAR = CLAIMED"

_I_NAME, _ONES_NAME = "I", "ones"
_I_DIM, _ONES_DIM = "?I", "?ones"           # unknown dimensions of I and ones, in the Builder


# ======================================================================================
# Splitting the claim text

@dataclass(frozen=True)
class Claim:
    """A claim split at the top level; spans are offsets into `text`."""
    text: str
    declarations: tuple     # (start, end) of the declarations part
    head: tuple             # (start, end) of `d/dVAR`, `∂/∂VAR`, or the `∂` of ∂EXPR/∂VAR
    var: str
    var_span: tuple
    expression: tuple       # (start, end) of EXPR
    equals: int             # offset of the "="
    claimed: tuple          # (start, end) of CLAIMED


def _line_col(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _offset(text: str, line: int, column: int) -> int:
    start = 0
    for _ in range(line - 1):
        start = text.index("\n", start) + 1
    return start + column - 1


def _error(cls, message, text, offset, width=1, expected=None) -> MatcalcError:
    line, column = _line_col(text, offset)
    return cls(message, text=text, line=line, column=column, width=width, expected=expected)


def _end_offset(text: str, scan: str) -> int:
    """Just after the last character that is not blank or comment."""
    stripped = scan.rstrip()
    return len(stripped) if stripped else 0


def _without_comments(text: str) -> str:
    """`text` with every `# …` comment replaced by spaces (same length, same lines)."""
    return re.sub(r"#[^\n]*", lambda m: " " * len(m.group()), text)


def _statement_starts(scan: str):
    """Offsets where a statement may start: the text's start and after each top-level
    `;` or new line, skipping blanks."""
    depth, at_start = 0, True
    for i, ch in enumerate(scan):
        if at_start and not ch.isspace():
            yield i
            at_start = False
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth = max(0, depth - 1)
        elif ch in ";\n" and depth == 0:
            at_start = True


def parse_claim(text: str) -> Claim:
    """Split a claim into declarations, head, EXPR and CLAIMED (no parsing of the parts)."""
    if not isinstance(text, str):
        raise MatcalcError(f"the claim must be a str, not {type(text).__name__}")
    scan = _without_comments(text)
    if not scan.strip():
        raise ParseError("empty claim", text=text, line=1, column=1, expected=_FORMS)
    head = None
    first_other = None
    for start in _statement_starts(scan):
        m = _D_HEAD.match(scan, start) or _P_HEAD.match(scan, start)
        if m:
            head = ("operator", start, m.end(), m.group(1), m.span(1))
            break
        if scan.startswith("∂", start):
            head = ("quotient", start, start + 1, None, None)
            break
        if first_other is None and not _is_declaration(scan, start):
            first_other = start
    if head is None:
        m = _ANY_HEAD.search(scan)
        if m:
            raise _error(ParseError, "the derivative must start a statement", text, m.start(),
                         len(m.group()), "';' or a new line between the declarations and it")
        where = first_other if first_other is not None else len(scan) - len(scan.lstrip())
        raise _error(ParseError, "a claim needs a derivative d/dVAR or ∂…/∂VAR", text, where,
                     expected=_FORMS)
    form, h_start, h_end, var, var_span = head

    # the single "=": not part of >= or <=, not in brackets
    equals, depth = [], 0
    for i in range(h_end, len(scan)):
        ch = scan[i]
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth = max(0, depth - 1)
        elif ch == "=" and scan[i - 1] not in "<>":
            if scan[i + 1:i + 2] == "=":
                raise _error(ParseError, "'==' is not a claim's '='", text, i, 2,
                             "a single '=' between the derivative and the claimed result")
            equals.append((i, depth))
    if not equals:
        raise _error(ParseError, "missing '=' and the claimed derivative", text,
                     _end_offset(text, scan), expected="'=' then the claimed result, as in "
                     "d/dz (x + z) = ones")
    if len(equals) > 1:
        raise _error(ParseError, "more than one '='", text, equals[1][0],
                     expected="a single '=' between the derivative and the claimed result")
    eq, eq_depth = equals[0]
    if eq_depth:
        raise _error(ParseError, "'=' inside brackets", text, eq,
                     expected="the '=' between the derivative and the claimed result, "
                              "outside parentheses")

    if form == "operator":
        expression = (h_end, eq)
    else:                                   # ∂EXPR/∂VAR: the last top-level /∂VAR before "="
        tail = None
        depth = 0
        for i in range(h_end, eq):
            ch = scan[i]
            if ch in "([":
                depth += 1
            elif ch in ")]":
                depth = max(0, depth - 1)
            elif ch == "/" and depth == 0:
                m = _P_TAIL.match(scan, i)
                if m:
                    tail = m
        if tail is None:
            raise _error(ParseError, "missing /∂VAR after ∂EXPR", text, eq,
                         expected="∂(EXPR)/∂VAR = CLAIMED")
        stray = scan[tail.end():eq]
        if stray.strip():
            at = tail.end() + len(stray) - len(stray.lstrip())
            raise _error(ParseError, "unexpected text between ∂…/∂VAR and '='", text, at,
                         len(stray.strip()), "'=' right after ∂(EXPR)/∂VAR")
        var, var_span = tail.group(1), tail.span(1)
        expression = (h_end, tail.start())
    if not scan[expression[0]:expression[1]].strip():
        raise _error(ParseError, "nothing to differentiate", text,
                     expression[0] if form == "quotient" else h_start,
                     (h_end - h_start) if form == "operator" else 1,
                     "an expression, as in d/dz (x + z) = ones")
    claimed = (eq + 1, len(text))
    if not scan[claimed[0]:].strip():
        raise _error(ParseError, "missing the claimed derivative after '='", text, eq,
                     expected="an expression after '='")
    return Claim(text, (0, h_start), (h_start, h_end), var, var_span, expression, eq, claimed)


def _is_declaration(scan: str, start: int) -> bool:
    """Whether the statement at `start` has a top-level ':' before its end."""
    depth = 0
    for ch in scan[start:]:
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth = max(0, depth - 1)
        elif depth == 0 and ch in ";\n":
            return False
        elif depth == 0 and ch == ":":
            return True
    return False


def _blank(text: str, *spans) -> str:
    """`text` with everything outside `spans` turned into spaces (new lines kept), so that
    a parse of the result reports the lines and columns of `text`."""
    keep = [False] * len(text)
    for start, end in spans:
        for i in range(start, end):
            keep[i] = True
    return "".join(ch if keep[i] or ch == "\n" else " " for i, ch in enumerate(text))


class _Relocated:
    """Re-attach errors raised while parsing a blanked copy to the original claim text."""

    def __init__(self, text: str):
        self.text = text

    def __enter__(self):
        return self

    def __exit__(self, kind, error, tb):
        if isinstance(error, MatcalcError) and error.text is not None \
                and len(error.text) == len(self.text):
            error.text = self.text
        return False


# ======================================================================================
# The report

@dataclass
class VerifyReport:
    """The verdict on a claim. `str(report)` is the multi-line message the CLI prints.

    `counterexample` (a wrong value only): {"sizes": {dimension: size}, "values": {variable:
    number or (nested) list}, "claimed": value, "true": value}, values rounded to 4 decimals;
    when the derivative has more than 12 entries also "entry" (0-based index of the first
    that differs), "claimed_entry" and "true_entry", and the text shows that entry only.
    """
    correct: bool
    kind: str                        # "correct" | "wrong value" | "shape error"
    claimed: str                     # the claim, printed in matrix notation
    correct_form: str                # the true derivative, str(derivative)
    counterexample: dict | None      # sizes, values, claimed and true value (wrong value)
    expression: str = ""             # EXPR, printed
    wrt: str = ""
    layout: str = "numerator"
    due_shape: str = ""              # "a column vector(n)"
    claimed_shape: str = ""
    notes: list = field(default_factory=list)    # what the notation in correct_form means
    checks: str = ""                 # how a correct claim was settled
    hint: str = ""                   # a shape error's hint: the layout the claim is shaped for
    derivative: object = field(default=None, repr=False, compare=False)   # the Derivative

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
            lines = [f"✗ wrong shape: {self.lhs} is {self.due_shape}, but the claim "
                     f"{self.claimed} is {self.claimed_shape}."]
            lines.append(f"  correct{' (' + self.layout + ' layout)' if layout else ''}: "
                         f"{self.lhs} = {self.correct_form}{notes}")
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
            if depth == 0:               # the first "(" closes here: at the end, or before
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
        both = (f"entry ({index}): claim {_number(c['claimed_entry'])}, "
                f"true {_number(c['true_entry'])}")
    else:
        both = f"claim {_array_text(c['claimed'])}, true {_array_text(c['true'])}"
    return f"the claim differs {where}: {both}"


# ======================================================================================
# Building the claimed side

def _spec_of(var: E.Var) -> ShapeSpec:
    """The declaration that gives `var` its shape (and structure) again."""
    s, structure = var.shape, getattr(var, "structure", None)
    if s.is_scalar:
        return ShapeSpec("scalar", ())
    if s.is_column:
        return ShapeSpec("vector", (s.rows,), structure)
    return ShapeSpec("matrix", (s.rows, s.cols), structure)


def _dimension_names(variables: dict) -> list:
    out = []
    for v in variables.values():
        for d in (v.shape.rows, v.shape.cols):
            if isinstance(d, str) and d not in out:
                out.append(d)
    return out


def _rewrite(node: Syntax, ones: str, text: str, depth: int = 0) -> Syntax:
    """The tutorial's bold numbers: `cᵀ` → c·onesᵀ, a number operand of `@` → c·ones."""
    if depth > MAX_DEPTH:
        raise MatcalcError(f"expression nested too deeply (more than {MAX_DEPTH} levels)"
                           ).located(text, node.pos)
    if node.kind == "transpose" and node.children[0].kind == "number":
        return _bold(node.children[0], node.pos, ones, transpose=True)
    kids = tuple(_rewrite(c, ones, text, depth + 1) for c in node.children)
    if node.kind == "binary" and node.value == "@":
        kids = tuple(_bold(k, k.pos, ones) if k.kind == "number" else k for k in kids)
    if all(a is b for a, b in zip(kids, node.children)):
        return node
    return Syntax(node.kind, node.value, kids, node.pos)


def _bold(number: Syntax, pos, ones: str, transpose: bool = False) -> Syntax:
    vec = Syntax("name", ones, (), pos)
    if transpose:
        vec = Syntax("transpose", None, (vec,), pos)
    if number.value == 1:
        return vec
    return Syntax("binary", "*", (number, vec), pos)


def _names(node: Syntax):
    stack = [node]
    while stack:
        n = stack.pop()
        if n.kind == "name":
            yield n
        stack.extend(reversed(n.children))


def _unknown(d) -> bool:
    return isinstance(d, str) and d.startswith("?")


def _describe(shape: Shape) -> str:
    if shape.is_scalar:
        return "a scalar"
    if shape.is_column:
        return f"a column vector({shape.rows})"
    if shape.is_row:
        return f"a row vector({shape.cols})"
    return f"a matrix({shape.rows}, {shape.cols})"


@dataclass
class _Built:
    expr: E.Expr | None          # the claim, sized to the derivative (None: does not fit)
    printed: E.Expr              # the claim for printing (sized as well as it goes)
    shape: Shape                 # the claim's shape (for a shape error)
    constant: bool = False


def _build_claimed(query: Query, variables: dict, due: Shape) -> _Built:
    """The claimed side as an Expr over EXPR's own variables, with I and ones sized to fit
    the derivative's shape `due`."""
    specs = {name: _spec_of(v) for name, v in variables.items()}
    dims = [d for d in _dimension_names(variables) if d not in specs]
    for d in dims:
        specs[d] = ShapeSpec("scalar", ())
    i_name = _I_NAME if _I_NAME not in variables else "⟨I⟩"
    ones = _ONES_NAME if _ONES_NAME not in variables else "⟨1⟩"
    specs.setdefault(i_name, ShapeSpec("matrix", (_I_DIM, _I_DIM)))
    specs.setdefault(ones, ShapeSpec("vector", (_ONES_DIM,)))

    body = _rewrite(query.body, ones, query.text)
    allowed = set(specs)
    for node in _names(body):
        if node.value not in allowed:
            known = ", ".join(sorted(variables)) or "none"
            extra = f"; dimensions {', '.join(dims)}" if dims else ""
            raise NameError_(f"unknown name {node.value!r} in the claim",
                             expected=f"a variable of the expression ({known}){extra}; "
                                      "I, ones or a number").located(query.text, node.pos)
    builder = Builder(Query((), body, query.text), specs)
    rows, cols = builder.infer(body)
    find = builder.dims.find
    shape_dims = (find(rows), find(cols))
    want = (due.rows, due.cols)

    # the sized constants: I and ones take the sizes the derivative needs
    binding: dict = {}
    fits = True
    for d, w in zip(shape_dims, want):
        d = binding.get(d, d) if _unknown(d) else d
        if _unknown(d):
            binding[d] = w
        elif d != w:
            fits = False
    scalar_claim = shape_dims == (1, 1)
    if not fits and not scalar_claim:
        # only printed and described: unknowns take the derivative's non-trivial dimension
        guess = next((w for w in want if w != 1), "n")
        binding = {d: guess for d in (_I_DIM, _ONES_DIM) if _unknown(find(d))}

    def size(dim):
        r = find(dim)
        return binding.get(r, r) if _unknown(r) else r

    built_vars = dict(variables)
    for d in dims:
        built_vars[d] = E.DimSize(d)
    used = {n.value for n in _names(body)}
    for name, dim, make in ((i_name, _I_DIM, E.Identity),
                            (ones, _ONES_DIM, lambda k: E.Ones(Shape(k, 1)))):
        if name in used and name not in variables:
            k = size(dim)
            if _unknown(k):
                node = next(n for n in _names(body) if n.value == name)
                raise ShapeError(f"cannot tell the size of {node.value} in the claim",
                                 expected="a claim whose shape fixes it"
                                 ).located(query.text, node.pos)
            built_vars[name] = make(k)
    claim = builder.construct(body, built_vars)
    shape = claim.shape
    if scalar_claim and not due.is_scalar:
        constant = not any(isinstance(v, E.Var) for v in claim.free)
        if constant and E.is_zero(claim):
            return _Built(E.Zero(due), claim, shape, True)
        if constant and due.is_column:
            return _Built(E.Mul(claim, E.Ones(due)), claim, shape, True)
        return _Built(None, claim, shape, constant)
    return _Built(claim if fits else None, claim, shape)


# ======================================================================================
# Numbers

def _nodes(*roots):
    seen = []
    ids = set()
    for r in roots:
        for n in E.walk(r):
            if n not in ids:
                ids.add(n)
                seen.append(n)
    return seen


def needs_positive(nodes) -> bool:
    """log, sqrt and other non-integer or symbolic powers need positive arguments
    (how sample values are chosen, here and in the tests)."""
    for n in nodes:
        if isinstance(n, E.Func) and n.name == "log":
            return True
        if isinstance(n, E.Pow) and not (isinstance(n.args[1], E.Const)
                                         and n.args[1].value.denominator == 1):
            return True
    return False


def _kink_arguments(nodes) -> list:
    out = []
    for n in nodes:
        if isinstance(n, (E.Compare, E.Max)):
            a, b = n.children
            out.append(E.sub(a, b))
        elif isinstance(n, E.Func) and n.name in ("abs", "sign"):
            out.append(n.arg)
    return out


def _sizes(variables: dict, point: int = 0) -> dict:
    """Distinct sizes per dimension, in order of first use: 3, 2, 4, … at the first point,
    then rotated (2, 4, 5, …), so that a claim that holds at one size only is caught."""
    return {d: SIZES[(i + point) % len(SIZES)]
            for i, d in enumerate(_dimension_names(variables))}


def _draw(var: E.Var, sizes: dict, rng, positive: bool, invertible: bool) -> np.ndarray:
    """Random values with one decimal, in ±[0.2, 2] (positive when `positive`)."""
    r, c = (d if isinstance(d, int) else sizes[d] for d in (var.shape.rows, var.shape.cols))
    require_bytes((r, c), f"the values of {var.name}")
    if getattr(var, "structure", None) == "simplex":     # positive, summing to 1
        units = 10 * ((r + 9) // 10)
        cuts = np.sort(rng.choice(np.arange(1, units), size=r - 1, replace=False))
        return (np.diff(np.concatenate([[0], cuts, [units]])) / units).reshape(r, 1)
    a = rng.integers(2, 21, size=(r, c)) / 10.0
    if not positive:
        a = a * rng.choice([-1.0, 1.0], size=(r, c))
    if var.symmetric:
        a = np.triu(a) + np.triu(a, 1).T
    if invertible and r == c and r > 1:
        a = a + 2.0 * r * np.eye(r)        # strictly diagonally dominant: det > 0
    return a


def _plain(a: np.ndarray, shape: Shape):
    """A 2-D value as a Python number or (nested) list, rounded for reading."""
    a = np.round(np.asarray(a, dtype=float), 4) + 0.0
    if shape.is_scalar:
        return float(a.reshape(-1)[0])
    if shape.is_vector:
        return [float(v) for v in a.reshape(-1)]
    return a.tolist()


def _compare(claim: E.Expr, truth: E.Expr, expression: E.Expr, variables: dict, seed: int,
             project=None):
    """(the sizes of each point compared, counterexample or None, whether the claim is
    another representative: equal only after `project` — see matcalc.structured)."""
    nodes = _nodes(expression, truth, claim)
    positive = needs_positive(nodes)
    invertible = any(isinstance(n, (E.Det, E.Inv)) for n in nodes)
    kinks = _kink_arguments(nodes)
    used = [v for v in variables.values() if any(v in r.free for r in (expression, truth, claim))]
    rng = np.random.default_rng(seed)
    compared: list = []
    representative = False
    with np.errstate(all="ignore"):
        for _ in range(MAX_TRIES):
            if len(compared) >= POINTS:
                break
            sizes = _sizes(variables, len(compared) // PER_SIZE)
            arrays = {v.name: _draw(v, sizes, rng, positive, invertible) for v in used}
            try:
                if any(np.min(np.abs(evaluate(k, arrays, sizes))) < KINK_MARGIN for k in kinks):
                    continue
                true_value = np.asarray(evaluate(truth, arrays, sizes), dtype=float)
                claim_value = np.asarray(evaluate(claim, arrays, sizes), dtype=float)
                if not np.all(np.isfinite(evaluate(expression, arrays, sizes))):
                    continue
            except (np.linalg.LinAlgError, FloatingPointError, ZeroDivisionError):
                continue
            if not np.all(np.isfinite(true_value)):
                continue
            compared.append(sizes)
            scale = max(1.0, float(np.max(np.abs(true_value))) if true_value.size else 1.0)
            close = np.isclose(claim_value, true_value, rtol=RTOL, atol=ATOL * scale)
            if project is not None and not np.all(close):
                close = np.isclose(project(claim_value), project(true_value), rtol=RTOL,
                                   atol=ATOL * scale)
                representative = representative or bool(np.all(close))
            if np.all(close):
                continue
            example = {"sizes": dict(sizes),
                       "values": {v.name: _plain(arrays[v.name], v.shape) for v in used},
                       "claimed": _plain(claim_value, claim.shape),
                       "true": _plain(true_value, truth.shape)}
            if true_value.size > SHOWN_ENTRIES:
                flat = int(np.argmax(~close.reshape(-1)))
                index = np.unravel_index(flat, true_value.shape)
                if truth.shape.is_vector:
                    index = (flat,)
                example["entry"] = tuple(int(i) for i in index)
                example["claimed_entry"] = round(float(claim_value.reshape(-1)[flat]), 4)
                example["true_entry"] = round(float(true_value.reshape(-1)[flat]), 4)
            return compared, example, False
    if not compared:
        raise MatcalcError("could not find a point where the derivative is defined to "
                           "compare the claim with it")
    return compared, None, representative


def _prove(claim: E.Expr, truth: E.Expr, variables: dict, sizes: dict, positive: bool,
           project=None):
    """(entries proved equal by SymPy, entries in all) at `sizes`; (0, n) when too dear;
    (-1, n) when an entry differs from the truth by an exact nonzero number."""
    entries = 1
    for d in (truth.shape.rows, truth.shape.cols):
        entries *= d if isinstance(d, int) else sizes[d]
    if entries > SYMPY_MAX_ENTRIES:
        return 0, entries
    from .limits import CHECK_MAX_DET_DIM
    for n in _nodes(claim, truth):
        if isinstance(n, (E.Det, E.Inv)):
            k = n.args[0].shape.rows
            if (k if isinstance(k, int) else sizes[k]) > CHECK_MAX_DET_DIM:
                return 0, entries              # a symbolic det / inverse that large is dear
    import sympy as sp
    from .check import to_sympy

    def symbols(var):
        r, c = (d if isinstance(d, int) else sizes[d] for d in (var.shape.rows, var.shape.cols))
        def sym(i, j):
            if var.symmetric and j < i:
                i, j = j, i
            return sp.Symbol(f"{var.name}_{i}_{j}", real=True, positive=positive or None)
        m = sp.Matrix(r, c, sym)
        if getattr(var, "structure", None) == "simplex":   # the last entry makes the sum 1
            m[r - 1, 0] = 1 - sum(m[i, 0] for i in range(r - 1))
        return m

    used = [v for v in variables.values() if v in claim.free or v in truth.free]
    env = {v: symbols(v) for v in used}
    started = time.monotonic()

    def clock():
        if time.monotonic() - started > SYMPY_SECONDS:
            raise TimeoutError
    try:
        ours, theirs = to_sympy(claim, env, sizes, sp, clock), to_sympy(truth, env, sizes, sp,
                                                                         clock)
        if project is not None:
            ours, theirs = project(ours), project(theirs)
    except Exception:       # the confirmation is a bonus: never let it decide or fail
        return 0, entries
    proved = 0
    for a, b in zip(list(ours), list(theirs)):
        if time.monotonic() - started > SYMPY_SECONDS:
            break
        diff = a - b
        if diff == 0:
            proved += 1
            continue
        if diff.is_Number:               # exact rationals that differ (1 + 1e-999 vs 1)
            return -1, entries
        if diff.has(sp.Piecewise, sp.Heaviside, sp.Max, sp.Min, sp.sign, sp.Abs) or \
                sp.count_ops(diff) > SYMPY_MAX_OPS:
            continue
        try:
            if sp.simplify(diff) == 0:
                proved += 1
        except Exception:
            continue
    return proved, entries


# ======================================================================================
# verify

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


def verify(claim: str, shapes: dict | None = None, layout: str = "numerator",
           seed: int = 0) -> VerifyReport:
    """Decide a claim `d/dVAR EXPR = CLAIMED` (see the module docstring for the syntax).

    Returns a `VerifyReport`; raises `MatcalcError` (located in `claim`) on bad input.
    """
    from .api import LAYOUTS, _parse, derivative
    from .render.text import text as text_of

    if layout not in LAYOUTS:
        raise MatcalcError(f"unknown layout {layout!r}", expected=" or ".join(LAYOUTS))
    parts = parse_claim(claim)
    text = parts.text
    expr_text = _blank(text, parts.declarations, parts.expression)
    claimed_text = _blank(text, parts.claimed)
    with _Relocated(text):
        query = parse_query(expr_text)
        for decl in query.declarations:
            if decl.pos is not None and _offset(text, decl.pos.line, decl.pos.column) \
                    >= parts.head[0]:
                raise ParseError("declarations go before the derivative", text=text,
                                 line=decl.pos.line, column=decl.pos.column,
                                 expected="an expression to differentiate")
        _, variables = _parse(expr_text, shapes)
        if parts.var not in variables:
            known = ", ".join(sorted(variables)) or "none"
            raise _error(NameError_, f"{parts.var!r} does not appear in the expression", text,
                         parts.var_span[0], len(parts.var),
                         expected=f"one of its variables ({known}), or a name declared "
                                  f"before the derivative, as in '{parts.var}: scalar;'")
        d = derivative(expr_text, parts.var, shapes, layout=layout)
        declared = [n for decl in query.declarations for n in decl.names] + list(shapes or ())
        order = [n for n in dict.fromkeys(declared) if n in d.variables]
        variables = {n: d.variables[n] for n in order + [n for n in d.variables
                                                         if n not in order]}
        if d.result is None:
            raise _error(UnsupportedError, f"∂({text_of(d.expression)})/∂{parts.var} is a "
                         f"linear map ({d}); a claim for it cannot be checked in matrix "
                         "notation", text, parts.head[0], parts.head[1] - parts.head[0])
        claimed_query = parse_query(claimed_text)
        if claimed_query.declarations:
            pos = claimed_query.declarations[0].pos
            raise ParseError("declarations go before the derivative, not after '='",
                             text=text, line=pos.line if pos else 1,
                             column=pos.column if pos else 1, expected="the claimed result")
        built = _build_claimed(claimed_query, variables, d.result.shape)

    truth = d.result
    report = VerifyReport(
        correct=False, kind="shape error", claimed=text_of(built.printed),
        correct_form=str(d), counterexample=None, expression=text_of(d.expression),
        wrt=parts.var, layout=layout, due_shape=_describe(truth.shape),
        claimed_shape=_describe(built.shape), notes=_notes(truth), derivative=d)
    if built.expr is None:
        if built.constant and not truth.shape.is_column:
            report.hint = "a number c stands for the column c·1 only where a column is due" \
                + ("; the row of c's is c * 1ᵀ" if truth.shape.is_row else "")
        elif built.shape == truth.shape.T and not truth.shape.is_square:
            other = "numerator" if layout == "denominator" else "denominator"
            with _Relocated(text):
                flipped = derivative(expr_text, parts.var, shapes, layout=other)
            if flipped.result is not None and flipped.result.shape == built.shape:
                report.hint = (f"the claim is shaped as in {other} layout, where "
                               f"{report.lhs} = {flipped}")
        return report
    report.claimed_shape = report.due_shape
    projected = projection(d.wrt[0], truth.shape, layout)
    project = projected[0] if projected else None
    compared, example, representative = _compare(built.expr, truth, d.expression, variables,
                                                 seed, project)
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
            at = f"({', '.join(names)}) = " + ", ".join(f"({', '.join(map(str, t))})"
                                                       for t in sets)
        how += f" ({at})"
    positive = needs_positive(_nodes(d.expression, truth, built.expr))
    proved, entries = _prove(built.expr, truth, variables, compared[0], positive, project)
    if proved < 0:              # equal within the tolerance, but exactly not equal
        report.correct, report.kind = False, "wrong value"
        report.checks = (f"{how}, within the tolerance (relative {RTOL:g}), but SymPy "
                         "finds an entry that differs by an exact nonzero constant")
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
