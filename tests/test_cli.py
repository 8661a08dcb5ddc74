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


@pytest.mark.parametrize(
    "argv, printed",
    [
        (
            ("max(0, w @ x + b)", "--wrt", "w", "--vector", "w,x", "--scalar", "b"),
            "(w·x + b > 0)xᵀ\n",
        ),
        (("w, x: vector(n); b: scalar; max(0, w·x + b)", "--wrt", "b"), "(w·x + b > 0)\n"),
        (("ln(sin(x^3)^2)",), "6x²cos(x³)/sin(x³)\nwhere x: scalar\n"),
        (
            ("[3*x^2*y, 2*x + y^8]", "--wrt", "x,y"),
            "[[6xy, 3x²], [2, 8y⁷]]\nwhere x: scalar, y: scalar\n",
        ),
        (
            ("w @ x", "--wrt", "w", "--layout", "denominator"),
            "x\nwhere w: vector(n), x: vector(n)\n",
        ),
        (("x @ A @ x", "--wrt", "x", "--hessian"), "A + Aᵀ\nwhere x: vector(n), A: matrix(n, n)\n"),
        (("w @ x", "--wrt", "w", "--latex"), "x^\\top\n% where w: vector(n), x: vector(n)\n"),
    ],
)
def test_queries_print_the_derivative(argv, printed):
    status, out, err = call(*argv)
    assert (status, out, err) == (0, printed, "")


def test_steps_show_the_four_steps():
    status, out, _ = call("w, x: vector(n); sum(w * x)", "--wrt", "w", "--steps")
    assert status == 0
    for line in (
        "1. Intermediate variables",
        "u₁ = w ⊙ x",
        "∂u₁/∂w = diag(x)",
        "∂y/∂u₁ = 1ᵀ",
        "3. Combined by the vector chain rule",
        "1ᵀdiag(x) = xᵀ    [ones-diag]",
    ):
        assert line in out


def test_check_reports_sympy_agreement():
    status, out, _ = call("x: vector(n); exp(sin(x))", "--wrt", "x", "--check")
    assert status == 0 and "SymPy check passed at n=3: 9 entries, 9 proved" in out


# each bad input: exit 2, one message naming the place (line, column, caret), no traceback
@pytest.mark.parametrize(
    "argv, message, caret_line",
    [
        (("sin(x",), "line 1, column 4: unclosed parenthesis", "     ^"),
        (("x +",), "line 1, column 4: missing operand", "     ^"),
        (("foo(x)",), "line 1, column 1: unknown function 'foo'", "  ^^^^^^"),
        (
            ("A: matrix(m,n); x: vector(k); A @ x", "--wrt", "x"),
            (
                "line 1, column 33: @ needs as many columns on the left as rows on the right: "
                "A is a matrix(m, n) and x is a vector(k)"
            ),
            " " * 34 + "^",
        ),
        (("",), "empty query", "  ^"),
        (("x * y", "--wrt", "q"), "'q' does not appear in the expression", None),
        (("(" * 300 + "x" + ")" * 300,), "nested too deeply", None),
    ],
)
def test_bad_input_exits_2_with_a_located_message(argv, message, caret_line):
    status, out, err = call(*argv)
    assert status == 2 and out == ""
    assert message in err
    assert "Traceback" not in err
    if caret_line is not None:
        assert caret_line in err.splitlines()


