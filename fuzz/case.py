"""A fuzz case: a generated tree's query text, declarations (`shapes=` or inline, in one of
five styles), `wrt` (scalar, vector, matrix or a stacked list of scalars), layout, the true
shapes for sampling, and the tree's NumPy lowering (the oracle). `draw_case` draws one."""

from __future__ import annotations

from dataclasses import dataclass, field

from .generate import Generator
from .tree import Node, numpy_source, text, variables, walk

LAYOUTS = ("numerator", "denominator", "mixed")
STYLES = ("inline", "dict", "newline", "mixed", "open", "defaults")
VECTOR_ARGUMENT = ("sum", "mean", "norm", "softmax", "logsumexp", "diag", "dot")


@dataclass
class Case:
    query: str  # full query text (inline declarations included)
    wrt: object  # a name, or a list of scalar names
    shapes: dict | None  # the `shapes=` argument
    layout: str
    specs: dict  # every variable's true shape ("vector(n)", …), for sampling
    oracle: str  # NumPy lowering over O (Ops) and V (2-D arrays)
    out: tuple  # (rows, cols) of the expression
    tree: Node | None = field(default=None, repr=False, compare=False)
    style: str = "inline"

    def as_dict(self) -> dict:
        return {
            "query": self.query,
            "wrt": self.wrt,
            "shapes": self.shapes,
            "layout": self.layout,
            "specs": self.specs,
            "oracle": self.oracle,
            "out": list(self.out),
        }


# ---------------------------------------------------------------- a whole case
def draw_dims(c) -> list:
    dims, symbolic, numbers = [], ["n", "m", "k"], [3, 2, 4]
    for i in range(c.choice((1, 2, 2, 3))):
        dims.append(numbers[i] if c.chance(0.25) else symbolic[i])
    return dims


def draw_case(c) -> Case:
    dims = draw_dims(c)
    g = Generator(c, dims)
    k, j = g.dim(), g.dim()
    out = c.choice(((1, 1), (1, 1), (1, 1), (k, 1), (k, j), (1, k)))
    if out[0] == 1 and out[1] == 1:
        out = (1, 1)
    tree = g.expr(out, c.choice((2, 3, 3, 4)))
    scalars = [n for n in variables(tree) if g.specs[n] == "scalar"]
    if not variables(tree) or len(scalars) < 2 and c.chance(0.4):  # room for a stacked wrt
        s = g.var((1, 1))
        tree = Node("bin", out, (tree, s) if c.chance(0.5) else (s, tree), c.choice(("*", "+")))
    return finish(c, tree, g.specs)


def finish(c, tree: Node, all_specs: dict, wrt=None, layout=None, style=None) -> Case:
    """A case from a tree: pick wrt (kind first), layout and declaration style."""
    names = variables(tree)
    specs = {n: all_specs[n] for n in names}
    if wrt is None:
        kinds = {
            "scalar": [n for n in names if specs[n] == "scalar"],
            "vector": [n for n in names if specs[n].startswith(("vector", "simplex"))],
            "matrix": [n for n in names if specs[n].startswith(("matrix", "symmetric"))],
        }
        kind = c.choice(("scalar", "vector", "matrix", "stacked"))
        if kind == "stacked" and len(kinds["scalar"]) >= 2:
            wrt = [n for n in kinds["scalar"] if c.chance(0.7)]
            wrt = wrt if len(wrt) >= 2 else kinds["scalar"][:2]
        else:
            wrt = c.choice(kinds.get(kind) or names)
    layout = layout or c.choice(LAYOUTS)
    style = style or c.choice(STYLES)
    body = text(tree)
    query, shapes = declare(c, body, specs, style, _defaultable(tree, specs))
    return Case(query, wrt, shapes, layout, specs, numpy_source(tree), tree.shape, tree, style)


def _defaultable(tree: Node, specs: dict) -> set:
    """Names whose README default is their true shape (an upper-case name is a matrix; a
    lower-case one directly under @/· or sum, mean, norm, softmax, logsumexp, diag, dot a
    vector; else a scalar), leaving out scalars combined element-wise with an array (whose
    default is under discussion): those may go undeclared."""
    vector_use, array_sibling = set(), set()
    for n in walk(tree):
        direct = [k.data for k in n.kids if k.kind == "var"]
        if n.kind == "matmul" or n.kind == "call" and n.data in VECTOR_ARGUMENT:
            vector_use.update(direct)
        if n.kind in ("bin", "cmp", "call") and any(k.shape != (1, 1) for k in n.kids):
            array_sibling.update(direct)
    out = set()
    for name, spec in specs.items():
        kind = spec.split("(")[0]
        default = "matrix" if name[:1].isupper() else "vector" if name in vector_use else "scalar"
        # a lower-case scalar is promoted when it meets an array element-wise anywhere
        # (through signs, chains, powers and comparisons: README "Defaults"), so scalars
        # are always declared
        if kind == default and kind != "scalar":
            out.add(name)
    return out


def declare(c, body: str, specs: dict, style: str, defaultable=frozenset()):
    """The query text and `shapes=` for a declaration style."""
    if style == "dict":
        return body, dict(specs)
    inline = dict(specs)
    shapes = None
    if style == "defaults":
        inline = {n: s for n, s in specs.items() if n not in defaultable}
    if style == "mixed":
        moved = {n: s for n, s in specs.items() if c.chance(0.5)}
        inline = {n: s for n, s in specs.items() if n not in moved}
        shapes = moved or None
    if style == "open":
        inline = {n: s.split("(")[0] for n, s in specs.items()}
    groups: dict[str, list] = {}
    for n, s in inline.items():
        groups.setdefault(s, []).append(n)
    sep = "\n" if style == "newline" else "; "
    decls = [f"{', '.join(ns)}: {s}" for s, ns in groups.items()]
    return sep.join(decls + [body]), shapes
