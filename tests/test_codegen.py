"""Generated code (`Derivative.to_numpy()` / `to_source(target)`): for each case the NumPy
source is executed in a fresh namespace and called at a random point (distinct sizes per
dimension, so a transposition shows); its value must equal `evaluate` of the expression,
its derivative `Derivative.evaluate`, and the module's own finite-difference `check()` must
be small. The jax and torch sources are compiled, and run against NumPy's where the
library is importable."""

from __future__ import annotations

import ast
import importlib.util
import io
import re

import numpy as np
import pytest

import matcalc
from matcalc import expr as E
from matcalc.cli import run
from matcalc.codegen import argument_order, to_source
from matcalc.errors import LimitError
from matcalc.evaluate import bind, evaluate

SIZES = (3, 2, 4, 5, 6)
KINK_MARGIN = 1e-3
NEURON = {"w": "vector(n)", "x": "vector(n)", "b": "scalar"}
LOSS = {"X": "matrix(N, n)", "y": "vector(N)", "w": "vector(n)", "b": "scalar"}
AXB = {"A": "matrix(m, n)", "X": "matrix(n, k)", "B": "matrix(k, p)"}
TRACE = {"A": "matrix(m, n)", "X": "matrix(n, k)", "B": "matrix(k, m)"}
LOGISTIC = {"X": "matrix(N, n)", "w": "vector(n)", "y": "vector(N)"}
LSQ = {"A": "matrix(m, n)", "x": "vector(n)", "b": "vector(m)"}
AX = {"A": "matrix(m, n)", "x": "vector(n)"}
WX = {"W": "matrix(m, n)", "x": "vector(n)"}
BILINEAR = {"A": "matrix(m, n)", "a": "vector(m)", "X": "matrix(m, n)", "b": "vector(n)"}

