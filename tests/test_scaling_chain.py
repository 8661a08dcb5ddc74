"""Issue 11, derivation scaling: the deep-chain Hessian's simplification does work in
proportion to the written size of its result (it was L times that: each level of the
common factor rebuilt the partial products of every deeper level, and a sign check counted
every factor of a chain against every other), and the slopes script fails loudly."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

import matcalc
from matcalc.simplify import engine

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
import _matrix_scaling as scaling


def _rule_work(L: int) -> tuple[int, int]:
    """(operands the simplifier's rules look at, the written size of the result) for the
    Hessian of sum(tanh(W_L … tanh(W_1 x))) by x: a count, not a time (the machine is
    shared)."""
    work = [0]

    def counted(fn):
        def rule(node, *trials):
            work[0] += len(node.args)
            return fn(node, *trials)

        rule.rule_name, rule.trial = fn.rule_name, fn.trial
        return rule

    saved = list(engine.RULES)
    engine.RULES[:] = [counted(fn) for fn in saved]
    try:
        d = matcalc.hessian(scaling.hessian_query(L, f"_w{L}"), f"x_w{L}")
    finally:
        engine.RULES[:] = saved
    return work[0], scaling.written_size(d.result)


def test_deep_chain_hessian_work_follows_the_result_size():
    """From L = 16 to 32 the rules' work per written operand of the result grows by 1.2
    (it grew by 2.3, with L, before)."""
    work16, size16 = _rule_work(16)
    work32, size32 = _rule_work(32)
    assert (work32 / size32) / (work16 / size16) < 1.5


def test_deep_chain_hessian_unchanged_by_the_one_step_factoring():
    """The common factor of the deep chain's Hessian, all levels at once, prints as the
    level-by-level one did (tests/test_hessian.py checks its value three ways at L = 3)."""
    d = matcalc.hessian(scaling.hessian_query(4), "x")
    assert str(d) == (
        "−2W1ᵀ(diag(z₁)W2ᵀ(diag(z₂)W3ᵀ(diag(h₃ ⊙ (W4ᵀz₄) ⊙ z₃) + diag(z₃)W4ᵀdiag(h₄ ⊙ z₄)W4 "
        "diag(z₃))W3 diag(z₂) + diag(h₂ ⊙ (W3ᵀdiag(z₃)W4ᵀz₄) ⊙ z₂))W2 diag(z₁) + diag(h₁ ⊙ "
        "(W2ᵀdiag(z₂)W3ᵀdiag(z₃)W4ᵀz₄) ⊙ z₁))W1  where h₁ = tanh(W1 x), h₂ = tanh(W2 h₁), "
        "z₁ = 1 − h₁², h₃ = tanh(W3 h₂), z₂ = 1 − h₂², h₄ = tanh(W4 h₃), z₃ = 1 − h₃², "
        "z₄ = 1 − h₄²"
    )
    # one step for all the levels factored on the left, then one a level on the way back
    # up (the right factors): L steps, not 2L − 2
    for L in (4, 8):
        d = matcalc.hessian(scaling.hessian_query(L, f"_s{L}"), f"x_s{L}")
        assert [r.rule for r in d.rewrites] == ["common-factor"] * L


@pytest.fixture
def small(monkeypatch):
    """The slopes script on small sizes (the test checks its verdicts, not the machine)."""
    monkeypatch.setattr(scaling, "SUM_TERMS", (10, 20, 40))
    monkeypatch.setattr(scaling, "HESSIAN_DEPTHS", (2, 3, 4))


def test_the_slopes_script_fails_loudly_on_a_wrong_result(small, monkeypatch, capsys):
    real = matcalc.derivative

    def wrong(query, wrt, *args, **kwargs):
        d = real(query, wrt, *args, **kwargs)
        return "7" if query.startswith("x+x") else d

    monkeypatch.setattr(scaling.matcalc, "derivative", wrong)
    assert scaling.main([]) == 2
    assert "FAILED: AssertionError" in capsys.readouterr().out


def test_the_slopes_script_fails_on_a_slope_over_its_target(small, monkeypatch, capsys):
    monkeypatch.setattr(scaling, "SUM_TARGET", -1.0)
    assert scaling.main([]) == 1
    assert "EXCEEDED" in capsys.readouterr().out
