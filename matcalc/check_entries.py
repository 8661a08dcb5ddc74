"""How `check` decides that an entry of our derivative equals SymPy's: proved symbolically,
or equal at random points of the domain, computed with high precision.

1. A cheap proof of every entry: the difference is 0 as built, or once expanded with each
   function application and each reciprocal of a sum as a symbol (`Atoms`: arguments and
   denominators expanded once, shared by the entries). Expansion is tried only when its
   number of terms, bounded from the expression's shape, stays under EXPAND_TERMS.
2. The entries not proved are compared numerically: at random points of the domain (where
   the function is defined), with DIGITS significant digits (mpmath), each entry at POINTS
   points at least; a difference beyond RTOL and ATOL fails the check, and so does an entry
   defined on one side only where the function is defined. Common subexpressions are shared
   across the entries (one function of the point, built with `cse`).
3. Within a proof budget (PROOF_SECONDS; each attempt bounded by the entry's size), the
   entries that agreed numerically are tried again: `cancel` (rational functions), then
   `simplify` for small ones. Those proved are counted as proved.

SymPy and mpmath are passed in by the caller (imported lazily), never imported at import
time here.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable
from types import ModuleType

import numpy as np

from .budget import Deadline
from .errors import MatcalcError
from .sampling import symbol_point

__all__ = [
    "ATOL",
    "DIGITS",
    "EXPAND_TERMS",
    "POINTS",
    "PROOF_SECONDS",
    "RTOL",
    "TRIES",
    "CheckFailed",
    "Atoms",
    "agree_numerically",
    "prove_all_cheaply",
    "expansion_terms",
    "prove_cheaply",
    "prove_within_budget",
]

POINTS = 5  # random points every entry that is not proved must agree at
TRIES = 60  # random points drawn to find them (inside the domain)
DIGITS = 40  # significant digits of the numeric comparison (mpmath)
RTOL, ATOL = 1e-20, 1e-20  # its tolerance: far below float64, far above 40 digits' rounding
EXPAND_TERMS = 20_000  # the largest expansion the cheap proof multiplies out
CANCEL_OPS = 4_000  # operations of the largest difference `cancel` is tried on
SIMPLIFY_OPS = 300  # operations of the largest difference `simplify` is tried on
PROOF_SECONDS = 20.0  # time the proofs after the numeric comparison may take, in all


class CheckFailed(MatcalcError):
    kind = "check failed"


# ---------------------------------------------------------------- 1. cheap proofs
def expansion_terms(e: object, sp: ModuleType, cap: int = EXPAND_TERMS) -> int:
    """An upper bound on the terms of `sp.expand(e)` (sums add, products multiply, positive
    integer powers raise), the largest over e and every function argument; past `cap` the
    count stops early and returns cap + 1."""
    memo: dict = {}
    worst = [0]

    def terms(x) -> int:
        if x in memo:
            return memo[x]
        if x.is_Atom:
            n = 1
        elif x.is_Add:
            n = sum(terms(a) for a in x.args)
        elif x.is_Mul:
            n = 1
            for a in x.args:
                n = min(n * terms(a), cap + 1)
        elif x.is_Pow and x.exp.is_Integer and x.exp > 0:
            b = terms(x.base)
            n = cap + 1 if b > 1 and x.exp * math.log(b) > math.log(cap + 1) else b ** int(x.exp)
        else:  # a function, a negative or symbolic power: one term, its arguments separately
            for a in x.args:
                worst[0] = max(worst[0], terms(a))
            n = 1
        n = min(n, cap + 1)
        memo[x] = n
        return n

    return max(terms(e), worst[0])


class Atoms:
    """Every function application of an entry (tanh(u), exp(u), √u, Piecewise(…), …) and
    the reciprocal of every sum as a symbol, one per application with the same expanded
    arguments, shared by all the entries of a check: what is left is a polynomial of
    symbols (and their reciprocals), which `expand` decides without walking into the
    arguments or denominators again for every entry. Sound: a polynomial that expands to 0
    is 0 whatever values its symbols stand for. (What needs a denominator cancelled is left
    to `cancel`, step 3.)"""

    def __init__(self, sp: ModuleType):
        self.sp = sp
        self.memo: dict = {}
        self.symbols: dict = {}

    def __call__(self, x):
        if x in self.memo:
            return self.memo[x]
        sp = self.sp
        if x.is_Atom:
            y = x
        elif x.is_Pow and x.exp.is_Integer and x.exp < 0 and not x.base.is_Atom:
            y = self._reciprocal(x.base) ** -x.exp
        elif x.is_Add or x.is_Mul or (x.is_Pow and x.exp.is_Integer):
            y = x.func(*(self(a) for a in x.args))
        elif not isinstance(x, sp.Expr):  # a condition, a (value, condition) pair
            y = x.func(*(self(a) for a in x.args))
        else:
            args = [self._expanded(self(a)) for a in x.args]
            y = x.func(*args)
            if y == x or not (y.is_Atom or y.is_Add or y.is_Mul or y.is_Pow):
                y = self.symbols.setdefault(y, sp.Dummy("f"))
            else:  # evaluated to something else (tanh(−u) = −tanh(u)): its parts
                y = self(y)
        self.memo[x] = y
        return y

    def _reciprocal(self, base):
        """1/base: a symbol for a sum (one per expanded sum), so no expansion multiplies
        a numerator by a large denominator again and again."""
        sp = self.sp
        inv = sp.Pow(self._expanded(self(base)), -1)
        if inv.is_Pow and inv.base.is_Add:
            return self.symbols.setdefault(inv, sp.Dummy("f"))
        return self(inv)

    def _expanded(self, a):
        if isinstance(a, self.sp.Expr) and expansion_terms(a, self.sp) <= EXPAND_TERMS:
            return self.sp.expand(a)
        return a


def prove_cheaply(diff: object, sp: ModuleType, atoms: Atoms | None = None) -> bool:
    """Whether the difference of two entries is 0 as built, or once expanded with its
    function applications as symbols (`atoms`, shared by the entries of one check)."""
    return prove_all_cheaply([diff], sp, atoms)[0]


def prove_all_cheaply(
    diffs: list, sp: ModuleType, atoms: Atoms | None = None, clock: Callable | None = None
) -> list:
    """For each difference of two entries, whether it is 0 as built or as a Laurent
    polynomial of symbols once `atoms` has replaced its function applications and
    reciprocals of sums (multiplied out in SymPy's sparse polynomial ring, where terms
    collect by dictionary, far faster than `expand`); `clock()` is called between entries."""
    atoms = atoms or Atoms(sp)
    clock = clock or (lambda: None)
    proved = [d == 0 for d in diffs]
    skeletons = {}
    for k, d in enumerate(diffs):
        if not proved[k]:
            clock()
            try:
                skeletons[k] = atoms(d)
            except RecursionError:  # nested too deep to rewrite: compared at points
                continue
    skeletons = {k: x for k, x in skeletons.items() if expansion_terms(x, sp) <= EXPAND_TERMS}
    if not skeletons:
        return proved
    from sympy.polys.domains import QQ
    from sympy.polys.rings import ring

    # generators: the symbols, and any other atom (π, a float) as an indeterminate
    atoms_of = set().union(*(x.atoms() for x in skeletons.values()))
    gens = sorted((a for a in atoms_of if not a.is_Rational), key=str)
    R = ring(gens, QQ)[0] if gens else None
    index = {g: k for k, g in enumerate(gens)}
    memo: dict = {}

    def laurent(x):  # x in R (negative exponents allowed), or None where x is no such
        if x in memo:
            return memo[x]
        if x.is_Rational:
            y = R(QQ(int(x.p), int(x.q)))
        elif x in index:
            y = R.gens[index[x]]
        elif x.is_Pow and x.exp.is_Integer and x.base in index:
            exps = [0] * len(gens)
            exps[index[x.base]] = int(x.exp)
            y = R({tuple(exps): QQ(1)})
        elif x.is_Add or x.is_Mul or (x.is_Pow and x.exp.is_Integer and x.exp > 0):
            parts = [laurent(a) for a in x.args]
            if any(p is None for p in parts):
                y = None
            elif x.is_Add:
                y = R.add(*parts)
            elif x.is_Mul:
                y = R.mul(*parts)
            else:
                y = parts[0] ** int(x.exp)
        else:  # a power with a symbolic exponent: not a Laurent polynomial
            y = None
        memo[x] = y
        return y

    for k, x in skeletons.items():
        clock()
        if R is None:
            continue
        try:
            p = laurent(x)
        except RecursionError:
            continue
        proved[k] = p is not None and p == 0
    return proved


# ---------------------------------------------------------------- 2. the numeric comparison
def _finite(v, mp) -> bool:
    try:
        z = mp.mpc(v)
    except (TypeError, ValueError):
        return False
    return bool(mp.isfinite(z.real) and mp.isfinite(z.imag)) and abs(z.imag) <= 1e-30 * max(
        1, abs(z)
    )


def _plain(x, sp: ModuleType):
    """No DiracDelta (0 off its point, which a random point never is)."""
    return x.replace(lambda e: isinstance(e, sp.DiracDelta), lambda e: 0)


def agree_numerically(
    pending: list,
    function: list,
    env: dict,
    symbols: list,
    sizes: dict,
    sp: ModuleType,
    rng: np.random.Generator,
    domain: tuple,
    clock: Callable[[], None],
) -> None:
    """Compare each pending (index, ours, SymPy's) at POINTS random points of the domain at
    least (where the function is defined), with DIGITS digits; raise CheckFailed at a
    difference, MatcalcError when an entry cannot be compared at POINTS points."""
    if not pending:
        return
    import mpmath as mp

    k = len(pending)
    exprs = list(function) + [_plain(a, sp) for _, a, _ in pending]
    exprs += [_plain(b, sp) for _, _, b in pending]
    values = sp.lambdify(symbols, exprs, modules="mpmath", cse=True)
    nf = len(function)
    agreed = [0] * k
    positive, invertible, bound = domain
    with mp.workdps(DIGITS):
        for draw in range(TRIES):
            if min(agreed) >= POINTS:
                break
            clock()
            point = symbol_point(env, rng, positive and draw % 2 == 1, invertible, bound)
            try:
                out = values(*(mp.mpf(float(point[s])) for s in symbols))
            except (ZeroDivisionError, OverflowError, ValueError, TypeError):
                continue
            if not all(_finite(v, mp) for v in out[:nf]):
                continue  # outside the domain of the function itself
            for j in range(k):
                x, y = out[nf + j], out[nf + k + j]
                fx, fy = _finite(x, mp), _finite(y, mp)
                if not (fx or fy):
                    continue  # neither derivative is defined here (a kink, an edge)
                close = (
                    fx
                    and fy
                    and abs(mp.mpc(x) - mp.mpc(y))
                    <= ATOL + RTOL * max(abs(mp.mpc(x)), abs(mp.mpc(y)))
                )
                if not close:
                    i, a, b = pending[j]
                    shown = {str(s): round(float(point[s]), 4) for s in symbols}
                    raise CheckFailed(
                        f"entry {i} differs from SymPy's: ours {a}, SymPy's {b}"
                        f" (at sizes {sizes}; {_shown(x, mp)} vs {_shown(y, mp)} at {shown})"
                    )
                agreed[j] += 1
    if min(agreed) < POINTS:
        j = agreed.index(min(agreed))
        raise MatcalcError(
            f"the SymPy check found {agreed[j]} of the {POINTS} points it needs where entry "
            f"{pending[j][0]} of the derivative and SymPy's are both defined (in {TRIES} "
            "tries); it cannot decide"
        )


def _shown(v, mp) -> str:
    try:
        z = mp.mpc(v)
    except (TypeError, ValueError):
        return str(v)
    if z.imag == 0:
        return mp.nstr(z.real, 12)
    return mp.nstr(z, 12)


# ---------------------------------------------------------------- 3. the proof budget
_KINKS = ("Piecewise", "Heaviside", "Max", "Min", "sign", "Abs", "DiracDelta")


def prove_within_budget(pending: list, sp: ModuleType, seconds: float = PROOF_SECONDS) -> int:
    """How many of the pending (index, ours, SymPy's) `cancel` or `simplify` prove equal,
    trying each while the budget lasts (an attempt is bounded by the entry's size, and
    stopped when the budget is spent: `_bounded`)."""
    budget = Deadline(seconds)
    kinks = tuple(getattr(sp, name) for name in _KINKS)
    proved = 0
    for _, a, b in pending:
        if budget.expired():
            break
        diff = a - b
        if diff.has(*kinks):
            continue  # steps and kinks: the numeric comparison decides
        ops = _size(diff, CANCEL_OPS)
        if ops > CANCEL_OPS or expansion_terms(diff, sp) > EXPAND_TERMS:
            continue
        if _bounded(sp.cancel, diff, budget) == 0:
            proved += 1
        elif ops <= SIMPLIFY_OPS and _bounded(sp.simplify, diff, budget) == 0:
            proved += 1
    return proved


class _Spent(BaseException):
    """The proof budget ran out inside SymPy (a BaseException: no `except Exception` in
    SymPy swallows it)."""


def _bounded(rewrite: Callable, x: object, budget: Deadline) -> object:
    """rewrite(x), or None once the budget is spent: a trace function, called at each
    Python-level call (SymPy is Python), raises `_Spent` past the deadline. The trace
    function in place before (a debugger's, coverage's) is put back afterwards."""
    if budget.expired():
        return None
    previous = sys.gettrace()

    def tracer(frame, event, arg):
        if budget.expired():
            raise _Spent
        return previous(frame, event, arg) if previous is not None else None

    sys.settrace(tracer)
    try:
        return rewrite(x)
    except _Spent:
        return None
    finally:
        sys.settrace(previous)


def _size(e, cap: int) -> int:
    """The nodes of e's tree, counted up to cap + 1."""
    n = 0
    stack = [e]
    while stack and n <= cap:
        x = stack.pop()
        n += 1
        stack.extend(x.args)
    return n
