"""Check a hand-derived derivative: `verify("x: vector(n); z: scalar; d/dz (x + z) = 1")`.

Claim syntax
------------
A claim is optional declarations, exactly as in a query, then one derivative, `=`, and the
claimed result::

    [DECLARATIONS]  d/dVAR EXPR = CLAIMED
    [DECLARATIONS]  ∂/∂VAR EXPR = CLAIMED
    [DECLARATIONS]  ∂(EXPR)/∂VAR = CLAIMED        (also ∂EXPR/∂VAR, without parentheses)

    x: vector(n); z: scalar; d/dz (x + z) = ones
    w, x: vector(n); ∂(w * x)/∂w = diag(x)
    d/dx ln(sin(x^3)^2) = 6*x^2*cos(x^3)/sin(x^3)

- DECLARATIONS are `NAMES: scalar | vector(n) | matrix(m, n) | symmetric(n) | simplex(n)`,
  each ended by `;` or a new line; undeclared names take the query language's defaults.
  (The API's `shapes=` and the CLI's --scalar/--vector/… flags declare as well.)
- The derivative starts a statement: the text before it holds only declarations. VAR is a
  name of the expression (or a declared one); EXPR is any expression of the query language,
  parentheses optional: everything up to the `=` is EXPR (in the ∂…/∂VAR form, everything
  up to the last top-level `/∂VAR`).
- There is exactly one `=`, outside brackets (`>=` and `<=` are comparisons). `#` starts a
  comment, as in queries; new lines may break the claim anywhere after the declarations.
- CLAIMED is an expression of the query language (`diag(x)`, `xᵀ`, `*`, `/`, `@`,
  functions, steps `(z > 0)`, …) over the expression's variables, plus the tutorial's
  notation:
    `I`              the identity, its size taken from the true derivative;
    `ones`           the column of ones (`ones.T` / `onesᵀ` the row), sized to fit;
    `1ᵀ`, `cᵀ`       a transposed number: the row of ones 1ᵀ, the row c·1ᵀ (`0ᵀ` zeros);
    `0`              the zero of whatever shape is due;
    a number `c`     where a column is due: the column c·1 (`1` is the tutorial's column
                     of ones, `-1` its negative); where a row or a matrix is due, a number
                     other than 0 is a shape error (write `c * 1ᵀ`, `c * I`);
    `1 @ …`, `… @ 1` a number operand of `@`: the column of ones (times the number);
    `N`, `n`, …      a dimension name of the expression's shapes: that size, e.g. the N of
                     `X: matrix(N, n)` in `(2/N) * sum(...)`.
  A name `I` or `ones` declared as a variable (or used as one in EXPR) is that variable.
  Any other name must be a variable of the expression (used in it or declared).

Layout: `layout="numerator"` (the tutorial's: ∂(w·x)/∂w = xᵀ is a row), "denominator"
(x, a column) or "mixed" (gradient a column, Jacobian m×n), as for `derivative`.

The decision
------------
The true derivative is `matcalc.derivative(EXPR, VAR, shapes, layout)`. Shapes first: a
claim of another shape than the derivative's (`I` where the column `1` is due, a column
where a row is due) is a "shape error", with the shape due and the correct form. Then
values, at several random points at small distinct sizes (3, 2, 4, … per dimension at
the first point, other sizes at the next ones, so that a claim true at one size only fails;
inside every registered domain (matcalc.primitives): positive values where logs or roots
need them, within (−1, 1) under arcsin, away from every kink (steps, max, min, abs, norm1)
and domain edge; one decimal, so that a counterexample is readable): a claim that differs somewhere is a "wrong
value", with the sizes, the variables and both values at that point. A claim equal at every
point is "correct"; where it is cheap, SymPy then proves it entry by entry
(simplify(claim − derivative) = 0 at the first sizes), and the report says how it was settled.

Bad input (no `=`, no d/dVAR, a syntax error on either side, an unknown name, a claim whose
own shapes do not fit together) raises `MatcalcError`, located (line, column, caret) in the
original claim text: each side is parsed by the query grammar from a copy of the claim in
which everything else is blanked out, so positions need no translation.

The parts: `claims` (splitting the claim text), `building` (the claimed side as an Expr),
`compare` (values at random points), `proof` (SymPy's confirmation), `report` (the
verdict), `decide` (`verify` itself).
"""

from __future__ import annotations

from .claims import Claim, parse_claim
from .report import VerifyReport


def verify(
    claim: str, shapes: dict | None = None, layout: str = "numerator", seed: int = 0
) -> VerifyReport:
    """Decide a claim `d/dVAR EXPR = CLAIMED` (the syntax above): a `VerifyReport`; a
    `MatcalcError`, located in `claim`, on bad input. (The deciding parts, which need NumPy,
    are imported at the first call, so that `import matcalc` stays light.)"""
    from .decide import verify as decide

    return decide(claim, shapes=shapes, layout=layout, seed=seed)


__all__ = ["Claim", "VerifyReport", "parse_claim", "verify"]
