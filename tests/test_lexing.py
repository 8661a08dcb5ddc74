"""matcalc.lexing (issue 11, cold start): the on-demand contextual lexer gives exactly the
tokens, trees and errors of Lark's own contextual lexer, on the grammar as it is."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lark import Lark, Token, Tree
from lark.exceptions import UnexpectedInput

from matcalc import parse
from matcalc.lexing import ContextualLexer

CORPUS = [
    "w, x: vector(n); w @ x",
    "x: scalar\n x^2",
    "x:\n scalar; x",
    "A: matrix(m,\n n); x: vector(n); A @ x",
    "max(0, w·x + b)",
    "sum(x, axis=1, keepdims=True) ⊙ Xᵀ",
    "X.mT @ X.T ** 2 ⊘ y",
    "[1, 2.5e-3, .5] # a comment",
    "softmax(W @ x, axis=(0, 1))",
    "a >= b <= c",
    "x: vector(n) y",
    "x: vektor; x",
    "x $ y",
    "f(,)",
    "x.Tx",
    "1 +",
    ")",
    "α + Ω · β",
    "",
    "x;;;\n\n x",
]


def _lark(plugins: dict) -> Lark:
    return Lark(
        parse.grammar_text(),
        parser="lalr",
        lexer="contextual",
        start="query",
        propagate_positions=True,
        maybe_placeholders=False,
        postlex=parse._DeclarationNewlines(),
        _plugins=plugins,
    )


_STOCK_AND_OURS = (_lark({}), _lark({"ContextualLexer": ContextualLexer}))


def _outcome(parser: Lark, text: str) -> object:
    """The tree with every token's type, value and place, or the error and its place."""

    def flat(node: object) -> object:
        if isinstance(node, Tree):
            return (node.data, [flat(child) for child in node.children])
        assert isinstance(node, Token)
        return (node.type, str(node), node.line, node.column, node.end_line, node.end_column)

    try:
        return flat(parser.parse(text))
    except UnexpectedInput as error:
        token = getattr(error, "token", None)
        return (
            type(error).__name__,
            error.line,
            error.column,
            token and (token.type, str(token)),
            sorted(getattr(error, "expected", None) or getattr(error, "allowed", None) or ()),
        )


@pytest.mark.parametrize("text", CORPUS)
def test_same_as_larks_lexer(text: str) -> None:
    stock, ours = _STOCK_AND_OURS
    assert _outcome(ours, text) == _outcome(stock, text)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="xAn01.5eT m:,;()[]=+-*/@^ᵀ⊙·⊘<>#\n\tα$", max_size=30))
def test_same_as_larks_lexer_on_any_text(text: str) -> None:
    stock, ours = _STOCK_AND_OURS
    assert _outcome(ours, text) == _outcome(stock, text)


def test_the_parser_uses_it() -> None:
    assert isinstance(parse._parser().parser.lexer.lexer, ContextualLexer)


def test_the_tables_are_cached_per_grammar_in_a_private_folder(tmp_path, monkeypatch) -> None:
    """Lark's pickled tables go to the user's cache folder (never the package's, nor a
    shared /tmp whose file another user could plant), one file per grammar."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    path = parse._cache_path("query: NAME")
    assert path.startswith(str(tmp_path / "matcalc")) and path.endswith(".pickle")
    assert (tmp_path / "matcalc").stat().st_mode & 0o077 == 0
    assert parse._cache_path("query: NUMBER") != path
    (tmp_path / "matcalc").chmod(0o777)  # others may write in it: no cache
    assert parse._cache_path("query: NAME") is False


def test_no_cache_where_no_folder_can_be_made(tmp_path, monkeypatch) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked))  # a file, not a folder
    assert parse._cache_path("query: NAME") is False
