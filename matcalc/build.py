"""From the syntax tree to typed expressions: declarations, defaults, shape inference.

Each name is a scalar, a vector or a matrix: declared (API `shapes=`, CLI flags, or inline
`x: vector(n);`), else by default — a name starting with an upper-case letter is a matrix,
a lower-case name used directly as an operand of `@`/`·` or as the argument of sum, mean,
norm, softmax, logsumexp, diag or dot is a vector, any other name a scalar. Undeclared
dimensions are unknowns, unified through the expression (as type inference does) and then
named n, m, k, …; a mismatch is a `ShapeError` naming both operands, located at the operator.
"""
from __future__ import annotations

from fractions import Fraction

from . import expr as E
from .errors import MatcalcError, ShapeError, UnsupportedError
from .shapes import Shape, ShapeSpec, parse_spec
from .syntax import Query, Syntax

# name -> (arity, how the shape goes, builder). The only place function names are listed.
ELEMENTWISE = "elementwise"
FUNCTIONS = {
    "exp": (1, ELEMENTWISE, lambda a: E.Func("exp", a)),
    "log": (1, ELEMENTWISE, lambda a: E.Func("log", a)),
    "ln": (1, ELEMENTWISE, lambda a: E.Func("log", a)),
    "sin": (1, ELEMENTWISE, lambda a: E.Func("sin", a)),
    "cos": (1, ELEMENTWISE, lambda a: E.Func("cos", a)),
    "tan": (1, ELEMENTWISE, lambda a: E.Func("tan", a)),
    "tanh": (1, ELEMENTWISE, lambda a: E.Func("tanh", a)),
    "sigmoid": (1, ELEMENTWISE, lambda a: E.Func("sigmoid", a)),
    "σ": (1, ELEMENTWISE, lambda a: E.Func("sigmoid", a)),
    "softplus": (1, ELEMENTWISE, lambda a: E.Func("softplus", a)),
    "abs": (1, ELEMENTWISE, lambda a: E.Func("abs", a)),
    "sign": (1, ELEMENTWISE, lambda a: E.Func("sign", a)),
    "sqrt": (1, ELEMENTWISE, lambda a: E.Pow(a, E.Const(Fraction(1, 2)))),
    "relu": (1, ELEMENTWISE, lambda a: E.Max(E.Const(0), a)),
    "max": (2, ELEMENTWISE, lambda a, b: E.Max(a, b)),
    "sum": (1, "reduce", E.Sum),
    "mean": (1, "reduce", lambda a: E.Mul(E.Sum(a), E.Pow(E.Mul(E.DimSize(a.shape.rows),
                                                                 E.DimSize(a.shape.cols)),
                                                          E.Const(-1)))),
    "norm": (1, "reduce", E.Norm),
    "logsumexp": (1, "reduce", E.LogSumExp),
    "softmax": (1, "vector", E.Softmax),
    "dot": (2, "dot", lambda a, b: E.MatMul(E.Transpose(a), b)),
    "diag": (1, "diag", E.Diag),
    "trace": (1, "square-scalar", E.Trace),
    "tr": (1, "square-scalar", E.Trace),
    "det": (1, "square-scalar", E.Det),
    "logdet": (1, "square-scalar", lambda a: E.Func("log", E.Det(a))),
    "inv": (1, "square", E.Inv),
    "transpose": (1, "transpose", E.Transpose),
}
VECTOR_ARGUMENT = {"sum", "mean", "norm", "softmax", "logsumexp", "diag", "dot"}
MAX_DEPTH = 200


