"""The command line: printed results, exit codes, and errors that point at the place."""
import io
import subprocess
import sys

import pytest

from matcalc.cli import run


def call(*argv):
    out, err = io.StringIO(), io.StringIO()
    status = run(list(argv), out=out, err=err)
    return status, out.getvalue(), err.getvalue()


@pytest.mark.parametrize("argv, printed", [
    (("max(0, w @ x + b)", "--wrt", "w", "--vector", "w,x", "--scalar", "b"), "(w·x + b > 0)xᵀ\n"),
    (("w, x: vector(n); b: scalar; max(0, w·x + b)", "--wrt", "b"),          "(w·x + b > 0)\n"),
    (("ln(sin(x^3)^2)",),                     "6x²cos(x³)/sin(x³)\nwhere x: scalar\n"),
    (("[3*x^2*y, 2*x + y^8]", "--wrt", "x,y"), "[[6xy, 3x²], [2, 8y⁷]]\nwhere x: scalar, y: scalar\n"),
    (("w @ x", "--wrt", "w", "--layout", "denominator"),
     "x\nwhere w: vector(n), x: vector(n)\n"),
    (("x @ A @ x", "--wrt", "x", "--hessian"),  "A + Aᵀ\nwhere x: vector(n), A: matrix(n, n)\n"),
    (("w @ x", "--wrt", "w", "--latex"),       "x^\\top\n% where w: vector(n), x: vector(n)\n"),
])
def test_queries_print_the_derivative(argv, printed):
    status, out, err = call(*argv)
    assert (status, out, err) == (0, printed, "")


def test_steps_show_the_four_steps():
    status, out, _ = call("w, x: vector(n); sum(w * x)", "--wrt", "w", "--steps")
    assert status == 0
    for line in ("1. Intermediate variables", "u₁ = w ⊗ x", "∂u₁/∂w = diag(x)", "∂y/∂u₁ = 1ᵀ",
                 "3. Combined by the vector chain rule", "1ᵀdiag(x) = xᵀ    [ones-diag]"):
        assert line in out


def test_check_reports_sympy_agreement():
    status, out, _ = call("x: vector(n); exp(sin(x))", "--wrt", "x", "--check")
    assert status == 0 and "SymPy check passed at n=3: 9 entries, 9 proved" in out


# each bad input: exit 2, one message naming the place (line, column, caret), no traceback
@pytest.mark.parametrize("argv, message, caret_line", [
    (("sin(x",),                          "line 1, column 4: unclosed parenthesis",  "     ^"),
    (("x +",),                            "line 1, column 4: missing operand",       "     ^"),
    (("foo(x)",),                         "line 1, column 1: unknown function 'foo'", "  ^^^^^^"),
    (("A: matrix(m,n); x: vector(k); A @ x", "--wrt", "x"),
     "line 1, column 33: @ needs as many columns on the left as rows on the right: "
     "A is a matrix(m, n) and x is a vector(k)",                                   " " * 34 + "^"),
    (("",),                               "empty query",                             "  ^"),
    (("x * y", "--wrt", "q"),             "'q' does not appear in the expression",   None),
    (("(" * 300 + "x" + ")" * 300,),      "nested too deeply",                       None),
])
def test_bad_input_exits_2_with_a_located_message(argv, message, caret_line):
    status, out, err = call(*argv)
    assert status == 2 and out == ""
    assert message in err
    assert "Traceback" not in err
    if caret_line is not None:
        assert caret_line in err.splitlines()


def test_console_script_runs_as_a_process():
    proc = subprocess.run([sys.executable, "-m", "matcalc", "w @ x", "--wrt", "x"],
                          capture_output=True, text=True, timeout=60)
    assert (proc.returncode, proc.stdout) == (0, "wᵀ\nwhere w: vector(n), x: vector(n)\n")
    bad = subprocess.run([sys.executable, "-m", "matcalc", "x $ y"],
                         capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr and "^" in bad.stderr


def test_a_closed_pipe_is_not_a_traceback():
    """`matcalc … --emit numpy | head -1`: the reader leaves early."""
    proc = subprocess.Popen([sys.executable, "-m", "matcalc", "x @ A @ x", "--wrt", "x",
                             "--hessian", "--emit", "numpy"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.readline()
    proc.stdout.close()
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 0 and "Traceback" not in err
