"""The parser a query meets first: Lark's LALR tables (`parse_tables`, generated from
grammar/matcalc.lark by `python -m matcalc.parse_tables_build`) run without importing
Lark (issue 11: CLI cold start; Lark's import and its parser's construction were about
half of a plain query's start).

`parse(text, handler, postlex)` gives what Lark's parser followed by the transformer
`handler` (parse_tree.ToSyntax) gives for every text this parser accepts, and raises
`Rejected` for every other text: `parse.parse_query` then parses it with Lark, which
finds and locates the error (or, should this parser ever refuse a text Lark accepts,
parses it). So errors are Lark's, always; this parser only has to agree on the texts it
accepts, which tests/test_parse_fast.py checks on a corpus.

How it agrees with Lark, piece by piece:

- Lexing: the root lexer's regular expression is Lark's (its terminals in Lark's order).
  Lark's contextual lexer matches with the terminals the parser's state accepts, in the
  same order; the root's first match is therefore the state's whenever its terminal is one
  the state accepts, and any other token is `Rejected`. Lines and columns are counted as
  Lark's `LineCounter` counts them; ignored terminals are skipped.
- The post-lexer (`parse._DeclarationNewlines`) is the one Lark is given.
- Parsing: Lark's LALR table and its loop (`ParserState.feed_token`).
- Tree shaping: each rule's node as Lark's tree builder makes it (children kept, `_rule`s
  inlined, a `?rule` with one child replaced by it), and positions as Lark's
  `PropagatePositions` sets them: a node spans its first positioned child's container to
  its last's, where a child replaced by its only child keeps its own position but its
  container grows to the replaced node's span.
- Transforming: Lark transforms the finished tree bottom-up, left to right, which is the
  order in which LALR reductions finish nodes; so `handler`'s method for a node is called
  at its reduction, with the same `meta` and children. A `parse_tree.Fail` it raises is
  kept and raised once the whole text has parsed (Lark parses first, then transforms), so
  a syntax error further on still wins; after it no method is called (Lark's transformer
  stops at the first exception). Any other exception is `Rejected`: Lark decides.
"""

from __future__ import annotations

import re
from collections.abc import Callable

__all__ = ["Meta", "Rejected", "Token", "parse"]


class Rejected(Exception):
    """Not a text this parser accepts as Lark would: parse it with Lark."""


class Token(str):
    """A token as Lark's `Token`: its text, its terminal's name (`type`) and its place
    (1-based lines and columns, 0-based positions; the ends exclusive)."""

    type: str
    start_pos: int
    line: int
    column: int
    end_line: int
    end_column: int
    end_pos: int

    def __new__(
        cls, type_: str, value: str, start: int, line: int, column: int, end: tuple
    ) -> Token:
        self = super().__new__(cls, value)
        self.type = type_
        self.start_pos, self.line, self.column = start, line, column
        self.end_line, self.end_column, self.end_pos = end
        return self

    def __repr__(self) -> str:
        return f"Token({self.type!r}, {str(self)!r})"


class Meta:
    """A node's place, as Lark's `Meta` gives it to a transformer."""

    __slots__ = ("line", "column", "start_pos", "end_line", "end_column", "end_pos", "empty")

    def __init__(self, span: tuple) -> None:
        (self.line, self.column, self.start_pos) = span[:3]
        (self.end_line, self.end_column, self.end_pos) = span[3:]
        self.empty = False


class _Inlined(list):
    """The children of a `_rule`'s node, to be inlined in its parent's."""


class _Failed:
    """The value of a node after the handler failed (no method is called any more)."""


_FAILED = _Failed()
_match: Callable | None = None


def _matcher() -> Callable:
    global _match
    if _match is None:
        from . import parse_tables as _tables  # (generated; imported when first needed)

        _match = re.compile(_tables.PATTERN, _tables.FLAGS).match
    return _match


