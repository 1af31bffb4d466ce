// shrinksearch page: vanilla JS over the JSON API.
// Everything that comes from the index is crawled, untrusted text: it is inserted with
// textContent / createTextNode only, never innerHTML. Highlight fragments arrive escaped by
// Elasticsearch (encoder: html); they are split on <em>…</em> and their entities decoded
// into text nodes, so a "<script>" in a post stays the visible characters "<script>".
"use strict";

const FILTER_KEYS = ["blog", "author", "theme", "role", "kind", "since", "until"];
const STATE_KEYS = ["q", "sort", "mode", "page", "thread", "focus", ...FILTER_KEYS];
const FACET_TITLES = { kind: "Kind", role: "Role", blog: "Blog", theme: "Theme", author: "Author", year: "Year" };
const PAGE_SIZE = 10;
const $ = (id) => document.getElementById(id);

let state = { q: "", sort: "relevance", mode: "lexical", page: 1, filters: {} };
let themeLabels = {};

// --- DOM helpers ------------------------------------------------------------------------

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name === "class") node.className = value;
    else if (name === "href") { const safe = safeHref(value); if (safe) node.setAttribute("href", safe); }
    else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function safeHref(url) {
  // Crawled URLs could be "javascript:…"; only web links become links.
  if (typeof url !== "string") return null;
  if (url.startsWith("#")) return url;
  try {
    const parsed = new URL(url, window.location.href);
    return parsed.protocol === "http:" || parsed.protocol === "https:" ? parsed.href : null;
  } catch (e) {
    return null;
  }
}

const ENTITIES = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: "\u00a0" };

function decodeEntities(text) {
  return text.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (whole, code) => {
    if (code[0] === "#") {
      const n = code[1] === "x" || code[1] === "X" ? parseInt(code.slice(2), 16) : parseInt(code.slice(1), 10);
      return Number.isFinite(n) && n > 0 && n <= 0x10ffff ? String.fromCodePoint(n) : whole;
    }
    return ENTITIES[code.toLowerCase()] ?? whole;
  });
}

function highlighted(fragment) {
  // "<em>" and "</em>" are the only markup in a fragment; everything else is escaped text.
  const out = document.createDocumentFragment();
  const parts = String(fragment).split(/(<em>|<\/em>)/);
  let inMark = false;
  for (const part of parts) {
    if (part === "<em>") { inMark = true; continue; }
    if (part === "</em>") { inMark = false; continue; }
    const text = document.createTextNode(decodeEntities(part));
    out.append(inMark ? el("em", {}, text) : text);
  }
  return out;
}

function clear(node) { node.replaceChildren(); return node; }
function fmtDate(iso) { return iso ? iso.slice(0, 10) : "undated"; }

// --- API ----------------------------------------------------------------------------------

async function api(path, params) {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params || {})) {
    for (const v of [].concat(value)) if (v !== null && v !== undefined && v !== "") query.append(key, v);
  }
  const response = await fetch(`${path}?${query}`, { headers: { Accept: "application/json" } });
  const body = await response.json().catch(() => ({ error: `HTTP ${response.status}` }));
  if (!response.ok) throw new Error(body.error || `HTTP ${response.status}`);
  return body;
}

function filterParams() {
  const out = {};
  for (const key of FILTER_KEYS) if (state.filters[key]) out[key] = state.filters[key];
  return out;
}

// --- state in the URL hash: back/forward and shareable links --------------------------------

// A link to /?q=…&kind=… (as search pages conventionally take them, and as the OpenSearch
// description builds them) opens that search: its state moves into the hash, where the page
// keeps it for back/forward. A hash already there is the newer state and wins.
function adoptQueryString() {
  const params = new URLSearchParams(window.location.search);
  const kept = new URLSearchParams();
  for (const [key, value] of params) if (STATE_KEYS.includes(key)) kept.append(key, value);
  if (!kept.toString() || window.location.hash.length > 1) return;
  window.history.replaceState(null, "", `${window.location.pathname}#${kept}`);
}

