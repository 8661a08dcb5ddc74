"""Text -> `syntax.Query`: the matcalc query language, parsed with Lark (LALR).

    >>> q = parse_query("w, x: vector(n); b: scalar; max(0, w·x + b)")
    >>> [(d.names, d.spec) for d in q.declarations]
    [(('w', 'x'), 'vector(n)'), (('b',), 'scalar')]

The grammar lives in `grammar/matcalc.lark` (shipped as package data
`matcalc.grammar`). It is loaded once, on first use.

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
import re
from fractions import Fraction
from importlib import resources
from pathlib import Path

from lark import Lark, Token
from lark.exceptions import (
    LarkError,
    UnexpectedCharacters,
    UnexpectedInput,
    UnexpectedToken,
    VisitError,
)
from lark.lark import PostLex
from lark.visitors import Transformer_NonRecursive, v_args

from . import limits
from .errors import LimitError, ParseError
from .syntax import Declaration, Position, Query, Syntax

__all__ = ["MAX_NESTING", "NestingError", "parse_expression", "parse_query"]

#: Deepest allowed nesting of parentheses, brackets and call parentheses.
MAX_NESTING = limits.MAX_DEPTH

#: Longest number literal, in digits (mantissa digits plus |exponent|).
MAX_NUMBER_DIGITS = limits.MAX_CONSTANT_DIGITS


class NestingError(LimitError, ParseError):
    """Brackets nested deeper than MAX_NESTING: a limit, found while parsing."""
    kind = "limit"

GRAMMAR_FILE = "matcalc.lark"

SHAPES_PHRASE = "scalar, vector(n), matrix(m, n), symmetric(n) or simplex(n)"
OPERATOR_PHRASE = "an operator such as *, @ or +"
EXPRESSION_PHRASE = "an expression"

# Shape keyword -> the numbers of dimension arguments it may take.
_SHAPE_ARITY = {"scalar": (0,), "vector": (0, 1), "matrix": (0, 2), "symmetric": (0, 1),
                "simplex": (0, 1)}
_SHAPE_FORMS = {"scalar": "scalar", "vector": "vector or vector(n)",
                "matrix": "matrix or matrix(m, n)", "symmetric": "symmetric or symmetric(n)",
                "simplex": "simplex or simplex(n)"}

# Operator spellings -> the `value` stored in the syntax tree.
_OPERATOR_VALUE = {
    "PLUS": "+", "MINUS": "-",
    "STAR": "*", "OTIMES": "*", "SLASH": "/", "OSLASH": "/", "AT": "@", "CDOT": "@",
    "CARET": "^", "DSTAR": "^",
    "GT": ">", "GE": ">=", "LT": "<", "LE": "<=",
}

# Token names (Lark's) -> plain words for error messages.
_TOKEN_WORDS = {
    "NAME": "a name", "NUMBER": "a number",
    "LPAR": "'('", "RPAR": "')'", "LSQB": "'['", "RSQB": "']'",
    "COMMA": "','", "COLON": "':'", "SEMICOLON": "';'", "_NL": "a new line",
    "$END": "the end of the query", "COMMENT": "a comment",
    "PLUS": "'+'", "MINUS": "'-'", "STAR": "'*'", "OTIMES": "'⊗'", "SLASH": "'/'",
    "OSLASH": "'⊘'", "AT": "'@'", "CDOT": "'·'", "CARET": "'^'", "DSTAR": "'**'",
    "DOT_T": "'.T'", "SUP_T": "'ᵀ'", "GT": "'>'", "GE": "'>='", "LT": "'<'", "LE": "'<='",
}

_OPERAND_TOKENS = frozenset({"NAME", "NUMBER", "LPAR", "LSQB"})   # can start an operand
_OPERAND_START = _OPERAND_TOKENS | {"MINUS"}                      # can start an expression
_COMPARE = frozenset({"GT", "GE", "LT", "LE"})
_BINARY = frozenset(_OPERATOR_VALUE)
_INFIX = _BINARY - {"MINUS"}                                      # only between operands
_CLOSERS = {"RPAR": "RSQB", "RSQB": "RPAR"}
_IGNORED = frozenset({"WS", "COMMENT"})


# --------------------------------------------------------------------------------------
# Loading the grammar (once)

def _grammar_text() -> str:
    """The grammar, from package data `matcalc.grammar` (installed) or from
    `<repo>/grammar/matcalc.lark` (running from a checkout)."""
    try:
        return resources.files("matcalc.grammar").joinpath(GRAMMAR_FILE).read_text(encoding="utf-8")
    except (ModuleNotFoundError, FileNotFoundError, NotADirectoryError, TypeError):
        pass
    checkout = Path(__file__).resolve().parent.parent / "grammar" / GRAMMAR_FILE
    try:
        return checkout.read_text(encoding="utf-8")
    except OSError as exc:
        raise RuntimeError(f"matcalc is installed without its grammar: neither package data "
                           f"matcalc.grammar/{GRAMMAR_FILE} nor {checkout} could be read") from exc


class _DeclarationNewlines(PostLex):
    """Newlines are insignificant, except that one ends a complete declaration.

    The lexer turns every "\\n" into an `_NL` token; this passes one on only when the
    current statement (since the last ";" or separating newline) has a ":" outside
    brackets and its last token can end a shape spec (a name or a closing ")").
    `x: scalar\\n x^2` is `x: scalar; x^2`, while `x:\\n scalar` and
    `vector(m,\\n n)` continue the declaration; in the expression all are dropped.
    """

    always_accept = ("_NL",)

    def process(self, stream):
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


def _cache_path():
    """Lark's cache of the LALR tables (2-3× faster start): a file in the temp directory
    keyed by the grammar's hash (Lark adds it), or no cache where that is not writable."""
    import os
    import tempfile
    folder = tempfile.gettempdir()
    return True if os.access(folder, os.W_OK) else False


