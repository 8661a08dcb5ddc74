"""The web page's JSON API (matcalc.web), through Starlette's TestClient: answers equal what
the library gives, bad input is a located 400, every request is bounded (size, time,
memory), and every response carries the Content-Security-Policy.

The mathematics itself is tested elsewhere (tests/test_tutorial.py); here each answer is
compared with the library's own `derivative`, `hessian`, `to_source`, `check` and `verify`.
"""

from __future__ import annotations

import io
import re
import sys
import threading
import time
import types
from pathlib import Path

import pytest
from starlette.testclient import TestClient

import matcalc
from matcalc.limits import WEB_MAX_BODY_BYTES, WEB_MAX_QUERY_CHARS
from matcalc.web import jobs
from matcalc.web.app import create_app

NEURON = "w, x: vector(n); b: scalar; max(0, w·x + b)"
LOSS = "X: matrix(N, n); w: vector(n); y: vector(N); b: scalar; mean((y - max(0, X @ w + b))^2)"
# ~1.8 KB that takes far longer than a second to differentiate (a product of 149 factors)
HEAVY = "x: vector(n); sum(" + " * ".join(f"sin({i}*x)" for i in range(1, 150)) + ")"


@pytest.fixture(scope="module")
def client():
    with TestClient(create_app(workers=2, allowed_hosts=["testserver"])) as c:
        yield c


@pytest.fixture(scope="module")
def tight():
    """A server with a two-second budget, for the time-limit tests."""
    with TestClient(create_app(workers=2, budget=2.0, allowed_hosts=["testserver"])) as c:
        yield c


def post(client, path, body):
    r = client.post(path, json=body)
    return r.status_code, r.json()


# ---------------------------------------------------------------- /api/derivative
def test_derivative_neuron(client):
    status, body = post(client, "/api/derivative", {"query": NEURON, "wrt": "w"})
    d = matcalc.derivative(NEURON, "w")
    assert status == 200
    assert body["text"] == str(d) == "(w·x + b > 0)xᵀ"
    assert body["latex"] == d.latex()
    assert body["shape"] == ["n"]
    assert body["label"] == "gradient" and body["layout"] == "numerator"
    assert body["steps"] == {
        "text": str(d.steps),
        "latex": d.steps.latex().strip().strip("$").strip(),
    }
    assert body["declarations"] == {"w": "vector(n)", "x": "vector(n)", "b": "scalar"}
    assert body["inferred"] == {}
    assert body["variables"] == ["w", "x", "b"]
    assert body["verify_template"] == "w, x: vector(n); b: scalar; d/dw (max(0, w·x + b)) = "


def test_layouts_match_the_library(client):
    for layout in ("numerator", "denominator", "mixed"):
        status, body = post(
            client,
            "/api/derivative",
            {"query": "A: matrix(m, n); x: vector(n); A @ x", "wrt": "x", "layout": layout},
        )
        d = matcalc.derivative("A: matrix(m, n); x: vector(n); A @ x", "x", layout=layout)
        assert status == 200 and body["text"] == str(d)
        assert body["shape"] == [str(s) for s in d.shape]


def test_inferred_names_are_reported(client):
    status, body = post(
        client,
        "/api/derivative",
        {"query": "w: vector(n); mean((y - max(0, X @ w + b))^2)", "wrt": "w"},
    )
    assert status == 200
    assert body["declarations"]["w"] == "vector(n)"
    assert set(body["inferred"]) == {"y", "X", "b"}
    assert body["inferred"]["X"].startswith("matrix(")
    # b is combined element-wise with the vector X @ w, so it is promoted to that vector
    assert body["declarations"]["b"] == body["inferred"]["b"] == body["inferred"]["y"]


def test_shapes_declare_undeclared_names(client):
    status, body = post(
        client, "/api/derivative", {"query": "sum(x * z)", "wrt": "x", "shapes": {"x": "vector(k)"}}
    )
    assert status == 200
    assert body["text"] == str(matcalc.derivative("sum(x * z)", "x", {"x": "vector(k)"}))
    assert body["declarations"] == {"x": "vector(k)", "z": "vector(k)"}  # z ⊙ x: promoted
    assert body["inferred"] == {"z": "vector(k)"}


def test_edited_shape_overrides_the_inline_declaration(client):
    """The page's table wins over the query's own `w: vector(n)`."""
    status, body = post(
        client, "/api/derivative", {"query": NEURON, "wrt": "w", "shapes": {"w": "matrix(m, n)"}}
    )
    expected = matcalc.derivative(
        "x: vector(n); b: scalar; max(0, w @ x + b)", "w", {"w": "matrix(m, n)"}
    )
    assert status == 200
    assert body["text"] == str(expected)
    assert body["declarations"]["w"] == "matrix(m, n)"
    assert body["declarations"]["x"] == "vector(n)"
    assert body["inferred"] == {}


