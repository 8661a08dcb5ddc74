"""Declarations: the shapes the user gave (API `shapes=`, CLI flags, inline `x: vector(n);`),
checked and merged, and the spec strings every name is shown with afterwards.

Three sources, one rule: a name declared twice must be declared compatibly — the same
kind and structure, and where both give a dimension, the same one (`vector` and
`vector(n)` agree; `scalar` and `vector` do not: a `ShapeError`). A name that is a
dimension of a declared shape (`X: matrix(N, n)` makes N and n dimensions) is that size
inside the expression, unless it is itself declared as a variable (then it is an error to
use it both ways).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from .errors import MatcalcError, ShapeError
from .shapes import Shape, ShapeSpec, parse_spec
from .syntax import Query

__all__ = [
    "NAME",
    "SPEC_PHRASE",
    "check_name",
    "declared_specs",
    "describe",
    "dimension_names",
    "given_specs",
    "merge",
    "spec_string",
    "tensor_dims",
    "where_text",
]

#: A name, as the grammar spells it (grammar/matcalc.lark, NAME).
NAME = re.compile(r"[A-Za-z_α-ωΑ-Ω][A-Za-z_0-9α-ωΑ-Ω]*")
SPEC_PHRASE = (
    "scalar, vector(n), matrix(m, n), symmetric(n), simplex(n), rowsimplex(m, n) or tensor(h, n, d)"
)
#: What the matrix builder reads (a tensor is read by the tensor path, matcalc/tensor_api.py).
MATRIX_SPEC_PHRASE = "scalar, vector(n), matrix(m, n), symmetric(n), simplex(n) or rowsimplex(m, n)"


def _not_here(spec: object, err: ValueError) -> tuple[str, str]:
    """(message, expected) for a spec the matrix builder cannot read: a well-formed tensor
    spec is read by the tensor path (derivative and hessian), not by whoever builds it as
    matrices; anything else is an unknown shape."""
    if tensor_dims(spec) is not None:
        return (
            f"{spec!r} is an order >= 3 value: derivative and hessian read a query over "
            "tensors (slice by slice, or by the index engine); this part of matcalc reads "
            "scalars, vectors and matrices only",
            MATRIX_SPEC_PHRASE,
        )
    return str(err), SPEC_PHRASE


_TENSOR = re.compile(r"^\s*tensor\s*\(([^()]*)\)\s*$")
_DIM = re.compile(r"[A-Za-z_][A-Za-z_0-9]*|[1-9][0-9]*")


def tensor_dims(spec: object) -> tuple | None:
    """The dimensions of a `tensor(h, n, d)` spec (names or positive integers, 3 to 8 of
    them: an order >= 3 value, matcalc/tensor_query.py), None for any other spec; a
    malformed tensor spec is a ShapeError."""
    m = _TENSOR.match(spec) if isinstance(spec, str) else None
    if m is None:
        return None
    dims = tuple(d.strip() for d in m.group(1).split(","))
    if not 3 <= len(dims) <= 8 or not all(_DIM.fullmatch(d) for d in dims):
        raise ShapeError(
            f"bad shape {spec!r}: a tensor has 3 to 8 dimensions, each a name or a positive "
            "integer",
            expected="tensor(h, n, d)",
        )
    return tuple(int(d) if d.isdigit() else d for d in dims)


def check_name(name: object, where: str) -> str:
    """`name` if it is a valid variable name, else a MatcalcError saying where it came from."""
    if not isinstance(name, str):
        raise MatcalcError(
            f"bad name {name!r} in {where}: names are strings", expected="a name such as x, W1 or σ"
        )
    stripped = name.strip()
    if not NAME.fullmatch(stripped):
        raise MatcalcError(
            f"bad name {name!r} in {where}",
            expected="a letter or _ followed by letters, digits or _",
        )
    return stripped


def given_specs(shapes: object, where: str = "shapes=") -> dict[str, ShapeSpec]:
    """The API's `shapes=` (or the CLI's flags, already a dict), validated: a mapping from
    names to spec strings or ShapeSpecs. Anything else is a MatcalcError, never an
    AttributeError."""
    if shapes is None:
        return {}
    if not isinstance(shapes, Mapping):
        raise MatcalcError(
            f"{where} must be a dict of name -> shape, not {type(shapes).__name__}",
            expected='e.g. {"x": "vector(n)", "A": "matrix(m, n)"}',
        )
    out: dict[str, ShapeSpec] = {}
    for name, spec in shapes.items():
        if isinstance(spec, ShapeSpec):  # internal callers (verify) name their own
            out[name] = spec
            continue
        key = check_name(name, where)
        if isinstance(spec, str):
            try:
                parsed = parse_spec(spec)
            except ValueError as err:
                message, expected = _not_here(spec, err)
                raise ShapeError(
                    f"bad shape for {key} in {where}: {message}", expected=expected
                ) from None
        else:
            raise ShapeError(
                f"bad shape for {key} in {where}: {spec!r} is not a shape", expected=SPEC_PHRASE
            )
        if key in out and merge(out[key], parsed) is None:
            raise ShapeError(
                f"{key} is declared twice in {where}: {describe(out[key])} and {describe(parsed)}",
                expected="one shape per name",
            )
        out[key] = merge(out.get(key, parsed), parsed)
    return out


def merge(a: ShapeSpec, b: ShapeSpec) -> ShapeSpec | None:
    """The one spec both declarations allow, or None when they conflict."""
    if a.kind != b.kind or a.structure != b.structure or len(a.dims) != len(b.dims):
        return None
    dims = []
    for x, y in zip(a.dims, b.dims):
        if x is not None and y is not None and x != y:
            return None
        dims.append(x if x is not None else y)
    return ShapeSpec(a.kind, tuple(dims), a.structure)


def describe(spec: ShapeSpec) -> str:
    """A spec as written: 'scalar', 'vector(n)', 'matrix', 'symmetric(n)', …"""
    word = spec.structure or spec.kind
    dims = spec.dims[:1] if spec.structure == "symmetric" else spec.dims
    if not dims or all(d is None for d in dims):
        return word
    return f"{word}({', '.join('?' if d is None else str(d) for d in dims)})"


def declared_specs(query: Query, shapes: object) -> dict[str, ShapeSpec]:
    """Inline declarations merged with `shapes=`: a conflict is a ShapeError at the inline
    declaration."""
    specs = given_specs(shapes)
    for decl in query.declarations:
        try:
            spec = parse_spec(decl.spec)
        except ValueError as err:
            message, expected = _not_here(decl.spec, err)
            raise ShapeError(f"bad declaration: {message}", expected=expected).located(
                query.text, decl.pos
            ) from None
        for name in decl.names:
            if name in specs:
                merged = merge(specs[name], spec)
                if merged is None:
                    raise ShapeError(
                        f"conflicting declarations of {name}: {describe(spec)} here, "
                        f"{describe(specs[name])} in the options (shapes= or a --"
                        f"{specs[name].structure or specs[name].kind} flag)",
                        expected="one shape per name",
                    ).located(query.text, decl.pos)
                spec = merged
            specs[name] = spec
    return specs


def dimension_names(specs: dict[str, ShapeSpec]) -> set[str]:
    """The named dimensions of the declared shapes."""
    return {d for spec in specs.values() for d in spec.dims if isinstance(d, str)}


def spec_string(shape: Shape, structure: str | None = None) -> str:
    """The declaration that gives a variable this shape: 'scalar', 'vector(N)',
    'matrix(m, n)', 'symmetric(n)', 'simplex(n)', 'rowsimplex(m, n)' ('row vector(n)' for a
    row)."""
    if shape.is_scalar:
        return "scalar"
    if structure == "symmetric":
        return f"symmetric({shape.rows})"
    if shape.is_column:
        return f"{structure or 'vector'}({shape.rows})"
    if shape.is_row:
        return f"row vector({shape.cols})"
    return f"{structure or 'matrix'}({shape.rows}, {shape.cols})"


def where_text(inferred: dict) -> str:
    """'where y: vector(N), X: matrix(N, n)' for the inferred declarations; '' if none."""
    if not inferred:
        return ""
    return "where " + ", ".join(f"{name}: {spec}" for name, spec in inferred.items())