# id, query, wrt, shapes, layout ("hessian" for a Hessian), signed random values
CASES = [
    ("neuron-w", "max(0, w @ x + b)", "w", NEURON, "numerator", True),
    ("neuron-b", "max(0, w @ x + b)", "b", NEURON, "numerator", True),
    ("loss-w", "mean((y - max(0, X @ w + b))^2)", "w", LOSS, "numerator", True),
    ("log-sin-cube", "ln(sin(x^3)^2)", "x", {"x": "scalar"}, "numerator", False),
    ("stacked-vector", "[3*x^2*y, 2*x + y^8]", ["x", "y"], None, "numerator", False),
    ("stacked-scalar-denominator", "3*x^2*y", ["x", "y"], None, "denominator", False),
    ("stacked-vector-denominator", "[3*x^2*y, 2*x + y^8]", ["x", "y"], None, "denominator", False),
    ("logdet", "log(det(X))", "X", {"X": "matrix(n, n)"}, "numerator", False),
    ("trace-AXB", "trace(A @ X @ B)", "X", TRACE, "numerator", False),
    ("AXB-order4", "A @ X @ B", "X", AXB, "numerator", False),
    ("AXB-denominator", "A @ X @ B", "X", AXB, "denominator", False),
    ("inverse", "inv(X)", "X", {"X": "matrix(n, n)"}, "numerator", False),
    ("tanh-Wx-by-W", "tanh(W @ x)", "W", WX, "numerator", False),
    ("XtX", "X.T @ X", "X", {"X": "matrix(m, n)"}, "numerator", False),
    ("Wx-by-W", "W @ x", "W", WX, "mixed", False),
    ("square-by-matrix", "X * X", "X", {"X": "matrix(m, n)"}, "numerator", False),
    ("loop-sum-X", "sum(X) * X", "X", {"X": "matrix(m, n)"}, "numerator", False),
    (
        "loop-diag",
        "diag(x) @ A",
        "x",
        {"x": "vector(m)", "A": "matrix(m, n)"},
        "denominator",
        False,
    ),
    (
        "hessian-quadratic",
        "x @ A @ x",
        "x",
        {"x": "vector(n)", "A": "matrix(n, n)"},
        "hessian",
        False,
    ),
    ("hessian-least-squares", "norm(A @ x - b)^2", "x", LSQ, "hessian", False),
    ("hessian-logistic", "sum(softplus(X @ w) - y * (X @ w))", "w", LOGISTIC, "hessian", False),
    ("tanh-Wx-denominator", "tanh(W @ x)", "x", WX, "denominator", False),
    ("gradient-mixed", "w @ x", "w", {"w": "vector(n)", "x": "vector(n)"}, "mixed", False),
    ("jacobian-mixed", "A @ x", "x", AX, "mixed", False),
    ("softmax", "softmax(A @ x)", "x", AX, "numerator", False),
    ("logsumexp", "logsumexp(A @ x)", "x", AX, "denominator", False),
    (
        "sigmoid-sqrt-mean",
        "mean(sigmoid(x) * sqrt(x)) + sum(tan(x) / x)",
        "x",
        {"x": "vector(n)"},
        "numerator",
        False,
    ),
    ("shared-Ax", "sum(exp(A @ x)) + sum(sin(A @ x))", "x", AX, "numerator", False),
    (
        "scalar-by-matrix",
        "a @ X @ b",
        "X",
        {"a": "vector(m)", "X": "matrix(m, n)", "b": "vector(n)"},
        "denominator",
        False,
    ),
    ("tangent-matrix", "exp(z * X)", "z", {"z": "scalar", "X": "matrix(m, n)"}, "numerator", False),
    ("compare-abs", "sum(abs(x) * (x > 0)) + norm(x)", "x", {"x": "vector(n)"}, "numerator", True),
    # linear maps whose differential has scalar terms, expanded over the output (issue 7)
    ("vector-plus-det-diag", "y + det(diag(y))", "y", {"y": "vector(n)"}, "numerator", False),
    ("vector-minus-norm-diag", "w - norm(diag(w))", "w", {"w": "vector(n)"}, "numerator", False),
    ("matrix-plus-det", "X + det(X)", "X", {"X": "matrix(n, n)"}, "numerator", False),
    (
        "matrix-square-plus-trace",
        "X @ X + trace(X)",
        "X",
        {"X": "matrix(n, n)"},
        "denominator",
        False,
    ),
    ("constant-plus-bilinear", "A + a @ X @ b", "X", BILINEAR, "numerator", False),
    ("matrix-plus-bilinear", "X + a @ X @ b", "X", BILINEAR, "denominator", False),
    ("bilinear-plus-matrix", "a @ X @ b + X", "X", BILINEAR, "numerator", False),
    (
        "order3-plus-sum",
        "tanh(X @ w) + sum(X)",
        "X",
        {"X": "matrix(m, n)", "w": "vector(n)"},
        "numerator",
        False,
    ),
    (
        "order3-matrix-by-vector",
        "diag(x) @ A + sum(x)",
        "x",
        {"x": "vector(m)", "A": "matrix(m, n)"},
        "mixed",
        False,
    ),
    # element-wise nodes of scalars that are arrays (their array terms cancelled)
    (
        "cancelled-terms-in-diag",
        "diag((x + 0.5) - (x + b))",
        "b",
        {"x": "vector(n)", "b": "scalar"},
        "numerator",
        False,
    ),
    (
        "cancelled-terms-summed",
        "sum(A + s + 1 - A) * s",
        "s",
        {"A": "matrix(m, n)", "s": "scalar"},
        "numerator",
        False,
    ),
    # Hessians by a list of scalars and by a matrix (a fourth-order linear map)
    ("hessian-stacked-xy", "x*y", ["x", "y"], None, "hessian", False),
    ("hessian-stacked-xyz", "x*y*z + x^2 + sin(y)*z", ["x", "y", "z"], None, "hessian", False),
    ("hessian-by-matrix-trace", "trace(X @ X)", "X", {"X": "matrix(n, n)"}, "hessian", False),
    ("hessian-by-matrix-det", "det(X)", "X", {"X": "matrix(n, n)"}, "hessian", False),
    ("hessian-by-matrix-bilinear", "(a @ X @ b)^2", "X", BILINEAR, "hessian", False),
]
IDS = [c[0] for c in CASES]


