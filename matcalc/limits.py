"""Every limit matcalc enforces, in one place: checked before the work is spent and reported
as a `LimitError` (exit status 2 on the command line) that names the limit.

The README's "Limits" section lists these; change a number here and there only.
"""

from __future__ import annotations

__all__ = [
    "MAX_QUERY_CHARS",
    "MAX_DEPTH",
    "MAX_TERMS",
    "MAX_LITERAL_ENTRIES",
    "MAX_CONSTANT_DIGITS",
    "SIMPLIFY_BUDGET",
    "CHECK_MAX_ENTRIES",
    "CHECK_MAX_DIM",
    "EVALUATE_MAX_BYTES",
    "CHECK_MAX_DET_DIM",
    "CHECK_SECONDS",
    "MAX_INDEX_TERMS",
]

MAX_QUERY_CHARS = 100_000  # characters of query text, refused before parsing
MAX_DEPTH = 200  # nesting of parentheses / calls / unary operators
MAX_TERMS = 100_000  # operands of one flat sum or product (a + b + … )
MAX_LITERAL_ENTRIES = 10_000  # entries of one [..] literal
MAX_CONSTANT_DIGITS = 1_000  # digits of a folded exact constant (10^1000 is the largest)
SIMPLIFY_BUDGET = 20_000  # rewrites tried by one simplification
CHECK_MAX_ENTRIES = 4_096  # components the SymPy check expands (output × variable)
CHECK_MAX_DIM = 8  # the largest concrete size the SymPy check uses
CHECK_MAX_DET_DIM = 4  # the largest matrix whose det / inv the check expands
CHECK_SECONDS = 120  # the SymPy check's time, tested between its steps
EVALUATE_MAX_BYTES = 1 << 30  # the largest array `evaluate` builds (1 GiB of float64)
MAX_INDEX_TERMS = 2_000  # index terms of one node's derivative in the any-order engine (tindex)

# `matcalc serve` (matcalc/web): each request to the page's JSON API is bounded.
WEB_MAX_BODY_BYTES = 32_768  # bytes of one request body, refused before it is parsed
WEB_MAX_QUERY_CHARS = 4_000  # characters of a query (or a claim) sent to the web API
WEB_MAX_SHAPES = 64  # entries of a request's "shapes" table
WEB_TIME_BUDGET = 5.0  # seconds of work one request may spend in a worker
WEB_QUEUE_SECONDS = 60.0  # seconds a request may wait for a free worker
WEB_WORKER_MEMORY = 1 << 30  # address space of a worker process (RLIMIT_AS), bytes
WEB_MAX_RESULT_BYTES = 1 << 21  # bytes of one worker's JSON answer (2 MiB)
__all__ += [
    "WEB_MAX_BODY_BYTES",
    "WEB_MAX_QUERY_CHARS",
    "WEB_MAX_SHAPES",
    "WEB_TIME_BUDGET",
    "WEB_QUEUE_SECONDS",
    "WEB_WORKER_MEMORY",
    "WEB_MAX_RESULT_BYTES",
]
