"""The named rewrite rules on matrix expressions, in the order `simplify` tries them (the
diagonal and all-ones rules of `rewrites_diag` first: this module imports them).

Each rule is a function that returns the smaller equal expression, or None where it does
not apply; its docstring states the identity and why it shrinks.
"""

from __future__ import annotations

from .. import expr as E
from .engine import Trial, Trials, rewrite
from .rewrites_diag import (
    diag_diag,
    diag_diag_cancels,
    diag_ones,
    diag_scalar,
    diag_vector,
    ones_diag,
    ones_dot,
    pairs,
    row_diag,
)

__all__ = [
    "diag_scalar",
    "diag_diag_cancels",
    "absorb_sign",
    "add_blocks",
    "common_factor",
    "common_scalar",
    "diag_diag",
    "diag_ones",
    "diag_sum",
    "diag_vector",
    "distribute_when_it_cancels",
    "dot_cancels",
    "inverse_cancels",
    "inverse_of_product",
    "negated_difference",
    "ones_diag",
    "ones_dot",
    "relu_in_sum",
    "relu_step",
    "row_diag",
    "scale_block",
    "step_idempotent",
    "trace_block",
]


def _replace_at(e: E.Expr, i: int, new: E.Expr) -> E.Expr:
    """e with its i-th operand (only that occurrence) replaced: a hash-consed factor may
    occur more than once, and a rewrite means the one occurrence it matched."""
    return type(e)(*e.args[:i], new, *e.args[i + 1 :])


@rewrite("relu-step")
def relu_step(node: E.Expr) -> E.Expr | None:
    """max(0, u) ⊗ (u > 0) → u ⊗ (u > 0): where the step is 1 the ReLU is the identity.
    Shrinks: one max fewer."""
    if isinstance(node, E.Mul):
        steps = {
            f.args[1]
            for f in node.args
            if isinstance(f, E.Compare) and f.op == ">" and E.is_zero(f.args[2])
        }
        for i, f in enumerate(node.args):
            if isinstance(f, E.Max) and E.is_zero(f.args[0]) and f.args[1] in steps:
                return _replace_at(node, i, f.args[1])
            if isinstance(f, E.Add):
                new = [relu_in_sum(t, steps) for t in f.args]
                if any(a is not b for a, b in zip(new, f.args)):
                    return _replace_at(node, i, E.Add(*new))


def relu_in_sum(term: E.Expr, steps: set) -> E.Expr:
    _, rest = E.split_coefficient(term)
    if isinstance(rest, E.Max) and E.is_zero(rest.args[0]) and rest.args[1] in steps:
        coeff, _ = E.split_coefficient(term)
        return E.Mul(E.Const(coeff), rest.args[1])
    return term


@rewrite("step-idempotent")
def step_idempotent(node: E.Expr) -> E.Expr | None:
    """(u > 0)ᵏ → (u > 0): a 0/1 step is its own square. Shrinks: the power goes."""
    if (
        isinstance(node, E.Pow)
        and isinstance(node.args[0], E.Compare)
        and isinstance(node.args[1], E.Const)
        and node.args[1].value > 0
    ):
        return node.args[0]


def absorb_sign(e: E.Expr) -> E.Expr | None:
    """−e written with fewer minus signs, if a difference inside a product can take the
    sign (−(y − z) = z − y); else None. A factor that occurs twice (or beside its transpose)
    keeps the sign in front: −(a − b)(a − b) and −½Σ⁻¹(x − μ)(x − μ)ᵀΣ⁻¹, as textbooks
    write them, not (b − a)(a − b)."""
    match e:
        case E.Add():
            negative = sum(E.split_coefficient(t)[0] < 0 for t in e.args)
            if 0 < negative and 2 * negative >= len(e.args):
                flipped = [E.neg(t) for t in e.args]
                return E.Add(*sorted(flipped, key=lambda t: E.split_coefficient(t)[0] < 0))
        case E.Mul() | E.MatMul():
            # each factor's occurrences counted once (a deep chain's Hessian has L terms as
            # long as the chain: counting per factor was L^3), its transpose built only for
            # a factor that can take the sign (transposing a sum of chains rebuilds them)
            seen: dict = {}
            for f in e.args:
                seen[f] = seen.get(f, 0) + 1
            for i, f in enumerate(e.args):
                g = absorb_sign(f)
                if g is None:
                    continue
                twin = E.Transpose(f) if isinstance(e, E.MatMul) else f
                if seen[f] + (seen.get(twin, 0) if twin is not f else 0) > 1:
                    continue
                return _replace_at(e, i, g)
        case E.Transpose() | E.Sum():
            g = absorb_sign(e.args[0])
            return None if g is None else type(e)(g)
    return None


