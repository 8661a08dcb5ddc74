"""`TensorDerivative`: the derivative of a tensor query (matcalc/tensor_query.py), put
together from the derivative of one slice, which the 2-D pipeline computes.

With slices fₐ = f(Qₐ, Kₐ, …, W) (each tensor replaced by its slice, a shared value W
the same in every slice), the four cases are (numerator layout, as `jax.jacobian`):

  output          by a tensor Q                     by a shared W
  slices fₐ       ∂fₐ/∂Qᵦ = δₐᵦ ∂fₐ/∂Qₐ (block       ∂fₐ/∂W, stacked: batch + out + W
                  diagonal: batch + out + batch + Q)
  Σₐ fₐ (sum)     ∂f/∂Qₐ = ∂fₐ/∂Qₐ: out + batch + Q   Σₐ ∂fₐ/∂W: out + W

and a top `mean` divides by the number of slices. The printed form is the slice's, each
tensor written with its index (`Qₐ`), and the rule above said in words. `evaluate`,
`check`, `steps` and the generated code all go through the slice's derivative.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from . import expr as E
from .errors import LimitError, MatcalcError
from .layout import Layout
from .limits import EVALUATE_MAX_BYTES
from .readoff import substitute

__all__ = ["TensorDerivative", "TensorSteps", "assemble", "mode_of"]

# the index of the first and of the second copy of each batch axis, as subscripts
FIRST = ("ₐ", "ₑ", "ₒ", "ₓ", "ₕ", "ₖ")
SECOND = ("ᵦ", "ᵧ", "ᵨ", "ᵩ", "ᵪ", "ᵥ")
LETTER = {"ₐ": "a", "ₑ": "e", "ₒ": "o", "ₓ": "x", "ₕ": "h", "ₖ": "k"}
LETTER.update({"ᵦ": "b", "ᵧ": "f", "ᵨ": "p", "ᵩ": "y", "ᵪ": "i", "ᵥ": "l"})  # in LaTeX


def mode_of(reduction: str | None, by_tensor: bool, block: bool = True) -> str:
    """How the slices' derivatives make the whole: "diag" (block diagonal), "front"
    (stacked in front), "middle" (stacked between output and variable axes) or "sum"."""
    if reduction is None:
        return "diag" if by_tensor and block else "front"
    return "middle" if by_tensor else "sum"


def assemble(mode: str, parts: list, batch: tuple, var_nd: int, scale: float) -> object:
    """The whole derivative (NumPy) from the slices' (each output + variable axes)."""
    import numpy as np

    g = np.stack([np.asarray(p, dtype=float) for p in parts])
    out = g.shape[1 : g.ndim - var_nd]
    var = g.shape[g.ndim - var_nd :]
    count = len(parts)
    if mode == "diag":
        if count * g.size * 8 > EVALUATE_MAX_BYTES:
            raise LimitError(
                f"the block-diagonal Jacobian would take {count * g.size * 8} bytes",
                expected=f"at most {EVALUATE_MAX_BYTES} bytes (limits.EVALUATE_MAX_BYTES)",
            )
        full = np.zeros((count, count) + out + var)
        for i in range(count):
            full[i, i] = g[i]
        return np.moveaxis(full, 1, 1 + len(out)).reshape(batch + out + batch + var) * scale
    if mode == "front":
        return g.reshape(batch + out + var) * scale
    if mode == "middle":
        return np.moveaxis(g, 0, len(out)).reshape(out + batch + var) * scale
    return g.sum(axis=0) * scale


