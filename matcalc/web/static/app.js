// matcalc's page, the state: one query box; as you type (debounced) it asks POST /api/derivative and
// shows the shape table, the variable picker and the typeset derivative; the tabs ask for
// the Hessian, the code, the SymPy check and a verdict on a claim. The query and the
// options live in the URL (pushState for each choice, replaceState while typing), so a
// link reproduces the page and the back button steps through the choices.
"use strict";

(() => {
  const $ = (id) => document.getElementById(id);
  const { typesetEquation, showError, hideError, shapeText, fitHeight } = window.MatcalcView;
  const DEBOUNCE_MS = 300;
  const TABS = ["steps", "hessian", "code", "check", "verify"];
  const TARGETS = ["numpy", "jax", "torch"];
  const LAYOUTS = ["numerator", "denominator", "mixed"];
  const NOTATIONS = ["standard", "tutorial"];
  const DTYPES = ["float64", "float32"];
  const EXAMPLE = "w, x: vector(n); b: scalar; max(0, w·x + b)";

  // what the URL holds
  const state = { query: "", wrt: null, layout: "numerator", tab: "steps", target: "numpy",
                  shapes: {}, claim: "", notation: "standard", names: true, dtype: "float64",
                  valueAndGrad: false, grads: [] };
  let last = null;            // the last good /api/derivative answer: {request, body}
  let seq = 0;                // the newest derivation asked for
  let inflight = null;        // its AbortController
  let typingEntry = false;    // the history entry is the one typing replaces
  let timer = null;

  const tabs = window.MatcalcTabs({
    state, api: (...args) => api(...args), last: () => last,
    remember() { typingEntry = false; writeURL(true); },
  });

  // ------------------------------------------------------------------ the URL
  function readURL() {
    const p = new URLSearchParams(location.search);
    state.query = p.has("q") ? p.get("q") : EXAMPLE;
    state.wrt = p.get("wrt") || null;
    state.layout = LAYOUTS.includes(p.get("layout")) ? p.get("layout") : "numerator";
    state.tab = TABS.includes(p.get("tab")) ? p.get("tab") : "steps";
    state.target = TARGETS.includes(p.get("target")) ? p.get("target") : "numpy";
    state.notation = NOTATIONS.includes(p.get("notation")) ? p.get("notation") : "standard";
    state.names = p.get("names") !== "0";
    state.dtype = DTYPES.includes(p.get("dtype")) ? p.get("dtype") : "float64";
    state.valueAndGrad = p.get("vg") === "1";
    state.grads = (p.get("grads") || "").split(",").filter((name) => name);
    state.claim = p.get("claim") || "";
    state.shapes = {};
    for (const [key, value] of p) {
      if (key.startsWith("shape.") && key.length > 6) state.shapes[key.slice(6)] = value;
    }
  }

  function urlOf() {
    const p = new URLSearchParams();
    p.set("q", state.query);
    if (state.wrt) p.set("wrt", state.wrt);
    if (state.layout !== "numerator") p.set("layout", state.layout);
    if (state.notation !== "standard") p.set("notation", state.notation);
    if (!state.names) p.set("names", "0");
    for (const [name, spec] of Object.entries(state.shapes)) p.set("shape." + name, spec);
    if (state.tab !== "steps") p.set("tab", state.tab);
    if (state.tab === "code" && state.target !== "numpy") p.set("target", state.target);
    if (state.tab === "code" && state.dtype !== "float64") p.set("dtype", state.dtype);
    if (state.tab === "code" && state.valueAndGrad) {
      p.set("vg", "1");
      if (state.grads.length) p.set("grads", state.grads.join(","));
    }
    if (state.tab === "verify" && state.claim) p.set("claim", state.claim);
    return "?" + p.toString();
  }

  // push: a new history entry (a choice); otherwise replace the current one (typing)
  function writeURL(push) {
    const url = urlOf();
    if (url === location.search) return;
    if (push) history.pushState(null, "", url);
    else history.replaceState(null, "", url);
  }

  // ------------------------------------------------------------------ the API
  async function api(path, body, signal) {
    try {
      const response = await fetch(path, {
        method: "POST", headers: { "Content-Type": "application/json" },
        body: JSON.stringify(body), signal });
      let data;
      try { data = await response.json(); } catch (e) {
        data = { message: `the server answered ${response.status} without JSON` };
      }
      return { status: response.status, body: data };
    } catch (e) {
      if (e.name === "AbortError") throw e;
      return { status: 0, body: { message: "cannot reach the matcalc server: is `matcalc serve` still running?" } };
    }
  }

  function derivativeRequest() {
    const request = { query: state.query, layout: state.layout, notation: state.notation,
                      names: state.names };
    if (state.wrt) request.wrt = state.wrt;
    if (Object.keys(state.shapes).length) request.shapes = { ...state.shapes };
    return request;
  }

  // ------------------------------------------------------------------ the derivation
  function setStatus(text, busy) {
    const s = $("status");
    s.textContent = text;
    s.classList.toggle("busy", !!busy);
  }

  async function derive(push) {
    const mine = ++seq;
    if (inflight) inflight.abort();
    clearTimeout(timer);
    if (!state.query.trim()) {
      last = null;
      hideError($("error"));
      clearResult("Type an expression above.");
      writeURL(push);
      return;
    }
    inflight = new AbortController();
    const request = derivativeRequest();
    const started = performance.now();
    setStatus("deriving…", true);
    let answer;
    try {
      answer = await api("/api/derivative", request, inflight.signal);
    } catch (e) { return; }                       // aborted by a newer derivation
    if (mine !== seq) return;
    // the chosen variable left the expression: let the server pick one
    if (answer.status === 400 && state.wrt && answer.body.kind === "name error" &&
        !answer.body.line && String(answer.body.message).startsWith(`'${state.wrt}'`)) {
      state.wrt = null;
      return derive(push);
    }
    if (answer.status !== 200) {
      setStatus("");
      showError($("error"), request.query, answer.body);
      $("query").classList.add("invalid");
      document.body.dataset.state = "error";
      $("result").classList.add("stale");
      document.querySelector(".tabs-card").classList.add("stale");
      if (last) {               // the table keeps the last shapes, with this edit shown
        const declarations = { ...last.body.declarations };
        for (const [name, spec] of Object.entries(state.shapes)) {
          if (name in declarations) declarations[name] = spec;
        }
        renderTable({ ...last.body, declarations });
      }
      writeURL(push);
      return;
    }
    setStatus(`${Math.round(performance.now() - started)} ms`);
    hideError($("error"));
    $("query").classList.remove("invalid");
    const body = answer.body;
    last = { request, body };
    document.querySelector(".tabs-card").classList.remove("stale");
    state.wrt = Array.isArray(body.wrt) ? body.wrt.join(",") : body.wrt;
    // drop table edits of names the expression no longer uses
    for (const name of Object.keys(state.shapes)) {
      if (!body.variables.includes(name)) delete state.shapes[name];
    }
    renderTable(body);
    renderPicker(body);
    renderResult(body);
    writeURL(push);
    document.body.dataset.state = "ready";
    showTab(state.tab, false);
  }

  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(() => {
      const push = !typingEntry;
      typingEntry = true;
      derive(push);
    }, DEBOUNCE_MS);
  }

  // a choice (not typing): its own history entry, derived at once
  function choose() {
    typingEntry = false;
    derive(true);
  }

  function clearResult(message) {
    $("result").textContent = "";
    $("result-text").textContent = "";
    $("result-shape").textContent = message || "";
    $("result-kind").textContent = "";
    $("shapes").tBodies[0].textContent = "";
    $("wrt").textContent = "";
    tabs.forget();
    $("steps-math").textContent = "";
    $("steps-text").textContent = "";
  }

  // ------------------------------------------------------------------ result
  function renderResult(body) {
    const el = $("result");
    el.classList.remove("stale");
    typesetEquation(el, body.equation_latex, body.latex);
    el.dataset.latex = body.latex;
    $("result-text").textContent = body.text;
    $("result-kind").textContent = `${body.label} · ${body.layout} layout`;
    $("result-shape").textContent = `evaluate() gives an array of shape ${shapeText(body.shape)}`;
  }

  function renderPicker(body) {
    const select = $("wrt");
    select.textContent = "";
    const names = body.variables;
    for (const name of names) {
      const option = document.createElement("option");
      option.value = option.textContent = name;
      select.appendChild(option);
    }
    const current = Array.isArray(body.wrt) ? body.wrt.join(",") : body.wrt;
    if (!names.includes(current)) {
      const option = document.createElement("option");
      option.value = option.textContent = current;
      select.appendChild(option);
    }
    select.value = current;
  }

  function renderTable(body) {
    window.MatcalcView.renderTable($("shapes").tBodies[0], body, state.shapes, {
      edit(name, spec) { state.shapes[name] = spec; choose(); },
      reset(name) { delete state.shapes[name]; choose(); },
    });
  }

  // ------------------------------------------------------------------ tabs
  function showTab(tab, push) {
    state.tab = tab;
    for (const t of TABS) {
      const button = $("tab-" + t);
      const selected = t === tab;
      button.setAttribute("aria-selected", String(selected));
      button.tabIndex = selected ? 0 : -1;
      $("panel-" + t).hidden = !selected;
    }
    if (push !== undefined && push !== false) { typingEntry = false; writeURL(true); }
    if (last) tabs.fill(tab);
  }

  // ------------------------------------------------------------------ wiring
  function syncControls() {
    $("query").value = state.query;
    fitHeight($("query"));
    $("layout").value = state.layout;
    $("notation").value = state.notation;
    $("names").checked = state.names;
    $("dtype").value = state.dtype;
    $("value-and-grad").checked = state.valueAndGrad;
    for (const radio of document.querySelectorAll("input[name=target]")) {
      radio.checked = radio.value === state.target;
    }
    tabs.forget(state.claim);
  }

  function start() {
    readURL();
    syncControls();
    history.replaceState(null, "", urlOf());

    $("query").addEventListener("input", () => {
      state.query = $("query").value;
      fitHeight($("query"));
      schedule();
    });
    $("claim").addEventListener("input", () => fitHeight($("claim")));
    window.addEventListener("resize", () => { fitHeight($("query")); fitHeight($("claim")); });
    $("wrt").addEventListener("change", () => { state.wrt = $("wrt").value; choose(); });
    $("layout").addEventListener("change", () => { state.layout = $("layout").value; choose(); });
    $("notation").addEventListener("change", () => { state.notation = $("notation").value; choose(); });
    $("names").addEventListener("change", () => { state.names = $("names").checked; choose(); });
    // the code bar's choices: a history entry each, the code written again
    const codeChoice = () => {
      typingEntry = false;
      writeURL(true);
      if (last) tabs.fillCode();
    };
    $("dtype").addEventListener("change", () => { state.dtype = $("dtype").value; codeChoice(); });
    $("value-and-grad").addEventListener("change", () => {
      state.valueAndGrad = $("value-and-grad").checked;
      codeChoice();
    });
    tabs.onGrads((names) => { state.grads = names; codeChoice(); });
    for (const t of TABS) {
      $("tab-" + t).addEventListener("click", () => showTab(t, true));
      $("tab-" + t).addEventListener("keydown", (event) => {
        const step = { ArrowRight: 1, ArrowLeft: -1 }[event.key];
        if (!step) return;
        const next = TABS[(TABS.indexOf(t) + step + TABS.length) % TABS.length];
        showTab(next, true);
        $("tab-" + next).focus();
      });
    }
    for (const radio of document.querySelectorAll("input[name=target]")) {
      radio.addEventListener("change", () => { state.target = radio.value; codeChoice(); });
    }
    for (const chip of document.querySelectorAll(".chip")) {
      chip.addEventListener("click", () => {
        state.query = chip.dataset.query;
        state.wrt = chip.dataset.wrt || null;
        state.shapes = {};
        $("query").value = state.query;
        choose();
      });
    }
    $("copy").addEventListener("click", tabs.copyCode);
    $("download").addEventListener("click", tabs.downloadCode);
    $("verify").addEventListener("click", tabs.verify);
    $("claim").addEventListener("input", tabs.touchClaim);
    $("claim").addEventListener("keydown", (event) => {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        tabs.verify();
      }
    });
    window.addEventListener("popstate", () => {
      readURL();
      syncControls();
      typingEntry = false;
      tabs.forget();
      showTab(state.tab);
      derive(false).then(() => { if (state.tab === "verify" && state.claim) tabs.verify(); });
    });
    showTab(state.tab);
    derive(false).then(() => { if (state.tab === "verify" && state.claim) tabs.verify(); });
    // KaTeX's fonts arrive after the first typesetting: measure the result again
    if (document.fonts) document.fonts.ready.then(() => { if (last) renderResult(last.body); });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