def test_console_script_runs_as_a_process():
    proc = subprocess.run(
        [sys.executable, "-m", "matcalc", "w @ x", "--wrt", "x"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert (proc.returncode, proc.stdout) == (0, "wᵀ\nwhere w: vector(n), x: vector(n)\n")
    bad = subprocess.run(
        [sys.executable, "-m", "matcalc", "x $ y"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert bad.returncode == 2 and "Traceback" not in bad.stderr and "^" in bad.stderr


def test_a_closed_pipe_is_not_a_traceback():
    """`matcalc … --emit numpy | head -1`: the reader leaves early."""
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "matcalc",
            "x @ A @ x",
            "--wrt",
            "x",
            "--hessian",
            "--emit",
            "numpy",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    proc.stdout.readline()
    proc.stdout.close()
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 0 and "Traceback" not in err


def script(*argv, env=None, **kwargs):
    """The console script as a process: (status, stdout bytes, stderr text)."""
    import os

    proc = subprocess.run(
        [sys.executable, "-m", "matcalc", *argv],
        capture_output=True,
        timeout=120,
        env={**os.environ, **(env or {})},
        check=False,
        **kwargs,
    )
    return proc.returncode, proc.stdout, proc.stderr.decode("utf-8", "replace")


# ---------------------------------------------------------------- a query starting with '-'
@pytest.mark.parametrize(
    "argv, printed",
    [
        (("-x^2",), "−2x\nwhere x: scalar\n"),
        (("--wrt", "x", "-x^2"), "−2x\nwhere x: scalar\n"),
        (("-x^2", "--wrt=x", "--latex"), "-2 x\n% where x: scalar\n"),
        (("--vec", "x", "-sum(x)"), "−1ᵀ\n"),  # an abbreviated option
        (("--", "-x^3"), "−3x²\nwhere x: scalar\n"),
        (("--x",), "1\nwhere x: scalar\n"),  # --x is -(-x)
    ],
)
def test_a_query_may_start_with_a_minus(argv, printed):
    assert call(*argv) == (0, printed, "")


def test_verify_claim_may_start_with_a_minus_too():
    """The claim reaches the verifier (a located message), not argparse's usage error."""
    status, _, err = call("verify", "--scalar", "x", "-d/dx x^2 = -2*x")
    assert status == 2 and "the derivative must start a statement" in err
    assert call("verify", "--scalar", "x", "d/dx -x^2 = -2*x")[0] == 0


# ---------------------------------------------------------------- declarations
def test_all_declared_prints_no_where_line():
    assert call("w, x: vector(n); w @ x", "--wrt", "w") == (0, "xᵀ\n", "")


def test_where_line_for_inferred_shapes():
    status, out, _ = call("norm(X @ w - y)^2", "--wrt", "w")
    assert (status, out) == (
        0,
        "2(Xw − y)ᵀX\nwhere X: matrix(n, m), w: vector(m), y: vector(n)\n",
    )


def test_steps_show_the_where_line_at_the_top():
    status, out, _ = call("norm(X @ w - y)^2", "--wrt", "w", "--steps")
    assert status == 0
    assert out.splitlines()[1] == "where X: matrix(n, m), w: vector(m), y: vector(n)"
    assert out.count("where X") == 1


def test_emit_output_stays_a_python_module_with_where_and_check():
    status, out, _ = call("x @ A @ x", "--wrt", "x", "--emit", "numpy", "--check")
    assert status == 0
    compile(out, "<emitted>", "exec")
    assert "# where x: vector(n), A: matrix(n, n)" in out and "# SymPy check passed" in out


@pytest.mark.parametrize(
    "argv, message",
    [
        (("x: scalar; x", "--vector", "x"), "conflicting declarations of x: scalar here"),
        (
            ("x", "--vector", "x", "--matrix", "x"),
            "conflicting declarations of x: --vector and --matrix",
        ),
        (("x", "--vector", "1x"), "bad name '1x' in --vector"),
        (("x", "--scalar", "x,", "--scalar", "a b"), "bad name 'a b' in --scalar"),
        (
            ("verify", "d/dx x = 1", "--vector", "x", "--scalar", "x"),
            "conflicting declarations of x",
        ),
        (("X: matrix(N, n); sum(X @ w) / N", "--wrt", "N"), "'N' is a dimension"),
    ],
)
def test_conflicting_or_bad_declarations_exit_2(argv, message):
    status, out, err = call(*argv)
    assert (status, out) == (2, "") and message in err and "Traceback" not in err


def test_a_flag_may_repeat():
    assert call("w @ x", "--wrt", "w", "--vector", "w", "--vector", "x") == (0, "xᵀ\n", "")


# ---------------------------------------------------------------- output that cannot be written
def test_stdout_closed_is_a_message_not_a_traceback():
    proc = subprocess.run(
        f"'{sys.executable}' -m matcalc 'x^2' >&-",
        shell=True,
        stderr=subprocess.PIPE,
        timeout=120,
        check=False,
    )
    err = proc.stderr.decode()
    assert proc.returncode == 3 and "standard output is closed" in err and "Traceback" not in err


def test_a_full_disk_is_a_message_not_a_traceback():
    with open("/dev/full", "w") as full:
        status, _, err = _run_to(full, "x @ A @ x", "--wrt", "x", "--emit", "numpy")
    assert status == 3 and "No space left on device" in err and "Traceback" not in err


def _run_to(stream, *argv):
    proc = subprocess.run(
        [sys.executable, "-m", "matcalc", *argv],
        stdout=stream,
        stderr=subprocess.PIPE,
        timeout=120,
        check=False,
    )
    return proc.returncode, None, proc.stderr.decode()


@pytest.mark.parametrize("encoding", ["latin-1", "ascii"])
def test_a_terminal_that_cannot_show_unicode_gets_ascii(encoding):
    status, out, err = script(
        "σ: vector(n); A @ σ", "--wrt", "σ", env={"PYTHONIOENCODING": encoding}
    )
    assert (status, err) == (0, "")
    assert out.decode(encoding) == "A\nwhere A: matrix(m, n)\n"
    status, out, err = script("x @ y", "--wrt", "x", env={"PYTHONIOENCODING": encoding})
    assert out.decode(encoding) == "y^T\nwhere x: vector(n), y: vector(n)\n"
    status, out, err = script("σ +", env={"PYTHONIOENCODING": encoding})
    assert status == 2 and "missing operand" in err and "Traceback" not in err
    assert "sigma +" in err


def test_ascii_text_spells_the_symbols():
    from matcalc.cli import ascii_text

    assert ascii_text("x⁻¹ + Aᵀ − 2σΣ·∂") == "x^-1 + A^T - 2sigmaSigma.d"
    # Kronecker ⊗ and Hadamard ⊙ stay distinct in ASCII too
    assert ascii_text("Bᵀ ⊗ A + x ⊙ y") == "B^T kron A + x * y"


def test_an_option_value_starting_with_a_minus_is_the_value():
    status, out, err = call("x*y", "--wrt", "-x")
    assert (status, out) == (2, "") and "'-x' does not appear in the expression" in err


@pytest.mark.parametrize(
    "wrt, message",
    [
        ("", "an empty name in wrt"),
        ("x,", "an empty name in wrt"),
        ("x,x", "'x' is listed twice"),
    ],
)
def test_bad_wrt_lists_exit_2(wrt, message):
    status, out, err = call("x*y", "--wrt", wrt)
    assert (status, out) == (2, "") and message in err


# `python -m matcalc QUERY` run in a fresh interpreter as `-m matcalc` would; a script then
# looks at what the run left behind (issue 11: cold start).
_RUN_CLI = """
import runpy, sys
sys.argv = ["matcalc", *sys.argv[1:]]
try:
    runpy.run_module("matcalc", run_name="__main__", alter_sys=True)
except SystemExit as stop:
    assert not stop.code, stop.code
"""
# the imported module names
_IMPORTED = (
    _RUN_CLI
    + """print("\\n".join(sorted(sys.modules)), file=sys.stderr)
"""
)


def _plain_query_in(script: str) -> str:
    """Run the plain query `x: vector(n); sum(x)` by x in `script`; what it wrote to stderr."""
    proc = subprocess.run(
        [sys.executable, "-c", script, "x: vector(n); sum(x)", "--wrt", "x"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "1ᵀ\n"
    return proc.stderr


def test_a_plain_query_imports_only_the_derivation():
    """A plain derivation loads no NumPy, SymPy, web server, code generator, claim
    checker, importlib.resources/zipfile, nor Lark (matcalc.parse_fast runs its tables; Lark
    parses a query with an error): each costs the CLI's cold start."""
    imported = set(_plain_query_in(_IMPORTED).split())
    assert "matcalc.api" in imported  # the runner really derived
    heavy = ("numpy", "sympy", "starlette", "zipfile", "importlib.resources", "lark")
    loaded = sorted(
        name
        for name in imported
        if name.split(".")[0] in heavy
        or name.startswith(("importlib.resources", "matcalc.verify", "matcalc.web"))
        or "codegen" in name
    )
    assert loaded == []


# Each frozen dataclass compiles its methods from source when its module loads (≈ 3 M
# instructions a class): the classes a plain query loads are `matcalc.records` classes.
_DATACLASSES = (
    _RUN_CLI
    + """assert "dataclasses" not in sys.modules and "inspect" not in sys.modules
found = sorted(
    f"{name}.{attr}"
    for name, module in list(sys.modules.items())
    if name.startswith("matcalc")
    for attr, value in list(vars(module).items())
    if isinstance(value, type) and value.__module__ == name and "__dataclass_fields__" in vars(value)
)
print("\\n".join(found), file=sys.stderr)
"""
)


def test_a_plain_query_makes_no_dataclass():
    """No class on a plain query's path is a dataclass (issue 11: cold start), and the
    dataclasses module (with inspect, dis, ast, tokenize: ≈ 25 M instructions) is not
    imported."""
    assert _plain_query_in(_DATACLASSES).split() == []


def test_a_plain_query_loads_no_steps_nor_index_form():
    """The steps and the index form of a linear map load when asked for (cold start)."""
    imported = set(_plain_query_in(_IMPORTED).split())
    lazy = {"matcalc.render.steps_text", "matcalc.render.tensor", "matcalc.render.index_form"}
    assert "matcalc.render.display" in imported and not imported & lazy


def test_lazy_package_names_keep_verify_the_function():
    """`matcalc` imports `api` and `verify` on first use; importing the subpackage
    `matcalc.verify` first must still leave `matcalc.verify` the function."""
    code = (
        "import matcalc.verify.claims, matcalc, sys\n"
        "print(callable(matcalc.verify), matcalc.verify.__module__)\n"
        "print(matcalc.derivative('x: vector(n); sum(x)', wrt='x'))\n"
        "print(sorted(set(matcalc.__all__) - set(dir(matcalc))))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "True matcalc.verify\n1ᵀ\n[]\n"


@pytest.mark.parametrize(
    "query, printed",
    [
        # the slice model and the index engine: `--wrt` defaults to the only variable
        ("T: tensor(h, n, d); sum(T * T)", "∂f/∂Tₐ = 2Tₐ  for each a = 1…h\n"),
        ("T: tensor(h, n, d); sum(T.T * T.T)", "∂f/∂Tₐᵢⱼ = 2Tₐᵢⱼ\n"),
        ("a: vector(n); sum(einsum('i,i,i->i', a, a, a))", "3(a²)ᵀ\n"),
    ],
)
def test_the_only_variable_of_a_tensor_query_is_the_default_wrt(query, printed):
    """It said "bad declaration: unknown shape 'tensor(h,n,d)' … expected … or tensor(h, n,
    d)" before: the default was found by the 2-D builder."""
    assert call(query) == (0, printed, "")


@pytest.mark.parametrize(
    "query, names",
    [
        ("T: tensor(h, n, d); W: matrix(d, d); sum(T @ W)", "T, W"),
        ("a: vector(n); b: vector(m); c: vector(p); sum(einsum('i,j,k->ijk', a, b, c))", "a, b, c"),
    ],
)
def test_a_tensor_query_with_several_variables_asks_which(query, names):
    status, out, err = call(query)
    assert (status, out) == (2, "") and f"--wrt with one of: {names}" in err
