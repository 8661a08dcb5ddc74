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

import sys
import unicodedata

__all__ = [
    "EXAMPLES",
    "EXIT_OUTPUT",
    "KINDS",
    "ascii_text",
    "build_parser",
    "derivative_from_args",
    "emit",
    "main",
    "parse_args",
    "positional_last",
    "run",
    "serve_command",
    "shapes_from_args",
    "verify_command",
    "verify_parser",
    "where_line",
]

from .declarations import where_text
from .errors import MatcalcError
from .options import (
    EXAMPLES,
    KINDS,
    build_parser,
    derivative_from_args,
    parse_args,
    positional_last,
    shapes_from_args,
    value_and_grad_from_args,
    verify_parser,
)
from .render.styles import current_notation, using_notation

TYPE_CHECKING = False  # (not typing's: importing typing costs the cold start ≈ 11 M instructions)
if TYPE_CHECKING:  # for annotations only
    from typing import TextIO

    from .api import Derivative

EXIT_OUTPUT = 3


# ---------------------------------------------------------------- output
_ASCII = {
    "ᵀ": "^T",
    "−": "-",
    "⊙": "*",
    "⊗": "kron",
    "⊘": "/",
    "·": ".",
    "×": "x",
    "∂": "d",
    "∇": "grad",
    "√": "sqrt",
    "≥": ">=",
    "≤": "<=",
    "…": "...",
    "→": "->",
    "⁻": "-",
    "⁺": "+",
    "ᐟ": "/",
    "‖": "||",
    "—": "--",
    "²": "2",
    "³": "3",
    "¹": "1",
}
_SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺ᵀ"
_SUPER_DIGITS = {c: str(i) for i, c in enumerate("⁰¹²³⁴⁵⁶⁷⁸⁹")}


def ascii_text(text: str) -> str:
    """An ASCII spelling of matcalc's Unicode output: `x⁻¹` → `x^-1`, `Aᵀ` → `A^T`,
    `σ` → `sigma`, `−` → `-`; anything else as `\\uXXXX`. The products are spelled as the
    current notation means them (`⊗` is `kron` in the standard one, `*` in the tutorial's)."""
    products = current_notation().ascii
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
        elif ch in products:  # ⊗ is Kronecker or element-wise, as the notation says
            out.append(products[ch])
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


def emit(text: object, stream: TextIO | None) -> None:
    """print(text, file=stream), in ASCII where the stream cannot encode it."""
    if stream is None:  # a closed stderr (print would use stdout)
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


def where_line(d: Derivative, latex: bool = False) -> str | None:
    """`where y: vector(n), …` for the inferred shapes, or None when all were declared."""
    text = where_text(getattr(d, "inferred", {}))
    if not text:
        return None
    return f"% {text}" if latex else text


# ---------------------------------------------------------------- commands
def verify_command(argv: list[str], out: TextIO, err: TextIO) -> int:
    from .verify import verify  # only this command needs it (cold start, issue 11)

    args = parse_args(verify_parser(), argv)
    with using_notation(args.notation):
        try:
            report = verify(args.claim, shapes=shapes_from_args(args), layout=args.layout)
            emit(report, out)
            return 0 if report.correct else 1
        except MatcalcError as error:
            emit(error, err)
            return 2


def serve_command(argv: list[str], out: TextIO, err: TextIO) -> int:
    """`matcalc serve`: the web page (matcalc.web), if the `web` extra is installed."""
    try:
        from .web.serve import main as serve
    except ImportError as missing:
        if (missing.name or "").split(".")[0] not in ("starlette", "uvicorn"):
            raise
        print(
            f"error: matcalc serve needs the web extra ({missing.name} is not installed):"
            " pip install 'matcalc[web]'",
            file=err,
        )
        return 2
    return serve(argv, out, err)


def run(argv: list[str] | None = None, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """The command line on `argv`, printing to `out` and `err` (default: sys.stdout and
    sys.stderr); returns the exit status."""
    out = sys.stdout if out is None else out
    err = sys.stderr if err is None else err
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["verify"]:
        return verify_command(argv[1:], out, err)
    if argv[:1] == ["serve"]:
        return serve_command(argv[1:], out, err)
    args = parse_args(build_parser(), argv)
    with using_notation(args.notation):  # the ASCII fallback spells its glyphs
        return _derivative_command(args, out, err)


def _derivative_command(args, out: TextIO, err: TextIO) -> int:
    try:
        if args.value_and_grad:
            emit(value_and_grad_from_args(args), out)
            return 0
        d = derivative_from_args(args)
        where = where_line(d, latex=args.latex and not args.emit)
        if args.emit:
            emit(d.to_source(args.emit, dtype=args.dtype), out)
            where = where and f"# {where}"
        elif args.steps:
            emit(d.steps.latex() if args.latex else d.steps, out)
            where = None  # the steps show it at the top
        else:
            emit(d.latex() if args.latex else d, out)
        if where:
            emit(where, out)
        if args.check:
            from .check import CheckFailed  # SymPy and NumPy: only when asked

            try:
                report = str(d.check())
                emit(
                    "\n".join("# " + line for line in report.splitlines()) if args.emit else report,
                    out,
                )
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


# the names older callers use (the option reader itself is matcalc.options)
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
    import gc

    gc.freeze()  # the modules' objects: never garbage (cold start, issue 11)
    sys.stdout = _WatchedStdout(_ClosedStdout() if sys.stdout is None else sys.stdout)
    try:
        try:
            status = run()
        except SystemExit as done:  # argparse's -h/--version: the text must reach stdout
            status = done.code if isinstance(done.code, int) else (0 if done.code is None else 2)
            if isinstance(done.code, str):
                print(done.code, file=sys.stderr)
        sys.stdout.flush()
        if sys.stdout.failure is not None:
            raise sys.stdout.failure
    except BrokenPipeError:  # `matcalc … | head`: the reader left; no traceback
        _silence_stdout()
        status = 0
    except OSError as error:  # /dev/full, a closed descriptor, …
        _silence_stdout()
        if sys.stderr is not None:
            try:
                print(f"error: cannot write the result: {error.strerror or error}", file=sys.stderr)
            except OSError:
                pass
        status = EXIT_OUTPUT
    except KeyboardInterrupt:
        status = 130
    sys.exit(status)


if __name__ == "__main__":
    main()
