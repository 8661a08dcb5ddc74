"""Names and words in LaTeX: the one escaping every LaTeX emitter (render.text's LaTeX style,
render.tensor, the steps, Jupyter) goes through, so that whatever a user may name a variable
comes out as LaTeX that compiles (pdflatex with amsmath, MathJax, KaTeX) and reads back
unambiguously.

- `latex_name`: a variable, dimension or step symbol. Greek letters become their macros
  (`Σ` → `\\Sigma`, `ε` → `\\varepsilon`; capitals that look Latin upright, `Α` → `\\mathrm{A}`);
  a name of several letters is upright (`lr` → `\\mathrm{lr}`), so it is not read as a
  product; trailing digits and the part after an underscore are subscripts (`W1` → `W_{1}`,
  `x_2` → `x_{2}`, `u₁` → `u_{1}`), nested for each further underscore (`a_b_c` →
  `a_{b_{c}}`); an underscore that cannot be a subscript (leading, trailing, doubled) is kept
  as a visible `\\_` in an upright name (`a__b` → `\\mathrm{a\\_\\_b}`).
- `latex_text`: words for `\\text{…}` (rule names), with TeX's special characters escaped.
- `latex_operator`: a function name as an upright operator (`\\operatorname{softplus}`).
- `fold_lines`: a very long formula broken into lines at its spaces (TeX reads at most
  `buf_size`, 200 000 characters in TeX Live, per line; to TeX a newline is a space).
"""

from __future__ import annotations

import re

__all__ = ["LINE_WIDTH", "fold_lines", "latex_name", "latex_operator", "latex_text"]

_GREEK = {
    "α": r"\alpha",
    "β": r"\beta",
    "γ": r"\gamma",
    "δ": r"\delta",
    "ε": r"\varepsilon",
    "ζ": r"\zeta",
    "η": r"\eta",
    "θ": r"\theta",
    "ι": r"\iota",
    "κ": r"\kappa",
    "λ": r"\lambda",
    "μ": r"\mu",
    "ν": r"\nu",
    "ξ": r"\xi",
    "ο": r"\mathrm{o}",
    "π": r"\pi",
    "ρ": r"\rho",
    "ς": r"\varsigma",
    "σ": r"\sigma",
    "τ": r"\tau",
    "υ": r"\upsilon",
    "φ": r"\varphi",
    "χ": r"\chi",
    "ψ": r"\psi",
    "ω": r"\omega",
    "Γ": r"\Gamma",
    "Δ": r"\Delta",
    "Θ": r"\Theta",
    "Λ": r"\Lambda",
    "Ξ": r"\Xi",
    "Π": r"\Pi",
    "Σ": r"\Sigma",
    "Υ": r"\Upsilon",
    "Φ": r"\Phi",
    "Ψ": r"\Psi",
    "Ω": r"\Omega",
    # capitals without a macro of their own: upright, as TeX sets its Greek capitals
    **{g: rf"\mathrm{{{latin}}}" for g, latin in zip("ΑΒΕΖΗΙΚΜΝΟΡΤΧ", "ABEZHIKMNOPTX")},
}
_SUBSCRIPT_DIGITS = str.maketrans("₀₁₂₃₄₅₆₇₈₉", "0123456789")
_LETTER = r"A-Za-z\u0370-\u03ff"
_LETTERS_DIGITS = re.compile(rf"([{_LETTER}]+)([0-9]+)")
_TEXT_SPECIAL = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "$": r"\$",
    "&": r"\&",
    "#": r"\#",
    "%": r"\%",
    "_": r"\_",
    "^": r"\^{}",
    "~": r"\~{}",
}


def latex_name(name: str) -> str:
    """A name as a LaTeX math atom (see the module docstring for the rules)."""
    name = name.translate(_SUBSCRIPT_DIGITS)
    if "_" not in name:
        return _word(name)
    if name.startswith("_") or name.endswith("_") or "__" in name:
        return r"\mathrm{" + r"\_".join(_letters(p) for p in name.split("_")) + "}"
    head, rest = name.split("_", 1)
    base = _word(head)
    if "_" in base:  # W1_b: {W_{1}}_{b}, never W_{1}_{b}
        base = "{" + base + "}"
    return f"{base}_{{{latex_name(rest)}}}"


def _word(word: str) -> str:
    """A name without underscores: one letter as it is, several upright, digits after
    letters a subscript."""
    if not word or word.isdigit():
        return word
    m = _LETTERS_DIGITS.fullmatch(word)
    if m:
        return f"{_word(m[1])}_{{{m[2]}}}"
    if len(word) == 1:
        return _letters(word)
    return r"\mathrm{" + _letters(word) + "}"


def _letters(chars: str) -> str:
    """Characters one by one: Latin letters and digits as they are, Greek as macros (braced,
    so a following letter cannot run into the macro's name), anything else by code point."""
    out = []
    for c in chars:
        if c.isascii() and c.isalnum():
            out.append(c)
        elif c in _GREEK:
            out.append(_GREEK[c] if len(chars) == 1 else "{" + _GREEK[c] + "}")
        else:
            out.append(rf"\mathtt{{U+{ord(c):04X}}}")
    return "".join(out)


def latex_text(words: str) -> str:
    """Words for `\\text{…}` with TeX's special characters escaped; a non-ASCII character
    (`ᵀ`, `⊗`, …) in a rule's name is written by code point rather than left for the engine."""
    out = []
    for c in words:
        if c in _TEXT_SPECIAL:
            out.append(_TEXT_SPECIAL[c])
        elif c.isascii():
            out.append(c)
        elif c in _GREEK:
            out.append(f"${_GREEK[c]}$")
        else:
            out.append(f"U+{ord(c):04X}")
    return "".join(out)


def latex_operator(name: str) -> str:
    """A function's name as an upright operator; `\\exp`-style macros for the standard ones."""
    if name in _STANDARD_OPERATORS:
        return "\\" + name
    return r"\operatorname{" + latex_text(name) + "}"


_STANDARD_OPERATORS = frozenset(
    {"exp", "log", "ln", "sin", "cos", "tan", "tanh", "det", "max", "min"}
)


LINE_WIDTH = 4_000  # characters per line of LaTeX output (TeX's buffer: 200 000)


def fold_lines(tex: str, width: int = LINE_WIDTH) -> str:
    """`tex` with every line longer than `width` broken at spaces (never a blank line, which
    would end a paragraph). A space and a single newline are the same token to TeX."""
    if len(tex) <= width:
        return tex
    out = []
    for line in tex.split("\n"):
        current = ""
        for word in line.split(" "):
            if current and len(current) + 1 + len(word) > width:
                out.append(current)
                current = word
            else:
                current = f"{current} {word}" if current else word
        out.append(current)
    return "\n".join(out)
