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
from .array_plan import Planner
from .array_planned import ROW_EXP, PlannedWriter
from .array_targets import (
    ADD,
    ATOM,
    BACKENDS,
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
    "tuple_literal",
    "wrap",
]

_LEAVES = (E.Var, E.Const, E.DimSize, E.Differential)
_ELEMENTWISE = (E.Add, E.Mul, E.Pow, E.Func, E.Max, E.Compare)


# ---------------------------------------------------------------- one function body
def tuple_literal(items: list[str]) -> str:
    """A Python tuple of these item texts: `()`, `(n,)`, `(m, n)` (shapes in generated code)."""
    if not items:
        return "()"
    return f"({items[0]},)" if len(items) == 1 else "(" + ", ".join(items) + ")"


class Body(PlannedWriter):
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
        self.helpers: set = set()  # module-level helpers the code calls (array_targets.HELPERS)
        self.planner = Planner()  # how each node is computed (array_plan's cost model)

    # -- shapes
    def tuple_text(self, dims) -> str:
        return tuple_literal([self.dim(d) for d in dims])

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
                    out.append(f"{name} = {self.in_place(node, t).text}")
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
            case E.Kron():
                return Text(f"{m}.kron({a[0].text}, {a[1].text})", ATOM)
            case E.Unit():  # indexing: columns of the identity
                return Text(f"{b.eye(self.dim(node.n))}[:, {node.columns_text()}]", ATOM)
            case E.Add():
                return self.add(node, a)
            case E.Mul():
                return self.outer_product(node, a) or self.scaled_softmax(node, a) or self.mul(a)
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

    def func(self, node, a, out=None) -> Text:
        """A registered primitive: its lowering (the stable form where there is one) run
        with the backend's tracer."""
        if node.name in ROW_EXP and out is not None:
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
