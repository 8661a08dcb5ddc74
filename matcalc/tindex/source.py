"""`to_source` of an `IndexDerivative`: a NumPy (or JAX) module with f(...) -> (value,
derivative), the forward pass one line per node and the derivative one `einsum` per index
term (δ an identity matrix, a constant index a one-hot row of one), and check(...) -> the
largest difference from central differences of f's value.
"""

from __future__ import annotations

from fractions import Fraction

from .. import registry
from ..errors import MatcalcError, UnsupportedError
from ..primitives.lowering import CONSTANTS, spelling
from .contract import einsum_plan
from .like import IndexDerivativeLike
from .nodes import Node
from .numeric import _postorder

__all__ = ["source"]

_MODULES = {
    "numpy": ("np", "import numpy as np"),
    "jax": ("jnp", "import jax.numpy as jnp"),
    "torch": ("torch", "import torch"),
}


class _Src:
    """A traced value: the source text of an array expression (a primitive's lowering runs
    on it to write its own source)."""

    def __init__(self, text: str):
        self.text = text

    def _op(self, other, op, flip=False):
        o = other.text if isinstance(other, _Src) else repr(float(other))
        return _Src(f"({o} {op} {self.text})" if flip else f"({self.text} {op} {o})")

    __add__ = lambda s, o: s._op(o, "+")  # noqa: E731
    __radd__ = lambda s, o: s._op(o, "+", True)  # noqa: E731
    __sub__ = lambda s, o: s._op(o, "-")  # noqa: E731
    __rsub__ = lambda s, o: s._op(o, "-", True)  # noqa: E731
    __mul__ = lambda s, o: s._op(o, "*")  # noqa: E731
    __rmul__ = lambda s, o: s._op(o, "*", True)  # noqa: E731
    __truediv__ = lambda s, o: s._op(o, "/")  # noqa: E731
    __rtruediv__ = lambda s, o: s._op(o, "/", True)  # noqa: E731
    __pow__ = lambda s, o: s._op(o, "**")  # noqa: E731

    def __neg__(self):
        return _Src(f"(-{self.text})")


class _Namespace:
    def __init__(self, target: str, module: str, imports: set):
        self.target, self.module, self.imports = target, module, imports

    def __getattr__(self, name):
        if name in CONSTANTS:
            return CONSTANTS[name]
        text, needed = spelling(name, self.target, self.module)
        if needed:
            self.imports.add(needed)

        def call(*args):
            inner = ", ".join(a.text if isinstance(a, _Src) else repr(float(a)) for a in args)
            return _Src(f"{text}({inner})")

        return call


def _number(value: Fraction) -> str:
    return repr(float(value))


