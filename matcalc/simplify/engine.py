"""The simplifier's driver: the table of named rewrites, the decorator that registers one, and
`simplify`, which applies them bottom-up to a fixed point within a budget of rewrites.
"""

from __future__ import annotations

from collections.abc import Callable

from .. import expr as E
from ..errors import LimitError
from ..limits import SIMPLIFY_BUDGET
from ..readoff import rebuild
from ..records import Struct
from .present import present

__all__ = [
    "RULES",
    "TRIAL_BUDGET",
    "BudgetExceeded",
    "Rewrite",
    "Trial",
    "Trials",
    "apply_rule",
    "rewrite",
    "simplify",
]

RULES: list = []
TRIAL_BUDGET = 2000  # rewrites of one trial simplification (a guarded rule's test)


def rewrite(name: str, trial: bool = False) -> Callable[[Callable], Callable]:
    """Register a rule: `fn(node)` returns the rewritten node or None. `trial` marks a
    guarded rule, `fn(node, trials)`, which simplifies a candidate to see whether it
    shrinks (through `trials.smaller`) and returns that `Trial` or None (it is not run
    inside such a trial, so trials do not nest)."""

    def register(fn):
        fn.rule_name = name
        fn.trial = trial
        RULES.append(fn)
        return fn

    return register


class Trial:
    """A guarded rule's answer: the rewritten node, and the rules its trial simplification
    applied (the step names them after the guarded rule: no rewrite is applied unnamed)."""

    __slots__ = ("expr", "rules")

    def __init__(self, expr: E.Expr, rules: tuple[str, ...] = ()):
        self.expr, self.rules = expr, rules

    def __repr__(self) -> str:
        return f"Trial({self.expr!r}, {self.rules!r})"

    def around(self, expr: E.Expr) -> Trial:
        """The same trial's answer, placed in a larger node."""
        return Trial(expr, self.rules)


_UNDECIDED = object()


class Trials:
    """The trials of one simplification. `known`: the nodes it has finished (each a fixed
    point of every rule, so of the trial's rules too: a trial starts from them instead of
    simplifying again the parts of its candidate that are already simple); `decided`: the
    answers given (a long product offers the same candidate at every rebuild of its chain).
    Without them a deep chain's trials cost L^3."""

    __slots__ = ("decided", "known")

    def __init__(self) -> None:
        self.known: set = set()
        self.decided: dict = {}

    def smaller(self, candidate: E.Expr, than: E.Expr) -> Trial | None:
        """`candidate` simplified without the guarded rules, if that has fewer nodes than
        `than` (the guard of a trial rule); else None, also past the trial's budget. Asked
        again, the answer is remembered."""
        key = (candidate, than)
        answer = self.decided.get(key, _UNDECIDED)
        if answer is not _UNDECIDED:
            return answer
        inner: list = []
        try:
            out = simplify(
                candidate, budget=TRIAL_BUDGET, log=inner, trials=False, _known=self.known
            )
        except BudgetExceeded:
            out = None
        answer = (
            Trial(out, tuple(dict.fromkeys(r.rule for r in inner)))
            if out is not None and E.size_difference(out, than) < 0
            else None
        )
        self.decided[key] = answer
        return answer


def apply_rule(fn: Callable, node: E.Expr, trials: Trials | None = None) -> E.Expr | None:
    """What rule `fn` rewrites `node` to (None where it does not apply), whether guarded or
    not: a guarded rule's `Trial` gives its node (its trials in `trials`, or fresh ones)."""
    if not fn.trial:
        return fn(node)
    answer = fn(node, trials if trials is not None else Trials())
    return None if answer is None else answer.expr


class Rewrite(Struct):
    """One rewrite a rule made: its name, the subexpression before and after."""

    __slots__ = ("rule", "before", "after")
    rule: str
    before: E.Expr
    after: E.Expr

    def __init__(self, rule: str, before: E.Expr, after: E.Expr) -> None:
        self.rule, self.before, self.after = rule, before, after

    def _key(self) -> tuple:
        return (self.rule, self.before, self.after)


class BudgetExceeded(LimitError):
    """More rewrites than the budget: a rule set that loops is a bug, not an answer."""


def simplify(
    root: E.Expr,
    budget: int = SIMPLIFY_BUDGET,
    log: list | None = None,
    trials: bool = True,
    _known: set | None = None,
) -> E.Expr:
    """Bottom-up, each node once, each rewritten node simplified again; at most `budget`
    rule applications (a BudgetExceeded beyond). `trials=False` leaves out the guarded
    rules (those registered with trial=True), as their own trial simplifications do, and
    the presentation pass (`present`: transposes gathered), which runs last otherwise.
    `_known`: nodes already known to be fixed points of these rules (a trial's, from the
    simplification that runs it)."""
    rules = [fn for fn in RULES if trials or not fn.trial]
    memo: dict = {}
    known = _known if _known is not None else ()
    # this run's trials, which start from what it has finished (a trial run has none)
    run = Trials() if trials else None
    finished = run.known if run is not None else None
    count = [0]

    def visit(node):
        hit = memo.get(node)
        if hit is not None:
            return hit
        stack = [(node, False)]
        while stack:
            n, ready = stack.pop()
            if n in memo:
                continue
            if n in known:
                memo[n] = n
                continue
            kids = n.children
            if not ready:
                stack.append((n, True))
                stack.extend((k, False) for k in kids if k not in memo)
                continue
            new = (
                rebuild(n, [memo[k] for k in kids])
                if kids and any(memo[k] is not k for k in kids)
                else n
            )
            done = at_node(new)
            memo[n] = done
            if finished is not None:
                finished.add(done)
        return memo[node]

    def at_node(n):
        for fn in rules:
            if fn.trial:
                answer = fn(n, run)
                if answer is None:
                    continue
                out = answer.expr
            else:
                out = fn(n)
                if out is None:
                    continue
            if out is n:
                continue
            count[0] += 1
            if count[0] > budget:
                raise BudgetExceeded(
                    f"simplification needed more than {budget} rewrites (the limit SIMPLIFY_BUDGET)"
                )
            if log is not None:
                name = "; ".join((fn.rule_name, *answer.rules)) if fn.trial else fn.rule_name
                log.append(Rewrite(name, n, out))
            return visit(out)
        return n

    out = visit(root)
    if run is None:
        return out

    def record(rule, before, after):
        if log is not None:
            log.append(Rewrite(rule, before, after))

    return present(out, record=record)
