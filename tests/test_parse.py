"""The query language: precedence, Unicode spellings, declarations, positions, errors."""

from __future__ import annotations

import time
from fractions import Fraction

import pytest
from helpers import assert_derivative
from hypothesis import given, settings
from hypothesis import strategies as st

import matcalc
from matcalc import limits
from matcalc.api import _parse
from matcalc.errors import LimitError, MatcalcError, ParseError
from matcalc.parse import MAX_NESTING, parse_expression, parse_query
from matcalc.syntax import Position, Syntax


def sexpr(node: Syntax) -> str:
    """The tree as an S-expression: `(+ a (* b c))`, `(neg x)`, `(T x)`,
    `(call max 0 x)`, lists as `[a b]`, numbers as exact fractions (`1/2`)."""
    kids = [sexpr(child) for child in node.children]
    if node.kind == "number":
        return str(node.value)
    if node.kind == "name":
        return node.value
    if node.kind in ("binary", "compare"):
        return f"({node.value} {kids[0]} {kids[1]})"
    if node.kind == "neg":
        return f"(neg {kids[0]})"
    if node.kind == "transpose":
        return f"(T {kids[0]})"
    if node.kind == "call":
        return "(" + " ".join(["call", node.value, *kids]) + ")"
    if node.kind == "list":
        return "[" + " ".join(kids) + "]"
    raise AssertionError(f"unknown node kind {node.kind!r}")


def body(text: str) -> str:
    return sexpr(parse_query(text).body)


# ---------------------------------------------------------------------------------------
# Expressions

PRECEDENCE = [
    # text               S-expression
    ("a + b * c", "(+ a (* b c))"),
    ("a * b + c", "(+ (* a b) c)"),
    ("a - b - c", "(- (- a b) c)"),
    ("a - b + c", "(+ (- a b) c)"),
    ("a / b * c", "(* (/ a b) c)"),
    ("a @ b * c", "(* (@ a b) c)"),
    ("a * b @ c", "(@ (* a b) c)"),
    ("a @ b + c", "(+ (@ a b) c)"),
    ("a + b @ c", "(+ a (@ b c))"),
    ("(a + b) * c", "(* (+ a b) c)"),
    ("-x^2", "(neg (^ x 2))"),
    ("-x * y", "(* (neg x) y)"),
    ("x * -y", "(* x (neg y))"),
    ("a - -b", "(- a (neg b))"),
    ("- - x", "(neg (neg x))"),
    ("2^3^2", "(^ 2 (^ 3 2))"),
    ("2**3**2", "(^ 2 (^ 3 2))"),
    ("2^-x", "(^ 2 (neg x))"),
    ("2^-x^2", "(^ 2 (neg (^ x 2)))"),
    ("a * b^c", "(* a (^ b c))"),
    ("x.T @ y", "(@ (T x) y)"),
    ("xᵀ·y", "(@ (T x) y)"),
    ("x^2ᵀ", "(^ x (T 2))"),
    ("x.T^2", "(^ (T x) 2)"),
    ("-x.T", "(neg (T x))"),
    ("A.Tᵀ", "(T (T A))"),
    ("A.T.T", "(T (T A))"),
    ("(a + b).T", "(T (+ a b))"),
    ("f(x).T", "(T (call f x))"),
    ("a + b > c", "(> (+ a b) c)"),
    ("a > b + c", "(> a (+ b c))"),
    ("a >= b", "(>= a b)"),
    ("a < b", "(< a b)"),
    ("a <= b", "(<= a b)"),
    ("(a < b) < c", "(< (< a b) c)"),
    ("((x))", "x"),
]


@pytest.mark.parametrize("text, expected", PRECEDENCE)
def test_precedence(text, expected):
    assert body(text) == expected


UNICODE = [
    # text               S-expression       ASCII twin
    ("a ⊗ b", "(* a b)", "a * b"),
    ("a ⊙ b", "(* a b)", "a * b"),  # the Hadamard glyph matcalc prints
    ("a ⊘ b", "(/ a b)", "a / b"),
    ("a · b", "(@ a b)", "a @ b"),
    ("aᵀ", "(T a)", "a.T"),
    ("a ** b", "(^ a b)", "a ^ b"),
    ("a ⊗ b ⊘ c · d", "(@ (/ (* a b) c) d)", "a * b / c @ d"),
    ("α·β + Ω", "(+ (@ α β) Ω)", "α @ β + Ω"),
    ("λ_1 ⊗ x_2ᵀ", "(* λ_1 (T x_2))", "λ_1 * x_2.T"),
]


