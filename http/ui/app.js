// The logbase dashboard: plain JavaScript, no framework, no build step.
// Everything the server sends (names, types, messages) reaches the page
// through textContent or SVG text nodes, never as HTML.
"use strict";

(() => {
  const TOKEN_KEY = "logbase.token";
  const PAGE = 1000;          // accounts per GET /accounts
  const MAX_ACCOUNTS = 20000; // the list stops loading there
  const ROWS = 100;           // events shown
  const DAYS = 30;            // days in the chart (the events' retention)
  const COLORS = ["#3b6fd4", "#e07b39", "#3aa17e", "#c2467a", "#8a63d2",
                  "#d1a22c", "#4aa8c9", "#7d8a3a", "#b5523b", "#5b6b82"];

  const $ = (id) => document.getElementById(id);
  const SVG = "http://www.w3.org/2000/svg";

  const state = {
    accounts: [],
    truncated: false,
    current: null,    // the selected account {id, name, version}
    source: null,     // its EventSource
    generation: 0,    // bumps on each selection: late answers are dropped
    events: [],       // shown events, newest first
    listed: false,    // the past events have been listed
    pending: [],      // live events that came before the listing
    fresh: new Set(), // events that came live (highlighted)
    statsTimers: [],
  };

  // -- the API ----------------------------------------------------------------

  function token() {
    return sessionStorage.getItem(TOKEN_KEY) || "";
  }

  class ApiError extends Error {
    constructor(status, code, message) {
      super(message);
      this.status = status;
      this.code = code;
    }
  }

  async function api(method, path, body, headers) {
    const h = Object.assign({}, headers || {});
    if (token()) h["Authorization"] = "Bearer " + token();
    if (body !== undefined) h["Content-Type"] = "application/json";
    const res = await fetch(path, {
      method, headers: h,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    let data = null;
    if (text) {
      try { data = JSON.parse(text); } catch (e) { data = null; }
    }
    if (res.status === 401) {
      askForToken(token() ? "The server does not accept that token." : "");
      throw new ApiError(401, "unauthorized", "a token is needed");
    }
    if (!res.ok) {
      throw new ApiError(res.status, (data && data.error) || "http_" + res.status,
                         (data && data.message) || res.statusText);
    }
    return data;
  }

  function report(e) {
    if (e instanceof ApiError && e.status === 401) return; // the token form says it
    if (e instanceof ApiError && e.status === 403) {
      toast("Your token's role may not do that (403).");
      return;
    }
    toast(e.message || String(e));
  }

  let toastTimer = 0;
  function toast(text) {
    const t = $("toast");
    t.textContent = text;
    t.hidden = false;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(() => { t.hidden = true; }, 5000);
  }

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  // -- the token --------------------------------------------------------------

  function askForToken(error) {
    closeStream();
    $("main").hidden = true;
    $("token-panel").hidden = false;
    $("token-error").textContent = error || "";
    $("forget-token").hidden = !token();
    $("token-input").focus();
  }

  $("token-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    const value = $("token-input").value.trim();
    if (!value) return;
    sessionStorage.setItem(TOKEN_KEY, value);
    $("token-input").value = "";
    start();
  });

  $("forget-token").addEventListener("click", () => {
    sessionStorage.removeItem(TOKEN_KEY);
    location.reload();
  });

  // -- server status ----------------------------------------------------------

  async function showReadiness() {
    const s = $("server-status");
    try {
      const res = await fetch("/ready");
      const body = await res.json();
      if (res.ok) {
        s.textContent = "ready";
        s.className = "pill ok";
      } else {
        s.textContent = "restoring " + body.restored + "/" + body.total;
        s.className = "pill warn";
      }
    } catch (e) {
      s.textContent = "unreachable";
      s.className = "pill bad";
    }
  }

  // -- accounts ---------------------------------------------------------------

  async function loadAccounts() {
    const all = [];
    let after = 0;
    for (;;) {
      const page = await api("GET", "/accounts?limit=" + PAGE + "&after=" + after);
      all.push(...page);
      if (page.length < PAGE || all.length >= MAX_ACCOUNTS) {
        state.truncated = page.length === PAGE;
        break;
      }
      after = page[page.length - 1].id;
    }
    state.accounts = all;
    renderAccounts();
  }

  function renderAccounts() {
    const query = $("search").value.trim().toLowerCase();
    const list = $("account-list");
    const shown = state.accounts.filter((a) =>
      !query || a.name.toLowerCase().includes(query) || String(a.id).startsWith(query));
    const items = shown.slice(0, 500).map((a) => {
      const li = el("li");
      const b = el("button", "account-item");
      b.type = "button";
      b.dataset.id = String(a.id);
      if (state.current && state.current.id === a.id) b.classList.add("selected");
      b.append(el("span", "name", a.name), el("span", "id", "#" + a.id));
      b.addEventListener("click", () => select(a.id));
      li.append(b);
      return li;
    });
    list.replaceChildren(...items);
    $("account-count").textContent = String(state.accounts.length)
      + (state.truncated ? "+" : "");
    let note = "";
    if (!state.accounts.length) note = "No accounts yet.";
    else if (!shown.length) note = "No account matches.";
    else if (shown.length > items.length) note = "Showing 500 of " + shown.length + "; narrow the search.";
    if (state.truncated) note += (note ? " " : "") + "Only the first " + MAX_ACCOUNTS + " accounts are loaded.";
    $("list-note").textContent = note;
  }

  $("search").addEventListener("input", renderAccounts);

  $("create-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const name = $("create-name").value;
    try {
      const a = await api("POST", "/accounts", { name });
      $("create-name").value = "";
      state.accounts.push(a);
      state.accounts.sort((x, y) => x.id - y.id);
      renderAccounts();
      select(a.id);
    } catch (e) { report(e); }
  });

  // -- one account ------------------------------------------------------------

  async function select(id) {
    const generation = ++state.generation;
    closeStream();
    state.statsTimers.forEach(clearTimeout);
    state.statsTimers = [];
    let a;
    try {
      a = await api("GET", "/accounts/" + id);
    } catch (e) {
      if (generation !== state.generation) return;
      if (e instanceof ApiError && e.status === 404) toast("Account " + id + " does not exist.");
      else report(e);
      showAccount(null);
      return;
    }
    if (generation !== state.generation) return;
    history.replaceState(null, "", "?account=" + a.id);
    showAccount(a);
    openStream(a.id, generation);
    loadEvents(a.id, generation);
    loadStatistics(a.id, generation);
  }

  function showAccount(a) {
    state.current = a;
    $("empty").hidden = !!a;
    $("account").hidden = !a;
    if (!a) {
      history.replaceState(null, "", location.pathname);
      renderAccounts();
      return;
    }
    $("account").dataset.id = String(a.id);
    $("account-name").textContent = a.name;
    $("account-meta").textContent = "id " + a.id + " · version " + a.version;
    $("rename-name").value = a.name;
    const known = state.accounts.find((x) => x.id === a.id);
    if (known) Object.assign(known, a);
    renderAccounts();
  }

  $("rename-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const a = state.current;
    if (!a) return;
    try {
      const b = await api("PATCH", "/accounts/" + a.id, { name: $("rename-name").value },
                          { "If-Match": '"' + a.version + '"' });
      showAccount(b);
      toast("Renamed.");
    } catch (e) {
      if (e instanceof ApiError && e.status === 412) {
        toast("The account changed meanwhile: reloaded, try again.");
        select(a.id);
      } else report(e);
    }
  });

  $("delete-button").addEventListener("click", async () => {
    const a = state.current;
    if (!a || !confirm("Delete account " + a.id + " (" + a.name + ") and its events?")) return;
    try {
      await api("DELETE", "/accounts/" + a.id, undefined, { "If-Match": '"' + a.version + '"' });
      state.generation++;
      closeStream();
      state.accounts = state.accounts.filter((x) => x.id !== a.id);
      showAccount(null);
      toast("Deleted account " + a.id + ".");
    } catch (e) {
      if (e instanceof ApiError && e.status === 412) {
        toast("The account changed meanwhile: reloaded, try again.");
        select(a.id);
      } else report(e);
    }
  });

  // -- events -----------------------------------------------------------------

  // happenedAt as a sortable key: fractions padded to nanoseconds.
  function instantKey(text) {
    const m = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d+))?Z$/.exec(text);
    if (!m) return text;
    return m[1] + "." + (m[2] || "").padEnd(9, "0");
  }

  function eventKey(e) {
    return instantKey(e.happenedAt) + "|" + e.type;
  }

  function showInstant(text) {
    const m = /^(\d{4}-\d\d-\d\d)T(\d\d:\d\d:\d\d)(?:\.(\d+))?Z$/.exec(text);
    if (!m) return text;
    return m[1] + " " + m[2] + "." + (m[3] || "").padEnd(3, "0").slice(0, 3);
  }

  function setLive(stateName, label) {
    const live = $("live");
    live.dataset.state = stateName;
    live.textContent = label || stateName;
  }

  function closeStream() {
    if (state.source) {
      state.source.close();
      state.source = null;
    }
    setLive("off");
  }

  function openStream(id, generation) {
    const url = new URL("/accounts/" + id + "/events/stream", location.href);
    if (token()) url.searchParams.set("access_token", token()); // no headers here
    const source = new EventSource(url);
    state.source = source;
    setLive("connecting");
    source.onopen = () => setLive("live");
    source.onmessage = (m) => {
      if (generation !== state.generation) return;
      let e;
      try { e = JSON.parse(m.data); } catch (err) { return; }
      if (!state.listed) {
        state.pending.push(e);
        return;
      }
      addEvents([e], true);
      refreshStatisticsSoon(id, generation);
    };
    source.addEventListener("end", (m) => {
      source.close();
      let reason = "";
      try { reason = JSON.parse(m.data).reason; } catch (err) { reason = ""; }
      setLive("ended", "ended" + (reason ? ": " + reason : ""));
    });
    source.onerror = () => {
      if (source.readyState === EventSource.CLOSED) setLive("closed");
      else setLive("connecting", "reconnecting");
    };
  }

  async function loadEvents(id, generation) {
    state.events = [];
    state.listed = false;
    state.pending = [];
    state.fresh = new Set();
    $("events").dataset.loaded = "0";
    renderEvents();
    let list;
    try {
      list = await api("GET", "/accounts/" + id + "/events?limit=10000");
      if (list.length === 10000) { // too many to look through: the last hour
        const from = new Date(Date.now() - 3600e3).toISOString();
        list = await api("GET", "/accounts/" + id + "/events?limit=10000&from=" + from);
      }
    } catch (e) {
      if (generation === state.generation) report(e);
      return;
    }
    if (generation !== state.generation) return;
    // Live events that the listing holds already are not added twice.
    const listedKeys = new Map();
    for (const e of list) listedKeys.set(eventKey(e), (listedKeys.get(eventKey(e)) || 0) + 1);
    const early = state.pending.filter((e) => {
      const n = listedKeys.get(eventKey(e)) || 0;
      if (n) listedKeys.set(eventKey(e), n - 1);
      return !n;
    });
    state.listed = true;
    state.pending = [];
    addEvents(list, false);
    addEvents(early, true);
    $("events").dataset.loaded = "1";
  }

  function addEvents(list, live) {
    for (const e of list) {
      e.key = instantKey(e.happenedAt);
      if (live) state.fresh.add(e);
    }
    state.events = state.events.concat(list)
      .sort((x, y) => (x.key < y.key ? 1 : x.key > y.key ? -1 : 0))
      .slice(0, ROWS);
    renderEvents();
  }

  function renderEvents() {
    const rows = state.events.map((e) => {
      const tr = el("tr", state.fresh.has(e) ? "fresh" : "");
      tr.append(el("td", "time", showInstant(e.happenedAt)), el("td", "type", e.type));
      return tr;
    });
    $("events").tBodies[0].replaceChildren(...rows);
    $("events-note").textContent = !state.listed ? "Loading…"
      : state.events.length ? "Newest first; new events appear as they are written."
      : "No events yet; new ones appear here as they are written.";
  }

  // -- statistics -------------------------------------------------------------

  function dayString(date) {
    return date.toISOString().slice(0, 10);
  }

  function lastDays() {
    const days = [];
    const today = new Date();
    for (let i = DAYS - 1; i >= 0; --i) days.push(dayString(new Date(today.getTime() - i * 86400e3)));
    return days;
  }

  async function loadStatistics(id, generation) {
    const days = lastDays();
    let stats;
    try {
      stats = await api("GET", "/accounts/" + id + "/statistics?from=" + days[0]
                        + "&to=" + days[days.length - 1]);
    } catch (e) {
      if (generation === state.generation) report(e);
      return;
    }
    if (generation !== state.generation) return;
    drawChart(days, stats);
  }

  // After a live event: once soon, and once more for counts that come late.
  function refreshStatisticsSoon(id, generation) {
    if (state.statsTimers.length) return;
    state.statsTimers = [
      setTimeout(() => loadStatistics(id, generation), 250),
      setTimeout(() => {
        state.statsTimers = [];
        loadStatistics(id, generation);
      }, 2000),
    ];
  }

  function svg(tag, attrs, text) {
    const node = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, String(v));
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function niceMax(n) {
    if (n <= 4) return 4;
    const p = Math.pow(10, Math.floor(Math.log10(n)));
    for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= n) return m * p;
    return 10 * p;
  }

  function drawChart(days, stats) {
    const chart = $("chart");
    const totals = new Map(); // type -> count
    const perDay = new Map(); // day -> Map(type -> count)
    for (const s of stats) {
      totals.set(s.type, (totals.get(s.type) || 0) + s.count);
      if (!perDay.has(s.day)) perDay.set(s.day, new Map());
      perDay.get(s.day).set(s.type, s.count);
    }
    const types = [...totals.keys()].sort((a, b) => totals.get(b) - totals.get(a) || (a < b ? -1 : 1));
    const color = new Map(types.map((t, i) => [t, COLORS[i % COLORS.length]]));
    chart.dataset.types = String(types.length);

    const W = 760, H = 230, left = 44, right = 8, top = 10, bottom = 28;
    const plotW = W - left - right, plotH = H - top - bottom;
    let max = 0;
    for (const d of days) {
      let sum = 0;
      for (const c of (perDay.get(d) || new Map()).values()) sum += c;
      max = Math.max(max, sum);
    }
    const yMax = niceMax(max);
    const root = svg("svg", { viewBox: "0 0 " + W + " " + H, class: "chart", role: "img" });
    root.append(svg("title", {}, "Events per day and type, last " + DAYS + " days"));
    for (const frac of [0, 0.25, 0.5, 0.75, 1]) {
      const y = top + plotH - frac * plotH;
      root.append(svg("line", { x1: left, x2: W - right, y1: y, y2: y, class: "grid" }));
      const label = Number.isInteger(yMax * frac) ? String(yMax * frac) : (yMax * frac).toFixed(1);
      root.append(svg("text", { x: left - 6, y: y + 4, class: "axis", "text-anchor": "end" }, label));
    }
    const slot = plotW / days.length;
    const barW = Math.max(2, slot * 0.7);
    days.forEach((d, i) => {
      const x = left + i * slot + (slot - barW) / 2;
      let y = top + plotH;
      const counts = perDay.get(d) || new Map();
      for (const t of types) {
        const c = counts.get(t);
        if (!c) continue;
        const h = (c / yMax) * plotH;
        y -= h;
        const bar = svg("rect", { x: x, y: y, width: barW, height: Math.max(h, 0.5),
                                  fill: color.get(t), class: "bar" });
        bar.dataset.day = d;
        bar.dataset.type = t;
        bar.append(svg("title", {}, d + "  " + t + ": " + c));
        root.append(bar);
      }
      if (i % 5 === (days.length - 1) % 5) {
        root.append(svg("text", { x: left + i * slot + slot / 2, y: H - 8, class: "axis",
                                  "text-anchor": "middle" }, d.slice(5)));
      }
    });

    const legend = el("ul", "legend");
    for (const t of types) {
      const li = el("li");
      const swatch = el("span", "swatch");
      swatch.style.background = color.get(t);
      li.append(swatch, el("span", "type", t), el("span", "muted", String(totals.get(t))));
      legend.append(li);
    }
    const parts = [root];
    if (types.length) parts.push(legend);
    else parts.push(el("p", "muted small", "No events in these days."));
    chart.replaceChildren(...parts);
  }

  // -- start ------------------------------------------------------------------

  async function start() {
    showReadiness();
    try {
      await loadAccounts();
    } catch (e) {
      report(e);
      return;
    }
    $("token-panel").hidden = true;
    $("main").hidden = false;
    $("forget-token").hidden = !token();
    const wanted = new URLSearchParams(location.search).get("account");
    if (wanted && /^\d+$/.test(wanted)) select(Number(wanted));
  }

  setInterval(() => {
    showReadiness();
    if (state.current && state.listed) loadStatistics(state.current.id, state.generation);
  }, 15000);

  start();
})();
