"""matcalc in Jupyter: the %matcalc magics, Steps typeset in the notebook, and the numbers
the notebooks check a derivative with.

- `load_ipython_extension`: `%load_ext matcalc` registers the `%matcalc` line magic and the
  `%%matcalc` cell magic (the CLI's options, read by `matcalc.options`; the cell body is the
  query) and typesets `Steps` objects in the notebook.
- `value(d, values)` and `finite_differences(d, values)`: the differentiated expression's
  value and its central differences, the independent check the notebooks assert.
- The display math itself (`derivative_latex`, `derivative_markdown`, `steps_latex`,
  `steps_markdown`) lives in `matcalc.render.display`; the names are handed on here.
"""

from __future__ import annotations

import shlex
import sys
from typing import TYPE_CHECKING

import numpy as np

from . import options, testing
from .check import CheckFailed
from .errors import MatcalcError
from .evaluate import bind, evaluate
from .render.display import (  # noqa: F401
    derivative_equation,
    derivative_latex,
    derivative_markdown,
    steps_latex,
    steps_markdown,
    where_latex,
)
from .steps import Steps
from .verify import VerifyReport, verify

if TYPE_CHECKING:  # for annotations only
    from .api import Derivative

__all__ = [
    "derivative_latex",
    "derivative_markdown",
    "finite_differences",
    "load_ipython_extension",
    "run_magic",
    "steps_latex",
    "steps_markdown",
    "value",
]


# ---------------------------------------------------------------- numbers for the notebooks
def value(d: Derivative, values: dict) -> np.ndarray:
    """The differentiated expression at `values` (for a Hessian: the gradient, a column),
    shaped as NumPy would: () for a scalar, (n,) for a vector, (m, n) for a matrix."""
    arrays, dims = bind(d.variables, values)
    return np.asarray(evaluate(d.expression, arrays, dims), dtype=float).reshape(
        d.expression.shape.numpy(dims)
    )


def finite_differences(d: Derivative, values: dict, step: float = 1e-6) -> np.ndarray:
    """Central differences of `value(d, ·)` by each of `d.wrt`, shaped as `d.evaluate`
    returns the derivative: output + variable axes (variable + output for the denominator
    layout; a list of scalars stacks on one axis)."""
    wrt = d.wrt[0].name if len(d.wrt) == 1 else [v.name for v in d.wrt]
    return testing.jacobian(
        lambda at: value(d, at), values, wrt, variable_first=d.layout.variable_first, h=step
    )


# ---------------------------------------------------------------- the IPython extension
def _derivative(args):
    """The options' query → Derivative (`--wrt` defaults to the only variable)."""
    return options.derivative_from_args(args)


def _parse_args(parser, argv):
    """argparse, but a usage error (printed by argparse) or --help returns None instead of
    leaving the kernel through SystemExit."""
    try:
        return options.parse_args(parser, argv)
    except SystemExit:
        return None


def run_magic(line: str, cell: str | None = None) -> object:
    """`%matcalc QUERY OPTIONS` / `%%matcalc OPTIONS` + query cell, as the CLI takes them.

    Returns the Derivative (typeset by Jupyter), its Steps for `--steps`, the report for
    `verify`; prints LaTeX source (`--latex`), code (`--emit`) and the check report
    (`--check`). A bad query prints its located message (line, column, caret) to stderr
    and returns None: no traceback.
    """
    try:
        argv = shlex.split(line)
    except ValueError as error:  # an unclosed quote
        print(f"error: {error} in: {line}", file=sys.stderr)
        return None
    is_verify = argv[:1] == ["verify"]
    if is_verify:
        argv = argv[1:]
    if cell is not None:
        argv = argv + ["--", cell.strip()]
    parser = options.verify_parser() if is_verify else options.build_parser()
    parser.prog = "%matcalc verify" if is_verify else "%matcalc"
    args = _parse_args(parser, argv)
    if args is None:
        return None
    try:
        if is_verify:
            return verify(args.claim, shapes=options.shapes_from_args(args), layout=args.layout)
        if args.value_and_grad:
            print(options.value_and_grad_from_args(args))
            return None
        d = _derivative(args)
        if args.emit:
            print(d.to_source(args.emit, dtype=args.dtype))
            return None
        shown = d.steps if args.steps else d
        if args.latex:
            print(steps_latex(shown) if args.steps else d.latex())
            shown = None
        if args.check:
            try:
                print(d.check())
            except CheckFailed as failure:
                print(failure, file=sys.stderr)
        return shown
    except MatcalcError as error:
        print(error, file=sys.stderr)
    except RecursionError:
        print("error: expression nested too deeply", file=sys.stderr)
    return None


def _plain(obj, printer, cycle) -> None:
    printer.text(str(obj))


def load_ipython_extension(ipython: object) -> None:
    """Register %matcalc / %%matcalc; typeset Steps objects (text/latex, text/markdown);
    show a verify report as its readable text rather than its dataclass repr."""
    ipython.register_magic_function(run_magic, magic_kind="line_cell", magic_name="matcalc")
    formatters = ipython.display_formatter.formatters
    formatters["text/latex"].for_type(Steps, steps_latex)
    formatters["text/markdown"].for_type(Steps, steps_markdown)
    formatters["text/plain"].for_type(VerifyReport, _plain)