// The Export links: the current query and filters, every match (or the "who" people), as a file.
function exportHref(format, what) {
  const params = new URLSearchParams({ q: state.q });
  if (state.sort !== "relevance") params.set("sort", state.sort);
  for (const [key, value] of Object.entries(filterParams())) for (const v of [].concat(value)) params.append(key, v);
  params.set("format", format);
  if (what) params.set("what", what);
  return `/api/export?${params}`;
}

function setExportLinks(what) {
  const prefix = what === "people" ? "export-people" : "export";
  for (const format of ["csv", "jsonl"]) $(`${prefix}-${format}`).setAttribute("href", exportHref(format, what));
}

function writeHash(extra) {
  const params = new URLSearchParams();
  if (state.q) params.set("q", state.q);
  if (state.sort !== "relevance") params.set("sort", state.sort);
  if (state.mode !== "lexical") params.set("mode", state.mode);
  if (state.page > 1) params.set("page", state.page);
  for (const [key, value] of Object.entries(filterParams())) for (const v of [].concat(value)) params.append(key, v);
  for (const [key, value] of Object.entries(extra || {})) params.set(key, value);
  const hash = params.toString();
  if (window.location.hash.slice(1) === hash) route();  // same state again: run it again
  else window.location.hash = hash;
}

function readHash() {
  const params = new URLSearchParams(window.location.hash.slice(1));
  state = {
    q: params.get("q") || "", sort: params.get("sort") || "relevance", mode: params.get("mode") || "lexical",
    page: Number(params.get("page")) || 1, filters: {},
  };
  for (const key of ["blog", "author", "theme"]) if (params.getAll(key).length) state.filters[key] = params.getAll(key);
  for (const key of ["role", "kind", "since", "until"]) if (params.get(key)) state.filters[key] = params.get(key);
  return params;
}

async function route() {
  const params = readHash();
  $("q").value = state.q;
  $("sort").value = state.sort;
  $("mode").value = state.mode;
  if (params.get("thread")) return showThread(params.get("thread"), params.get("focus"));
  showView("results");
  renderActiveFilters();
  if (state.q) return runSearch();
  clear($("hits")); $("documents").hidden = true; $("people").hidden = true;
  $("status").textContent = "Ask about a theme, e.g. “who discusses transference and vacations”.";
  loadFacets();
}

function showView(name) {
  $("results-view").hidden = name !== "results";
  $("thread-view").hidden = name !== "thread";
}

// --- search and who --------------------------------------------------------------------------

async function runSearch() {
  $("status").textContent = "Searching…";
  $("status").className = "";
  try {
    const result = await api("/api/search", { q: state.q, sort: state.sort, mode: state.mode, page: state.page, size: PAGE_SIZE, ...filterParams() });
    rememberThemeLabels(result.facets);
    renderHits(result);
    renderFacets(result.facets);
    if (result.query.intent === "who") renderPeople(await api("/api/who", { q: state.q, ...filterParams() }));
    else $("people").hidden = true;
  } catch (err) {
    showError(err);
  }
}

function showError(err) {
  $("status").textContent = err.message;
  $("status").className = "error";
  $("documents").hidden = true;
  $("people").hidden = true;
}

function understood(query) {
  const concepts = query.concepts.join(" · ");
  const all = query.match_all_concepts && query.concepts.length > 1 ? " (all of them)" : "";
  return `${concepts}${all}`;
}

function renderHits(result) {
  const list = clear($("hits"));
  $("documents").hidden = false;
  const mode = result.mode === "lexical" ? "" : ` (${result.mode})`;
  $("status").textContent = `${result.total} posts and comments about ${understood(result.query)}${mode}`;
  for (const hit of result.hits) list.append(hitItem(hit));
  setExportLinks();
  const pages = Math.max(1, Math.ceil(result.total / PAGE_SIZE));
  $("page-info").textContent = `page ${state.page} of ${pages}`;
  $("prev").disabled = state.page <= 1;
  $("next").disabled = state.page >= pages;
}

