// corpuskit span-annotation widget: the browser side of corpuskit.annotate.
//
// A plain ES module for anywidget (no build step). It shows the state the kernel publishes
// and reports what the student does as messages ({action: "add", start, end, label}, ...).
// Every decision (snapping, overlaps, undo, agreement) is taken in Python.

const STATUS_TEXT = {
  match: "agrees with the other side",
  label: "same words, other label",
  boundary: "overlaps, other boundaries",
  missed: "in gold only",
  extra: "yours only",
};

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "className") node.className = value;
    else if (key === "style") node.setAttribute("style", value);
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

// The passage as text chunks and marks. Every character of the passage sits in exactly one
// .ck-chunk whose data-start is its passage-local offset, so a DOM point maps to an offset.
function renderText(text, offset, marks, colors, { focused = "", withStatus = false } = {}) {
  const box = el("div", { className: "ck-text" });
  let pos = 0;
  const sorted = [...marks].sort((a, b) => a.start - b.start || a.end - b.end);
  for (const mark of sorted) {
    const start = mark.start - offset;
    const end = mark.end - offset;
    if (start < pos || end > text.length || start >= end) continue; // overlaps cannot be drawn flat
    if (start > pos) box.append(el("span", { className: "ck-chunk", "data-start": pos }, text.slice(pos, start)));
    const classes = ["ck-mark"];
    if (mark.id === focused) classes.push("ck-focused");
    if (withStatus && mark.status) classes.push(`ck-status-${mark.status}`);
    box.append(
      el(
        "mark",
        {
          className: classes.join(" "),
          "data-id": mark.id,
          "data-label": mark.label,
          "data-start": mark.start,
          "data-end": mark.end,
          "data-status": mark.status || null,
          title: withStatus && mark.status ? `${mark.label}: ${STATUS_TEXT[mark.status] || mark.status}` : mark.label,
          style: `background: ${colors[mark.label] || "#ddd"}`,
        },
        el("span", { className: "ck-chunk", "data-start": start }, text.slice(start, end)),
        el("span", { className: "ck-tag", "aria-hidden": "true" }, mark.label),
      ),
    );
    pos = end;
  }
  if (pos < text.length) box.append(el("span", { className: "ck-chunk", "data-start": pos }, text.slice(pos)));
  return box;
}

// Passage-local offset of a DOM selection point inside a rendered text box.
function pointOffset(box, node, off) {
  const parent = node.nodeType === Node.TEXT_NODE ? node.parentElement : node;
  if (node.nodeType === Node.TEXT_NODE && parent && parent.classList.contains("ck-chunk")) {
    return Number(parent.dataset.start) + off;
  }
  if (node.nodeType === Node.ELEMENT_NODE && node.classList.contains("ck-chunk")) {
    return Number(node.dataset.start) + (off > 0 ? node.textContent.length : 0);
  }
  const range = document.createRange();
  for (const chunk of box.querySelectorAll(".ck-chunk")) {
    range.selectNodeContents(chunk);
    if (range.comparePoint(node, off) <= 0) return Number(chunk.dataset.start);
  }
  return null; // after the last chunk: the caller uses the passage length
}

function selectionIn(box, length) {
  const selection = window.getSelection();
  if (!selection || selection.rangeCount === 0 || selection.isCollapsed) return null;
  const range = selection.getRangeAt(0);
  if (!box.contains(range.commonAncestorContainer) && range.commonAncestorContainer !== box) return null;
  const start = pointOffset(box, range.startContainer, range.startOffset) ?? length;
  const end = pointOffset(box, range.endContainer, range.endOffset) ?? length;
  return end > start ? { start, end } : null;
}

// Curved arrows from each speaker mention to the quote it speaks.
function drawLinks(holder, box, marks) {
  const old = holder.querySelector("svg.ck-links");
  if (old) old.remove();
  const linked = marks.filter((m) => m.link);
  if (!linked.length) return;
  const base = holder.getBoundingClientRect();
  const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  svg.setAttribute("class", "ck-links");
  svg.setAttribute("width", String(holder.scrollWidth));
  svg.setAttribute("height", String(holder.scrollHeight));
  svg.innerHTML =
    '<defs><marker id="ck-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="currentColor"/></marker></defs>';
  for (const mark of linked) {
    const from = box.querySelector(`mark[data-id="${CSS.escape(mark.link)}"]`);
    const to = box.querySelector(`mark[data-id="${CSS.escape(mark.id)}"]`);
    if (!from || !to) continue;
    const a = from.getClientRects()[0];
    const b = to.getClientRects()[0];
    if (!a || !b) continue;
    const x1 = a.left + a.width / 2 - base.left;
    const y1 = a.top - base.top;
    const x2 = b.left + Math.min(24, b.width / 2) - base.left;
    const y2 = b.top - base.top;
    const lift = Math.max(12, Math.min(26, Math.abs(x2 - x1) / 8));
    const top = Math.min(y1, y2) - lift;
    const path = document.createElementNS("http://www.w3.org/2000/svg", "path");
    path.setAttribute("d", `M${x1},${y1} C${x1},${top} ${x2},${top} ${x2},${y2}`);
    path.setAttribute("class", "ck-link");
    path.setAttribute("data-from", mark.link);
    path.setAttribute("data-to", mark.id);
    path.setAttribute("marker-end", "url(#ck-arrow)");
    svg.append(path);
  }
  holder.prepend(svg);
}

