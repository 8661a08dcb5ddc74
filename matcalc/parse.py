"""Text -> `syntax.Query`: the matcalc query language, parsed with Lark (LALR).

    >>> q = parse_query("w, x: vector(n); b: scalar; max(0, w·x + b)")
    >>> [(d.names, d.spec) for d in q.declarations]
    [(('w', 'x'), 'vector(n)'), (('b',), 'scalar')]

The grammar lives in `grammar/matcalc.lark` (shipped as package data
`matcalc.grammar`). A query is parsed first by `parse_fast`, which runs Lark's LALR tables
for it (`parse_tables`, generated) without importing Lark (issue 11: cold start); a text
those do not accept is parsed by Lark itself (built once, on first use), whose error is
located and explained here, so every error is Lark's.

Positions: every `Syntax` node carries `Position(line, column, end_column)`, 1-based,
`end_column` exclusive. A "binary" or "compare" node is placed on its OPERATOR token
(`a + b` -> the "+"), because shape errors are reported there; its operands keep their
own positions. Names and numbers are placed on their token; calls, lists, negations
and transposes span their whole text (`f(x, y)`, `[1, 2]`, `-x`, `A.T`). A node that
spans several lines gets the end of its first line as `end_column`.

Every bad input raises `errors.ParseError` with a line, column, caret width and an
`expected` phrase in plain words; no Lark exception escapes `parse_query`.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import sys
from pathlib import Path

from . import limits, parse_fast
from .errors import LimitError, ParseError
from .parse_errors import (
    EXPRESSION_PHRASE,
    characters_error,
    end_of_text,
    token_error,
    too_deep,
)
from .parse_tree import Fail, ToSyntax
from .syntax import Query, Syntax

__all__ = ["MAX_NESTING", "NestingError", "grammar_text", "parse_expression", "parse_query"]

#: Deepest allowed nesting of parentheses, brackets and call parentheses.
MAX_NESTING = limits.MAX_DEPTH


class NestingError(LimitError, ParseError):
    """Brackets nested deeper than MAX_NESTING: a limit, found while parsing."""

    kind = "limit"


GRAMMAR_FILE = "matcalc.lark"

#: Lark's options for the grammar (also those of the tables parse_fast runs, which
#: `python -m matcalc.parse_tables_build` writes from them).
PARSER_OPTIONS = {
    "parser": "lalr",
    "lexer": "contextual",
    "start": "query",
    "propagate_positions": True,
    "maybe_placeholders": False,
}


# --------------------------------------------------------------------------------------
# Loading the grammar (once)


def grammar_text() -> str:
    """The grammar, from `matcalc/grammar/matcalc.lark` (installed: the package data
    `matcalc.grammar`) or `<repo>/grammar/matcalc.lark` (a checkout), located from this
    file; `importlib.resources` (which imports `zipfile`, a cold-start cost) only for a
    zipped install."""
    here = Path(__file__).parent
    for path in (here / "grammar" / GRAMMAR_FILE, here.parent / "grammar" / GRAMMAR_FILE):
        with contextlib.suppress(OSError):
            return path.read_text(encoding="utf-8")
    try:
        from importlib import resources

        return resources.files("matcalc.grammar").joinpath(GRAMMAR_FILE).read_text(encoding="utf-8")
    except (ModuleNotFoundError, OSError, TypeError) as exc:
        raise RuntimeError(
            f"matcalc is installed without its grammar: neither package data "
            f"matcalc.grammar/{GRAMMAR_FILE} nor {here.parent / 'grammar'} could be read"
        ) from exc


class _DeclarationNewlines:
    """Newlines are insignificant, except that one ends a complete declaration.

    The lexer turns every "\\n" into an `_NL` token; this passes one on only when the
    current statement (since the last ";" or separating newline) has a ":" outside
    brackets and its last token can end a shape spec (a name or a closing ")").
    `x: scalar\\n x^2` is `x: scalar; x^2`, while `x:\\n scalar` and
    `vector(m,\\n n)` continue the declaration; in the expression all are dropped.
    """

    always_accept = ("_NL",)

    def process(self, stream):  # (Lark's PostLex protocol; parse_fast runs it too)
        in_declaration = False
        depth = 0
        last = None
        for token in stream:
            kind = token.type
            if kind == "_NL":
                if in_declaration and depth == 0 and last in ("NAME", "RPAR"):
                    in_declaration = False
                    last = kind
                    yield token
                continue
            if kind in ("LPAR", "LSQB"):
                depth += 1
            elif kind in ("RPAR", "RSQB"):
                depth = max(0, depth - 1)
            elif depth == 0 and kind == "COLON":
                in_declaration = True
            elif depth == 0 and kind == "SEMICOLON":
                in_declaration = False
            last = kind
            yield token


def _cache_path(grammar: str) -> str | bool:
    """Lark's cache of the LALR tables (2-3× faster start): `matcalc/lark-<hash>.pickle` in
    the user's own cache folder ($XDG_CACHE_HOME, else ~/.cache), keyed by the grammar (a
    changed grammar gets its own file; Lark also checks the grammar, options and versions in
    the file). Never the package's folder (it may be read-only) nor a shared temporary one:
    Lark unpickles the file, so one another user could write would run their code. False
    (no cache) where no such folder can be had."""
    import hashlib
    import os

    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    folder = os.path.join(base, "matcalc")
    try:
        os.makedirs(folder, mode=0o700, exist_ok=True)
        status = os.stat(folder)
    except OSError:
        return False
    if hasattr(os, "getuid") and (status.st_uid != os.getuid() or status.st_mode & 0o022):
        return False  # not the user's own, or others may write in it
    if not os.access(folder, os.W_OK):
        return False
    digest = hashlib.sha256(grammar.encode("utf-8")).hexdigest()[:24]
    return os.path.join(folder, f"lark-{digest}.pickle")


_POSTLEX = _DeclarationNewlines()


@functools.cache
def _parser():  # -> lark.Lark (Lark is imported on the first error: issue 11)
    from lark import Lark

    from .lexing import ContextualLexer  # Lark's, its state lexers made on demand

    grammar = grammar_text()
    return Lark(
        grammar,
        **PARSER_OPTIONS,
        postlex=_POSTLEX,
        cache=_cache_path(grammar),
        _plugins={"ContextualLexer": ContextualLexer},
    )


# --------------------------------------------------------------------------------------
# Public API


def parse_query(text: str) -> Query:
    """Parse a whole query: optional declarations, then one expression.

    Raises `errors.ParseError` for every malformed input.
    """
    if not isinstance(text, str):
        raise TypeError(f"parse_query expects a str, not {type(text).__name__}")
    if len(text) > limits.MAX_QUERY_CHARS:
        raise LimitError(
            f"query too long ({len(text)} characters; the limit is {limits.MAX_QUERY_CHARS})",
            expected=f"at most {limits.MAX_QUERY_CHARS} characters",
        )
    deep = too_deep(text, MAX_NESTING)  # before parsing: the caret at the bracket too deep
    if deep is not None:
        raise NestingError(
            f"expression nested too deeply (more than {MAX_NESTING} levels)",
            text=text,
            line=deep[0],
            column=deep[1],
            expected=f"at most {MAX_NESTING} nested parentheses, brackets or calls",
        )
    try:
        with _gc_paused():
            return _parse_query(text)
    except ParseError:
        raise
    except RecursionError:  # pragma: no cover - the parser and transformer iterate
        raise NestingError(
            f"expression nested too deeply (more than {MAX_NESTING} levels)",
            text=text,
            line=1,
            column=1,
            expected=f"at most {MAX_NESTING} nested brackets",
        ) from None
    except Exception as exc:  # pragma: no cover - defensive: no raw Lark error escapes
        lark_error = getattr(sys.modules.get("lark.exceptions"), "LarkError", None)
        if lark_error is None or not isinstance(exc, lark_error):
            raise
        raise ParseError(
            f"could not parse the query ({type(exc).__name__})",
            text=text,
            line=getattr(exc, "line", None) or 1,
            column=getattr(exc, "column", None) or 1,
            expected=EXPRESSION_PHRASE,
        ) from None


@contextlib.contextmanager
def _gc_paused():
    """No cyclic garbage collection while the parser builds its (acyclic) trees: on a long
    query the collector's full passes over the growing trees made parsing superlinear
    (a 100,000-character sum: 16 s with it, 6 s without)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _parse_query(text: str) -> Query:
    if end_of_text(text) is None:
        raise ParseError("empty query", text=text, line=1, column=1, expected=EXPRESSION_PHRASE)
    try:  # Lark's tables without Lark; any text it does not take, Lark parses
        return parse_fast.parse(text, ToSyntax(text), _POSTLEX, Fail)
    except Fail as failure:
        raise _failed(failure, text) from None
    except parse_fast.Rejected:
        return _parse_with_lark(text)


