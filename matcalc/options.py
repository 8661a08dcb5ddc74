"""The options of a derivative query, shared by every face: the command line (`matcalc
QUERY …`, `matcalc verify CLAIM …`), the %matcalc magics and the web page.

`build_parser()` / `verify_parser()` are the argparse parsers; `parse_args` reads argv so that
a query starting with '-' (`-x^2`) is never taken for an option; `shapes_from_args` turns
--scalar/--vector/… into the `shapes` dict; `derivative_from_args` is the Derivative the
options ask for (`--wrt` defaults to the only variable).
"""

from __future__ import annotations

import argparse

from . import api
from .declarations import check_name
from .errors import MatcalcError
from .layout import LAYOUTS
from .render.styles import NOTATIONS

__all__ = [
    "EXAMPLES",
    "KINDS",
    "build_parser",
    "derivative_from_args",
    "value_and_grad_from_args",
    "parse_args",
    "positional_last",
    "shapes_from_args",
    "verify_parser",
]

KINDS = ("scalar", "vector", "matrix", "symmetric", "simplex")

EXAMPLES = """examples:
  matcalc 'max(0, w @ x + b)' --wrt w --vector w,x --scalar b
  matcalc 'w, x: vector(n); b: scalar; max(0, w·x + b)' --wrt b --steps
  matcalc 'ln(sin(x^3)^2)' --wrt x --check
  matcalc '-x^2'
  matcalc '[3*x^2*y, 2*x + y^8]' --wrt x,y
  matcalc 'x @ A @ x' --wrt x --hessian
  matcalc 'x @ A @ x' --wrt x --emit numpy
  matcalc verify 'x: vector(n); z: scalar; d/dz (x + z) = 1'

declarations: inline `NAMES: scalar | vector | vector(n) | matrix | matrix(m, n) |
symmetric(n) | simplex(n);` before the expression, or the flags below (a name declared
twice differently is an error). Undeclared names: a dimension of a declared shape = that
size; upper-case initial = matrix; lower-case used as an operand of @ or in sum/mean/norm/...
= vector; lower-case combined element-wise (+ - * / > max) with a vector or matrix = that
shape; other lower-case = scalar. Inferred shapes are printed after the result
(`where y: vector(n)`). Exit status: 0 done, 2 bad input (message with line, column and
caret), 1 a failed --check, 3 the output could not be written."""


def _add_shapes(p: argparse.ArgumentParser) -> None:
    for kind in KINDS:
        p.add_argument(
            f"--{kind}",
            metavar="NAMES",
            action="append",
            default=[],
            help=f"comma-separated names declared {kind}",
        )


def _functions_help() -> str:
    """The function list for --help, from the primitive registry."""
    import textwrap

    from .primitives.catalog import function_names

    return "\n\nfunctions: " + "\n".join(textwrap.wrap(function_names() + ".", 80))


def _add_notation(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--notation",
        choices=tuple(NOTATIONS),
        default="standard",
        help="standard (default: x ⊙ y element-wise, A ⊗ B Kronecker, as the Cookbook and "
        "Goodfellow write them) or tutorial (the tutorial's x ⊗ y element-wise; Kronecker "
        "then prints kron(A, B))",
    )


class _QueryParser(argparse.ArgumentParser):
    """The parser of `matcalc QUERY …`, whose --help ends with the examples and the function
    list, made only when the help is (the list wraps every primitive's name: cold start)."""

    def format_help(self) -> str:
        if self.epilog is None:
            self.epilog = EXAMPLES + _functions_help()
        return super().format_help()


def build_parser() -> argparse.ArgumentParser:
    """The options of `matcalc QUERY …` (shared with the %matcalc magic)."""
    p = _QueryParser(
        prog="matcalc",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Matrix calculus in matrix notation: the derivative of an expression over "
        "scalars, vectors and matrices, as the tutorial 'The Matrix Calculus You "
        "Need For Deep Learning' derives it.",
    )
    p.add_argument(
        "query",
        help="the expression, optionally preceded by declarations "
        "(one starting with '-' is fine: matcalc '-x^2')",
    )
    p.add_argument(
        "--wrt",
        help="the variable (or comma-separated scalars for ∇f(x, y)); default: the only variable",
    )
    _add_shapes(p)
    p.add_argument(
        "--layout",
        choices=LAYOUTS,
        default="numerator",
        help="numerator (default, the tutorial's), denominator, or mixed (gradient as a column)",
    )
    _add_notation(p)
    p.add_argument("--steps", action="store_true", help="show the derivation step by step")
    p.add_argument("--latex", action="store_true", help="print LaTeX instead of Unicode")
    p.add_argument(
        "--check", action="store_true", help="cross-check with SymPy by components at small sizes"
    )
    p.add_argument("--hessian", action="store_true", help="the second derivative")
    p.add_argument(
        "--no-names",
        dest="names",
        action="store_false",
        help="print the result flat, without named intermediates ('where s = softmax(Wx)')",
    )
    p.add_argument(
        "--emit",
        choices=("numpy", "jax", "torch"),
        help="print a Python function computing the value and the derivative",
    )
    p.add_argument(
        "--dtype",
        choices=("float64", "float32"),
        default="float64",
        help="what the code of --emit computes in (default float64)",
    )
    p.add_argument(
        "--value-and-grad",
        action="store_true",
        help="print one function returning a scalar's value and its gradients by every --wrt "
        "variable (comma-separated: a loss and its weights), sharing the forward pass "
        "(numpy unless --emit names a target)",
    )
    return p


