"""What the web API's workers compute: plain functions from a checked request (a dict) to a
JSON-ready answer (a dict). No web framework here: `matcalc.web.worker` runs these in a
separate process, under a time and memory budget, and the tests may call them directly.

A bad query raises `MatcalcError`; `error_body` turns it into the API's 400 answer.

The shape table. Every name of the query gets a spec string ("scalar", "vector(n)",
"matrix(m, n)", "symmetric(n)", "simplex(n)"); `inferred` is the subset the query did not
declare. A request's `shapes` (the page's edited table) take precedence over the query's
inline declarations: the query is rebuilt without the overridden inline entries.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .. import api
from ..einsum import needs_order_3
from ..errors import MatcalcError
from ..parse import parse_query
from ..render.display import derivative_equation
from ..render.styles import using_notation
from ..syntax import Query
from ..tensor_syntax import names_in
from ..typed import build
from ..verify.claims import is_declaration, statement_starts, without_comments
from . import tensor_jobs

if TYPE_CHECKING:  # for annotations only
    from ..expr import Var

__all__ = [
    "JOBS",
    "TARGETS",
    "Prepared",
    "body_start",
    "check_job",
    "code_job",
    "derivative_job",
    "error_body",
    "names_of",
    "notation_of",
    "run",
    "shape_table",
    "spec_of",
    "verify_job",
]

TARGETS = {"numpy": "NumPy", "jax": "JAX", "torch": "PyTorch"}


# ---------------------------------------------------------------- the shape table
def spec_of(var: Var) -> str:
    """The declaration that gives `var` its shape again: "vector(n)", "symmetric(n)", …"""
    s, structure = var.shape, getattr(var, "structure", None)
    if s.is_scalar:
        return "scalar"
    if s.is_column:
        return f"{structure or 'vector'}({s.rows})"
    if structure == "symmetric":
        return f"symmetric({s.rows})"
    return f"matrix({s.rows}, {s.cols})"


def shape_table(
    d: api.Derivative, variables: dict, declared: set, from_text: bool
) -> tuple[dict, dict]:
    """(declarations, inferred): name -> spec for every name, and for the undeclared ones.
    Uses `Derivative.declarations` / `.inferred` where the API provides them (and the
    derivative was taken of the query text), else computes them from the variables."""
    if from_text and hasattr(d, "declarations") and hasattr(d, "inferred"):
        return dict(d.declarations), dict(d.inferred)
    table = {name: spec_of(var) for name, var in variables.items()}
    return table, {n: s for n, s in table.items() if n not in declared}


def body_start(text: str) -> int:
    """Offset of the expression after the query's inline declarations."""
    scan = without_comments(text)
    for start in statement_starts(scan):
        if not is_declaration(scan, start):
            return start
    return len(text)


# ---------------------------------------------------------------- preparing a query
class Prepared:
    """A query with the request's shapes applied: what to differentiate, its variables
    (every name, declared or used), and which names were declared. `engine` says who
    derives it (tensor_jobs.ENGINES): a query over tensors ("tensor", "index") is not
    built here (the matrix builder reads no tensor); its `source` is the query text and
    its table is read off the result (`table`)."""

    def __init__(self, query: str, shapes: dict):
        parsed = parse_query(query)
        inline = {n for decl in parsed.declarations for n in decl.names}
        overridden = inline & set(shapes)
        self.declared = inline | set(shapes)
        self.from_text = not overridden
        self.body = without_comments(query)[body_start(query) :].strip()
        self.mentioned = names_in(parsed.body)
        declared_order = [n for decl in parsed.declarations for n in decl.names]
        self.order = list(dict.fromkeys(declared_order + list(shapes) + self.mentioned))
        text = tensor_jobs.query_text(parsed, query, overridden, body_start(query))
        self.engine = tensor_jobs.engine_of(text, shapes)
        self.expr, self.variables = None, {}
        if self.engine == "matrix":
            if overridden:  # the table wins: drop those inline entries
                kept = []
                for decl in parsed.declarations:
                    names = tuple(n for n in decl.names if n not in overridden)
                    if names:
                        kept.append(type(decl)(names, decl.spec, decl.pos))
                parsed = Query(tuple(kept), parsed.body, parsed.text)
            try:
                self.expr, self.variables = build(parsed, shapes)
            except MatcalcError as err:
                if not needs_order_3(err):
                    raise
                self.engine = "index"
        if self.engine == "matrix":
            self.source = query if self.from_text else self.expr
            self.given = shapes if self.from_text else None
        else:  # the API takes a query over tensors as text, with the table's shapes
            self.source, self.given = text, shapes

    def table(self, d) -> tuple[dict, dict]:
        """(declarations, inferred) of the derivative `d` of this query."""
        if self.engine != "matrix":
            return tensor_jobs.ordered_table(d, self.order)
        return shape_table(d, self.variables, self.declared, self.from_text)

    def names(self, d) -> tuple[list, list]:
        """(every name, the names the expression uses), in the query's order."""
        if self.engine != "matrix":
            names = list(self.table(d)[0])
            return names, [n for n in names if n in self.mentioned]
        used = {v.name for v in self.expr.free} if hasattr(self.expr, "free") else set()
        names = list(self.variables)
        return names, [n for n in names if n in used]

    def default_wrt(self) -> str:
        """The first variable the expression uses (declared order, then appearance)."""
        if self.engine != "matrix":  # the declared names first, then the others it uses
            used = [n for n in self.order if n in self.declared and n in self.mentioned]
            if used or self.mentioned:
                return (used or self.mentioned)[0]
        used = set(self.expr.free) if hasattr(self.expr, "free") else set()
        for name, var in self.variables.items():
            if var in used:
                return name
        if self.variables:
            return next(iter(self.variables))
        raise MatcalcError(
            "the expression has no variable to differentiate by",
            expected="an expression of a variable, as in x^2 or w @ x",
        )