def test_symmetric_and_simplex_specs_round_trip(client):
    status, body = post(
        client,
        "/api/derivative",
        {"query": "A: symmetric(n); y: simplex(k); x @ A @ x + sum(y)", "wrt": "x"},
    )
    assert status == 200
    assert body["declarations"]["A"] == "symmetric(n)"
    assert body["declarations"]["y"] == "simplex(k)"


def test_default_wrt_is_the_first_variable(client):
    status, body = post(client, "/api/derivative", {"query": NEURON})
    assert status == 200 and body["wrt"] == "w" and body["text"] == "(w·x + b > 0)xᵀ"


def test_hessian(client):
    status, body = post(
        client,
        "/api/derivative",
        {"query": "x: vector(n); A: matrix(n, n); x @ A @ x", "wrt": "x", "hessian": True},
    )
    h = matcalc.hessian("x: vector(n); A: matrix(n, n); x @ A @ x", "x")
    assert status == 200 and body["text"] == str(h) and body["label"] == "Hessian"


def test_loss_steps(client):
    status, body = post(client, "/api/derivative", {"query": LOSS, "wrt": "w"})
    assert status == 200
    assert body["text"] == "(2/N)((Xw + b − y) ⊙ (Xw + b > 0))ᵀX"
    assert "4. Substituted back and simplified" in body["steps"]["text"]


# ---------------------------------------------------------------- bad input: located 400s
def _error_of(query, wrt):
    with pytest.raises(matcalc.MatcalcError) as info:
        matcalc.derivative(query, wrt)
    return info.value


@pytest.mark.parametrize(
    "query, wrt",
    [
        ("max(0, w·x +* b)", "w"),  # syntax error
        ("A: matrix(m,n); x: vector(k); A @ x", "x"),  # shape error under the @
        ("x: vektor(n); x", "x"),  # bad declaration
        ("foo(x)", "x"),  # unknown function
    ],
)
def test_bad_query_is_a_located_400(client, query, wrt):
    status, body = post(client, "/api/derivative", {"query": query, "wrt": wrt})
    error = _error_of(query, wrt)
    assert status == 400
    assert body["message"] == error.message
    assert (body["line"], body["column"], body["width"]) == (error.line, error.column, error.width)
    assert body["expected"] == error.expected
    assert body["display"] == str(error)
    assert body["line"] is not None


def test_syntax_error_points_at_the_character(client):
    status, body = post(client, "/api/derivative", {"query": "max(0, w·x +* b)"})
    assert status == 400 and body["kind"] == "syntax error"
    assert "max(0, w·x +* b)"[body["column"] - 1] == "*"


def test_unknown_variable(client):
    status, body = post(client, "/api/derivative", {"query": NEURON, "wrt": "q"})
    assert status == 400 and body["kind"] == "name error" and "'q'" in body["message"]


@pytest.mark.parametrize(
    "raw, message",
    [
        (b"{not json", "not valid JSON"),
        (b"[1, 2]", "must be a JSON object"),
        (b'{"query": 3}', "'query' must be a string"),
        (b'{"query": "x", "wrt": 7}', "'wrt' must be a string"),
        (b'{"query": "x", "layout": "sideways"}', "unknown layout"),
        (b'{"query": "x", "shapes": ["x"]}', "'shapes' must be an object"),
        (b'{"query": "x", "shapes": {"x": 1}}', "must be a string"),
        (b'{"query": "x", "shapes": {"x y": "scalar"}}', "is not a name"),
        (b'{"query": "x", "hessian": "yes"}', "'hessian' must be true or false"),
        (b'{"query": "x", "colour": "red"}', "unknown field: 'colour'"),
        (b'{"wrt": "x"}', "missing 'query'"),
        (b"\xff\xfe", "not valid JSON"),
    ],
)
def test_malformed_requests_are_400_with_a_message(client, raw, message):
    r = client.post("/api/derivative", content=raw, headers={"content-type": "application/json"})
    assert r.status_code == 400
    assert message in r.json()["message"]


def test_code_target_is_checked(client):
    status, body = post(client, "/api/code", {"query": "x", "target": "fortran"})
    assert status == 400 and "unknown target" in body["message"]


def test_json_content_type_is_required(client):
    r = client.post(
        "/api/derivative", content=b'{"query": "x"}', headers={"content-type": "text/plain"}
    )
    assert r.status_code == 415 and "JSON" in r.json()["message"]


