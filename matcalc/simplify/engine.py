"""The simplifier's driver: the table of named rewrites, the decorator that registers one, and
`simplify`, which applies them bottom-up to a fixed point within a budget of rewrites.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass

from .. import expr as E
from ..errors import LimitError
from ..limits import SIMPLIFY_BUDGET
from ..readoff import rebuild
from .present import present

__all__ = [
    "RULES",
    "TRIAL_BUDGET",
    "BudgetExceeded",
    "Rewrite",
    "rewrite",
    "simplify",
    "smaller_by_trial",
]

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


# What the running simplification knows, for the trials its guarded rules run: the nodes it
# has finished (each a fixed point of every rule, so of the trial's rules too: a trial
# starts from them instead of simplifying again the parts of its candidate that are already
# simple) and the trials already decided (a long product offers the same candidate at every
# rebuild of its chain). Without them a deep chain's trials cost L^3.
_RUN: ContextVar[tuple[set, dict] | None] = ContextVar("simplify_run", default=None)
_UNDECIDED = object()
_TRIALS = threading.local()  # the rules the last trial simplification applied, per thread


def _trial(candidate: E.Expr) -> E.Expr | None:
    """`candidate` simplified without the guarded rules, or None if that exceeds its budget.
    The rules it applied are kept, so the guarded rule's step names them too."""
    run = _RUN.get()
    inner: list = []
    try:
        out = simplify(
            candidate,
            budget=TRIAL_BUDGET,
            log=inner,
            trials=False,
            _known=run[0] if run else None,
        )
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


def smaller_by_trial(candidate: E.Expr, than: E.Expr) -> E.Expr | None:
    """`candidate` simplified without the guarded rules, if that has fewer nodes than
    `than` (the guard of a trial rule); else None, also past the trial's budget. Asked
    again within one simplification, the answer is remembered."""
    run = _RUN.get()
    key = (candidate, than)
    if run is not None:
        known = run[1].get(key, _UNDECIDED)
        if known is not _UNDECIDED:
            out, _TRIALS.rules = known  # the rules its trial applied, for the step's name
            return out
    out = _trial(candidate)
    if out is not None and E.size_difference(out, than) >= 0:
        out = None
    if run is not None:
        run[1][key] = (out, list(getattr(_TRIALS, "rules", ())))
    return out


@dataclass
class Rewrite:
    rule: str
    before: E.Expr
    after: E.Expr


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
    finished = set() if trials else None  # what this run finishes, for its trials
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

    if finished is None:
        return visit(root)
    token = _RUN.set((finished, {}))
    try:
        out = visit(root)
    finally:
        _RUN.reset(token)

    def record(rule, before, after):
        if log is not None:
            log.append(Rewrite(rule, before, after))

    return present(out, record=record)
