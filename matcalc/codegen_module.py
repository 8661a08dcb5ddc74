"""The generated module's text (`codegen`'s writer): the arguments in declaration order
and their shape checks, the function bodies (`render.array_code` writes the expressions;
`codegen_linear` a derivative that is a linear map), the helpers the bodies call, and the
finite-difference check. It only writes text; it never runs what it writes.
"""

from __future__ import annotations

import textwrap

from . import expr as E
from .codegen_linear import linear_map_lines
from .derived import DerivativeLike
from .render.array_code import Backend, Names, Text, np_dims, tuple_literal
from .render.array_index import BatchedBody as Body
from .render.array_targets import HELPERS
from .shapes import DimProduct

__all__ = ["Module", "argument_order", "finite_differences_lines"]


def argument_order(d: DerivativeLike) -> list:
    """The variables as f takes them: in the order the declarations (then the query) name
    them first, then any other variable the expressions use."""
    variables = dict(d.variables)
    for root in (d.expression, d.function, d.result, d.differential):
        if root is not None:
            for n in E.walk(root):
                if isinstance(n, E.Var):
                    variables.setdefault(n.name, n)
    first = [n for n in getattr(d, "argument_order", ()) if n in variables]
    return [variables[n] for n in first + [n for n in variables if n not in first]]