def _wrt(request: dict, prepared: Prepared):
    wrt = request.get("wrt")
    if wrt in (None, "", []):
        return prepared.default_wrt()
    return wrt


def notation_of(request: dict) -> str:
    """The request's notation: "standard" (⊙ element-wise, ⊗ Kronecker) or "tutorial"."""
    return request.get("notation") or "standard"


def names_of(request: dict) -> bool:
    """Whether the request wants named intermediates (the default) or the flat form."""
    return request.get("names") is not False


def _derivative(request: dict):
    shapes = request.get("shapes") or {}
    prepared = Prepared(request["query"], shapes)
    wrt = _wrt(request, prepared)
    layout = request.get("layout") or "numerator"
    notation = notation_of(request)
    given = prepared.given
    if request.get("hessian"):
        if not isinstance(wrt, str):
            raise MatcalcError(
                "the Hessian is taken by one variable", expected="wrt: a single name"
            )
        d = api.hessian(prepared.source, wrt, given, notation=notation)
        d.names = names_of(request)
    else:
        d = api.derivative(
            prepared.source, wrt, given, layout=layout, notation=notation, names=names_of(request)
        )
    return d, prepared, wrt


def _plain(shape) -> list:
    return [d if isinstance(d, int) else str(d) for d in shape]


def _steps_latex(steps) -> str:
    return steps.latex().strip().removeprefix("$$").removesuffix("$$").strip()


# ---------------------------------------------------------------- the endpoints' work
def derivative_job(request: dict) -> dict:
    """POST /api/derivative: the derivative, its steps and the shape table, printed in the
    request's notation, with named intermediates unless `names` is false."""
    with using_notation(notation_of(request)):
        return _derivative_answer(request)


def _derivative_answer(request: dict) -> dict:
    d, prepared, wrt = _derivative(request)
    declarations, inferred = prepared.table(d)
    steps = d.steps
    names, used = prepared.names(d)
    declared_part = _declaration_text(declarations)
    single = wrt if isinstance(wrt, str) else None
    tensors = prepared.engine != "matrix"
    return {
        "text": str(d),
        "latex": d.latex(),
        # a tensor result's LaTeX is its whole equation (the slice's, or the index form)
        "equation_latex": d.latex() if tensors else derivative_equation(d),
        "shape": _plain(d.shape),
        "kind": "hessian" if request.get("hessian") else d.kind,
        "label": tensor_jobs.label_of(d) if tensors else _label(d),
        "wrt": wrt,
        "layout": str(d.layout),
        "steps": {"text": str(steps), "latex": _steps_latex(steps)},
        "declarations": declarations,
        "inferred": inferred,
        "variables": names,
        "used": used,
        # verify takes no tensors (yet): no claim to start from
        "verify_template": (
            f"{declared_part}d/d{single} ({prepared.body}) = " if single and not tensors else ""
        ),
    }


