"""bench_core's queries: every row of the tutorial's rules, declarations inline."""

from __future__ import annotations

# ------------------------------------------------------------------------------------------
# The tutorial's queries: every row of /work/shared/spec/tutorial-rules.md, with the
# declarations inline. (section, query, wrt) -- wrt "x,y" is the stacked gradient/Jacobian.

V = "w, x: vector(n); "  # element-wise operators, sum reduction
XZ = "x: vector(n); z: scalar; "  # scalar expansion
NEURON = "w, x: vector(n); b: scalar; "
LOSS = "X: matrix(N, n); w: vector(n); y: vector(N); b: scalar; "

TUTORIAL = [
    ("scalar", "x: scalar; 99", "x"),
    ("scalar", "3*x", "x"),
    ("scalar", "x^3", "x"),
    ("scalar", "x^2 + 3*x", "x"),
    ("scalar", "x^2 * x", "x"),
    ("scalar", "ln(x^2)", "x"),
    ("scalar", "9*(x + x^2)", "x"),
    ("partial", "x, y: scalar; 3*x^2*y", "x"),
    ("partial", "x, y: scalar; 3*x^2*y", "y"),
    ("gradient", "x, y: scalar; 3*x^2*y", "x,y"),
    ("Jacobian", "x, y: scalar; [3*x^2*y, 2*x + y^8]", "x,y"),
    ("identity", "x: vector(n); x", "x"),
]
for _op in ("w + x", "w - x", "w * x", "w / x"):
    TUTORIAL += [("element-wise", V + _op, "w"), ("element-wise", V + _op, "x")]
for _op in ("x + z", "x * z", "x - z", "z - x", "x / z", "z / x"):
    TUTORIAL += [("scalar expansion", XZ + _op, "x"), ("scalar expansion", XZ + _op, "z")]
TUTORIAL += [
    ("sum reduction", "x: vector(n); sum(x)", "x"),
    ("sum reduction", XZ + "sum(x * z)", "x"),
    ("sum reduction", XZ + "sum(x * z)", "z"),
    ("sum reduction", V + "w @ x", "w"),
    ("sum reduction", V + "w @ x", "x"),
    ("sum reduction", NEURON + "w @ x + b", "w"),
    ("sum reduction", NEURON + "w @ x + b", "b"),
    ("chain", "sin(x^2)", "x"),
    ("chain", "ln(sin(x^3)^2)", "x"),
    ("chain", "x + x^2", "x"),
    ("chain", "sin(x + x^2)", "x"),
    ("chain", "x * x^2", "x"),
    ("chain", "x: scalar; [ln(x^2), sin(3*x)]", "x"),
    ("chain", "x: vector(n); exp(sin(x))", "x"),
    ("neuron", NEURON + "max(0, w·x + b)", "w"),
    ("neuron", NEURON + "max(0, w·x + b)", "b"),
    ("neuron", "x: vector(n); max(0, x)", "x"),
    ("loss", LOSS + "mean((y - max(0, X @ w + b))^2)", "w"),
    ("loss", LOSS + "mean((y - max(0, X @ w + b))^2)", "b"),
]

# The query used for the import / breakdown / bytecode measurements.
REPRESENTATIVE = (NEURON + "max(0, w·x + b)", "w")


def api_wrt(wrt: str):
    return [w.strip() for w in wrt.split(",")] if "," in wrt else wrt


def label(query: str, wrt: str) -> str:
    return f"∂({query.rsplit(';', 1)[-1].strip()})/∂{wrt}"
