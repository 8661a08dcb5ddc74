// matcalc's page, the drawing: typesetting with KaTeX, an error with its offending
// characters underlined, the editable shape table, text boxes that fit their text.
// app.js holds the state, the URL and the API calls, and uses these as window.MatcalcView.
"use strict";

window.MatcalcView = (() => {
  const KINDS = ["scalar", "vector", "matrix", "symmetric", "simplex", "tensor"];

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

  function shapeText(shape) {
    if (!shape.length) return "()";
    return "(" + shape.join(", ") + (shape.length === 1 ? ",)" : ")");
  }

  // `∂/∂w (f) = result` on one line, or on two when one is wider than its box; with named
  // intermediates (an `aligned` block `∂/∂w (f) &= result \\ \text{where } s &= …`) the
  // operator moves to a line of its own the same way
  function typesetEquation(el, equation, result) {
    typeset(el, equation);
    if (el.scrollWidth <= el.clientWidth + 1 || !result) return;
    const tail = " = " + result;
    const begin = "\\begin{aligned}";
    const named = equation.startsWith(begin) ? equation.indexOf(" &= ") : -1;
    if (equation.endsWith(tail)) {
      const operator = equation.slice(0, -tail.length);
      typeset(el, `${begin} & ${operator} \\\\ & = ${result} \\end{aligned}`);
    } else if (named > 0) {
      const operator = equation.slice(begin.length, named).trim();
      typeset(el, `${begin} & ${operator} \\\\ &= ${equation.slice(named + 4)}`);
    }
  }

  // ------------------------------------------------------------------ the shape table
  function parseSpec(spec) {
    const m = /^\s*(scalar|vector|matrix|symmetric|simplex|tensor)\s*(?:\((.*)\))?\s*$/.exec(spec || "");
    if (!m) return { kind: "scalar", dims: [] };
    const dims = m[2] ? m[2].split(",").map((d) => d.trim()) : [];
    return { kind: m[1], dims };
  }

  const DIM_COUNT = { scalar: 0, vector: 1, simplex: 1, symmetric: 1, matrix: 2, tensor: 3 };

  // a tensor has as many dimensions as its spec (3 to 8); every other kind a fixed number
  function dimCount(kind, dims) {
    return kind === "tensor" ? Math.max(DIM_COUNT.tensor, dims.length) : DIM_COUNT[kind];
  }

  // a matrix(n, d) made a tensor gets a batch axis in front: tensor(h, n, d)
  function asTensor(dims) {
    const next = ["h", ...dims];
    while (next.length < DIM_COUNT.tensor) next.push(next[next.length - 1]);
    return next;
  }

  function specOf(kind, dims) {
    const count = dimCount(kind, dims);
    const used = dims.slice(0, count).map((d) => d.trim());
    if (!count) return kind;
    if (used.some((d) => !d)) return kind;        // a blank dimension: let it be inferred
    return `${kind}(${used.join(", ")})`;
  }

  // one row per name: its kind (a select) and dimensions (text boxes); `overrides` are the
  // names whose shape was set here; actions.edit(name, spec) and actions.reset(name)
  function renderTable(tbody, body, overrides, actions) {
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
      const overridden = Object.prototype.hasOwnProperty.call(overrides, name);
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
        let dims = spec.dims.length ? spec.dims : [];
        if (select.value === "tensor" && spec.kind !== "tensor") dims = asTensor(dims);
        if (select.value !== "tensor" && spec.kind === "tensor") dims = dims.slice(-2);
        const count = dimCount(select.value, dims);
        const next = count === 2 && dims.length === 1 ? [dims[0], dims[0]] : dims;
        actions.edit(name, specOf(select.value, count && next.length < count ? [] : next));
      });
      kindCell.appendChild(select);

      const dimsCell = row.insertCell();
      dimsCell.className = "dims";
      const count = dimCount(spec.kind, spec.dims);
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
          actions.edit(name, specOf(spec.kind, dims));
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
        reset.addEventListener("click", () => actions.reset(name));
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

  // a text box as tall as its text (up to a third of the window)
  function fitHeight(box) {
    box.style.height = "auto";
    box.style.height = Math.min(box.scrollHeight + 2, Math.max(120, innerHeight / 3)) + "px";
  }

  return { typeset, typesetEquation, showError, hideError, shapeText, renderTable, fitHeight };
})();