def test_size_limits(client):
    status, body = post(
        client, "/api/derivative", {"query": "x + " * (WEB_MAX_QUERY_CHARS // 4) + "x"}
    )
    assert status == 413 and body["kind"] == "limit" and "too long" in body["message"]
    r = client.post(
        "/api/derivative",
        content=b" " * (WEB_MAX_BODY_BYTES + 1),
        headers={"content-type": "application/json"},
    )
    assert r.status_code == 413 and "limit" in r.json()["message"]


def test_unknown_path_and_method(client):
    r = client.get("/api/nothing")
    assert r.status_code == 404 and "no such page" in r.json()["message"]
    r = client.get("/api/derivative")
    assert r.status_code == 405


# ---------------------------------------------------------------- code, check, verify
@pytest.mark.parametrize("target", ["numpy", "jax", "torch"])
def test_code(client, target):
    status, body = post(client, "/api/code", {"query": NEURON, "wrt": "w", "target": target})
    assert status == 200
    assert body["source"] == matcalc.derivative(NEURON, "w").to_source(target)
    assert body["filename"] == f"derivative_w_{target}.py"
    compile(body["source"], body["filename"], "exec")  # valid Python, not run


def test_check(client):
    status, body = post(client, "/api/check", {"query": NEURON, "wrt": "w"})
    assert status == 200 and body["passed"] is True
    assert body["report"] == str(matcalc.derivative(NEURON, "w").check())


def test_verify_right_and_wrong(client):
    right = "w, x: vector(n); b: scalar; d/dw (max(0, w·x + b)) = (w·x + b > 0) * x.T"
    status, body = post(client, "/api/verify", {"claim": right})
    assert status == 200 and body["correct"] is True
    assert body["report"] == str(matcalc.verify(right))
    wrong = "x: vector(n); z: scalar; d/dz (x + z) = 2"
    status, body = post(client, "/api/verify", {"claim": wrong})
    assert status == 200 and body["correct"] is False and body["kind"] == "wrong value"
    assert body["counterexample"]["sizes"] == {"n": 3}
    assert body["report"] == str(matcalc.verify(wrong))


def test_verify_error_is_located_in_the_claim(client):
    claim = "x: vector(n); d/dx sum(x) = 1 +* x"
    status, body = post(client, "/api/verify", {"claim": claim})
    assert status == 400 and body["line"] == 1
    assert claim[body["column"] - 1] == "*"


# ---------------------------------------------------------------- headers and hosts
def test_every_response_carries_the_csp(client):
    responses = [
        client.get("/"),
        client.get("/static/app.js"),
        client.get("/static/katex/katex.min.css"),
        client.get("/nothing"),
        client.post("/api/derivative", json={"query": "x"}),
        client.post("/api/derivative", json={"query": "+"}),
        client.get("/api/health"),
    ]
    for r in responses:
        csp = r.headers["content-security-policy"]
        assert "default-src 'none'" in csp and "script-src 'self'" in csp
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
        assert r.headers["x-content-type-options"] == "nosniff"


def test_the_page_has_no_inline_script_and_no_outside_url(client):
    html = client.get("/").text
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, re.DOTALL)
    assert scripts and all('src="/static/' in attrs and not body.strip() for attrs, body in scripts)
    assert not re.search(r"\son[a-z]+\s*=", html)  # no inline event handlers
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html)
    static = Path(jobs.__file__).parent / "static"
    for path in static.rglob("*"):
        if path.suffix in (".js", ".css", ".html"):
            text = path.read_text(encoding="utf-8")
            assert not re.search(r"""url\(\s*["']?(https?:)?//""", text), path


def test_katex_is_vendored_with_its_licence(client):
    for path in (
        "/static/katex/katex.min.js",
        "/static/katex/katex.min.css",
        "/static/katex/LICENSE",
        "/static/katex/fonts/KaTeX_Main-Regular.woff2",
    ):
        assert client.get(path).status_code == 200, path
    assert (
        client.get("/static/katex/fonts/KaTeX_Main-Regular.woff2").headers["content-type"]
        == "font/woff2"
    )
    assert "MIT" in client.get("/static/katex/LICENSE").text


def test_other_host_names_are_refused():
    """Bound to loopback, the server answers only loopback names (DNS rebinding)."""
    with TestClient(create_app(workers=1)) as c:
        assert c.get("/", headers={"host": "evil.example"}).status_code == 400
        assert c.get("/", headers={"host": "127.0.0.1:8000"}).status_code == 200
        assert c.get("/", headers={"host": "localhost"}).status_code == 200


# ---------------------------------------------------------------- time and memory budgets
def test_heavy_query_is_refused_and_the_worker_replaced(tight):
    started = time.monotonic()
    status, body = post(tight, "/api/derivative", {"query": HEAVY, "wrt": "x"})
    took = time.monotonic() - started
    assert status == 422 and body["kind"] == "limit" and body["limit"] == "time"
    assert "too large or too slow" in body["message"] and "2 s budget" in body["message"]
    assert 2 <= took < 10
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        health = tight.get("/api/health").json()
        if health["workers"] == 2 and health["idle"] == 2:
            break
        time.sleep(0.1)
    assert health["workers"] == 2 and health["idle"] == 2 and health["replaced"] >= 1
    status, body = post(tight, "/api/derivative", {"query": NEURON, "wrt": "w"})
    assert status == 200 and body["text"] == "(w·x + b > 0)xᵀ"


