"""Messages for malformed queries: every Lark error as a `ParseError` with a line, a column,
a caret width and an `expected` phrase in plain words (used by `parse.parse_query`).

The classifier first asks Lark which curated malformed example (`parse_examples.EXAMPLES`) fails in the
same parser state, checks that the label fits the offending token, and otherwise decides
from the token and what the parser would accept.
"""

from __future__ import annotations

from collections.abc import Callable

from .errors import ParseError
from .parse_examples import EXAMPLES

TYPE_CHECKING = False  # (not typing's: its import costs the cold start)
if TYPE_CHECKING:  # (Lark is imported only when a query fails to parse: issue 11)
    from lark import Token
    from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken

__all__ = [
    "EXPRESSION_PHRASE",
    "OPERATOR_PHRASE",
    "OPERATOR_VALUE",
    "SHAPES_PHRASE",
    "characters_error",
    "end_of_text",
    "token_error",
    "too_deep",
]

SHAPES_PHRASE = "scalar, vector(n), matrix(m, n), symmetric(n), simplex(n) or rowsimplex(m, n)"
OPERATOR_PHRASE = "an operator such as *, @ or +"
EXPRESSION_PHRASE = "an expression"

# Operator token names (Lark's) -> the `value` stored in the syntax tree.
OPERATOR_VALUE = {
    "PLUS": "+",
    "MINUS": "-",
    "STAR": "*",
    "OTIMES": "*",
    "SLASH": "/",
    "OSLASH": "/",
    "AT": "@",
    "CDOT": "@",
    "CARET": "^",
    "DSTAR": "^",
    "GT": ">",
    "GE": ">=",
    "LT": "<",
    "LE": "<=",
}

# Token names (Lark's) -> plain words for error messages.
_TOKEN_WORDS = {
    "NAME": "a name",
    "NUMBER": "a number",
    "LPAR": "'('",
    "RPAR": "')'",
    "LSQB": "'['",
    "RSQB": "']'",
    "COMMA": "','",
    "COLON": "':'",
    "SEMICOLON": "';'",
    "_NL": "a new line",
    "$END": "the end of the query",
    "COMMENT": "a comment",
    "PLUS": "'+'",
    "MINUS": "'-'",
    "STAR": "'*'",
    "OTIMES": "'⊙'",
    "SLASH": "'/'",
    "OSLASH": "'⊘'",
    "AT": "'@'",
    "CDOT": "'·'",
    "CARET": "'^'",
    "DSTAR": "'**'",
    "DOT_T": "'.T'",
    "SUP_T": "'ᵀ'",
    "DOT_MT": "'.mT'",
    "EQUAL": "'=' (a keyword argument)",
    "GT": "'>'",
    "GE": "'>='",
    "LT": "'<'",
    "LE": "'<='",
}

_OPERAND_TOKENS = frozenset({"NAME", "NUMBER", "LPAR", "LSQB"})  # can start an operand
_OPERAND_START = _OPERAND_TOKENS | {"MINUS"}  # can start an expression
_COMPARE = frozenset({"GT", "GE", "LT", "LE"})
_BINARY = frozenset(OPERATOR_VALUE)
_INFIX = _BINARY - {"MINUS"}  # only between operands
_CLOSERS = {"RPAR": "RSQB", "RSQB": "RPAR"}
_IGNORED = frozenset({"WS", "COMMENT"})


def _brackets(text: str):
    """(char, line, column) of every bracket outside comments."""
    for line_no, line in enumerate(text.split("\n"), start=1):
        for col, ch in enumerate(line.split("#", 1)[0], start=1):
            if ch in "()[]":
                yield ch, line_no, col


def too_deep(text: str, limit: int) -> tuple[int, int] | None:
    """The first bracket beyond `limit` levels, as (line, column), or None."""
    depth = 0
    for ch, line, col in _brackets(text):
        if ch in "([":
            depth += 1
            if depth > limit:
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


def end_of_text(text: str) -> tuple[int, int] | None:
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
    if "COLON" in accepts:  # the first name of the query could start a declaration:
        accepts -= {"COLON", "COMMA"}  # not worth mentioning
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


def _value_stack(u: UnexpectedInput):
    interactive = getattr(u, "interactive_parser", None)
    state = getattr(interactive, "parser_state", None)
    return list(getattr(state, "value_stack", ()) or ())