@rewrite("negated-difference")
def negated_difference(node: E.Expr) -> E.Expr | None:
    """−c (a − b) → c (b − a), through products and transposes. Shrinks: one sign fewer."""
    if isinstance(node, E.Mul) and isinstance(node.args[0], E.Const) and node.args[0].value < 0:
        rest = E.Mul(*node.args[1:])
        flipped = absorb_sign(rest)
        if flipped is not None:
            return E.Mul(E.Const(-node.args[0].value), flipped)


@rewrite("scale-block")
def scale_block(node: E.Expr) -> E.Expr | None:
    """s [a, b] → [s a, s b]. Shrinks: the literal absorbs the factor."""
    if isinstance(node, E.Mul):
        blocks = [f for f in node.args if isinstance(f, E.Block)]
        scalars = [f for f in node.args if f.shape.is_scalar]
        if (
            len(blocks) == 1
            and len(scalars) == len(node.args) - 1
            and all(x.shape.is_scalar for r in blocks[0].rows for x in r)
        ):
            s = E.Mul(*scalars)
            return E.Block(tuple(tuple(E.Mul(s, x) for x in r) for r in blocks[0].rows))


@rewrite("add-blocks")
def add_blocks(node: E.Expr) -> E.Expr | None:
    """[a, b] + [c, d] → [a + c, b + d]. Shrinks: one literal instead of two."""
    if isinstance(node, E.Add) and all(isinstance(t, E.Block) for t in node.args):
        first = node.args[0]
        if all(t.args[:2] == first.args[:2] for t in node.args):
            rows = [t.rows for t in node.args]
            return E.Block(
                tuple(
                    tuple(E.Add(*(r[i][j] for r in rows)) for j in range(len(first.rows[0])))
                    for i in range(len(first.rows))
                )
            )


@rewrite("trace-of-block")
def trace_block(node: E.Expr) -> E.Expr | None:
    """tr([[a, b], [c, d]]) → a + d for a square literal of scalars. Shrinks: the
    off-diagonal entries go, and the gradient is read off entry-wise."""
    if isinstance(node, E.Trace) and isinstance(node.args[0], E.Block):
        rows = node.args[0].rows
        if len(rows) == len(rows[0]) and all(x.shape.is_scalar for r in rows for x in r):
            return E.Add(*(rows[i][i] for i in range(len(rows))))


def _chain(t: E.Expr) -> tuple:
    """A term as a product chain, a scalar coefficient folded into its first factor."""
    if isinstance(t, E.MatMul):
        return t.args
    if isinstance(t, E.Mul):
        arrays = [f for f in t.args if not f.shape.is_scalar]
        if len(arrays) == 1 and isinstance(arrays[0], E.MatMul):
            scalars = [f for f in t.args if f.shape.is_scalar]
            first, *rest = arrays[0].args
            return (E.Mul(*scalars, first), *rest)
    return (t,)


def _run(members: list, lo: int, side: int) -> int:
    """How many end factors (from index `lo` on the left, or from the right end) all
    `members` (chains) share, leaving each at least one factor."""
    k, first = 1, members[0]
    while all(len(c) - lo > k + 1 for c in members) and all(
        c[lo + k if side == 0 else -k - 1] is first[lo + k if side == 0 else -k - 1]
        for c in members
    ):
        k += 1
    return k


def _plain(f: E.Expr) -> bool:
    """A factor whose sub-chains are as simple as the chain: not an all-ones vector (1 1ᵀ
    alone folds to a matrix) nor an inverse (inverse-of-product tries the whole chain)."""
    g = f.args[0] if isinstance(f, E.Transpose) else f
    return not isinstance(f, E.Ones) and not isinstance(g, E.Inv)


