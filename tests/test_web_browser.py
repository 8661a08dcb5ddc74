"""The page in a real browser: headless Chromium (Debian's `chromium`, which .ci/run installs)
driven by Playwright for Python, against `matcalc serve` started on a free loopback port.

Each state is photographed under $MATCALC_SCREENSHOTS (default test-output/screenshots/)
for a person to look at. A missing Chromium or Playwright FAILS these tests, with a message
saying what to install: the page is a feature, and an untested feature is a gap.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest

import matcalc

NEURON = "w, x: vector(n); b: scalar; max(0, w·x + b)"
LOSS = "X: matrix(N, n); w: vector(n); y: vector(N); b: scalar; mean((y - max(0, X @ w + b))^2)"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ROOT = Path(__file__).resolve().parent.parent
TIMEOUT_MS = 15_000


def _chromium() -> str:
    for candidate in (
        os.environ.get("MATCALC_CHROMIUM"),
        shutil.which("chromium"),
        "/usr/bin/chromium",
        shutil.which("chromium-browser"),
    ):
        if candidate and os.path.exists(candidate):
            return candidate
    pytest.fail(
        "Chromium is not installed: the browser tests need Debian's `chromium` "
        "(apt-get install -y chromium; .ci/run installs it), or MATCALC_CHROMIUM "
        "set to a Chromium executable",
        pytrace=False,
    )


@pytest.fixture(scope="module")
def shots() -> Path:
    folder = Path(os.environ.get("MATCALC_SCREENSHOTS") or ROOT / "test-output" / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="module")
def server():
    """`python -m matcalc serve --port 0`: a real uvicorn on a free loopback port."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "matcalc", "serve", "--port", "0", "--workers", "2"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=ROOT,
    )
    try:
        line, deadline = "", time.monotonic() + 60
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if "http://" in line or not line:
                break
        if "http://" not in line:
            pytest.fail(f"matcalc serve did not start: {line!r}", pytrace=False)
        url = line.split("serve: ", 1)[1].split()[0]
        assert url.startswith("http://127.0.0.1:")
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="module")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail(
            "Playwright for Python is not installed: pip install '.[test]' "
            "(or pip install playwright); it drives Debian's chromium, no browser "
            "download needed",
            pytrace=False,
        )
    executable = _chromium()
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, server):
    """A fresh page that records console errors and every URL it asks for."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    pg.set_default_timeout(TIMEOUT_MS)
    pg.errors, pg.requests = [], []
    pg.on("console", lambda m: pg.errors.append(m.text) if m.type == "error" else None)
    pg.on("pageerror", lambda e: pg.errors.append(str(e)))
    pg.on("request", lambda r: pg.requests.append(r.url))
    yield pg
    offsite = [u for u in pg.requests if not u.startswith((server, "data:", "blob:"))]
    assert not offsite, f"the page fetched from elsewhere: {offsite}"
    csp = [e for e in pg.errors if "Content Security Policy" in e or "Refused" in e]
    assert not csp, csp
    context.close()


def link(server, query, **options) -> str:
    params = "&".join(f"{k}={quote(str(v), safe='')}" for k, v in options.items())
    return f"{server}?q={quote(query, safe='')}" + (f"&{params}" if params else "")


def ready(page, text: str | None = None):
    """Wait until the result shows `text` (or any result, or an error)."""
    if text is None:
        page.wait_for_selector("body[data-state]")
    else:
        page.wait_for_function(
            "t => document.getElementById('result-text').textContent === t", arg=text
        )


def annotation(page, selector: str) -> str:
    return page.locator(f"{selector} .katex-mathml annotation").first.text_content()


# ---------------------------------------------------------------- the neuron, typed
def test_type_the_neuron_and_see_its_gradient_typeset(page, server, shots):
    page.goto(server + "?q=")
    page.locator("#query").press_sequentially(NEURON, delay=5)
    ready(page, "(w·x + b > 0)xᵀ")
    assert page.locator("#wrt").input_value() == "w"
    tex = annotation(page, "#result")
    assert tex.endswith("= \\left(w \\cdot x + b > 0\\right) x^\\top")
    assert page.locator("#result .katex-html").count() == 1
    assert page.locator("#result .katex-error").count() == 0
    rows = page.locator("#shapes tbody tr")
    assert [rows.nth(i).get_attribute("data-name") for i in range(rows.count())] == ["w", "x", "b"]
    assert page.locator("#shapes tr[data-name=w] select").input_value() == "vector"
    assert "q=w%2C+x%3A+vector" in page.url
    page.screenshot(path=shots / "01-neuron.png", full_page=True)


def test_change_a_shape_in_the_table(page, server, shots):
    page.goto(link(server, NEURON, wrt="w"))
    ready(page, "(w·x + b > 0)xᵀ")
    page.locator("#shapes tr[data-name=w] select").select_option("matrix")
    expected = str(
        matcalc.derivative("x: vector(n); b: scalar; max(0, w @ x + b)", "w", {"w": "matrix(n, n)"})
    )
    ready(page, expected)
    assert "vec" in annotation(page, "#result")
    assert page.locator("#shapes tr[data-name=w] .origin-tag").text_content() == "set here"
    assert "shape.w=matrix" in page.url
    page.screenshot(path=shots / "02-shape-edited.png", full_page=True)
    # a dimension edited: x becomes vector(k), which no longer fits w's n columns
    page.locator("#shapes tr[data-name=x] input").fill("k")
    page.locator("#shapes tr[data-name=x] input").press("Enter")
    page.wait_for_selector("#error:not([hidden])")
    assert "shape error" in page.locator("#error .error-message").text_content()
    # forget the edits: back to the declared shapes and the gradient
    page.locator("#shapes tr[data-name=x] .reset").click()
    page.locator("#shapes tr[data-name=w] .reset").click()
    ready(page, "(w·x + b > 0)xᵀ")


def test_syntax_error_underlines_the_character(page, server, shots):
    query = "w, x: vector(n); b: scalar; max(0, w·x +* b)"
    with pytest.raises(matcalc.MatcalcError) as info:
        matcalc.derivative(query, "w")
    page.goto(server + "?q=")
    page.locator("#query").fill(query)
    page.wait_for_selector("#error:not([hidden])")
    bad = page.locator("#error .bad")
    assert bad.text_content() == query[info.value.column - 1] == "*"
    assert bad.get_attribute("data-column") == str(info.value.column)
    assert page.locator("#error .error-line").text_content() == query
    assert "missing operand" in page.locator("#error .error-message").text_content()
    underline = bad.evaluate("e => getComputedStyle(e).textDecorationLine")
    assert "underline" in underline
    page.screenshot(path=shots / "03-syntax-error.png", full_page=True)


# ---------------------------------------------------------------- the tabs
def test_steps_code_check_and_verify_tabs(page, server, shots):
    d = matcalc.derivative(NEURON, "w")
    page.goto(link(server, NEURON, wrt="w"))
    ready(page, str(d))
    assert page.locator("#steps-text").text_content() == str(d.steps)
    assert "Intermediate variables" in annotation(page, "#steps-math")
    page.screenshot(path=shots / "04-steps.png", full_page=True)

    page.locator("#tab-code").click()
    page.wait_for_function("() => document.querySelector('#code code').textContent.length > 0")
    assert page.locator("#code code").text_content() == d.to_source("numpy")
    page.locator("input[name=target][value=jax]").evaluate("e => e.click()")
    page.wait_for_function(
        "s => document.querySelector('#code code').textContent === s", arg=d.to_source("jax")
    )
    assert "target=jax" in page.url
    with page.expect_download() as download:
        page.locator("#download").click()
    assert download.value.suggested_filename == "derivative_w_jax.py"
    page.screenshot(path=shots / "05-code.png", full_page=True)

    page.locator("#tab-check").click()
    page.wait_for_selector("#check-report.good")
    assert page.locator("#check-report").text_content() == "✓ " + str(d.check())
    page.screenshot(path=shots / "06-check.png", full_page=True)

    page.locator("#tab-verify").click()
    claim = page.locator("#claim")
    assert claim.input_value() == "w, x: vector(n); b: scalar; d/dw (max(0, w·x + b)) = "
    claim.press("End")
    claim.press_sequentially("x.T")
    page.locator("#verify").click()
    page.wait_for_selector("#verify-result.bad")
    wrong = "w, x: vector(n); b: scalar; d/dw (max(0, w·x + b)) = x.T"
    assert page.locator("#verify-result pre").text_content() == str(matcalc.verify(wrong))
    right = "w, x: vector(n); b: scalar; d/dw (max(0, w·x + b)) = (w·x + b > 0) * x.T"
    claim.fill(right)
    claim.press("Control+Enter")
    page.wait_for_selector("#verify-result.good")
    assert page.locator("#verify-result pre").text_content() == str(matcalc.verify(right))
    page.screenshot(path=shots / "07-verify.png", full_page=True)
    claim.fill("w, x: vector(n); d/dw sum(w) = 1 +* w")
    page.locator("#verify").click()
    page.wait_for_selector("#claim-error:not([hidden])")
    assert page.locator("#claim-error .bad").text_content() == "*"


def test_hessian_tab(page, server, shots):
    query = "x: vector(n); A: matrix(n, n); x @ A @ x"
    page.goto(link(server, query, wrt="x", tab="hessian"))
    h = matcalc.hessian(query, "x")
    page.wait_for_function(
        "t => document.getElementById('hessian-text').textContent === t", arg=str(h)
    )
    assert annotation(page, "#hessian-math").endswith(h.latex())
    page.screenshot(path=shots / "08-hessian.png", full_page=True)


# ---------------------------------------------------------------- links and history
def test_shared_url_reproduces_the_result_and_back_works(page, server, shots):
    query = "A: matrix(m, n); x: vector(n); A @ x"
    url = link(server, query, wrt="x", layout="denominator", tab="code", target="torch")
    page.goto(url)
    d = matcalc.derivative(query, "x", layout="denominator")
    ready(page, str(d))
    assert page.locator("#layout").input_value() == "denominator"
    assert page.locator("#tab-code").get_attribute("aria-selected") == "true"
    page.wait_for_function(
        "s => document.querySelector('#code code').textContent === s", arg=d.to_source("torch")
    )
    page.screenshot(path=shots / "09-shared-link.png", full_page=True)

    page.locator("#layout").select_option("numerator")
    ready(page, str(matcalc.derivative(query, "x")))
    assert "layout=" not in page.url
    page.go_back()
    ready(page, str(d))
    assert page.locator("#layout").input_value() == "denominator"
    page.go_forward()
    ready(page, str(matcalc.derivative(query, "x")))


# ---------------------------------------------------------------- the tutorial's loss
def test_loss_with_its_steps(page, server, shots):
    d = matcalc.derivative(LOSS, "w")
    page.goto(link(server, LOSS, wrt="w"))
    ready(page, str(d))
    assert str(d) == "(2/N)((Xw + b − y) ⊙ (Xw + b > 0))ᵀX"
    assert page.locator("#steps-text").text_content() == str(d.steps)
    assert page.locator("#steps-math .katex-error").count() == 0
    steps = page.locator("#steps-math")
    assert steps.evaluate("e => getComputedStyle(e).overflowY") == "auto"
    page.screenshot(path=shots / "10-loss-steps.png", full_page=True)
    # the end of the derivation, scrolled inside its box (the page itself does not move)
    steps.evaluate("e => { e.scrollTop = e.scrollHeight; }")
    assert steps.evaluate("e => e.scrollTop") > 0
    page.locator(".tabs-card").screenshot(path=shots / "10b-loss-steps-end.png")


def test_phone_and_dark(browser, server, shots):
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        color_scheme="dark",
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    d = matcalc.derivative(LOSS, "w")
    page.goto(link(server, LOSS, wrt="w"))
    ready(page, str(d))
    wide = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert wide <= 0, "the page scrolls sideways on a phone"
    background = page.evaluate("() => getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(17, 20, 24)"  # the dark theme's --bg
    page.screenshot(path=shots / "11-phone-dark.png", full_page=True)
    context.close()


def test_every_example_typesets(page, server):
    """Each example button derives (its text is the library's) and KaTeX reads every piece
    of LaTeX the result and its steps use."""
    page.goto(link(server, NEURON, wrt="w"))
    ready(page, "(w·x + b > 0)xᵀ")
    chips = page.locator(".chip")
    for i in range(chips.count()):
        chip = chips.nth(i)
        query, wrt = chip.get_attribute("data-query"), chip.get_attribute("data-wrt")
        chip.click()
        ready(page, str(matcalc.derivative(query, wrt)))
        assert page.locator("#query").input_value() == query
        for box in ("#result", "#steps-math"):
            assert page.locator(f"{box} .katex").count() >= 1, (query, box)
            assert page.locator(f"{box} .katex-error").count() == 0, (query, box)


# ---------------------------------------------------------------- names and notation
def test_toggle_named_intermediates_and_notation(page, server, shots):
    """The named form is an `aligned` block KaTeX typesets with its `where` row; the flat
    form and the tutorial's ⊗ follow the checkbox and the select, and the URL keeps them."""
    query = "W: matrix(k, n); x: vector(n); y: vector(k); sum((softmax(W @ x) - y) * exp(W @ x))"
    named = matcalc.derivative(query, "W")
    page.goto(link(server, query, wrt="W"))
    ready(page, str(named))
    assert "where s = softmax(Wx)" in str(named) and "⊙" in str(named)
    assert page.locator("#names").is_checked()
    tex = annotation(page, "#result")
    assert "\\begin{aligned}" in tex and "\\text{where } s" in tex and "\\odot" in tex
    assert page.locator("#result .katex-error").count() == 0
    rendered = page.locator("#result .katex-html").inner_text()
    assert "where" in rendered and "⊙" in rendered
    page.screenshot(path=shots / "12-named.png", full_page=True)

    page.locator("#names").uncheck()
    flat = named.text(names=False)
    ready(page, flat)
    assert "names=0" in page.url
    tex = annotation(page, "#result")
    assert "\\text{where" not in tex and "\\odot" in tex
    assert "where" not in page.locator("#result .katex-html").inner_text()

    page.locator("#notation").select_option("tutorial")
    tutorial = matcalc.derivative(query, "W", notation="tutorial")
    ready(page, tutorial.text(names=False))
    assert "⊗" in tutorial.text(names=False) and "⊙" not in tutorial.text(names=False)
    assert "notation=tutorial" in page.url
    tex = annotation(page, "#result")
    assert "\\otimes" in tex and "\\odot" not in tex
    assert "⊗" in page.locator("#result .katex-html").inner_text()
    assert "⊗" in page.locator("#steps-text").text_content()

    page.locator("#names").check()
    ready(page, str(tutorial))
    assert "\\text{where } s" in annotation(page, "#result")
    assert page.locator("#result .katex-error").count() == 0
    page.screenshot(path=shots / "13-tutorial-named.png", full_page=True)
    page.go_back()
    ready(page, tutorial.text(names=False))
    assert not page.locator("#names").is_checked()
    assert page.locator("#notation").input_value() == "tutorial"


def test_code_dtype_and_value_and_gradients(page, server, shots):
    query = "W: matrix(k, n); x: vector(n); y: simplex(k); -(y @ log(softmax(W @ x)))"
    page.goto(link(server, query, wrt="W", tab="code"))
    d = matcalc.derivative(query, "W")
    code = "s => document.querySelector('#code code').textContent === s"
    page.wait_for_function(code, arg=d.to_source("numpy"))
    page.locator("#dtype").select_option("float32")
    page.wait_for_function(code, arg=d.to_source("numpy", dtype="float32"))
    assert "dtype=float32" in page.url
    page.locator("#value-and-grad").check()
    page.wait_for_function(code, arg=matcalc.value_and_grad_source(query, ["W"], dtype="float32"))
    page.locator("#grads input[value=x]").check()
    page.wait_for_function(
        code, arg=matcalc.value_and_grad_source(query, ["W", "x"], dtype="float32")
    )
    assert "vg=1" in page.url and "grads=W%2Cx" in page.url
    with page.expect_download() as download:
        page.locator("#download").click()
    assert download.value.suggested_filename == "value_and_grad_W_x_numpy.py"
    page.screenshot(path=shots / "14-value-and-gradients.png", full_page=True)


# ---------------------------------------------------------------- a query over tensors
def test_tensor_query_and_its_shape_table(page, server, shots):
    """Issue 9: a tensor query on the page; the table shows the tensor's three dimensions,
    and an edited one is derived again."""
    query = "Q: tensor(h, n, d); W: matrix(d, d); sum(tanh(Q @ W))"
    page.goto(link(server, query, wrt="W"))
    d = matcalc.derivative(query, "W")
    ready(page, str(d))
    assert annotation(page, "#result") == d.latex()
    assert page.locator("#result .katex-error").count() == 0
    row = page.locator("#shapes tr[data-name=Q]")
    assert row.locator("select").input_value() == "tensor"
    inputs = row.locator("input")
    assert [inputs.nth(i).input_value() for i in range(inputs.count())] == ["h", "n", "d"]
    page.screenshot(path=shots / "13-tensor.png", full_page=True)
    inputs.nth(0).fill("2")
    inputs.nth(0).press("Enter")
    edited = "W: matrix(d, d); sum(tanh(Q @ W))"  # the table's Q replaces the inline one
    ready(page, str(matcalc.derivative(edited, "W", {"Q": "tensor(2, n, d)"})))
    assert "shape.Q=tensor" in page.url
    assert not page.errors, page.errors
