"""A grammar-driven generator of well-shaped matcalc expression trees (tree.py renders them,
case.py turns one into a query with declarations, wrt and layout).

Every decision goes through a chooser (`choice`, `chance`), so the same code draws from
hypothesis (shrinkable: earlier options are simpler) or from `random.Random` (fast, for
fuzz/run.py). A case covers every operator and function of the language and their aliases,
every shape kind (scalar, vector(n), matrix(m, n), symmetric, simplex, numeric dimensions,
literals, row vectors), declaration styles (inline, newline, `shapes=`, mixed, open
dimensions), layouts and `wrt` kinds (scalar, vector, matrix, a stacked list of scalars),
and the motifs rewrites act on: reused subtrees, `e - e`, `e + A - A`, `(A - B) @ (A - B)`,
negations of shared factors. Arguments of log, sqrt, fractional powers and division are
built positive; of det, logdet and inv well-conditioned (square variables are sampled near 2I).
"""

from __future__ import annotations

import random

from .tree import Node

MAX_NODES = 28
SMOOTH = ("exp", "sin", "cos", "tanh", "sigmoid", "σ", "softplus", "tan")
NAMES = {
    "scalar": ("s", "t", "b", "z", "α", "b_0"),
    "vector": ("x", "y", "w", "v", "u", "b_vec"),
    "matrix": ("A", "B", "C", "W", "X", "W1"),
    "symmetric": ("S", "P", "Σ"),
    "simplex": ("p", "q"),
}
CONSTS = ("2", "3", "0.5", "1", "1.5", "1e-1", ".5")


class RandomChooser:
    def __init__(self, seed):
        self.rng = random.Random(seed)

    def choice(self, seq):
        return self.rng.choice(list(seq))

    def chance(self, p: float) -> bool:
        return self.rng.random() < p


class HypothesisChooser:
    """Draws through hypothesis; shrinks towards the first option and towards False."""

    def __init__(self, draw):
        from hypothesis import strategies as st

        self.draw, self.st = draw, st

    def choice(self, seq):
        return self.draw(self.st.sampled_from(list(seq)))

    def chance(self, p: float) -> bool:
        return self.draw(self.st.integers(0, 99)) >= 100 * (1 - p)


def _weighted(options):
    return [name for name, w in options for _ in range(w)]


