"""Named intermediates: `(s − y)xᵀ  where s = softmax(Wx)`, as a person writes a result.

`name_intermediates(exprs, taken)` decides which subexpressions of the printed expressions
get a name, and which name, by measuring the printed text:
- a *layer* entering a sum: a vector-valued activation (softmax, σ, tanh, relu, …) of a
  matrix-vector product, printed once as a term of a sum — backpropagation's error term,
  `(s − y)xᵀ` for `(softmax(Wx) − y)xᵀ`, as the textbooks write it (a layer that is only
  wrapped, `diag(σ(Wx + b))W`, `σ(Wx + b)xᵀ`, stays inline);
- a *repeat*: an array-valued call or sum of at least `REPEAT_LEN` characters printed
  k ≥ 2 times (scalars are written inline, as scalar calculus is: a symmetric Hessian
  repeats its entries),
  named when that shortens the text it is printed in (the result and the other
  definitions) by at least `REPEAT_SAVE` characters (twice that for a node without a
  letter of its own, whose `v₁` says nothing: `−(A + diag(x))⁻ᵀ ⊙ (A + diag(x))⁻¹` stays) and the whole, its own definition
  included, is no longer than before (short ones stay inline: `σ(x) ⊙ (1 − σ(x))`, `Xᵀdiag(σ(Xw) ⊙ (1 − σ(Xw)))X`,
  but `diag(σ ⊙ (1 − σ))W  where σ = σ(Wx + b)`);
- a *long* result: while the body is longer than `LONG` characters, the array-valued call
  or sum whose name shortens it most (at least `LONG_SAVE` characters) is named.
A name is measured one character wide; the printed lengths of all nodes come from one
printing (`_Measure`), so choosing costs a few printings of the result, not one a candidate.
Names come from the expression — an activation's `letters` (its primitive record: `s` a
softmax, `σ` a sigmoid, `h` a hidden layer of tanh, relu, gelu, …), `z` an affine
pre-activation — else are numbered `v₁, v₂, …`; several of a kind are numbered `h₁, h₂`
inner first; a name in `taken` (the user's variables and sizes) is never used. The same
nodes get the same names wherever `Naming` (`render.where`, re-exported here) prints them:
the derivative, its LaTeX, the Jupyter display; `steps` and the code generators may call
`name_intermediates` with their own `taken` names and use `Naming.symbols()`.
"""

from __future__ import annotations

from collections.abc import Iterable

from .. import expr as E
from ..primitive_table import func
from ..primitive_table import get as primitive
from ..records import Struct
from .styles import Style
from .where import Naming, latex_block

__all__ = [
    "LONG",
    "LONG_SAVE",
    "MAX_NAMES",
    "MAX_NODES",
    "REPEAT_LEN",
    "REPEAT_SAVE",
    "Naming",
    "latex_block",
    "name_intermediates",
    "taken_names",
]

REPEAT_LEN = 8  # a repeated subexpression shorter than this stays inline (σ(Xw), exp(xy))
REPEAT_SAVE = 12  # … and is named when the result gets this much shorter
LONG = 80  # a body longer than this is shortened by naming its biggest calls and sums
LONG_SAVE = 8  # … each of which must save at least this much
MAX_NAMES = 8  # names in one result, at most
MAX_NODES = 4000  # a result with more nodes prints flat

SUBSCRIPT = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")

# the letters a reader gives an affine pre-activation (Wx + b); an activation's letters
# (`s` softmax, `σ` sigmoid, `h` tanh, relu, …) are a field of its primitive record
_AFFINE = ("z", "a")
_NUMBERED = "v"


# ---------------------------------------------------------------- what a node is
def _kind(node: E.Expr) -> tuple | None:
    """The letters `node`'s value is named with, preferred first: an activation's (its
    primitive's `letters`), `_AFFINE` for a pre-activation, or None (no letter of its own)."""
    letters: tuple = ()
    if isinstance(node, E.Softmax):
        letters = primitive("softmax").letters
    elif isinstance(node, E.Func):
        record = func(node.name)
        letters = record.letters if record is not None else ()
    elif isinstance(node, E.Max) and any(E.is_const(a, 0) for a in node.children):
        letters = primitive("relu").letters  # max(0, ·): relu
    if letters:
        return letters
    if isinstance(node, (E.Add, E.MatMul)) and _has_matvec(node):
        return _AFFINE
    return None