def test_heavy_query_does_not_block_others(tight):
    heavy: dict = {}

    def run_heavy():
        heavy["answer"] = post(tight, "/api/derivative", {"query": HEAVY, "wrt": "x"})

    thread = threading.Thread(target=run_heavy)
    thread.start()
    time.sleep(0.2)
    started = time.monotonic()
    status, body = post(tight, "/api/derivative", {"query": NEURON, "wrt": "w"})
    assert status == 200 and body["text"] == "(w·x + b > 0)xᵀ"
    assert tight.get("/api/health").json()["ok"] is True
    answered_while_heavy_ran = thread.is_alive()
    quick = time.monotonic() - started
    thread.join(30)
    assert heavy["answer"][0] == 422
    assert answered_while_heavy_ran and quick < 1.5


def test_workers_run_under_an_address_space_limit(client):
    from matcalc.limits import WEB_WORKER_MEMORY

    pool = client.app.state.pool
    for worker in list(pool._all):
        limits = Path(f"/proc/{worker.proc.pid}/limits").read_text()
        line = next(l for l in limits.splitlines() if l.startswith("Max address space"))
        assert line.split()[3] == str(WEB_WORKER_MEMORY)


def test_out_of_memory_is_a_limit_answer(monkeypatch):
    """A MemoryError in a job is a 422 "memory" answer (and the pool replaces the worker)."""
    from matcalc.web import worker

    def greedy(request):
        raise MemoryError

    monkeypatch.setitem(jobs.JOBS, "derivative", greedy)
    answer = worker._answer("derivative", {"query": "x"}, 1 << 20)
    assert '"status": 422' in answer and '"limit": "memory"' in answer


# ---------------------------------------------------------------- pieces
class _Var:
    def __init__(self, rows, cols, structure=None):
        from matcalc.shapes import Shape

        self.shape, self.structure = Shape(rows, cols), structure


def test_shape_table_uses_the_api_fields_when_present():
    with_fields = types.SimpleNamespace(
        declarations={"x": "vector(n)", "b": "scalar"}, inferred={"b": "scalar"}
    )
    assert jobs.shape_table(with_fields, {}, set(), True) == (
        {"x": "vector(n)", "b": "scalar"},
        {"b": "scalar"},
    )


def test_shape_table_falls_back_to_the_variables():
    variables = {
        "x": _Var("n", 1),
        "A": _Var("n", "n", "symmetric"),
        "p": _Var("k", 1, "simplex"),
        "M": _Var("m", "n"),
        "b": _Var(1, 1),
    }
    table, inferred = jobs.shape_table(object(), variables, {"x"}, True)
    assert table == {
        "x": "vector(n)",
        "A": "symmetric(n)",
        "p": "simplex(k)",
        "M": "matrix(m, n)",
        "b": "scalar",
    }
    assert inferred == {k: v for k, v in table.items() if k != "x"}


def test_serve_without_the_web_extra_says_so(monkeypatch):
    from matcalc import cli

    monkeypatch.delitem(sys.modules, "matcalc.web.serve", raising=False)
    monkeypatch.setitem(sys.modules, "uvicorn", None)
    out, err = io.StringIO(), io.StringIO()
    assert cli.run(["serve"], out, err) == 2
    assert "uvicorn is not installed" in err.getvalue()
    assert "pip install 'matcalc[web]'" in err.getvalue()


def test_verify_template_completes_to_a_claim(client):
    """The page's verify box starts as the table's declarations and d/dVAR (expression) = ;
    comments and new lines of the query do not leak into it."""
    query = "x: vector(n)\nA: matrix(n, n)\nx @ A @ x   # a quadratic form"
    status, body = post(client, "/api/derivative", {"query": query, "wrt": "x"})
    assert status == 200
    template = body["verify_template"]
    assert template == "x: vector(n); A: matrix(n, n); d/dx (x @ A @ x) = "
    status, verdict = post(client, "/api/verify", {"claim": template + "x.T @ (A + A.T)"})
    assert status == 200 and verdict["correct"] is True


def test_serve_reports_a_busy_port():
    import socket

    from matcalc.web import serve

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        out, err = io.StringIO(), io.StringIO()
        assert serve.main(["--port", str(port)], out, err) == 2
    assert f"cannot listen on 127.0.0.1:{port}" in err.getvalue()


def test_stacked_scalars(client):
    query = "[3*x^2*y, 2*x + y^8]"
    status, body = post(client, "/api/derivative", {"query": query, "wrt": ["x", "y"]})
    assert status == 200
    assert body["text"] == str(matcalc.derivative(query, ["x", "y"]))
    assert body["wrt"] == ["x", "y"] and body["verify_template"] == ""