def finite_differences_lines(b: Backend, positions: str, stacked: bool, denominator: bool) -> list:
    """The generated helper `_finite_differences(fun, args, eps, positions)`: central
    differences of fun by the arguments at `positions` (a tuple's text, the default),
    shaped as the derivative (stacked when several; variable axes first in the denominator
    layout). The one home of that helper: `check` of a derivative and of value-and-gradients
    modules (codegen_grads) both call it."""
    lines = [
        f"def _finite_differences(fun, args, eps, positions={positions}):",
        '    """Central differences of fun at args, shaped as f\'s derivative."""',
        "    parts = []",
        "    for i in positions:",
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
    return lines


class Module:
    """The text of one generated module for a derivative `d` and a backend."""

    def __init__(self, d, b: Backend):
        self.d, self.b = d, b
        self.hessian = d.function is not None
        self.variables = argument_order(d)
        variables = {v.name: v for v in self.variables}
        names = Names()
        self.var_names = {v.name: names.claim(v.name) for v in self.variables}
        self.params = [self.var_names[v.name] for v in self.variables]
        self.dim_names: dict = {}
        self.names_for_dims = names
        for v in self.variables:
            for dim in (v.shape.rows, v.shape.cols):
                if isinstance(dim, str) and dim not in self.dim_names:
                    self.dim_names[dim] = names.claim(dim)
        self.wrt_positions = [self.variables.index(variables[w.name]) for w in d.wrt]

    @property
    def eps(self) -> str:
        """The finite-difference step of check(): about the cube root of the precision."""
        return "1e-06" if self.b.dtype == "float64" else "0.001"

    def dim(self, d) -> str:
        if isinstance(d, int):
            return str(d)
        if isinstance(d, DimProduct):  # kron's m·p
            return "(" + " * ".join(self.dim(f) for f in d.factors) + ")"
        if d not in self.dim_names:  # a size no input shape gives
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
            dims = np_dims(v.shape)
            kind = "symmetric " + v.shape.kind if v.symmetric else v.shape.kind
            message = f'"{p} must be {"an" if kind[0] in "aeiou" else "a"} {kind}"'
            items = [self.dim(x) for x in dims]
            expect = (
                "()"
                if not items
                else f"({items[0]},)"
                if len(items) == 1
                else "(" + ", ".join(items) + ")"
            )
            fresh = [(i, x) for i, x in enumerate(dims) if isinstance(x, str) and x not in bound]
            fresh = [(i, x) for k, (i, x) in enumerate(fresh) if x not in [y for _, y in fresh[:k]]]
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
        names = Names(self.names_for_dims.taken)
        body = Body(b, names, self.var_names, self.dim)
        body.preferred = self.d.naming.identifiers() if hasattr(self.d, "naming") else {}
        self.bodies = getattr(self, "bodies", []) + [body]
        lines = self.prologue()
        value_name = names.claim("value")
        out_value = np_dims(value_root.shape)
        returns = [value_name]
        if not derivative:
            body.emit([value_root], lines=lines)
            lines.append(f"{value_name} = {self.output(body.text[value_root], out_value)}")
        else:
            deriv_name = names.claim("derivative")
            returns.append(deriv_name)
            lines += self.derivative_lines(body, names, value_root, value_name, deriv_name)
        unbound = [x for x in self.dim_names if x not in self.bound]
        params = ", ".join(
            self.params + (["*"] + [self.dim_names[x] for x in unbound] if unbound else [])
        )
        doc = "\n    ".join(textwrap.wrap(self.docstring(name), 88))
        out = [f"def {name}({params}):", f'    """{doc}"""']
        out += ["    " + line if line else "" for line in lines]
        out.append(f"    return {', '.join(returns)}")
        return out

    def output(self, t: Text, dims) -> str:
        return self.b.reshape(self.b.tensor(t.text) if t.pure else t.text, self.tuple_text(dims))

    def tuple_text(self, dims) -> str:
        return tuple_literal([self.dim(x) for x in dims])

    def derivative_lines(self, body, names, value_root, value_name, deriv_name) -> list:
        d = self.d
        lines: list = []
        out_np = np_dims(d.expression.shape)
        out_value = np_dims(value_root.shape)
        if len(d.wrt) > 1:
            var_np = (len(d.wrt),)
        else:
            var_np = np_dims(d.wrt[0].shape)
        full = d.layout.axes(out_np, var_np)
        if d.result is not None:
            # by a scalar, every layout is the tangent itself; by a list of k scalars, the
            # printed matrix: output × k (k × output in the denominator layout)
            result = d.result
            body.emit([value_root, result], lines=lines)
            lines.append(f"{value_name} = {self.output(body.text[value_root], out_value)}")
            lines.append(f"{deriv_name} = {self.output(body.text[result], full)}")
            return lines
        return linear_map_lines(self, body, names, value_name, deriv_name, value_root)

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
            s = f"{text(d.function)} and its Hessian by {wrt}: {d}."
        else:
            s = f"{text(d.expression)} and its derivative by {wrt} ({d.layout} layout): {d}."
        return " ".join(s.replace("\\", "\\\\").replace('"""', "'''").split())

    # -- the finite-difference check
    def check_lines(self) -> list:
        b, m, d = self.b, self.b.m, self.d
        positions = str(tuple(self.wrt_positions))
        stacked = len(d.wrt) > 1
        denominator = d.layout.variable_first
        lines = finite_differences_lines(b, positions, stacked, denominator)
        lines += ["", ""]
        params_doc = ", ".join(self.params)
        lines += [
            f"def check(*args, eps={self.eps}):",
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
                f"    return max(float({m}.max({m}.abs(first))), float({m}.max({m}.abs(second))))",
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

        what = (
            f"the Hessian of {text(d.function)}"
            if self.hessian
            else f"∂({text(d.expression)})/∂{', '.join(v.name for v in d.wrt)} ({d.layout} layout)"
        )
        value_root = d.function if self.hessian else d.expression
        lines = self.function("f", value_root, True)
        if self.hessian:
            lines += ["", ""] + self.function("gradient", d.expression, False)
        lines += ["", ""] + self.check_lines()
        return self.module(
            [
                f"# Generated by matcalc: {what}.",
                f"# f({', '.join(self.params)}) returns (value, derivative); check(...) compares"
                " it with finite differences.",
            ],
            lines,
        )

    def module(self, comments: list, lines: list) -> str:
        """The module's text: comments, imports (the backend's and those the lowerings
        asked for, e.g. math.erf), the helpers the bodies call, then `lines`."""
        extra = sorted({i for body in self.bodies for i in body.xp.imports})
        head = [*comments, *extra, *self.b.header, "", ""]
        for name in sorted({h for body in self.bodies for h in body.helpers}):
            head += HELPERS[name] + ["", ""]
        return "\n".join(head + lines) + "\n"
