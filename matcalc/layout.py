"""What a layout means, in one place: the order of the axes and which derivatives are
transposed.

- numerator (the tutorial's): ∂y/∂x is m×n, a gradient of a scalar by a vector is a row;
  arrays are output axes + variable axes.
- denominator: the transpose of numerator; arrays are variable axes + output axes.
- mixed (as matrixcalculus.org prints): a gradient of a scalar by a vector is a column,
  Jacobians as in numerator; arrays as in numerator.
A gradient by a matrix is shaped like the matrix in every layout (the Cookbook's).

`Layout` is a `str` (Layout.DENOMINATOR == "denominator", and prints as the word), so the
public API keeps taking and showing the strings; `Layout.of(text)` is the one place an
unknown name is refused.
"""

from __future__ import annotations

from enum import Enum

from .errors import MatcalcError

__all__ = ["LAYOUTS", "Layout"]


class Layout(str, Enum):
    NUMERATOR = "numerator"
    DENOMINATOR = "denominator"
    MIXED = "mixed"

    def __str__(self) -> str:
        return self.value

    def __format__(self, spec: str) -> str:
        return format(self.value, spec)

    @classmethod
    def of(cls, value) -> Layout:
        """The Layout a name (or a Layout) stands for; a MatcalcError for any other."""
        try:
            return cls(value)
        except ValueError:
            raise MatcalcError(f"unknown layout {value!r}", expected=" or ".join(LAYOUTS)) from None

    @property
    def variable_first(self) -> bool:
        """Do arrays put the variable's axes before the output's (denominator)?"""
        return self is Layout.DENOMINATOR

    def axes(self, out: tuple, var: tuple) -> tuple:
        """The order of a derivative array's axes (or dimensions): output + variable, or
        variable + output."""
        return tuple(var) + tuple(out) if self.variable_first else tuple(out) + tuple(var)

    def transposes(self, kind: str, result_shape) -> bool:
        """Is the numerator-layout `result` (a "tangent", "jacobian" or "gradient") transposed
        in this layout? A tangent by a scalar that is not a vector stays as it is; mixed
        turns a gradient row into a column."""
        if self is Layout.NUMERATOR or (kind == "tangent" and not result_shape.is_vector):
            return False
        if self is Layout.DENOMINATOR:
            return True
        return kind in ("jacobian", "gradient") and result_shape.is_row

    def stacked_transposed(self, output_is_scalar: bool) -> bool:
        """Is the stacked ∇f(x, y, …) (tangents side by side) transposed? Denominator: yes;
        mixed: for a scalar f (the gradient is a column)."""
        return self is Layout.DENOMINATOR or (self is Layout.MIXED and output_is_scalar)


LAYOUTS = tuple(layout.value for layout in Layout)