# ---------------------------------------------------------------- notation, names, dtype, value and gradients
CROSS_ENTROPY = "W: matrix(k, n); x: vector(n); y: simplex(k); -(y @ log(softmax(W @ x)))"
HADAMARD = "x, y: vector(n); sum(exp(x) * y)"


def test_names_are_on_by_default_and_off_on_request(client):
    _, named = post(client, "/api/derivative", {"query": CROSS_ENTROPY, "wrt": "W"})
    _, flat = post(client, "/api/derivative", {"query": CROSS_ENTROPY, "wrt": "W", "names": False})
    d = matcalc.derivative(CROSS_ENTROPY, "W")
    assert named["text"] == str(d) == "(s − y)xᵀ  where s = softmax(Wx)"
    assert named["latex"] == d.latex()
    assert named["latex"].startswith("\\begin{aligned}") and "\\text{where } s" in named["latex"]
    assert "\\text{where } s &=" in named["equation_latex"]
    assert named["steps"]["text"].rstrip().endswith("where s = softmax(Wx)    (k×n)")
    assert flat["text"] == d.text(names=False) == "(softmax(Wx) − y)xᵀ"
    assert flat["latex"] == d.latex(names=False) and "where" not in flat["equation_latex"]
    assert "where" not in flat["steps"]["text"]
    _, explicit = post(
        client, "/api/derivative", {"query": CROSS_ENTROPY, "wrt": "W", "names": True}
    )
    assert explicit["text"] == named["text"]


def test_names_apply_to_the_hessian_too(client):
    request = {"query": CROSS_ENTROPY, "wrt": "W", "hessian": True}
    _, named = post(client, "/api/derivative", request)
    _, flat = post(client, "/api/derivative", {**request, "names": False})
    h = matcalc.hessian(CROSS_ENTROPY, "W")
    assert named["text"] == str(h) and flat["text"] == h.text(names=False)
    assert "where" not in flat["text"]


def test_notation_standard_and_tutorial(client):
    _, standard = post(client, "/api/derivative", {"query": HADAMARD, "wrt": "x"})
    _, tutorial = post(
        client, "/api/derivative", {"query": HADAMARD, "wrt": "x", "notation": "tutorial"}
    )
    assert standard["text"] == str(matcalc.derivative(HADAMARD, "x")) == "(y ⊙ exp(x))ᵀ"
    d = matcalc.derivative(HADAMARD, "x", notation="tutorial")
    assert tutorial["text"] == str(d) == "(y ⊗ exp(x))ᵀ"
    assert tutorial["latex"] == d.latex() and "\\otimes" in tutorial["equation_latex"]
    assert "\\odot" in standard["equation_latex"]
    # the steps are printed in the request's notation as well
    assert "⊗" in tutorial["steps"]["text"] and "⊙" not in tutorial["steps"]["text"]
    assert "\\otimes" in tutorial["steps"]["latex"] and "\\odot" not in tutorial["steps"]["latex"]
    assert "⊙" in standard["steps"]["text"] and "⊗" not in standard["steps"]["text"]


def test_tutorial_notation_spells_the_kronecker_product(client):
    request = {"query": CROSS_ENTROPY, "wrt": "W", "hessian": True, "names": False}
    _, standard = post(client, "/api/derivative", request)
    _, tutorial = post(client, "/api/derivative", {**request, "notation": "tutorial"})
    assert "xxᵀ ⊗ diag(" in standard["text"]
    assert "kron(xxᵀ, diag(" in tutorial["text"] and "⊗" not in tutorial["text"]
    h = matcalc.hessian(CROSS_ENTROPY, "W", notation="tutorial")
    assert tutorial["text"] == h.text(names=False)


@pytest.mark.parametrize("target", ["numpy", "torch"])
def test_code_dtype(client, target):
    request = {"query": NEURON, "wrt": "w", "target": target}
    _, default = post(client, "/api/code", request)
    _, single = post(client, "/api/code", {**request, "dtype": "float32"})
    d = matcalc.derivative(NEURON, "w")
    assert default["source"] == d.to_source(target) and default["dtype"] == "float64"
    assert single["source"] == d.to_source(target, dtype="float32") != default["source"]
    assert single["dtype"] == "float32" and "float32" in single["source"]
    assert "float32" not in default["source"]
    compile(single["source"], single["filename"], "exec")


def test_code_value_and_gradients(client):
    request = {"query": CROSS_ENTROPY, "wrt": ["W", "x"], "target": "numpy"}
    status, body = post(client, "/api/code", {**request, "value_and_grad": True})
    assert status == 200
    assert body["source"] == matcalc.value_and_grad_source(CROSS_ENTROPY, ["W", "x"])
    assert body["filename"] == "value_and_grad_W_x_numpy.py"
    status, single = post(
        client, "/api/code", {**request, "value_and_grad": True, "dtype": "float32"}
    )
    assert single["source"] == matcalc.value_and_grad_source(
        CROSS_ENTROPY, ["W", "x"], dtype="float32"
    )
    # the generated function runs and its gradients agree with finite differences
    import numpy as np

    space: dict = {}
    exec(compile(body["source"], body["filename"], "exec"), space)  # noqa: S102
    rng = np.random.default_rng(0)
    W, x, y = rng.normal(size=(3, 4)), rng.normal(size=4), np.array([0.2, 0.3, 0.5])
    value, (d_W, d_x) = space["f"](W, x, y)
    z = W @ x
    assert np.isclose(value, -(y @ (z - np.log(np.exp(z).sum()))))
    assert d_W.shape == W.shape and d_x.shape == x.shape
    assert space["check"](W, x, y) < 1e-6