def _factored_left(chains: list, lo: int) -> E.Expr:
    """Σ MatMul(c[lo:]) over `chains`, each sharing nothing to its left: the sum the
    next common-factor step would see, factored at once on the left as that step would
    (the largest group sharing a first factor, the whole run it shares), level after level
    — without building the partial products of every level, which for a deep chain's
    Hessian are L levels of L products as long as the chain (L^3). Where that step would
    not factor on the left (no group, a tie, parts of other shapes, a part that is a sum
    and would be flattened into it), the sum is built as it is, for the steps to go on."""
    parts = [c[lo:] for c in chains]
    if all(len(p) >= 1 and not (len(p) == 1 and isinstance(p[0], E.Add)) for p in parts):
        groups: dict = {}
        for c in chains:
            if len(c) - lo >= 2:
                groups.setdefault(c[lo], []).append(c)
        sizes = sorted((len(m) for m in groups.values()), reverse=True)
        if sizes and sizes[0] >= 2 and (len(sizes) == 1 or sizes[1] < sizes[0]):
            members = max(groups.values(), key=len)
            k = _run(members, lo, 0)
            if len({c[lo + k].shape.rows for c in members}) == 1:
                inner = _factored_left(members, lo + k)
                grouped = {id(c) for c in members}
                rest = [E.MatMul(*c[lo:]) for c in chains if id(c) not in grouped]
                factored = E.MatMul(*members[0][lo : lo + k], inner)
                return E.Add(factored, *rest) if rest else factored
    return E.Add(*(E.MatMul(*p) for p in parts))


@rewrite("common-factor")
def common_factor(node: E.Expr) -> E.Expr | None:
    """P X + P Y → P (X + Y), and X P + Y P → (X + Y) P. Shrinks: P is written once."""
    if not isinstance(node, E.Add) or len(node.args) < 2:
        return None
    chains = [_chain(t) for t in node.args]
    for side in (0, -1):  # the largest group sharing an end factor
        groups: dict = {}
        for t, c in zip(node.args, chains):
            if len(c) >= 2 and t.shape == node.shape:  # not a scalar-expanded term
                groups.setdefault(c[side], []).append((t, c))
        shared, members = max(groups.items(), key=lambda kv: len(kv[1]), default=(None, []))
        if len(members) < 2:
            continue
        # the whole run of end factors they share, at once: one rewrite, not one per factor
        # (a deep chain's Hessian shares runs as long as the chain)
        cs = [c for _, c in members]
        k, first = _run(cs, 0, side), cs[0]
        if side == 0:
            shapes = {c[k].shape.rows for c in cs}
        else:
            shapes = {c[-k - 1].shape.cols for c in cs}
        if len(shapes) > 1:
            continue
        if side == 0 and all(_plain(f) for c in cs for f in c[k:]):
            # the sum of the rest factored on the left too, at once (a slice of a simplified
            # chain is as simple as the chain: no step would change it before)
            inner = _factored_left(cs, k)
        else:
            inner = E.Add(*(E.MatMul(*(c[k:] if side == 0 else c[:-k])) for c in cs))
        shared = first[:k] if side == 0 else first[-k:]
        factored = E.MatMul(*shared, inner) if side == 0 else E.MatMul(inner, *shared)
        grouped = {id(m) for m, _ in members}
        rest = [t for t in node.args if id(t) not in grouped]
        return E.Add(factored, *rest) if rest else factored
    return None


@rewrite("diag-sum")
def diag_sum(node: E.Expr) -> E.Expr | None:
    """c diag(a) + diag(b) → diag(c a + b). Shrinks: one diag instead of several."""
    if not isinstance(node, E.Add):
        return None
    diags, others = [], []
    for t in node.args:
        coeff, rest = E.split_coefficient(t)
        scalars = [f for f in rest.args if f.shape.is_scalar] if isinstance(rest, E.Mul) else []
        core = (
            E.Mul(*(f for f in rest.args if not f.shape.is_scalar))
            if isinstance(rest, E.Mul)
            else rest
        )
        (diags if isinstance(core, E.Diag) else others).append((coeff, scalars, core, t))
    if len(diags) < 2:
        return None
    merged = E.Diag(E.Add(*(E.Mul(E.Const(c), *s, d.args[0]) for c, s, d, _ in diags)))
    return E.Add(merged, *(t for *_, t in others))


def _inverse_pair(a, b) -> bool:
    """A⁻¹A, AA⁻¹, A⁻ᵀAᵀ, AᵀA⁻ᵀ: a product that is the identity."""

    def inv_of(x):
        if isinstance(x, E.Inv):
            return x.args[0]
        if isinstance(x, E.Transpose) and isinstance(x.args[0], E.Inv):
            return E.Transpose(x.args[0].args[0])
        return None

    return inv_of(a) is b or inv_of(b) is a