@pytest.mark.parametrize("text, expected, ascii_twin", UNICODE)
def test_unicode_forms(text, expected, ascii_twin):
    assert body(text) == expected
    assert parse_query(text).body == parse_query(ascii_twin).body


def test_operator_values_are_normalised():
    tree = parse_query("a ⊗ b").body
    assert (tree.kind, tree.value) == ("binary", "*")
    assert parse_query("a ⊘ b").body.value == "/"
    assert parse_query("a · b").body.value == "@"
    assert parse_query("a ** b").body.value == "^"
    assert parse_query("a >= b").body.kind == "compare"


CALLS = [
    # text                     S-expression
    ("max(0, x)", "(call max 0 x)"),
    ("ln(x)", "(call ln x)"),
    ("sum(x ⊗ y)", "(call sum (* x y))"),
    ("foo(x)", "(call foo x)"),
    ("f()", "(call f)"),
    ("f(a, b + c, d)", "(call f a (+ b c) d)"),
    ("Sin(x)", "(call sin x)"),
    ("LOG(x)", "(call log x)"),
    ("f (x)", "(call f x)"),
    ("exp(-x^2)", "(call exp (neg (^ x 2)))"),
    ("max(0, w·x + b)", "(call max 0 (+ (@ w x) b))"),
    ("f(g(x), h(y, z))", "(call f (call g x) (call h y z))"),
    ("where(x > 0, x, 0)", "(call where (> x 0) x 0)"),
    ("2 * f(x)", "(* 2 (call f x))"),
]


@pytest.mark.parametrize("text, expected", CALLS)
def test_calls(text, expected):
    assert body(text) == expected


LISTS = [
    # text                     S-expression
    ("[a, b, c]", "[a b c]"),
    ("[x]", "[x]"),
    ("[[1, 2], [3, 4]]", "[[1 2] [3 4]]"),
    ("[x + 1, -y, f(z)]", "[(+ x 1) (neg y) (call f z)]"),
    ("[1, 2] @ x", "(@ [1 2] x)"),
    ("[[a, b]].T", "(T [[a b]])"),
    ("[\n  [1, 2],\n  [3, 4]\n]", "[[1 2] [3 4]]"),
]


@pytest.mark.parametrize("text, expected", LISTS)
def test_lists(text, expected):
    assert body(text) == expected


NUMBERS = [
    # text         exact value
    ("3", Fraction(3)),
    ("0", Fraction(0)),
    ("0.5", Fraction(1, 2)),
    ("0.1", Fraction(1, 10)),
    (".25", Fraction(1, 4)),
    ("2.50", Fraction(5, 2)),
    ("1e-3", Fraction(1, 1000)),
    ("2.5E+2", Fraction(250)),
    ("1e3", Fraction(1000)),
    ("12345678901234567890", Fraction(12345678901234567890)),
]


@pytest.mark.parametrize("text, value", NUMBERS)
def test_numbers_are_exact(text, value):
    node = parse_query(text).body
    assert node.kind == "number"
    assert type(node.value) is Fraction
    assert node.value == value


LAYOUT = [
    # text                                   S-expression
    ("x\n+\ny", "(+ x y)"),
    ("x +   # a comment\n  y", "(+ x y)"),
    ("# leading comment\nx * y  # trailing", "(* x y)"),
    ("\n\n  f(\n  x,\n  y\n)\n\n", "(call f x y)"),
    ("x\r\n+ y\r\n", "(+ x y)"),
    ("a\t@\tb", "(@ a b)"),
]


@pytest.mark.parametrize("text, expected", LAYOUT)
def test_whitespace_newlines_and_comments_are_insignificant(text, expected):
    assert body(text) == expected


# ---------------------------------------------------------------------------------------
# Declarations

