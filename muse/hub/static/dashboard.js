// Muse Coord live dashboard. Plain JS, no build step, nothing loaded from elsewhere.
//
// Everything shown comes from records other agents wrote, so it is hostile:
// it reaches the page only as text nodes (textContent / append(string)) and
// never as markup, attribute URLs or styles.
"use strict";

(function () {
  const app = document.getElementById("app");
  if (!app) return;
  const [owner, slug] = (app.dataset.repo || "/").split("/");
  const API = "/api/v1/repos/" + encodeURIComponent(owner) + "/" + encodeURIComponent(slug) +
    "/dashboard";
  const SESSION = "/repos/" + encodeURIComponent(owner) + "/" + encodeURIComponent(slug) +
    "/session";
  const SECTIONS = ["subsystems", "files", "conflicts", "tasks", "runs", "reservations"];
  const LIMITS = { subsystems: 12, files: 12, conflicts: 12, tasks: 15, runs: 15, reservations: 12 };
  const TASK_TABS = ["", "ready", "blocked", "claimed", "completed", "failed", "pending"];
  const SEVERITIES = ["high", "medium", "low"];

  // ── view state, mirrored in the address bar so a filtered view can be shared ──
  const view = { path: "", run: "", q: "", depth: 2, severity: "", task_status: "",
                 run_sort: "age", offsets: {} };
  SECTIONS.forEach((s) => { view.offsets[s] = 0; });
  (function readLocation() {
    const p = new URLSearchParams(location.search);
    ["path", "run", "q", "severity", "task_status", "run_sort"].forEach((k) => {
      if (p.has(k)) view[k] = p.get(k);
    });
    const depth = parseInt(p.get("depth") || "", 10);
    if (depth >= 1 && depth <= 8) view.depth = depth;
  })();

  function query(withPages) {
    const p = new URLSearchParams();
    ["path", "run", "q", "severity", "task_status"].forEach((k) => { if (view[k]) p.set(k, view[k]); });
    if (view.depth !== 2) p.set("depth", String(view.depth));
    if (view.run_sort !== "age") p.set("run_sort", view.run_sort);
    if (withPages) {
      SECTIONS.forEach((s) => {
        p.set(s + "_limit", String(LIMITS[s]));
        if (view.offsets[s]) p.set(s + "_offset", String(view.offsets[s]));
      });
    }
    return p.toString();
  }

  // ── tiny DOM helpers (text only) ──
  function el(tag, props, ...children) {
    const e = document.createElement(tag);
    if (props) {
      for (const [k, v] of Object.entries(props)) {
        if (v === undefined || v === null || v === false) continue;
        if (k === "class") e.className = v;
        else if (k === "text") e.textContent = v;
        else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
        else e.setAttribute(k, v);
      }
    }
    for (const c of children) {
      if (c === undefined || c === null || c === false) continue;
      e.append(c instanceof Node ? c : String(c));
    }
    return e;
  }
  const svgNS = "http://www.w3.org/2000/svg";
  function svg(tag, attrs) {
    const e = document.createElementNS(svgNS, tag);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, String(v));
    return e;
  }
  const fmt = (n) => (n === null || n === undefined ? "–" : Number(n).toLocaleString("en-US"));
  function duration(s) {
    if (s === null || s === undefined) return "–";
    const neg = s < 0;
    s = Math.abs(Math.round(s));
    let out;
    if (s < 60) out = s + "s";
    else if (s < 3600) out = Math.floor(s / 60) + "m " + (s % 60) + "s";
    else if (s < 86400) out = Math.floor(s / 3600) + "h " + Math.floor((s % 3600) / 60) + "m";
    else out = Math.floor(s / 86400) + "d";
    return neg ? "−" + out : out;
  }

  // ── skeleton (built once; sections are refilled on every summary) ──
  const status = el("span", { id: "live", class: "live connecting", text: "connecting" });
  const seq = el("span", { id: "seq" });
  const hubTime = el("span", { id: "hub-time" });
  const viewer = el("span", { class: "viewer", text: app.dataset.viewer || "" });
  const signOut = app.dataset.signedIn === "1"
    ? el("button", { id: "sign-out", type: "button", onclick: doSignOut, text: "sign out" }) : null;
  const header = el("header", null,
    el("div", { class: "title" }, el("span", { class: "brand", text: "Muse Coord" }),
       el("h1", { id: "repo-name", text: owner + "/" + slug })),
    el("div", { class: "meta" }, status, seq, hubTime, viewer, signOut));

  const fPath = el("input", { id: "f-path", type: "search", placeholder: "path prefix: kernel/sched/",
                              value: view.path, maxlength: "300" });
  const fRun = el("input", { id: "f-run", type: "search", placeholder: "run id contains…",
                             value: view.run, maxlength: "300" });
  const fQ = el("input", { id: "f-q", type: "search", placeholder: "task contains…", value: view.q,
                           maxlength: "300" });
  const depthSel = el("select", { id: "f-depth", title: "directory levels per subsystem" },
    ...[1, 2, 3, 4, 5].map((d) => el("option", { value: String(d), text: "depth " + d })));
  depthSel.value = String(view.depth);
  const form = el("form", { id: "filters", class: "filters", onsubmit: (ev) => {
    ev.preventDefault();
    setView({ path: fPath.value.trim(), run: fRun.value.trim(), q: fQ.value.trim(),
              depth: parseInt(depthSel.value, 10) });
  } }, fPath, fRun, fQ, depthSel,
  el("button", { type: "submit", text: "Apply" }),
  el("button", { type: "button", class: "ghost", text: "Clear", onclick: () => {
    fPath.value = ""; fRun.value = ""; fQ.value = "";
    setView({ path: "", run: "", q: "", severity: "", task_status: "", depth: 2 });
    depthSel.value = "2";
  } }));
  const notice = el("div", { id: "notice", class: "notice", hidden: "hidden" });

  const tiles = el("section", { id: "tiles", class: "tiles" });
  const chart = el("section", { id: "throughput", class: "card wide" });

  function card(id, title) {
    const head = el("div", { class: "card-head" }, el("h2", { text: title }));
    const tools = el("div", { class: "tools" });
    head.append(tools);
    const body = el("div", { class: "card-body" });
    const pager = el("div", { class: "pager", id: id + "-pager" });
    const c = el("section", { id, class: "card" }, head, body, pager);
    return { card: c, tools, body, pager, head };
  }
  const cards = {
    subsystems: card("subsystems", "Reservations by subsystem"),
    files: card("files", "Files"),
    conflicts: card("conflicts", "Predicted conflicts"),
    tasks: card("tasks", "Task queue"),
    runs: card("runs", "Live runs"),
    reservations: card("reservations", "Active reservations"),
  };
  const grid = el("div", { class: "grid" }, ...SECTIONS.map((s) => cards[s].card));
  const footer = el("footer", { id: "footer" });
  app.replaceChildren(header, form, notice, tiles, chart, grid, footer);

  // ── rendering ──
  function tile(id, label, value, cls, onclick) {
    return el(onclick ? "button" : "div", { class: "tile " + (cls || ""), id, type: onclick ? "button" : null,
                                            onclick },
      el("div", { class: "tile-value", text: value }), el("div", { class: "tile-label", text: label }));
  }

  function renderTiles(s) {
    const t = s.totals, f = s.filtered;
    const filtered = !!(view.path || view.run || view.q);
    const pred = filtered ? f.conflicts : t.predicted;
    const tasks = filtered ? f.tasks : t.tasks;
    tiles.replaceChildren(
      tile("t-active", filtered ? "reservations (filtered)" : "active reservations",
           fmt(filtered ? f.reservations : t.active_reservations)),
      tile("t-runs", filtered ? "runs (filtered)" : "live runs", fmt(filtered ? f.runs : t.live_runs)),
      tile("t-high", "high-risk conflicts", fmt(pred.high), pred.high ? "sev-high" : "",
           () => setView({ severity: "high" })),
      tile("t-medium", "medium", fmt(pred.medium), pred.medium ? "sev-medium" : "",
           () => setView({ severity: "medium" })),
      tile("t-low", "low", fmt(pred.low), "", () => setView({ severity: "low" })),
      tile("t-ready", "tasks ready", fmt(tasks.ready), "", () => setView({ task_status: "ready" })),
      tile("t-blocked", "blocked", fmt(tasks.blocked), "", () => setView({ task_status: "blocked" })),
      tile("t-claimed", "claimed", fmt(tasks.claimed), "st-claimed", () => setView({ task_status: "claimed" })),
      tile("t-completed", "completed", fmt(tasks.completed), "st-completed",
           () => setView({ task_status: "completed" })),
      tile("t-failed", "failed", fmt(tasks.failed), tasks.failed ? "st-failed" : "",
           () => setView({ task_status: "failed" })),
      tile("t-records", "records", fmt(t.records)),
      tile("t-rate", "records/s (" + Math.round((s.throughput.rate_window || 300) / 60) + " min)", s.throughput.per_second === null ? "–" : fmt(s.throughput.per_second)));
  }

  function renderChart(tp) {
    const W = 1000, H = 100, n = tp.counts.length;
    const max = Math.max(1, ...tp.counts);
    const bw = W / n;
    const g = svg("svg", { viewBox: "0 0 " + W + " " + H, preserveAspectRatio: "none", class: "bars",
                           role: "img", "aria-label": "records per minute, last hour" });
    tp.counts.forEach((c, i) => {
      const h = c ? Math.max(2, (c / max) * (H - 4)) : 0;
      const r = svg("rect", { x: i * bw + 1.5, y: H - h, width: Math.max(1, bw - 3), height: h,
                              class: i === n - 1 ? "bar now" : "bar" });
      const title = svg("title");
      const start = new Date((tp.start + i * tp.bucket_seconds) * 1000);
      title.textContent = start.toISOString().slice(11, 16) + " UTC: " + fmt(c) + " records";
      r.append(title);
      g.append(r);
    });
    const minutes = Math.round((n * tp.bucket_seconds) / 60);
    const kinds = Object.entries(tp.by_kind).map(([k, v]) => fmt(v) + " " + k + (v === 1 ? "" : "s"));
    chart.replaceChildren(
      el("div", { class: "card-head" }, el("h2", { text: "Throughput: records per minute" }),
         el("div", { class: "tools muted", text: kinds.length ? "last " + minutes + " min: " + kinds.join(" · ") : "no records in the last hour" })),
      el("div", { class: "chart" },
         el("div", { class: "ymax", text: "peak " + fmt(max) + "/min" }), g,
         el("div", { class: "xaxis" }, el("span", { text: "−" + minutes + " min" }),
            el("span", { text: "−" + Math.round(minutes / 2) + " min" }), el("span", { text: "now" }))));
  }

  function table(columns, rows, rowProps) {
    const head = el("tr", null, ...columns.map((c) => el("th", { class: c.num ? "num" : null, text: c.title })));
    const body = rows.map((r) => el("tr", rowProps ? rowProps(r) : null,
      ...columns.map((c) => {
        const v = c.value(r);
        return el("td", { class: [c.num ? "num" : null, c.cls].filter(Boolean).join(" ") || null }, v instanceof Node ? v : (v === null || v === undefined ? "–" : String(v)));
      })));
    if (!rows.length) body.push(el("tr", null, el("td", { colspan: String(columns.length), class: "empty", text: "nothing here" })));
    return el("table", null, el("thead", null, head), el("tbody", null, ...body));
  }

  function pager(section, page) {
    const p = cards[section].pager;
    if (page.total <= page.limit && page.offset === 0) {
      p.replaceChildren(el("span", { class: "muted", text: fmt(page.total) + " in all" }));
      return;
    }
    const last = Math.min(page.total, page.offset + page.items.length);
    const go = (offset) => { view.offsets[section] = Math.max(0, offset); reconnect(); };
    p.replaceChildren(
      el("button", { type: "button", class: "ghost", disabled: page.offset === 0 ? "disabled" : null,
                     onclick: () => go(page.offset - page.limit), text: "‹ prev" }),
      el("span", { class: "range", text: fmt(page.items.length ? page.offset + 1 : 0) + "–" + fmt(last) + " of " + fmt(page.total) }),
      el("button", { type: "button", class: "ghost", disabled: last >= page.total ? "disabled" : null,
                     onclick: () => go(page.offset + page.limit), text: "next ›" }));
  }

  function badge(text, cls) { return el("span", { class: "badge " + (cls || ""), text }); }
  function link(text, onclick, title) {
    return el("button", { type: "button", class: "linkish", onclick, title: title || null, text });
  }
  function sevRow(sev) { return sev ? { class: "sev-" + sev } : null; }

  function renderSubsystems(s) {
    const c = cards.subsystems;
    c.tools.replaceChildren(view.path ? el("span", { class: "crumb" }, "in ", el("code", { text: view.path }), " ",
      link("×", () => { fPath.value = ""; setView({ path: "", depth: 2 }); }, "clear path")) : "");
    c.body.replaceChildren(table([
      { title: "subsystem", value: (r) => link(r.name, () => {
        const depth = r.name === "." ? view.depth : r.name.split("/").length + 1;
        fPath.value = r.name === "." ? "" : r.name + "/";
        depthSel.value = String(Math.min(depth, 5));
        setView({ path: fPath.value, depth: Math.min(depth, 5) });
      }, "show only " + r.name) },
      { title: "reservations", num: true, value: (r) => fmt(r.reservations) },
      { title: "symbols", num: true, value: (r) => fmt(r.symbols) },
      { title: "files", num: true, value: (r) => fmt(r.files) },
      { title: "runs", num: true, value: (r) => fmt(r.runs) },
      { title: "conflicts", value: (r) => r.severity ? badge((r.conflict_files ? fmt(r.conflict_files) + " file" + (r.conflict_files === 1 ? "" : "s") + " · " : "") + r.severity, "sev-" + r.severity) : "" },
    ], s.subsystems.items, (r) => sevRow(r.severity === "low" ? null : r.severity)));
    pager("subsystems", s.subsystems);
  }

  function renderFiles(s) {
    const c = cards.files;
    c.body.replaceChildren(table([
      { title: "file", cls: "mono", value: (r) => link(r.path, () => { fPath.value = r.path; setView({ path: r.path }); }) },
      { title: "symbols", num: true, value: (r) => fmt(r.symbols) },
      { title: "runs", num: true, value: (r) => fmt(r.runs) },
      { title: "risk", value: (r) => r.severity ? badge(r.severity, "sev-" + r.severity) : "" },
    ], s.files.items, (r) => sevRow(r.severity === "low" ? null : r.severity)));
    pager("files", s.files);
  }

  function runList(runs, total) {
    const span = el("span", { class: "runs" });
    runs.forEach((r, i) => { if (i) span.append(", "); span.append(link(r, () => { fRun.value = r; setView({ run: r }); })); });
    if (total > runs.length) span.append(" +" + fmt(total - runs.length));
    return span;
  }

  function renderConflicts(s) {
    const c = cards.conflicts;
    const counts = s.filtered.conflicts;
    c.tools.replaceChildren(...["", ...SEVERITIES].map((sev) => el("button", {
      type: "button", class: "chip" + (view.severity === sev ? " on" : "") + (sev ? " sev-" + sev : ""),
      onclick: () => setView({ severity: sev }),
      text: (sev || "all") + " " + fmt(sev ? counts[sev] : counts.high + counts.medium + counts.low) })));
    c.body.replaceChildren(table([
      { title: "risk", value: (r) => badge(r.severity, "sev-" + r.severity) },
      { title: "target", cls: "mono", value: (r) => r.target },
      { title: "runs", value: (r) => runList(r.runs, r.run_count) },
      { title: "why", value: (r) => r.kind + ": " + r.reason },
    ], s.conflicts.items, (r) => ({ class: "sev-" + r.severity, "data-target": r.target })));
    pager("conflicts", s.conflicts);
  }

  function renderTasks(s) {
    const c = cards.tasks;
    const counts = s.filtered.tasks;
    const all = counts.pending + counts.claimed + counts.completed + counts.failed;
    c.tools.replaceChildren(...TASK_TABS.map((st) => el("button", {
      type: "button", class: "chip" + (view.task_status === st ? " on" : "") + (st ? " st-" + st : ""),
      id: "tab-" + (st || "all"), onclick: () => setView({ task_status: st }),
      text: (st || "all") + " " + fmt(st ? counts[st] : all) })));
    c.body.replaceChildren(table([
      { title: "task", value: (r) => el("div", null, el("div", { class: "mono", text: r.task_id }),
        el("div", { class: "muted small", text: r.description + (r.detail ? " — " + r.detail : "") })) },
      { title: "status", value: (r) => badge(r.status === "pending" ? (r.ready ? "ready" : "blocked") : r.status,
                                             "st-" + (r.status === "pending" ? (r.ready ? "ready" : "blocked") : r.status)) },
      { title: "prio", num: true, value: (r) => r.priority },
      { title: "tries", num: true, value: (r) => r.attempts },
      { title: "holder", value: (r) => r.holder ? runList([r.holder], 1) : "" },
      // The fencing token the holder presents to complete or fail the task.
      { title: "token", num: true, cls: "mono token", value: (r) => r.token === null ? "" : String(r.token) },
      { title: "depends on", cls: "mono small", value: (r) => {
        if (!r.depends_on.length) return "";
        const span = el("span");
        r.depends_on.forEach((d, i) => {
          if (i) span.append(", ");
          span.append(el("span", { class: r.blocked_by.includes(d) ? "waiting" : "met", text: d }));
        });
        return span;
      } },
    ], s.tasks.items, (r) => ({ "data-task": r.task_id, "data-status": r.status })));
    pager("tasks", s.tasks);
  }

  function renderRuns(s) {
    const c = cards.runs;
    const sortSel = el("select", { id: "run-sort", onchange: (ev) => setView({ run_sort: ev.target.value }) },
      el("option", { value: "age", text: "stalest heartbeat first" }),
      el("option", { value: "load", text: "most symbols first" }),
      el("option", { value: "name", text: "by name" }));
    sortSel.value = view.run_sort;
    c.tools.replaceChildren(el("span", { class: "muted", text: fmt(s.filtered.runs_alive) + " heartbeating · " }), sortSel);
    c.body.replaceChildren(table([
      { title: "run", cls: "mono", value: (r) => link(r.run_id, () => { fRun.value = r.run_id; setView({ run: r.run_id }); }) },
      { title: "heartbeat", cls: "nowrap", value: (r) => el("span", { class: r.alive ? "" : "stale",
        text: r.heartbeat_age === null ? "never" : duration(r.heartbeat_age) + " ago" }) },
      { title: "lease", cls: "nowrap", value: (r) => r.lease_expires_in === null ? "–" : (r.lease_expires_in > 0 ? "for " + duration(r.lease_expires_in) : "lapsed") },
      { title: "reservations", num: true, value: (r) => fmt(r.reservations) },
      { title: "symbols", num: true, value: (r) => fmt(r.symbols) },
      { title: "tasks", num: true, value: (r) => fmt(r.tasks) },
    ], s.runs.items, (r) => (r.alive ? null : { class: "stale-row" })));
    pager("runs", s.runs);
  }

  function renderReservations(s) {
    const c = cards.reservations;
    c.body.replaceChildren(table([
      { title: "run", cls: "mono nowrap", value: (r) => runList([r.run_id], 1) },
      { title: "symbols", cls: "mono small", value: (r) => r.symbols.slice(0, 2).join(", ") + (r.symbol_count > 2 ? " +" + (r.symbol_count - 2) + " more" : "") },
      { title: "expires", cls: "nowrap", value: (r) => r.expires_in === null ? "–" : "in " + duration(r.expires_in) },
      { title: "token", num: true, cls: "mono token", value: (r) => r.token === null ? "–" : String(r.token) },
      { title: "", value: (r) => r.conflict ? badge("conflict", "sev-medium") : "" },
    ], s.reservations.items, (r) => ({ class: r.conflict ? "conflict" : null, title: r.reservation_id,
                                       "data-reservation": r.reservation_id })));
    pager("reservations", s.reservations);
  }

  let lastSummary = null;
  function render(s) {
    lastSummary = s;
    document.body.dataset.seq = String(s.seq);
    seq.textContent = "seq " + fmt(s.seq);
    hubTime.textContent = "hub time " + s.now.slice(11, 19) + " UTC";
    renderTiles(s);
    renderChart(s.throughput);
    renderSubsystems(s);
    renderFiles(s);
    renderConflicts(s);
    renderTasks(s);
    renderRuns(s);
    renderReservations(s);
    footer.textContent = fmt(s.totals.records) + " records · derived in " + s.derive_ms + " ms" +
      (s.totals.problems ? " · " + fmt(s.totals.problems) + " unusable records skipped" : "");
  }

  // ── live updates: one EventSource per view; a changed view reopens it ──
  let source = null;
  function setStatus(text, cls) { status.textContent = text; status.className = "live " + cls; }
  function showNotice(text) { notice.textContent = text; notice.hidden = !text; }
  function reconnect() {
    if (source) source.close();
    const q = query(true);
    history.replaceState(null, "", location.pathname + (query(false) ? "?" + query(false) : ""));
    setStatus("connecting", "connecting");
    source = new EventSource(API + "/events?" + q);
    let planned = false;  // the hub ends streams now and then; EventSource reconnects
    source.addEventListener("open", () => { planned = false; setStatus("live", "on"); });
    source.addEventListener("reconnect", () => { planned = true; });
    source.addEventListener("summary", (ev) => {
      planned = false;
      setStatus("live", "on");
      showNotice("");
      try { render(JSON.parse(ev.data)); } catch (err) { showNotice("could not show an update: " + err); }
    });
    const stop = (why) => (ev) => {
      source.close();
      setStatus("offline", "off");
      let msg = why;
      try { msg = why + ": " + JSON.parse(ev.data).message; } catch (e) { /* keep why */ }
      showNotice(msg + " — reload the page (or make a new link) to continue.");
    };
    source.addEventListener("denied", stop("access ended"));
    source.addEventListener("expired", stop("sign-in expired"));
    source.addEventListener("error", () => {
      // EventSource retries by itself; a refused reconnect (401/403) closes it.
      if (source.readyState === EventSource.CLOSED) {
        setStatus("offline", "off");
        fetch(API + "?" + q, { credentials: "same-origin" }).then((r) => {
          if (!r.ok) return r.json().then((j) => showNotice(j.message || ("HTTP " + r.status)));
          return r.json().then(render);
        }).catch(() => showNotice("the hub cannot be reached"));
      } else if (!planned) {
        setStatus("reconnecting", "connecting");
      }
    });
  }

  function setView(changes) {
    let reset = false;
    for (const [k, v] of Object.entries(changes)) {
      if (view[k] !== v) { view[k] = v; reset = true; }
    }
    if (!reset) return;
    SECTIONS.forEach((s) => { view.offsets[s] = 0; });
    reconnect();
  }

  function doSignOut() {
    fetch(SESSION, { method: "DELETE", credentials: "same-origin" }).then(() => location.reload());
  }

  reconnect();
})();
