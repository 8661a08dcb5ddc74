"""Every limit matcalc enforces, in one place: checked before the work is spent and reported
as a `LimitError` (exit status 2 on the command line) that names the limit.

The README's "Limits" section lists these; change a number here and there only.
"""
from __future__ import annotations

__all__ = [
    "MAX_QUERY_CHARS", "MAX_DEPTH", "MAX_TERMS", "MAX_LITERAL_ENTRIES",
    "MAX_CONSTANT_DIGITS", "SIMPLIFY_BUDGET", "CHECK_MAX_ENTRIES", "CHECK_MAX_DIM",
    "EVALUATE_MAX_BYTES", "CHECK_MAX_DET_DIM", "CHECK_SECONDS",
]

MAX_QUERY_CHARS = 100_000      # characters of query text, refused before parsing
MAX_DEPTH = 200                # nesting of parentheses / calls / unary operators
MAX_TERMS = 100_000            # operands of one flat sum or product (a + b + … )
MAX_LITERAL_ENTRIES = 10_000   # entries of one [..] literal
MAX_CONSTANT_DIGITS = 1_000    # digits of a folded exact constant (10^1000 is the largest)
SIMPLIFY_BUDGET = 20_000       # rewrites tried by one simplification
CHECK_MAX_ENTRIES = 4_096      # components the SymPy check expands (output × variable)
CHECK_MAX_DIM = 8              # the largest concrete size the SymPy check uses
CHECK_MAX_DET_DIM = 4          # the largest matrix whose det / inv the check expands
CHECK_SECONDS = 120            # the SymPy check's time, tested between its steps
EVALUATE_MAX_BYTES = 1 << 30   # the largest array `evaluate` builds (1 GiB of float64)