def _has_matvec(node: E.Expr) -> bool:
    """A product of a matrix by an array of a variable (Wx, Kq, W₂h) in `node`."""
    return any(
        isinstance(n, E.MatMul)
        and n.free
        and any(f.shape.is_matrix for f in n.children)
        and not n.shape.is_scalar
        for n in E.walk(node)
    )


def _is_layer(node: E.Expr) -> bool:
    """A vector activation of a matrix-vector product: softmax(Wx), σ(Wx + b), tanh(W₁x)."""
    kind = _kind(node)
    return (
        kind not in (None, _AFFINE)
        and not node.shape.is_scalar
        and any(_has_matvec(c) for c in node.children)
    )


_ATOMS = (E.Var, E.Const, E.Zero, E.Ones, E.Identity, E.Unit, E.DimSize, E.Differential)


def _nameable(node: E.Expr) -> bool:
    """Not an atom (x, xᵀ, 2, I), and depends on a variable (1/√d stays as it is)."""
    if isinstance(node, _ATOMS) or not node.free:
        return False
    if isinstance(node, E.Transpose) and isinstance(node.children[0], _ATOMS):
        return False
    return not any(isinstance(v, E.Differential) for v in node.free)


def _long_candidate(node: E.Expr) -> bool:
    """What may be named for its length or its repeats: a call or a sum, not a product, a
    power, an inverse or a transpose (`X⁻ᵀaᵀbX⁻ᵀ` stays as the Cookbook writes it)."""
    return isinstance(node, (E.Func, E.Softmax, E.LogSumExp, E.Max, E.Add)) or (
        _kind(node) is not None
    )


def _terms_of_sums(order: list) -> set:
    """The nodes printed as a term of a sum (`s` in `s − y`, `sum(y)s − y`, `sᵀ − yᵀ`):
    a term itself, or under a transpose or a scalar multiple that is one."""
    out: set = set()
    for n in order:  # parents first: a term's transpose is seen before what it wraps
        if isinstance(n, E.Add):
            out.update(n.children)
        elif n in out and isinstance(n, E.Transpose):
            out.update(n.children)
        elif n in out and isinstance(n, E.Mul):
            arrays = [c for c in n.children if not c.shape.is_scalar]
            if len(arrays) == 1:
                out.add(arrays[0])
    return out


# ---------------------------------------------------------------- counting occurrences
def _order(roots: list) -> list:
    """Every node under `roots` once, parents before children."""
    out, seen = [], set()
    for r in roots:
        for n in E.walk(r):
            if n not in seen:
                seen.add(n)
                out.append(n)
    # E.walk lists children before parents per root; merge into one topological order
    index: dict = {}
    for n in out:
        index[n] = 1 + max((index[c] for c in n.children if c in index), default=0)
    return sorted(out, key=lambda n: -index[n])


def _occurrences(roots: list, named: dict, order: list, definitions: bool = True) -> dict:
    """How many times each node is printed: in the bodies, and (`definitions`) in each
    named node's definition (printed once); a named node prints as its name where it occurs."""
    count: dict = dict.fromkeys(order, 0)
    for r in roots:
        count[r] += 1
    for n in order:
        spread = (1 if definitions and count[n] else 0) if n in named else count[n]
        if spread:
            for c in n.children:
                count[c] += spread
    return count


# ---------------------------------------------------------------- the measurement
class _Measure(Struct):
    """The printed lengths with the current names (each one character wide, a lower bound
    on a name's width, parentheses aside): of every node, of the bodies, of the whole."""

    __slots__ = (
        "roots",
        "order",
        "named",
        "width",  # node -> printed length in context
        "body",
        "total",  # the bodies and the definitions `, x = …`
        "counts",  # printed occurrences, definitions included
        "in_body",  # printed occurrences in the bodies
    )

    def __init__(
        self,
        roots: list,
        order: list,
        named: dict,
        width: dict | None = None,
        body: int = 0,
        total: int = 0,
        counts: dict | None = None,
        in_body: dict | None = None,
    ) -> None:
        self.roots = roots
        self.order = order
        self.named = named
        self.width = {} if width is None else width
        self.body = body
        self.total = total
        self.counts = {} if counts is None else counts
        self.in_body = {} if in_body is None else in_body
        self.__post_init__()

    def _key(self) -> tuple:
        return (
            self.roots,
            self.order,
            self.named,
            self.width,
            self.body,
            self.total,
            self.counts,
            self.in_body,
        )

    def __post_init__(self):
        p = Naming(dict.fromkeys(self.named, "x")).printer(Style())
        self.body = sum(len(p(r)) for r in self.roots)
        definitions = 0
        for n in self.named:
            for c in n.children:
                p(c)
            definitions += len(p._show(n)[0]) + 5
        self.total = self.body + definitions
        self.width = {n: len(t) for n, (t, _) in p.memo.items() if n not in self.named}
        self.counts = _occurrences(self.roots, self.named, self.order)
        self.in_body = _occurrences(self.roots, self.named, self.order, definitions=False)

    def with_name(self, n: E.Expr) -> _Measure:
        return _Measure(self.roots, self.order, {**self.named, n: True})