@functools.cache
def _parser() -> Lark:
    return Lark(_grammar_text(), parser="lalr", lexer="contextual", start="query",
                propagate_positions=True, maybe_placeholders=False,
                postlex=_DeclarationNewlines(), cache=_cache_path())


# --------------------------------------------------------------------------------------
# Parse tree -> Syntax

class _Fail(Exception):
    """Raised inside the transformer; turned into a ParseError by `parse_query`."""

    def __init__(self, message, line, column, width=1, expected=None):
        super().__init__(message)
        self.args_ = (message, line, column, width, expected)


def _token_position(token: Token) -> Position:
    return Position(token.line, token.column, token.end_column)


def _fraction(token: Token) -> Fraction:
    text = str(token)
    mantissa, _, exponent = text.lower().partition("e")
    digits = sum(ch.isdigit() for ch in mantissa) + (abs(int(exponent)) if exponent else 0)
    if digits > MAX_NUMBER_DIGITS:
        raise _Fail(f"number too long or too large (more than {MAX_NUMBER_DIGITS} digits)",
                    token.line, token.column, len(text),
                    f"a number with at most {MAX_NUMBER_DIGITS} digits")
    return Fraction(text)


@v_args(inline=True, meta=True)
class _ToSyntax(Transformer_NonRecursive):
    """Lark parse tree -> `Syntax` / `Declaration` / `Query` (non-recursive, so long
    operator chains cannot exhaust the Python stack here)."""

    __visit_tokens__ = False

    def __init__(self, text: str):
        super().__init__()
        self.text = text
        self.lines = text.split("\n")

    def _span(self, meta) -> Position:
        if meta.end_line == meta.line:
            return Position(meta.line, meta.column, meta.end_column)
        return Position(meta.line, meta.column, len(self.lines[meta.line - 1]) + 1)

    # -- atoms --------------------------------------------------------------------
    def number(self, meta, token):
        return Syntax("number", _fraction(token), (), _token_position(token))

    def name(self, meta, token):
        return Syntax("name", str(token), (), _token_position(token))

    def call(self, meta, name, *args):
        return Syntax("call", str(name).lower(), tuple(args), self._span(meta))

    def list_literal(self, meta, *items):
        return Syntax("list", None, tuple(items), self._span(meta))

    # -- operators -----------------------------------------------------------------
    def _binary(self, meta, left, op, right):
        return Syntax("binary", _OPERATOR_VALUE[op.type], (left, right), _token_position(op))

    add = sub = mul = div = matmul = pow = _binary

    def _compare(self, meta, left, op, right):
        return Syntax("compare", _OPERATOR_VALUE[op.type], (left, right), _token_position(op))

    gt = ge = lt = le = _compare

    def neg(self, meta, op, operand):
        return Syntax("neg", None, (operand,), self._span(meta))

    def transpose(self, meta, operand, op):
        return Syntax("transpose", None, (operand,), self._span(meta))

    # -- declarations ----------------------------------------------------------------
    def shape(self, meta, keyword, *dims):
        word = str(keyword).lower()
        if word not in _SHAPE_ARITY:
            raise _Fail("bad declaration", keyword.line, keyword.column, len(keyword),
                        SHAPES_PHRASE)
        if len(dims) not in _SHAPE_ARITY[word]:
            pos = self._span(meta)
            raise _Fail("bad declaration", pos.line, pos.column,
                        (pos.end_column or pos.column + 1) - pos.column, _SHAPE_FORMS[word])
        written = []
        for dim in dims:
            if dim.type == "NUMBER":
                if not re.fullmatch(r"[0-9]+", dim) or int(dim) == 0:
                    raise _Fail("bad declaration", dim.line, dim.column, len(dim),
                                "a dimension that is a name or a positive integer")
                written.append(str(int(dim)))
            else:
                written.append(str(dim))
        spec = word + (f"({','.join(written)})" if written else "")
        return spec, self._span(meta)

    def declaration(self, meta, *children):
        *names, (spec, pos) = children
        return Declaration(tuple(str(n) for n in names), spec, pos), names

    def query(self, meta, *children):
        *declared, body = children
        seen = set()
        for _, names in declared:
            for name in names:
                if str(name) in seen:
                    raise _Fail(f"bad declaration: '{name}' is declared twice", name.line,
                                name.column, len(name), "each name declared once")
                seen.add(str(name))
        return Query(tuple(d for d, _ in declared), body, self.text)


