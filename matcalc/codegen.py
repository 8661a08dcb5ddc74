"""Code generation: the source of a self-contained Python function computing an
expression's value and its derivative together, for NumPy, JAX or PyTorch.

    d = matcalc.derivative("x @ A @ x", "x")
    print(d.to_numpy())         # def f(A, x): ... return value, derivative

The generated module defines

- `f(<variables in sorted name order>)` returning `(value, derivative)`: the value shaped
  as NumPy gives it (scalar 0-d, vector (n,), matrix (m, n)) and the derivative shaped
  exactly as `Derivative.evaluate` returns it (output + wrt axes; wrt + output in the
  denominator layout; output + (k,) for a stacked list of k scalars). For a Hessian,
  `(f, ∂²f/∂x²)`, and a function `gradient(...)` as well.
- `check(*args, eps=1e-6)`: central finite differences of the value against the
  derivative `f` returns, the largest absolute difference (for a Hessian, also of f
  against the gradient).

Inside `f`, every value is 2-D as in `evaluate.py` (a vector is n×1, a row 1×n) except
scalars, which stay 0-d (or Python numbers for constants). The value and the derivative
are one DAG walked once: a node used more than once (hash-consing makes equal nodes one
object, so this is common-subexpression elimination), or whose inline text would be long,
gets one assignment; every other node is written inline into its single user. Derivatives
that are linear maps (matrix by matrix, vector by matrix, …) are built with `einsum` term
by term where a term is c · G ⊗ (A · dX · B) (G element-wise, dX possibly transposed), and
otherwise by applying the map to each basis direction in a loop — slower, never an error.

This module only writes text; it never runs what it writes.
"""
from __future__ import annotations

import keyword
import textwrap
from dataclasses import dataclass

from . import expr as E
from .errors import MatcalcError
from .readoff import kronecker_term

TARGETS = ("numpy", "jax", "torch")
LONG = 72                       # inline text longer than this gets its own assignment
_ATOM, _POW, _UNARY, _MUL, _ADD = 100, 14, 13, 12, 11          # Python precedences
_RESERVED = {"np", "jnp", "jax", "torch", "f", "check", "gradient", "_finite_differences",
             "range", "float", "len", "tuple", "max", "list", "print", "abs", "int"}


# ---------------------------------------------------------------- the three targets
@dataclass(frozen=True)
class _Backend:
    name: str
    m: str                      # the module alias in generated code
    imports: tuple

    def asarray(self, x: str) -> str:
        return {"numpy": f"np.asarray({x}, dtype=float)",
                "jax": f"jnp.asarray({x}, dtype=jnp.float64)",
                "torch": f"torch.as_tensor({x}, dtype=torch.float64)"}[self.name]

    def tensor(self, x: str) -> str:
        """A Python number as a 0-d array where the target's functions need one."""
        return f"torch.as_tensor({x}, dtype=torch.float64)" if self.name == "torch" else x

    def filled(self, what: str, shape: str) -> str:
        dtype = ", dtype=torch.float64" if self.name == "torch" else ""
        return f"{self.m}.{what}({shape}{dtype})"

    def eye(self, n: str) -> str:
        return f"torch.eye({n}, dtype=torch.float64)" if self.name == "torch" else \
            f"{self.m}.eye({n})"

    def stack(self, items: str) -> str:
        return f"torch.stack({items}, dim=-1)" if self.name == "torch" else \
            f"{self.m}.stack({items}, axis=-1)"

    def permute(self, x: str, perm: str) -> str:
        return f"torch.permute({x}, {perm})" if self.name == "torch" else \
            f"{self.m}.transpose({x}, {perm})"

    def reshape(self, x: str, shape: str) -> str:
        return f"{self.m}.reshape({x}, {shape})"


_BACKENDS = {
    "numpy": _Backend("numpy", "np", ("import numpy as np",)),
    "jax": _Backend("jax", "jnp", (
        "import jax",
        "import jax.numpy as jnp",
        "",
        'jax.config.update("jax_enable_x64", True)   # float64, as NumPy and matcalc compute',
    )),
    "torch": _Backend("torch", "torch", ("import torch",)),
}