function hitItem(hit, extraClass) {
  const open = (event) => { event.preventDefault(); openThread(hit); };
  const titleLink = el("a", { href: "#", class: "open-thread", "data-id": hit.id, onclick: open }, hit.title || "(untitled)");
  const snippets = hit.snippets.map((s) => el("p", { class: "snippet" }, highlighted(s)));
  return el("li", { class: `hit ${extraClass || ""}`, "data-id": hit.id },
    el("h4", {}, el("span", { class: "badge" }, hit.kind), titleLink),
    el("div", { class: "meta" },
      `${hit.author} (${hit.author_role}) · ${hit.blog} · ${fmtDate(hit.published)}`,
      hit.concepts && hit.concepts.length ? ` · shows: ${hit.concepts.join(", ")}` : "",
      " · ", el("a", { href: hit.url, rel: "noopener noreferrer nofollow", target: "_blank" }, "original")),
    (hit.quoted_in || []).map((ref) => el("div", { class: "meta quoted-in" }, "quoted in “",
      el("a", { href: "#", onclick: (event) => { event.preventDefault(); openThread({ post_id: ref.id, id: ref.id }); } }, ref.title),
      `” by ${ref.author}`)),
    snippets,
    hit.themes.length ? el("div", { class: "meta" }, "themes: ", hit.themes.map((t) => themeLabels[t] || t).join(", ")) : null);
}

function renderPeople(who) {
  const list = clear($("people-list"));
  $("people").hidden = false;
  $("people-note").textContent = who.people.length ? who.note : `Nobody discusses all of: ${who.query.concepts.join(", ")}.`;
  setExportLinks("people");
  for (const person of who.people) {
    // "Anonymous" is many people: each anonymous comment is shown as its own person.
    const where = person.anonymous && person.evidence[0] ? ` (on “${person.evidence[0].title}”)` : "";
    list.append(el("li", { class: "person", "data-key": person.key },
      el("h4", {}, `${person.name}${where}`),
      el("div", { class: "meta" }, `${person.role} · ${person.blogs.join(", ")} · score ${person.score.toFixed(2)}`,
        ` · ${Object.entries(person.concept_scores).map(([c, v]) => `${c} ${v.toFixed(2)}`).join(", ")}`),
      el("ol", { class: "evidence" }, person.evidence.map((hit) => hitItem(hit, "evidence-hit")))));
  }
}

// --- facets and filters ------------------------------------------------------------------------

async function loadFacets() {
  try { renderFacets(await api("/api/facets", filterParams())); } catch (err) { showError(err); }
}

// Theme facets carry the taxonomy's labels; hits list theme ids, shown with those labels.
function rememberThemeLabels(facets) {
  for (const v of facets.theme || []) themeLabels[v.value] = v.label;
}

function renderFacets(facets) {
  const aside = clear($("facets"));
  for (const [name, title] of Object.entries(FACET_TITLES)) {
    const values = facets[name] || [];
    if (!values.length) continue;
    aside.append(el("h3", {}, title), el("ul", { "data-facet": name }, values.map((v) =>
      el("li", {}, el("button", { type: "button", onclick: () => addFilter(name, v.value) },
        el("span", {}, v.label),
        el("span", { class: "count" }, v.count))))));
  }
}

function addFilter(facet, value) {
  if (facet === "year") { state.filters.since = `${value}-01-01`; state.filters.until = `${value}-12-31`; }
  else if (facet === "role" || facet === "kind") state.filters[facet] = value;
  else state.filters[facet] = [...new Set([...(state.filters[facet] || []), value])];
  state.page = 1;
  writeHash();
}

function renderActiveFilters() {
  const box = clear($("active-filters"));
  for (const [key, value] of Object.entries(filterParams())) {
    for (const v of [].concat(value)) {
      box.append(el("button", { type: "button", title: "remove filter", onclick: () => removeFilter(key, v) }, `${key}: ${v} ✕`));
    }
  }
}

function removeFilter(key, value) {
  const current = state.filters[key];
  if (Array.isArray(current)) state.filters[key] = current.filter((v) => v !== value);
  else delete state.filters[key];
  state.page = 1;
  writeHash();
}

// --- thread view -------------------------------------------------------------------------------

function openThread(hit) {
  writeHash({ thread: hit.post_id, focus: hit.id });
}