class _Dims:
    """Union-find over dimensions: names and integers are fixed, `?k` are unknowns."""

    def __init__(self):
        self.parent: dict = {}
        self.count = 0

    def fresh(self) -> str:
        self.count += 1
        return f"?{self.count}"

    def find(self, d):
        while isinstance(d, str) and d.startswith("?") and self.parent.get(d, d) != d:
            d = self.parent[d]
        return d

    def unify(self, a, b) -> bool:
        a, b = self.find(a), self.find(b)
        if a == b:
            return True
        if isinstance(a, str) and a.startswith("?"):
            if b == 1:
                return False
            self.parent[a] = b
            return True
        if isinstance(b, str) and b.startswith("?"):
            return self.unify(b, a)
        return False


def declared_specs(query: Query, shapes: dict | None) -> dict[str, ShapeSpec]:
    specs: dict[str, ShapeSpec] = {}
    for name, spec in (shapes or {}).items():
        try:
            specs[name] = spec if isinstance(spec, ShapeSpec) else parse_spec(str(spec))
        except ValueError as err:
            raise ShapeError(f"bad shape for {name}: {err}",
                             expected="scalar, vector(n), matrix(m, n) or symmetric(n)") from None
    for decl in query.declarations:
        try:
            spec = parse_spec(decl.spec)
        except ValueError as err:
            raise ShapeError(f"bad declaration: {err}", expected="scalar, vector(n), matrix(m, n)"
                             " or symmetric(n)").located(query.text, decl.pos) from None
        for name in decl.names:
            specs[name] = spec
    return specs


def _vector_names(node: Syntax, out: set, depth=0):
    if depth > MAX_DEPTH:
        raise MatcalcError("expression nested too deeply")
    if node.kind == "binary" and node.value == "@" or node.kind == "call" and \
            node.value in VECTOR_ARGUMENT:
        out.update(c.value for c in node.children if c.kind == "name")
    for c in node.children:
        _vector_names(c, out, depth + 1)


