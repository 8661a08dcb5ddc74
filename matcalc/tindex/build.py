"""The parsed query (matcalc/parse.py's syntax tree and the declarations) -> the typed
tensor expression of the index engine (matcalc/tindex/ops.py), every error located with
a caret at the node it is about.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from .. import registry
from ..declarations import given_specs, tensor_dims
from ..einsum_ellipsis import expand_ellipsis
from ..errors import MatcalcError, NameError_, ShapeError, UnsupportedError
from ..primitives import catalog  # noqa: F401  (registers the primitives)
from ..shapes import parse_spec
from ..syntax import Query, Syntax
from ..tensor_syntax import walk
from . import ops
from .indexing import index
from .nodes import Node, const, make

__all__ = ["Built", "build"]

AXIS_CALLS = (
    "sum",
    "mean",
    "max",
    "min",
    "logsumexp",
    "softmax",
    "log_softmax",
    "norm",
    "var",
    "std",
)


@dataclass
class Built:
    """The query as nodes: the root, {name: var node}, the dimension names."""

    root: Node
    variables: dict
    dimensions: set
    text: str
    declared: dict  # {name: dims} of every declared name, used or not


def _declared(query: Query, shapes: object) -> dict:
    """{name: dims tuple} from the inline declarations and shapes=."""
    out: dict = {}
    raw = dict(shapes or {})
    specs = {}
    for name, spec in raw.items():
        dims = tensor_dims(spec)
        if dims is not None:
            out[name] = dims
        else:
            specs[name] = spec
    for name, spec in given_specs(specs).items():
        out[name] = _dims_of(spec, name, query, None)
    for decl in query.declarations:
        dims = tensor_dims(decl.spec)
        for name in decl.names:
            if dims is None:
                try:
                    parsed = parse_spec(decl.spec)
                except ValueError as err:
                    raise ShapeError(f"bad declaration: {err}").located(
                        query.text, decl.pos
                    ) from None
                here = _dims_of(parsed, name, query, decl.pos)
            else:
                here = dims
            if name in out and out[name] != here:
                raise ShapeError(
                    f"conflicting declarations of {name}: {here} here, {out[name]} in shapes=",
                    expected="one shape per name",
                ).located(query.text, decl.pos)
            out[name] = here
    return out


def _dims_of(spec, name: str, query: Query, pos) -> tuple:
    if any(d is None for d in spec.dims):
        raise UnsupportedError(
            f"{name} needs its dimensions declared in a query over order-3 values",
            expected="vector(n), matrix(m, n), tensor(h, n, d)",
        ).located(query.text, pos)
    if spec.kind == "vector":
        return (spec.dims[0],)
    return tuple(spec.dims)


class _Builder:
    def __init__(self, query: Query, shapes: object):
        self.text = query.text
        self.decl = _declared(query, shapes)
        self.dimensions = {d for dims in self.decl.values() for d in dims if isinstance(d, str)}
        self.variables: dict = {}
        self.done: dict = {}

    def fail(self, err: MatcalcError, node: Syntax) -> MatcalcError:
        return err.located(self.text, node.pos)

    def run(self, body: Syntax) -> Node:
        for node in walk(body):
            if node.kind == "string":
                continue
            try:
                self.done[id(node)] = self.one(node)
            except MatcalcError as err:
                raise self.fail(err, node) from None
        return self.done[id(body)]

    def arg(self, node: Syntax) -> Node:
        return self.done[id(node)]

    # ------------------------------------------------------------------ nodes
    def one(self, node: Syntax) -> Node:
        kind = node.kind
        if kind == "number":
            return const(Fraction(node.value))
        if kind == "name":
            return self.name(node)
        if kind == "neg":
            return ops.neg(self.arg(node.children[0]))
        if kind == "binary":
            a, b = (self.arg(c) for c in node.children)
            return self.binary(node.value, a, b)
        if kind == "compare":
            a, b = (self.arg(c) for c in node.children)
            return ops.ew("cmp:" + node.value, [a, b])
        if kind == "transpose":
            a = self.arg(node.children[0])
            if node.value == "mT":
                if a.ndim < 2:
                    raise ShapeError(".mT needs a value of order 2 or more", expected="a matrix")
                order = tuple(range(a.ndim - 2)) + (a.ndim - 1, a.ndim - 2)
                return ops.transpose(a, order)
            return ops.transpose(a)
        if kind == "index":
            return index(self.arg(node.children[0]), tuple(node.value))
        if kind == "call":
            return self.call(node)
        raise UnsupportedError(f"a {kind} in a query over order-3 values is not supported")

    def name(self, node: Syntax) -> Node:
        name = node.value
        if name in self.decl:
            var = make("var", name, (), self.decl[name])
            self.variables[name] = var
            return var
        if name in self.dimensions:
            return make("dim", (name,), (), ())
        if name == "pi":
            return make("ew", ("fn:pi", ()), (), ())
        if name == "I":
            raise UnsupportedError(
                "I (an identity of inferred size) in a query over order-3 values",
                expected="eye(n)",
            )
        raise NameError_(
            f"{name} is not declared (a query over order-3 values declares every name)",
            expected=f"{name}: scalar, vector(n), matrix(m, n) or tensor(h, n, d)",
        )

    def binary(self, op: str, a: Node, b: Node) -> Node:
        if op == "+":
            return ops.add(a, b)
        if op == "-":
            return ops.sub(a, b)
        if op == "*":
            return ops.mul(a, b)
        if op == "/":
            return ops.div(a, b)
        if op == "^":
            return ops.power(a, b)
        if op == "@":
            return ops.matmul(a, b)
        raise UnsupportedError(f"the operator {op}")

    # ------------------------------------------------------------------ calls
    def keywords(self, node: Syntax, allowed: tuple) -> dict:
        out = {}
        for k in node.keywords:
            if k.name not in allowed:
                raise MatcalcError(
                    f"{node.value} takes no keyword {k.name}",
                    expected=", ".join(allowed) or "no keywords",
                ).located(self.text, k.pos)
            out[k.name] = k
        return out

    def axes(self, node: Syntax, a: Node) -> tuple[tuple, bool]:
        kw = self.keywords(node, ("axis", "keepdims"))
        axis = kw["axis"].value if "axis" in kw else None
        try:
            axes = ops.axes_of(axis, a.ndim)
        except ValueError as err:
            raise MatcalcError(str(err), expected=f"axes from {-a.ndim} to {a.ndim - 1}").located(
                self.text, kw["axis"].pos
            ) from None
        keep = bool(kw["keepdims"].value) if "keepdims" in kw else False
        return axes, keep

    def call(self, node: Syntax) -> Node:
        name = node.value
        if name == "einsum":
            return self.einsum(node)
        args = [self.arg(c) for c in node.children]
        if name in ("ones", "zeros", "eye"):
            return self.constant(node, name)
        if name in AXIS_CALLS and (len(args) == 1 or node.keywords):
            if len(args) != 1:
                raise MatcalcError(
                    f"{name} with axis= takes one array", expected=f"{name}(X, axis=…)"
                )
            # a function of a whole vector (the registry's shape "vector": softmax,
            # log_softmax) needs its axes named on an array of order >= 2, as on a matrix
            if registry.get(name).shape == "vector" and "axis" not in self.keywords(
                node, ("axis", "keepdims")
            ):
                if args[0].ndim >= 2:
                    raise ShapeError(
                        f"{name} needs a vector or an axis: this is an array of shape "
                        f"{ops.shape_text(args[0].shape)}",
                        expected=f"{name}(…, axis=-1) (or another axis, or a tuple of them)",
                    ).located(self.text, node.pos)
            axes, keep = self.axes(node, args[0])
            out = self.axis_call(name, args[0], axes)
            if keep and out.shape != args[0].shape:
                out = ops.expand(out, axes, args[0].ndim)
            return out
        self.keywords(node, ())
        if name in ("max", "min") and len(args) == 2:
            a, b = args
            if name == "min":
                return ops.fn("min", [a, b])
            return ops.neg(ops.fn("min", [ops.neg(a), ops.neg(b)]))
        if name == "relu" and len(args) == 1:
            return ops.neg(ops.fn("min", [const(0), ops.neg(args[0])]))
        if name == "sqrt" and len(args) == 1:
            return ops.power(args[0], const(Fraction(1, 2)))
        if name == "diag" and len(args) == 1:
            return self.diag(args[0])
        if name in ("inv", "det", "logdet") and len(args) == 1:
            if name == "inv":
                return ops.inv(args[0])
            d = ops.det(args[0])
            return d if name == "det" else ops.fn("log", [d])
        if name == "transpose" and len(args) == 1:
            return ops.transpose(args[0])
        if name == "trace" and len(args) == 1:
            a = args[0]
            if a.ndim < 2 or a.shape[0] != a.shape[1]:
                raise ShapeError(
                    f"trace of shape {ops.shape_text(a.shape)}", expected="a square matrix"
                )
            term = "ii" + ops.LETTERS[2 : a.ndim]
            return ops.einsum((term,), term[2:], [a], "trace")
        if name in ("dot", "outer") and len(args) == 2:
            a, b = args
            if name == "outer" and a.ndim == 1 and b.ndim == 1:
                return ops.einsum(("i", "j"), "ij", [a, b], "outer")
            if name == "dot" and a.ndim == 1 and b.ndim == 1:
                return ops.einsum(("i", "i"), "", [a, b], "dot")
            if name == "dot" and a.ndim <= 2 and b.ndim <= 2 and a.ndim and b.ndim:
                return ops.matmul(a, b)
        p = registry.surface().get(name)
        if p is not None and p.kind == "elementwise" and len(args) in p.arity:
            return ops.fn(p.name, args)
        raise UnsupportedError(
            f"{name} with these arguments is not supported in a query over order-3 values",
            expected="element-wise functions, @, .T, .mT, einsum, indexing and the axis "
            "functions " + ", ".join(AXIS_CALLS),
        )

    def diag(self, a: Node) -> Node:
        """np.diag: the diagonal of a square matrix, or the matrix of a vector."""
        if a.ndim == 1:
            eye = make("eye", None, (), (a.shape[0], a.shape[0]))
            return ops.einsum(("i", "ij"), "ij", [a, eye], "diag")
        if a.ndim == 2 and a.shape[0] == a.shape[1]:
            return ops.einsum(("ii",), "i", [a], "diag")
        raise ShapeError(
            f"diag of shape {ops.shape_text(a.shape)}", expected="a vector or a square matrix"
        )

    def axis_call(self, name: str, a: Node, axes: tuple) -> Node:
        if name == "sum":
            return ops.reduce_sum(a, axes)
        if name == "mean":
            return ops.mean(a, axes)
        if name in ("max", "min"):
            return ops.amax(a, axes, name)
        if name == "logsumexp":
            return ops.lse(a, axes)
        if name == "softmax":
            return ops.softmax(a, axes)
        if name == "log_softmax":
            return ops.sub(a, ops.expand(ops.lse(a, axes), axes, a.ndim))
        if name == "norm":
            return ops.power(ops.reduce_sum(ops.power(a, const(2)), axes), const(Fraction(1, 2)))
        centred = ops.sub(a, ops.expand(ops.mean(a, axes), axes, a.ndim))
        var = ops.mean(ops.power(centred, const(2)), axes)
        return var if name == "var" else ops.power(var, const(Fraction(1, 2)))

    def constant(self, node: Syntax, name: str) -> Node:
        dims = []
        for c in node.children:
            if c.kind == "number" and Fraction(c.value).denominator == 1 and c.value > 0:
                dims.append(int(c.value))
            elif c.kind == "name" and c.value in self.dimensions:
                dims.append(c.value)
            else:
                raise ShapeError(
                    f"{name}'s arguments are dimensions",
                    expected="a declared dimension or a number",
                ).located(self.text, c.pos)
        if name == "eye":
            if len(dims) != 1:
                raise ShapeError("eye takes one dimension", expected="eye(n)")
            return make("eye", None, (), (dims[0], dims[0]))
        if not dims:
            raise ShapeError(f"{name} needs its dimensions", expected=f"{name}(m, n)")
        if name == "zeros":
            return ops.mul(const(0), make("ones", None, (), tuple(dims)))
        return make("ones", None, (), tuple(dims))

    def einsum(self, node: Syntax) -> Node:
        self.keywords(node, ())
        if not node.children or node.children[0].kind != "string":
            raise MatcalcError("einsum's first argument is its subscripts", expected='"ij,jk->ik"')
        spec = str(node.children[0].value).replace(" ", "")
        operands = [self.arg(c) for c in node.children[1:]]
        written, spec = spec, expand_ellipsis(spec, [o.ndim for o in operands])
        left, arrow, output = spec.partition("->")
        terms = tuple(left.split(","))
        if not all(t.isalpha() for t in terms if t) or (arrow and output and not output.isalpha()):
            raise MatcalcError("einsum's subscripts are letters", expected='"ij,jk->ik"')
        if len(terms) != len(operands):
            raise MatcalcError(
                f"einsum's subscripts name {len(terms)} operands, {len(operands)} are given",
                expected="one term per operand",
            )
        if not arrow:
            letters = "".join(terms)
            output = "".join(sorted(c for c in set(letters) if letters.count(c) == 1))
        how = ("einsum", written) if written != spec else "einsum"  # printed as written
        return ops.einsum(terms, output, operands, how)


def build(query: Query, shapes: object = None) -> Built:
    """The query's expression as index-engine nodes."""
    b = _Builder(query, shapes)
    root = b.run(query.body)
    return Built(root, b.variables, b.dimensions, query.text, b.decl)