class _Writer:
    def __init__(self, d, target: str):
        if target not in _MODULES:
            raise UnsupportedError(
                f"to_source({target!r}): the targets are numpy, jax and torch",
                expected='"numpy", "jax" or "torch"',
            )
        self.d, self.target = d, target
        self.m, header = _MODULES[target]
        self.imports = {header}
        self.xp = _Namespace(target, self.m, self.imports)
        self.lines: list = []
        self.names: dict = {}

    def dim(self, dim) -> str:
        return str(dim) if isinstance(dim, int) else f"_{dim}"

    def shape(self, dims) -> str:
        inner = ", ".join(self.dim(x) for x in dims)
        return f"({inner}{',' if len(dims) == 1 else ''})"

    def emit(self, node: Node) -> str:
        if node.uid in self.names:
            return self.names[node.uid]
        m, op, data = self.m, node.op, node.data
        arg = [self.emit(a) for a in node.args]
        if op == "var":
            self.names[node.uid] = data
            return data
        if op == "const":
            text = _number(data)
        elif op == "dim":
            text = " * ".join(f"float({self.dim(x)})" for x in data)
        elif op == "ones":
            text = f"_ones({self.shape(node.shape)})"
        elif op == "eye":
            n = self.dim(node.shape[0])
            text = f"_eye({n}, {n})"
        elif op == "shift":
            rows, cols = (self.dim(x) for x in node.shape)
            text = f"_eye({rows}, {cols}, {data})"
        elif op == "ew":
            text = self.ew(node, arg)
        elif op == "einsum":
            terms, output, _ = data
            text = f'{m}.einsum("{",".join(terms)}->{output}", {", ".join(arg)})'
        elif op == "view":
            text = self.view(node, arg[0])
        elif op in ("inv", "det"):
            text = f"{m}.linalg.{op}({arg[0]})"
        elif op == "softmax":
            text = f"_softmax({arg[0]}, {data!r})"
        elif op == "lse":
            text = f"_logsumexp({arg[0]}, {data!r})"
        else:
            text = f"_{'amax' if data[1] == 'max' else 'amin'}({arg[0]}, {data[0]!r})"
        name = f"t{len(self.lines)}"
        self.lines.append(f"    {name} = {text}")
        self.names[node.uid] = name
        return name

    def ew(self, node: Node, arg: list) -> str:
        what, maps = node.data
        aligned = []
        for a, positions, child in zip(arg, maps, node.args):
            right = tuple(range(node.ndim - child.ndim, node.ndim))
            if positions == right:
                aligned.append(_Src(a))
                continue
            items = ["None"] * node.ndim
            for p in positions:
                items[p] = ":"
            aligned.append(_Src(f"{a}[{', '.join(items)}]"))
        if what == "add":
            return f"{aligned[0].text} + {aligned[1].text}"
        if what == "mul":
            return f"{aligned[0].text} * {aligned[1].text}"
        if what == "pow":
            return f"({aligned[0].text}) ** ({aligned[1].text})"
        if what.startswith("cmp:"):
            return f"(({aligned[0].text}) {what[4:]} ({aligned[1].text})) * 1.0"
        p = registry.get(what[3:])
        out = p.lowering(self.target)(self.xp, *aligned)
        return out.text if isinstance(out, _Src) else repr(float(out))

    def view(self, node: Node, a: str) -> str:
        index, positions = [], []
        for e in node.data:
            if isinstance(e, int):
                index.append(str(e))
            else:
                positions.append(e[1])
                size = node.shape[e[1]]
                index.append(f":{self.dim(size)}")
        text = f"{a}[{', '.join(index)}]" if index else a
        order = sorted(range(len(positions)), key=lambda k: positions[k])
        if order != list(range(len(order))):
            text = f"_permute({text}, {tuple(order)!r})"
        return f"{self.m}.reshape({text}, {self.shape(node.shape)})"

    def term(self, t) -> str:
        d, m = self.d, self.m
        free = d.out_idx + d.var_idx
        parts, output = einsum_plan(t, free, d.ix.dims)
        specs, operands = [], []
        for part in parts:
            if part[0] == "factor":
                _, node, constants, letters = part
                name = self.emit(node)
                if constants:
                    items = [":"] * node.ndim
                    for k, x in constants:
                        items[k] = str(x)
                    name = f"{name}[{', '.join(items)}]"
                operands.append(name)
                specs.append(letters)
            elif part[0] == "delta":
                _, a, b, letters = part
                if isinstance(a, str) and isinstance(b, str):
                    operands.append(f"_eye({self.dim(d.ix.dims[a])}, {self.dim(d.ix.dims[b])})")
                else:
                    s, k = (a, b) if isinstance(a, str) else (b, a)
                    n = self.dim(d.ix.dims[s])
                    operands.append(f"_eye({n}, {n})[{k}]")
                specs.append(letters)
            else:
                operands.append(f"_ones(({self.dim(d.ix.dims[part[1]])},))")
                specs.append(part[2])
        coef = _number(t.coef)
        if not operands:
            return f"{coef} * _ones({self.shape(tuple(d.ix.dims[s] for s in free))})"
        return f'{coef} * {m}.einsum("{",".join(specs)}->{output}", {", ".join(operands)})'


_ARRAYS = """
DTYPE = {m}.{dtype}


def _ones(shape):
    return {m}.ones(shape, dtype=DTYPE)


def _eye(n, m, k=0):
    return {m}.eye(n, m, k=k, dtype=DTYPE)


def _amax(a, axes, keep=False):
    return {m}.max(a, axis=axes, keepdims=keep)


def _amin(a, axes, keep=False):
    return {m}.min(a, axis=axes, keepdims=keep)


def _sum(a, axes, keep=False):
    return {m}.sum(a, axis=axes, keepdims=keep)


def _permute(a, order):
    return {m}.transpose(a, order)


def _squeeze(a, axes):
    return {m}.squeeze(a, axis=axes)
"""

