"""Python source for the expressions of one DAG, for NumPy, JAX or PyTorch: the printer
that `codegen` writes its functions with (one target each, as `text` prints Unicode and
LaTeX). A `Body` walks the DAG once and writes each node inline into its single user or,
when it is shared or long, as one assignment; `Backend` (in `array_targets`) holds what
differs between the three array libraries; constants are float64 literals (a constant
float64 cannot hold is a LimitError). Values are 2-D as in `evaluate.py` (a vector n×1),
scalars 0-d.
"""

from __future__ import annotations

from .. import expr as E
from .. import primitives
from ..errors import MatcalcError
from ..primitives.catalog import REGISTRY
from .array_lowering import Traced, Tracer, lift
from .array_plan import Plan, Planner, cost_text
from .array_targets import (
    ADD,
    ATOM,
    BACKENDS,
    COND,
    LONG,
    MUL,
    POW,
    UNARY,
    Backend,
    Names,
    Text,
    float_literal,
    np_dims,
    wrap,
)

__all__ = [
    "ADD",
    "ATOM",
    "BACKENDS",
    "LONG",
    "MUL",
    "POW",
    "UNARY",
    "Backend",
    "Body",
    "Names",
    "Text",
    "float_literal",
    "np_dims",
    "wrap",
]

_LEAVES = (E.Var, E.Const, E.DimSize, E.Differential)
_ELEMENTWISE = (E.Add, E.Mul, E.Pow, E.Func, E.Max, E.Compare)
_ROW_EXP = ("softmax_rows", "logsumexp_rows", "max_rows")  # share one shifted exp per argument
_READS_TWICE: dict = {}  # (primitive, backend) -> whether its lowering writes its argument twice


def _dims(shape):
    return shape.rows, shape.cols


