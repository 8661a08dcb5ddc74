// matcalc's page: one query box; as you type (debounced) it asks POST /api/derivative and
// shows the shape table, the variable picker and the typeset derivative; the tabs ask for
// the Hessian, the code, the SymPy check and a verdict on a claim. The query and the
// options live in the URL (pushState for each choice, replaceState while typing), so a
// link reproduces the page and the back button steps through the choices.
"use strict";

(() => {
  const $ = (id) => document.getElementById(id);
  const DEBOUNCE_MS = 300;
  const KINDS = ["scalar", "vector", "matrix", "symmetric", "simplex"];
  const TABS = ["steps", "hessian", "code", "check", "verify"];
  const TARGETS = ["numpy", "jax", "torch"];
  const LAYOUTS = ["numerator", "denominator", "mixed"];
  const EXAMPLE = "w, x: vector(n); b: scalar; max(0, w·x + b)";

  // what the URL holds
  const state = { query: "", wrt: null, layout: "numerator", tab: "steps", target: "numpy",
                  shapes: {}, claim: "" };
  let last = null;            // the last good /api/derivative answer: {request, body}
  let seq = 0;                // the newest derivation asked for
  let inflight = null;        // its AbortController
  let typingEntry = false;    // the history entry is the one typing replaces
  let timer = null;
  const panels = {};          // tab -> key of what it shows

  // ------------------------------------------------------------------ the URL
  function readURL() {
    const p = new URLSearchParams(location.search);
    state.query = p.has("q") ? p.get("q") : EXAMPLE;
    state.wrt = p.get("wrt") || null;
    state.layout = LAYOUTS.includes(p.get("layout")) ? p.get("layout") : "numerator";
    state.tab = TABS.includes(p.get("tab")) ? p.get("tab") : "steps";
    state.target = TARGETS.includes(p.get("target")) ? p.get("target") : "numpy";
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
    for (const [name, spec] of Object.entries(state.shapes)) p.set("shape." + name, spec);
    if (state.tab !== "steps") p.set("tab", state.tab);
    if (state.tab === "code" && state.target !== "numpy") p.set("target", state.target);
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
    const request = { query: state.query, layout: state.layout };
    if (state.wrt) request.wrt = state.wrt;
    if (Object.keys(state.shapes).length) request.shapes = { ...state.shapes };
    return request;
  }

  // ------------------------------------------------------------------ typesetting
  function typeset(element, tex) {
    element.textContent = "";
    if (!tex) return;
    if (window.katex) {
      window.katex.render(tex, element, { displayMode: true, throwOnError: false,
                                          output: "htmlAndMathml", strict: "ignore" });
    } else {
      const pre = document.createElement("code");
      pre.textContent = tex;
      element.appendChild(pre);
    }
  }

  // ------------------------------------------------------------------ errors
  // `body` has message, kind, line, column, width, expected: the line is shown with the
  // offending characters underlined (columns count code points, as Python does).
  function showError(box, text, body) {
    const line = box.querySelector(".error-line");
    const message = box.querySelector(".error-message");
    line.textContent = "";
    message.textContent = "";
    if (body.line && body.column) {
      const lines = text.split("\n");
      const source = Array.from(lines[body.line - 1] || "");
      const start = Math.min(body.column - 1, source.length);
      const width = Math.max(1, body.width || 1);
      const end = Math.min(start + width, source.length);
      line.append(source.slice(0, start).join(""));
      const bad = document.createElement("span");
      bad.className = "bad";
      bad.textContent = end > start ? source.slice(start, end).join("") : "\u00a0";
      bad.dataset.column = String(body.column);
      line.append(bad, source.slice(end).join(""));
      line.hidden = false;
    } else {
      line.hidden = true;
    }
    const head = document.createElement("strong");
    head.textContent = (body.kind ? body.kind + ": " : "") + (body.message || "error");
    message.append(head);
    if (body.line && body.column) {
      const where = document.createElement("span");
      where.className = "where";
      where.textContent = ` (line ${body.line}, column ${body.column})`;
      message.append(where);
    }
    if (body.expected) {
      const expected = document.createElement("span");
      expected.className = "expected";
      expected.textContent = ` — expected ${body.expected}`;
      message.append(expected);
    }
    box.hidden = false;
  }

  function hideError(box) { box.hidden = true; }

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
    for (const tab of TABS) panels[tab] = null;
    $("steps-math").textContent = "";
    $("steps-text").textContent = "";
  }

  // ------------------------------------------------------------------ result
  function shapeText(shape) {
    if (!shape.length) return "()";
    return "(" + shape.join(", ") + (shape.length === 1 ? ",)" : ")");
  }

  // `∂/∂w (f) = result` on one line, or on two when one is wider than its box
  function typesetEquation(el, equation, result) {
    typeset(el, equation);
    const tail = " = " + result;
    if (el.scrollWidth > el.clientWidth + 1 && result && equation.endsWith(tail)) {
      const operator = equation.slice(0, -tail.length);
      typeset(el, `\\begin{aligned} & ${operator} \\\\ & = ${result} \\end{aligned}`);
    }
  }

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

  // ------------------------------------------------------------------ the shape table
  function parseSpec(spec) {
    const m = /^\s*(scalar|vector|matrix|symmetric|simplex)\s*(?:\((.*)\))?\s*$/.exec(spec || "");
    if (!m) return { kind: "scalar", dims: [] };
    const dims = m[2] ? m[2].split(",").map((d) => d.trim()) : [];
    return { kind: m[1], dims };
  }

  const DIM_COUNT = { scalar: 0, vector: 1, simplex: 1, symmetric: 1, matrix: 2 };

  function specOf(kind, dims) {
    const count = DIM_COUNT[kind];
    const used = dims.slice(0, count).map((d) => d.trim());
    if (!count) return kind;
    if (used.some((d) => !d)) return kind;        // a blank dimension: let it be inferred
    return `${kind}(${used.join(", ")})`;
  }

  function renderTable(body) {
    const tbody = $("shapes").tBodies[0];
    const focused = document.activeElement && tbody.contains(document.activeElement)
      ? { name: document.activeElement.dataset.name, index: document.activeElement.dataset.index,
          caret: document.activeElement.selectionStart } : null;
    tbody.textContent = "";
    const names = Object.keys(body.declarations);
    if (!names.length) {
      const row = tbody.insertRow();
      row.className = "empty-row";
      const cell = row.insertCell();
      cell.colSpan = 4;
      cell.textContent = "no variables";
    }
    for (const name of names) {
      const spec = parseSpec(body.declarations[name]);
      const row = tbody.insertRow();
      row.dataset.name = name;
      const overridden = Object.prototype.hasOwnProperty.call(state.shapes, name);
      if (overridden) row.classList.add("overridden");

      const nameCell = row.insertCell();
      nameCell.className = "name";
      nameCell.textContent = name;

      const kindCell = row.insertCell();
      const select = document.createElement("select");
      select.setAttribute("aria-label", `kind of ${name}`);
      select.dataset.name = name;
      for (const kind of KINDS) {
        const option = document.createElement("option");
        option.value = option.textContent = kind;
        select.appendChild(option);
      }
      select.value = spec.kind;
      select.addEventListener("change", () => {
        const dims = spec.dims.length ? spec.dims : [];
        const count = DIM_COUNT[select.value];
        const next = count === 2 && dims.length === 1 ? [dims[0], dims[0]] : dims;
        editShape(name, specOf(select.value, count && next.length < count ? [] : next));
      });
      kindCell.appendChild(select);

      const dimsCell = row.insertCell();
      dimsCell.className = "dims";
      const count = DIM_COUNT[spec.kind];
      if (!count) dimsCell.textContent = "—";
      for (let i = 0; i < count; i++) {
        if (i) dimsCell.append(" × ");
        const input = document.createElement("input");
        input.type = "text";
        input.value = spec.dims[i] || "";
        input.dataset.name = name;
        input.dataset.index = String(i);
        input.setAttribute("aria-label", `dimension ${i + 1} of ${name}`);
        input.spellcheck = false;
        input.addEventListener("change", () => {
          const dims = spec.dims.slice();
          while (dims.length < count) dims.push("");
          dims[i] = input.value;
          editShape(name, specOf(spec.kind, dims));
        });
        input.addEventListener("keydown", (event) => {
          if (event.key === "Enter") { event.preventDefault(); input.blur(); }
        });
        dimsCell.appendChild(input);
      }

      const originCell = row.insertCell();
      originCell.className = "origin";
      const tag = document.createElement("span");
      tag.className = "origin-tag";
      if (overridden) {
        tag.classList.add("set");
        tag.textContent = "set here";
        const reset = document.createElement("button");
        reset.type = "button";
        reset.className = "reset";
        reset.title = `forget the shape set here for ${name}`;
        reset.setAttribute("aria-label", reset.title);
        reset.textContent = "×";
        reset.addEventListener("click", () => { delete state.shapes[name]; choose(); });
        originCell.append(tag, reset);
      } else {
        tag.textContent = name in body.inferred ? "inferred" : "declared";
        originCell.append(tag);
      }
    }
    if (focused) {
      const selector = focused.index !== undefined
        ? `input[data-name="${CSS.escape(focused.name)}"][data-index="${focused.index}"]`
        : `select[data-name="${CSS.escape(focused.name)}"]`;
      const again = tbody.querySelector(selector);
      if (again) {
        again.focus();
        if (focused.caret !== null && again.setSelectionRange) {
          again.setSelectionRange(focused.caret, focused.caret);
        }
      }
    }
  }

  function editShape(name, spec) {
    state.shapes[name] = spec;
    choose();
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
    if (last) fill(tab);
  }

  function keyOf(extra) { return JSON.stringify([last.request, last.body.wrt, extra]); }

  async function fill(tab) {
    const filler = { steps: fillSteps, hessian: fillHessian, code: fillCode,
                     check: fillCheck, verify: fillVerify }[tab];
    await filler();
  }

  function fillSteps() {
    const key = keyOf("steps");
    if (panels.steps === key) return;
    panels.steps = key;
    typeset($("steps-math"), last.body.steps.latex);
    $("steps-text").textContent = last.body.steps.text;
  }

  function singleWrt() {
    return Array.isArray(last.body.wrt) ? null : last.body.wrt;
  }

  function panelMessage(id, text, bad) {
    const p = $(id);
    p.textContent = text || "";
    p.hidden = !text;
    p.classList.toggle("bad", !!bad);
  }

  async function fillHessian() {
    const key = keyOf("hessian");
    if (panels.hessian === key) return;
    panels.hessian = key;
    const request = { ...last.request, wrt: singleWrt(), hessian: true };
    delete request.layout;
    $("hessian-math").textContent = "";
    $("hessian-text").textContent = "";
    $("hessian-steps").textContent = "";
    panelMessage("hessian-message", "computing the Hessian…");
    const answer = await api("/api/derivative", request);
    if (panels.hessian !== key) return;
    if (answer.status !== 200) {
      panelMessage("hessian-message", messageOf(answer.body), true);
      return;
    }
    panelMessage("hessian-message", "");
    typesetEquation($("hessian-math"), answer.body.equation_latex, answer.body.latex);
    $("hessian-text").textContent = answer.body.text;
    typeset($("hessian-steps"), answer.body.steps.latex);
  }

  function messageOf(body) {
    const where = body.line ? ` (line ${body.line}, column ${body.column})` : "";
    const expected = body.expected ? ` — expected ${body.expected}` : "";
    return `${body.kind ? body.kind + ": " : ""}${body.message}${where}${expected}`;
  }

  let code = null;            // {source, filename} shown in the code tab

  async function fillCode() {
    const key = keyOf(["code", state.target]);
    if (panels.code === key) return;
    panels.code = key;
    const box = $("code").firstElementChild;
    box.textContent = "";
    code = null;
    panelMessage("code-message", "writing the code…");
    const answer = await api("/api/code", { ...last.request, wrt: last.body.wrt, target: state.target });
    if (panels.code !== key) return;
    if (answer.status !== 200) {
      panelMessage("code-message", messageOf(answer.body), true);
      return;
    }
    panelMessage("code-message", "");
    code = answer.body;
    box.textContent = code.source;
  }

  async function fillCheck() {
    const key = keyOf("check");
    if (panels.check === key) return;
    panels.check = key;
    const report = $("check-report");
    report.className = "verdict";
    report.textContent = "checking with SymPy…";
    const answer = await api("/api/check", { ...last.request, wrt: last.body.wrt });
    if (panels.check !== key) return;
    if (answer.status !== 200) {
      report.classList.add("bad");
      report.textContent = messageOf(answer.body);
      return;
    }
    report.classList.add(answer.body.passed ? "good" : "bad");
    report.textContent = (answer.body.passed ? "✓ " : "✗ ") + answer.body.report;
  }

  let claimTouched = false;

  function fillVerify() {
    const claim = $("claim");
    if (state.claim && !claimTouched) {
      claim.value = state.claim;
      claimTouched = true;
    }
    if (!claimTouched && last.body.verify_template) {
      claim.value = last.body.verify_template;
    }
    fitHeight(claim);
  }

  async function verify() {
    const claim = $("claim").value;
    state.claim = claim;
    claimTouched = true;
    typingEntry = false;
    writeURL(true);
    const out = $("verify-result");
    const errorBox = $("claim-error");
    if (!claim.trim()) return;
    hideError(errorBox);
    out.hidden = false;
    out.className = "verdict";
    out.firstElementChild.textContent = "checking…";
    const request = { claim, layout: state.layout };
    const answer = await api("/api/verify", request);
    if (answer.status !== 200) {
      out.hidden = true;
      showError(errorBox, claim, answer.body);
      return;
    }
    out.classList.add(answer.body.correct ? "good" : "bad");
    out.firstElementChild.textContent = answer.body.report;
  }

  // ------------------------------------------------------------------ copy and download
  async function copyCode() {
    if (!code) return;
    const button = $("copy");
    try {
      await navigator.clipboard.writeText(code.source);
      button.textContent = "Copied";
    } catch (e) {
      const range = document.createRange();
      range.selectNodeContents($("code"));
      const selection = getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
      button.textContent = "Selected: press Ctrl+C";
    }
    setTimeout(() => { button.textContent = "Copy"; }, 1500);
  }

  function downloadCode() {
    if (!code) return;
    const blob = new Blob([code.source], { type: "text/x-python" });
    const link = document.createElement("a");
    link.href = URL.createObjectURL(blob);
    link.download = code.filename;
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 1000);
  }

  // ------------------------------------------------------------------ wiring
  // a text box as tall as its text (up to a third of the window)
  function fitHeight(box) {
    box.style.height = "auto";
    box.style.height = Math.min(box.scrollHeight + 2, Math.max(120, innerHeight / 3)) + "px";
  }

  function syncControls() {
    $("query").value = state.query;
    fitHeight($("query"));
    $("layout").value = state.layout;
    for (const radio of document.querySelectorAll("input[name=target]")) {
      radio.checked = radio.value === state.target;
    }
    claimTouched = false;
    $("claim").value = state.claim;
    if (state.claim) claimTouched = true;
    $("verify-result").hidden = true;
    hideError($("claim-error"));
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
      radio.addEventListener("change", () => {
        state.target = radio.value;
        typingEntry = false;
        writeURL(true);
        if (last) fillCode();
      });
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
    $("copy").addEventListener("click", copyCode);
    $("download").addEventListener("click", downloadCode);
    $("verify").addEventListener("click", verify);
    $("claim").addEventListener("input", () => { claimTouched = true; });
    $("claim").addEventListener("keydown", (event) => {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) { event.preventDefault(); verify(); }
    });
    window.addEventListener("popstate", () => {
      readURL();
      syncControls();
      typingEntry = false;
      for (const tab of TABS) panels[tab] = null;
      showTab(state.tab);
      derive(false).then(() => { if (state.tab === "verify" && state.claim) verify(); });
    });
    showTab(state.tab);
    derive(false).then(() => { if (state.tab === "verify" && state.claim) verify(); });
    // KaTeX's fonts arrive after the first typesetting: measure the result again
    if (document.fonts) document.fonts.ready.then(() => { if (last) renderResult(last.body); });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
