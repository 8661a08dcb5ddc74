"""`Derivative`, what `derivative` and `hessian` return: the result in matrix notation
with everything a reader does with it — print it (Unicode, LaTeX, named intermediates, in
either notation), its steps, its shape, its value with NumPy, SymPy's check, generated code,
the Jupyter display. `api` builds it; this module only reads it.
"""

from __future__ import annotations

from . import expr as E
from .layout import Layout
from .records import Struct, replace
from .render.display import (
    derivative_latex,
    derivative_markdown,
    derivative_naming,
    result_latex,
    result_text,
)
from .render.names import Naming
from .render.styles import notation_of, using_notation
from .render.text import text as text_of

# NumPy (evaluate), SymPy (check), steps and the code generator are imported where a
# Derivative first needs them, so that `import matcalc` and the command line stay quick.

__all__ = ["Derivative"]


class Derivative(Struct):
    """A derivative in matrix notation: print it, typeset it, evaluate it, check it."""

    __slots__ = (
        "expression",
        "wrt",  # the Var(s)
        "variables",
        "layout",  # a str: "numerator", "denominator" or "mixed"
        "result",  # the matrix-notation derivative (None: a linear map)
        "differential",  # d f, linear in d(wrt) (for a single wrt)
        "kind",  # "tangent" | "jacobian" | "gradient" | "linear map" | "stacked"
        "derivations",
        "rewrites",
        "raw",  # the read-off before simplification
        "function",  # for a Hessian: f itself (`expression` is its gradient)
        # every name of the query -> its shape as a declaration ("vector(N)", "matrix(m, n)",
        # "scalar", "symmetric(n)", "simplex(n)"; dimensions used as numbers are not names here),
        # and the part of it that was inferred rather than declared (shown as "where …")
        "declarations",
        "inferred",
        # a stacked ∇f(x, y, …): the derivative by each variable (numerator layout), in wrt order
        "parts",
        # the printed symbols: "standard" (⊙ element-wise, ⊗ Kronecker) or "tutorial" (⊗
        # element-wise, kron(A, B)); every printed form of this Derivative and its steps uses
        # it; None: the notation current where it prints (`render.styles.using_notation`)
        "notation",
        # the variables in the order the declarations, then the query, name them (generated code)
        "argument_order",
        # print with named intermediates (`(s − y)xᵀ  where s = softmax(Wx)`); False: flat
        "names",
        "__dict__",  # (display keeps its naming here)
    )

    def __init__(
        self,
        expression: E.Expr,
        wrt: tuple,
        variables: dict,
        layout: Layout,
        result: E.Expr | None,
        differential: E.Expr,
        kind: str,
        derivations: list | None = None,
        rewrites: list | None = None,
        raw: E.Expr | None = None,
        function: E.Expr | None = None,
        declarations: dict | None = None,
        inferred: dict | None = None,
        parts: tuple = (),
        notation: str | None = None,
        argument_order: tuple = (),
        names: bool = True,
    ) -> None:
        self.expression = expression
        self.wrt = wrt
        self.variables = variables
        self.layout = layout
        self.result = result
        self.differential = differential
        self.kind = kind
        self.derivations = [] if derivations is None else derivations
        self.rewrites = [] if rewrites is None else rewrites
        self.raw = raw
        self.function = function
        self.declarations = {} if declarations is None else declarations
        self.inferred = {} if inferred is None else inferred
        self.parts = parts
        self.notation = notation
        self.argument_order = argument_order
        self.names = names
        self.__post_init__()

    def _key(self) -> tuple:
        return (
            self.expression,
            self.wrt,
            self.variables,
            self.layout,
            self.result,
            self.differential,
            self.kind,
            self.derivations,
            self.rewrites,
            self.raw,
            self.function,
            self.declarations,
            self.inferred,
            self.parts,
            self.notation,
            self.argument_order,
            self.names,
        )

    def __post_init__(self):
        self.layout = Layout.of(self.layout)
        if self.notation is not None:
            self.notation = notation_of(self.notation).name

    # ---------------------------------------------------------------- printing
    def __str__(self) -> str:
        return self.text()

    def text(self, names: bool | None = None) -> str:
        """The result in Unicode: with named intermediates (`(s − y)xᵀ  where s =
        softmax(Wx)`, render.names) or, `names=False`, flat; None: `self.names`."""
        with using_notation(self.notation):
            return result_text(self, names)

    @property
    def naming(self) -> Naming:
        """The named intermediates (node -> name) the result prints with; empty when
        nothing is named or `self.names` is False."""
        return derivative_naming(self)

    def __repr__(self) -> str:
        names = ", ".join(v.name for v in self.wrt)
        with using_notation(self.notation):
            return f"<Derivative ∂({text_of(self.expression)})/∂{names} = {self}>"

    def latex(self, names: bool | None = None) -> str:
        """The result in LaTeX: an `aligned` block with its `where` rows when intermediates
        are named (math mode, amsmath), else one formula; `names` as for `text`."""
        with using_notation(self.notation):
            return result_latex(self, names)

    # steps, code and the notebook display are imported where they are used: the command
    # line's start (parse, derive, print) does not load them (issue 11, cold start)
    @property
    def steps(self):
        from .steps import Steps

        return Steps(self)

    @property
    def shape(self) -> tuple:
        """Symbolic NumPy shape of `evaluate`'s array: output + wrt (numerator, mixed)."""
        out = _np_dims(self.expression.shape)
        var = (
            tuple(d for v in self.wrt for d in _np_dims(v.shape))
            if len(self.wrt) == 1
            else (len(self.wrt),)
        )
        return self.layout.axes(out, var)

    # ---------------------------------------------------------------- numbers
    def evaluate(self, values: dict):
        """The derivative at `values` (name -> float/array; dimension sizes follow from them):
        a numpy.ndarray. A symmetric or simplex variable's value must be on its set; an array
        past limits.EVALUATE_MAX_BYTES is refused (LimitError) before it is built."""
        from .evaluate_derivative import evaluate_derivative

        return evaluate_derivative(self, values)

    def check(self, n: int = 3, seed: int = 0):
        """SymPy's component-wise cross-check at sizes n, 3, 2, 4, … (1 <= n <= 8): a
        `matcalc.check.Report`; raises `CheckFailed` at a difference, `LimitError` past
        matcalc.limits. Symmetric and simplex variables: the unconstrained gradient, on the set."""
        from .check import check

        return check(self, n=n, seed=seed)

    # ---------------------------------------------------------------- code and Jupyter
    def to_numpy(self) -> str:
        """Source of a self-contained Python function computing the value and the derivative."""
        return self.to_source("numpy")

    def to_source(self, target: str = "numpy", dtype: str = "float64") -> str:
        """Like `to_numpy`, for "numpy", "jax" or "torch" (imported only by the generated
        code), computing in dtype ("float64" or "float32")."""
        from .codegen import to_source

        with using_notation(self.notation):  # the docstring's formula
            return to_source(self, target, dtype)

    def _repr_latex_(self) -> str:
        with using_notation(self.notation):
            return derivative_latex(self)

    def _repr_markdown_(self) -> str:
        with using_notation(self.notation):
            return derivative_markdown(self)

    def flat(self) -> Derivative:
        """This derivative printing flat (no named intermediates) everywhere, Jupyter too."""
        return replace(self, names=False)


def _np_dims(shape) -> tuple:
    return shape.np_dims