@rewrite("inverse-cancels")
def inverse_cancels(node: E.Expr) -> E.Expr | None:
    """A⁻¹ A → I (and X⁻ᵀXᵀ → I). Shrinks: two factors go."""
    if isinstance(node, E.MatMul):
        fs = node.args
        for i in range(len(fs) - 1):
            if _inverse_pair(fs[i], fs[i + 1]):
                rest = fs[:i] + fs[i + 2 :]
                return E.MatMul(*rest) if rest else E.Identity(fs[i].shape.rows)


@rewrite("inverse-of-product", trial=True)
def inverse_of_product(node: E.Expr, trials: Trials) -> Trial | None:
    """(AB)⁻¹ → B⁻¹A⁻¹ for square factors, only where the product then cancels to fewer
    nodes (Aᵀ(AXB)⁻ᵀBᵀ → X⁻ᵀ). Shrinks: by the guard."""
    if not isinstance(node, E.MatMul):
        return None
    for i, f in enumerate(node.args):
        transposed = isinstance(f, E.Transpose) and isinstance(f.args[0], E.Inv)
        inv = f.args[0] if transposed else f
        if (
            isinstance(inv, E.Inv)
            and isinstance(inv.args[0], E.MatMul)
            and all(g.shape.is_square for g in inv.args[0].args)
        ):
            expanded = E.MatMul(*(E.Inv(g) for g in reversed(inv.args[0].args)))
            if transposed:
                expanded = E.Transpose(expanded)
            trial = trials.smaller(E.MatMul(*node.args[:i], expanded, *node.args[i + 1 :]), node)
            if trial is not None:
                return trial
    return None


@rewrite("common-scalar")
def common_scalar(node: E.Expr) -> E.Expr | None:
    """s A + s B → s (A + B) for a symbolic scalar s in every term of an array sum.
    Shrinks: s is written once."""
    if not isinstance(node, E.Add) or node.shape.is_scalar:
        return None

    def scalars(t):
        return [
            f
            for f in (t.args if isinstance(t, E.Mul) else (t,))
            if f.shape.is_scalar and not isinstance(f, E.Const)
        ]

    shared = [f for f in scalars(node.args[0]) if all(f in scalars(t) for t in node.args[1:])]
    if not shared:
        return None
    s = E.Mul(*shared)
    rest = [E.Mul(t, E.Pow(s, E.Const(-1))) for t in node.args]
    return E.Mul(s, E.Add(*rest))


@rewrite("distribute-when-it-cancels", trial=True)
def distribute_when_it_cancels(node: E.Expr, trials: Trials) -> Trial | None:
    """(A + B) v → A v + B v, only where the distributed form simplifies to fewer nodes
    (diag(s)(y ⊘ s) → y cancels). Shrinks: by the guard."""
    if not isinstance(node, E.MatMul):
        return None
    fs = node.args
    for i, f in enumerate(fs):
        if not isinstance(f, E.Add):
            continue
        terms = [t if t.shape == f.shape else E.Mul(t, E.Ones(f.shape)) for t in f.args]
        # only over a neighbouring factor: the trial stays small however long the chain
        for j in (i + 1, i - 1):
            if not 0 <= j < len(fs):
                continue
            pair = (
                (lambda t, g=fs[j]: E.MatMul(t, g))
                if j > i
                else (lambda t, g=fs[j]: E.MatMul(g, t))
            )
            before = E.MatMul(*((f, fs[j]) if j > i else (fs[j], f)))
            smaller = trials.smaller(E.Add(*(pair(t) for t in terms)), before)
            if smaller is not None:
                lo, hi = min(i, j), max(i, j)
                return smaller.around(E.MatMul(*fs[:lo], smaller.expr, *fs[hi + 1 :]))
    return None


@rewrite("dot-cancels")
def dot_cancels(node: E.Expr) -> E.Expr | None:
    """aᵀ b → sum(a ⊗ b) where the element-wise product cancels (sᵀ(y ⊘ s) → sum(y)).
    Shrinks: by the guard."""
    if isinstance(node, E.MatMul):

        def match(a, b):
            if isinstance(a, E.Transpose) and a.args[0].shape.is_column and b.shape.is_column:
                product = E.Mul(a.args[0], b)
                if E.size_of(product) < E.size_of(E.MatMul(a, b)) - 1:
                    return E.Sum(product)
            return None

        return pairs(node, match)
