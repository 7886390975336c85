// jobsync dashboard: plain JavaScript, no build step, no dependencies.
//
// Data flow: the list, the figures and the poller state are loaded over the
// REST API; /api/events (Server-Sent Events) updates rows as jobs change;
// running jobs get their stage, last log line and progress every 5 s; a
// conservative refresh every 30 s (with sync_active=true) covers anything
// the stream missed. Everything a job contains is written with textContent,
// never as HTML.

const INLINE_EVERY_MS = 5000;
const FALLBACK_EVERY_MS = 30000;
const CLOCK_EVERY_MS = 15000;
const PAGE_SIZE = 50;
const SEARCH_POOL = 500; // the API's largest page
const STATUSES = ['pending', 'uploading', 'queued', 'running', 'completed', 'failed', 'cancelled'];
const TOKEN_KEY = 'jobsync.api_token';

// -- icons (inline SVG, stroke style) ------------------------------------

const ICONS = {
  sync: '<path d="M20 12a8 8 0 0 1-13.66 5.66M4 12A8 8 0 0 1 17.66 6.34"/><path d="M18 2.5v4h-4M6 21.5v-4h4"/>',
  refresh: '<path d="M21 12a9 9 0 1 1-2.64-6.36"/><path d="M21 3v6h-6"/>',
  search: '<circle cx="11" cy="11" r="7"/><path d="m20 20-3.5-3.5"/>',
  close: '<path d="M6 6l12 12M18 6 6 18"/>',
  key: '<circle cx="8" cy="15" r="4"/><path d="m11 12 9-9M17 6l3 3M15 8l2 2"/>',
  inbox: '<path d="M3 13h5l2 3h4l2-3h5"/><path d="M5 5h14l2 8v6H3v-6z"/>',
  filter: '<path d="M4 5h16l-6 8v6l-4-2v-4z"/>',
  alert: '<circle cx="12" cy="12" r="9"/><path d="M12 7v6M12 16.5v.5"/>',
  stop: '<rect x="6" y="6" width="12" height="12" rx="2"/>',
  trash: '<path d="M4 7h16M9 7V4h6v3M6 7l1 13h10l1-13"/>',
  external: '<path d="M14 4h6v6M20 4l-9 9M18 14v6H4V6h6"/>',
};

function icon(name) {
  const span = document.createElement('span');
  span.className = 'icon';
  span.setAttribute('aria-hidden', 'true');
  // Static markup from the table above, never data.
  span.innerHTML = `<svg viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round">${ICONS[name]}</svg>`;
  return span;
}

// -- DOM helpers ---------------------------------------------------------