def _label(d) -> str:
    """What the derivative is, in words: "gradient", "Jacobian", "Hessian", …"""
    if d.function is not None:
        return "Hessian"
    if d.kind in ("jacobian", "stacked", "gradient"):
        return "gradient" if d.expression.shape.is_scalar else "Jacobian"
    return "derivative" if d.kind == "tangent" else d.kind


def _declaration_text(declarations: dict) -> str:
    """`w, x: vector(n); b: scalar; ` — the table as inline declarations."""
    groups: dict = {}
    for name, spec in declarations.items():
        groups.setdefault(spec, []).append(name)
    return "".join(f"{', '.join(names)}: {spec}; " for spec, names in groups.items())


def code_job(request: dict) -> dict:
    """POST /api/code: the generated function for NumPy, JAX or PyTorch, computing in
    `dtype`; with `value_and_grad`, one function returning the value of a scalar f and its
    gradients by every name of `wrt` (a name or a list)."""
    target = request.get("target") or "numpy"
    dtype = request.get("dtype") or "float64"
    with using_notation(notation_of(request)):
        if request.get("value_and_grad"):
            if request.get("hessian"):
                raise MatcalcError(
                    "value and gradients are first derivatives, not a Hessian",
                    expected="hessian: false with value_and_grad: true",
                )
            prepared = Prepared(request["query"], request.get("shapes") or {})
            wrt = _wrt(request, prepared)
            source = api.value_and_grad_source(prepared.source, wrt, prepared.given, target, dtype)
            prefix = "value_and_grad"
        else:
            d, _, wrt = _derivative(request)
            source = d.to_source(target, dtype)
            prefix = "hessian" if request.get("hessian") else "derivative"
    names = wrt if isinstance(wrt, str) else "_".join(wrt)
    return {
        "target": target,
        "dtype": dtype,
        "source": source,
        "filename": f"{prefix}_{names}_{target}.py",
    }


def check_job(request: dict) -> dict:
    """POST /api/check: the SymPy component check; a failed check is an answer, not an
    error (the derivative is matcalc's, the query was fine)."""
    from ..check import CheckFailed

    with using_notation(notation_of(request)):
        d, _, _ = _derivative(request)
        try:
            return {"passed": True, "report": str(d.check())}
        except CheckFailed as failure:
            return {"passed": False, "report": str(failure)}


def verify_job(request: dict) -> dict:
    """POST /api/verify: the verdict on a hand-derived claim."""
    from ..verify import verify

    try:
        report = verify(
            request["claim"],
            shapes=request.get("shapes") or None,
            layout=request.get("layout") or "numerator",
        )
    except MatcalcError as err:
        if not needs_order_3(err):
            raise
        raise tensor_jobs.no_verify(err) from None
    example = report.counterexample
    return {
        "correct": report.correct,
        "kind": report.kind,
        "report": str(report),
        "claimed": report.claimed,
        "correct_form": report.correct_form,
        "counterexample": _json_ready(example) if example else None,
    }


def _json_ready(value):
    """Numbers and nested lists of them as JSON has them (NumPy scalars and arrays too)."""
    if isinstance(value, dict):
        return {str(k): _json_ready(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_ready(v) for v in value]
    if hasattr(value, "tolist"):
        return _json_ready(value.tolist())
    if isinstance(value, (bool, int, float, str)) or value is None:
        return value
    return str(value)


JOBS = {"derivative": derivative_job, "code": code_job, "check": check_job, "verify": verify_job}


def error_body(error: MatcalcError) -> dict:
    """The 400 answer: the message and where it points, from the same data as the CLI's
    caret; `display` is the CLI's text."""
    return {
        "message": error.message,
        "kind": error.kind,
        "line": error.line,
        "column": error.column,
        "width": error.width if error.line else None,
        "expected": error.expected,
        "display": str(error),
    }


def run(name: str, request: dict) -> tuple[int, dict]:
    """(HTTP status, body) of one job: 200, or 400 for bad input."""
    try:
        return 200, JOBS[name](request)
    except MatcalcError as error:
        return 400, error_body(error)
    except RecursionError:
        return 400, {
            "message": "expression nested too deeply",
            "kind": "limit",
            "line": None,
            "column": None,
            "width": None,
            "expected": None,
            "display": "limit: expression nested too deeply",
        }
