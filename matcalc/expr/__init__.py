"""Expression nodes: immutable, hash-consed, each carrying its `Shape`.

Equal expressions are one object (a weak intern table keyed by class, arguments and shape), so
`a is b` is equality, a DAG never swells, and memo tables can key on nodes. Constructors
put the commutative algebra into one canonical form, as SymPy's Add and Mul do: flattened
operands, folded constants, like terms collected (`x²·x → x³`, `2x + x → 3x`), operands in
a canonical order. Matrix identities (`1ᵀdiag(x) → xᵀ`, ...) are not here but in
`simplify`, as named rewrites, so that the derivation can show them.

The package: `core` (the base, the intern table, the leaves), `algebra` (the element-wise
algebra) and `matrix` (the linear-algebra nodes), each importing only the ones before it.
Every name is re-exported here, so `from matcalc import expr as E; E.Add(...)` is the API.
"""

from .algebra import (
    Add,
    Compare,
    Func,
    Max,
    Mul,
    Pow,
    div,
    neg,
    num,
    power_parts,
    split_coefficient,
    sub,
)
from .core import (
    Const,
    Differential,
    DimSize,
    Expr,
    Identity,
    Ones,
    Var,
    Zero,
    bounded,
    is_const,
    is_zero,
    set_printer,
    size_difference,
    size_of,
    walk,
)
from .core import (
    _node as _node,  # private: tests build nodes of classes of their own
)
from .kron import Kron
from .matrix import (
    Block,
    Det,
    Diag,
    Diagonal,
    Inv,
    LogSumExp,
    MatMul,
    Norm,
    Softmax,
    Sum,
    Trace,
    Transpose,
    transpose_held,
)
from .select import Unit

__all__ = [
    "Add",
    "Block",
    "Compare",
    "Const",
    "Det",
    "Diag",
    "Diagonal",
    "Differential",
    "DimSize",
    "Expr",
    "Func",
    "Identity",
    "Inv",
    "Kron",
    "LogSumExp",
    "MatMul",
    "Max",
    "Mul",
    "Norm",
    "Ones",
    "Pow",
    "Softmax",
    "Sum",
    "Trace",
    "Transpose",
    "Unit",
    "Var",
    "Zero",
    "bounded",
    "div",
    "is_const",
    "is_zero",
    "neg",
    "num",
    "power_parts",
    "set_printer",
    "size_difference",
    "size_of",
    "split_coefficient",
    "sub",
    "transpose_held",
    "walk",
]