_TORCH = """
DTYPE = torch.{dtype}


def _ones(shape):
    return torch.ones(shape, dtype=DTYPE)


def _eye(n, m, k=0):
    return torch.eye(n + k, m, dtype=DTYPE)[k:]


def _amax(a, axes, keep=False):
    return torch.amax(a, dim=axes, keepdim=keep)


def _amin(a, axes, keep=False):
    return torch.amin(a, dim=axes, keepdim=keep)


def _sum(a, axes, keep=False):
    return torch.sum(a, dim=axes, keepdim=keep)


def _permute(a, order):
    return torch.permute(a, order)


def _squeeze(a, axes):
    return torch.squeeze(a, dim=axes)
"""

_HELPERS = """

def _softmax(a, axes):
    e = {m}.exp(a - _amax(a, axes, True))
    return e / _sum(e, axes, True)


def _logsumexp(a, axes):
    top = _amax(a, axes, True)
    return _squeeze(top, axes) + {m}.log(_sum({m}.exp(a - top), axes))
"""


_CHECK = '''

def check({args}, step=1e-6):
    """The largest difference between the derivative and central differences of the value."""
    import numpy

    values = [numpy.asarray(v, dtype=float) for v in ({args},)]
    k = {position}
    _, got = f(*values)
    base = values[k]
    want = numpy.zeros(numpy.shape(got))
    for index in numpy.ndindex(base.shape):
        up = [v.copy() for v in values]
        down = [v.copy() for v in values]
        up[k][index] += step
        down[k][index] -= step
        diff = (numpy.asarray(f(*up)[{which}]) - numpy.asarray(f(*down)[{which}])) / (2 * step)
        want[(Ellipsis,) + index] = diff
    return float(numpy.max(numpy.abs(numpy.asarray(got) - want))) if want.size else 0.0
'''


def source(d: IndexDerivativeLike, target: str = "numpy", dtype: str = "float64") -> str:
    """The module's text (module docstring)."""
    if dtype not in ("float64", "float32"):
        raise MatcalcError(f"dtype {dtype!r}", expected='"float64" or "float32"')
    w = _Writer(d, target)
    names = list(d.built.variables)
    convert = "torch.as_tensor" if target == "torch" else f"{w.m}.asarray"
    lines = [f"    {a} = {convert}({a}, dtype=DTYPE)" for a in names]
    seen = set()
    for name in names:
        for k, dim in enumerate(d.built.variables[name].shape):
            if isinstance(dim, str) and dim not in seen:
                seen.add(dim)
                lines.append(f"    _{dim} = {name}.shape[{k}]")
    w.lines = lines
    for node in _postorder(d.built.root):
        w.emit(node)
    value = w.emit(d.built.root)
    terms = [w.term(t) for t in d.terms]
    shape = w.shape(d.shape)
    body = [f"    derivative = {w.m}.zeros({shape}, dtype=DTYPE)"]
    body += [f"    derivative = derivative + {t}" for t in terms]
    head = f"def f({', '.join(names)}):"
    what = "the Hessian" if d.hessian else "the derivative"
    doc = (
        f'    """(value, {what} by {d.var.data}: output axes, then {d.var.data}\'s, as '
        'jax.jacobian)."""'
    )
    arrays = (_TORCH if target == "torch" else _ARRAYS).format(m=w.m, dtype=dtype)
    if target == "jax" and dtype == "float64":
        w.imports.add("import jax")
        arrays = '\njax.config.update("jax_enable_x64", True)  # float64, as NumPy\n' + arrays
    text = "\n".join(sorted(w.imports)) + "\n" + arrays + _HELPERS.format(m=w.m) + "\n\n"
    text += "\n".join([head, doc, *w.lines, *body, f"    return {value}, derivative"]) + "\n"
    if not d.hessian:
        text += _CHECK.format(args=", ".join(names), position=names.index(d.var.data), which=0)
    return text