DECLARATIONS = [
    # query                                          declarations                                   body
    (
        "w, x: vector(n); b: scalar; max(0, w·x + b)",
        [(("w", "x"), "vector(n)"), (("b",), "scalar")],
        "(call max 0 (+ (@ w x) b))",
    ),
    ("A: matrix(m, n); A", [(("A",), "matrix(m,n)")], "A"),
    ("A: matrix( m ,n ); A", [(("A",), "matrix(m,n)")], "A"),
    ("S: symmetric(3); S", [(("S",), "symmetric(3)")], "S"),
    ("S: symmetric(n); S", [(("S",), "symmetric(n)")], "S"),
    ("S: symmetric; S", [(("S",), "symmetric")], "S"),
    ("v: vector; v", [(("v",), "vector")], "v"),
    ("M: matrix; M", [(("M",), "matrix")], "M"),
    ("x: matrix(2, 3); x", [(("x",), "matrix(2,3)")], "x"),
    ("x: Scalar; x", [(("x",), "scalar")], "x"),
    ("x: scalar\ny: vector(n)\nx * y", [(("x",), "scalar"), (("y",), "vector(n)")], "(* x y)"),
    (
        "x: scalar;\n\ny: vector(n);\n\nx * y",
        [(("x",), "scalar"), (("y",), "vector(n)")],
        "(* x y)",
    ),
    ("x:\n  matrix(m,\n n)\nx", [(("x",), "matrix(m,n)")], "x"),
    ("x,\ny: scalar\nx + y", [(("x", "y"), "scalar")], "(+ x y)"),
    ("# shapes\nx: scalar  # a number\n\nx ^ 2", [(("x",), "scalar")], "(^ x 2)"),
    ("α, β: scalar; α·β", [(("α", "β"), "scalar")], "(@ α β)"),
    ("x + y", [], "(+ x y)"),
]


@pytest.mark.parametrize("text, declarations, expected", DECLARATIONS)
def test_declarations(text, declarations, expected):
    query = parse_query(text)
    assert [(d.names, d.spec) for d in query.declarations] == declarations
    assert sexpr(query.body) == expected
    assert query.text == text


def test_declaration_position_is_the_spec():
    query = parse_query("w, x: vector(n);\nb:  scalar; w·x + b")
    assert query.declarations[0].pos == Position(1, 7, 16)
    assert query.declarations[1].pos == Position(2, 5, 11)


def test_parse_expression():
    assert sexpr(parse_expression("a + b * c")) == "(+ a (* b c))"
    with pytest.raises(ParseError) as info:
        parse_expression("x: scalar; x")
    assert info.value.message == "declarations are not allowed here"


# ---------------------------------------------------------------------------------------
# Positions

POSITIONS = [
    # text               path     kind          position
    ("a + b", (), "binary", Position(1, 3, 4)),
    ("a + b", (0,), "name", Position(1, 1, 2)),
    ("a + b", (1,), "name", Position(1, 5, 6)),
    ("a ** b", (), "binary", Position(1, 3, 5)),
    ("(a+b)*c", (), "binary", Position(1, 6, 7)),
    ("(a+b)*c", (0,), "binary", Position(1, 3, 4)),
    ("a >= b", (), "compare", Position(1, 3, 5)),
    ("x · y", (), "binary", Position(1, 3, 4)),
    ("12.5 * x", (0,), "number", Position(1, 1, 5)),
    ("-x", (), "neg", Position(1, 1, 3)),
    ("A.T", (), "transpose", Position(1, 1, 4)),
    ("Aᵀ", (), "transpose", Position(1, 1, 3)),
    ("y + sin(x)", (1,), "call", Position(1, 5, 11)),
    ("y + sin(x)", (1, 0), "name", Position(1, 9, 10)),
    ("[1, 2]", (), "list", Position(1, 1, 7)),
    ("x: scalar\n  a\n * b", (), "binary", Position(3, 2, 3)),
    ("x: scalar\n  a\n * b", (0,), "name", Position(2, 3, 4)),
    ("f(x,\n  y)", (), "call", Position(1, 1, 5)),  # ends with its first line
    ("αᵀ·β", (), "binary", Position(1, 3, 4)),
]


@pytest.mark.parametrize("text, path, kind, position", POSITIONS)
def test_positions(text, path, kind, position):
    node = parse_query(text).body
    for index in path:
        node = node.children[index]
    assert node.kind == kind
    assert node.pos == position


# ---------------------------------------------------------------------------------------
# Errors

SHAPES = "scalar, vector(n), matrix(m, n), symmetric(n), simplex(n) or rowsimplex(m, n)"
OPERATOR = "an operator such as *, @ or +"