function h(tag, props, ...children) {
  const el = document.createElement(tag);
  if (props) {
    for (const [k, v] of Object.entries(props)) {
      if (v === undefined || v === null || v === false) continue;
      if (k === 'class') el.className = v;
      else if (k === 'text') el.textContent = v;
      else if (k === 'dataset') Object.assign(el.dataset, v);
      else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
      else el.setAttribute(k, v === true ? '' : String(v));
    }
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

const $ = (id) => document.getElementById(id);

// -- formatting ------------------------------------------------------------

const numberFmt = new Intl.NumberFormat('en-US');
const dayFmt = new Intl.DateTimeFormat('en-US', { month: 'short', day: 'numeric', timeZone: 'UTC' });
const exactFmt = new Intl.DateTimeFormat(undefined, {
  year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit',
  timeZoneName: 'short',
});

function parseTime(s) {
  if (!s) return null;
  const t = Date.parse(s);
  return Number.isNaN(t) ? null : t;
}

function relativeTime(t, now = Date.now()) {
  const s = Math.round((now - t) / 1000);
  if (s < 0) return 'just now';
  if (s < 45) return 'just now';
  if (s < 90) return '1 min ago';
  const m = Math.round(s / 60);
  if (m < 60) return `${m} min ago`;
  const hrs = Math.round(m / 60);
  if (hrs < 24) return `${hrs} h ago`;
  const d = Math.round(hrs / 24);
  if (d === 1) return 'yesterday';
  if (d < 30) return `${d} days ago`;
  return new Date(t).toLocaleDateString(undefined, { year: 'numeric', month: 'short', day: 'numeric' });
}

function exactTime(t) {
  return `${exactFmt.format(new Date(t))} (${new Date(t).toISOString()})`;
}

function formatDuration(seconds) {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  const hrs = Math.floor(m / 60);
  if (hrs < 48) return `${hrs}h ${String(m % 60).padStart(2, '0')}m`;
  return `${Math.floor(hrs / 24)}d ${hrs % 24}h`;
}

function formatMoney(x, { exact = false } = {}) {
  if (x === null || x === undefined || !Number.isFinite(x)) return '—';
  if (exact) return `$${x.toFixed(6).replace(/0{1,4}$/, '')}`;
  if (x === 0) return '$0.00';
  if (x < 0.01) return '<$0.01';
  return `$${x.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}

function providerLabel(p) {
  if (!p) return 'Local';
  return p.charAt(0).toUpperCase() + p.slice(1);
}

// The name people recognise: the config, else the model, else the id.
function jobTitle(job) {
  if (job.config_name) return { owner: '', name: job.config_name };
  const model = job.metadata && typeof job.metadata.model === 'string' ? job.metadata.model : '';
  if (model) {
    const slash = model.indexOf('/');
    return slash > 0 ? { owner: model.slice(0, slash + 1), name: model.slice(slash + 1) } : { owner: '', name: model };
  }
  return { owner: '', name: job.job_id };
}

function isActive(status) {
  return status === 'pending' || status === 'uploading' || status === 'queued' || status === 'running';
}

// Seconds the job has run: the server's figure for finished jobs, counted
// live for running ones.
function jobDuration(job, now = Date.now()) {
  const started = parseTime(job.started_at);
  if (job.status === 'running' && started !== null) return (now - started) / 1000;
  if (typeof job.duration_seconds === 'number') return job.duration_seconds;
  const done = parseTime(job.completed_at);
  if (started !== null && done !== null) return (done - started) / 1000;
  return null;
}

// -- API -------------------------------------------------------------------

class ApiError extends Error {
  constructor(status, code, detail) {
    super(detail);
    this.status = status;
    this.code = code;
    this.detail = detail;
  }
}

async function api(path, { method = 'GET', body } = {}) {
  const headers = { Accept: 'application/json' };
  if (state.token) headers.Authorization = `Bearer ${state.token}`;
  const init = { method, headers };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(path, init);
  } catch (e) {
    throw new ApiError(0, 'network', 'Cannot reach the jobsync server. Is it running?');
  }
  const text = await res.text();
  let data = null;
  if (text) {
    try { data = JSON.parse(text); } catch (e) { data = null; }
  }
  if (!res.ok) {
    const detail = (data && data.detail) || `${res.status} ${res.statusText || 'error'}`;
    const err = new ApiError(res.status, (data && data.error) || `http_${res.status}`, detail);
    if (res.status === 401) needToken(detail);
    throw err;
  }
  return data;
}

const jobPath = (id) => `/api/cloud/jobs/${encodeURIComponent(id)}`;

// -- state -----------------------------------------------------------------

const state = {
  token: readToken(),
  authRequired: false,
  config: { demo: false, version: '' },
  // The list as shown.
  jobs: [],
  total: 0,
  page: 0,
  filters: { status: '', provider: '', search: '' },
  // When searching: the newest jobs matching the server-side filters, which
  // the search narrows in the browser.
  pool: null,
  poolTotal: 0,
  jobsLoading: true,
  jobsError: null,
  jobsSeq: 0,
  inline: new Map(),
  inlineBusy: false,
  metrics: null,
  metricsSeq: 0,
  period: 30,
  chartMode: 'cost',
  pollers: null,
  providers: new Set(),
  stream: { es: null, state: 'connecting', retry: null, failures: 0, everOpen: false, missed: false },
  selected: null,
  selectedJob: null,
  opener: null,
  syncing: false,
  // Jobs this page is cancelling: their event needs no second toast.
  ownActions: new Set(),
  timers: {},
  // Counters for diagnostics (and the browser tests).
  events: { received: 0, last: null },
};
window.jobsync = { state };

function readToken() {
  try { return localStorage.getItem(TOKEN_KEY) || ''; } catch (e) { return ''; }
}

function writeToken(t) {
  try {
    if (t) localStorage.setItem(TOKEN_KEY, t);
    else localStorage.removeItem(TOKEN_KEY);
  } catch (e) { /* private mode: the token lasts for this page only */ }
}

// -- toasts ----------------------------------------------------------------

function toast(title, { kind = 'info', detail = '', timeout = 6000 } = {}) {
  const close = h('button', { class: 'icon-button', type: 'button', 'aria-label': 'Dismiss' }, icon('close'));
  const el = h('div', { class: `toast ${kind}`, role: kind === 'error' ? 'alert' : 'status' },
    h('div', { class: 'toast-text' },
      h('div', { class: 'toast-title', text: title }),
      detail ? h('div', { class: 'toast-detail', text: detail }) : null),
    close);
  const remove = () => el.remove();
  close.addEventListener('click', remove);
  const box = $('toasts');
  box.append(el);
  while (box.children.length > 4) box.firstElementChild.remove();
  if (timeout) setTimeout(remove, kind === 'error' ? timeout * 2 : timeout);
  return el;
}

// -- header: stream and pollers ------------------------------------------

function setStream(s, title) {
  state.stream.state = s;
  const el = $('stream-state');
  const labels = {
    connecting: ['pill-muted', 'Connecting…'],
    live: ['pill-ok pill-live', 'Live'],
    reconnecting: ['pill-warn', 'Reconnecting…'],
    offline: ['pill-bad', 'Live updates off'],
  };
  const [cls, text] = labels[s];
  el.className = `pill ${cls}`;
  el.querySelector('.pill-text').textContent = text;
  el.title = title || {
    connecting: 'Opening the live event stream (/api/events)',
    live: 'Job changes arrive as they happen (/api/events)',
    reconnecting: 'The event stream dropped; the browser is reconnecting',
    offline: 'The event stream is unavailable; the list refreshes every 30 s',
  }[s];
  el.dataset.state = s;
}

function renderPollers() {
  const box = $('pollers');
  box.replaceChildren();
  if (!state.pollers) return;
  if (state.pollers.length === 0) {
    box.append(h('span', { class: 'pill pill-muted', title: 'No provider has an API token configured' },
      h('span', { class: 'dot', 'aria-hidden': 'true' }), h('span', { text: 'No provider configured' })));
    return;
  }
  const now = Date.now();
  for (const p of state.pollers) {
    let cls = 'pill-ok';
    let text = `${providerLabel(p.provider)} · polling ${p.interval_seconds}s`;
    const lines = [p.reason];
    if (!p.enabled) {
      cls = 'pill-muted';
      text = `${providerLabel(p.provider)} · polling off`;
    } else if (p.circuit === 'open') {
      cls = 'pill-bad';
      text = `${providerLabel(p.provider)} · unreachable`;
    } else if (p.circuit === 'half_open' || p.consecutive_failures > 0 || p.retry_after_until) {
      cls = 'pill-warn';
      text = `${providerLabel(p.provider)} · retrying`;
    } else if (p.cycle_running) {
      text = `${providerLabel(p.provider)} · polling now`;
    }
    if (p.last_cycle) {
      const c = p.last_cycle;
      const at = parseTime(c.started_at);
      lines.push(`Last cycle ${at ? relativeTime(at, now) : ''}: ${c.jobs_checked}/${c.jobs_active} active jobs checked, ${c.jobs_changed} changed`);
      if (c.last_error) lines.push(`Last error: ${c.last_error}`);
    }
    const next = parseTime(p.next_cycle_at);
    if (next) lines.push(`Next cycle ${next > now ? `in ${formatDuration((next - now) / 1000)}` : 'now'}`);
    box.append(h('span', { class: `pill ${cls}`, title: lines.filter(Boolean).join('\n'), dataset: { provider: p.provider } },
      h('span', { class: 'dot', 'aria-hidden': 'true' }), h('span', { text })));
  }
}

async function loadPollers() {
  try {
    const d = await api('/api/cloud/polling/status');
    state.pollers = d.providers || [];
    for (const p of state.pollers) state.providers.add(p.provider);
    renderProviderFilter();
  } catch (e) {
    if (e.status === 401) return;
    state.pollers = null;
  }
  renderPollers();
}

// -- live stream -------------------------------------------------------------

function connectStream() {
  clearTimeout(state.stream.retry);
  if (state.stream.es) state.stream.es.close();
  const url = '/api/events' + (state.token ? `?access_token=${encodeURIComponent(state.token)}` : '');
  const es = new EventSource(url);
  state.stream.es = es;
  setStream(state.stream.everOpen ? 'reconnecting' : 'connecting');
  es.onopen = () => {
    state.stream.failures = 0;
    setStream('live');
    // A stream we had to reopen ourselves does not resume (no
    // Last-Event-ID): reload what may have changed meanwhile.
    if (state.stream.missed) {
      state.stream.missed = false;
      reloadAll({ quiet: true });
    }
    state.stream.everOpen = true;
  };
  es.onmessage = (ev) => onEvent(ev);
  es.onerror = () => {
    if (es.readyState === EventSource.CLOSED) {
      // The browser gave up (an error status, e.g. 503 at the connection
      // limit): try again later ourselves, slower each time.
      state.stream.missed = true;
      state.stream.failures += 1;
      const delay = Math.min(60000, 3000 * 2 ** Math.min(state.stream.failures - 1, 5));
      setStream('offline', `The event stream is unavailable; retrying in ${Math.round(delay / 1000)} s. The list refreshes every 30 s meanwhile.`);
      state.stream.retry = setTimeout(connectStream, delay);
    } else {
      setStream('reconnecting');
    }
  };
}

function onEvent(ev) {
  let data;
  try { data = JSON.parse(ev.data); } catch (e) { return; }
  state.events.received += 1;
  state.events.last = data;
  if (data.type === 'resync_required') {
    reloadAll({ quiet: true });
    return;
  }
  if (data.type !== 'job_status_changed' || !data.job_id) return;
  if (data.provider) {
    if (!state.providers.has(data.provider)) {
      state.providers.add(data.provider);
      renderProviderFilter();
    }
  }
  const job = findJob(data.job_id);
  if (job) {
    // The row changes at once; the full record (cost, times) follows.
    const before = job.status;
    job.status = data.status;
    job.is_active = isActive(data.status);
    job.is_terminal = !job.is_active;
    if (data.status !== 'running') state.inline.delete(job.job_id);
    updateRow(job, { flash: before !== data.status });
    refreshJob(job.job_id);
    if (data.status === 'running') fetchInline(job.job_id);
    if (data.previous_status && before !== data.status) notifyTransition(job, data.status);
  } else {
    // A discovery, or a job on another page: the list decides where it goes.
    later('list', () => loadJobs({ quiet: true }), 1000);
  }
  if (state.selected === data.job_id) openDetail(data.job_id, { refresh: true });
  later('metrics', () => loadMetrics({ quiet: true }), 2000);
}

function notifyTransition(job, status) {
  // A change this page asked for has its own toast already.
  if (state.ownActions.delete(job.job_id)) return;
  const name = jobTitle(job).name;
  if (status === 'completed') toast(`“${name}” completed`, { kind: 'success' });
  else if (status === 'failed') toast(`“${name}” failed`, { kind: 'error', detail: job.error_message || '' });
  else if (status === 'cancelled') toast(`“${name}” was cancelled`);
}

// Runs `fn` once after `ms`, however often it is asked for meanwhile.
function later(key, fn, ms) {
  if (state.timers[key]) return;
  state.timers[key] = setTimeout(() => {
    state.timers[key] = null;
    fn();
  }, ms);
}

// -- metrics -------------------------------------------------------------------

async function loadMetrics({ quiet = false } = {}) {
  const seq = ++state.metricsSeq;
  if (!quiet && !state.metrics) $('cards').setAttribute('aria-busy', 'true');
  try {
    const d = await api(`/api/cloud/metrics?days=${state.period}`);
    if (seq !== state.metricsSeq) return;
    state.metrics = d;
    $('metrics-error').hidden = true;
    renderMetrics();
  } catch (e) {
    if (seq !== state.metricsSeq) return;
    if (e.status === 401) return;
    const box = $('metrics-error');
    box.replaceChildren(h('span', { text: `Could not load the figures: ${e.detail}` }),
      h('button', { class: 'button small', type: 'button', onclick: () => loadMetrics() }, 'Retry'));
    box.hidden = false;
    if (!state.metrics) $('cards').removeAttribute('aria-busy');
  }
}

function setCard(id, figure, sub, title) {
  const card = $(id);
  card.querySelector('[data-figure]').textContent = figure;
  card.querySelector('[data-sub]').textContent = sub;
  if (title) card.title = title; else card.removeAttribute('title');
}

function renderMetrics() {
  const m = state.metrics;
  if (!m) return;
  $('cards').removeAttribute('aria-busy');
  const by = m.jobs_by_status || {};
  const period = `last ${m.period_days} days`;
  const active = (by.pending || 0) + (by.uploading || 0) + (by.queued || 0) + (by.running || 0);
  setCard('card-jobs', numberFmt.format(m.job_count),
    active > 0 ? `${numberFmt.format(by.running || 0)} running · ${numberFmt.format(active - (by.running || 0))} waiting` : `created in the ${period}`);
  const per = m.job_count > 0 ? m.total_cost / m.job_count : null;
  setCard('card-cost', formatMoney(m.total_cost),
    per !== null ? `${formatMoney(per)} per job · ${period}` : period, formatMoney(m.total_cost, { exact: true }));
  const avg = m.avg_job_duration_seconds;
  setCard('card-duration', avg === null || avg === undefined ? '—' : formatDuration(avg),
    avg === null || avg === undefined ? 'no completed jobs yet' : `completed jobs · ${period}`);
  const finished = (by.completed || 0) + (by.failed || 0) + (by.cancelled || 0);
  setCard('card-success', finished > 0 ? `${Math.round((by.completed || 0) / finished * 100)}%` : '—',
    finished > 0 ? `${numberFmt.format(by.failed || 0)} failed · ${numberFmt.format(by.cancelled || 0)} cancelled` : 'no finished jobs yet');
  renderStatusBar(by, m.job_count);
  renderChart();
}

function renderStatusBar(by, count) {
  const bar = $('status-bar');
  const legend = $('status-legend');
  bar.replaceChildren();
  legend.replaceChildren();
  const parts = [];
  for (const s of STATUSES) {
    const n = by[s] || 0;
    parts.push(`${n} ${s}`);
    if (n > 0 && count > 0) {
      const seg = h('span', { class: `sw-${s}`, title: `${numberFmt.format(n)} ${s}` });
      seg.style.width = `${(n / count) * 100}%`;
      bar.append(seg);
    }
    legend.append(h('li', null, h('span', { class: `swatch sw-${s}`, 'aria-hidden': 'true' }),
      h('span', { text: s.charAt(0).toUpperCase() + s.slice(1) }),
      h('span', { class: 'count', text: numberFmt.format(n) })));
  }
  bar.setAttribute('aria-label', `Jobs by status: ${parts.join(', ')}`);
  $('status-note').textContent = `Jobs created in the last ${state.metrics.period_days} days, by their status now.`;
}

// Every day of the period, oldest first, with the server's figures where
// there were jobs (the server lists only those days).
function chartDays() {
  const m = state.metrics;
  const byDate = new Map((m.cost_by_day || []).map((d) => [d.date, d]));
  const days = [];
  const today = new Date();
  const base = Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate());
  for (let i = m.period_days - 1; i >= 0; i -= 1) {
    const t = base - i * 86400000;
    const date = new Date(t).toISOString().slice(0, 10);
    const d = byDate.get(date) || { date, jobs: 0, completed: 0, failed: 0, cancelled: 0, cost: 0 };
    days.push({ ...d, t });
  }
  return days;
}

function niceMax(x) {
  if (x <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(x));
  for (const f of [1, 2, 2.5, 5, 10]) if (f * p >= x) return f * p;
  return 10 * p;
}

const SVG_NS = 'http://www.w3.org/2000/svg';
function s(tag, attrs, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs || {})) el.setAttribute(k, String(v));
  for (const c of children) if (c) el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return el;
}

function describeDay(d) {
  const parts = [`${dayFmt.format(new Date(d.t))}`, `${d.jobs} ${d.jobs === 1 ? 'job' : 'jobs'}`];
  if (d.completed) parts.push(`${d.completed} completed`);
  if (d.failed) parts.push(`${d.failed} failed`);
  if (d.cancelled) parts.push(`${d.cancelled} cancelled`);
  parts.push(formatMoney(d.cost));
  return parts.join(' · ');
}

function renderChart() {
  const box = $('chart');
  const m = state.metrics;
  const mode = state.chartMode;
  $('chart-title').textContent = mode === 'cost' ? 'Cost per day' : 'Jobs per day';
  const days = chartDays();
  const values = days.map((d) => (mode === 'cost' ? d.cost : d.jobs));
  const readout = $('chart-readout');
  const summary = mode === 'cost'
    ? `${formatMoney(m.total_cost)} over the last ${m.period_days} days`
    : `${numberFmt.format(m.job_count)} jobs over the last ${m.period_days} days`;
  readout.textContent = summary;
  if (m.job_count === 0) {
    box.replaceChildren(h('div', { class: 'chart-empty', text: `No jobs in the last ${m.period_days} days` }));
    return;
  }
  // Drawn at the box's own size (a stretched viewBox would distort text).
  const W = Math.max(240, Math.round(box.clientWidth || 640));
  const H = Math.max(100, Math.round(box.clientHeight || 168));
  state.chartWidth = W;
  const left = 44;
  const bottom = 20;
  const top = 6;
  const plotW = W - left - 4;
  const plotH = H - top - bottom;
  const max = niceMax(Math.max(...values));
  const svg = s('svg', { viewBox: `0 0 ${W} ${H}`, width: W, height: H, role: 'img', 'aria-label': `${mode === 'cost' ? 'Cost' : 'Jobs'} per day: ${summary}` });
  const grid = s('g', { class: 'grid' });
  for (const f of [0, 0.5, 1]) {
    const y = top + plotH - f * plotH;
    grid.append(s('line', { x1: left, x2: W, y1: y, y2: y }));
    const v = f * max;
    const label = mode === 'cost'
      ? (max < 10 ? `$${v.toFixed(2)}` : `$${numberFmt.format(Math.round(v))}`)
      : numberFmt.format(Math.round(v * 10) / 10);
    grid.append(s('text', { x: left - 6, y: y + 3.5, 'text-anchor': 'end' }, label));
  }
  svg.append(grid);
  const slot = plotW / days.length;
  const barW = Math.max(1, Math.min(28, slot * 0.7));
  const bars = s('g');
  days.forEach((d, i) => {
    const v = values[i];
    const bh = v > 0 ? Math.max(2, (v / max) * plotH) : 1.5;
    const x = left + i * slot + (slot - barW) / 2;
    const hit = s('rect', { class: 'hit', x: left + i * slot, y: top, width: slot, height: plotH });
    const bar = s('rect', { class: v > 0 ? 'bar' : 'bar zero', x, y: top + plotH - bh, width: barW, height: bh, rx: Math.min(3, barW / 3) },
      s('title', null, describeDay(d)));
    hit.addEventListener('mouseenter', () => { readout.textContent = describeDay(d); bar.classList.add('active'); });
    hit.addEventListener('mouseleave', () => { readout.textContent = summary; bar.classList.remove('active'); });
    bars.append(hit, bar);
  });
  svg.append(bars);
  const axis = s('g', { class: 'axis' });
  const ticks = days.length <= 7 ? days.map((_, i) => i) : [0, Math.floor((days.length - 1) / 2), days.length - 1];
  for (const i of ticks) {
    const anchor = i === 0 ? 'start' : i === days.length - 1 ? 'end' : 'middle';
    const x = i === 0 ? left + i * slot : i === days.length - 1 ? left + (i + 1) * slot : left + (i + 0.5) * slot;
    axis.append(s('text', { x, y: H - 4, 'text-anchor': days.length <= 7 ? 'middle' : anchor },
      dayFmt.format(new Date(days[i].t))));
    if (days.length <= 7) axis.lastChild.setAttribute('x', left + (i + 0.5) * slot);
  }
  svg.append(axis);
  box.replaceChildren(svg);
}

// -- job list --------------------------------------------------------------

function findJob(id) {
  return state.jobs.find((j) => j.job_id === id) || (state.pool && state.pool.find((j) => j.job_id === id)) || null;
}

function listQuery({ syncActive = false } = {}) {
  const p = new URLSearchParams();
  const searching = state.filters.search.trim() !== '';
  p.set('limit', String(searching ? SEARCH_POOL : PAGE_SIZE));
  p.set('offset', String(searching ? 0 : state.page * PAGE_SIZE));
  if (state.filters.status) p.set('status', state.filters.status);
  if (state.filters.provider) p.set('provider', state.filters.provider);
  if (syncActive) p.set('sync_active', 'true');
  return `/api/cloud/jobs?${p}`;
}

async function loadJobs({ quiet = false, syncActive = false } = {}) {
  const seq = ++state.jobsSeq;
  if (!quiet) {
    state.jobsLoading = true;
    state.jobsError = null;
    renderList();
  }
  try {
    const d = await api(listQuery({ syncActive }));
    if (seq !== state.jobsSeq) return;
    state.jobsLoading = false;
    state.jobsError = null;
    for (const j of d.jobs) if (j.provider) state.providers.add(j.provider);
    renderProviderFilter();
    if (state.filters.search.trim()) {
      state.pool = d.jobs;
      state.poolTotal = d.total;
      applySearch();
    } else {
      state.pool = null;
      if (d.jobs.length === 0 && d.total > 0 && state.page > 0) {
        // The page emptied (deletions): show the last one that has jobs.
        state.page = Math.max(0, Math.ceil(d.total / PAGE_SIZE) - 1);
        loadJobs({ quiet });
        return;
      }
      setJobs(d.jobs, d.total);
    }
  } catch (e) {
    if (seq !== state.jobsSeq) return;
    state.jobsLoading = false;
    if (!quiet || state.jobs.length === 0) {
      state.jobsError = e;
      renderList();
    }
  }
}

function matchesSearch(job, words) {
  const hay = [job.job_id, job.config_name, job.provider, job.status, job.provider_status, job.hardware_type,
    job.error_message, job.metadata && job.metadata.model, job.metadata && job.metadata.version]
    .filter((x) => typeof x === 'string').join(' ').toLowerCase();
  return words.every((w) => hay.includes(w));
}

function applySearch() {
  const words = state.filters.search.trim().toLowerCase().split(/\s+/).filter(Boolean);
  const matches = state.pool.filter((j) => matchesSearch(j, words));
  const pages = Math.max(1, Math.ceil(matches.length / PAGE_SIZE));
  if (state.page >= pages) state.page = pages - 1;
  setJobs(matches.slice(state.page * PAGE_SIZE, (state.page + 1) * PAGE_SIZE), matches.length);
}

function setJobs(jobs, total) {
  const ids = new Set(jobs.map((j) => j.job_id));
  for (const id of state.inline.keys()) if (!ids.has(id)) state.inline.delete(id);
  state.jobs = jobs;
  state.total = total;
  renderList();
  // Running jobs get their progress at once, not only at the next tick.
  refreshInline();
}

function statusBadge(status) {
  return h('span', { class: `badge st-${status}`, text: status.charAt(0).toUpperCase() + status.slice(1) });
}

function timeCell(t, cls) {
  if (t === null) return h('td', { class: `${cls} muted`, text: '—' });
  return h('td', { class: cls }, h('time', { datetime: new Date(t).toISOString(), title: exactTime(t), dataset: { ts: String(t) }, text: relativeTime(t) }));
}

function durationText(job) {
  const d = jobDuration(job);
  return d === null ? '' : formatDuration(d);
}

function durationTitle(job) {
  const started = parseTime(job.started_at);
  const done = parseTime(job.completed_at);
  const lines = [];
  if (started) lines.push(`Started ${exactTime(started)}`);
  if (done) lines.push(`Finished ${exactTime(done)}`);
  if (job.status === 'running') lines.push('Still running');
  return lines.join('\n');
}

function inlineBlock(job) {
  const info = state.inline.get(job.job_id);
  const box = h('div', { class: 'inline', dataset: { inline: job.job_id } });
  const stage = (info && info.stage) || 'Running…';
  const line = h('div', { class: 'inline-line' }, h('span', { class: 'stage', text: stage }));
  if (info && info.last_log) line.append(h('span', { class: 'last-log', title: info.last_log, text: info.last_log }));
  box.append(line);
  if (info && info.progress !== null && info.progress !== undefined) {
    const fill = h('div', { class: 'progress-fill' });
    fill.style.width = `${Math.max(0, Math.min(100, info.progress))}%`;
    box.append(h('div', { class: 'progress-row' },
      h('div', { class: 'progress', role: 'progressbar', 'aria-valuemin': '0', 'aria-valuemax': '100', 'aria-valuenow': String(info.progress), 'aria-label': `Progress of ${jobTitle(job).name}` }, fill),
      h('span', { class: 'progress-value', text: `${info.progress.toFixed(1)}%` })));
  }
  return box;
}

function jobRow(job) {
  const title = jobTitle(job);
  const nameButton = h('button', { class: 'job-name', type: 'button', 'aria-haspopup': 'dialog', title: 'Show details' },
    title.owner ? h('span', { class: 'owner', text: title.owner }) : null, title.name);
  nameButton.addEventListener('click', (ev) => {
    ev.stopPropagation();
    openDetail(job.job_id, { opener: nameButton });
  });
  const idLine = [job.job_id];
  if (job.hardware_type) idLine.push(job.hardware_type);
  const jobCell = h('td', { class: 'job' }, nameButton, h('span', { class: 'job-id', title: job.job_id, text: idLine.join(' · ') }));
  if (job.status === 'running') jobCell.append(inlineBlock(job));
  else if (job.status === 'failed' && job.error_message) jobCell.append(h('div', { class: 'job-error', title: job.error_message, text: job.error_message }));
  else if (job.status === 'queued' || job.status === 'pending') jobCell.append(h('div', { class: 'job-id', text: job.provider_status ? `Waiting (${job.provider_status})` : 'Waiting to start' }));
  const dur = durationText(job);
  const row = h('tr', { dataset: { id: job.job_id, status: job.status } },
    h('td', { class: 'status' }, statusBadge(job.status)),
    jobCell,
    h('td', { class: 'meta-provider' }, h('span', { class: 'provider' },
      h('span', { class: 'provider-mark', 'aria-hidden': 'true', text: providerLabel(job.provider).charAt(0) }),
      providerLabel(job.provider))),
    timeCell(parseTime(job.created_at), 'created'),
    h('td', { class: `duration num${dur ? '' : ' none'}`, title: durationTitle(job), dataset: job.status === 'running' ? { live: '1' } : {}, text: dur || '—' }),
    h('td', { class: 'cost', title: job.cost_usd !== null && job.cost_usd !== undefined ? formatMoney(job.cost_usd, { exact: true }) : 'No cost reported', text: formatMoney(job.cost_usd) }));
  if (state.selected === job.job_id) row.classList.add('selected');
  row.addEventListener('click', (ev) => {
    if (ev.target.closest('button, a')) return;
    openDetail(job.job_id, { opener: nameButton });
  });
  return row;
}

function updateRow(job, { flash = false } = {}) {
  const old = document.querySelector(`#job-rows tr[data-id="${CSS.escape(job.job_id)}"]`);
  if (!old) return;
  const focused = document.activeElement && old.contains(document.activeElement);
  const row = jobRow(job);
  old.replaceWith(row);
  if (flash) row.classList.add('flash');
  if (focused) row.querySelector('.job-name').focus();
}

function skeletonRows() {
  return Array.from({ length: 6 }, () => h('tr', { class: 'skeleton', 'aria-hidden': 'true' },
    h('td', null, h('div')), h('td', null, h('div'), h('div', { class: 'short' })), h('td', null, h('div')),
    h('td', null, h('div')), h('td', null, h('div')), h('td', null, h('div'))));
}

function filtersActive() {
  return state.filters.status !== '' || state.filters.provider !== '' || state.filters.search.trim() !== '';
}

function listMessage(kind, artIcon, title, text, ...actions) {
  const box = $('list-state');
  box.className = `list-state ${kind}`;
  box.replaceChildren(h('div', { class: 'art', 'aria-hidden': 'true' }, icon(artIcon)),
    h('h3', { text: title }), h('p', { text }), actions.length ? h('div', { class: 'actions' }, ...actions) : null);
  box.hidden = false;
}

function renderList() {
  const tbody = $('job-rows');
  const box = $('list-state');
  const table = $('job-table');
  const pager = $('pager');
  table.setAttribute('aria-busy', state.jobsLoading ? 'true' : 'false');
  if (state.jobsLoading && state.jobs.length === 0) {
    tbody.replaceChildren(...skeletonRows());
    box.hidden = true;
    pager.hidden = true;
    return;
  }
  if (state.jobsError && state.jobsError.status === 401) {
    tbody.replaceChildren();
    listMessage('error', 'key', 'An API token is needed', state.jobsError.detail,
      h('button', { class: 'button primary', type: 'button', onclick: () => needToken(state.jobsError.detail) }, 'Enter the token'));
    pager.hidden = true;
    return;
  }
  if (state.jobsError) {
    tbody.replaceChildren();
    listMessage('error', 'alert', 'Could not load the jobs', state.jobsError.detail,
      h('button', { class: 'button', type: 'button', onclick: () => loadJobs() }, 'Try again'));
    pager.hidden = true;
    updateSearchNote();
    return;
  }
  if (state.jobs.length === 0) {
    tbody.replaceChildren();
    if (filtersActive()) {
      listMessage('', 'filter', 'No jobs match these filters', 'Try another status or provider, or clear the search.',
        h('button', { class: 'button', type: 'button', onclick: clearFilters }, 'Clear filters'));
    } else {
      const sync = h('button', { class: 'button primary', type: 'button', onclick: () => runSync() }, icon('sync'), 'Sync from Replicate');
      listMessage('', 'inbox', 'No jobs yet',
        'Sync discovers the training jobs in your Replicate account; new jobs appear here as they start.', sync);
    }
    pager.hidden = true;
    updateSearchNote();
    return;
  }
  box.hidden = true;
  // Rows are rebuilt, but the focused job keeps focus.
  const focusedId = document.activeElement && document.activeElement.closest && document.activeElement.closest('#job-rows tr')
    ? document.activeElement.closest('#job-rows tr').dataset.id : null;
  tbody.replaceChildren(...state.jobs.map(jobRow));
  if (focusedId) {
    const again = tbody.querySelector(`tr[data-id="${CSS.escape(focusedId)}"] .job-name`);
    if (again) again.focus();
  }
  renderPager();
  updateSearchNote();
}

function renderPager() {
  const pager = $('pager');
  const total = state.total;
  if (total <= PAGE_SIZE) {
    pager.hidden = total === 0;
    $('pager-text').textContent = `${numberFmt.format(total)} ${total === 1 ? 'job' : 'jobs'}`;
    $('prev-page').hidden = true;
    $('next-page').hidden = true;
    return;
  }
  pager.hidden = false;
  const from = state.page * PAGE_SIZE + 1;
  const to = Math.min(total, from + state.jobs.length - 1);
  const pages = Math.ceil(total / PAGE_SIZE);
  $('pager-text').textContent = `${numberFmt.format(from)}–${numberFmt.format(to)} of ${numberFmt.format(total)} · page ${state.page + 1} of ${numberFmt.format(pages)}`;
  $('prev-page').hidden = false;
  $('next-page').hidden = false;
  $('prev-page').disabled = state.page === 0;
  $('next-page').disabled = state.page + 1 >= pages;
}

function updateSearchNote() {
  const note = $('search-note');
  if (state.pool && state.poolTotal > state.pool.length) {
    note.textContent = `Search covers the ${numberFmt.format(state.pool.length)} newest of ${numberFmt.format(state.poolTotal)} jobs; narrow it down with the status and provider filters.`;
    note.hidden = false;
  } else {
    note.hidden = true;
  }
}

function renderProviderFilter() {
  const sel = $('provider-filter');
  const have = new Set(Array.from(sel.options).map((o) => o.value));
  for (const p of Array.from(state.providers).sort()) {
    if (!have.has(p)) sel.append(h('option', { value: p, text: providerLabel(p) }));
  }
}

function clearFilters() {
  state.filters = { status: '', provider: '', search: '' };
  $('search').value = '';
  $('provider-filter').value = '';
  for (const b of $('status-filter').querySelectorAll('button')) b.setAttribute('aria-pressed', String(b.dataset.status === ''));
  state.page = 0;
  loadJobs();
}

// Relative times and running durations move on without a reload.
function tickClock() {
  const now = Date.now();
  for (const el of document.querySelectorAll('time[data-ts]')) el.textContent = relativeTime(Number(el.dataset.ts), now);
  for (const el of document.querySelectorAll('td[data-live]')) {
    const job = findJob(el.closest('tr').dataset.id);
    if (job) el.textContent = durationText(job) || '—';
  }
}

// -- inline progress (running jobs only, as the seed's client does) ---------

async function fetchInline(id) {
  try {
    const d = await api(`${jobPath(id)}/inline-progress`);
    const job = findJob(id);
    if (!job || job.status !== 'running') return;
    state.inline.set(id, d);
    const box = document.querySelector(`#job-rows [data-inline="${CSS.escape(id)}"]`);
    if (box) box.replaceWith(inlineBlock(job));
    if (state.selected === id) renderDetailProgress();
  } catch (e) {
    // The job may have just finished; the next tick or event tells.
  }
}

async function refreshInline() {
  if (state.inlineBusy) return;
  state.inlineBusy = true;
  try {
    for (const job of state.jobs.filter((j) => j.status === 'running')) await fetchInline(job.job_id);
  } finally {
    state.inlineBusy = false;
  }
}

// One job's full record after an event (cost and times come with it).
async function refreshJob(id) {
  try {
    const d = await api(jobPath(id));
    replaceJob(d.job);
  } catch (e) {
    if (e.status === 404) removeJob(id);
  }
}

function replaceJob(job) {
  const lists = [state.jobs, state.pool || []];
  for (const list of lists) {
    const i = list.findIndex((j) => j.job_id === job.job_id);
    if (i >= 0) list[i] = job;
  }
  if (job.status !== 'running') state.inline.delete(job.job_id);
  updateRow(job);
  if (state.selected === job.job_id) {
    state.selectedJob = job;
    renderDetail();
  }
}

function removeJob(id) {
  state.jobs = state.jobs.filter((j) => j.job_id !== id);
  if (state.pool) state.pool = state.pool.filter((j) => j.job_id !== id);
  state.inline.delete(id);
  state.total = Math.max(0, state.total - 1);
  renderList();
}

// -- sync ---------------------------------------------------------------------

async function runSync() {
  if (state.syncing) return;
  state.syncing = true;
  const btn = $('sync-button');
  btn.disabled = true;
  btn.setAttribute('aria-busy', 'true');
  btn.querySelector('.label').textContent = 'Syncing…';
  try {
    const d = await api('/api/cloud/jobs/sync', { method: 'POST' });
    const updated = d.updated ? `${numberFmt.format(d.updated)} known ${d.updated === 1 ? 'job' : 'jobs'} updated` : '';
    // The seed's toast: "Discovered N jobs from Replicate". The server's
    // message ("... N new jobs from <provider>") names the provider.
    const from = (d.message || '').split(' from ').slice(1).join(' from ') || 'Replicate';
    const n = Number(d.synced) || 0;
    toast(`Discovered ${numberFmt.format(n)} ${n === 1 ? 'job' : 'jobs'} from ${from}`, { kind: 'success', detail: updated });
    state.page = 0;
    await Promise.all([loadJobs({ quiet: state.jobs.length > 0 }), loadMetrics({ quiet: true }), loadPollers()]);
  } catch (e) {
    if (e.status !== 401) toast('Sync failed', { kind: 'error', detail: e.detail });
  } finally {
    state.syncing = false;
    btn.disabled = false;
    btn.removeAttribute('aria-busy');
    btn.querySelector('.label').textContent = 'Sync';
  }
}

// -- detail panel ------------------------------------------------------------

async function openDetail(id, { opener = null, refresh = false } = {}) {
  const panel = $('detail');
  if (!refresh) {
    if (state.selected !== id) state.selectedJob = findJob(id);
    state.selected = id;
    state.logs = { text: null, error: null, loading: true };
    if (opener) state.opener = opener;
    panel.hidden = false;
    document.body.classList.add('detail-open');
    $('backdrop').hidden = !window.matchMedia('(max-width: 720px)').matches;
    for (const tr of document.querySelectorAll('#job-rows tr')) tr.classList.toggle('selected', tr.dataset.id === id);
    renderDetail();
    $('detail-close').focus();
  }
  try {
    const d = await api(jobPath(id));
    if (state.selected !== id) return;
    state.selectedJob = d.job;
    renderDetail();
  } catch (e) {
    if (state.selected !== id) return;
    if (e.status === 404) {
      closeDetail();
      removeJob(id);
      toast('That job no longer exists', { detail: e.detail });
      return;
    }
  }
  loadLogs(id);
}

async function loadLogs(id) {
  state.logs = Object.assign({}, state.logs, { loading: true });
  renderDetailLogs();
  try {
    const d = await api(`${jobPath(id)}/logs`);
    if (state.selected !== id) return;
    state.logs = { text: d.logs || '', error: null, loading: false };
  } catch (e) {
    if (state.selected !== id) return;
    state.logs = { text: null, error: e.detail, loading: false };
  }
  renderDetailLogs();
}

function closeDetail() {
  $('detail').hidden = true;
  document.body.classList.remove('detail-open');
  $('backdrop').hidden = true;
  state.selected = null;
  state.selectedJob = null;
  for (const tr of document.querySelectorAll('#job-rows tr.selected')) tr.classList.remove('selected');
  if (state.opener && document.contains(state.opener)) state.opener.focus();
  state.opener = null;
}

function field(label, value, { cls = '', title } = {}) {
  const dd = h('dd', { class: cls, title });
  if (value === null || value === undefined || value === '') dd.append(h('span', { class: 'none', text: '—' }));
  else if (value instanceof Node) dd.append(value);
  else dd.textContent = String(value);
  return [h('dt', { text: label }), dd];
}

function timeField(label, iso) {
  const t = parseTime(iso);
  if (t === null) return field(label, null);
  return field(label, h('time', { datetime: iso, title: iso }, `${exactFmt.format(new Date(t))} · ${relativeTime(t)}`));
}

function renderDetail() {
  const job = state.selectedJob;
  const body = $('detail-body');
  if (!job) {
    $('detail-title').textContent = 'Loading…';
    $('detail-sub').textContent = state.selected || '';
    body.replaceChildren(h('p', { class: 'muted', text: 'Loading the job…' }));
    return;
  }
  const title = jobTitle(job);
  $('detail-title').textContent = title.owner + title.name;
  $('detail-sub').textContent = job.job_id;
  const actions = h('div', { class: 'detail-actions' });
  if (job.is_active) {
    actions.append(h('button', { class: 'button danger small', type: 'button', id: 'cancel-job', onclick: () => cancelJob(job) }, icon('stop'), 'Cancel job'));
  } else {
    actions.append(h('button', { class: 'button small', type: 'button', id: 'delete-job', onclick: () => deleteJob(job) }, icon('trash'), 'Delete'));
  }
  const statusLine = h('div', { class: 'detail-status' }, statusBadge(job.status),
    job.provider_status && job.provider_status !== job.status ? h('span', { class: 'muted', text: `Provider says “${job.provider_status}”` }) : null,
    actions);
  let output = null;
  if (job.output_url && /^https?:\/\//.test(job.output_url)) {
    output = h('a', { href: job.output_url, target: '_blank', rel: 'noopener noreferrer' }, job.output_url);
  } else if (job.output_url) {
    output = job.output_url;
  }
  const dur = jobDuration(job);
  const fields = h('dl', { class: 'fields' },
    field('Job ID', job.job_id, { cls: 'mono' }),
    field('Status', job.status),
    field('Provider status', job.provider_status),
    field('Type', job.job_type),
    field('Provider', job.provider ? providerLabel(job.provider) : null),
    field('Config', job.config_name),
    field('Model', job.metadata && job.metadata.model),
    field('Hardware', job.hardware_type),
    timeField('Created', job.created_at),
    timeField('Started', job.started_at),
    timeField('Completed', job.completed_at),
    field('Duration', dur === null ? null : `${formatDuration(dur)}${job.status === 'running' ? ' so far' : ''}`),
    field('Cost', job.cost_usd === null || job.cost_usd === undefined ? null : formatMoney(job.cost_usd, { exact: true })),
    field('Error', job.error_message, { cls: 'error' }),
    field('Output', output));
  const progress = h('div', { id: 'detail-progress' });
  const meta = job.metadata && Object.keys(job.metadata).length
    ? h('section', { class: 'detail-section' }, h('h3', { text: 'Metadata' }), h('pre', { class: 'metadata', text: JSON.stringify(job.metadata, null, 2) }))
    : null;
  const logHead = h('div', { class: 'detail-section-head' }, h('h3', { text: 'Log' }),
    h('button', { class: 'button small ghost', type: 'button', id: 'reload-logs', onclick: () => loadLogs(job.job_id) }, icon('refresh'), 'Reload'));
  const logs = h('section', { class: 'detail-section' }, logHead, h('pre', { class: 'log', id: 'detail-log', tabindex: '0', 'aria-label': 'Job log' }));
  body.replaceChildren(statusLine, progress, fields, logs, meta);
  renderDetailProgress();
  renderDetailLogs();
}

function renderDetailProgress() {
  const box = $('detail-progress');
  if (!box) return;
  const job = state.selectedJob;
  if (job && job.status === 'running') box.replaceChildren(inlineBlock(job));
  else box.replaceChildren();
}

function renderDetailLogs() {
  const pre = $('detail-log');
  if (!pre) return;
  const l = state.logs || {};
  const stick = pre.scrollHeight - pre.scrollTop - pre.clientHeight < 24;
  pre.classList.toggle('empty', !l.text);
  if (l.error) pre.textContent = `The log is not available: ${l.error}`;
  else if (l.text) pre.textContent = l.text;
  else if (l.loading) pre.textContent = 'Loading the log…';
  else pre.textContent = 'No log output yet.';
  if (stick || l.loading === false) pre.scrollTop = pre.scrollHeight;
}

function confirmDialog(title, text, confirmLabel) {
  const dlg = $('confirm-dialog');
  $('confirm-title').textContent = title;
  $('confirm-text').textContent = text;
  $('confirm-yes').textContent = confirmLabel;
  dlg.returnValue = '';
  return new Promise((resolve) => {
    dlg.addEventListener('close', () => resolve(dlg.returnValue === 'ok'), { once: true });
    dlg.showModal();
    $('confirm-no').focus();
  });
}

async function cancelJob(job) {
  const name = jobTitle(job).name;
  const ok = await confirmDialog(`Cancel “${name}”?`,
    `${providerLabel(job.provider)} stops the job now. It cannot be resumed.`, 'Cancel job');
  if (!ok) return;
  const btn = $('cancel-job');
  if (btn) btn.disabled = true;
  state.ownActions.add(job.job_id);
  try {
    const d = await api(`${jobPath(job.job_id)}/cancel`, { method: 'POST' });
    toast(`Cancelled “${name}”`, { kind: 'success' });
    if (d.job) replaceJob(d.job);
    else refreshJob(job.job_id);
    later('metrics', () => loadMetrics({ quiet: true }), 500);
  } catch (e) {
    state.ownActions.delete(job.job_id);
    if (btn) btn.disabled = false;
    if (e.status !== 401) toast('Could not cancel the job', { kind: 'error', detail: e.detail });
  }
}

async function deleteJob(job) {
  const name = jobTitle(job).name;
  const ok = await confirmDialog(`Delete “${name}”?`,
    'jobsync forgets this job. Nothing changes at the provider; a later sync may discover it again.', 'Delete');
  if (!ok) return;
  const btn = $('delete-job');
  if (btn) btn.disabled = true;
  try {
    await api(jobPath(job.job_id), { method: 'DELETE' });
    toast(`Deleted “${name}”`, { kind: 'success' });
    closeDetail();
    removeJob(job.job_id);
    loadJobs({ quiet: true });
    loadMetrics({ quiet: true });
  } catch (e) {
    if (btn) btn.disabled = false;
    if (e.status !== 401) toast('Could not delete the job', { kind: 'error', detail: e.detail });
  }
}

// -- token -----------------------------------------------------------------

function needToken(detail) {
  state.authRequired = true;
  $('token-button').hidden = false;
  const dlg = $('token-dialog');
  if (dlg.open) return;
  $('token-text').textContent = state.token
    ? `The server refused the saved token: ${detail}`
    : 'This server requires an API token (server.api_token). It is kept in this browser only.';
  $('token-input').value = '';
  dlg.showModal();
}

function setupToken() {
  const btn = $('token-button');
  btn.append(icon('key'));
  btn.hidden = !state.token;
  btn.addEventListener('click', () => {
    $('token-text').textContent = 'The token sent as "Authorization: Bearer" with every request. It is kept in this browser only.';
    $('token-input').value = state.token;
    $('token-dialog').showModal();
  });
  // Enter in the field submits with Save (the first submit button).
  $('token-clear').addEventListener('click', () => $('token-dialog').close('clear'));
  $('token-dialog').addEventListener('close', () => {
    const v = $('token-dialog').returnValue;
    if (v === 'save') {
      state.token = $('token-input').value.trim();
      writeToken(state.token);
    } else if (v === 'clear') {
      state.token = '';
      writeToken('');
    } else {
      return;
    }
    $('token-button').hidden = !state.token && !state.authRequired;
    start();
  });
}

// -- wiring ----------------------------------------------------------------

function reloadAll({ quiet = false } = {}) {
  loadJobs({ quiet });
  loadMetrics({ quiet });
  loadPollers();
}

function setupControls() {
  for (const el of document.querySelectorAll('[data-icon]')) el.replaceWith(icon(el.dataset.icon));
  $('detail-close').append(icon('close'));
  $('sync-button').addEventListener('click', () => runSync());
  $('refresh-button').addEventListener('click', () => reloadAll());
  $('status-filter').addEventListener('click', (ev) => {
    const b = ev.target.closest('button');
    if (!b) return;
    for (const x of $('status-filter').querySelectorAll('button')) x.setAttribute('aria-pressed', String(x === b));
    state.filters.status = b.dataset.status;
    state.page = 0;
    loadJobs();
  });
  $('provider-filter').addEventListener('change', (ev) => {
    state.filters.provider = ev.target.value;
    state.page = 0;
    loadJobs();
  });
  let searchTimer = null;
  $('search').addEventListener('input', (ev) => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(() => {
      const before = state.filters.search.trim();
      state.filters.search = ev.target.value;
      state.page = 0;
      // The pool holds the newest jobs for the current filters; typing
      // narrows it without asking the server again.
      if (before && state.filters.search.trim() && state.pool) applySearch();
      else loadJobs();
    }, 200);
  });
  $('prev-page').addEventListener('click', () => { state.page = Math.max(0, state.page - 1); pageChanged(); });
  $('next-page').addEventListener('click', () => { state.page += 1; pageChanged(); });
  $('period').addEventListener('click', (ev) => {
    const b = ev.target.closest('button');
    if (!b) return;
    for (const x of $('period').querySelectorAll('button')) x.setAttribute('aria-pressed', String(x === b));
    state.period = Number(b.dataset.days);
    loadMetrics();
  });
  $('chart-mode').addEventListener('click', (ev) => {
    const b = ev.target.closest('button');
    if (!b) return;
    for (const x of $('chart-mode').querySelectorAll('button')) x.setAttribute('aria-pressed', String(x === b));
    state.chartMode = b.dataset.mode;
    if (state.metrics) renderChart();
  });
  if (window.ResizeObserver) {
    new ResizeObserver(() => {
      const w = Math.round($('chart').clientWidth);
      if (state.metrics && state.chartWidth && Math.abs(w - state.chartWidth) > 1) renderChart();
    }).observe($('chart'));
  }
  $('detail-close').addEventListener('click', closeDetail);
  $('backdrop').addEventListener('click', closeDetail);
  document.addEventListener('keydown', (ev) => {
    if (ev.key === 'Escape' && !$('detail').hidden && !document.querySelector('dialog[open]')) closeDetail();
  });
}

function pageChanged() {
  if (state.pool) applySearch();
  else loadJobs();
  $('jobs-heading').focus();
}

async function loadConfig() {
  try {
    const d = await api('/api/ui/config');
    state.config = d;
    $('demo-banner').hidden = !d.demo;
    document.body.classList.toggle('demo', !!d.demo);
    if (d.demo) document.title = 'DEMO · jobsync';
    $('footer-version').textContent = `jobsync ${d.version}`;
    return true;
  } catch (e) {
    return e.status !== 401;
  }
}

async function start() {
  if (!(await loadConfig())) return; // waiting for a token
  reloadAll();
  connectStream();
}

function init() {
  setupControls();
  setupToken();
  renderList();
  start();
  setInterval(refreshInline, INLINE_EVERY_MS);
  setInterval(() => {
    loadJobs({ quiet: true, syncActive: true });
    loadMetrics({ quiet: true });
    loadPollers();
  }, FALLBACK_EVERY_MS);
  setInterval(() => { tickClock(); renderPollers(); }, CLOCK_EVERY_MS);
}

init();