# ---------------------------------------------------------------- one function body
class Body:
    """Straight-line code for a set of roots over one DAG (plus an optional loop over
    the basis directions of a differential)."""

    def __init__(self, b: Backend, names: Names, var_names: dict, dim_text):
        self.b = b
        self.names = names
        self.var_names = var_names  # Var name -> Python identifier
        self.dim = dim_text  # dimension -> Python text
        self.text: dict = {}  # node -> Text
        self.named: set = set()  # nodes given their own assignment
        self.maxima: dict = {}  # node -> the name of its maximum
        self.exp_sums: dict = {}  # node -> the names of exp(node − max) and its sum
        self.row_exps: dict = {}  # node -> the names of its row maxima, exp(node − those), sums
        self.preferred: dict = {}  # node -> the identifier it is named by (render.names)
        self.xp = Tracer(b)  # primitives' lowerings write source through it
        self.planner = Planner()  # how each node is computed (array_plan's cost model)

    # -- shapes
    def tuple_text(self, dims) -> str:
        items = [self.dim(d) for d in dims]
        return (
            "()"
            if not items
            else f"({items[0]},)"
            if len(items) == 1
            else "(" + ", ".join(items) + ")"
        )

    # -- the walk
    def emit(self, roots, loop_roots=(), dX=None, lines=None, loop_lines=None):
        """Assignments for what `roots` (outside any loop) and `loop_roots` (inside the
        loop over the directions dX) need, appended to `lines` and `loop_lines`; the
        text of every node is then in self.text."""
        kids = self.planner.kids
        self.planner.note(list(roots) + list(loop_roots))
        order = self.walk(list(roots) + list(loop_roots), kids)
        uses: dict = {}
        by_choice: dict = {}  # uses as the operand of a run-time choice of chain order
        for node in order:
            for c in set(kids(node)):  # once: a choice's options may share an operand
                uses[c] = uses.get(c, 0) + 1
            if isinstance(node, (E.Softmax, E.LogSumExp)) or self.reads_twice(node):
                uses[node.children[0]] = uses.get(node.children[0], 0) + 1  # its argument twice
            plan = self.planner.plan(node)
            if plan is not None and plan.kind in ("gram", "xdx"):  # its operands twice
                for c in plan.parts:
                    uses[c] = uses.get(c, 0) + 1
            if plan is not None and plan.kind == "choice":
                for c in set(kids(node)):
                    by_choice[c] = by_choice.get(c, 0) + 1
        for r in list(roots) + list(loop_roots):
            uses[r] = uses.get(r, 0) + 1
        # used only as operands of run-time choices: written inline, computed only when chosen
        # (the options of one choice are disjoint sub-chains, each evaluated at most once)
        optional = {n for n, k in by_choice.items() if uses.get(n) == k}
        in_loop = {n for n in order if dX is not None and n.depends_on(dX)}
        hoist = {c for n in in_loop for c in kids(n) if c not in in_loop}
        for node in order:
            out = loop_lines if node in in_loop else lines
            t = self.expand(node, self.render(node, out))
            if not isinstance(node, _LEAVES):
                shared = (uses.get(node, 0) > 1 and node not in optional) or node in hoist
                if t.prec == ATOM and "(" not in t.text and "[" not in t.text:
                    shared = False  # a name or name.T: cheap inline
                spread = self.planner.plan(node)
                named = node in self.preferred and not t.text.isidentifier()
                if spread is not None and spread.kind == "spread":
                    pass  # never named: its column is, and its users broadcast that
                elif shared or (len(t.text) > LONG and node not in optional) or named:
                    name = self.temp(node)
                    out.append(f"{name} = {t.text}")
                    t = Text(name, ATOM, t.pure)
                    self.named.add(node)
            self.text[node] = t

    def walk(self, roots, kids) -> list:
        """The nodes below roots not written yet, children (as planned) first."""
        order, seen = [], set()
        for root in roots:
            stack = [(root, False)]
            while stack:
                node, done = stack.pop()
                if done:
                    order.append(node)
                    continue
                if node in seen or node in self.text:
                    continue
                seen.add(node)
                stack.append((node, True))
                stack.extend((c, False) for c in reversed(kids(node)))
        return order

    # -- one node
    def render(self, node, out) -> Text:
        b, m = self.b, self.b.m
        plan = self.planner.plan(node)
        if plan is not None:
            return self.planned(plan, out, node)
        a = self.operands(node)
        match node:
            case E.Var():
                return Text(self.var_names[node.name], ATOM)
            case E.Differential():
                return self.text[node]
            case E.Const():
                s = float_literal(node.value)
                return Text(s, ATOM if node.value >= 0 else UNARY, True)
            case E.DimSize():
                return Text(self.dim(node.dim), ATOM, True)
            case E.Zero() | E.Ones():
                what = "zeros" if isinstance(node, E.Zero) else "ones"
                return Text(
                    b.filled(what, self.tuple_text((node.shape.rows, node.shape.cols))), ATOM
                )
            case E.Identity():
                return Text(b.eye(self.dim(node.n)), ATOM)
            case E.Add():
                return self.add(node, a)
            case E.Mul():
                return self.outer_product(node, a) or self.mul(a)
            case E.Pow():
                return self.pow(node, a)
            case E.Func():
                return self.func(node, a, out)
            case E.Max():
                x, y = (self.arg(t) for t in a)
                return Text(f"{m}.maximum({x}, {y})", ATOM)
            case E.Compare():
                x, y = (wrap(t, ADD) for t in a)
                cmp = f"{x} {node.op} {y}"
                if b.name == "numpy":
                    if a[0].pure and a[1].pure:
                        return Text(f"float({cmp})", ATOM, True)
                    return Text(f"({cmp}).astype({b.float_type})", ATOM)
                return Text(b.asarray(cmp), ATOM)
            case E.MatMul():
                parts = [wrap(t, UNARY) for t in a]
                if node.shape.cols == 1 and len(parts) > 2:
                    # a chain ending in a column: from the right, matrix-vector products only
                    text = parts[-1]
                    for p in reversed(parts[:-1]):
                        text = f"{p} @ ({text})" if "@" in text else f"{p} @ {text}"
                    return Text(text, MUL)
                return Text(" @ ".join(parts), MUL)
            case E.Transpose():
                return Text(wrap(a[0], ATOM) + ".T", ATOM)
            case E.Sum() | E.Trace() | E.Det() | E.Inv() | E.Norm():  # the registry's
                out = REGISTRY.by_node[type(node)].lower(self.xp, Traced(a[0].text, ATOM))
                return Text(out.text, out.prec)
            case E.Diag():
                return Text(f"{m}.diag({wrap(a[0], ATOM)}[:, 0])", ATOM)
            case E.Diagonal():
                return Text(f"{m}.diag({a[0].text})[:, None]", ATOM)
            case E.Softmax():
                e, total = self.exp_sum(node.args[0], out)
                return Text(f"{e} / {total}", MUL)
            case E.LogSumExp():
                _, total = self.exp_sum(node.args[0], out)
                return Text(f"{self.top(node.args[0], out)} + {m}.log({total})", ADD)
            case E.Block():
                return self.block(node, a)
        raise MatcalcError(f"no code generation for {type(node).__name__} nodes")

    def operands(self, node) -> list:
        """The texts of node's children; in an element-wise node, a child planned as a
        column or row spread over a matrix is the column or row itself when broadcasting
        with the other operands gives the node's shape (S ⊙ (M 1 1ᵀ) is S * rowsums)."""
        a = [self.text[c] for c in node.children]
        if not isinstance(node, (E.Add, E.Mul, E.Max, E.Compare)) or node.shape.is_scalar:
            return a
        spreads = {}
        for k, c in enumerate(node.children):
            p = self.planner.plan(c)
            if p is not None and p.kind == "spread":
                spreads[k] = p.parts[0]
        if not spreads:
            return a
        shapes = [
            spreads[k].shape if k in spreads else c.shape for k, c in enumerate(node.children)
        ]
        shapes = [x for x in shapes if not x.is_scalar]
        for full, axis in ((node.shape.rows, 0), (node.shape.cols, 1)):
            if full != 1 and not any(_dims(x)[axis] == full for x in shapes):
                return a
        return [self.text[spreads[k]] if k in spreads else t for k, t in enumerate(a)]

    def reads_twice(self, node) -> bool:
        """Whether the lowering of a one-argument function writes its argument's text more
        than once (the stable row softmax shifts by the row maxima): then the argument is
        computed once, named."""
        if not isinstance(node, E.Func) or len(node.children) != 1:
            return False
        if node.name in _ROW_EXP:
            return True
        key = (node.name, self.b.name)
        if key not in _READS_TWICE:
            mark = "__matcalc_argument__"
            try:
                lower = primitives.get(node.name).lowering(self.b.name)
                text = lift(lower(Tracer(self.b), Traced(mark, ATOM))).text
                _READS_TWICE[key] = text.count(mark) > 1
            except Exception:  # noqa: BLE001 -- a lowering that cannot trace: as written
                _READS_TWICE[key] = False
        return _READS_TWICE[key]

    def planned(self, p: Plan, out, node=None) -> Text:
        """A node as array_plan lowered it."""
        m = self.b.m
        if p.kind == "choice":
            texts = [self.planned(option, out).text for option, _, _ in p.options]
            costs = [cost_text(f, s, self.dim) for _, f, s in p.options]
            text = texts[-1]
            for k in range(len(texts) - 2, -1, -1):
                others = costs[k + 1 :]
                rest = others[0] if len(others) == 1 else f"min({', '.join(others)})"
                text = f"{texts[k]} if {costs[k]} <= {rest} else {text}"
            return Text(text, COND)
        t = [self.text[c] for c in p.parts]
        if p.kind == "T":
            return Text(wrap(t[0], ATOM) + ".T", ATOM)
        if p.kind == "same":
            return t[0]
        if p.kind == "neg":
            return Text("-" + wrap(t[0], UNARY), UNARY, t[0].pure)
        if p.kind == "rowsum":
            return Text(self.xp.sum(self.traced(t[0]), axis=1, keepdims=True).text, ATOM)
        if p.kind == "spread":
            r, c = node.shape.rows, node.shape.cols
            ones = (r, 1) if p.parts[0].shape.rows == 1 else (1, c)
            filled = self.b.filled("ones", self.tuple_text(ones))
            return Text(f"{wrap(t[0], MUL)} * {filled}", MUL)
        if p.kind == "mm":
            return Text(f"{wrap(t[0], MUL)} @ {wrap(t[1], UNARY)}", MUL)
        if p.kind == "outer":
            einsum = self.b.outer(wrap(t[0], ATOM), wrap(t[1], ATOM))
            if einsum is not None:
                return Text(einsum, ATOM)
        if p.kind in ("outer", "diag_left"):
            return Text(f"{wrap(t[0], MUL)} * {wrap(t[1], UNARY)}", MUL)
        if p.kind == "diag_right":
            d = t[1].text if t[1].pure else wrap(t[1], ATOM) + ".T"
            return Text(f"{wrap(t[0], MUL)} * {d}", MUL)
        if p.kind == "solve":
            return Text(self.xp.solve(self.traced(t[0]), self.traced(t[1])).text, ATOM)
        if p.kind == "solve_right":
            left = Traced(wrap(t[0], ATOM) + ".T", ATOM)
            x = Traced(wrap(t[1], ATOM) + ".T", ATOM)
            return Text(self.xp.solve(x, left).text + ".T", ATOM)
        if p.kind == "gram":
            g = wrap(t[0], ATOM)
            return Text(f"{g}.T @ {g}", MUL)
        if p.kind == "xdx":
            return self.weighted_gram(t[0], t[1], out)
        if p.kind in ("logdet", "logabsdet"):
            # log det X = log|det X| + log(sign): no overflow; nan for det X < 0 as log is
            sign, log_abs = self.names.temp(), self.names.temp()
            call = self.xp.slogdet(self.traced(t[0])).text
            out.append(f"{sign}, {log_abs} = {call}")
            if p.kind == "logabsdet":
                return Text(log_abs, ATOM)
            return Text(f"{log_abs} + {m}.log({sign})", ADD)
        raise MatcalcError(f"no code generation for a {p.kind!r} plan")

    @staticmethod
    def traced(t: Text) -> Traced:
        return Traced(t.text, t.prec, t.pure)

    def weighted_gram(self, d: Text, g: Text, out) -> Text:
        """Gᵀdiag(d)G: with √d weighting (a symmetric product, half the flops) when d ≥ 0
        at run time; JAX (traced under jit, no branch on values) scales one side only."""
        name, m = self.names.temp(), self.b.m
        d_, g_ = wrap(d, MUL), wrap(g, UNARY)
        general = f"{name} = ({d_} * {g_}).T @ {wrap(g, ATOM)}"
        if self.b.name == "jax":
            out.append(general)
            return Text(name, ATOM)
        half = self.names.temp()
        test = f"{m}.all({d_} >= 0)"
        out.append(f"if {'bool(' + test + ')' if self.b.name == 'torch' else test}:")
        out.append(f"    {half} = {m}.sqrt({d.text}) * {g_}")
        out.append(f"    {name} = {half}.T @ {half}")
        out.append("else:")
        out.append(f"    {general}")
        return Text(name, ATOM)

    def temp(self, node) -> str:
        """A fresh identifier for `node`'s value: its name in the printed result where it
        has one (`s = …` for `where s = softmax(Wx)`), else t1, t2, …"""
        if node in self.preferred:
            return self.names.claim(self.preferred[node])
        return self.names.temp()

    def expand(self, node, t: Text) -> Text:
        """An element-wise node of scalars that is itself an array (x + 1/2 − x is n×1 when
        its array terms cancel) is a 0-d value in Python: expand it to its shape, as
        `evaluate` does."""
        if (
            isinstance(node, _ELEMENTWISE)
            and not node.shape.is_scalar
            and all(c.shape.is_scalar for c in node.children)
        ):
            shape = self.tuple_text((node.shape.rows, node.shape.cols))
            return Text(self.b.broadcast(self.arg(t), shape), ATOM)
        return t

    def exp_sum(self, node, out) -> tuple:
        """The names of exp(node − max node) and its sum, shared by the softmax and the
        logsumexp of one argument (shifted: no overflow)."""
        if node not in self.exp_sums:
            top = self.top(node, out)
            e, total = self.names.temp(), self.names.temp()
            out.append(f"{e} = {self.b.m}.exp({self.text[node].text} - {top})")
            out.append(f"{total} = {self.b.m}.sum({e})")
            self.exp_sums[node] = (e, total)
        return self.exp_sums[node]

    def top(self, node, out) -> str:
        """The name of max(node), shared by the softmax and logsumexp of one argument."""
        if node not in self.maxima:
            self.maxima[node] = self.names.temp()
            out.append(f"{self.maxima[node]} = {self.b.m}.max({self.text[node].text})")
        return self.maxima[node]

    def arg(self, t: Text) -> str:
        """A function argument: Python numbers become tensors for torch."""
        return self.b.tensor(t.text) if t.pure else t.text

    def add(self, node, a) -> Text:
        parts = []
        for term, t in zip(node.args, a):
            neg = None
            if term in self.named:
                pass
            elif self.planner.plan(term) is not None:
                if t.text.startswith("-") and t.prec in (MUL, UNARY):  # −(a ⋯) is −a ⋯
                    neg = Text(t.text[1:], t.prec, t.pure)
            elif (
                isinstance(term, E.Mul)
                and isinstance(term.args[0], E.Const)
                and term.args[0].value < 0
            ):
                neg = self.mul(
                    [Text(float_literal(-term.args[0].value), ATOM, True)]
                    + [self.text[f] for f in term.args[1:]]
                )
            elif isinstance(term, E.Const) and term.value < 0:
                neg = Text(float_literal(-term.value), ATOM, True)
            if neg is not None and parts:
                parts.append(" - " + wrap(neg, MUL))
            elif parts:
                parts.append(" + " + wrap(t, ADD))
            else:
                parts.append(wrap(t, ADD))
        return Text("".join(parts), ADD, all(t.pure for t in a))

    def add_texts(self, a) -> str:
        return " + ".join(wrap(t, ADD) for t in a)

    def outer_product(self, node, a) -> Text | None:
        """An element-wise product of columns and one row (scalars aside), a matrix by
        broadcasting, is an outer product: the backend's fastest (NumPy: einsum)."""
        if node.shape.rows == 1 or node.shape.cols == 1:
            return None
        rows = [k for k, f in enumerate(node.args) if f.shape.rows == 1 and not f.shape.is_scalar]
        cols = [k for k, f in enumerate(node.args) if f.shape.cols == 1 and not f.shape.is_scalar]
        if (
            len(rows) != 1
            or len(rows) + len(cols) + sum(f.shape.is_scalar for f in node.args) != len(node.args)
            or not cols
        ):
            return None
        column = self.mul([t for k, t in enumerate(a) if k not in rows])
        einsum = self.b.outer(wrap(column, ATOM), wrap(a[rows[0]], ATOM))
        return None if einsum is None else Text(einsum, ATOM)

    def mul(self, a) -> Text:
        pure = all(t.pure for t in a)
        if a and a[0].text == "1.0" and len(a) > 1:
            a = a[1:]
        if a and a[0].text == "-1.0" and len(a) > 1:
            rest = self.mul(a[1:])
            return Text("-" + wrap(rest, MUL), MUL, pure)
        if len(a) == 1:
            return a[0]
        text = wrap(a[0], MUL) + "".join(" * " + wrap(t, UNARY) for t in a[1:])
        return Text(text, MUL, pure)

    def pow(self, node, a) -> Text:
        base, k = a
        exponent = node.args[1]
        if isinstance(exponent, E.Const) and exponent.value.denominator == 1:
            float_literal(exponent.value)  # x ** 10^999 is beyond float64 as well
            n = int(exponent.value)
            if n > 0:
                return Text(f"{wrap(base, ATOM)} ** {n}", POW, base.pure)
            powered = wrap(base, ATOM) + ("" if n == -1 else f" ** {-n}")
            return Text(f"1.0 / {powered}", MUL, base.pure)
        return Text(f"{wrap(base, ATOM)} ** {wrap(k, ATOM)}", POW, base.pure and k.pure)

    def row_exp(self, node, out) -> tuple:
        """The names of max(node, axis=1), exp(node − that) and its row sums, shared by the
        row softmax, row logsumexp and row max of one argument (shifted: no overflow), as
        the hand-written forward pass shares them."""
        if node not in self.row_exps:
            x = self.traced(self.text[node])
            top, e, total = self.names.temp(), self.names.temp(), self.names.temp()
            out.append(f"{top} = {self.xp.amax(x, axis=1, keepdims=True).text}")
            out.append(f"{e} = {self.b.m}.exp({wrap(self.text[node], ADD)} - {top})")
            out.append(f"{total} = {self.xp.sum(Traced(e, ATOM), axis=1, keepdims=True).text}")
            self.row_exps[node] = (top, e, total)
        return self.row_exps[node]

    def func(self, node, a, out=None) -> Text:
        """A registered primitive: its lowering (the stable form where there is one) run
        with the backend's tracer."""
        if node.name in _ROW_EXP and out is not None:
            m, e, total = self.row_exp(node.children[0], out)
            if node.name == "softmax_rows":
                return Text(f"{e} / {total}", MUL)
            if node.name == "logsumexp_rows":
                return Text(f"{m} + {self.b.m}.log({total})", ADD)
            return Text(m, ATOM)
        lower = primitives.get(node.name).lowering(self.b.name)
        out = lower(self.xp, *(Traced(t.text, t.prec, t.pure) for t in a))
        out = lift(out)
        return Text(out.text, out.prec, out.pure)

    def block(self, node, a) -> Text:
        r, c = node.args[0], node.args[1]
        rows = [a[i * c : (i + 1) * c] for i in range(r)]
        if self.b.name != "torch":
            inner = ", ".join("[" + ", ".join(t.text for t in row) + "]" for row in rows)
            return Text(f"{self.b.m}.block([{inner}])", ATOM)

        def two_d(t):
            return f"torch.atleast_2d({self.arg(t)})"

        inner = ", ".join(
            "torch.cat([" + ", ".join(two_d(t) for t in row) + "], dim=1)" for row in rows
        )
        return Text(f"torch.cat([{inner}], dim=0)", ATOM)