ERRORS = [
    # text                        message                                       line col under-caret expected
    ("x +", "missing operand", 1, 4, "", "an expression"),
    ("x -", "missing operand", 1, 4, "", "an expression"),
    ("x ^", "missing operand", 1, 4, "", "an expression"),
    ("* x", "missing operand", 1, 1, "*", "an expression"),
    ("x + * y", "missing operand", 1, 5, "*", "an expression"),
    ("(x + y) * (+ z)", "missing operand", 1, 12, "+", "an expression"),
    ("f(x, )", "missing operand", 1, 6, ")", "an expression"),
    ("[]", "missing operand", 1, 2, "]", "an expression"),
    ("x +  # comment", "missing operand", 1, 4, " ", "an expression"),
    ("x: scalar\ny: vector(n)\nx +* y", "missing operand", 3, 4, "*", "an expression"),
    ("sin(x", "unclosed parenthesis", 1, 4, "(", "')'"),
    ("(a + b", "unclosed parenthesis", 1, 1, "(", "')'"),
    ("f(g(x)", "unclosed parenthesis", 1, 2, "(", "')'"),
    ("f(", "unclosed parenthesis", 1, 2, "(", "')'"),
    ("a +\n  (b\n", "unclosed parenthesis", 2, 3, "(", "')'"),
    ("[1, 2", "unclosed bracket", 1, 1, "[", "']'"),
    ("[[1, 2], [3, 4]", "unclosed bracket", 1, 1, "[", "']'"),
    ("x)", "unmatched ')'", 1, 2, ")", OPERATOR + ", or the end of the query"),
    ("f(x))", "unmatched ')'", 1, 5, ")", OPERATOR + ", or the end of the query"),
    ("x]", "unmatched ']'", 1, 2, "]", OPERATOR + ", or the end of the query"),
    ("[x)", "mismatched ')'", 1, 3, ")", "']'"),
    ("(x]", "mismatched ']'", 1, 3, "]", "')'"),
    ("2x", "two operands without an operator", 1, 2, "x", OPERATOR),
    ("x y", "two operands without an operator", 1, 3, "y", OPERATOR),
    ("2 (x + 1)", "two operands without an operator", 1, 3, "(", OPERATOR),
    ("(a)(b)", "two operands without an operator", 1, 4, "(", OPERATOR),
    ("x.T y", "two operands without an operator", 1, 5, "y", OPERATOR),
    ("f(x y)", "two operands without an operator", 1, 5, "y", OPERATOR),
    ("[1 2]", "two operands without an operator", 1, 4, "2", OPERATOR),
    ("a < b < c", "comparisons cannot be chained", 1, 7, "<", "a single comparison such as a > b"),
    ("x $ y", "unexpected character '$'", 1, 3, "$", OPERATOR),
    ("x ! y", "unexpected character '!'", 1, 3, "!", OPERATOR),
    ("x.Ty", "unexpected character '.'", 1, 2, ".", OPERATOR),
    ("x + 1; y", "unexpected ';'", 1, 6, ";", OPERATOR + ", or the end of the query"),
    ("", "empty query", 1, 1, "", "an expression"),
    ("   \n\t  ", "empty query", 1, 1, " ", "an expression"),
    ("# only a comment\n", "empty query", 1, 1, "#", "an expression"),
    ("x: vektor; x", "bad declaration", 1, 4, "v", SHAPES),
    ("x: ; x", "bad declaration", 1, 4, ";", SHAPES),
    ("x: vector(n; x", "bad declaration", 1, 12, ";", SHAPES),
    ("x: 3; x", "bad declaration", 1, 4, "3", SHAPES),
    ("x: matrix(n); x", "bad declaration", 1, 4, "m", "matrix or matrix(m, n)"),
    ("x: scalar(n); x", "bad declaration", 1, 4, "s", "scalar"),
    (
        "x: vector(0); x",
        "bad declaration",
        1,
        11,
        "0",
        "a dimension that is a name or a positive integer",
    ),
    (
        "x: vector(1.5); x",
        "bad declaration",
        1,
        11,
        "1",
        "a dimension that is a name or a positive integer",
    ),
    (
        "x, y scalar; x",
        "bad declaration",
        1,
        6,
        "s",
        "names, ':' and a shape, as in 'w, x: vector(n)'",
    ),
    (
        "x + y: scalar; x",
        "bad declaration",
        1,
        6,
        ":",
        "names, ':' and a shape, as in 'w, x: vector(n)'",
    ),
    (
        "x: scalar; x: vector; x",
        "bad declaration: 'x' is declared twice",
        1,
        12,
        "x",
        "each name declared once",
    ),
    (
        "x: scalar",
        "missing expression after the declarations",
        1,
        10,
        "",
        "an expression after the last declaration",
    ),
    (
        "x: scalar;\n",
        "missing expression after the declarations",
        1,
        11,
        "",
        "an expression after the last declaration",
    ),
    (
        "1e5000",
        "number too long or too large (more than 1000 digits)",
        1,
        1,
        "1",
        "a number with at most 1000 digits",
    ),
]