# ---------------------------------------------------------------- names
class _Names:
    """Python identifiers for variables, dimensions and temporaries, never colliding."""

    def __init__(self, taken=()):
        self.taken = set(_RESERVED) | set(taken)
        self.counter = 0

    def claim(self, wanted: str) -> str:
        base = wanted if wanted.isidentifier() else "v"
        if keyword.iskeyword(base) or base in self.taken:
            base = base + "_"
        name, k = base, 1
        while name in self.taken or keyword.iskeyword(name):
            k += 1
            name = f"{base}{k}"
        self.taken.add(name)
        return name

    def temp(self) -> str:
        while True:
            self.counter += 1
            name = f"t{self.counter}"
            if name not in self.taken:
                self.taken.add(name)
                return name


@dataclass(frozen=True)
class _Text:
    text: str
    prec: int
    pure: bool = False          # a Python number (built from constants and sizes only)


def _wrap(t: _Text, need: int) -> str:
    return t.text if t.prec >= need else f"({t.text})"


_LEAVES = (E.Var, E.Const, E.DimSize, E.Differential)


def _float(value) -> str:
    return repr(float(value))


def _np_dims(shape) -> tuple:
    return shape.np_dims


# ---------------------------------------------------------------- one function body
class _Body:
    """Straight-line code for a set of roots over one DAG (plus an optional loop over
    the basis directions of a differential)."""

    def __init__(self, b: _Backend, names: _Names, var_names: dict, dim_text):
        self.b = b
        self.names = names
        self.var_names = var_names          # Var name -> Python identifier
        self.dim = dim_text                 # dimension -> Python text
        self.text: dict = {}                # node -> _Text
        self.named: set = set()             # nodes given their own assignment
        self.maxima: dict = {}              # node -> the name of its maximum

    # -- shapes
    def tuple_text(self, dims) -> str:
        items = [self.dim(d) for d in dims]
        return "()" if not items else f"({items[0]},)" if len(items) == 1 else \
            "(" + ", ".join(items) + ")"

    # -- the walk
    def emit(self, roots, loop_roots=(), dX=None, lines=None, loop_lines=None):
        """Assignments for what `roots` (outside any loop) and `loop_roots` (inside the
        loop over the directions dX) need, appended to `lines` and `loop_lines`; the
        text of every node is then in self.text."""
        order, seen = [], set()
        for root in list(roots) + list(loop_roots):
            for node in E.walk(root):
                if node not in seen and node not in self.text:
                    seen.add(node)
                    order.append(node)
        uses: dict = {}
        for node in order:
            for c in node.children:
                uses[c] = uses.get(c, 0) + 1
            if isinstance(node, (E.Softmax, E.LogSumExp)):      # its argument twice
                uses[node.children[0]] = uses.get(node.children[0], 0) + 1
        for r in list(roots) + list(loop_roots):
            uses[r] = uses.get(r, 0) + 1
        in_loop = {n for n in order if dX is not None and n.depends_on(dX)}
        hoist = {c for n in in_loop for c in n.children if c not in in_loop}
        for node in order:
            out = loop_lines if node in in_loop else lines
            t = self.render(node, out)
            if not isinstance(node, _LEAVES):
                shared = uses.get(node, 0) > 1 or node in hoist
                if t.prec == _ATOM and "(" not in t.text and "[" not in t.text:
                    shared = False                      # a name or name.T: cheap inline
                if shared or len(t.text) > LONG:
                    name = self.names.temp()
                    out.append(f"{name} = {t.text}")
                    t = _Text(name, _ATOM, t.pure)
                    self.named.add(node)
            self.text[node] = t

    # -- one node
    def render(self, node, out) -> _Text:
        b, m = self.b, self.b.m
        a = [self.text[c] for c in node.children]
        match node:
            case E.Var():
                return _Text(self.var_names[node.name], _ATOM)
            case E.Differential():
                return self.text[node]
            case E.Const():
                s = _float(node.value)
                return _Text(s, _ATOM if node.value >= 0 else _UNARY, True)
            case E.DimSize():
                return _Text(self.dim(node.dim), _ATOM, True)
            case E.Zero() | E.Ones():
                what = "zeros" if isinstance(node, E.Zero) else "ones"
                return _Text(b.filled(what, self.tuple_text((node.shape.rows,
                                                             node.shape.cols))), _ATOM)
            case E.Identity():
                return _Text(b.eye(self.dim(node.n)), _ATOM)
            case E.Add():
                return self.add(node, a)
            case E.Mul():
                return self.mul(a)
            case E.Pow():
                return self.pow(node, a)
            case E.Func():
                return self.func(node.name, a[0])
            case E.Max():
                x, y = (self.arg(t) for t in a)
                return _Text(f"{m}.maximum({x}, {y})", _ATOM)
            case E.Compare():
                x, y = (_wrap(t, _ADD) for t in a)
                cmp = f"{x} {node.op} {y}"
                if b.name == "numpy":
                    if a[0].pure and a[1].pure:
                        return _Text(f"float({cmp})", _ATOM, True)
                    return _Text(f"({cmp}).astype(float)", _ATOM)
                return _Text(b.asarray(cmp), _ATOM)
            case E.MatMul():
                parts = [_wrap(t, _UNARY) for t in a]
                if node.shape.cols == 1 and len(parts) > 2:
                    # a chain ending in a column: from the right, matrix-vector products only
                    text = parts[-1]
                    for p in reversed(parts[:-1]):
                        text = f"{p} @ ({text})" if "@" in text else f"{p} @ {text}"
                    return _Text(text, _MUL)
                return _Text(" @ ".join(parts), _MUL)
            case E.Transpose():
                return _Text(_wrap(a[0], _ATOM) + ".T", _ATOM)
            case E.Sum():
                return _Text(f"{m}.sum({a[0].text})", _ATOM)
            case E.Trace():
                return _Text(f"{m}.trace({a[0].text})", _ATOM)
            case E.Det():
                return _Text(f"{m}.linalg.det({a[0].text})", _ATOM)
            case E.Inv():
                return _Text(f"{m}.linalg.inv({a[0].text})", _ATOM)
            case E.Diag():
                return _Text(f"{m}.diag({_wrap(a[0], _ATOM)}[:, 0])", _ATOM)
            case E.Diagonal():
                return _Text(f"{m}.diag({a[0].text})[:, None]", _ATOM)
            case E.Norm():
                return _Text(f"{m}.linalg.norm({a[0].text})", _ATOM)
            case E.Softmax():
                name, x = self.names.temp(), a[0].text
                out.append(f"{name} = {m}.exp({x} - {self.top(node.args[0], out)})")
                out.append(f"{name} = {name} / {m}.sum({name})")
                return _Text(name, _ATOM)
            case E.LogSumExp():
                top, x = self.top(node.args[0], out), a[0].text
                return _Text(f"{top} + {m}.log({m}.sum({m}.exp({x} - {top})))", _ADD)
            case E.Block():
                return self.block(node, a)
        raise MatcalcError(f"no code generation for {type(node).__name__} nodes")

    def top(self, node, out) -> str:
        """The name of max(node), shared by the softmax and logsumexp of one argument."""
        if node not in self.maxima:
            self.maxima[node] = self.names.temp()
            out.append(f"{self.maxima[node]} = {self.b.m}.max({self.text[node].text})")
        return self.maxima[node]

    def arg(self, t: _Text) -> str:
        """A function argument: Python numbers become tensors for torch."""
        return self.b.tensor(t.text) if t.pure else t.text

    def add(self, node, a) -> _Text:
        parts = []
        for term, t in zip(node.args, a):
            neg = None
            if term in self.named:
                pass
            elif isinstance(term, E.Mul) and isinstance(term.args[0], E.Const) and \
                    term.args[0].value < 0:
                neg = self.mul([_Text(_float(-term.args[0].value), _ATOM, True)] +
                               [self.text[f] for f in term.args[1:]])
            elif isinstance(term, E.Const) and term.value < 0:
                neg = _Text(_float(-term.value), _ATOM, True)
            if neg is not None and parts:
                parts.append(" - " + _wrap(neg, _MUL))
            elif parts:
                parts.append(" + " + _wrap(t, _ADD))
            else:
                parts.append(_wrap(t, _ADD))
        return _Text("".join(parts), _ADD, all(t.pure for t in a))

    def add_texts(self, a) -> str:
        return " + ".join(_wrap(t, _ADD) for t in a)

    def mul(self, a) -> _Text:
        pure = all(t.pure for t in a)
        if a and a[0].text == "1.0" and len(a) > 1:
            a = a[1:]
        if a and a[0].text == "-1.0" and len(a) > 1:
            rest = self.mul(a[1:])
            return _Text("-" + _wrap(rest, _MUL), _MUL, pure)
        if len(a) == 1:
            return a[0]
        text = _wrap(a[0], _MUL) + "".join(" * " + _wrap(t, _UNARY) for t in a[1:])
        return _Text(text, _MUL, pure)

    def pow(self, node, a) -> _Text:
        base, k = a
        exponent = node.args[1]
        if isinstance(exponent, E.Const) and exponent.value.denominator == 1:
            n = int(exponent.value)
            if n > 0:
                return _Text(f"{_wrap(base, _ATOM)} ** {n}", _POW, base.pure)
            powered = _wrap(base, _ATOM) + ("" if n == -1 else f" ** {-n}")
            return _Text(f"1.0 / {powered}", _MUL, base.pure)
        return _Text(f"{_wrap(base, _ATOM)} ** {_wrap(k, _ATOM)}", _POW, base.pure and k.pure)

    def func(self, name, t: _Text) -> _Text:
        m = self.b.m
        x = self.arg(t)
        if name == "sigmoid":
            return _Text(f"0.5 * (1 + {m}.tanh(0.5 * {_wrap(_Text(x, t.prec), _UNARY)}))",
                         _MUL)
        if name == "softplus":
            return _Text(f"{m}.logaddexp({self.b.tensor('0.0')}, {x})", _ATOM)
        return _Text(f"{m}.{name}({x})", _ATOM)

    def block(self, node, a) -> _Text:
        r, c = node.args[0], node.args[1]
        rows = [a[i * c:(i + 1) * c] for i in range(r)]
        if self.b.name != "torch":
            inner = ", ".join("[" + ", ".join(t.text for t in row) + "]" for row in rows)
            return _Text(f"{self.b.m}.block([{inner}])", _ATOM)

        def two_d(t):
            return f"torch.atleast_2d({self.arg(t)})"
        inner = ", ".join("torch.cat([" + ", ".join(two_d(t) for t in row) + "], dim=1)"
                          for row in rows)
        return _Text(f"torch.cat([{inner}], dim=0)", _ATOM)