# --------------------------------------------------------------------------------------
# Errors

def _brackets(text: str):
    """(char, line, column) of every bracket outside comments."""
    for line_no, line in enumerate(text.split("\n"), start=1):
        for col, ch in enumerate(line.split("#", 1)[0], start=1):
            if ch in "()[]":
                yield ch, line_no, col


def _too_deep(text: str):
    """The first bracket beyond MAX_NESTING levels, as (line, column), or None."""
    depth = 0
    for ch, line, col in _brackets(text):
        if ch in "([":
            depth += 1
            if depth > MAX_NESTING:
                return line, col
        else:
            depth = max(0, depth - 1)
    return None


def _innermost_unclosed(text: str):
    """The innermost bracket still open at the end of the text: (char, line, column)."""
    stack = []
    for ch, line, col in _brackets(text):
        if ch in "([":
            stack.append((ch, line, col))
        elif stack:
            stack.pop()
    return stack[-1] if stack else None


def _end_of_text(text: str):
    """(line, column) just after the last character that is not blank or comment."""
    lines = text.split("\n")
    for index in range(len(lines) - 1, -1, -1):
        content = lines[index].split("#", 1)[0].rstrip()
        if content:
            return index + 1, len(content) + 1
    return None


def _describe(token: Token) -> str:
    if token.type == "$END":
        return "end of the query"
    if token.type == "NAME":
        return f"name '{token}'"
    if token.type == "NUMBER":
        return f"number {token}"
    return _TOKEN_WORDS.get(token.type, repr(str(token)))