def caret_target(error: ParseError) -> tuple[str, int]:
    """From `str(error)`: the source line shown and the 1-based column of the caret."""
    lines = str(error).split("\n")
    source, caret = lines[-2], lines[-1]
    assert source.startswith("  ") and caret.startswith("  ")
    assert set(caret.strip()) == {"^"}, caret
    return source[2:], caret.index("^") - 1


@pytest.mark.parametrize("text, message, line, column, under_caret, expected", ERRORS)
def test_errors(text, message, line, column, under_caret, expected):
    with pytest.raises(ParseError) as info:
        parse_query(text)
    error = info.value
    assert (error.message, error.line, error.column) == (message, line, column)
    assert error.expected == expected
    assert error.text == text
    source, caret_column = caret_target(error)
    assert caret_column == column
    assert source[column - 1 : column] == under_caret
    assert f"line {line}, column {column}: {message}" in str(error)


def test_error_caret_covers_the_whole_token():
    with pytest.raises(ParseError) as info:
        parse_query("x: vektor; x")
    assert info.value.width == len("vektor")
    assert str(info.value).endswith("\n     ^^^^^^")


def test_unexpected_characters_never_leak_lark_names():
    for text in ("x $ y", "2x", "x)", "sin(x", "x +", "[x)", "x; y"):
        with pytest.raises(ParseError) as info:
            parse_query(text)
        shown = str(info.value)
        for lark_name in ("RPAR", "LPAR", "NAME", "NUMBER", "$END", "__ANON", "SEMICOLON"):
            assert lark_name not in shown


NESTING = [
    # text                                                    parses?  error column
    ("(" * MAX_NESTING + "x" + ")" * MAX_NESTING, True, None),
    ("(" * (MAX_NESTING + 1) + "x" + ")" * (MAX_NESTING + 1), False, MAX_NESTING + 1),
    ("[" * (MAX_NESTING + 1) + "x" + "]" * (MAX_NESTING + 1), False, MAX_NESTING + 1),
    ("f(" * (MAX_NESTING + 1) + "x" + ")" * (MAX_NESTING + 1), False, 2 * (MAX_NESTING + 1)),
    ("(" * 10_000 + "x" + ")" * 10_000, False, MAX_NESTING + 1),
]


@pytest.mark.parametrize("text, parses, column", NESTING)
def test_nesting_limit(text, parses, column):
    if parses:
        assert body(text) == "x"
        return
    with pytest.raises(ParseError) as info:
        parse_query(text)
    assert info.value.message == f"expression nested too deeply (more than {MAX_NESTING} levels)"
    assert (info.value.line, info.value.column) == (1, column)
    assert text[column - 1] in "(["


def test_long_flat_expressions_do_not_recurse():
    sum_tree = parse_query(" + ".join(["x"] * 5000)).body
    assert (sum_tree.kind, sum_tree.value) == ("binary", "+")
    neg_tree = parse_query("-" * 5000 + "x").body
    assert neg_tree.kind == "neg"
    power_tree = parse_query("^".join(["x"] * 3000)).body
    assert power_tree.children[0] == Syntax("name", "x")


# ---------------------------------------------------------------------------------------
# Sizes (matcalc.limits): long chains are flat, limits are LimitErrors with a place


def _located_limit(query, wrt="x"):
    with pytest.raises(LimitError) as info:
        matcalc.derivative(query, wrt)
    return info.value


def test_nesting_too_deep_is_a_limit_and_a_parse_error():
    text = "(" * (MAX_NESTING + 1) + "x" + ")" * (MAX_NESTING + 1)
    with pytest.raises(LimitError) as info:
        parse_query(text)
    assert isinstance(info.value, ParseError) and info.value.column == MAX_NESTING + 1