def _derivative(query, wrt, shapes, layout):
    if layout == "hessian":
        return matcalc.hessian(query, wrt, shapes=shapes)
    return matcalc.derivative(query, wrt, shapes=shapes, layout=layout)


def _function(d):
    return d.function if d.function is not None else d.expression


def _kink_gaps(root, arrays, dims):
    for n in E.walk(root):
        if isinstance(n, (E.Max, E.Compare)):
            a, b = (n.args[0], n.args[1]) if isinstance(n, E.Max) else (n.args[1], n.args[2])
            yield np.abs(evaluate(a, arrays, dims) - evaluate(b, arrays, dims))
        elif isinstance(n, E.Func) and n.name in ("abs", "sign"):
            yield np.abs(evaluate(n.args[1], arrays, dims))


def random_point(d, signed, seed=0):
    """Values for d's variables in sorted order: sizes 3, 2, 4, … by first use; entries in
    [0.5, 1.5] (random signs if `signed`), square matrices + n·I where det/inv occur,
    simplex variables scaled to sum 1, away from every kink."""
    root = _function(d)
    variables = [d.variables[k] for k in sorted(d.variables)]
    dims: dict = {}
    for v in variables:
        for x in (v.shape.rows, v.shape.cols):
            if isinstance(x, str) and x not in dims:
                dims[x] = SIZES[len(dims)]
    invertible = any(isinstance(n, (E.Det, E.Inv)) for n in E.walk(root))
    rng = np.random.default_rng(seed)
    for _ in range(100):
        values = {}
        for v in variables:
            shape = v.shape.numpy(dims)
            a = rng.uniform(0.5, 1.5, shape)
            if signed:
                a = a * rng.choice([-1.0, 1.0], shape)
            if v.symmetric:
                a = (a + a.T) / 2
            if getattr(v, "structure", None) == "simplex":
                a = a / a.sum()  # a simplex variable sums to 1
            if invertible and len(shape) == 2 and shape[0] == shape[1]:
                a = a + shape[0] * np.eye(shape[0])
            values[v.name] = float(a) if shape == () else a
        arrays, sizes = bind({v.name: v for v in variables}, values)
        if all(np.all(g > KINK_MARGIN) for g in _kink_gaps(root, arrays, sizes)):
            return values
    raise AssertionError("no point away from the kinks")


def expected_value(d, values):
    root = _function(d)
    arrays, dims = bind(d.variables, values)
    return np.asarray(evaluate(root, arrays, dims)).reshape(root.shape.numpy(dims))


def load(source):
    namespace: dict = {}
    exec(compile(source, "<generated>", "exec"), namespace)  # noqa: S102
    return namespace


def _args(d, values):
    """The values in the order f takes them: the declarations' (then the query's)."""
    return [values[v.name] for v in argument_order(d)]


