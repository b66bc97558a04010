// corpuskit class view: the browser side of corpuskit.annotate.classview (read-only).
//
// Shows the passage shaded by how many students marked each token, the disputed sites, and the
// readings of the selected site; reports clicks ({action: "select" | "accept" | "gold"}).
// Every decision is taken in Python.

// The DOM helper of annotate.js, repeated: anywidget loads each widget's module from its own
// source text, so one cannot import from the other.
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

function shade(color, share) {
  // #rrggbb with an alpha of the share of the class that marked the token.
  const alpha = Math.round(Math.max(0, Math.min(1, share)) * 255).toString(16).padStart(2, "0");
  return `${color || "#dddddd"}${alpha}`;
}

function render({ model, el: root }) {
  const box = el("div", { className: "ck-classview" });
  root.append(box);

  function draw() {
    const text = model.get("text");
    const offset = model.get("offset");
    const students = model.get("students") || 1;
    const colors = model.get("colors");
    const sites = model.get("sites");
    const selected = model.get("selected");
    const siteAt = (pos) => sites.find((s) => s.start <= pos && pos < s.end);
    const body = el("div", { className: "ck-cv-text" });
    let pos = 0;
    let holder = null;
    let holderSite = null;
    for (const token of model.get("tokens")) {
      const start = token.start - offset;
      const end = token.end - offset;
      const site = siteAt(token.start);
      if (site !== holderSite) {
        holder = null;
        holderSite = site;
      }
      const gap = text.slice(pos, start);
      const piece = el(
        "span",
        {
          className: "ck-cv-token",
          "data-start": token.start,
          "data-count": token.count,
          title: token.count ? `${token.count} of ${students}: ${Object.entries(token.labels).map(([l, n]) => `${n} ${l}`).join(", ")}` : null,
          style: token.count ? `background: ${shade(colors[token.label], token.count / students)}` : null,
        },
        text.slice(start, end),
      );
      if (site) {
        if (!holder) {
          const classes = ["ck-cv-site"];
          if (site.split > 0) classes.push("ck-cv-disputed");
          if (site.number === selected) classes.push("ck-cv-selected");
          holder = el("span", {
            className: classes.join(" "),
            "data-site": site.number,
            onclick: () => model.send({ action: "select", site: site.number }),
          });
          body.append(gap, holder);
        } else {
          holder.append(gap);
        }
        holder.append(piece);
      } else {
        body.append(gap, piece);
      }
      pos = end;
    }
    body.append(text.slice(pos));

    const panel = el("div", { className: "ck-cv-panel" });
    const site = sites.find((s) => s.number === selected);
    if (!site) {
      const disputed = sites.filter((s) => s.split > 0).length;
      panel.append(el("div", {}, `${students} students; ${disputed} disputed site(s), underlined in red. Click one.`));
    } else {
      panel.append(
        el("div", { className: "ck-cv-title" }, `Site ${site.number}: "${text.slice(site.start - offset, site.end - offset)}" (${site.decided_by})`),
      );
      site.readings.forEach((reading, i) => {
        panel.append(
          el(
            "div",
            { className: `ck-cv-reading${reading.chosen ? " ck-cv-chosen" : ""}`, "data-reading": i + 1 },
            el("span", { className: "ck-cv-votes" }, `${reading.votes} ×`),
            el("span", {}, reading.text),
            el(
              "button",
              { className: "ck-cv-accept", onclick: () => model.send({ action: "accept", site: site.number, reading: i + 1 }) },
              reading.chosen ? "accepted" : "accept",
            ),
          ),
        );
      });
      if (model.get("show_gold")) {
        const gold = model.get("gold").filter((g) => g.start < site.end && site.start < g.end);
        panel.append(
          el("div", { className: "ck-cv-majority" }, `majority: ${site.majority || "(none)"}`),
          el("div", { className: "ck-cv-gold" }, `gold: ${gold.map((g) => `[${g.text}](${g.label})`).join(" ") || "(nothing)"}`),
        );
      }
    }
    panel.append(
      el(
        "button",
        { className: "ck-cv-gold-toggle", onclick: () => model.send({ action: "gold", show: !model.get("show_gold") }) },
        model.get("show_gold") ? "hide majority and gold" : "show majority and gold",
      ),
      el("div", { className: "ck-cv-note" }, model.get("note")),
    );
    box.replaceChildren(body, panel);
  }

  model.on("change:version", draw);
  model.on("change:selected", draw);
  model.on("change:show_gold", draw);
  draw();
}

export default { render };
