"""The command line: `matcalc 'max(0, w @ x + b)' --wrt w --vector w,x --scalar b`.

A thin shell over the API: arguments become `derivative(...)`; a `MatcalcError` prints its
located message (line, column, caret) and exits 2; nothing prints a Python traceback.
"""
from __future__ import annotations

import argparse
import sys

EXAMPLES = """examples:
  matcalc 'max(0, w @ x + b)' --wrt w --vector w,x --scalar b
  matcalc 'w, x: vector(n); b: scalar; max(0, w·x + b)' --wrt b --steps
  matcalc 'ln(sin(x^3)^2)' --wrt x --check
  matcalc '[3*x^2*y, 2*x + y^8]' --wrt x,y
  matcalc 'x @ A @ x' --wrt x --hessian
  matcalc 'x @ A @ x' --wrt x --emit numpy
  matcalc verify 'x: vector(n); z: scalar; d/dz (x + z) = 1'

declarations: inline `NAMES: scalar | vector | vector(n) | matrix | matrix(m, n) |
symmetric(n);` before the expression, or the flags below. Undeclared names: upper-case
initial = matrix, lower-case used as an operand of @ or in sum/mean/norm/... = vector,
other lower-case = scalar. Exit status: 0 done, 2 bad input (message with line, column
and caret), 1 a failed --check."""


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="matcalc", formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Matrix calculus in matrix notation: the derivative of an expression over "
                    "scalars, vectors and matrices, as the tutorial 'The Matrix Calculus You "
                    "Need For Deep Learning' derives it.", epilog=EXAMPLES)
    p.add_argument("query", help="the expression, optionally preceded by declarations")
    p.add_argument("--wrt", help="the variable (or comma-separated scalars for ∇f(x, y)); "
                                 "default: the only variable")
    for kind in ("scalar", "vector", "matrix", "symmetric", "simplex"):
        p.add_argument(f"--{kind}", metavar="NAMES", default="",
                       help=f"comma-separated names declared {kind}")
    p.add_argument("--layout", choices=("numerator", "denominator", "mixed"),
                   default="numerator", help="numerator (default, the tutorial's), "
                   "denominator, or mixed (gradient as a column)")
    p.add_argument("--steps", action="store_true", help="show the derivation step by step")
    p.add_argument("--latex", action="store_true", help="print LaTeX instead of Unicode")
    p.add_argument("--check", action="store_true",
                   help="cross-check with SymPy by components at small sizes")
    p.add_argument("--hessian", action="store_true", help="the second derivative")
    p.add_argument("--emit", choices=("numpy", "jax", "torch"),
                   help="print a Python function computing the value and the derivative")
    return p


def _verify_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="matcalc verify", description="Check a hand-derived derivative: says whether it is "
        "right and, if not, gives the correct form and a small counterexample. Exit status: "
        "0 right, 1 wrong, 2 bad input.")
    p.add_argument("claim", help="e.g. 'x: vector(n); z: scalar; d/dz (x + z) = 1'")
    for kind in ("scalar", "vector", "matrix", "symmetric", "simplex"):
        p.add_argument(f"--{kind}", metavar="NAMES", default="",
                       help=f"comma-separated names declared {kind}")
    p.add_argument("--layout", choices=("numerator", "denominator", "mixed"),
                   default="numerator")
    return p


def _shapes(args) -> dict:
    shapes = {}
    for kind in ("scalar", "vector", "matrix", "symmetric", "simplex"):
        for name in filter(None, (n.strip() for n in getattr(args, kind).split(","))):
            shapes[name] = kind
    return shapes


def verify_command(argv, out, err) -> int:
    from .errors import MatcalcError
    args = _verify_parser().parse_args(argv)
    try:
        from . import verify
        report = verify(args.claim, shapes=_shapes(args), layout=args.layout)
        print(report, file=out)
        return 0 if report.correct else 1
    except MatcalcError as error:
        print(error, file=err)
        return 2


def serve_command(argv, out, err) -> int:
    """`matcalc serve`: the web page (matcalc.web), if the `web` extra is installed."""
    try:
        from .web.serve import main as serve
    except ImportError as missing:
        if (missing.name or "").split(".")[0] not in ("starlette", "uvicorn"):
            raise
        print(f"error: matcalc serve needs the web extra ({missing.name} is not installed):"
              " pip install 'matcalc[web]'", file=err)
        return 2
    return serve(argv, out, err)


def run(argv: list[str] | None = None, out=sys.stdout, err=sys.stderr) -> int:
    from .errors import MatcalcError

    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["verify"]:
        return verify_command(argv[1:], out, err)
    if argv[:1] == ["serve"]:
        return serve_command(argv[1:], out, err)
    args = _parser().parse_args(argv)
    try:
        d = derivative_from_args(args)
        if args.emit:
            print(d.to_source(args.emit), file=out)
        elif args.steps:
            print(d.steps.latex() if args.latex else d.steps, file=out)
        else:
            print(d.latex() if args.latex else d, file=out)
        if args.check:
            from .check import CheckFailed
            try:
                print(d.check(), file=out)
            except CheckFailed as failure:
                print(failure, file=err)
                return 1
        return 0
    except MatcalcError as error:
        print(error, file=err)
        return 2
    except RecursionError:
        print("error: expression nested too deeply", file=err)
        return 2


def derivative_from_args(args):
    """The Derivative the options ask for (`--wrt` defaults to the only variable); shared
    by the command line and the %matcalc magics."""
    from . import api
    from .errors import MatcalcError
    shapes = _shapes(args)
    wrt = args.wrt
    if wrt is None:
        expr, _ = api._parse(args.query, shapes)
        used = sorted({v.name for v in _vars(expr)})
        if len(used) != 1:
            raise MatcalcError("say which variable to differentiate by",
                               expected=f"--wrt with one of: {', '.join(used) or 'none'}")
        wrt = used[0]
    wrt = wrt if "," not in wrt else [w.strip() for w in wrt.split(",")]
    if args.hessian:
        return api.hessian(args.query, wrt, shapes)
    return api.derivative(args.query, wrt, shapes, layout=args.layout)


def _vars(expr):
    from . import expr as E
    return [n for n in E.walk(expr) if isinstance(n, E.Var)]


def main() -> None:
    try:
        status = run()
        sys.stdout.flush()
    except BrokenPipeError:                  # `matcalc … | head`: the reader left; no traceback
        import os
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        status = 0
    except KeyboardInterrupt:
        status = 130
    sys.exit(status)


if __name__ == "__main__":
    main()