class Builder:
    def __init__(self, query: Query, shapes: dict | None):
        self.query = query
        self.text = query.text
        self.dims = _Dims()
        self.specs = declared_specs(query, shapes)
        self.vector_names: set = set()
        _vector_names(query.body, self.vector_names)
        self.var_shapes: dict[str, tuple] = {}
        self.symmetric: dict[str, bool] = {}

    # ---------------------------------------------------------------- pass 1: shapes
    def shape_of_name(self, name: str) -> tuple:
        if name in self.var_shapes:
            return self.var_shapes[name]
        spec = self.specs.get(name)
        if spec is None:
            if name[:1].isupper():
                spec = ShapeSpec("matrix", (None, None))
            elif name in self.vector_names:
                spec = ShapeSpec("vector", (None,))
            else:
                spec = ShapeSpec("scalar", ())
        dims = [self.dims.fresh() if d is None else d for d in spec.dims]
        shape = {"scalar": (1, 1), "vector": lambda: (dims[0], 1),
                 "matrix": lambda: (dims[0], dims[1])}[spec.kind]
        shape = shape if isinstance(shape, tuple) else shape()
        self.var_shapes[name] = shape
        self.symmetric[name] = spec.structure
        return shape

    def error(self, node: Syntax, message: str, cls=ShapeError, expected=None):
        return cls(message, expected=expected).located(self.text, node.pos)

    def show(self, shape: tuple) -> str:
        r, c = (self.dims.find(d) for d in shape)
        name = lambda d: "?" if isinstance(d, str) and d.startswith("?") else str(d)
        if (r, c) == (1, 1):
            return "a scalar"
        if c == 1:
            return f"a vector({name(r)})"
        if r == 1:
            return f"a row vector({name(c)})"
        return f"a matrix({name(r)}, {name(c)})"

    def mismatch(self, node, what, operands):
        described = " and ".join(f"{_source(self.text, o)} is {self.show(s)}" for o, s in operands)
        return self.error(node, f"{what}: {described}")

    def is_scalar(self, s) -> bool:
        return self.dims.find(s[0]) == 1 and self.dims.find(s[1]) == 1

    def is_column(self, s) -> bool:
        return self.dims.find(s[1]) == 1 and self.dims.find(s[0]) != 1

    def is_row(self, s) -> bool:
        return self.dims.find(s[0]) == 1 and self.dims.find(s[1]) != 1

    def same(self, a, b) -> bool:
        return self.dims.unify(a[0], b[0]) and self.dims.unify(a[1], b[1])

    def infer(self, node: Syntax, depth=0) -> tuple:
        if depth > MAX_DEPTH:
            raise self.error(node, f"expression nested too deeply (more than {MAX_DEPTH} levels)",
                             MatcalcError)
        kind = node.kind
        if kind == "number":
            return (1, 1)
        if kind == "name":
            return self.shape_of_name(node.value)
        kids = [self.infer(c, depth + 1) for c in node.children]
        if kind == "neg":
            return kids[0]
        if kind == "transpose":
            return (kids[0][1], kids[0][0])
        if kind in ("binary", "compare") and node.value != "@" or \
                kind == "call" and FUNCTIONS.get(node.value, (0, ""))[1] == ELEMENTWISE:
            if kind == "call":
                self.check_call(node)
            return self.elementwise(node, kids)
        if kind == "binary":                                    # @
            return self.matmul(node, kids)
        if kind == "list":
            return self.literal(node, kids)
        if kind == "call":
            return self.call(node, kids)
        raise self.error(node, f"unknown syntax {kind}", MatcalcError)

    def elementwise(self, node, kids):
        if node.kind == "binary" and node.value == "^":
            if not self.is_scalar(kids[1]):
                raise self.mismatch(node, "the exponent of ^ must be a scalar",
                                    [(node.children[1], kids[1])])
            return kids[0]
        result = None
        for kid in kids:
            if self.is_scalar(kid):
                continue
            if result is None:
                result = kid
            elif not self.same(result, kid):
                op = node.value if node.kind != "call" else node.value + "()"
                raise self.mismatch(node, f"{op} needs operands of one shape, or a scalar",
                                    list(zip(node.children, kids)))
        return result or (1, 1)

    def matmul(self, node, kids):
        a, b = kids
        if self.is_scalar(a) or self.is_scalar(b):
            raise self.mismatch(node, "@ multiplies vectors and matrices (use * to scale)",
                                list(zip(node.children, kids)))
        if self.is_column(a) and not self.is_row(b):            # NumPy: a 1-D left is a row
            a = (1, a[0])
        if not self.dims.unify(a[1], b[0]):
            raise self.mismatch(node, "@ needs as many columns on the left as rows on the"
                                " right", list(zip(node.children, kids)))
        return (a[0], b[1])

    def literal(self, node, kids):
        if all(self.is_scalar(k) for k in kids):
            return (len(kids), 1)
        if all(c.kind == "list" for c in node.children):
            widths = {k[0] for k in kids}
            if len(widths) == 1 and all(all(self.is_scalar(self.infer(x)) for x in c.children)
                                        for c in node.children):
                return (len(kids), widths.pop())
        raise self.error(node, "a literal stacks scalars [a, b] or rows of scalars [[a, b], [c, d]]",
                         expected="scalar entries")

    def check_call(self, node):
        name = node.value
        if name not in FUNCTIONS:
            known = ", ".join(sorted(FUNCTIONS))
            raise self.error(node, f"unknown function {name!r}", UnsupportedError,
                             expected=f"one of {known}")
        arity = FUNCTIONS[name][0]
        if len(node.children) != arity:
            raise self.error(node, f"{name} takes {arity} argument{'s' * (arity > 1)}, "
                             f"got {len(node.children)}", MatcalcError)

    def call(self, node, kids):
        self.check_call(node)
        name, how = node.value, FUNCTIONS[node.value][1]
        a = kids[0]
        if how == "reduce":
            return (1, 1)
        if how == "transpose":
            return (a[1], a[0])
        if how == "vector":
            if not self.is_column(a):
                raise self.mismatch(node, f"{name} needs a vector", [(node.children[0], a)])
            return a
        if how == "dot":
            b = kids[1]
            if not (self.is_column(a) and self.is_column(b) and self.same(a, b)):
                raise self.mismatch(node, "dot needs two vectors of one length",
                                    list(zip(node.children, kids)))
            return (1, 1)
        if how == "diag":
            if self.is_column(a):
                return (a[0], a[0])
            if not (self.is_scalar(a) or self.is_row(a)) and self.dims.unify(a[0], a[1]):
                return (a[0], 1)                 # diag(M): the diagonal of a square matrix
            raise self.mismatch(node, "diag needs a vector (or a square matrix: its diagonal)",
                                [(node.children[0], a)])
        if how in ("square", "square-scalar"):
            if self.is_scalar(a) or not self.dims.unify(a[0], a[1]):
                raise self.mismatch(node, f"{name} needs a square matrix", [(node.children[0], a)])
            return a if how == "square" else (1, 1)
        raise AssertionError(how)

    # ---------------------------------------------------------------- naming and pass 2
    def final_shapes(self) -> dict[str, tuple]:
        used = {d for s in self.var_shapes.values() for d in s
                if isinstance(self.dims.find(d), str) and not self.dims.find(d).startswith("?")}
        pool = [n for n in ("n", "m", "k", "p", "q", "r", "s", "t") if n not in used]
        names: dict = {}
        out = {}
        for var, shape in self.var_shapes.items():
            dims = []
            for d in shape:
                root = self.dims.find(d)
                if isinstance(root, str) and root.startswith("?"):
                    if root not in names:
                        names[root] = pool.pop(0) if pool else f"n{len(names) + 1}"
                    root = names[root]
                dims.append(root)
            out[var] = Shape(*dims)
        return out

    def construct(self, node: Syntax, variables: dict) -> E.Expr:
        try:
            return self._construct(node, variables)
        except MatcalcError as err:
            raise err.located(self.text, node.pos)

    def _construct(self, node, variables):
        kind = node.kind
        if kind == "number":
            return E.Const(node.value)
        if kind == "name":
            return variables[node.value]
        kids = [self.construct(c, variables) for c in node.children]
        if kind == "neg":
            return E.neg(kids[0])
        if kind == "transpose":
            return E.Transpose(kids[0])
        if kind == "compare":
            return E.Compare(node.value, *kids)
        if kind == "binary":
            a, b = kids
            op = node.value
            if op == "+":
                return E.Add(a, b)
            if op == "-":
                return E.sub(a, b)
            if op == "*":
                return E.Mul(a, b)
            if op == "/":
                return E.div(a, b)
            if op == "^":
                return E.Pow(a, b)
            if op == "@":
                if a.shape.is_column and not b.shape.is_row:
                    a = E.Transpose(a)
                return E.MatMul(a, b)
        if kind == "list":
            if all(c.kind == "list" for c in node.children) and not all(
                    k.shape.is_scalar for k in kids):
                return E.Block(tuple(tuple(self.construct(x, variables) for x in c.children)
                                     for c in node.children))
            return E.Block(tuple((k,) for k in kids))
        if kind == "call":
            return FUNCTIONS[node.value][2](*kids)
        raise MatcalcError(f"unknown syntax {kind}")


def _source(text: str, node: Syntax) -> str:
    """The operand as the user wrote it, when we can cut it out of one line; else a summary."""
    from .render.syntax_text import syntax_text
    return syntax_text(node)


def build(query: Query, shapes: dict | None = None):
    """Type the query: returns (expression, {name: Var})."""
    builder = Builder(query, shapes)
    builder.infer(query.body)
    for name in builder.specs:                      # declared but unused names still get shapes
        builder.shape_of_name(name)
    final = builder.final_shapes()
    variables = {n: E.Var(n, s, builder.symmetric.get(n)) for n, s in final.items()}
    return builder.construct(query.body, variables), variables
