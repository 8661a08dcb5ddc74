"""Code generation of a derivative that is a linear map (matrix by matrix, vector by
matrix, …): the tensor of ∂(output)/∂(variable), built with `einsum` term by term where a
term is c · G ⊗ (A · dX · B) (G element-wise, dX possibly transposed), all basis directions
at once where `render.array_index` can batch the rest, and otherwise by applying the map to
each basis direction in a loop — slower, never an error. `codegen_module.Module` calls
`linear_map_lines` for a derivative with no matrix form (`Derivative.result` unset).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from . import expr as E
from .readoff import kronecker_term
from .render.array_code import ATOM, MUL, Text, np_dims, wrap
from .render.array_index import batchable, batched_lines

if TYPE_CHECKING:  # annotations only
    from .render.array_index import BatchedBody
    from .render.array_targets import Names

__all__ = ["ModuleLike", "linear_map_lines"]


class ModuleLike(Protocol):
    """What the linear-map writer uses of codegen_module.Module (which calls it): the
    derivative, the backend, the variables' names in the code, and its shape texts."""

    d: object
    b: object
    var_names: dict

    def dim(self, d: object) -> str: ...
    def tuple_text(self, dims: object) -> str: ...
    def output(self, t: Text, dims: object) -> str: ...
    def product(self, *dims: object) -> str: ...


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


def linear_map_lines(
    module: ModuleLike,
    body: BatchedBody,
    names: Names,
    value_name: str,
    deriv_name: str,
    value_root: E.Expr,
) -> list:
    """The lines computing the value (`value_name`) and the derivative's tensor
    (`deriv_name`, shaped output + variable axes, or variable + output in the denominator
    layout) of module.d, a derivative by one variable whose differential is linear in dX."""
    mod, b, d = module, module.b, module.d
    lines: list = []
    out_np = np_dims(d.expression.shape)
    out_value = np_dims(value_root.shape)
    var_np = (len(d.wrt),) if len(d.wrt) > 1 else np_dims(d.wrt[0].shape)
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
        body.text[dX] = Text(names.claim("d" + mod.var_names[var.name]), ATOM)
    # array_index: all directions at once (a leading batch axis) where the map allows
    batched = bool(rest) and batchable(body, rest, dX)
    if batched:
        body.batch_dX = dX
        head, tail = batched_lines(
            mod,
            body,
            rest,
            body.text[dX].text,
            var,
            d.expression.shape,
            mod.tuple_text(
                (d.expression.shape.rows, d.expression.shape.cols)
                + (var.shape.rows, var.shape.cols)
            ),
        )
        lines += head
        body.emit(roots + rest, lines=lines)
    else:
        body.emit(
            roots, loop_roots=rest, dX=dX if rest else None, lines=lines, loop_lines=loop_lines
        )
    lines.append(f"{value_name} = {mod.output(body.text[value_root], out_value)}")
    R, C = d.expression.shape.rows, d.expression.shape.cols
    p, q = var.shape.rows, var.shape.cols
    tensor = names.claim("tensor")
    four = mod.tuple_text((R, C, p, q))
    first = True
    for t, (scalars, arrays, A, transposed, B, whole) in easy:
        i, j = ("i", "j") if whole else ("a", "b")
        hole_rows, hole_cols = (q, p) if transposed else (p, q)
        k, l = ("l", "k") if transposed else ("k", "l")
        specs, operands = [], []
        for g in arrays:
            specs.append("ij")
            operands.append(body.text[g].text)
        specs.append(i + k)
        operands.append(body.text[A].text if A is not None else b.eye(mod.dim(hole_rows)))
        specs.append(l + j)
        operands.append(body.text[B].text if B is not None else b.eye(mod.dim(hole_cols)))
        call = f"{b.m}.einsum('{','.join(specs)}->ijkl', {', '.join(operands)})"
        coeff = body.mul([body.text[s] for s in scalars]) if scalars else None
        sign, term = "+", call
        if coeff is not None:
            if coeff.text.startswith("-") and coeff.prec >= MUL:
                sign, coeff = "-", Text(coeff.text[1:], coeff.prec, coeff.pure)
            term = call if coeff.text == "1.0" else f"{wrap(coeff, MUL)} * {call}"
        if first and t.shape != d.expression.shape:
            # a scalar term (aᵀdXb beside an array output) has 1×1 output axes: start
            # from zeros of the full shape, so that it broadcasts
            lines.append(f"{tensor} = {b.filled('zeros', four)}")
            first = False
        if first:
            lines.append(f"{tensor} = {'-' if sign == '-' else ''}{term}")
            first = False
        else:
            lines.append(f"{tensor} = {tensor} {sign} {term}")
    if batched:
        total = body.add_texts([body.text[t] for t in rest])
        more, stacked = tail(total, all(t.shape != d.expression.shape for t in rest))
        lines += more
        lines.append(f"{tensor} = {stacked}" if first else f"{tensor} = {tensor} + {stacked}")
        first = False
    elif rest:
        basis, cols, k = names.claim("basis"), names.claim("cols"), names.claim("k")
        dname = body.text[dX].text
        lines.append(f"{basis} = {b.eye(mod.product(p, q))}")
        lines.append(f"{cols} = []")
        lines.append(f"for {k} in range({mod.product(p, q)}):")
        lines.append(f"    {dname} = {basis}[{k}].reshape({mod.dim(p)}, {mod.dim(q)})")
        lines += ["    " + x for x in loop_lines]
        total = body.add_texts([body.text[t] for t in rest])
        if all(t.shape != d.expression.shape for t in rest):
            # only scalar terms (tr(X⁻¹dX)det(X) beside dX): expand over the output
            total = b.broadcast(total, mod.tuple_text((R, C)))
        flat = mod.b.reshape(total, f"({mod.product(R, C)},)")
        lines.append(f"    {cols}.append({flat})")
        stacked = b.reshape(b.stack(cols), four)
        lines.append(f"{tensor} = {stacked}" if first else f"{tensor} = {tensor} + {stacked}")
        first = False
    if first:
        lines.append(f"{tensor} = {b.filled('zeros', four)}")
    lines.append(f"{deriv_name} = {b.reshape(tensor, mod.tuple_text(out_np + var_np))}")
    if d.layout.variable_first and out_np:
        n_out, n_var = len(out_np), len(var_np)
        perm = tuple(range(n_out, n_out + n_var)) + tuple(range(n_out))
        lines.append(f"{deriv_name} = {b.permute(deriv_name, str(perm))}")
    return lines
