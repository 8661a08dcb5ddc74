"""The parser without Lark (`parse_fast`, issue 11) against Lark's: the same `Query` for
every text Lark accepts (trees, values, positions), the same located failure for every
text whose tree the transformer refuses, and `Rejected` (so Lark parses it and explains
the error) for every text Lark refuses; its tables are not stale; the plain path does not
import Lark."""

from __future__ import annotations

import os
import subprocess
import sys

import hostile_corpus
import pytest
import test_parse
from hypothesis import given, settings
from hypothesis import strategies as st

from matcalc import parse, parse_fast
from matcalc.errors import ParseError
from matcalc.parse import grammar_text
from matcalc.parse_examples import EXAMPLES
from matcalc.parse_tables_build import TABLES_FILE, tables_source
from matcalc.parse_tree import Fail, ToSyntax

VALID = [
    "w, x: vector(n); b: scalar; max(0, w·x + b)",
    "A: matrix(m, n); x: vector(n); y: vector(m); sum((A@x - y)^2) / 2",
    "X: matrix; x: vector\nsoftmax(X @ x)[0] + x.T @ x.Tᵀ - X.mT[1, :]",
    "x: vector(3) # a comment\n; y: vector(3)\n\n-x ⊙ y ⊘ (2.5e-3 ** -x) >= 1",
    "W: matrix(h, d); x: vector(d); logsumexp(W @ x, axis=0, keepdims=True)",
    "T: tensor(a, b, c); einsum('ijk->k', T) * [1, 2, x[1:3]][0]",
    "norm(x, 2) + trace(A @ B.T) - det(A) * -(-(x))",
    "x: vector(\n n); sum(x[:]) + x[1:] @ x[:2]",
    "s: scalar\n s^2 < s ** 3 # end",
]


def _mutations(text: str) -> list[str]:
    """Each one-character deletion, and each of a few characters inserted everywhere."""
    out = [text[:i] + text[i + 1 :] for i in range(len(text))]
    for ch in "(]:;,\n.T=-":
        out += [text[:i] + ch + text[i:] for i in range(0, len(text) + 1, 3)]
    return out


def _corpus() -> list[str]:
    texts = list(VALID)
    for table in (
        test_parse.PRECEDENCE,
        test_parse.UNICODE,
        test_parse.CALLS,
        test_parse.LISTS,
        test_parse.NUMBERS,
        test_parse.LAYOUT,
        test_parse.DECLARATIONS,
        test_parse.POSITIONS,
        test_parse.ERRORS,
        test_parse.NESTING,
    ):
        texts += [row[0] for row in table]
    for examples in EXAMPLES.values():
        texts += examples
    for case in hostile_corpus.CASES:
        argv = getattr(case, "argv", ())
        if argv and isinstance(argv[0], str) and len(argv[0]) < 2000:
            texts.append(argv[0])
    for text in VALID:
        texts += _mutations(text)
    return list(dict.fromkeys(t for t in texts if isinstance(t, str)))


CORPUS = _corpus()


def _flat(query) -> tuple:
    """The query as a flat tuple (its trees pre-order, without recursion: some are deep)."""
    nodes, stack = [], [query.body]
    while stack:
        node = stack.pop()
        nodes.append((node.kind, node.value, node.pos, node.keywords, len(node.children)))
        stack.extend(reversed(node.children))
    return query.declarations, tuple(nodes), query.text


def _by_lark(text: str):
    """Lark's answer: ("query", Query), ("fail", its args) or ("syntax", None)."""
    from lark.exceptions import UnexpectedInput

    try:
        tree = parse._parser().parse(text)
    except UnexpectedInput:
        return "syntax", None
    try:
        return "query", _flat(parse._transform(tree, ToSyntax(text)))
    except Fail as failure:
        return "fail", failure.args_


def _by_fast(text: str):
    try:
        return "query", _flat(parse_fast.parse(text, ToSyntax(text), parse._POSTLEX, Fail))
    except Fail as failure:
        return "fail", failure.args_
    except parse_fast.Rejected:
        return "syntax", None


def test_the_corpus_has_both_kinds():
    kinds = [_by_lark(text)[0] for text in CORPUS]
    assert len(CORPUS) > 1000
    assert kinds.count("query") > 200 and kinds.count("syntax") > 200 and "fail" in kinds