async function showThread(postId, focusId) {
  showView("thread");
  const post = clear($("thread-post"));
  clear($("thread-comments"));
  try {
    const thread = await api(`/api/thread/${encodeURIComponent(postId)}`);
    const p = thread.post;
    post.append(el("h2", {}, p.title),
      el("div", { class: "meta" }, `${p.author} · ${p.blog} · ${fmtDate(p.published)} · `,
        el("a", { href: p.url, rel: "noopener noreferrer nofollow", target: "_blank" }, "original")),
      el("p", { class: "text" }, p.text || ""));
    $("thread-count").textContent = `${thread.total_comments} comments`;
    $("thread-comments").append(...thread.comments.map((node) => commentItem(node, focusId)));
    const focus = document.querySelector(".comment.focus");
    if (focus) focus.scrollIntoView({ block: "center" });
  } catch (err) {
    post.append(el("p", { class: "error" }, err.message));
  }
}

function commentItem(node, focusId) {
  const c = node.comment;
  return el("li", {},
    el("div", { class: `comment ${c.id === focusId ? "focus" : ""}`, "data-id": c.id },
      el("div", { class: "meta" }, `${c.author} (${c.author_role}) · ${fmtDate(c.published)}`),
      el("p", { class: "text" }, c.text || "")),
    node.replies.length ? el("ol", { class: "comments" }, node.replies.map((r) => commentItem(r, focusId))) : null);
}

// --- timeline chart (inline SVG) ----------------------------------------------------------------

const SVG = "http://www.w3.org/2000/svg";
const COLOURS = ["#2f5d8a", "#c05746", "#4f8a3c", "#8a5aa6", "#c49a2c", "#3c8a88"];

function svg(tag, attrs, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  return node;
}

async function loadTimeline() {
  try { renderTimeline(await api("/api/themes/timeline", { interval: "year" })); } catch (err) { /* the chart is optional */ }
}

function renderTimeline(data) {
  const box = clear($("chart"));
  Object.assign(themeLabels, data.labels);
  if (!data.periods.length) return;
  const W = 640, H = 220, L = 36, R = 170, T = 12, B = 28;
  const max = Math.max(1, ...data.periods.flatMap((p) => data.themes.map((t) => p.counts[t])));
  const x = (i) => L + (data.periods.length === 1 ? 0 : (i * (W - L - R)) / (data.periods.length - 1));
  const y = (n) => T + (H - T - B) * (1 - n / max);
  const chart = svg("svg", { viewBox: `0 0 ${W} ${H}`, role: "img", "aria-label": "Theme mentions per year" });
  chart.append(svg("line", { x1: L, y1: y(0), x2: W - R, y2: y(0), stroke: "#d9dee6" }));
  chart.append(svg("text", { x: 4, y: y(max) + 4 }, String(max)), svg("text", { x: 4, y: y(0) }, "0"));
  data.periods.forEach((p, i) => chart.append(svg("text", { x: x(i) - 12, y: H - 8 }, p.period)));
  data.themes.forEach((theme, k) => {
    const colour = COLOURS[k % COLOURS.length];
    const points = data.periods.map((p, i) => `${x(i)},${y(p.counts[theme])}`).join(" ");
    chart.append(svg("polyline", { points, fill: "none", stroke: colour, "stroke-width": 2 }));
    chart.append(svg("rect", { x: W - R + 12, y: T + k * 18, width: 10, height: 10, fill: colour }));
    chart.append(svg("text", { x: W - R + 28, y: T + k * 18 + 9 }, data.labels[theme] || theme));
  });
  box.append(chart);
}

// --- wiring ------------------------------------------------------------------------------------

document.addEventListener("DOMContentLoaded", () => {
  $("search-form").addEventListener("submit", (event) => {
    event.preventDefault();
    state.q = $("q").value.trim();
    state.sort = $("sort").value;
    state.mode = $("mode").value;
    state.page = 1;
    writeHash();
  });
  $("prev").addEventListener("click", () => { state.page -= 1; writeHash(); });
  $("next").addEventListener("click", () => { state.page += 1; writeHash(); });
  $("back").addEventListener("click", () => window.history.back());
  window.addEventListener("hashchange", route);
  adoptQueryString();
  loadTimeline();
  route();
});
