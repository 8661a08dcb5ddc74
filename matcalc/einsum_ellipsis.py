"""einsum's ellipsis `...`, NumPy's meaning, written out as letters before the subscripts
are read (by the 2-D lowering, matcalc/einsum.py, and the index engine, matcalc/tindex):

- in an operand's term, `...` stands for the axes its letters do not name (the leading
  ones); the ellipsis axes of all operands broadcast right-aligned, so a term with fewer
  of them takes the last letters of the longest;
- in an explicit output, `...` stands for all of them; an explicit output without `...`
  while the ellipsis stands for some axes is NumPy's error;
- with no output (`"...ij,...jk"`), the ellipsis axes come first, then the letters used
  once, in alphabetical order (as NumPy).

The new letters are ones the subscripts do not use. Axes of length 1 do not broadcast
against longer ones here (each letter has one length): such a spec is a shape error.
"""

from __future__ import annotations

import string
from collections.abc import Sequence

from .errors import MatcalcError

__all__ = ["expand_ellipsis"]

_EXPECTED = "'...ij,...jk->...ik' (three dots, at most once per term)"


def expand_ellipsis(spec: str, orders: Sequence[int], names: Sequence[str] | None = None) -> str:
    """`spec` with every `...` replaced by letters, for operands of these orders (NumPy's
    ndim); unchanged if it has no `.` or names a different number of operands than given
    (the caller reports that)."""
    text = spec.replace(" ", "")
    if "." not in text:
        return spec
    left, arrow, output = text.partition("->")
    inputs = left.split(",")
    if len(inputs) != len(orders):
        return spec
    names = list(names) if names is not None else [f"operand {i + 1}" for i in range(len(orders))]
    for term in inputs + ([output] if arrow else []):
        if term.replace("...", "", 1).count("."):
            raise MatcalcError(f"einsum's ellipsis in {term!r} is not '...'", expected=_EXPECTED)
    counts = []
    for i, (term, order) in enumerate(zip(inputs, orders)):
        if "..." not in term:
            counts.append(0)
            continue
        named = len(term) - 3
        if named > order:
            axes = {0: "a scalar (no axes)", 1: "a vector (1 axis)"}.get(order, f"order {order}")
            raise MatcalcError(
                f"einsum's operand {i + 1} ({names[i]}) is {axes}, but its subscripts "
                f"{term!r} name {named} ax{'is' if named == 1 else 'es'} "
                "besides the ellipsis",
                expected=f"at most {order} letter{'s' * (order != 1)} with '...' for operand {i + 1}",
            )
        counts.append(order - named)
    width = max(counts)
    free = [c for c in string.ascii_letters if c not in text]
    if width > len(free):  # pragma: no cover - 52 letters, orders are far fewer
        raise MatcalcError("einsum's ellipsis stands for more axes than there are letters")
    letters = "".join(free[:width])
    terms = [t.replace("...", letters[width - n :]) for t, n in zip(inputs, counts)]
    if arrow:
        if "..." not in output and width:
            raise MatcalcError(
                "einsum's output has no '...', but the ellipsis stands for "
                f"{width} ax{'is' if width == 1 else 'es'} (NumPy refuses it too)",
                expected="'...' in the output, or no output ('...ij,...jk')",
            )
        out = output.replace("...", letters)
    else:
        used = "".join(t.replace("...", "") for t in inputs)
        out = letters + "".join(sorted(c for c in set(used) if used.count(c) == 1))
    return ",".join(terms) + "->" + out
