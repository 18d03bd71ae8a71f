"""The dashboard page: one HTML document with inline CSS and a small vanilla script.

Nothing is fetched from the internet and there is no build step. The script polls
``/api/snapshot`` and reloads the server-made SVG charts every ``REFRESH_MS``. It builds the
page with ``textContent`` only, never ``innerHTML``, so labels and ids (user data) cannot
inject markup. Key numbers carry ``data-pipeline`` / ``data-metric`` attributes so tests (and
scrapers) can read them; errors of the page itself show in ``#errors``.
"""

__all__ = ["PAGE", "REFRESH_MS"]

REFRESH_MS = 1500

_CSS = """
body{font-family:sans-serif;margin:16px;background:#f6f7f9;color:#222}
h1{font-size:20px;margin:0 0 8px} h2{font-size:17px;margin:18px 0 6px}
h3{font-size:14px;margin:12px 0 4px}
section.pipeline{background:#fff;border:1px solid #ddd;border-radius:6px;padding:10px 14px;
 margin:12px 0}
.cards{display:flex;flex-wrap:wrap;gap:8px}
.card{border:1px solid #e3e3e3;border-radius:4px;padding:6px 10px;min-width:92px}
.card b{display:block;font-size:18px} .card small{color:#666}
table{border-collapse:collapse;font-size:12px;margin:4px 0}
td,th{border:1px solid #e3e3e3;padding:2px 6px;text-align:left}
.charts,.tables{display:flex;flex-wrap:wrap;gap:8px 24px;align-items:flex-start}
.charts img{border:1px solid #eee}
.note{color:#8a5a00;background:#fff6e0;padding:4px 8px;border-radius:4px}
#errors{color:#b00020;white-space:pre-wrap} #errors:empty{display:none}
#status{color:#666;font-size:12px}
"""