@pytest.mark.parametrize("query, wrt, shapes, layout, signed", [c[1:] for c in CASES], ids=IDS)
def test_numpy_source_computes_value_and_derivative(query, wrt, shapes, layout, signed):
    d = _derivative(query, wrt, shapes, layout)
    source = d.to_numpy()
    assert source == to_source(d, "numpy") == d.to_source("numpy")
    assert "import numpy as np" in source
    namespace = load(source)
    values = random_point(d, signed)
    value, derivative = namespace["f"](*_args(d, values))
    want_value = expected_value(d, values)
    want_derivative = np.asarray(d.evaluate(values))
    assert np.shape(value) == want_value.shape
    assert np.shape(derivative) == want_derivative.shape
    np.testing.assert_allclose(value, want_value, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(derivative, want_derivative, rtol=1e-10, atol=1e-12)
    assert namespace["check"](*_args(d, values)) < 1e-5
    # inputs may be lists as well as arrays
    listed = [np.asarray(a).tolist() for a in _args(d, values)]
    np.testing.assert_allclose(namespace["f"](*listed)[1], want_derivative, rtol=1e-10, atol=1e-12)


def _table_rows():
    """Every row of the tutorial's and the Cookbook's tables (tests/test_tutorial.py,
    tests/test_cookbook.py), the tutorial's in two layouts, and the Cookbook's Hessians."""
    import test_cookbook as cookbook
    import test_tutorial as tutorial

    rows = [
        pytest.param(q, w, s, layout, id=f"tutorial-{layout}-{q}-by-{w}")
        for q, w, s, _ in tutorial.TUTORIAL
        for layout in ("numerator", "denominator")
    ]
    for table in (
        cookbook.LINEAR,
        cookbook.QUADRATIC,
        cookbook.TRACES,
        cookbook.INVERSES,
        cookbook.DETERMINANTS,
        cookbook.NORMS,
        cookbook.DEEP,
        cookbook.CROSS_ENTROPY,
    ):
        rows += [
            pytest.param(p.values[0], p.values[1], None, "numerator", id=f"cookbook-{p.id}")
            for p in table
        ]
    rows += [
        pytest.param(p.values[0], p.values[1], None, "hessian", id=f"hessian-{p.id}")
        for p in cookbook.HESSIANS
    ]
    return rows


@pytest.mark.parametrize("query, wrt, shapes, layout", _table_rows())
def test_every_table_case_generates_a_module_that_agrees_with_evaluate(query, wrt, shapes, layout):
    """The generated module parses, and its f gives evaluate's value and derivative."""
    d = _derivative(query, wrt, shapes, layout)
    source = d.to_numpy()
    ast.parse(source)
    namespace = load(source)
    values = random_point(d, False)
    value, derivative = namespace["f"](*_args(d, values))
    want = np.asarray(d.evaluate(values))
    assert np.shape(derivative) == want.shape
    np.testing.assert_allclose(value, expected_value(d, values), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(derivative, want, rtol=1e-10, atol=1e-12)
    scale = max(1.0, float(np.max(np.abs(want), initial=0.0)))
    assert namespace["check"](*_args(d, values)) < 1e-5 * scale


def test_constants_beyond_float64_are_a_limit_error_at_generation():
    """1e999 would be inf in float64 and 1e-999 would be 0: generating code for them is a
    LimitError naming the constant (it was an OverflowError traceback); a constant that
    float64 holds, even a subnormal one, is written exactly as its nearest float."""
    for query, shown in (("1e999 * x", "1e999"), ("1e-999 * x", "1e-999"), ("x^(10^400)", "1e400")):
        d = matcalc.derivative(query, "x")
        with pytest.raises(LimitError, match=f"constant {shown} is outside the range"):
            d.to_numpy()
    for query, slope in (("1e300 * x", 1e300), ("2.5e-320 * x", 2.5e-320)):
        namespace = load(matcalc.derivative(query, "x").to_numpy())
        assert namespace["f"](2.0)[1] == slope
    err = io.StringIO()
    assert run(["1e999 * x", "--wrt", "x", "--emit", "numpy"], out=io.StringIO(), err=err) == 2
    assert err.getvalue().startswith("limit: the constant 1e999")


def test_cli_emit_with_check_is_still_a_module():
    """--emit numpy --check: the SymPy report follows the module as a comment."""
    out = io.StringIO()
    assert (
        run(["x @ A @ x", "--wrt", "x", "--emit", "numpy", "--check"], out=out, err=io.StringIO())
        == 0
    )
    source = out.getvalue()
    ast.parse(source)
    assert source.rstrip().splitlines()[-1].startswith("# SymPy check passed")
    namespace = load(source)
    np.testing.assert_allclose(namespace["f"](A=np.eye(2), x=np.array([1.0, 2.0]))[1], [2.0, 4.0])


def _assignments(source, function="f"):
    tree = ast.parse(source)
    (fn,) = [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == function]
    return [ast.unparse(n.value) for n in ast.walk(fn) if isinstance(n, ast.Assign)]


def test_shared_subexpressions_are_computed_once():
    d = matcalc.derivative("sum(exp(A @ x)) + sum(sin(A @ x))", "x", shapes=AX)
    source = d.to_numpy()
    rhs = _assignments(source)
    assert len(rhs) == len(set(rhs)), rhs
    assert sum("A @ x" in r for r in rhs) == 1  # A x once, then by name
    assert source.count("A @ x") == 1
    # one evaluation of each shared node: exp(Ax) serves the value and the gradient
    assert source.count("np.exp(") == 1


@pytest.mark.parametrize("query, wrt, shapes, layout, signed", [c[1:] for c in CASES], ids=IDS)
def test_no_assignment_is_repeated(query, wrt, shapes, layout, signed):
    d = _derivative(query, wrt, shapes, layout)
    rhs = _assignments(d.to_numpy())
    assert len(rhs) == len(set(rhs)), rhs


def test_linear_maps_use_einsum_and_fall_back_to_a_loop():
    d = matcalc.derivative("A @ X @ B", "X", shapes=AXB)
    source = d.to_numpy()
    assert (
        "np.einsum('ik,lj->ijkl', A, B)" in source and "for " not in source.split("def _finite")[0]
    )
    d = matcalc.derivative("X.T @ X", "X", shapes={"X": "matrix(m, n)"})
    assert "np.einsum('il,kj->ijkl'" in d.to_numpy()  # the dXᵀ X term
    d = matcalc.derivative("sum(X) * X", "X", shapes={"X": "matrix(m, n)"})
    f_source = d.to_numpy().split("def _finite")[0]
    assert "np.einsum(" in f_source  # sum(X) dX
    assert "for k in range(m * n):" in f_source  # sum(dX) X


def test_stacked_vector_output_is_the_tangents_side_by_side():
    """∂v/∂[x, y] for a vector v is v's length × 2: each tangent a column, in both layouts
    (denominator moves the stacked axis first). A matrix's would be a third-order array
    with no matrix form: an error that says so (it used to print a 2×2 literal of the
    tangents' first columns)."""
    query = "x, y: scalar; [x*y, x, y]"
    numerator = load(matcalc.derivative(query, ["x", "y"]).to_numpy())
    denominator = load(matcalc.derivative(query, ["x", "y"], layout="denominator").to_numpy())
    value, jac = numerator["f"](2.0, 3.0)
    np.testing.assert_allclose(value, [6.0, 2.0, 3.0])
    np.testing.assert_allclose(jac, [[3.0, 2.0], [1.0, 0.0], [0.0, 1.0]])
    np.testing.assert_allclose(denominator["f"](2.0, 3.0)[1], jac.T)
    assert numerator["check"](2.0, 3.0) < 1e-6
    assert denominator["check"](2.0, 3.0) < 1e-6
    with pytest.raises(matcalc.MatcalcError, match="third-order array.*no matrix form"):
        matcalc.derivative("x, y: scalar; [[x*y, x], [y, 1]]", ["x", "y"])


def test_matrix_by_scalar_is_the_tangent_in_every_layout():
    """By a scalar there are no wrt axes: the denominator layout is the tangent itself."""
    shapes = {"c": "scalar", "X": "matrix(m, n)"}
    X = np.arange(6.0).reshape(3, 2) / 5
    tangent = 2 * 0.7 * X.T
    for layout in ("numerator", "denominator", "mixed"):
        namespace = load(
            matcalc.derivative("c^2 * X.T", "c", shapes=shapes, layout=layout).to_numpy()
        )
        np.testing.assert_allclose(namespace["f"](c=0.7, X=X)[1], tangent)
        assert namespace["check"](0.7, X) < 1e-6  # declared c, then X


def test_inputs_are_checked_for_shape():
    d = matcalc.derivative("trace(A @ X @ B)", "X", shapes=TRACE)
    f = load(d.to_numpy())["f"]
    source = d.to_numpy()
    assert "assert A.ndim == 2" in source
    assert "m, n = A.shape" in source or "m = A.shape[0]" in source
    assert "assert X.shape == (n, k)" in source
    good = [np.ones((3, 2)), np.ones((2, 4)), np.ones((4, 3))]  # A, X, B (declared)
    f(*good)
    with pytest.raises(AssertionError, match="X must be a matrix"):
        f(good[0], np.ones((3, 4)), good[2])
    with pytest.raises(AssertionError, match="A must be a matrix"):
        f(np.ones(3), good[1], good[2])


def test_hessian_module_has_the_gradient_and_checks_both():
    d = matcalc.hessian("x @ A @ x", "x", shapes={"x": "vector(n)", "A": "matrix(n, n)"})
    namespace = load(d.to_numpy())
    A, x = np.arange(9.0).reshape(3, 3), np.array([1.0, -2.0, 0.5])
    value, hessian = namespace["f"](x, A)  # declared x, then A
    np.testing.assert_allclose(value, x @ A @ x)
    np.testing.assert_allclose(hessian, A + A.T)
    np.testing.assert_allclose(namespace["gradient"](A=A, x=x), (A + A.T) @ x)
    assert namespace["check"](x, A) < 1e-6


def test_check_detects_a_wrong_derivative():
    d = matcalc.derivative("sum(exp(A @ x))", "x", shapes=AX)
    source = d.to_numpy()
    assert "np.exp(" in source
    broken = source.replace("np.exp(", "np.sin(", 1)  # value changes, not ∂
    A, x = np.full((3, 2), 0.5), np.array([0.3, -0.2])
    assert load(source)["check"](A, x) < 1e-6
    assert load(broken)["check"](A, x) > 1e-2


def test_names_that_are_python_keywords_or_module_names_are_renamed():
    d = matcalc.derivative(
        "sum(exp(np)) * f + lambda",
        "np",
        shapes={"np": "vector(n)", "f": "scalar", "lambda": "scalar"},
    )
    source = d.to_numpy()
    assert "def f(np_, f_, lambda_):" in source  # in the order shapes= gives them
    namespace = load(source)
    values = {"np": np.array([0.1, 0.2, 0.3]), "f": 2.0, "lambda": 1.0}
    value, derivative = namespace["f"](values["np"], 2.0, 1.0)
    np.testing.assert_allclose(value, 2 * np.exp(values["np"]).sum() + 1)
    np.testing.assert_allclose(derivative, d.evaluate(values))


def test_unknown_target_is_an_error():
    d = matcalc.derivative("w @ x", "w", shapes={"w": "vector(n)", "x": "vector(n)"})
    with pytest.raises(matcalc.MatcalcError, match="unknown code generation target"):
        d.to_source("tensorflow")


def test_cli_emits_the_source():
    out, err = io.StringIO(), io.StringIO()
    assert run(["x @ A @ x", "--wrt", "x", "--emit", "numpy"], out=out, err=err) == 0
    namespace = load(out.getvalue())
    A, x = np.eye(2) * 3, np.array([1.0, 2.0])
    value, derivative = namespace["f"](x=x, A=A)
    np.testing.assert_allclose(value, 15.0)
    np.testing.assert_allclose(derivative, 2 * A @ x)


TARGET_MODULES = {"jax": "jax.numpy", "torch": "torch"}


@pytest.mark.parametrize("target", ["jax", "torch"])
@pytest.mark.parametrize("query, wrt, shapes, layout, signed", [c[1:] for c in CASES], ids=IDS)
def test_jax_and_torch_sources(target, query, wrt, shapes, layout, signed):
    """Always: the source compiles, imports its library and not NumPy. Where the
    library is installed: it runs and agrees with the NumPy source."""
    d = _derivative(query, wrt, shapes, layout)
    source = d.to_source(target)
    compile(source, f"<{target}>", "exec")
    assert f"import {TARGET_MODULES[target]}" in source
    assert not re.search(r"(?<![\w.])np\.", source) and "import numpy" not in source
    if target == "jax":
        assert "jnp." in source
        assert "jax_enable_x64" in source
    else:
        assert "torch.as_tensor(" in source and "dtype=torch.float64" in source
    if importlib.util.find_spec(TARGET_MODULES[target].split(".")[0]) is None:
        return
    values = random_point(d, signed)
    args = _args(d, values)
    value, derivative = load(source)["f"](*args)
    want_value, want_derivative = load(d.to_numpy())["f"](*args)
    np.testing.assert_allclose(np.asarray(value), want_value, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(np.asarray(derivative), want_derivative, rtol=1e-9, atol=1e-12)
    assert load(source)["check"](*args) < 1e-5
