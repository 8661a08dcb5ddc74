"""The command line: `matcalc 'max(0, w @ x + b)' --wrt w --vector w,x --scalar b`.

A thin shell over the API: arguments become `derivative(...)`; a `MatcalcError` prints its
located message (line, column, caret) and exits 2; nothing prints a Python traceback.

Output: the derivative, then (when any name's shape was inferred rather than declared) a
line `where y: vector(n), X: matrix(n, m)` — as a `% where …` comment with --latex, a
`# where …` comment after the code with --emit; --steps shows it at the top. Text the
terminal cannot encode (a Latin-1 or ASCII terminal) is written with an ASCII spelling
(`xᵀ` → `x^T`, `x²` → `x^2`, `−` → `-`, Greek letters by name) and `\\uXXXX` for the rest.
Exit status: 0 done, 1 a failed --check (or a wrong claim for `verify`), 2 bad input,
3 the output could not be written (standard output closed, disk full).
"""
from __future__ import annotations

import argparse
import sys
import unicodedata

KINDS = ("scalar", "vector", "matrix", "symmetric", "simplex")
EXIT_OUTPUT = 3

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
        p.add_argument(f"--{kind}", metavar="NAMES", action="append", default=[],
                       help=f"comma-separated names declared {kind}")


def build_parser() -> argparse.ArgumentParser:
    """The options of `matcalc QUERY …` (shared with the %matcalc magic)."""
    p = argparse.ArgumentParser(
        prog="matcalc", formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Matrix calculus in matrix notation: the derivative of an expression over "
                    "scalars, vectors and matrices, as the tutorial 'The Matrix Calculus You "
                    "Need For Deep Learning' derives it.", epilog=EXAMPLES)
    p.add_argument("query", help="the expression, optionally preceded by declarations "
                                 "(one starting with '-' is fine: matcalc '-x^2')")
    p.add_argument("--wrt", help="the variable (or comma-separated scalars for ∇f(x, y)); "
                                 "default: the only variable")
    _add_shapes(p)
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


def verify_parser() -> argparse.ArgumentParser:
    """The options of `matcalc verify CLAIM …`."""
    p = argparse.ArgumentParser(
        prog="matcalc verify", description="Check a hand-derived derivative: says whether it is "
        "right and, if not, gives the correct form and a small counterexample. Exit status: "
        "0 right, 1 wrong, 2 bad input.")
    p.add_argument("claim", help="e.g. 'x: vector(n); z: scalar; d/dz (x + z) = 1'")
    _add_shapes(p)
    p.add_argument("--layout", choices=("numerator", "denominator", "mixed"),
                   default="numerator")
    return p


def parse_args(parser: argparse.ArgumentParser, argv: list[str]) -> argparse.Namespace:
    """`parser.parse_args`, except that the query (or claim) may start with '-' (`-x^2`,
    `-sum(x)`): an argument that starts with '-' but is none of the options is the query."""
    return parser.parse_args(positional_last(parser, argv))


def positional_last(parser: argparse.ArgumentParser, argv: list[str]) -> list[str]:
    """argv with every argument that is not an option (nor an option's value) moved after
    a `--`, so that argparse never mistakes a query such as `-x^2` for an option."""
    actions = parser._option_string_actions                  # option string -> action
    options, positional = [], []
    args = list(argv)
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--":
            positional.extend(args[i + 1:])
            break
        action = _option(actions, arg)
        if action is None:
            positional.append(arg)
        else:
            if action.nargs != 0 and "=" not in arg and i + 1 < len(args):
                arg = f"{arg}={args[i + 1]}"                 # its value, whatever it looks like
                i += 1                                      # (`--wrt -x` would confuse argparse)
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


def shapes_from_args(args) -> dict:
    """{name: kind} from --scalar/--vector/... (each may repeat, each a comma list).
    A bad name or a name given two different kinds is a MatcalcError."""
    from .declarations import check_name
    from .errors import MatcalcError
    shapes: dict = {}
    for kind in KINDS:
        values = getattr(args, kind, None) or []
        for value in [values] if isinstance(values, str) else values:
            for raw in value.split(","):
                if not raw.strip():
                    continue
                name = check_name(raw, f"--{kind}")
                if shapes.get(name, kind) != kind:
                    raise MatcalcError(f"conflicting declarations of {name}: --{shapes[name]} "
                                       f"and --{kind}", expected="one shape per name")
                shapes[name] = kind
    return shapes


# ---------------------------------------------------------------- output
_ASCII = {"ᵀ": "^T", "−": "-", "⊗": "*", "⊘": "/", "·": ".", "×": "x", "∂": "d", "∇": "grad",
          "√": "sqrt", "≥": ">=", "≤": "<=", "…": "...", "→": "->", "⁻": "-", "⁺": "+",
          "ᐟ": "/", "‖": "||", "—": "--", "²": "2", "³": "3", "¹": "1"}
_SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺ᵀ"
_SUPER_DIGITS = {c: str(i) for i, c in enumerate("⁰¹²³⁴⁵⁶⁷⁸⁹")}