def test_value_and_gradients_of_a_non_scalar_is_a_400(client):
    status, body = post(
        client, "/api/code", {"query": "x: vector(n); exp(x)", "wrt": ["x"], "value_and_grad": True}
    )
    assert status == 400 and "scalar" in body["message"]
    status, body = post(
        client,
        "/api/code",
        {"query": NEURON, "wrt": "w", "value_and_grad": True, "hessian": True},
    )
    assert status == 400 and "Hessian" in body["message"]


@pytest.mark.parametrize(
    "path, field, value, accepted",
    [
        ("/api/derivative", "notation", "fancy", "standard or tutorial"),
        ("/api/derivative", "notation", ["tutorial"], "standard or tutorial"),
        ("/api/check", "notation", 1, "standard or tutorial"),
        ("/api/code", "dtype", "float16", "float64 or float32"),
        ("/api/code", "dtype", {"bits": 32}, "float64 or float32"),
        ("/api/code", "target", ["numpy"], "numpy or jax or torch"),
        ("/api/derivative", "layout", 3, "numerator or denominator or mixed"),
    ],
)
def test_bad_choices_are_a_400_naming_the_field(client, path, field, value, accepted):
    status, body = post(client, path, {"query": NEURON, field: value})
    assert status == 400 and body["kind"] == "bad request"
    assert f"'{field}' must be" in body["message"] and body["expected"] == accepted
    assert "Traceback" not in str(body)


@pytest.mark.parametrize(
    "path, field", [("/api/derivative", "names"), ("/api/code", "value_and_grad")]
)
def test_bad_flags_are_a_400_naming_the_field(client, path, field):
    status, body = post(client, path, {"query": NEURON, field: "yes"})
    assert status == 400 and f"'{field}' must be true or false" in body["message"]


def test_code_only_options_are_refused_elsewhere(client):
    status, body = post(client, "/api/derivative", {"query": NEURON, "dtype": "float32"})
    assert status == 400 and "unknown field: 'dtype'" in body["message"]


# ---------------------------------------------------------------- queries over tensors
# issue 9: the page takes every query the library takes. SLICE is derived slice by slice
# (tensor_api -> TensorDerivative); INDEX_T mixes the slices (.T reverses every axis) and
# EINSUM has an order-3 intermediate: both go to the any-order index engine (IndexDerivative).
SLICE = "Q: tensor(h, n, d); W: matrix(d, d); sum(tanh(Q @ W))"
INDEX_T = "T: tensor(h, n, d); sum(T.T * T.T)"
EINSUM = "a: vector(n); b: vector(m); c: vector(p); sum(einsum('i,j,k->ijk', a, b, c))"
TENSOR_CASES = [
    # query, wrt, its declarations in the query's order, the result's type
    (SLICE, "W", {"Q": "tensor(h, n, d)", "W": "matrix(d, d)"}, "TensorDerivative"),
    (SLICE, "Q", {"Q": "tensor(h, n, d)", "W": "matrix(d, d)"}, "TensorDerivative"),
    (INDEX_T, "T", {"T": "tensor(h, n, d)"}, "IndexDerivative"),
    (EINSUM, "a", {"a": "vector(n)", "b": "vector(m)", "c": "vector(p)"}, "IndexDerivative"),
]


def _tensor_values(query: str) -> dict:
    import numpy as np

    rng = np.random.default_rng(1)
    if query == SLICE:
        return {"Q": rng.normal(size=(2, 3, 4)), "W": rng.normal(size=(4, 4)) / 2}
    if query == INDEX_T:
        return {"T": rng.normal(size=(2, 3, 4))}
    return {"a": rng.normal(size=3), "b": rng.normal(size=2), "c": rng.normal(size=4)}


@pytest.mark.parametrize("query, wrt, declarations, kind", TENSOR_CASES)
def test_tensor_derivative(client, query, wrt, declarations, kind):
    status, body = post(client, "/api/derivative", {"query": query, "wrt": wrt})
    d = matcalc.derivative(query, wrt)
    assert status == 200 and type(d).__name__ == kind
    assert body["text"] == str(d) and body["latex"] == d.latex()
    assert body["equation_latex"] == d.latex()  # the result's LaTeX says the whole equation
    assert body["shape"] == [str(s) for s in d.shape]
    assert body["steps"]["text"] == str(d.steps) and body["steps"]["latex"]
    assert body["declarations"] == declarations and body["inferred"] == {}
    assert body["variables"] == list(declarations) and body["used"] == list(declarations)
    assert body["kind"] == d.kind and body["label"] == "gradient"
    assert body["layout"] == "numerator" and body["wrt"] == wrt
    assert body["verify_template"] == ""  # verify takes no tensors: no claim to start from