def _failed(failure: Fail, text: str) -> ParseError:
    message, line, column, width, expected = failure.args_
    return ParseError(message, text=text, line=line, column=column, width=width, expected=expected)


def _parse_with_lark(text: str) -> Query:
    """The query parsed by Lark: its errors located and explained."""
    from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken

    try:
        tree = _parser().parse(text)
    except UnexpectedCharacters as u:
        raise characters_error(u, text) from None
    except UnexpectedToken as u:
        raise token_error(u, text, _parser().parse) from None
    except UnexpectedInput:  # pragma: no cover - UnexpectedEOF is not raised by LALR
        line, column = end_of_text(text) or (1, 1)
        raise ParseError(
            "missing operand", text=text, line=line, column=column, expected=EXPRESSION_PHRASE
        ) from None
    try:
        return _transform(tree, ToSyntax(text))
    except Fail as failure:
        raise _failed(failure, text) from None


def _transform(tree, handler: ToSyntax) -> Query:  # (tree: a lark.Tree)
    """`handler`'s method for each node of Lark's tree, called bottom-up (non-recursively)
    with the node's meta and children, as parse_fast calls them."""
    from lark.visitors import Transformer_NonRecursive

    class Calls(Transformer_NonRecursive):
        __visit_tokens__ = False

        def __default__(self, data, children, meta):
            return getattr(handler, data)(meta, *children)

    return Calls().transform(tree)


def parse_expression(text: str) -> Syntax:
    """Parse an expression without declarations; returns its `Syntax` tree."""
    query = parse_query(text)
    if query.declarations:
        first = query.declarations[0]
        pos = first.pos
        raise ParseError(
            "declarations are not allowed here",
            text=text,
            line=pos.line if pos else 1,
            column=pos.column if pos else 1,
            expected=EXPRESSION_PHRASE,
        )
    return query.body
