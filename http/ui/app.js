// The logbase dashboard: plain JavaScript modules, no framework, no build
// step. Everything the server sends (names, types, messages) reaches the
// page through textContent or SVG text nodes, never as HTML.

import { api, ApiError, forgetToken, onUnauthorized, rememberToken, token }
  from "./api.js";
import { drawChart } from "./chart.js";
import { $, el, toast } from "./dom.js";
import { eventKey, instantKey, showInstant } from "./instants.js";

const PAGE = 1000;          // accounts per GET /accounts
const MAX_ACCOUNTS = 20000; // the list stops loading there
const ROWS = 100;           // events shown
const DAYS = 30;            // days in the chart (the events' retention)

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

// -- errors -------------------------------------------------------------------

function report(e) {
  if (e instanceof ApiError && e.status === 401) return; // the token form says it
  if (e instanceof ApiError && e.status === 403) {
    toast("Your token's role may not do that (403).");
    return;
  }
  toast(e.message || String(e));
}

onUnauthorized.ask = askForToken;

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
  rememberToken(value);
  $("token-input").value = "";
  start();
});

$("forget-token").addEventListener("click", () => {
  forgetToken();
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
  drawChart($("chart"), days, stats);
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