# ---------------------------------------------------------------- linear maps
def _terms(L):
    return L.args if isinstance(L, E.Add) else (L,)


def _einsum_term(term, dX):
    """c · G ⊗ (A · dX · B) → (scalars, arrays, A, transposed, B, core_is_full), or None."""
    k = kronecker_term(term, dX)
    if k is None or any(a.shape != term.shape for a in k.arrays):
        return None
    full = k.core.shape == term.shape
    if not full and not k.core.shape.is_scalar:
        return None
    return k.scalars, k.arrays, k.A, k.transposed, k.B, full


# ---------------------------------------------------------------- the module
def to_source(derivative, target: str = "numpy") -> str:
    """The source of a module defining f(...) -> (value, derivative) and check(...)."""
    if target not in TARGETS:
        raise MatcalcError(f"unknown code generation target {target!r}",
                           expected=" or ".join(TARGETS))
    return _Module(derivative, _BACKENDS[target]).source()


class _Module:
    def __init__(self, d, b: _Backend):
        self.d, self.b = d, b
        self.hessian = d.function is not None
        variables = dict(d.variables)
        for root in (d.expression, d.function, d.result, d.differential):
            if root is not None:
                for n in E.walk(root):
                    if isinstance(n, E.Var):
                        variables.setdefault(n.name, n)
        self.variables = [variables[k] for k in sorted(variables)]
        names = _Names()
        self.var_names = {v.name: names.claim(v.name) for v in self.variables}
        self.params = [self.var_names[v.name] for v in self.variables]
        self.dim_names: dict = {}
        self.names_for_dims = names
        for v in self.variables:
            for dim in (v.shape.rows, v.shape.cols):
                if isinstance(dim, str) and dim not in self.dim_names:
                    self.dim_names[dim] = names.claim(dim)
        self.wrt_positions = [self.variables.index(variables[w.name]) for w in d.wrt]

    def dim(self, d) -> str:
        if isinstance(d, int):
            return str(d)
        if d not in self.dim_names:                 # a size no input shape gives
            self.dim_names[d] = self.names_for_dims.claim(d)
        return self.dim_names[d]

    # -- prologue: conversions and shape assertions
    def prologue(self) -> list:
        b, lines, bound = self.b, [], set()
        for v in self.variables:
            p = self.var_names[v.name]
            lines.append(f"{p} = {b.asarray(p)}")
        for v in self.variables:
            p = self.var_names[v.name]
            dims = _np_dims(v.shape)
            kind = "a symmetric " + v.shape.kind if v.symmetric else v.shape.kind
            message = f'"{p} must be {"an" if kind[0] in "aeiou" else "a"} {kind}"'
            items = [self.dim(x) for x in dims]
            expect = "()" if not items else f"({items[0]},)" if len(items) == 1 else \
                "(" + ", ".join(items) + ")"
            fresh = [(i, x) for i, x in enumerate(dims) if isinstance(x, str) and x not in bound]
            fresh = [(i, x) for k, (i, x) in enumerate(fresh)
                     if x not in [y for _, y in fresh[:k]]]
            if fresh:
                lines.append(f"assert {p}.ndim == {len(dims)}, {message}")
                if len(fresh) == len(dims) > 1:
                    lines.append(f"{', '.join(self.dim(x) for _, x in fresh)} = {p}.shape")
                else:
                    lines += [f"{self.dim(x)} = {p}.shape[{i}]" for i, x in fresh]
                bound.update(x for _, x in fresh)
                if len(fresh) < len(dims):
                    lines.append(f"assert {p}.shape == {expect}, {message}")
            else:
                lines.append(f"assert {p}.shape == {expect}, {message}")
            if dims:
                rows, cols = self.dim(v.shape.rows), self.dim(v.shape.cols)
                if v.shape.is_vector:
                    lines.append(f"{p} = {p}.reshape({rows}, {cols})")
        self.bound = bound
        return lines

    # -- the function bodies
    def function(self, name: str, value_root, derivative: bool) -> list:
        """def name(params): prologue, the DAG, return value[, derivative]."""
        b = self.b
        names = _Names(self.names_for_dims.taken)
        body = _Body(b, names, self.var_names, self.dim)
        lines = self.prologue()
        value_name = names.claim("value")
        out_value = _np_dims(value_root.shape)
        returns = [value_name]
        if not derivative:
            body.emit([value_root], lines=lines)
            lines.append(f"{value_name} = {self.output(body.text[value_root], out_value)}")
        else:
            deriv_name = names.claim("derivative")
            returns.append(deriv_name)
            lines += self.derivative_lines(body, names, value_root, value_name, deriv_name)
        unbound = [x for x in self.dim_names if x not in self.bound]
        params = ", ".join(self.params + (["*"] + [self.dim_names[x] for x in unbound]
                                          if unbound else []))
        doc = "\n    ".join(textwrap.wrap(self.docstring(name), 88))
        out = [f"def {name}({params}):", f'    """{doc}"""']
        out += ["    " + line if line else "" for line in lines]
        out.append(f"    return {', '.join(returns)}")
        return out

    def output(self, t: _Text, dims) -> str:
        return self.b.reshape(self.b.tensor(t.text) if t.pure else t.text,
                              self.tuple_text(dims))

    def tuple_text(self, dims) -> str:
        items = [self.dim(x) for x in dims]
        return "()" if not items else f"({items[0]},)" if len(items) == 1 else \
            "(" + ", ".join(items) + ")"

    def derivative_lines(self, body, names, value_root, value_name, deriv_name) -> list:
        b, d = self.b, self.d
        lines: list = []
        out_np = _np_dims(d.expression.shape)
        out_value = _np_dims(value_root.shape)
        if len(d.wrt) > 1:
            var_np = (len(d.wrt),)
        else:
            var_np = _np_dims(d.wrt[0].shape)
        full = var_np + out_np if d.layout == "denominator" else out_np + var_np
        if len(d.wrt) > 1:
            # as `evaluate` does: each scalar's tangent (output-shaped), stacked last
            from .api import _derive
            tangents = [_derive(d.expression, w, d.variables, "numerator").result
                        for w in d.wrt]
            body.emit([value_root] + tangents, lines=lines)
            lines.append(f"{value_name} = {self.output(body.text[value_root], out_value)}")
            items = ", ".join(self.output(body.text[t], out_np) for t in tangents)
            lines.append(f"{deriv_name} = {b.stack('[' + items + ']')}")
            if d.layout == "denominator" and out_np:
                perm = (len(out_np),) + tuple(range(len(out_np)))
                lines.append(f"{deriv_name} = {b.permute(deriv_name, str(perm))}")
            return lines
        if d.result is not None:
            result = d.result                 # by a scalar, every layout is the tangent itself
            body.emit([value_root, result], lines=lines)
            lines.append(f"{value_name} = {self.output(body.text[value_root], out_value)}")
            lines.append(f"{deriv_name} = {self.output(body.text[result], full)}")
            return lines
        # a linear map: einsum for the terms c·G⊗(A dX B), a loop over directions otherwise
        var = d.wrt[0]
        dX = E.Differential(var)
        terms = [t for t in _terms(d.differential) if t.depends_on(dX)]
        split = [(t, _einsum_term(t, dX)) for t in terms]
        easy = [(t, s) for t, s in split if s is not None]
        rest = [t for t, s in split if s is None]
        roots = [value_root]
        for _, (scalars, arrays, A, _, B, _) in easy:
            roots += scalars + arrays + [x for x in (A, B) if x is not None]
        loop_lines: list = []
        if rest:
            body.text[dX] = _Text(names.claim("d" + self.var_names[var.name]), _ATOM)
        body.emit(roots, loop_roots=rest, dX=dX if rest else None, lines=lines,
                  loop_lines=loop_lines)
        lines.append(f"{value_name} = {self.output(body.text[value_root], out_value)}")
        R, C = d.expression.shape.rows, d.expression.shape.cols
        p, q = var.shape.rows, var.shape.cols
        tensor = names.claim("tensor")
        four = self.tuple_text((R, C, p, q))
        first = True
        for _, (scalars, arrays, A, transposed, B, whole) in easy:
            i, j = ("i", "j") if whole else ("a", "b")
            hole_rows, hole_cols = (q, p) if transposed else (p, q)
            k, l = ("l", "k") if transposed else ("k", "l")
            specs, operands = [], []
            for g in arrays:
                specs.append("ij")
                operands.append(body.text[g].text)
            specs.append(i + k)
            operands.append(body.text[A].text if A is not None else b.eye(self.dim(hole_rows)))
            specs.append(l + j)
            operands.append(body.text[B].text if B is not None else b.eye(self.dim(hole_cols)))
            call = f"{b.m}.einsum('{','.join(specs)}->ijkl', {', '.join(operands)})"
            coeff = body.mul([body.text[s] for s in scalars]) if scalars else None
            sign, term = "+", call
            if coeff is not None:
                if coeff.text.startswith("-") and coeff.prec >= _MUL:
                    sign, coeff = "-", _Text(coeff.text[1:], coeff.prec, coeff.pure)
                term = call if coeff.text == "1.0" else f"{_wrap(coeff, _MUL)} * {call}"
            if first:
                lines.append(f"{tensor} = {'-' if sign == '-' else ''}{term}")
                first = False
            else:
                lines.append(f"{tensor} = {tensor} {sign} {term}")
        if rest:
            basis, cols, k = names.claim("basis"), names.claim("cols"), names.claim("k")
            dname = body.text[dX].text
            lines.append(f"{basis} = {b.eye(self.product(p, q))}")
            lines.append(f"{cols} = []")
            lines.append(f"for {k} in range({self.product(p, q)}):")
            lines.append(f"    {dname} = {basis}[{k}].reshape({self.dim(p)}, {self.dim(q)})")
            lines += ["    " + x for x in loop_lines]
            total = body.add_texts([body.text[t] for t in rest])
            flat = self.b.reshape(total, f"({self.product(R, C)},)")
            lines.append(f"    {cols}.append({flat})")
            stacked = b.reshape(b.stack(cols), four)
            lines.append(f"{tensor} = {stacked}" if first else
                         f"{tensor} = {tensor} + {stacked}")
            first = False
        if first:
            lines.append(f"{tensor} = {b.filled('zeros', four)}")
        lines.append(f"{deriv_name} = {b.reshape(tensor, self.tuple_text(out_np + var_np))}")
        if d.layout == "denominator" and out_np:
            n_out, n_var = len(out_np), len(var_np)
            perm = tuple(range(n_out, n_out + n_var)) + tuple(range(n_out))
            lines.append(f"{deriv_name} = {b.permute(deriv_name, str(perm))}")
        return lines

    def product(self, *dims) -> str:
        items = [self.dim(x) for x in dims if x != 1]
        return " * ".join(items) if items else "1"

    def docstring(self, name) -> str:
        d = self.d
        from .render.text import text
        wrt = ", ".join(v.name for v in d.wrt)
        if name == "gradient":
            s = f"The gradient of {text(d.function)} by {wrt} (a {d.wrt[0].shape.kind})."
        elif self.hessian:
            s = (f"{text(d.function)} and its Hessian by {wrt}: {d}.")
        else:
            s = f"{text(d.expression)} and its derivative by {wrt} ({d.layout} layout): {d}."
        return " ".join(s.replace("\\", "\\\\").replace('"""', "'''").split())

    # -- the finite-difference check
    def check_lines(self) -> list:
        b, m, d = self.b, self.b.m, self.d
        positions = str(tuple(self.wrt_positions))
        stacked = len(d.wrt) > 1
        denominator = d.layout == "denominator"
        lines = [
            "def _finite_differences(fun, args, eps):",
            '    """Central differences of fun at args, shaped as f\'s derivative."""',
            "    parts = []",
            f"    for i in {positions}:",
            "        x = args[i]",
            "        size = len(x.reshape(-1))",
            f"        basis = {b.eye('size')}",
            "        cols = []",
            "        for k in range(size):",
            "            step = eps * basis[k].reshape(x.shape)",
            "            up = fun(*args[:i], x + step, *args[i + 1:])",
            "            down = fun(*args[:i], x - step, *args[i + 1:])",
            "            cols.append((up - down) / (2 * eps))",
            "        out = tuple(cols[0].shape)",
            f"        parts.append({b.stack('cols')}.reshape(out + tuple(x.shape)))",
            f"    fd = {b.stack('parts') if stacked else 'parts[0]'}",
        ]
        if denominator:
            perm = "tuple(range(len(out), fd.ndim)) + tuple(range(len(out)))"
            lines.append(f"    fd = {b.permute('fd', perm)}")
        lines.append("    return fd")
        lines += ["", ""]
        params_doc = ", ".join(self.params)
        lines += [
            "def check(*args, eps=1e-6):",
            f'    """check({params_doc}): the largest absolute difference between the derivative f'
            '\n    returns and central finite differences of its value."""',
            f"    args = [{b.asarray('a')} for a in args]",
        ]
        if self.hessian:
            lines += [
                "    value, hessian = f(*args)",
                "    slope = gradient(*args)",
                "    first = _finite_differences(lambda *a: f(*a)[0], args, eps) - slope",
                "    second = _finite_differences(gradient, args, eps) - hessian",
                f"    return max(float({m}.max({m}.abs(first))), "
                f"float({m}.max({m}.abs(second))))",
            ]
        else:
            lines += [
                "    value, derivative = f(*args)",
                "    error = _finite_differences(lambda *a: f(*a)[0], args, eps) - derivative",
                f"    return float({m}.max({m}.abs(error)))",
            ]
        return lines

    def source(self) -> str:
        d = self.d
        from .render.text import text
        what = f"the Hessian of {text(d.function)}" if self.hessian else \
            f"∂({text(d.expression)})/∂{', '.join(v.name for v in d.wrt)} " \
            f"({d.layout} layout)"
        head = [f"# Generated by matcalc: {what}.",
                f"# f({', '.join(self.params)}) returns (value, derivative); check(...) compares"
                " it with finite differences.",
                *self.b.imports, "", ""]
        value_root = d.function if self.hessian else d.expression
        lines = head + self.function("f", value_root, True)
        if self.hessian:
            lines += ["", ""] + self.function("gradient", d.expression, False)
        lines += ["", ""] + self.check_lines()
        return "\n".join(lines) + "\n"