def test_tensor_printed_forms(client):
    """The forms the page shows, as the library prints them (issue 9's examples)."""
    texts = {
        (SLICE, "W"): "∂f/∂W = Σₐ (Qₐᵀ(1 − tanh(Qₐ W)²))  for each a = 1…h",
        (SLICE, "Q"): "∂f/∂Qₐ = (1 − tanh(Qₐ W)²)Wᵀ  for each a = 1…h",
        (INDEX_T, "T"): "∂f/∂Tₐᵢⱼ = 2Tₐᵢⱼ",
        (EINSUM, "a"): "∂f/∂aᵢ = Σⱼₖ bⱼcₖ",
    }
    for (query, wrt), text in texts.items():
        assert post(client, "/api/derivative", {"query": query, "wrt": wrt})[1]["text"] == text


@pytest.mark.parametrize("query, first", [(SLICE, "Q"), (INDEX_T, "T"), (EINSUM, "a")])
def test_tensor_default_wrt_is_the_first_variable(client, query, first):
    status, body = post(client, "/api/derivative", {"query": query})
    assert status == 200 and body["wrt"] == first
    assert body["text"] == str(matcalc.derivative(query, first))


def test_tensor_inferred_names_are_reported(client):
    query = "Q: tensor(h, n, d); sum(tanh(Q @ W))"
    status, body = post(client, "/api/derivative", {"query": query, "wrt": "W"})
    d = matcalc.derivative(query, "W")
    assert status == 200 and body["text"] == str(d)
    assert body["declarations"] == {"Q": "tensor(h, n, d)", "W": d.inferred["W"]}
    assert body["inferred"] == {"W": d.inferred["W"]} and body["variables"] == ["Q", "W"]


def test_tensor_edited_shape_overrides_the_inline_declaration(client):
    request = {"query": SLICE, "wrt": "Q", "shapes": {"Q": "tensor(2, n, d)"}}
    status, body = post(client, "/api/derivative", request)
    d = matcalc.derivative("W: matrix(d, d); sum(tanh(Q @ W))", "Q", {"Q": "tensor(2, n, d)"})
    assert status == 200 and body["text"] == str(d) and "a = 1…2" in body["text"]
    assert body["declarations"] == {"Q": "tensor(2, n, d)", "W": "matrix(d, d)"}
    assert body["shape"] == [2, "n", "d"]


@pytest.mark.parametrize("query, wrt", [(SLICE, "W"), (SLICE, "Q"), (INDEX_T, "T"), (EINSUM, "a")])
def test_tensor_hessian(client, query, wrt):
    request = {"query": query, "wrt": wrt, "hessian": True}
    status, body = post(client, "/api/derivative", request)
    h = matcalc.hessian(query, wrt)
    assert status == 200 and body["text"] == str(h) and body["label"] == "Hessian"
    assert body["kind"] == "hessian" and body["shape"] == [str(s) for s in h.shape]


@pytest.mark.parametrize("query, wrt, declarations, kind", TENSOR_CASES)
def test_tensor_code_runs_and_agrees_with_evaluate(client, query, wrt, declarations, kind):
    import numpy as np

    d = matcalc.derivative(query, wrt)
    for target in ("numpy", "jax"):
        request = {"query": query, "wrt": wrt, "target": target}
        status, body = post(client, "/api/code", request)
        assert status == 200 and body["source"] == d.to_source(target)
        assert body["filename"] == f"derivative_{wrt}_{target}.py"
        compile(body["source"], body["filename"], "exec")
    space: dict = {}
    exec(compile(d.to_source("numpy"), "derivative.py", "exec"), space)  # noqa: S102
    values = _tensor_values(query)
    _, derivative = space["f"](**values)
    assert np.allclose(derivative, d.evaluate(values))


def test_tensor_evaluate_agrees_with_independent_numpy():
    """The values the page's code is compared with, against NumPy written by hand."""
    import numpy as np

    v = _tensor_values(SLICE)
    Q, W = v["Q"], v["W"]
    by_W = sum(q.T @ (1 - np.tanh(q @ W) ** 2) for q in Q)
    assert np.allclose(matcalc.derivative(SLICE, "W").evaluate(v), by_W)
    assert np.allclose(matcalc.derivative(SLICE, "Q").evaluate(v), (1 - np.tanh(Q @ W) ** 2) @ W.T)
    v = _tensor_values(EINSUM)
    by_a = np.full(3, v["b"].sum() * v["c"].sum())
    assert np.allclose(matcalc.derivative(EINSUM, "a").evaluate(v), by_a)
    v = _tensor_values(INDEX_T)
    assert np.allclose(matcalc.derivative(INDEX_T, "T").evaluate(v), 2 * v["T"])