def name_intermediates(exprs: Iterable[E.Expr], taken: Iterable[str] = ()) -> Naming:
    """The names for printing `exprs` (one result, or the pieces of a linear map), none
    of them in `taken`. Deterministic: the same expressions always get the same names.
    At most `MAX_NAMES` names; nothing is named in a result of more than `MAX_NODES`
    nodes (measuring is quadratic in the nodes; such a result is not read by eye)."""
    roots = [e for e in exprs if e is not None]
    order = _order(roots) if roots else []
    if not roots or len(order) > MAX_NODES:
        return Naming()
    candidates = [n for n in order if _nameable(n) and n not in roots]
    named: dict = {}
    counts = _occurrences(roots, named, order)
    in_sum = _terms_of_sums(order)
    for n in candidates:  # layers entering a sum, once
        if counts[n] == 1 and n in in_sum and _is_layer(n) and len(named) < MAX_NAMES:
            named[n] = True
    m = _Measure(roots, order, named)
    arrays = [n for n in candidates if _long_candidate(n) and not n.shape.is_scalar]
    for n in arrays:  # repeats, largest first (parents come before children)
        if n in m.named or m.counts[n] < 2 or m.width.get(n, 0) < REPEAT_LEN:
            continue
        if len(m.named) >= MAX_NAMES:
            break
        # the text it is printed in (the bodies, the other definitions) gets shorter by
        # `saved`, and the whole, its own definition `, x = …` included, no longer
        saved = m.counts[n] * (m.width[n] - 1)
        need = REPEAT_SAVE if _kind(n) else 2 * REPEAT_SAVE  # a bare `v₁` must earn more
        if saved >= need and saved >= m.width[n] + 5:
            m = m.with_name(n)
    while m.body > LONG and len(m.named) < MAX_NAMES:
        # not what is most of the body: naming it would only move the text to its definition
        best = max(
            (n for n in arrays if n not in m.named and m.in_body[n] and 2 * m.width[n] <= m.body),
            key=lambda n: m.in_body[n] * (m.width.get(n, 1) - 1),
            default=None,
        )
        if best is None or m.in_body[best] * (m.width.get(best, 1) - 1) < LONG_SAVE:
            break
        m = m.with_name(best)
    kept = [n for n in reversed(order) if n in m.named and m.counts[n]]  # inner first
    return Naming(_letters(kept, set(taken)))


def _letters(nodes: list, taken: set) -> dict:
    """node -> name: its kind's letter (the first free one), numbered when several nodes
    share a kind; `v₁, v₂, …` for nodes without a letter."""
    groups: dict = {}
    for n in nodes:
        groups.setdefault(_kind(n) or (), []).append(n)
    out: dict = {}
    used = set(taken)
    for n in nodes:
        letters = _kind(n) or ()
        group = groups[letters]
        name = None
        if len(group) == 1:
            name = next((c for c in letters if c not in used), None)
        if name is None:
            stem = next((c for c in letters if c not in used), (letters or (_NUMBERED,))[0])
            i = group.index(n) + 1
            name = f"{stem}{i}".translate(SUBSCRIPT)
            while name in used:
                i += len(group)
                name = f"{stem}{i}".translate(SUBSCRIPT)
        used.add(name)
        out[n] = name
    return out


def taken_names(*exprs: E.Expr | None, variables: Iterable = ()) -> set:
    """The names a reader already sees: every variable and every size (dimension) of `exprs`
    and of `variables` (Var nodes)."""
    out: set = set()
    nodes = [n for e in exprs if e is not None for n in E.walk(e)] + list(variables)
    for n in nodes:
        if isinstance(n, E.Var):
            out.add(n.name)
        elif isinstance(n, E.DimSize):
            out.add(n.dim)
        for d in (n.shape.rows, n.shape.cols):
            if isinstance(d, str):
                out.add(d)
    return out
