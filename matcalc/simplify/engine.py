"""The simplifier's driver: the table of named rewrites, the decorator that registers one, and
`simplify`, which applies them bottom-up to a fixed point within a budget of rewrites.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

from .. import expr as E
from ..errors import LimitError
from ..limits import SIMPLIFY_BUDGET
from ..readoff import rebuild
from .present import present

__all__ = ["RULES", "TRIAL_BUDGET", "BudgetExceeded", "Rewrite", "rewrite", "simplify"]

RULES: list = []
TRIAL_BUDGET = 2000  # rewrites of one trial simplification (a guarded rule's test)


def rewrite(name: str, trial: bool = False) -> Callable[[Callable], Callable]:
    """Register a rule; `trial` marks a guarded rule that simplifies a candidate to see
    whether it shrinks (it is not run inside such a trial, so trials do not nest)."""

    def register(fn):
        fn.rule_name = name
        fn.trial = trial
        RULES.append(fn)
        return fn

    return register


_TRIALS = threading.local()  # the rules the last trial simplification applied, per thread


def _trial(candidate: E.Expr) -> E.Expr | None:
    """`candidate` simplified without the guarded rules, or None if that exceeds its budget.
    The rules it applied are kept, so the guarded rule's step names them too."""
    inner: list = []
    try:
        out = simplify(candidate, budget=TRIAL_BUDGET, log=inner, trials=False)
    except BudgetExceeded:
        return None
    _TRIALS.rules = [r.rule for r in inner]
    return out


def _name(fn) -> str:
    """A rule's name in the log; a guarded rule's with the rules of its trial after it
    (`distribute-when-it-cancels; simplex-sum`): no rewrite is applied unnamed."""
    if not fn.trial:
        return fn.rule_name
    inner = list(dict.fromkeys(getattr(_TRIALS, "rules", ())))
    return "; ".join([fn.rule_name, *inner])


@dataclass
class Rewrite:
    rule: str
    before: E.Expr
    after: E.Expr


class BudgetExceeded(LimitError):
    """More rewrites than the budget: a rule set that loops is a bug, not an answer."""


def simplify(
    root: E.Expr, budget: int = SIMPLIFY_BUDGET, log: list | None = None, trials: bool = True
) -> E.Expr:
    """Bottom-up, each node once, each rewritten node simplified again; at most `budget`
    rule applications (a BudgetExceeded beyond). `trials=False` leaves out the guarded
    rules (those registered with trial=True), as their own trial simplifications do, and
    the presentation pass (`present`: transposes gathered), which runs last otherwise."""
    rules = [fn for fn in RULES if trials or not fn.trial]
    memo: dict = {}
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
            memo[n] = at_node(new)
        return memo[node]

    def at_node(n):
        for fn in rules:
            if fn.trial:
                _TRIALS.rules = []
            out = fn(n)
            if out is not None and out is not n:
                count[0] += 1
                if count[0] > budget:
                    raise BudgetExceeded(
                        f"simplification needed more than {budget} rewrites "
                        f"(the limit SIMPLIFY_BUDGET)"
                    )
                if log is not None:
                    log.append(Rewrite(_name(fn), n, out))
                return visit(out)
        return n

    out = visit(root)
    if not trials:
        return out

    def record(rule, before, after):
        if log is not None:
            log.append(Rewrite(rule, before, after))

    return present(out, record=record)