def _accepts(u: UnexpectedToken) -> set:
    try:
        accepts = u.accepts
    except Exception:  # pragma: no cover - defensive: fall back to Lark's expected set  # noqa: BLE001
        accepts = None
    return set(accepts or u.expected or ()) - _IGNORED


def _declaration_state(u: UnexpectedToken, accepts: set) -> str | None:
    """Where in a declaration the error is: "after" (declarations complete, the
    expression missing), "spec" (past the ':'), "names" (before the ':'), or None."""
    if u.token.type == "$END" and accepts & {"SEMICOLON", "_NL"}:
        return "after"
    from lark import Token

    stack = _value_stack(u)
    if any(isinstance(v, Token) and v.type == "LSQB" for v in stack):
        return None  # inside [ ]: a ':' there is a slice's (x[1:3]), not a declaration's
    if any(isinstance(v, Token) and v.type == "COLON" for v in stack):
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
        return (
            kind not in _OPERAND_TOKENS and bool(accepts & _OPERAND_START) and not accepts & _INFIX
        )
    if label == "unclosed parenthesis":
        return kind == "$END" and "RPAR" in accepts
    if label == "unclosed bracket":
        return kind == "$END" and "RSQB" in accepts
    if label == "unmatched closer":
        return (
            kind in _CLOSERS
            and kind not in accepts
            and _CLOSERS[kind] not in accepts
            and not _label_fits("missing operand", u, accepts)
        )
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
    for label in (
        "missing operand",
        "unmatched closer",
        "two operands without an operator",
        "comparisons cannot be chained",
    ):
        if _label_fits(label, u, accepts):
            return label
    if kind in _CLOSERS and kind not in accepts and _CLOSERS[kind] in accepts:
        return "mismatched closer"
    return None


_MATCHED: dict = {}  # match_examples results by (stack depth, state, accepts, token)


def _match_examples(u: UnexpectedToken, accepts: set, parse):
    state = u.state
    stack = getattr(state, "state_stack", None)
    key = None
    if stack is not None:
        key = (len(stack), stack[-1], frozenset(accepts), u.token.type, str(u.token))
        if key in _MATCHED:
            return _MATCHED[key]
    try:
        label = u.match_examples(parse, EXAMPLES, token_type_match_fallback=True, use_accepts=True)
    except Exception:  # pragma: no cover - never let the classifier itself fail  # noqa: BLE001
        return None
    if key is not None and len(_MATCHED) < 4096:
        _MATCHED[key] = label
    return label


def _classify(u: UnexpectedToken, accepts: set, text: str, parse) -> str | None:
    label = _match_examples(u, accepts, parse)
    if label is not None and _label_fits(label, u, accepts):
        if label in ("unclosed parenthesis", "unclosed bracket"):
            # the innermost open bracket decides which of the two it is
            return _guess_label(u, accepts, text) or label
        return label
    return _guess_label(u, accepts, text)


def token_error(u: UnexpectedToken, text: str, parse: Callable) -> ParseError:
    """The ParseError for an unexpected token; `parse` is the parser's parse (for
    Lark's match_examples)."""
    accepts = _accepts(u)
    token = u.token
    label = _classify(u, accepts, text, parse)

    if token.type == "$END":
        line, column = end_of_text(text) or (1, 1)
        width = 1
    else:
        line, column = token.line, token.column
        single_line = token.end_line == token.line and token.end_column
        width = max(1, token.end_column - column) if single_line else 1

    def error(message, expected, at=None):
        at_line, at_column, at_width = at or (line, column, width)
        return ParseError(
            message, text=text, line=at_line, column=at_column, width=at_width, expected=expected
        )

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


def characters_error(u: UnexpectedCharacters, text: str) -> ParseError:
    char = text[u.pos_in_stream] if 0 <= u.pos_in_stream < len(text) else ""
    if char in "'\"":  # a string literal (einsum's subscripts) not closed on its line
        return ParseError(
            "unterminated string",
            text=text,
            line=u.line,
            column=u.column,
            width=1,
            expected=f"a closing {char} on the same line",
        )
    allowed = set(u.allowed or ()) - _IGNORED - {"_NL"}
    return ParseError(
        f"unexpected character {char!r}",
        text=text,
        line=u.line,
        column=u.column,
        width=1,
        expected=_expected_phrase(allowed) if allowed else None,
    )