def _expected_phrase(accepts) -> str:
    accepts = set(accepts) - _IGNORED
    parts = []
    if accepts & _INFIX:
        parts.append(OPERATOR_PHRASE)
    elif accepts & _OPERAND_START:
        parts.append(EXPRESSION_PHRASE)
    if "COLON" in accepts:   # the first name of the query could start a declaration:
        accepts -= {"COLON", "COMMA"}   # not worth mentioning
    for kind in ("RPAR", "RSQB", "COMMA", "LPAR", "SEMICOLON"):
        if kind in accepts and not (kind == "LPAR" and parts):
            parts.append(_TOKEN_WORDS[kind])
    if "$END" in accepts:
        parts.append(_TOKEN_WORDS["$END"])
    if not parts:
        parts = sorted(_TOKEN_WORDS.get(kind, kind) for kind in accepts) or ["something else"]
    if len(parts) == 1:
        return parts[0]
    return ", ".join(parts[:-1]) + (", or " if " or " in parts[0] else " or ") + parts[-1]


# Curated malformed queries, by label, for `UnexpectedInput.match_examples`. Lark
# matches on the parser state (and stack depth) where the example fails; states the
# examples do not cover, or a label that does not fit the offending token, fall back
# to `_guess_label`, which decides from the token and what the parser would accept.
_EXAMPLES = {
    "missing operand": ["x +", "x -", "x *", "x /", "x @", "x ⊗", "x ⊘", "x ·", "x ^",
                        "x **", "x >", "x >=", "x <", "x <=", "-", "* x", "+ x", "x + * y",
                        "x * / y", "x ^ * y", "f(x,", "f(,x)", "(", "[", "[x,", "()",
                        "[]", "x + )", "f(x,)", "x^"],
    "unclosed parenthesis": ["sin(x", "f(", "(x", "f(x, y", "(x + y", "((x)", "f(g(x)"],
    "unclosed bracket": ["[x", "[1, 2", "[[1, 2], [3, 4]", "[(x)"],
    "unmatched closer": ["x)", "x]", "f(x))", "(x))", "[x]]", "x.T)", "2)", "x^2)"],
    "two operands without an operator": ["2x", "x y", "2 3", "2(x)", "(x)(y)",
                                         "(x) y", "x [1]", "x.T y", "x^2 y", "x + y z",
                                         "[1 2]", "f(x y)"],
    "comparisons cannot be chained": ["a < b < c", "a > b > c", "a <= b >= c"],
    "bad declaration": ["x: ; x", "x:", "x: 3; x", "x: (n); x", "x: vector(; x",
                        "x: vector(n; x", "x: vector(n,); x", "x: vector n; x", "x, : scalar; x",
                        "x, y scalar; x", "x,", "x, 1: scalar; x", "x + y: scalar; x"],
    "missing expression after the declarations": ["x: scalar", "x: vector(n)", "x: scalar;",
                                                  "x: scalar; y: vector(n);"],
}


def _value_stack(u: UnexpectedInput):
    interactive = getattr(u, "interactive_parser", None)
    state = getattr(interactive, "parser_state", None)
    return list(getattr(state, "value_stack", ()) or ())


def _accepts(u: UnexpectedToken) -> set:
    try:
        accepts = u.accepts
    except Exception:  # pragma: no cover - defensive: fall back to Lark's expected set
        accepts = None
    return set(accepts or u.expected or ()) - _IGNORED


def _declaration_state(u: UnexpectedToken, accepts: set) -> str | None:
    """Where in a declaration the error is: "after" (declarations complete, the
    expression missing), "spec" (past the ':'), "names" (before the ':'), or None."""
    if u.token.type == "$END" and accepts & {"SEMICOLON", "_NL"}:
        return "after"
    if any(isinstance(v, Token) and v.type == "COLON" for v in _value_stack(u)):
        return "spec"
    if u.token.type == "COLON" or (accepts and accepts <= {"COMMA", "COLON", "NAME"}):
        return "names"
    return None