def test_a_query_too_long_is_refused_before_parsing():
    text = "x + " * (limits.MAX_QUERY_CHARS // 4) + "x"
    start = time.perf_counter()
    with pytest.raises(LimitError, match="query too long"):
        parse_query(text)
    assert time.perf_counter() - start < 1.0


@pytest.mark.parametrize("n", [201, 1000, 10_000])
def test_a_long_chain_is_not_nested(n):
    """More than MAX_DEPTH terms: one flat sum, not 'nested too deeply'."""
    assert str(matcalc.derivative("+".join(["x"] * n), "x")) == str(n)


def test_long_mixed_chains_derive():
    sums = " - ".join(["x*y"] * 300) + " + " + " + ".join(["x"] * 300)
    assert_derivative(sums, "x", "300 − 298y")
    products = "*".join(["x"] * 251) + "/" + "/".join(["x"] * 249)  # x²
    assert_derivative(products, "x", "2x")
    chain_of_matrices = "x @ " + " @ ".join(["A"] * 250) + " @ x"
    d = matcalc.derivative(chain_of_matrices, "x")
    assert d.shape == ("n",)


def test_a_chain_longer_than_max_terms_is_refused_at_its_operator(monkeypatch):
    monkeypatch.setattr(limits, "MAX_TERMS", 50)
    error = _located_limit(" + ".join(["x"] * 60))
    assert "too many operands" in error.message
    assert (error.line, error.column) == (1, 4 * 49 + 3)


@pytest.mark.parametrize(
    "query, column",
    [
        ("-" * (MAX_NESTING + 5) + "x", MAX_NESTING + 2),  # signs
        ("^".join(["x"] * (MAX_NESTING + 5)), 2 * MAX_NESTING + 1),  # a power tower
    ],
)
def test_nesting_too_deep_without_brackets_has_a_caret(query, column):
    error = _located_limit(query)
    assert "nested too deeply" in error.message and (error.line, error.column) == (1, column)


def test_a_literal_beyond_the_limit_is_refused(monkeypatch):
    monkeypatch.setattr(limits, "MAX_LITERAL_ENTRIES", 100)
    error = _located_limit("[" + ", ".join(["x"] * 101) + "]")
    assert "literal too large" in error.message and (error.line, error.column) == (1, 1)
    matcalc.derivative("[" + ", ".join(["x"] * 100) + "]", "x")


def test_a_2000_entry_literal_is_typed_quickly():
    """Parsing and building stay linear (the derivative of a literal is the core's)."""
    text = "[" + ", ".join(f"x^{i % 7 + 1}" for i in range(2000)) + "]"
    start = time.perf_counter()
    expr, _ = _parse(text, None)
    assert expr.shape.rows == 2000
    assert time.perf_counter() - start < 20


@pytest.mark.parametrize(
    "query, message, column",
    [
        ("x/0", "division by zero", 2),
        ("0/0 * x", "division by zero", 2),
        ("x * (2/(1 - 1))", "division by zero", 7),
        ("x: vector(n); sum(x/(x - x))", "division by zero", 20),
        ("0^(-1) * x", "division by zero", 2),
        ("10^100000 * x", "constant too large", 3),
        ("10^10^10 * x", "constant too large", 3),
        ("x * 2^4000", "constant too large", 6),
        ("(10*x)^100000", "constant too large", 7),  # (c·x)^k folds c^k
        ("(10*x)^(10^10)", "constant too large", 7),
        ("(10^999*x) * (10^999*x)", "constant too large", 12),  # folded coefficients
        ("x * 10^999 * 10^999", "constant too large", 12),
        ("(x^(10^500))^(10^600)", "constant too large", 13),  # the core's own bound
    ],
)
def test_errors_building_a_node_point_at_it(query, message, column):
    start = time.perf_counter()
    with pytest.raises(MatcalcError) as info:
        matcalc.derivative(query, "x")
    assert time.perf_counter() - start < 5
    assert message in info.value.message
    assert (info.value.line, info.value.column) == (1, column)
    assert "^" in str(info.value).splitlines()[-1]


def test_large_but_allowed_constants_fold():
    assert_derivative("x * 2^100", "x", str(2**100))


# ---------------------------------------------------------------------------------------
# Properties

_SPELLINGS = {
    "+": ["+"],
    "-": ["-"],
    "*": ["*", "⊗"],
    "/": ["/", "⊘"],
    "@": ["@", "·"],
    "^": ["^", "**"],
    ">": [">"],
    "<=": ["<="],
}

_leaves = st.one_of(
    st.sampled_from(["x", "y", "A", "α", "w_1"]).map(lambda n: (n, n)),
    st.integers(0, 999).map(lambda n: (str(n), str(n))),
)


def _compose(children):
    binary = st.tuples(st.sampled_from(sorted(_SPELLINGS)), children, children).flatmap(
        lambda t: st.sampled_from(_SPELLINGS[t[0]]).map(
            lambda spelling: (f"({t[1][0]} {spelling} {t[2][0]})", f"({t[0]} {t[1][1]} {t[2][1]})")
        )
    )
    neg = children.map(lambda c: (f"(-{c[0]})", f"(neg {c[1]})"))
    transpose = st.tuples(children, st.sampled_from([".T", "ᵀ"])).map(
        lambda t: (f"({t[0][0]}){t[1]}", f"(T {t[0][1]})")
    )
    call = st.lists(children, min_size=1, max_size=3).map(
        lambda cs: (
            "f(" + ", ".join(c[0] for c in cs) + ")",
            "(call f " + " ".join(c[1] for c in cs) + ")",
        )
    )
    lst = st.lists(children, min_size=1, max_size=3).map(
        lambda cs: ("[" + ", ".join(c[0] for c in cs) + "]", "[" + " ".join(c[1] for c in cs) + "]")
    )
    return st.one_of(binary, neg, transpose, call, lst)


_expressions = st.recursive(_leaves, _compose, max_leaves=12)


@settings(max_examples=150, deadline=None)
@given(_expressions)
def test_fully_parenthesised_expressions_round_trip(pair):
    text, expected = pair
    assert body(text) == expected


_FRAGMENTS = [
    "x",
    "y",
    "2",
    "0.5",
    "1e-3",
    "+",
    "-",
    "*",
    "/",
    "@",
    "⊗",
    "⊘",
    "·",
    "^",
    "**",
    ".T",
    "ᵀ",
    "(",
    ")",
    "[",
    "]",
    ",",
    ";",
    ":",
    "\n",
    " ",
    "# c\n",
    ">",
    "<=",
    "sin",
    "vector(n)",
    "scalar",
    "$",
    "α",
    "f(",
    ".",
    "e",
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_FRAGMENTS), max_size=14).map("".join))
def test_any_text_parses_or_raises_a_located_parse_error(text):
    try:
        parse_query(text)
    except ParseError as error:
        assert error.line is not None and error.column is not None
        assert error.expected
        str(error)