_SCRIPT = r"""
"use strict";
const REFRESH_MS = %(refresh)d;
const errorsBox = document.getElementById("errors");
function showError(text) {
  errorsBox.textContent = text;
}
window.addEventListener("error", e => showError("page error: " + e.message));
window.addEventListener("unhandledrejection", e => showError("page error: " + e.reason));

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
  for (const c of children) node.append(c instanceof Node ? c : String(c));
  return node;
}
function fmt(v, digits) {
  if (v === null || v === undefined) return "\u2013";
  if (typeof v === "number" && !Number.isInteger(v))
    return v.toFixed(digits === undefined ? 2 : digits);
  return String(v);
}
function card(pipeline, metric, title, value, digits) {
  return el("div", {class: "card"}, el("small", {}, title),
            el("b", {"data-pipeline": pipeline, "data-metric": metric}, fmt(value, digits)));
}
function table(headers, rows, attrs) {
  const t = el("table", attrs || {}, el("tr", {}, ...headers.map(h => el("th", {}, h))));
  for (const r of rows)
    t.append(el("tr", {}, ...r.map(c => el("td", {}, c instanceof Node ? c : fmt(c, 3)))));
  if (!rows.length) t.append(el("tr", {}, el("td", {colspan: headers.length}, "none")));
  return t;
}
// One <img> per chart, kept across refreshes; the new picture replaces the old only once it
// has loaded, so the charts do not flash blank every refresh.
const chartImages = new Map();
function block(title, content) {
  return el("div", {}, el("h3", {}, title), content);
}
function chart(src, alt) {
  let img = chartImages.get(src);
  const fresh = src + "?t=" + Date.now();
  if (!img) {
    img = el("img", {src: fresh, alt: alt, width: 460});
    chartImages.set(src, img);
    return img;
  }
  const next = new Image();
  next.onload = () => { img.src = next.src; };
  next.src = fresh;
  return img;
}
function when(t) {
  return t ? new Date(t * 1000).toLocaleTimeString() : "";
}
function itemRows(items) {
  return items.map(i => [i.id, i.stage, i.label || "(none)", i.confidence, when(i.done_at)]);
}

function renderPipeline(p) {
  const name = p.name, q = encodeURIComponent(name);
  const s = el("section", {class: "pipeline", "data-pipeline": name},
              el("h2", {}, "pipeline " + name));
  if (p.error) {
    s.append(el("p", {class: "note", "data-error-code": p.error.code},
                "cannot read this pipeline: " + p.error.code + ": " + p.error.message));
    return s;
  }
  const st = p.stats, a = p.analytics;
  s.append(el("div", {class: "cards"},
    card(name, "throughput", "items/s", p.throughput, 1),
    card(name, "items", "items (analytics)", a ? a.items : null),
    card(name, "completed", "completed", st.completed),
    card(name, "in_flight", "in flight", st.in_flight),
    card(name, "queue_depth", "queue depth", st.queue_depth),
    card(name, "retries", "retries", st.retries),
    card(name, "dead_letters", "dead letters", st.dead_letters),
    card(name, "latency_p50", "latency p50 ms", st.latency_ms.p50, 3),
    card(name, "latency_p99", "latency p99 ms", st.latency_ms.p99, 3),
    card(name, "accuracy", "feedback accuracy", a && a.feedback ? a.feedback.accuracy : null, 3)));
  const stageInfo = (a && a.stages) || {};
  s.append(el("h3", {}, "stages"), table(
    ["stage", "kind", "processed", "errors", "p50 ms", "p99 ms", "retries", "dead letters"],
    st.stages.map(g => [g.name, g.kind, g.processed, g.errors, g.latency_ms.p50, g.latency_ms.p99,
                        (stageInfo[g.name] || {}).retries, (stageInfo[g.name] || {}).dead_letters]),
    {"data-table": "stages"}));
  if (!a) {
    s.append(el("p", {class: "note", "data-note": "analytics-off"}, p.analytics_note));
    return s;
  }
  const charts = el("div", {class: "charts"});
  for (const [stage, info] of Object.entries(a.stages)) {
    if (info.kind !== "classify") continue;
    const base = "chart/" + q + "/" + encodeURIComponent(stage);
    charts.append(chart(base + "/labels.svg", stage + " labels per minute"),
                  chart(base + "/confidence.svg", stage + " confidence"));
  }
  charts.append(chart("chart/" + q + "/routes.svg", "routes"));
  s.append(el("h3", {}, "charts"), charts);
  const metric = (key, value) => el("span", {"data-pipeline": name, "data-metric": key}, value);
  const labelRows = [];
  for (const [stage, info] of Object.entries(a.stages))
    for (const [label, l] of Object.entries(info.labels || {}))
      labelRows.push([stage, label || "(none)", metric("label:" + stage + ":" + label, l.count),
                      l.mean_confidence]);
  const versions = [];
  for (const [stage, byVersion] of Object.entries(a.feedback.versions || {}))
    for (const [v, f] of Object.entries(byVersion))
      versions.push([stage, v, f.n, f.accuracy, f.macro_f1]);
  const items = ["id", "stage", "label", "confidence", "done"];
  s.append(el("div", {class: "tables"},
    block("labels", table(["stage", "label", "count", "mean confidence"], labelRows,
                          {"data-table": "labels"})),
    block("routes", table(["from", "to", "count"], a.routes.map(r =>
      [r.from, r.to, metric("route:" + r.from + ":" + r.to, r.count)]), {"data-table": "routes"})),
    block("accuracy per model version (feedback: " + a.feedback.total + ")",
          table(["stage", "version", "n", "accuracy", "macro F1"], versions,
                {"data-table": "versions"})),
    block("urgent (" + a.urgent.length + ")",
          table(items, itemRows(a.urgent), {"data-table": "urgent"})),
    block("needs review (" + a.needs_review.length + ")",
          table(items, itemRows(a.needs_review), {"data-table": "needs_review"})),
    block("newest dead letters", table(["id", "stage", "error", "attempts", "failed"],
      p.dead_letter_list.map(d => [d.id, d.stage, d.error, d.attempts, when(d.failed_at)]),
      {"data-table": "dead_letter_list"}))));
  return s;
}

function render(snap) {
  const models = document.getElementById("models");
  models.replaceChildren(table(["model", "kind", "version"],
    snap.models.map(m => [m.name, m.kind, m.version]), {"data-table": "models"}));
  const box = document.getElementById("pipelines");
  if (!snap.pipelines.length) {
    box.replaceChildren(el("p", {class: "note", id: "no-pipelines"}, "no pipelines yet"));
  } else {
    box.replaceChildren(...snap.pipelines.map(renderPipeline));
  }
  document.getElementById("status").textContent =
    "updated " + new Date(snap.generated_at * 1000).toLocaleTimeString() +
    " (" + snap.mode + " engine)";
  document.body.setAttribute("data-ready", "1");
}

async function refresh() {
  try {
    const response = await fetch("api/snapshot", {cache: "no-store"});
    const body = await response.json();
    if (!response.ok)
      throw new Error(body.error ? body.error.code + ": " + body.error.message : response.status);
    render(body);
    showError("");
  } catch (e) {
    showError("refresh failed: " + e.message);
  } finally {
    setTimeout(refresh, REFRESH_MS);
  }
}
refresh();
"""

PAGE = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>classiflow dashboard</title>
<link rel="icon" href="data:,">
<style>{_CSS}</style></head>
<body>
<h1>classiflow dashboard</h1>
<div id="status">loading\u2026</div>
<div id="errors" role="alert"></div>
<h2>models</h2><div id="models"></div>
<div id="pipelines"></div>
<script>{_SCRIPT % {"refresh": REFRESH_MS}}</script>
</body></html>
"""
