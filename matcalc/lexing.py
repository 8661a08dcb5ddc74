"""Lark's contextual lexer, built on demand (issue 11: CLI cold start). Lark parses a query
only when `parse_fast` rejects it (a syntax error, mostly): this keeps that path's start
short too.

Lark's `ContextualLexer` builds, when the parser is made, one `BasicLexer` for each set of
terminals a parser state accepts (about 40 for matcalc's grammar, each sorting all the
terminals by their regular expressions' widths), and each of them compiles its own
combined regular expression the first time its state is met (about 10 for a short query).
`ContextualLexer` here gives the same tokens and the same errors for less:

- a state's lexer is made the first time the parser is in that state;
- every token is first matched by the root lexer (all terminals, one regular expression
  for the whole grammar); its answer is the state lexer's answer whenever the terminal it
  matched is one the state accepts and the state's terminals are ordered and embedded as
  the root's are (`_agrees`). Otherwise the state's own lexer matches, from the same
  place, as Lark's does.

Why the root's answer is then the state's: both lexers try their terminals in the same
order (Lark sorts every lexer's terminals by one key), the state's being the root's
restricted to the state's set; the first terminal that matches in the root's order,
when it is in the state's set, is the first that matches in the state's order.
"""

from __future__ import annotations

from copy import copy

from lark.exceptions import UnexpectedCharacters, UnexpectedToken
from lark.lexer import BasicLexer, PatternStr
from lark.lexer import ContextualLexer as _LarkContextualLexer

__all__ = ["ContextualLexer"]


class _RootLexer(BasicLexer):
    """A basic lexer over all terminals that remembers the terminal its last match found
    (before a callback renamed it)."""

    found = None

    def match(self, text, pos):
        res = self.scanner.match(text, pos)
        self.found = res and res[1]
        return res


class ContextualLexer(_LarkContextualLexer):
    """Lark's contextual lexer, its state lexers built lazily and bypassed when the root
    lexer's match is the state's (see the module's docstring). Pass it to Lark as
    `_plugins={"ContextualLexer": ContextualLexer}`."""

    def __init__(self, conf, states, always_accept=()) -> None:
        # Lark's __init__ builds every state's lexer; here only the root is set up
        # (its regular expression is compiled on its first match).
        self._conf = conf
        self._states = states
        self._extra = set(conf.ignore) | set(always_accept)
        self._by_accepts: dict = {}
        self._safe: dict = {}
        self.lexers = _StateLexers(self)
        root_conf = copy(conf)
        root_conf.terminals = list(conf.terminals)
        root_conf.skip_validation = True
        self.root_lexer = _RootLexer(root_conf)

    def _lexer(self, state):
        """The state's BasicLexer, as Lark's ContextualLexer makes it (one per set)."""
        key = frozenset(self._states[state])
        lexer = self._by_accepts.get(key)
        if lexer is None:
            conf = copy(self._conf)
            by_name = conf.terminals_by_name
            conf.terminals = [by_name[n] for n in set(key) | self._extra if n in by_name]
            lexer = BasicLexer(conf)
            self._by_accepts[key] = lexer
        return lexer

    def _agrees(self, lexer) -> frozenset:
        """The terminals for which the root's match is `lexer`'s (empty when none)."""
        names = self._safe.get(lexer)
        if names is None:
            names = frozenset(t.name for t in lexer.terminals)
            root = self.root_lexer.scanner  # (built here, once)
            embedded = {t.name for t in self.root_lexer.terminals} - root.allowed_types
            # A string the root matches through a regular expression (`if` by NAME) must
            # be matched so by the state too, else the two orders differ.
            for name in embedded & names:
                string = self._conf.terminals_by_name[name]
                if not any(_embeds(t, string, self._conf) for t in lexer.terminals):
                    names = frozenset()
                    break
            self._safe[lexer] = names
        return names

    def lex(self, lexer_state, parser_state):
        root = self.root_lexer
        try:
            while True:
                lexer = self.lexers[parser_state.position]
                accepted = self._agrees(lexer)
                counter = lexer_state.line_ctr
                saved = (
                    counter.char_pos,
                    counter.line,
                    counter.column,
                    counter.line_start_pos,
                    lexer_state.last_token,
                )
                try:
                    token = root.next_token(lexer_state, parser_state)
                except (UnexpectedCharacters, EOFError):
                    token = None
                if token is None or root.found not in accepted or token.type not in accepted:
                    (
                        counter.char_pos,
                        counter.line,
                        counter.column,
                        counter.line_start_pos,
                        lexer_state.last_token,
                    ) = saved
                    token = lexer.next_token(lexer_state, parser_state)
                yield token
        except EOFError:
            pass
        except UnexpectedCharacters as e:
            # As Lark's: a terminal that exists but not here is an unexpected token.
            try:
                last_token = lexer_state.last_token
                token = root.next_token(lexer_state, parser_state)
                raise UnexpectedToken(
                    token,
                    e.allowed,
                    state=parser_state,
                    token_history=[last_token],
                    terminals_by_name=root.terminals_by_name,
                )
            except UnexpectedCharacters:
                raise e  # noqa: B904 (Lark's own error, as Lark raises it)


def _embeds(regex, string, conf) -> bool:
    """Whether Lark's lexer would match `string` through the terminal `regex` (and rename
    the token): lark.lexer._create_unless's test."""
    if isinstance(regex.pattern, PatternStr) or regex.priority != string.priority:
        return False
    if not string.pattern.flags <= regex.pattern.flags:
        return False
    s = string.pattern.value
    m = conf.re_module.match(regex.pattern.to_regexp(), s, conf.g_regex_flags)
    return bool(m) and m.group(0) == s


class _StateLexers(dict):
    """state -> BasicLexer, made on first use."""

    def __init__(self, owner: ContextualLexer) -> None:
        super().__init__()
        self._owner = owner

    def __missing__(self, state):
        lexer = self[state] = self._owner._lexer(state)
        return lexer