@dataclass
class TensorDerivative:
    """The derivative of a tensor query: `part` is the derivative of one slice (a
    `Derivative`), `plan` the query read slice by slice (`tensor_query.TensorPlan`)."""

    part: object  # Derivative of the slice query by the slice variable
    plan: object  # TensorPlan
    wrt: tuple
    by_tensor: bool
    hessian: bool = False
    declarations: dict = field(default_factory=dict)
    inferred: dict = field(default_factory=dict)

    # ---------------------------------------------------------------- shape
    @property
    def mode(self) -> str:
        return mode_of(self.plan.reduction, self.by_tensor)

    @property
    def expression(self) -> E.Expr:
        """The slice query's expression (each tensor a matrix: its slice)."""
        return self.part.expression

    @property
    def kind(self) -> str:
        return self.part.kind

    @property
    def layout(self) -> Layout:
        return Layout.NUMERATOR  # the only layout of a tensor query (as jax.jacobian)

    @property
    def function(self) -> E.Expr | None:
        """For a Hessian: the slice's f (`expression` is its gradient); else None."""
        return self.part.function

    @property
    def names(self) -> bool:
        """Print with named intermediates (the slice's setting)."""
        return self.part.names

    @names.setter
    def names(self, value: bool) -> None:
        self.part.names = bool(value)

    @property
    def shape(self) -> tuple:
        """Symbolic NumPy shape of `evaluate`'s array: output + wrt (numerator)."""
        batch = tuple(self.plan.batch)
        var = tuple(self.wrt[0].shape.np_dims)
        out = tuple(self.part.shape[: len(self.part.shape) - len(var)])
        full_var = batch + var if self.by_tensor else var
        if self.hessian:
            return full_var + full_var
        full_out = out if self.plan.reduction else batch + out
        return full_out + full_var

    @property
    def scale_text(self) -> str:
        if self.plan.reduction != "mean":
            return ""
        return f"(1/{'·'.join(str(b) for b in self.plan.batch)})"

    # ---------------------------------------------------------------- printing
    def indexed(self, latex: bool = False, second: bool = False) -> dict:
        """Each tensor's slice variable -> the same written with its batch index (Qₐ;
        in LaTeX Q_a, which latex_name sets as a subscript; `second`: Qᵦ, Q_b)."""
        letters = (SECOND if second else FIRST)[: len(self.plan.batch)]
        suffix = "_" + "".join(LETTER[c] for c in letters) if latex else "".join(letters)
        variables = self.part.variables
        return {
            variables[n]: E.Var(n + suffix, variables[n].shape, variables[n].structure)
            for n in self.plan.tensors
            if n in variables
        }

    def slice_text(self, names: bool | None = None, latex: bool = False) -> str:
        from .records import replace

        mapping = self.indexed(latex)
        shown = replace(
            self.part,
            result=None if self.part.result is None else substitute(self.part.result, mapping),
            expression=substitute(self.part.expression, mapping),
            differential=substitute(self.part.differential, mapping),
            wrt=tuple(mapping.get(v, v) for v in self.part.wrt),
            variables={n: mapping.get(v, v) for n, v in self.part.variables.items()},
        )
        if self.part.function is not None:
            shown.function = substitute(self.part.function, mapping)
        return shown.latex(names) if latex else shown.text(names)

    def whole_left(self, lhs: str, latex: bool = False) -> str | None:
        """The query's left side for the slice's `lhs`: the slice's expression fₐ in it
        replaced by the top reduction of the slices, Σₐ fₐ ((1/h)Σₐ fₐ for a mean; Σᵦ fᵦ
        by a tensor, whose slice index a is free); None where `lhs` does not print fₐ."""
        from .render.text import PRODUCT, LatexStyle, Printer, Style

        if not self.plan.reduction or self.hessian:
            return None
        style = LatexStyle() if latex else Style()
        expr = self.part.expression
        here = Printer(style)(substitute(expr, self.indexed(latex)))
        if here not in lhs:
            return None
        text, level = Printer(style).show(substitute(expr, self.indexed(latex, self.by_tensor)))
        whole = self.scale_latex if latex else self.scale_text
        whole += self.sigma(latex, self.by_tensor) + (
            style.paren(text) if level < PRODUCT else text
        )
        return lhs.replace(here, whole, 1)

    def sigma(self, latex: bool = False, second: bool = False) -> str:
        """The sum over the slices: `Σₐ ` (`Σᵦ `), `\\sum_{a} ` in LaTeX."""
        letters = (SECOND if second else FIRST)[: len(self.plan.batch)]
        if latex:
            return "\\sum_{" + "".join(LETTER[c] for c in letters) + "} "
        return "Σ" + "".join(letters) + " "

    @property
    def scale_latex(self) -> str:
        if self.plan.reduction != "mean":
            return ""
        return "\\frac{1}{" + " ".join(str(b) for b in self.plan.batch) + "}"

    def ranges(self) -> str:
        letters = [LETTER[c] for c in FIRST[: len(self.plan.batch)]]
        return ", ".join(f"{x} = 1…{b}" for x, b in zip(letters, self.plan.batch))

    def text(self, names: bool | None = None) -> str:
        """The slice's derivative with each tensor indexed by its slice (`Qₐ`), the
        left-hand side, the Σ over slices of a shared variable, and the δ of a block
        diagonal (README, "Tensors")."""
        body = self.slice_text(names)
        main, sep, where = body.partition("  where ")
        where = sep + where if sep else ""
        k = len(self.plan.batch)
        a, b = "".join(FIRST[:k]), "".join(SECOND[:k])
        var = self.wrt[0].name
        lhs, rhs = None, main
        if (main.startswith("∂") or self.part.kind == "linear map") and " = " in main:
            lhs, rhs = main.split(" = ", 1)  # ∂(F)ᵢⱼ/∂Wₖₗ = …, d(F) = …: says it all
            lhs = self.whole_left(lhs) or lhs  # a top sum: ∂(Σₐ Fₐ)ᵢⱼ/∂Wₖₗ
        d = "∂²" if self.hessian else "∂"
        den = f"∂{var}{a}∂{var}{b}" if self.hessian and self.by_tensor else None
        if lhs is None:
            f = "f" if self.plan.reduction else f"f{a}"
            if self.hessian:
                lhs = f"{d}f/{den or f'∂{var}²'}"
            else:
                lhs = f"∂{f}/∂{var}{a if self.by_tensor else ''}"
        mode = "diag" if self.hessian and self.by_tensor else self.mode
        scale = self.scale_text
        if self._zero() and not self.by_tensor:  # 0, not Σₐ (0ᵀ) or (1/h)(0) for each a
            return f"{lhs} = {rhs}{where}"
        if self._zero():
            scale = ""
        if mode == "sum":
            rhs = f"{scale}Σ{a} ({rhs})"
        elif scale:
            rhs = f"{scale}({rhs})"
        tail = ""
        if mode == "diag" and self.hessian:
            rhs = f"δ{a}{b} ({rhs})"
        elif mode == "diag":
            tail = f"; by another slice {var}{b} (b ≠ a): 0 (block diagonal, δ{a}{b})"
        return f"{lhs} = {rhs}{where}  for each {self.ranges()}{tail}"

    def __str__(self) -> str:
        return self.text()

    def __repr__(self) -> str:
        return f"<TensorDerivative ∂/∂{self.wrt[0].name} = {self}>"

    def _zero(self) -> bool:
        """Is the slice's derivative 0 (then so is the whole, and no rule is said)?"""
        shown = self.part.result if self.part.result is not None else self.part.differential
        return shown is not None and E.is_zero(shown)

    def latex(self, names: bool | None = None) -> str:
        """The slice's LaTeX, each tensor indexed, with the rule for the slices; an
        equation over a top sum has the query's left side (`whole_left`)."""
        mode = "diag" if self.hessian and self.by_tensor else self.mode
        body = self.slice_text(names, latex=True)
        if self._zero() and not self.by_tensor:
            return body
        scale = "" if self._zero() else self.scale_latex
        words = {
            "diag": r"\text{block diagonal in the slices (}\delta_{ab}\text{), slice }a:\ ",
            "front": r"\text{for each slice }a:\ ",
            "middle": r"\text{for each slice }a:\ ",
            "sum": r"\sum_a",
        }[mode]
        lhs, eq, rhs = body.partition(" = ")
        whole = self.whole_left(lhs, latex=True) if eq and "\\begin" not in lhs else None
        if whole is None:
            return (scale + words if mode == "sum" else words + scale) + body
        if mode == "sum":
            rhs, words = f"{scale}{self.sigma(True)}\\left({rhs}\\right)", ""
        elif scale:
            rhs = f"{scale}\\left({rhs}\\right)"
        return f"{words}{whole} = {rhs}"

    def _repr_markdown_(self) -> str:
        return f"`{self.text()}`"

    @property
    def steps(self):
        return TensorSteps(self)

    # ---------------------------------------------------------------- numbers
    def slices(self, values: dict) -> tuple[tuple, list]:
        """(the batch shape, one dict of values per slice): tensors sliced, the rest shared."""
        import numpy as np

        if not isinstance(values, dict):
            raise MatcalcError("values must be a dict of name -> array")
        batch = None
        arrays = {}
        for name, dims in self.plan.tensors.items():
            if name not in values:
                continue
            a = np.asarray(values[name], dtype=float)
            if a.ndim != len(dims):
                raise MatcalcError(
                    f"{name} must be an array of order {len(dims)} (tensor{dims}), "
                    f"not of shape {a.shape}"
                )
            here = a.shape[: len(dims) - 2]
            for d, s in zip(dims, here):
                if isinstance(d, int) and d != s:
                    raise MatcalcError(f"{name} has {s} where its declaration says {d}")
            if batch is not None and here != batch:
                raise MatcalcError(
                    f"the tensors' batch axes differ: {here} for {name}, {batch} before"
                )
            batch = here
            arrays[name] = a.reshape((-1,) + a.shape[len(dims) - 2 :])
        if batch is None:
            raise MatcalcError(
                "no value for a tensor", expected=", ".join(self.plan.tensors) or "a tensor"
            )
        count = int(np.prod(batch, dtype=int))
        per = []
        for i in range(count):
            each = dict(values)
            each.update({n: a[i] for n, a in arrays.items()})
            per.append(each)
        return tuple(batch), per

    def evaluate(self, values: dict):
        """The derivative at `values` (tensors of order >= 3): a numpy.ndarray of shape
        `self.shape` (output + variable axes)."""
        batch, per = self.slices(values)
        parts = [self.part.evaluate(v) for v in per]
        scale = 1.0 / len(per) if self.plan.reduction == "mean" else 1.0
        mode = "diag" if self.hessian and self.by_tensor else self.mode
        return assemble(mode, parts, batch, len(self.wrt[0].shape.np_dims), scale)

    def check(self, n: int = 3, seed: int = 0):
        """SymPy's component check of the slice's derivative (the slices are put together
        by the rule in the module docstring)."""
        return self.part.check(n=n, seed=seed)

    def to_numpy(self) -> str:
        return self.to_source("numpy")

    def to_source(self, target: str = "numpy", dtype: str = "float64") -> str:
        """Source of f(...) -> (value, derivative) over the whole tensors: the slice's
        generated function, applied slice by slice and put together."""
        from .tensor_code import tensor_source

        return tensor_source(self, target, dtype)


class TensorSteps:
    """The slice's steps, under a line saying which values carry the batch axes."""

    def __init__(self, d: TensorDerivative):
        self.d = d
        self.part = d.part.steps

    def text(self) -> str:
        d = self.d
        batch = "×".join(str(b) for b in d.plan.batch)
        names = ", ".join(d.plan.tensors)
        verb = "is a stack" if len(d.plan.tensors) == 1 else "are stacks"
        head = (
            f"Slice by slice: {names} {verb} of {batch} matrices; below, each stands for "
            f"one slice (for each {d.ranges()}), and every intermediate that involves one of them "
            f"has the batch axes ({batch}) in front of the shape shown."
        )
        return head + "\n" + str(self.part)

    def __str__(self) -> str:
        return self.text()

    def __getattr__(self, name):
        return getattr(self.part, name)