@pytest.mark.parametrize("query, wrt, declarations, kind", TENSOR_CASES)
def test_tensor_check(client, query, wrt, declarations, kind):
    status, body = post(client, "/api/check", {"query": query, "wrt": wrt})
    assert status == 200 and body["passed"] is True
    assert body["report"] == str(matcalc.derivative(query, wrt).check())


def test_tensor_value_and_gradients(client):
    request = {"query": SLICE, "wrt": ["Q", "W"], "value_and_grad": True}
    status, body = post(client, "/api/code", request)
    assert status == 200
    assert body["source"] == matcalc.value_and_grad_source(SLICE, ["Q", "W"])


def _assert_located_400(body, query):
    assert body["line"] == 1 and body["column"] is not None and body["display"]
    assert "unknown shape" not in body["message"] and "Traceback" not in body["display"]


def test_tensor_errors_are_400s_with_the_apis_message(client):
    # a layout the tensor path does not take: the API's own error
    status, body = post(client, "/api/derivative", {"query": SLICE, "layout": "denominator"})
    with pytest.raises(matcalc.MatcalcError) as info:
        matcalc.derivative(SLICE, "Q", layout="denominator")
    assert status == 400 and body["message"] == info.value.message
    # an unknown variable: a name error (the page then falls back to the default)
    status, body = post(client, "/api/derivative", {"query": EINSUM, "wrt": "z"})
    assert status == 400 and body["kind"] == "name error"
    # value and gradients of an index-engine query: the API's function (tindex/grads.py)
    for query, wrt in ((INDEX_T, ["T"]), (EINSUM, ["a", "b"])):
        request = {"query": query, "wrt": wrt, "value_and_grad": True}
        status, body = post(client, "/api/code", request)
        assert status == 200 and body["source"] == matcalc.value_and_grad_source(query, wrt)


def test_tensor_claims_are_a_located_400(client):
    claim = "Q: tensor(h, n, d); W: matrix(d, d); d/dW sum(tanh(Q @ W)) = 0"
    status, body = post(client, "/api/verify", {"claim": claim})
    assert status == 400 and body["kind"] == "unsupported" and "tensors" in body["message"]
    _assert_located_400(body, claim)
    claim = "a: vector(n); b: vector(m); c: vector(p); d/da sum(einsum('i,j,k->ijk', a, b, c)) = 0"
    status, body = post(client, "/api/verify", {"claim": claim})
    assert status == 400 and "index engine" in body["message"]
    _assert_located_400(body, claim)
    assert claim[body["column"] - 1 :].startswith("einsum")
    status, body = post(
        client, "/api/verify", {"claim": "d/dW sum(W) = 1", "shapes": {"W": "tensor(h, n, d)"}}
    )
    assert status == 400 and "unknown shape" not in body["message"]


def test_the_matrix_builder_says_tensors_are_read_elsewhere():
    """The 2-D builder's refusal of a tensor declaration no longer lists tensor(h, n, d)
    among what it expects (it used to contradict itself)."""
    from matcalc.parse import parse_query
    from matcalc.typed import build

    with pytest.raises(matcalc.MatcalcError) as info:
        build(parse_query(SLICE), {})
    error = info.value
    assert "order >= 3" in error.message and "unknown shape" not in error.message
    assert "tensor" not in error.expected and (error.line, error.column) == (1, 4)
    with pytest.raises(matcalc.MatcalcError) as info:
        build(parse_query("W: matrix(d, d); sum(W)"), {"Q": "tensor(h, n, d)"})
    assert "order >= 3" in info.value.message and "tensor" not in info.value.expected
    with pytest.raises(matcalc.MatcalcError) as info:
        build(parse_query("sum(x)"), {"x": "vektor(n)"})
    assert "unknown shape" in info.value.message  # any other spec: as before
    assert "tensor(h, n, d)" in info.value.expected


def test_tensor_declared_by_the_table_only(client):
    """A name the query leaves undeclared, made a tensor in the page's table."""
    query, shapes = "sum(tanh(Q @ W))", {"Q": "tensor(h, n, d)"}
    status, body = post(client, "/api/derivative", {"query": query, "shapes": shapes})
    d = matcalc.derivative(query, "Q", shapes)
    assert status == 200 and body["wrt"] == "Q" and body["text"] == str(d)
    assert body["declarations"]["Q"] == "tensor(h, n, d)" and list(body["inferred"]) == ["W"]
    status, body = post(client, "/api/derivative", {"query": query, "shapes": {"Q": "tensor(h)"}})
    assert status == 400 and "3 to 8 dimensions" in body["message"]