def _label_fits(label: str, u: UnexpectedToken, accepts: set) -> bool:
    """Whether `label` can describe this error (a sanity check on match_examples,
    which falls back to any example failing in the same parser state)."""
    kind = u.token.type
    where = _declaration_state(u, accepts)
    if label == "missing expression after the declarations":
        return where == "after"
    if label == "bad declaration":
        return where in ("spec", "names")
    if where is not None:
        return False
    if label == "missing operand":
        return kind not in _OPERAND_TOKENS and bool(accepts & _OPERAND_START) and not accepts & _INFIX
    if label == "unclosed parenthesis":
        return kind == "$END" and "RPAR" in accepts
    if label == "unclosed bracket":
        return kind == "$END" and "RSQB" in accepts
    if label == "unmatched closer":
        return (kind in _CLOSERS and kind not in accepts and _CLOSERS[kind] not in accepts
                and not _label_fits("missing operand", u, accepts))
    if label == "two operands without an operator":
        return kind in _OPERAND_TOKENS and bool(accepts & _INFIX)
    if label == "comparisons cannot be chained":
        return kind in _COMPARE and kind not in accepts and bool(accepts & _INFIX)
    return False


def _guess_label(u: UnexpectedToken, accepts: set, text: str) -> str | None:
    """Classify an error that no curated example matched."""
    kind = u.token.type
    where = _declaration_state(u, accepts)
    if where == "after":
        return "missing expression after the declarations"
    if where is not None:
        return "bad declaration"
    if kind == "$END" and ("RPAR" in accepts or "RSQB" in accepts):
        unclosed = _innermost_unclosed(text)
        if unclosed is not None:
            return "unclosed parenthesis" if unclosed[0] == "(" else "unclosed bracket"
    for label in ("missing operand", "unmatched closer", "two operands without an operator",
                  "comparisons cannot be chained"):
        if _label_fits(label, u, accepts):
            return label
    if kind in _CLOSERS and kind not in accepts and _CLOSERS[kind] in accepts:
        return "mismatched closer"
    return None


_MATCHED: dict = {}   # match_examples results by (stack depth, state, accepts, token)


def _match_examples(u: UnexpectedToken, accepts: set):
    state = u.state
    stack = getattr(state, "state_stack", None)
    key = None
    if stack is not None:
        key = (len(stack), stack[-1], frozenset(accepts), u.token.type, str(u.token))
        if key in _MATCHED:
            return _MATCHED[key]
    try:
        label = u.match_examples(_parser().parse, _EXAMPLES, token_type_match_fallback=True,
                                 use_accepts=True)
    except Exception:  # pragma: no cover - never let the classifier itself fail
        return None
    if key is not None and len(_MATCHED) < 4096:
        _MATCHED[key] = label
    return label


def _classify(u: UnexpectedToken, accepts: set, text: str) -> str | None:
    label = _match_examples(u, accepts)
    if label is not None and _label_fits(label, u, accepts):
        if label in ("unclosed parenthesis", "unclosed bracket"):
            # the innermost open bracket decides which of the two it is
            return _guess_label(u, accepts, text) or label
        return label
    return _guess_label(u, accepts, text)


def _token_error(u: UnexpectedToken, text: str) -> ParseError:
    accepts = _accepts(u)
    token = u.token
    label = _classify(u, accepts, text)

    if token.type == "$END":
        line, column = _end_of_text(text) or (1, 1)
        width = 1
    else:
        line, column = token.line, token.column
        single_line = token.end_line == token.line and token.end_column
        width = max(1, token.end_column - column) if single_line else 1

    def error(message, expected, at=None):
        at_line, at_column, at_width = at or (line, column, width)
        return ParseError(message, text=text, line=at_line, column=at_column, width=at_width,
                          expected=expected)

    if label == "missing operand":
        return error("missing operand", EXPRESSION_PHRASE)
    if label in ("unclosed parenthesis", "unclosed bracket"):
        closer = "')'" if label == "unclosed parenthesis" else "']'"
        unclosed = _innermost_unclosed(text)
        return error(label, closer, (unclosed[1], unclosed[2], 1) if unclosed else None)
    if label == "unmatched closer":
        return error(f"unmatched '{token}'", f"{OPERATOR_PHRASE}, or the end of the query")
    if label == "mismatched closer":
        return error(f"mismatched '{token}'", _TOKEN_WORDS[_CLOSERS[token.type]])
    if label == "two operands without an operator":
        return error("two operands without an operator", OPERATOR_PHRASE)
    if label == "comparisons cannot be chained":
        return error("comparisons cannot be chained", "a single comparison such as a > b")
    if label == "missing expression after the declarations":
        return error(label, EXPRESSION_PHRASE + " after the last declaration")
    if label == "bad declaration":
        if _declaration_state(u, accepts) == "spec":
            return error("bad declaration", SHAPES_PHRASE)
        return error("bad declaration", "names, ':' and a shape, as in 'w, x: vector(n)'")
    return error(f"unexpected {_describe(token)}", _expected_phrase(accepts))