def ascii_text(text: str) -> str:
    """An ASCII spelling of matcalc's Unicode output: `x⁻¹` → `x^-1`, `Aᵀ` → `A^T`,
    `σ` → `sigma`, `−` → `-`; anything else as `\\uXXXX`."""
    out, i = [], 0
    while i < len(text):
        ch = text[i]
        if ch in _SUPERSCRIPTS and ch != "ᵀ":
            j = i
            while j < len(text) and text[j] in _SUPERSCRIPTS and text[j] != "ᵀ":
                j += 1
            out.append("^" + "".join(_SUPER_DIGITS.get(c, _ASCII.get(c, c)) for c in text[i:j]))
            i = j
            continue
        if ord(ch) < 128:
            out.append(ch)
        elif ch in _ASCII:
            out.append(_ASCII[ch])
        else:
            name = unicodedata.name(ch, "")
            if name.startswith("GREEK") and "LETTER" in name:
                word = name.split("LETTER ", 1)[1].split()[0].lower()
                out.append(word.capitalize() if "CAPITAL" in name else word)
            else:
                out.append(ch.encode("ascii", "backslashreplace").decode("ascii"))
        i += 1
    return "".join(out)


def emit(text, stream) -> None:
    """print(text, file=stream), in ASCII where the stream cannot encode it."""
    if stream is None:                       # a closed stderr (print would use stdout)
        return
    text = str(text)
    encoding = getattr(stream, "encoding", None)
    if encoding:
        try:
            text.encode(encoding)
        except (UnicodeEncodeError, LookupError):
            text = ascii_text(text)
            try:
                text.encode(encoding)
            except (UnicodeEncodeError, LookupError):
                text = text.encode("ascii", "backslashreplace").decode("ascii")
    print(text, file=stream)


def where_line(d, latex: bool = False) -> str | None:
    """`where y: vector(n), …` for the inferred shapes, or None when all were declared."""
    from .declarations import where_text
    text = where_text(getattr(d, "inferred", {}))
    if not text:
        return None
    return f"% {text}" if latex else text


# ---------------------------------------------------------------- commands
def verify_command(argv, out, err) -> int:
    from .errors import MatcalcError
    args = parse_args(verify_parser(), argv)
    try:
        from . import verify
        report = verify(args.claim, shapes=shapes_from_args(args), layout=args.layout)
        emit(report, out)
        return 0 if report.correct else 1
    except MatcalcError as error:
        emit(error, err)
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


def run(argv: list[str] | None = None, out=None, err=None) -> int:
    """The command line on `argv`, printing to `out` and `err` (default: sys.stdout and
    sys.stderr); returns the exit status."""
    from .errors import MatcalcError
    out = sys.stdout if out is None else out
    err = sys.stderr if err is None else err
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["verify"]:
        return verify_command(argv[1:], out, err)
    if argv[:1] == ["serve"]:
        return serve_command(argv[1:], out, err)
    args = parse_args(build_parser(), argv)
    try:
        d = derivative_from_args(args)
        where = where_line(d, latex=args.latex and not args.emit)
        if args.emit:
            emit(d.to_source(args.emit), out)
            where = where and f"# {where}"
        elif args.steps:
            emit(d.steps.latex() if args.latex else d.steps, out)
            where = None                                # the steps show it at the top
        else:
            emit(d.latex() if args.latex else d, out)
        if where:
            emit(where, out)
        if args.check:
            from .check import CheckFailed
            try:
                report = str(d.check())
                emit("\n".join("# " + line for line in report.splitlines())
                     if args.emit else report, out)
            except CheckFailed as failure:
                emit(failure, err)
                return 1
        return 0
    except MatcalcError as error:
        emit(error, err)
        return 2
    except RecursionError:
        emit("error: expression nested too deeply", err)
        return 2


def derivative_from_args(args):
    """The Derivative the options ask for (`--wrt` defaults to the only variable); shared
    by the command line and the %matcalc magics."""
    from . import api
    from .errors import MatcalcError
    shapes = shapes_from_args(args)
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


# the names jupyter.py and older callers use
_parser, _verify_parser, _shapes = build_parser, verify_parser, shapes_from_args


def _silence_stdout() -> None:
    """Point fd 1 at /dev/null so that the interpreter's final flush cannot fail again."""
    import os
    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
    except OSError:
        pass


class _ClosedStdout:
    """Stands in for a closed stdout (`matcalc … >&-`): bad input still gets its message
    and status 2; only writing a result fails (status 3)."""
    def write(self, text):
        raise OSError(9, "standard output is closed")

    def flush(self):
        pass


class _WatchedStdout:
    """sys.stdout, remembering a failed write: argparse swallows the OSError of `-h` to
    /dev/full, which must still end in status 3."""
    def __init__(self, stream):
        self._stream, self.failure = stream, None

    def write(self, text):
        try:
            return self._stream.write(text)
        except OSError as error:
            self.failure = error
            raise

    def __getattr__(self, name):
        return getattr(self._stream, name)


def main() -> None:
    sys.stdout = _WatchedStdout(_ClosedStdout() if sys.stdout is None else sys.stdout)
    try:
        try:
            status = run()
        except SystemExit as done:           # argparse's -h/--version: the text must reach stdout
            status = done.code if isinstance(done.code, int) else (0 if done.code is None else 2)
            if isinstance(done.code, str):
                print(done.code, file=sys.stderr)
        sys.stdout.flush()
        if sys.stdout.failure is not None:
            raise sys.stdout.failure
    except BrokenPipeError:                  # `matcalc … | head`: the reader left; no traceback
        _silence_stdout()
        status = 0
    except OSError as error:                 # /dev/full, a closed descriptor, …
        _silence_stdout()
        if sys.stderr is not None:
            try:
                print(f"error: cannot write the result: {error.strerror or error}",
                      file=sys.stderr)
            except OSError:
                pass
        status = EXIT_OUTPUT
    except KeyboardInterrupt:
        status = 130
    sys.exit(status)


if __name__ == "__main__":
    main()