function agreementTable(agreement) {
  const pct = (x) => x.toFixed(2);
  const rows = agreement.by_label.map((s) =>
    el("tr", { "data-label": s.label }, el("td", {}, s.label), el("td", {}, s.gold), el("td", {}, s.yours),
      el("td", {}, s.correct), el("td", { className: "ck-f1" }, pct(s.f1))),
  );
  const t = agreement.total;
  return el(
    "div",
    { className: "ck-agreement" },
    el("div", { className: "ck-agreement-head" },
      `Agreement with gold on this passage (same words, same label): F1 ${pct(t.f1)}`),
    el("table", {},
      el("thead", {}, el("tr", {}, ["label", "gold", "yours", "agreed", "F1"].map((h) => el("th", {}, h)))),
      el("tbody", {}, rows,
        el("tr", { className: "ck-total", "data-label": "all" }, el("td", {}, "all"), el("td", {}, t.gold),
          el("td", {}, t.yours), el("td", {}, t.correct), el("td", { className: "ck-f1" }, pct(t.f1))))),
  );
}

function render({ model, el: host }) {
  const root = el("div", { className: "ck-annotate", tabindex: 0, "data-lm-suppress-shortcuts": "true" });
  host.append(root);
  let pending = null; // {start, end}: the student's selection, passage-local, not yet labelled
  let textBox = null;

  const get = (name) => model.get(name);
  const send = (content) => model.send(content);
  const keyLabel = () => Object.fromEntries(Object.entries(get("shortcuts")).map(([label, key]) => [key, label]));

  function choose(label) {
    const offset = get("offset");
    if (pending) {
      send({ action: "add", start: pending.start + offset, end: pending.end + offset, label });
      pending = null;
      window.getSelection()?.removeAllRanges();
    } else if (get("focused")) {
      const focused = get("marks").find((m) => m.id === get("focused"));
      if (focused && label !== "SPEAKER" && focused.label !== "SPEAKER") send({ action: "relabel", id: focused.id, label });
      else hint("Select some words first, then press a label key.");
    } else {
      hint("Select some words with the mouse first, then press a label key.");
    }
  }

  function hint(message) {
    const status = root.querySelector(".ck-status");
    if (status) status.textContent = message;
  }

  function onMouseUp(event) {
    if (!textBox) return;
    const picked = selectionIn(textBox, get("text").length);
    if (picked) {
      pending = picked;
      const words = get("text").slice(picked.start, picked.end);
      const short = words.length > 50 ? `${words.slice(0, 47)}...` : words;
      hint(`Selected \u201c${short}\u201d: press a label key or click a label.`);
      root.focus({ preventScroll: true });
      return;
    }
    const target = event.target instanceof Element ? event.target : null;
    if (!target || !target.closest(".ck-holder")) return; // toolbar clicks keep the focused span
    pending = null;
    const mark = target.closest("mark.ck-mark");
    send({ action: "focus", id: mark ? mark.dataset.id : null });
    root.focus({ preventScroll: true });
  }

  function onKeyDown(event) {
    // Keep JupyterLab's command-mode shortcuts (a, b, d d, ...) away from the widget.
    event.stopPropagation();
    const key = event.key;
    const mod = event.ctrlKey || event.metaKey;
    if (mod && key.toLowerCase() === "z") send({ action: event.shiftKey ? "redo" : "undo" });
    else if (mod && key.toLowerCase() === "y") send({ action: "redo" });
    else if (mod || event.altKey) return;
    else if (key === "Delete" || key === "Backspace") {
      if (get("focused")) send({ action: "delete", id: get("focused") });
    } else if (key === "Escape") {
      pending = null;
      window.getSelection()?.removeAllRanges();
      send({ action: "focus", id: null });
    } else if (keyLabel()[key.toLowerCase()]) choose(keyLabel()[key.toLowerCase()]);
    else if (key.toLowerCase() === "z") send({ action: "undo" });
    else if (key.toLowerCase() === "y") send({ action: "redo" });
    else return;
    event.preventDefault();
  }

  function toolbar() {
    const colors = get("colors");
    const keys = get("shortcuts");
    const buttons = get("labels").map((label) =>
      el("button", {
        className: "ck-label-button", "data-label": label, type: "button",
        title: `Label the selection ${label} (key ${keys[label] || "none"})`,
        style: `background: ${colors[label] || "#ddd"}`,
        onmousedown: (e) => e.preventDefault(), // keep the text selection
        onclick: () => choose(label),
      }, label, keys[label] ? el("kbd", {}, keys[label]) : null),
    );
    const action = (name, text, enabled, title) =>
      el("button", { className: `ck-action ck-${name}`, type: "button", disabled: !enabled, title,
        onmousedown: (e) => e.preventDefault(), onclick: () => send(name === "delete" ? { action: name, id: get("focused") } : { action: name }),
      }, text);
    const tools = [
      action("undo", "Undo", get("can_undo"), "Undo (z or Ctrl+Z)"),
      action("redo", "Redo", get("can_redo"), "Redo (y or Ctrl+Y)"),
      action("delete", "Delete span", Boolean(get("focused")), "Delete the clicked span (Delete or Backspace)"),
    ];
    if (get("feedback") && get("has_gold")) {
      const compare = get("view") === "compare";
      tools.push(el("button", {
        className: "ck-action ck-compare-toggle", type: "button", "aria-pressed": compare ? "true" : "false",
        onclick: () => send({ action: "view", view: compare ? "annotate" : "compare" }),
      }, compare ? "Back to annotating" : "Compare with gold"));
    }
    return el("div", { className: "ck-toolbar" }, el("div", { className: "ck-labels" }, buttons), el("div", { className: "ck-tools" }, tools));
  }

  function update() {
    const text = get("text");
    const offset = get("offset");
    const colors = get("colors");
    const marks = get("marks");
    const compare = get("view") === "compare" && get("feedback") && get("has_gold");
    root.replaceChildren();
    root.dataset.version = String(get("version"));
    root.dataset.layer = get("layer");
    root.append(toolbar());
    root.append(el("div", { className: "ck-status", role: "status" }, get("note") || "Select words with the mouse, then press a label key."));
    if (compare) {
      textBox = null;
      const side = (title, items) => el("div", { className: "ck-side", "data-side": title.toLowerCase() },
        el("div", { className: "ck-side-head" }, title), renderText(text, offset, items, colors, { withStatus: true }));
      root.append(
        el("div", { className: "ck-legend" }, Object.entries(STATUS_TEXT).map(([s, t]) => el("span", { className: `ck-key ck-status-${s}` }, t))),
        el("div", { className: "ck-compare" }, side("Gold", get("gold")), side("Yours", marks)),
      );
    } else {
      const holder = el("div", { className: "ck-holder" });
      textBox = renderText(text, offset, marks, colors, { focused: get("focused") });
      holder.append(textBox);
      root.append(holder);
      if (get("layer") === "quotes") requestAnimationFrame(() => drawLinks(holder, textBox, marks));
    }
    const agreement = get("agreement");
    if (get("feedback") && agreement && agreement.total) root.append(agreementTable(agreement));
    root.append(el("div", { className: "ck-help" },
      "Select words with the mouse and press a label key (or click a label). Click a span, then a label key to relabel it, Delete to remove it. z undoes, y redoes.",
      get("layer") === "quotes" ? " Quotes: select the quoted content and press its kind, then select the speaker mention and press the SPEAKER key; click a quote to link another speaker." : ""));
  }

  // One re-render per kernel message, however many traits it changed.
  let scheduled = false;
  const schedule = () => {
    if (scheduled) return;
    scheduled = true;
    queueMicrotask(() => {
      scheduled = false;
      update();
    });
  };
  root.addEventListener("mouseup", onMouseUp);
  root.addEventListener("keydown", onKeyDown);
  const names = ["text", "offset", "labels", "shortcuts", "colors", "marks", "focused", "note", "can_undo", "can_redo",
    "feedback", "has_gold", "agreement", "gold", "view", "version"];
  for (const name of names) model.on(`change:${name}`, schedule);
  update();
  return () => {
    for (const name of names) model.off(`change:${name}`, schedule);
  };
}

export default { render };
