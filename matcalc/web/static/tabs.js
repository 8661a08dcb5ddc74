// matcalc's page, the tabs: the steps, the Hessian, the code (copy, download), the SymPy
// check and the verdict on a claim, each filled from the API when it is shown and the
// derivation changed. `page` gives the state, the last derivation, the API and remember()
// (a new history entry).
"use strict";

window.MatcalcTabs = (page) => {
  const $ = (id) => document.getElementById(id);
  const { typeset, typesetEquation, showError, hideError, fitHeight } = window.MatcalcView;
  const panels = {};          // tab -> key of what it shows

  function keyOf(extra) {
    const last = page.last();
    return JSON.stringify([last.request, last.body.wrt, extra]);
  }

  async function fill(tab) {
    const filler = { steps: fillSteps, hessian: fillHessian, code: fillCode,
                     check: fillCheck, verify: fillVerify }[tab];
    await filler();
  }

  function fillSteps() {
    const key = keyOf("steps");
    if (panels.steps === key) return;
    panels.steps = key;
    typeset($("steps-math"), page.last().body.steps.latex);
    $("steps-text").textContent = page.last().body.steps.text;
  }

  function singleWrt() {
    return Array.isArray(page.last().body.wrt) ? null : page.last().body.wrt;
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
    const request = { ...page.last().request, wrt: singleWrt(), hessian: true };
    delete request.layout;
    $("hessian-math").textContent = "";
    $("hessian-text").textContent = "";
    $("hessian-steps").textContent = "";
    panelMessage("hessian-message", "computing the Hessian…");
    const answer = await page.api("/api/derivative", request);
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
  let gradsChanged = () => {};

  // "value and gradients": one checkbox per variable the expression uses; the names
  // chosen (of those used), else the derivative's own variable(s)
  function gradNames() {
    const body = page.last().body;
    const chosen = page.state.grads.filter((name) => body.used.includes(name));
    if (chosen.length) return chosen;
    return Array.isArray(body.wrt) ? body.wrt.slice() : [body.wrt];
  }

  function renderGrads(names) {
    const box = $("grads");
    box.hidden = !page.state.valueAndGrad;
    box.textContent = "";
    if (box.hidden) return;
    box.append("by");
    for (const name of page.last().body.used) {
      const label = document.createElement("label");
      label.className = "check";
      const input = document.createElement("input");
      input.type = "checkbox";
      input.value = name;
      input.checked = names.includes(name);
      input.setAttribute("aria-label", `gradient by ${name}`);
      input.addEventListener("change", () => {
        const picked = [...box.querySelectorAll("input:checked")].map((e) => e.value);
        if (!picked.length) { input.checked = true; return; }   // at least one
        gradsChanged(picked);
      });
      label.append(input, " " + name);
      box.appendChild(label);
    }
  }

  async function fillCode() {
    const vg = page.state.valueAndGrad;
    const grads = vg ? gradNames() : null;
    const key = keyOf(["code", page.state.target, page.state.dtype, grads]);
    if (panels.code === key) return;
    panels.code = key;
    renderGrads(grads || []);
    const box = $("code").firstElementChild;
    box.textContent = "";
    code = null;
    panelMessage("code-message", "writing the code…");
    const request = { ...page.last().request, wrt: page.last().body.wrt,
                      target: page.state.target, dtype: page.state.dtype };
    if (vg) { request.wrt = grads; request.value_and_grad = true; }
    const answer = await page.api("/api/code", request);
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
    const answer = await page.api("/api/check", { ...page.last().request, wrt: page.last().body.wrt });
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
    if (page.state.claim && !claimTouched) {
      claim.value = page.state.claim;
      claimTouched = true;
    }
    if (!claimTouched && page.last().body.verify_template) {
      claim.value = page.last().body.verify_template;
    }
    fitHeight(claim);
  }

  async function verify() {
    const claim = $("claim").value;
    page.state.claim = claim;
    claimTouched = true;
    page.remember();
    const out = $("verify-result");
    const errorBox = $("claim-error");
    if (!claim.trim()) return;
    hideError(errorBox);
    out.hidden = false;
    out.className = "verdict";
    out.firstElementChild.textContent = "checking…";
    const request = { claim, layout: page.state.layout };
    const answer = await page.api("/api/verify", request);
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

  // a new query or a reload from the URL: every tab is filled again; the claim box holds
  // `claim` (a claim from the URL counts as typed)
  function forget(claim) {
    for (const key of Object.keys(panels)) panels[key] = null;
    if (claim !== undefined) {
      $("claim").value = claim;
      claimTouched = !!claim;
      $("verify-result").hidden = true;
      hideError($("claim-error"));
    }
  }

  function touchClaim() { claimTouched = true; }

  function onGrads(callback) { gradsChanged = callback; }

  return { fill, fillCode, verify, copyCode, downloadCode, forget, touchClaim, onGrads };
};