def _characters_error(u: UnexpectedCharacters, text: str) -> ParseError:
    char = text[u.pos_in_stream] if 0 <= u.pos_in_stream < len(text) else ""
    allowed = set(u.allowed or ()) - _IGNORED - {"_NL"}
    return ParseError(f"unexpected character {char!r}", text=text, line=u.line, column=u.column,
                      width=1, expected=_expected_phrase(allowed) if allowed else None)


# --------------------------------------------------------------------------------------
# Public API

def parse_query(text: str) -> Query:
    """Parse a whole query: optional declarations, then one expression.

    Raises `errors.ParseError` for every malformed input.
    """
    if not isinstance(text, str):
        raise TypeError(f"parse_query expects a str, not {type(text).__name__}")
    if len(text) > limits.MAX_QUERY_CHARS:
        raise LimitError(f"query too long ({len(text)} characters; the limit is "
                         f"{limits.MAX_QUERY_CHARS})",
                         expected=f"at most {limits.MAX_QUERY_CHARS} characters")
    deep = _too_deep(text)          # before parsing: the caret at the bracket too deep
    if deep is not None:
        raise NestingError(f"expression nested too deeply (more than {MAX_NESTING} levels)",
                           text=text, line=deep[0], column=deep[1],
                           expected=f"at most {MAX_NESTING} nested parentheses, brackets or "
                                    "calls")
    try:
        with _gc_paused():
            return _parse_query(text)
    except ParseError:
        raise
    except RecursionError:          # pragma: no cover - the parser and transformer iterate
        raise NestingError(f"expression nested too deeply (more than {MAX_NESTING} levels)",
                           text=text, line=1, column=1,
                           expected=f"at most {MAX_NESTING} nested brackets") from None
    except LarkError as exc:  # pragma: no cover - defensive: no raw Lark error escapes
        raise ParseError(f"could not parse the query ({type(exc).__name__})", text=text,
                         line=getattr(exc, "line", None) or 1,
                         column=getattr(exc, "column", None) or 1,
                         expected=EXPRESSION_PHRASE) from None


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
    if _end_of_text(text) is None:
        raise ParseError("empty query", text=text, line=1, column=1, expected=EXPRESSION_PHRASE)
    try:
        tree = _parser().parse(text)
    except UnexpectedCharacters as u:
        raise _characters_error(u, text) from None
    except UnexpectedToken as u:
        raise _token_error(u, text) from None
    except UnexpectedInput:  # pragma: no cover - UnexpectedEOF is not raised by LALR
        line, column = _end_of_text(text) or (1, 1)
        raise ParseError("missing operand", text=text, line=line, column=column,
                         expected=EXPRESSION_PHRASE) from None

    try:
        return _ToSyntax(text).transform(tree)
    except VisitError as exc:
        failure = exc.orig_exc
        if isinstance(failure, _Fail):
            message, line, column, width, expected = failure.args_
            raise ParseError(message, text=text, line=line, column=column, width=width,
                             expected=expected) from None
        if isinstance(failure, RecursionError):
            raise failure from None
        raise


def parse_expression(text: str) -> Syntax:
    """Parse an expression without declarations; returns its `Syntax` tree."""
    query = parse_query(text)
    if query.declarations:
        first = query.declarations[0]
        pos = first.pos
        raise ParseError("declarations are not allowed here", text=text,
                         line=pos.line if pos else 1, column=pos.column if pos else 1,
                         expected=EXPRESSION_PHRASE)
    return query.body
