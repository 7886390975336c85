// jobsync dashboard: plain JavaScript modules, no build step, no dependencies.
//
// Data flow: the list, the figures and the poller state are loaded over the
// REST API; /api/events (Server-Sent Events) updates rows as jobs change;
// running jobs get their stage, last log line and progress every 5 s; a
// conservative refresh every 30 s (with sync_active=true) covers anything
// the stream missed. Everything a job contains is written with textContent,
// never as HTML. This module wires the parts to the page and starts them.

import { CLOCK_EVERY_MS, FALLBACK_EVERY_MS, INLINE_EVERY_MS } from './constants.js';
import { $, icon } from './dom.js';
import { api } from './api.js';
import { state } from './state.js';
import { loadPollers, renderPollers } from './header.js';
import { connectStream } from './live.js';
import { loadMetrics, renderChart } from './metrics.js';
import { applySearch, loadJobs, renderList, tickClock } from './jobs.js';
import { refreshInline } from './inline.js';
import { runSync } from './sync.js';
import { closeDetail, openDetail, renderDetail } from './detail.js';
import { setupToken } from './token.js';
import { reloadAll } from './reload.js';
import { on } from './bus.js';

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

export async function start() {
  if (!(await loadConfig())) return; // waiting for a token
  reloadAll();
  connectStream();
}

// What the parts announce (bus.js) and who acts on it.
function wireParts() {
  on('list-shown', refreshInline);
  on('sync-requested', runSync);
  on('open-detail', (id, options) => openDetail(id, options));
  on('selected-job-changed', renderDetail);
}

function init() {
  wireParts();
  setupControls();
  setupToken(start);
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
