"""The function table: every function name the language knows, its arity, how it shapes
its argument, and the expression it builds. The only place function names are listed."""
from __future__ import annotations

from fractions import Fraction

from . import expr as E

__all__ = ["ELEMENTWISE", "FUNCTIONS", "VECTOR_ARGUMENT"]

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
