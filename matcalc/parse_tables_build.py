"""Writes `matcalc/parse_tables.py`: Lark's LALR tables for `grammar/matcalc.lark`, for
`parse_fast` (the parser a query meets first, which does not import Lark: issue 11, CLI
cold start).

    python -m matcalc.parse_tables_build           # rewrite matcalc/parse_tables.py
    python -m matcalc.parse_tables_build --check   # exit 1 when it is stale

Everything in the tables is read from the Lark parser that `parse._parser` builds (the
same grammar and options, the stock contextual lexer): the root lexer's regular
expression (Lark's own, its terminals in Lark's order), the terminals it ignores and those
that may hold a newline, the parse table, and for each rule how Lark's tree builder shapes
its node (the name, whether a single child stands for the node, which children are kept
and which are inlined). A feature of Lark the fast parser does not reproduce (lexer
callbacks, keyword terminals renamed by a regular expression's match, more terminals than
one regular expression holds, a tree-building step it does not know) stops the build with
the reason. tests/test_parse_fast.py fails when the file is stale.
"""

from __future__ import annotations

import argparse
import hashlib
import pprint
import sys
from pathlib import Path

__all__ = ["TABLES_FILE", "main", "tables_source"]

_HERE = Path(__file__).parent
TABLES_FILE = _HERE / "parse_tables.py"


def _lark_parser(grammar: str):
    from lark import Lark

    from .parse import PARSER_OPTIONS

    return Lark(grammar, **PARSER_OPTIONS)


def _rule_shape(callback) -> tuple:
    """(name, expand_single, include) of one rule's callback chain, as Lark built it:
    PropagatePositions(ChildFilter?(ExpandSingleChild?(Tree builder)))."""
    from lark.parse_tree_builder import (
        ChildFilterLALR_NoPlaceholders,
        ExpandSingleChild,
        PropagatePositions,
    )

    if type(callback) is not PropagatePositions or callback.node_filter is not None:
        raise SystemExit(f"unexpected rule callback {callback!r} (propagate_positions=True?)")
    builder = callback.node_builder
    include = None
    if type(builder) is ChildFilterLALR_NoPlaceholders:
        include = tuple((int(i), bool(splice)) for i, splice in builder.to_include)
        builder = builder.node_builder
    expand_single = type(builder) is ExpandSingleChild
    if expand_single:
        builder = builder.node_builder
    func, args = getattr(builder, "func", None), getattr(builder, "args", ())
    from lark import Tree

    if func is not Tree or len(args) != 1 or getattr(builder, "keywords", None):
        raise SystemExit(f"unexpected tree builder {builder!r}")
    return str(args[0]), expand_single, include


def tables_source(grammar: str | None = None) -> str:
    """The text of `matcalc/parse_tables.py` for `grammar` (default: grammar/matcalc.lark)."""
    from lark.parsers.lalr_analysis import Shift

    from .parse import grammar_text

    if grammar is None:
        grammar = grammar_text()  # where parse.py finds it: a checkout or an install
    parser = _lark_parser(grammar)
    frontend = parser.parser
    lexer = frontend.lexer
    if type(lexer).__name__ != "ContextualLexer" or parser.options.lexer_callbacks:
        raise SystemExit("the fast parser reproduces Lark's contextual lexer without callbacks")
    root = lexer.root_lexer
    scanner = root.scanner
    if len(scanner._mres) != 1 or root.callback:
        raise SystemExit(
            "the root lexer needs several regular expressions or renames tokens by callbacks "
            "(a string terminal its regular expressions also match): not reproduced"
        )
    pattern = scanner._mres[0]
    table = frontend.parser.parser.parse_table
    if list(table.start_states) != ["query"]:
        raise SystemExit(f"expected the one start symbol 'query', not {table.start_states}")

    rules = sorted(parser.rules, key=lambda rule: (str(rule), rule.alias or ""))  # stable
    index = {rule: i for i, rule in enumerate(rules)}
    callbacks = parser._callbacks
    rule_rows = []
    for rule in rules:
        name, expand_single, include = _rule_shape(callbacks[rule])
        rule_rows.append((str(rule.origin.name), len(rule.expansion), name, expand_single, include))
    # Lark numbers the states in an order that depends on the hash seed: here they are
    # numbered in the order a breadth-first walk from the start state meets them (the
    # symbols of each state in sorted order), so that the file depends on the grammar only.
    start = table.start_states["query"]
    number = {start: 0}
    order = [start]
    for state in order:
        for _symbol, (action, arg) in sorted(table.states[state].items()):
            if action is Shift and arg not in number:
                number[arg] = len(order)
                order.append(arg)
    if len(order) != len(table.states):
        raise SystemExit("some states of the parse table cannot be reached from the start")
    states = []
    for state in order:
        row = {}
        for symbol, (action, arg) in sorted(table.states[state].items()):
            row[str(symbol)] = number[arg] if action is Shift else ~index[arg]
        states.append(row)

    digest = hashlib.sha256(grammar.encode("utf-8")).hexdigest()
    data = {
        "GRAMMAR_SHA256": digest,
        "PATTERN": pattern.pattern,
        "FLAGS": int(pattern.flags) & ~32,  # (re.UNICODE is implied for str patterns)
        "IGNORE": tuple(sorted(root.ignore_types)),
        "NEWLINE_TYPES": tuple(sorted(root.newline_types)),
        "START": number[start],
        "END": number[table.end_states["query"]],
        "RULES": tuple(rule_rows),
        "STATES": tuple(states),
    }
    lines = [
        '"""Lark\'s LALR tables for grammar/matcalc.lark, for `parse_fast`. GENERATED by',
        "`python -m matcalc.parse_tables_build` (do not edit; tests/test_parse_fast.py fails",
        "when this file is stale).",
        "",
        "RULES: (origin, length, node name, a single child stands for the node, children kept",
        "as (index, inlined) or None for all). STATES: symbol -> the next state (shift, goto),",
        'or ~i: reduce by RULES[i]."""',
        "",
        "__all__ = [" + ", ".join(repr(name) for name in data) + "]",
        "",
    ]
    for name, value in data.items():
        lines.append(f"{name} = {pprint.pformat(value, width=100, sort_dicts=False)}")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Rewrite matcalc/parse_tables.py, or with --check say whether it is stale."""
    cli = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    cli.add_argument("--check", action="store_true", help="exit 1 if the file is stale")
    args = cli.parse_args(argv)
    text = tables_source()
    current = TABLES_FILE.read_text(encoding="utf-8") if TABLES_FILE.exists() else None
    if args.check:
        if current != text:
            print(f"{TABLES_FILE} is stale: run python -m matcalc.parse_tables_build")
            return 1
        print(f"{TABLES_FILE} is up to date")
        return 0
    if current != text:
        TABLES_FILE.write_text(text, encoding="utf-8")
        print(f"wrote {TABLES_FILE}")
    else:
        print(f"{TABLES_FILE} was up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