def verify_parser() -> argparse.ArgumentParser:
    """The options of `matcalc verify CLAIM …`."""
    p = argparse.ArgumentParser(
        prog="matcalc verify",
        description="Check a hand-derived derivative: says whether it is "
        "right and, if not, gives the correct form and a small counterexample. Exit status: "
        "0 right, 1 wrong, 2 bad input.",
    )
    p.add_argument("claim", help="e.g. 'x: vector(n); z: scalar; d/dz (x + z) = 1'")
    _add_shapes(p)
    p.add_argument("--layout", choices=LAYOUTS, default="numerator")
    _add_notation(p)
    return p


def parse_args(parser: argparse.ArgumentParser, argv: list[str]) -> argparse.Namespace:
    """`parser.parse_args`, except that the query (or claim) may start with '-' (`-x^2`,
    `-sum(x)`): an argument that starts with '-' but is none of the options is the query."""
    return parser.parse_args(positional_last(parser, argv))


def positional_last(parser: argparse.ArgumentParser, argv: list[str]) -> list[str]:
    """argv with every argument that is not an option (nor an option's value) moved after
    a `--`, so that argparse never mistakes a query such as `-x^2` for an option."""
    actions = parser._option_string_actions  # option string -> action
    options, positional = [], []
    args = list(argv)
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--":
            positional.extend(args[i + 1 :])
            break
        action = _option(actions, arg)
        if action is None:
            positional.append(arg)
        else:
            if action.nargs != 0 and "=" not in arg and i + 1 < len(args):
                arg = f"{arg}={args[i + 1]}"  # its value, whatever it looks like
                i += 1  # (`--wrt -x` would confuse argparse)
            options.append(arg)
        i += 1
    return options + (["--"] + positional if positional else [])


def _option(actions: dict, arg: str):
    """The action `arg` names (exactly, by a unique prefix of a --long option, or as
    --opt=value), or None when it is not an option."""
    if not arg.startswith("-") or arg == "-":
        return None
    name = arg.split("=", 1)[0] if arg.startswith("--") else arg
    if name in actions:
        return actions[name]
    if arg.startswith("--") and len(name) > 2:
        matches = {actions[o] for o in actions if o.startswith(name) and o.startswith("--")}
        if len(matches) == 1:
            return matches.pop()
    return None


def shapes_from_args(args: argparse.Namespace) -> dict:
    """{name: kind} from --scalar/--vector/... (each may repeat, each a comma list).
    A bad name or a name given two different kinds is a MatcalcError."""
    shapes: dict = {}
    for kind in KINDS:
        values = getattr(args, kind, None) or []
        for value in [values] if isinstance(values, str) else values:
            for raw in value.split(","):
                if not raw.strip():
                    continue
                name = check_name(raw, f"--{kind}")
                if shapes.get(name, kind) != kind:
                    raise MatcalcError(
                        f"conflicting declarations of {name}: --{shapes[name]} and --{kind}",
                        expected="one shape per name",
                    )
                shapes[name] = kind
    return shapes


def value_and_grad_from_args(args: argparse.Namespace) -> str:
    """The source --value-and-grad asks for: f(...) -> (value, gradients by --wrt)."""
    if args.wrt is None:
        raise MatcalcError(
            "--value-and-grad needs the variables to differentiate by",
            expected="--wrt with names separated by commas (--wrt W1,b1,W2)",
        )
    clash = [f"--{o}" for o in ("hessian", "steps", "latex", "check") if getattr(args, o)]
    if clash:
        raise MatcalcError(
            f"--value-and-grad writes code; it does not combine with {', '.join(clash)}",
            expected="--value-and-grad with --wrt, --emit, --dtype and shapes only",
        )
    wrt = [w.strip() for w in args.wrt.split(",")]
    return api.value_and_grad_source(
        args.query, wrt, shapes_from_args(args), target=args.emit or "numpy", dtype=args.dtype
    )


def derivative_from_args(args: argparse.Namespace) -> api.Derivative:
    """The Derivative the options ask for (`--wrt` defaults to the only variable); shared
    by the command line, the %matcalc magics and the web page."""
    shapes = shapes_from_args(args)
    wrt = args.wrt
    if wrt is None:
        used = api.used_variables(args.query, shapes)
        if len(used) != 1:
            raise MatcalcError(
                "say which variable to differentiate by",
                expected=f"--wrt with one of: {', '.join(used) or 'none'}",
            )
        wrt = used[0]
    wrt = wrt if "," not in wrt else [w.strip() for w in wrt.split(",")]
    notation = getattr(args, "notation", None)
    if getattr(args, "hessian", False):
        d = api.hessian(args.query, wrt, shapes, notation=notation)
    else:
        d = api.derivative(args.query, wrt, shapes, layout=args.layout, notation=notation)
    d.names = getattr(args, "names", True)  # --no-names: the flat form, in every face
    return d
