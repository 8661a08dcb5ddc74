"""Curated malformed queries, by the label of the error each one shows: the examples
`parse_errors` gives Lark's `UnexpectedInput.match_examples`. A new syntax error to
recognise is one line here (and a case in tests/hostile_corpus.py).
"""

from __future__ import annotations

__all__ = ["EXAMPLES"]

# Curated malformed queries, by label, for `UnexpectedInput.match_examples`. Lark
# matches on the parser state (and stack depth) where the example fails; states the
# examples do not cover, or a label that does not fit the offending token, fall back
# to `_guess_label`, which decides from the token and what the parser would accept.
EXAMPLES = {
    "missing operand": [
        "x +",
        "x -",
        "x *",
        "x /",
        "x @",
        "x ⊗",
        "x ⊙",
        "x ⊘",
        "x ·",
        "x ^",
        "x **",
        "x >",
        "x >=",
        "x <",
        "x <=",
        "-",
        "* x",
        "+ x",
        "x + * y",
        "x * / y",
        "x ^ * y",
        "f(x,",
        "f(,x)",
        "(",
        "[",
        "[x,",
        "()",
        "[]",
        "x + )",
        "f(x,)",
        "x^",
        "x[",
        "x[]",
        "x[1,]",
        "x[:, ]",
    ],
    "unclosed parenthesis": ["sin(x", "f(", "(x", "f(x, y", "(x + y", "((x)", "f(g(x)"],
    "unclosed bracket": ["[x", "[1, 2", "[[1, 2], [3, 4]", "[(x)", "x[1", "X[:, 1:2"],
    "unmatched closer": ["x)", "x]", "f(x))", "(x))", "[x]]", "x.T)", "2)", "x^2)"],
    "two operands without an operator": [
        "2x",
        "x y",
        "2 3",
        "2(x)",
        "(x)(y)",
        "(x) y",
        "x.T y",
        "x^2 y",
        "x + y z",
        "[1 2]",
        "f(x y)",
    ],
    "comparisons cannot be chained": ["a < b < c", "a > b > c", "a <= b >= c"],
    "bad declaration": [
        "x: ; x",
        "x:",
        "x: 3; x",
        "x: (n); x",
        "x: vector(; x",
        "x: vector(n; x",
        "x: vector(n,); x",
        "x: vector n; x",
        "x, : scalar; x",
        "x, y scalar; x",
        "x,",
        "x, 1: scalar; x",
        "x + y: scalar; x",
    ],
    "missing expression after the declarations": [
        "x: scalar",
        "x: vector(n)",
        "x: scalar;",
        "x: scalar; y: vector(n);",
    ],
}