def test_the_fast_parser_agrees_with_lark_on_every_text():
    disagreements = []
    for text in CORPUS:
        lark, fast = _by_lark(text), _by_fast(text)
        if lark != fast:
            disagreements.append((text, lark, fast))
    assert not disagreements, disagreements[:3]


# Pieces of queries, valid and not, for random texts: every terminal and the texts where
# two terminals' regular expressions compete (.T/.mT/.5, */**, >/>=, =, strings, comments).
_PIECES = [
    *"x y A W1 σ Σ_2 f sum softmax vector matrix scalar tensor n m 0 3 2.5 .5 1e-3 2E+4".split(),
    *"+ - * ** / @ ⊙ ⊗ ⊘ · ^ ᵀ .T .mT .Tx > >= < <= = ( ) [ ] , : ; . # !".split(),
    "'ij->j'",
    '"i,i->"',
    "'open",
    " ",
    "  ",
    "\t",
    "\n",
    "\n\n",
    "# note\n",
    "\r",
    "axis=1",
    "keepdims=True",
    "x: vector(n);",
    "A: matrix(m, n)\n",
    "x[1:3]",
    "f(x, y)",
]


@settings(max_examples=400, derandomize=True, deadline=None, database=None)
@given(st.lists(st.sampled_from(_PIECES), min_size=1, max_size=14))
def test_random_texts_agree(pieces):
    text = "".join(pieces)
    assert _by_fast(text) == _by_lark(text)


@settings(max_examples=300, derandomize=True, deadline=None, database=None)
@given(st.sampled_from(VALID), st.integers(0, 200), st.sampled_from(_PIECES))
def test_valid_queries_with_a_piece_inserted_agree(text, at, piece):
    at %= len(text) + 1
    text = text[:at] + piece + text[at:]
    assert _by_fast(text) == _by_lark(text)


def test_positions_and_tokens_as_lark_gives_them():
    # A spot check that the comparison compares positions: spans over lines, inlined
    # parentheses (a node replaced by its only child keeps its place, its parent spans
    # the parentheses), comments and Unicode.
    text = "x: vector(\n n) # c\n;  -(x)ᵀ @ f(x,\n x)"
    assert _by_fast(text)[0] == "query" and _by_fast(text) == _by_lark(text)
    neg = parse.parse_query(text).body.children[0]  # -((x)ᵀ)
    transpose = neg.children[0]
    assert neg.kind == "neg" and (neg.pos.line, neg.pos.column, neg.pos.end_column) == (3, 4, 9)
    assert transpose.kind == "transpose" and (transpose.pos.column, transpose.pos.end_column) == (
        5,
        9,
    )


def test_a_failure_after_a_syntax_error_is_lark_s_syntax_error():
    # The transformer's failure (a bad shape) comes first in the text, but Lark parses
    # the whole text before transforming: the syntax error is the one reported.
    text = "x: vektor; (x +"
    assert _by_fast(text) == ("syntax", None)
    with pytest.raises(ParseError) as caught:
        parse.parse_query(text)
    assert caught.value.message == "missing operand"


def test_the_tables_are_not_stale():
    assert TABLES_FILE.read_text(encoding="utf-8") == tables_source(), (
        "matcalc/parse_tables.py is stale: run python -m matcalc.parse_tables_build"
    )


def test_the_build_refuses_what_the_fast_parser_does_not_reproduce():
    # A keyword ("let") that NAME's regular expression also matches: Lark's lexer renames
    # the token by a callback, which the fast parser does not do. The build says so.
    grammar = grammar_text()
    with pytest.raises(SystemExit, match="callbacks"):
        tables_source(grammar + '\n%extend declaration: "let" NAME ":" shape\n')


def test_the_tables_depend_on_the_grammar_only():
    # Lark numbers its states by the hash seed; the tables must not.
    script = "from matcalc.parse_tables_build import tables_source; print(tables_source())"
    outputs = {
        subprocess.run(
            [sys.executable, "-c", script],
            env=dict(os.environ, PYTHONHASHSEED=seed),
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in ("1", "2")
    }
    assert outputs == {tables_source() + "\n"}


def test_a_valid_query_does_not_import_lark():
    script = (
        "import sys; from matcalc.parse import parse_query; "
        "parse_query('x: vector(n); sum(x @ x.T)'); print('lark' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "False"