def _span(places: list) -> tuple | None:
    """(line, column, start_pos, end_line, end_column, end_pos) from the first positioned
    child to the last, or None when no child has a place."""
    first = last = None
    for place in places:
        if place is not None:
            first = place
            break
    if first is None:
        return None
    for place in reversed(places):
        if place is not None:
            last = place
            break
    return first[:3] + last[3:]


def _place(token: Token) -> tuple:
    return (
        token.line,
        token.column,
        token.start_pos,
        token.end_line,
        token.end_column,
        token.end_pos,
    )


def parse(text: str, handler: object, postlex: object, fail: type[Exception]) -> object:
    """The handler's value for the whole text (see the module's docstring); `Rejected`
    when the text is not one this parser takes. A `fail` the handler raises is raised
    once the whole text has parsed."""
    from . import parse_tables as _tables

    match = _matcher()
    states = _tables.STATES
    rules = _tables.RULES
    ignore = frozenset(_tables.IGNORE)
    newline_types = frozenset(_tables.NEWLINE_TYPES)
    always = frozenset(postlex.always_accept)
    stack = [_tables.START]  # parser states
    values: list = []  # one per state after the first
    places: list = []  # each value's (container's) place, as in `_span`; None: none
    failure: list = []

    def tokens():
        pos, line, line_start, size = 0, 1, 0, len(text)
        while pos < size:
            found = match(text, pos)
            if found is None:
                raise Rejected
            kind, value = found.lastgroup, found.group()
            if kind not in states[stack[-1]] and kind not in ignore and kind not in always:
                raise Rejected  # Lark's state lexer may match otherwise, or fail here
            column = pos - line_start + 1
            start, start_line = pos, line
            if kind in newline_types:
                newlines = value.count("\n")
                if newlines:
                    line += newlines
                    line_start = pos + value.rindex("\n") + 1
            pos += len(value)
            if kind not in ignore:
                yield Token(
                    kind, value, start, start_line, column, (line, pos - line_start + 1, pos)
                )

    def reduce(rule: tuple) -> None:
        origin, size, name, expand_single, include = rule
        if size:
            children, child_places = values[-size:], places[-size:]
            del stack[-size:], values[-size:], places[-size:]
        else:
            children, child_places = [], []
        span = _span(child_places)
        if include is None:
            kept = children
        else:
            kept = []
            for i, inline in include:
                if inline:
                    if type(children[i]) is not _Inlined:  # (a `?_rule` replaced by its child)
                        raise Rejected
                    kept += children[i]
                else:
                    kept.append(children[i])
        if expand_single and len(kept) == 1:
            value = kept[0]  # a token keeps its place; a node's container grows to the span
            place = _place(value) if isinstance(value, Token) else span
        elif name.startswith("_"):
            value, place = _Inlined(kept), span
        elif failure:
            value, place = _FAILED, span
        else:
            method = getattr(handler, name, None)
            if method is None or span is None or any(type(v) is _Inlined for v in kept):
                raise Rejected  # a node Lark's transformer would leave as a tree
            try:
                value = method(Meta(span), *kept)
            except fail as exc:
                failure.append(exc)
                value = _FAILED
            except Exception as exc:  # any other: Lark's transformer decides
                raise Rejected from exc
            place = span
        stack.append(states[stack[-1]][origin])
        values.append(value)
        places.append(place)

    def feed(kind: str, token: Token | None) -> object:
        while True:
            action = states[stack[-1]].get(kind)
            if action is None:
                raise Rejected
            if action >= 0:
                if token is None:  # (Lark: the end is never shifted)
                    raise Rejected
                stack.append(action)
                values.append(token)
                places.append(_place(token))
                return None
            reduce(rules[~action])
            if token is None and stack[-1] == _tables.END:
                return values[-1]

    for token in postlex.process(tokens()):
        feed(token.type, token)
    result = feed("$END", None)
    if failure:
        raise failure[0]
    if type(result) is _Inlined or result is _FAILED:
        raise Rejected
    return result
