"""Matrix notation in Unicode (`text`) and LaTeX (`latex`): one walk over the nodes.

The walk decides structure — numerator over denominator, what is juxtaposed, what needs
parentheses — and a `Style` supplies the tokens (`xᵀ` or `x^\\top`, `⊗` or `\\odot`).
Printed forms read back through the parser: they are matcalc's own language. LaTeX names,
words and operator names are written by `latex_names`, the escaping every LaTeX emitter shares.
"""

from __future__ import annotations

from fractions import Fraction

from .. import expr as E
from .. import primitives
from .entries import entries
from .latex_names import fold_lines
from .styles import (
    ATOM,
    ELEMENTWISE,
    POWER,
    PRODUCT,
    SUM,
    SUPERSCRIPT,
    UNARY,
    LatexStyle,
    Style,
)

__all__ = [
    "ATOM",
    "ELEMENTWISE",
    "POWER",
    "PRODUCT",
    "SUM",
    "SUPERSCRIPT",
    "UNARY",
    "LatexStyle",
    "Printer",
    "Style",
    "latex",
    "text",
]


class Printer:
    def __init__(self, style: Style):
        self.s = style
        self.memo: dict = {}
        self.named: set = set()  # nodes printed as a name (render.names seeds memo with them)

    def __call__(self, e: E.Expr) -> str:
        return self.show(e)[0]

    def bare(self, e: E.Expr) -> str:
        """An argument of a call: a comparison needs no parentheses of its own there."""
        if isinstance(e, E.Compare):
            return f"{self.wrap(e.args[1], SUM)} {self.s.compare(e.op)} {self.wrap(e.args[2], SUM)}"
        return self(e)

    def wrap(self, e: E.Expr, level: int) -> str:
        text, own = self.show(e)
        return self.s.paren(text) if own < level else text

    def show(self, e: E.Expr) -> tuple[str, int]:
        """(text, precedence) of a node. Its unprinted descendants are printed first, children
        before parents, by an explicit stack: each `_show` then finds its children in the
        memo, so the Python stack stays shallow however deep the expression is nested."""
        hit = self.memo.get(e)
        if hit is None:
            for node in _unprinted(e, self.memo):
                self.memo[node] = self._show(node)
            hit = self.memo[e]
        return hit

    def _show(self, e):
        s = self.s
        match e:
            case E.Var():
                return s.name(e.name), ATOM
            case E.Differential():
                return s.differential(e.var.name), ATOM
            case E.DimSize():
                return s.name(e.dim), ATOM
            case E.Const():
                v = e.value
                body = (
                    str(abs(v.numerator))
                    if v.denominator == 1
                    else s.fraction(str(abs(v.numerator)), str(v.denominator), False)
                )
                if v < 0:
                    return s.minus + body, UNARY
                return body, (ATOM if v.denominator == 1 else PRODUCT)
            case E.Zero():  # 0ᵀ, 1ᵀ carry a superscript: (0ᵀ)³
                return ("0" + s.T, POWER) if e.shape.is_row else ("0", ATOM)
            case E.Ones():
                if e.shape.is_row:
                    return s.ones() + s.T, POWER
                if e.shape.is_column:
                    return s.ones(), ATOM
                return s.ones() + " " + s.ones() + s.T, PRODUCT
            case E.Identity():
                return s.identity(), ATOM
            case E.Kron():  # A ⊗ B (kron(A, B) in the tutorial's notation: a call)
                if "(" in s.kron("", ""):
                    return s.kron(self.bare(e.args[0]), self.bare(e.args[1])), ATOM
                left, right = (self.wrap(a, PRODUCT) for a in e.args)
                return s.kron(left, right), ELEMENTWISE  # looser than juxtaposition: (A ⊗ B)C
            case E.Unit():  # indexing: eₖ, or I[:, a:b]
                return s.unit(e.slice_text(), e.length == 1), ATOM
            case E.Add():
                return self._add(e), SUM
            case E.Mul():
                return self._mul(e)
            case E.Pow():
                return self._mul(e)
            case E.Func():
                form = s.form(primitives.get(e.name))
                operands = e.operands
                if not operands:
                    return form, ATOM
                args = (
                    [self.bare(operands[0])] if len(operands) == 1 else [self(a) for a in operands]
                )
                if "{0}" in form:
                    return form.format(*args), ATOM
                return s.call(form, args), ATOM
            case E.Max():
                return s.call("max", [self(a) for a in e.args]), ATOM
            case E.Compare():
                return s.paren(
                    f"{self.wrap(e.args[1], SUM)} {s.compare(e.op)} {self.wrap(e.args[2], SUM)}"
                ), ATOM
            case E.MatMul():
                return self._matmul(e)
            case E.Transpose():
                inner = e.args[0]
                if isinstance(inner, E.Inv):
                    return self.wrap(inner.args[0], ATOM) + s.inv_T, POWER
                return self.wrap(inner, ATOM) + s.T, POWER
            case E.Inv():
                return self.wrap(e.args[0], ATOM) + s.inv, POWER
            case E.Sum():
                return s.call("sum", [self.bare(e.args[0])]), ATOM
            case E.Trace():
                return s.call("tr", [self.bare(e.args[0])]), ATOM
            case E.Det():
                return s.call("det", [self.bare(e.args[0])]), ATOM
            case E.Diag() | E.Diagonal():
                return s.call("diag", [self.bare(e.args[0])]), ATOM
            case E.Norm():
                return s.norm(self(e.args[0])), ATOM
            case E.Softmax():
                return s.call("softmax", [self.bare(e.args[0])]), ATOM
            case E.LogSumExp():
                return s.call("logsumexp", [self.bare(e.args[0])]), ATOM
            case E.Block():
                rows = [[self(x) for x in r] for r in e.rows]
                if e.shape.is_row and all(x.shape.is_scalar for r in e.rows for x in r):
                    return s.block([[x] for x in rows[0]], True) + s.T, POWER
                return s.block(rows, e.shape.is_column and len(e.rows[0]) == 1), ATOM
        raise TypeError(f"no printer for {type(e).__name__}")

    def _add(self, e):
        out = ""
        for i, t in enumerate(e.args):
            coeff, rest = E.split_coefficient(t)
            if t in self.named:  # a name is one term, whatever its sign inside
                coeff, rest = 1, t
            elif isinstance(t, E.Const):
                coeff, rest = t.value, E.Const(1)
            if i and coeff < 0:
                out += f" {self.s.minus} " + self.wrap(E.Mul(E.Const(-coeff), rest), ELEMENTWISE)
            elif i:
                out += " + " + self.wrap(t, ELEMENTWISE)
            else:
                out += self.wrap(t, UNARY) if coeff < 0 else self.wrap(t, ELEMENTWISE)
        return out

    def _mul(self, e):
        """A monomial: coefficient, numerator factors, denominator factors; scalars first,
        juxtaposed; array factors joined by ⊗ and divided by ⊘."""
        s = self.s
        factors = e.args if isinstance(e, E.Mul) else (e,)
        coeff = Fraction(1)
        top_s, bottom_s, top_a, bottom_a = [], [], [], []
        for f in factors:
            if isinstance(f, E.Const):
                coeff *= f.value
                continue
            base, k = E.power_parts(f)
            if k < 0:
                f = E.Pow(base, E.Const(-k))
            target = (
                (bottom_s if k < 0 else top_s)
                if f.shape.is_scalar
                else (bottom_a if k < 0 else top_a)
            )
            target.append(f)
        top_s, bottom_s, means = self._means(top_s, bottom_s)
        sign = s.minus if coeff < 0 else ""
        coeff = abs(coeff)
        top = (
            ([str(coeff.numerator)] if coeff.numerator != 1 else [])
            + means
            + [self._factor(f) for f in top_s]
        )
        bottom = ([str(coeff.denominator)] if coeff.denominator != 1 else []) + [
            self._factor(f) for f in bottom_s
        ]
        num = ""
        for piece in top:
            num = s.join(num, piece)
        den = ""
        for piece in bottom:
            den = s.join(den, piece)
        scalar = s.fraction(num or "1", den, len(bottom) > 1) if den else num
        if not top_a and not bottom_a:
            if sign:
                return sign + (scalar or "1"), UNARY
            if isinstance(e, E.Pow) and not den:
                return scalar, POWER
            return scalar or "1", PRODUCT
        array = (
            s.times.join(self._factor(f) for f in top_a)
            if len(top_a) > 1 or bottom_a
            else (self._factor(top_a[0], PRODUCT) if top_a else "")
        )
        for f in bottom_a:
            array = (array or s.ones()) + s.divide + self._factor(f)
        elementwise = len(top_a) > 1 or bool(bottom_a)
        if not scalar:
            return sign + array, (UNARY if sign else (ELEMENTWISE if elementwise else PRODUCT))
        if den and len(top_a) == 1 and not bottom_a and self.show(top_a[0])[1] >= POWER:
            # x/z², I/z: an atom over a scalar
            return sign + s.fraction(s.join(num, array), den, len(bottom) > 1), (
                UNARY if sign else PRODUCT
            )
        if den:
            scalar = s.paren(scalar)
        return sign + s.join(scalar, s.paren(array) if elementwise else array), (
            UNARY if sign else PRODUCT
        )

    def _means(self, top_s: list, bottom_s: list) -> tuple[list, list, list[str]]:
        """sum(u)/(m·n) with u m×n (its dimensions symbolic) printed as mean(u), as the query
        wrote it: each sum in the numerator takes one power of each of its dimensions from
        the denominator when they are all there. Printing only: the node stays sum(u)/(mn)."""
        powers: dict = {}
        for f in bottom_s:
            base, k = E.power_parts(f)
            if isinstance(base, E.DimSize) and k == int(k):
                powers[base.dim] = powers.get(base.dim, 0) + int(k)
        if not powers:
            return top_s, bottom_s, []
        means, rest = [], []
        for f in top_s:
            shape = f.args[0].shape if isinstance(f, E.Sum) else None
            dims = [d for d in (shape.rows, shape.cols) if d != 1] if shape else []
            if dims and all(isinstance(d, str) and powers.get(d, 0) >= dims.count(d) for d in dims):
                for d in dims:
                    powers[d] -= 1
                means.append(self.s.call("mean", [self.bare(f.args[0])]))
            else:
                rest.append(f)
        if not means:
            return top_s, bottom_s, []
        bottom = [f for f in bottom_s if not isinstance(E.power_parts(f)[0], E.DimSize)]
        bottom += [E.Pow(E.DimSize(d), E.Const(k)) for d, k in powers.items() if k > 0]
        return rest, bottom, means

    def _factor(self, f, level=POWER):
        if isinstance(f, E.Pow):
            return self._power(f)
        return self.wrap(f, level)

    def _power(self, f):
        s = self.s
        base, exponent = f.args
        if isinstance(exponent, E.Const):
            k = exponent.value
            if k == Fraction(1, 2):
                return s.sqrt(self(base))
            if k == Fraction(-1, 2):
                return s.fraction("1", s.sqrt(self(base)), False)
            if k < 0:
                return s.fraction("1", s.power(self.wrap(base, ATOM), -k), False)
            return s.power(self.wrap(base, ATOM), k)
        # LaTeX's braces delimit an exponent: x^{x + 1}, one TeX group per level of a tower
        top = self(exponent) if s.braced_exponent else self.wrap(exponent, ATOM)
        return s.power_expr(self.wrap(base, ATOM), top)

    def _matmul(self, e):
        s = self.s
        fs = e.args
        elements, fs = entries(fs, lambda m: self.wrap(m, ATOM), s.element)
        if elements:
            text = ""
            for piece in elements:
                text = s.join(text, piece)
            if not fs:
                return text, (ATOM if len(elements) == 1 else PRODUCT)
            rest = self._chain(fs) if len(fs) > 1 else self.wrap(fs[0], POWER)
            return s.join(text, rest), PRODUCT
        if (
            len(fs) == 2
            and isinstance(fs[0], E.Transpose)
            and fs[0].args[0].shape.is_column
            and fs[1].shape.is_column
        ):
            return (self.wrap(fs[0].args[0], POWER) + s.dot + self.wrap(fs[1], POWER)), PRODUCT
        return self._chain(fs), PRODUCT

    def _chain(self, fs) -> str:
        """Factors of a matrix product, juxtaposed (a sum or product factor parenthesised)."""
        s = self.s
        out, previous = "", ""
        for f in fs:
            piece = self.wrap(f, POWER if isinstance(f, E.Mul) else PRODUCT)
            if (
                isinstance(f, (E.Mul, E.Add))
                and f not in self.named
                and not piece.startswith(("(", "\\left("))
            ):
                piece = s.paren(piece)
            joined = s.join(previous, piece)  # spacing decided by neighbours
            out += joined[len(previous) :] if previous else piece
            previous = piece
        return out


def _unprinted(root: E.Expr, memo: dict) -> list:
    """The nodes under `root` (itself included) not yet in `memo`, children before parents."""
    out, seen, stack = [], set(), [(root, False)]
    while stack:
        node, ready = stack.pop()
        if ready:
            out.append(node)
        elif node not in seen and node not in memo:
            seen.add(node)
            stack.append((node, True))
            stack.extend((c, False) for c in reversed(node.children))
    return out


def text(e: E.Expr) -> str:
    return Printer(Style())(e)


def latex(e: E.Expr) -> str:
    return fold_lines(Printer(LatexStyle())(e))


E.set_printer(text)  # str(expr), repr(expr) and shape errors print with `text`