class Generator:
    def __init__(self, c, dims):
        self.c, self.dims = c, dims
        self.specs: dict[str, str] = {}
        self.pool: dict[tuple, list] = {}
        self.count = 0

    # ------------------------------------------------------------ leaves
    def var(self, shape, structure=None) -> Node:
        r, col = shape
        if shape == (1, 1):
            kind, spec = "scalar", "scalar"
        elif col == 1:
            kind = structure or "vector"
            spec = f"{kind}({r})"
        elif structure == "symmetric":
            kind, spec = "symmetric", f"symmetric({r})"
        else:
            kind, spec = "matrix", f"matrix({r}, {col})"
        same = [n for n, s in self.specs.items() if s == spec]
        if same and self.c.chance(0.6):
            return Node("var", shape, data=self.c.choice(same))
        free = [n for n in NAMES[kind] if n not in self.specs]
        name = self.c.choice(free) if free else f"{NAMES[kind][0]}{len(self.specs)}"
        self.specs[name] = spec
        return Node("var", shape, data=name)

    def leaf(self, S) -> Node:
        r, c = S
        if S == (1, 1):
            if self.c.chance(0.25):
                return Node("const", S, data=self.c.choice(CONSTS))
            return self.var(S)
        if r == 1:  # a row: a transposed column
            return Node("T", S, (self.leaf((c, 1)),), self.c.choice((".T", "ᵀ", "transpose")))
        if c == 1:
            return self.var(S, "simplex" if self.c.chance(0.15) else None)
        if r == c and self.c.chance(0.3):
            return self.var(S, "symmetric")
        return self.var(S)

    def dim(self):
        return self.c.choice(self.dims)

    # ------------------------------------------------------------ general expressions
    def expr(self, S, depth: int) -> Node:
        self.count += 1
        if depth <= 0 or self.count > MAX_NODES:
            return self.leaf(S)
        r, c = S
        options = [
            ("leaf", 2),
            ("unary", 3),
            ("logsqrt", 1),
            ("kink", 2),
            ("binary", 4),
            ("expand", 2),
            ("div", 1),
            ("pow", 2),
            ("neg", 1),
            ("matmul", 3),
            ("motif", 3),
            ("reuse", 1),
            ("compare", 1),
        ]
        if S != (1, 1):
            options.append(("transpose", 1))
        if S == (1, 1):
            options += [("reduce", 5), ("quad", 1)]
        if c == 1 and r != 1:
            options.append(("softmax", 1))
        if all(isinstance(x, int) and x > 1 for x in S) or (
            isinstance(r, int) and r > 1 and c == 1
        ):
            options.append(("literal", 3))
        if r == c and r != 1:
            options += [("diag", 1), ("inv", 1)]
        kind = self.c.choice(_weighted(options))
        node = getattr(self, "p_" + kind)(S, depth - 1)
        self.pool.setdefault(S, []).append(node)
        return node

    def p_leaf(self, S, d):
        return self.leaf(S)

    def p_unary(self, S, d):
        return Node("call", S, (self.expr(S, d),), self.c.choice(SMOOTH))

    def p_logsqrt(self, S, d):
        return Node("call", S, (self.pos(S, d),), self.c.choice(("log", "ln", "sqrt")))

    def p_kink(self, S, d):
        k = self.c.choice(("abs", "relu", "max", "max0", "sign"))
        if k == "max":
            other = S if self.c.chance(0.6) else (1, 1)
            kids = (self.expr(S, d), self.expr(other, d))
            return Node("call", S, kids if self.c.chance(0.5) else kids[::-1], "max")
        if k == "max0":
            return Node("call", S, (Node("const", (1, 1), data="0"), self.expr(S, d)), "max")
        if k == "sign":
            return Node(
                "bin", S, (Node("call", S, (self.expr(S, d),), "sign"), self.expr(S, d)), "*"
            )
        return Node("call", S, (self.expr(S, d),), k)

    def p_compare(self, S, d):
        other = S if self.c.chance(0.5) else (1, 1)
        step = Node(
            "cmp", S, (self.expr(S, d), self.expr(other, d)), self.c.choice((">", ">=", "<", "<="))
        )
        if self.c.chance(0.2):
            return step
        return Node("bin", S, (self.expr(S, d), step), "*")

    def p_binary(self, S, d):
        return Node(
            "bin",
            S,
            (self.expr(S, d), self.expr(S, d)),
            self.c.choice(("+", "-", "*", "+", "-", "*", "⊗")),
        )

    def p_expand(self, S, d):
        op = self.c.choice(("+", "-", "*", "/"))
        scalar, full = (1, 1), S
        if op == "/":
            if self.c.chance(0.5):
                return Node("bin", S, (self.expr(scalar, d), self.pos(full, d)), "/")
            return Node("bin", S, (self.expr(full, d), self.pos(scalar, d)), "/")
        kids = (self.expr(scalar, d), self.expr(full, d))
        return Node("bin", S, kids if self.c.chance(0.5) else kids[::-1], op)

    def p_div(self, S, d):
        return Node("bin", S, (self.expr(S, d), self.pos(S, d)), self.c.choice(("/", "⊘")))

    def p_pow(self, S, d):
        tok = self.c.choice(("^", "**"))
        if self.c.chance(0.5):
            return Node(
                "pow",
                S,
                (self.expr(S, d), Node("const", (1, 1), data=self.c.choice(("2", "3")))),
                tok,
            )
        k = self.c.choice(("0.5", "-1", "1.5", "-2", "scalar"))
        if k == "scalar":
            e = self.pos((1, 1), d)
        elif k.startswith("-"):
            e = Node("neg", (1, 1), (Node("const", (1, 1), data=k[1:]),))
        else:
            e = Node("const", (1, 1), data=k)
        return Node("pow", S, (self.pos(S, d), e), tok)

    def p_neg(self, S, d):
        return Node("neg", S, (self.expr(S, d),))

    def p_transpose(self, S, d):
        return Node("T", S, (self.expr((S[1], S[0]), d),), self.c.choice((".T", "ᵀ", "transpose")))

    def p_matmul(self, S, d):
        r, c = S
        op = self.c.choice(("@", "@", "·"))
        k = self.dim()
        if S == (1, 1):
            form = self.c.choice(("vv", "dot", "Tv", "vMv"))
            a, b = self.expr((k, 1), d), self.expr((k, 1), d)
            if form == "dot":
                return Node("call", S, (a, b), "dot")
            if form == "Tv":
                return Node("matmul", S, (Node("T", (1, k), (a,), ".T"), b), op)
            if form == "vMv":
                j = self.dim()
                b = self.expr((j, 1), d)
                left = Node("matmul", (1, j), (a, self.expr((k, j), d)), op)
                return Node("matmul", S, (left, b), op)
            return Node("matmul", S, (a, b), op)
        if r == 1:  # a row: v @ M or vᵀ @ M
            v = self.expr((k, 1), d)
            left = v if self.c.chance(0.5) else Node("T", (1, k), (v,), "ᵀ")
            return Node("matmul", S, (left, self.expr((k, c), d)), op)
        if c != 1 and self.c.chance(0.3):  # outer product
            return Node("matmul", S, (self.expr((r, 1), d), self.expr((1, c), d)), op)
        return Node("matmul", S, (self.expr((r, k), d), self.expr((k, c), d)), op)

    def p_reduce(self, S, d):
        f = self.c.choice(("sum", "mean", "norm", "logsumexp", "trace", "tr", "det", "logdet"))
        k = self.dim()
        if f in ("sum", "mean", "norm"):
            shape = self.c.choice(((k, 1), (k, 1), (k, self.dim()), (1, k)))
            return Node("call", S, (self.expr(shape, d),), f)
        if f == "logsumexp":
            return Node("call", S, (self.expr((k, 1), d),), f)
        if f in ("trace", "tr"):
            return Node("call", S, (self.expr((k, k), d),), f)
        return Node("call", S, (self.wellcond(k, d),), f)

    def p_quad(self, S, d):
        k = self.dim()
        x = self.expr((k, 1), d)
        return Node("matmul", S, (Node("matmul", (1, k), (x, self.expr((k, k), d)), "@"), x), "@")

    def p_softmax(self, S, d):
        return Node("call", S, (self.expr(S, d),), "softmax")

    def p_literal(self, S, d):
        r, c = S
        entries = tuple(self.expr((1, 1), min(d, 1)) for _ in range(r * (c if c != 1 else 1)))
        return Node("list", S, entries, "vec" if c == 1 else "mat")

    def p_diag(self, S, d):
        return Node("call", S, (self.expr((S[0], 1), d),), "diag")

    def p_inv(self, S, d):
        return Node("call", S, (self.wellcond(S[0], d),), "inv")

    def p_reuse(self, S, d):
        seen = self.pool.get(S)
        return self.c.choice(seen) if seen else self.expr(S, d)

    def p_motif(self, S, d):
        r, c = S
        forms = ["cancel", "zero", "negshared", "diffswap"]
        if r == c:  # square, or a scalar: sum/trace
            forms.append("squarediff")
        if S == (1, 1):
            forms.append("sandwich")
        form = self.c.choice(forms)
        if form == "cancel":  # e + F - F, F shaped like the result
            f = self.expr(S, min(d, 1)) if self.c.chance(0.5) else self.leaf(S)
            e = self.expr((1, 1) if self.c.chance(0.5) else S, d)
            first = Node("bin", S, (e, f) if self.c.chance(0.5) else (f, e), "+")
            return Node("bin", S, (first, f), "-")
        if form == "zero":  # g ∘ (e − e)
            e = self.expr(S, d)
            zero = Node("bin", S, (e, e), "-")
            return Node("bin", S, (self.expr(S, d), zero), self.c.choice(("+", "*")))
        if form == "negshared":  # −e ⊗ e
            e = self.expr(S, d)
            return Node("bin", S, (Node("neg", S, (e,)), e), "*")
        if form == "diffswap":  # (a − b) ⊗ (b − a)
            a, b = self.expr(S, d), self.expr(S, d)
            return Node("bin", S, (Node("bin", S, (a, b), "-"), Node("bin", S, (b, a), "-")), "*")
        k = r if r != 1 else self.dim()
        D = Node("bin", (k, k), (self.expr((k, k), d), self.expr((k, k), d)), "-")
        DD = Node("matmul", (k, k), (D, D), "@")
        if form == "sandwich":  # −(x (A − B)(A − B) y)
            x, y = self.expr((k, 1), 0), self.expr((k, 1), 0)
            inner = Node("matmul", (1, k), (Node("matmul", (1, k), (x, D), "@"), D), "@")
            return Node("neg", S, (Node("matmul", S, (inner, y), "@"),))
        s = self.expr((1, 1), d)
        how = self.c.choice(("plain", "div", "negmul", "cos"))
        if how == "div":
            DD = Node("bin", (k, k), (DD, self.pos((1, 1), d)), "/")
        if how == "negmul":
            DD = Node("bin", (k, k), (Node("neg", (1, 1), (s,)), DD), "*")
        if how == "cos":
            DD = Node("bin", (k, k), (Node("call", (1, 1), (s,), "cos"), DD), "*")
        if S == (1, 1):
            return Node("call", S, (DD,), self.c.choice(("sum", "trace")))
        return DD

    # ------------------------------------------------------------ positive, well-conditioned
    def pos(self, S, depth: int) -> Node:
        """An expression positive everywhere (or at the sampled points)."""
        self.count += 1
        r, c = S
        if depth <= 0 or self.count > MAX_NODES:
            if S == (1, 1) and self.c.chance(0.3):
                return Node("const", S, data=self.c.choice(("2", "3", "1.5")))
            return Node("call", S, (self.leaf(S),), "exp")
        forms = ["exp", "sigmoid", "softplus", "onesq", "sum", "prod", "div", "sqrt"]
        if c == 1 and r != 1:
            forms.append("simplex")
        if S == (1, 1):
            forms += ["det", "norm"]
        form = self.c.choice(forms)
        d = depth - 1
        if form in ("exp", "sigmoid", "softplus"):
            return Node("call", S, (self.expr(S, d),), form)
        if form == "onesq":  # 1 + e²
            sq = Node("pow", S, (self.expr(S, d), Node("const", (1, 1), data="2")), "^")
            return Node("bin", S, (Node("const", (1, 1), data="1"), sq), "+")
        if form == "sum":
            return Node("bin", S, (self.pos(S, d), self.pos(S, d)), "+")
        if form == "prod":
            return Node("bin", S, (self.pos(S, d), self.pos(S, d)), "*")
        if form == "div":
            return Node("bin", S, (self.pos(S, d), self.pos(S, d)), "/")
        if form == "sqrt":
            return Node("call", S, (self.pos(S, d),), "sqrt")
        if form == "simplex":
            return self.var(S, "simplex")
        if form == "det":
            return Node("call", S, (self.wellcond(self.dim(), d),), "det")
        return Node(
            "bin",
            S,
            (Node("const", S, data="1"), Node("call", S, (self.expr((self.dim(), 1), d),), "norm")),
            "+",
        )

    def wellcond(self, k, depth: int) -> Node:
        """A k×k matrix near 2I (or a product/inverse/scaling of such): invertible,
        with a positive determinant."""
        self.count += 1
        S = (k, k)
        if depth <= 0 or self.count > MAX_NODES:
            return self.var(S, "symmetric" if self.c.chance(0.3) else None)
        form = self.c.choice(("var", "sym", "diag", "transpose", "prod", "inv", "scale", "psd"))
        d = depth - 1
        if form in ("var", "sym"):
            return self.var(S, "symmetric" if form == "sym" else None)
        if form == "diag":
            return Node("call", S, (self.pos((k, 1), d),), "diag")
        if form == "transpose":
            return Node("T", S, (self.wellcond(k, d),), self.c.choice((".T", "ᵀ", "transpose")))
        if form == "prod":
            return Node("matmul", S, (self.wellcond(k, d), self.wellcond(k, d)), "@")
        if form == "inv":
            return Node("call", S, (self.wellcond(k, d),), "inv")
        if form == "scale":
            return Node("bin", S, (self.pos((1, 1), d), self.wellcond(k, d)), "*")
        j = self.dim()
        M = self.var((k, j)) if j != 1 else self.var((k, 1))
        MMt = Node("matmul", S, (M, Node("T", (M.shape[1], k), (M,), ".T")), "@")
        return Node("bin", S, (self.wellcond(k, d), MMt), "+")
