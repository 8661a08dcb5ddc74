"""`value_and_grad_source` of a query the index engine derives (a tensor query the slice
model refuses, an einsum with an order-3 intermediate): one function f(...) -> (value,
(∂f/∂w for w in wrt)) of a scalar f, the forward pass written once and shared by every
gradient, each gradient one `einsum` per index term and shaped like its variable; and
check(...) -> the largest difference from central differences of f's value. The shape of
the 2-D module (matcalc/codegen_grads.py): f takes the variables in declaration order.
"""

from __future__ import annotations

from ..errors import MatcalcError, NameError_
from ..parse import parse_query
from .build import Built, build
from .diff import Deriver
from .nodes import make
from .numeric import _postorder
from .result import IndexDerivative
from .source import _ARRAYS, _HELPERS, _TORCH, _Writer
from .terms import Indices, merge

__all__ = ["index_value_and_grad_source", "module_source", "parts_of"]

_CHECK = '''

def check(*args, eps=1e-6):
    """The largest absolute difference between the gradients f returns and central
    finite differences of its value."""
    import numpy

    args = [numpy.asarray(a, dtype=float) for a in args]
    _, gradients = f(*args)
    worst = 0.0
    for k, gradient in zip({positions}, gradients):
        gradient = numpy.asarray(gradient, dtype=float)
        fd = numpy.zeros(args[k].shape)
        for index in numpy.ndindex(args[k].shape):
            up = [a.copy() for a in args]
            down = [a.copy() for a in args]
            up[k][index] += eps
            down[k][index] -= eps
            fd[index] = (float(f(*up)[0]) - float(f(*down)[0])) / (2 * eps)
        worst = max(worst, float(numpy.max(numpy.abs(fd - gradient))) if fd.size else 0.0)
    return worst
'''


def parts_of(built: Built, wrt: list) -> list:
    """[IndexDerivative of the scalar query by each name], sharing one built query (its
    nodes, hence the forward pass) and one set of index symbols."""
    ix = Indices()
    parts = []
    for raw in wrt:
        name = raw.strip() if isinstance(raw, str) else raw
        if name in built.declared and name not in built.variables:  # declared, unused: 0
            built.variables[name] = make("var", name, (), built.declared[name])
        if name not in built.variables:
            raise NameError_(
                f"{name} is not a variable of the query",
                expected=", ".join(sorted(built.variables)) or "a variable",
            )
        var = built.variables[name]
        var_idx = tuple(ix.fresh(d) for d in var.shape)
        terms = merge(Deriver(ix, var, var_idx).d(built.root, ()))
        parts.append(IndexDerivative(built, var, ix, (), var_idx, terms))
    return parts


def index_value_and_grad_source(
    expression: object,
    wrt: object,
    shapes: object = None,
    target: str = "numpy",
    dtype: str = "float64",
) -> str:
    """The module's text (module docstring)."""
    if not isinstance(expression, str):
        raise MatcalcError("a query over order-3 values is given as text")
    names_wrt = [wrt] if isinstance(wrt, str) else list(wrt or ())
    if not names_wrt:
        raise MatcalcError("no variable to differentiate by (wrt is empty)")
    if dtype not in ("float64", "float32"):
        raise MatcalcError(f"dtype {dtype!r}", expected='"float64" or "float32"')
    built = build(parse_query(expression), shapes)
    if built.root.shape:
        raise MatcalcError(
            "value and gradients need a scalar function; this one has shape "
            f"({', '.join(str(d) for d in built.root.shape)})",
            expected="a scalar expression (sum(...), mean(...), a loss)",
        )
    parts = parts_of(built, names_wrt)
    return module_source(built, parts, target, dtype)


def module_source(built: Built, parts: list, target: str, dtype: str, stacked: bool = False) -> str:
    """f(...) -> (value, (gradients)) of the parts (derivatives of one scalar by each
    variable, sharing `built`) and check(...); `stacked`: f returns (value, the gradients
    of scalars stacked into one vector ∇f), as `to_source` of a list of scalars."""
    w = _Writer(parts[0], target)
    order = [n for n in built.declared if n in built.variables]
    names = order + [n for n in built.variables if n not in order]
    convert = "torch.as_tensor" if target == "torch" else f"{w.m}.asarray"
    lines = [f"    {a} = {convert}({a}, dtype=DTYPE)" for a in names]
    seen: set = set()
    for name in names:
        for k, dim in enumerate(built.variables[name].shape):
            if isinstance(dim, str) and dim not in seen:
                seen.add(dim)
                lines.append(f"    _{dim} = {name}.shape[{k}]")
    w.lines = lines
    for node in _postorder(built.root):
        w.emit(node)
    value = w.emit(built.root)
    body, grads = [], []
    for p in parts:
        w.d = p  # the terms read their variable's indices; the nodes are shared
        g = f"d_{p.var.data}"
        body.append(f"    {g} = {w.m}.zeros({w.shape(p.shape)}, dtype=DTYPE)")
        body += [f"    {g} = {g} + {w.term(t)}" for t in p.terms]
        grads.append(g)
    wrt_text = ", ".join(p.var.data for p in parts)
    result = f"({', '.join(grads)}{',' if len(grads) == 1 else ''})"
    doc = f'    """(value, (the gradient by each of {wrt_text}, shaped like its variable))."""'
    if stacked:
        result = f"{w.m}.stack([{', '.join(grads)}])"
        doc = f'    """(value, ∇f: the derivatives by the scalars {wrt_text}, stacked)."""'
    arrays = (_TORCH if target == "torch" else _ARRAYS).format(m=w.m, dtype=dtype)
    if target == "jax" and dtype == "float64":
        w.imports.add("import jax")
        arrays = '\njax.config.update("jax_enable_x64", True)  # float64, as NumPy\n' + arrays
    head = [
        f"# Generated by matcalc (index engine): {' '.join(built.text.split())!r} and its "
        f"gradients by {wrt_text}.",
        f"# f({', '.join(names)}) returns (value, {result});"
        " check(...) compares them with finite differences.",
    ]
    text = "\n".join(head + sorted(w.imports)) + "\n" + arrays + _HELPERS.format(m=w.m) + "\n\n"
    text += "\n".join([f"def f({', '.join(names)}):", doc, *w.lines, *body]) + "\n"
    text += f"    return {value}, {result}\n"
    positions = tuple(names.index(p.var.data) for p in parts)
    return text + _CHECK.format(positions=positions)