def test_error_message_escapes_controls_and_keeps_the_caret_aligned():
    # a control, ANSI escape or bidi character is shown escaped, the caret under it
    import matcalc
    from matcalc.errors import MatcalcError

    for query, shown in [
        ("x\x01", "x\\x01"),
        ("x\x1b[31m + 1", "x\\x1b[31m + 1"),
        ("x\u202e + 1", "x\\u202e + 1"),
        ("x \u2066y\u2069", "x \\u2066y\\u2069"),
    ]:
        with pytest.raises(MatcalcError) as info:
            matcalc.derivative(query, "x")
        text = str(info.value)
        assert all(ch == "\n" or ch.isprintable() for ch in text), text
        src, caret = text.splitlines()[-2:]
        assert src == "  " + shown
        assert caret.index("^") == src.index("\\")


def test_error_message_is_bounded():
    # a 100k-character name and a 26k-character line are not echoed whole
    import matcalc
    from matcalc.errors import MatcalcError

    with pytest.raises(MatcalcError) as info:
        matcalc.derivative("x * y", "q" * 100_000)
    assert len(str(info.value)) < 500
    query = "exp(" * 5000 + "x" + ")" * 5000
    with pytest.raises(MatcalcError) as info:
        matcalc.derivative(query, "x")
    text = str(info.value)
    src, caret = text.splitlines()[-2:]
    assert len(text) < 600 and src.startswith("  …") and src.endswith("…")
    column = info.value.column
    assert src[caret.index("^")] == query[column - 1]


def test_a_long_literal_is_differentiated_in_linear_time():
    # d[f₁, …, f_n] is built at once (it was a sum of n one-hot literals: n² work,
    # 2000 entries past the CPU limit)
    started = time.process_time()
    d = matcalc.derivative("[" + ", ".join(["x"] * 5000) + "]", "x")
    assert time.process_time() - started < 10
    assert str(d) == "[" + ", ".join(["1"] * 5000) + "]"
    assert_derivative("y: scalar; [x^2, sin(x) * y, 3, x * y]", "x", "[2x, y cos(x), 0, y]")
