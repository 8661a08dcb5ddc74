"""How `array_code`'s Body writes what the cost model (`array_plan`) lowered: a plan's
text (products, broadcasts, solves, symmetric products, reductions), the row exponentials
shared by a row softmax, logsumexp and max of one argument, element-wise operands that
broadcast instead of spreading a column, and outer products in the backend's fastest form (NumPy: the `_outer` helper).
A mixin: `Body` holds the state (texts, names, planner, tracer) these methods use.
"""

from __future__ import annotations

from .. import expr as E
from .. import primitives
from ..errors import MatcalcError
from .array_lowering import Traced, Tracer, lift
from .array_plan import Plan, cost_text
from .array_targets import ADD, ATOM, COND, MUL, UNARY, Text, wrap

__all__ = ["ROW_EXP", "PlannedWriter"]

ROW_EXP = ("softmax_rows", "logsumexp_rows", "max_rows")  # share one shifted exp per argument
_READS_TWICE: dict = {}  # (primitive, backend) -> whether its lowering writes its argument twice


def _dims(shape):
    return shape.rows, shape.cols


class PlannedWriter:
    """The planned-node half of `array_code.Body`."""

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
        if node.name in ROW_EXP:
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
        if p.kind == "mul":
            return Text(f"{wrap(t[0], MUL)} * {wrap(t[1], UNARY)}", MUL)
        if p.kind == "outer":
            call = self.b.outer(wrap(t[0], ATOM), wrap(t[1], ATOM))
            if call is not None:
                self.helpers.add("_outer")
                return Text(call, ATOM)
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
        """Gᵀdiag(d)G as symmetric products (half the flops of a general product): with √d
        weighting when d ≥ 0 at run time, else PᵀP − NᵀN with P the rows of G where d > 0
        scaled by √d and N the others by √−d; JAX (traced under jit, no branch on values)
        scales one side only."""
        name, m = self.names.temp(), self.b.m
        d_, g_ = wrap(d, MUL), wrap(g, UNARY)
        general = f"{name} = ({d_} * {g_}).T @ {wrap(g, ATOM)}"
        if self.b.name == "jax":
            out.append(general)
            return Text(name, ATOM)
        if not d.text.isidentifier():  # indexed below: computed once
            w = self.names.temp()
            out.append(f"{w} = {d.text}")
            d = d_ = Text(w, ATOM)
        half, keep, low = self.names.temp(), self.names.temp(), self.names.temp()
        test = f"{m}.all({d_} >= 0)"
        g_atom = wrap(g, ATOM)
        out.append(f"if {'bool(' + test + ')' if self.b.name == 'torch' else test}:")
        out.append(f"    {half} = {m}.sqrt({d.text}) * {g_}")
        out.append(f"    {name} = {half}.T @ {half}")
        out.append("else:  # both signs: two symmetric products, the rows split by sign")
        out.append(f"    {keep} = {d.text}[:, 0] > 0")
        out.append(f"    {half} = {m}.sqrt({d.text}[{keep}]) * {g_atom}[{keep}]")
        out.append(f"    {low} = {m}.sqrt(-{d.text}[~{keep}]) * {g_atom}[~{keep}]")
        out.append(f"    {name} = {half}.T @ {half} - {low}.T @ {low}")
        return Text(name, ATOM)

    def outer_product(self, node, a) -> Text | None:
        """An element-wise product of columns and one row (scalars aside), a matrix by
        broadcasting, is an outer product: the backend's fastest (NumPy: `_outer`)."""
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
        call = self.b.outer(wrap(column, ATOM), wrap(a[rows[0]], ATOM))
        if call is None:
            return None
        self.helpers.add("_outer")
        return Text(call, ATOM)

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

    # -- the row softmax without a temporary of its own (NumPy)
    def _softmax_parts(self, node):
        """(e, total) when `node` is a row softmax written `e / total` (its argument's
        exp(x − row max) and row sums, row_exp's names), else None. `e` is then a
        temporary this code owns and only that softmax reads (the row logsumexp and the
        row max of the same argument read the maxima and the sums)."""
        if not (isinstance(node, E.Func) and node.name == "softmax_rows"):
            return None
        parts = self.row_exps.get(node.children[0])
        if parts is None or self.b.name != "numpy" or node in self.named:
            return None
        return parts[1], parts[2]

    def in_place(self, node, t: Text) -> Text:
        """The text that names `node`: a row softmax `e / total` divides in place,
        `np.divide(e, total, out=e)` (one N×N array fewer to allocate and to walk through
        the cache; measured 3.1 → 2.4 ms for the attention gradient at N = 256, d = 64).
        Only on this named assignment, which runs once: the softmax node is rendered
        once, and `e` has no other reader."""
        parts = self._softmax_parts(node)
        if parts is None or t.text != f"{parts[0]} / {parts[1]}":
            return t
        e, total = parts
        return Text(f"{self.b.m}.divide({e}, {total}, out={e})", ATOM)

    def scaled_softmax(self, node, a) -> Text | None:
        """softmax(X, rows) ⊙ (columns and scalars) as e * (c / total): the column factors
        meet the row sums before the broadcast, one N×N pass fewer (kern measured 31 → 18
        µs on one line). NumPy only (XLA and torch fuse the passes); None otherwise."""
        kids = node.children
        found = [(k, self._softmax_parts(c)) for k, c in enumerate(kids)]
        found = [(k, p) for k, p in found if p is not None and a[k].text == f"{p[0]} / {p[1]}"]
        if len(found) != 1 or node.shape.cols == 1:
            return None
        k, (e, total) = found[0]
        columns, rest = [], []
        for j, c in enumerate(kids):
            if j == k:
                continue
            p = self.planner.plan(c)
            narrow = p.parts[0].shape if p is not None and p.kind == "spread" else c.shape
            if narrow.is_scalar or (narrow.cols == 1 and narrow.rows == node.shape.rows):
                columns.append(a[j])
            else:
                rest.append(a[j])
        if not any(not t.pure for t in columns):
            return None  # no column factor: nothing to fold
        factor = f"{wrap(self.mul(columns), MUL)} / {total}"
        text = f"{e} * ({factor})" + "".join(" * " + wrap(t, UNARY) for t in rest)
        return Text(text, MUL)
