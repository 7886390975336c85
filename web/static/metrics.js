// The figures: cards, jobs by status and the cost-by-day chart.

import { STATUSES } from './constants.js';
import { $, h } from './dom.js';
import { dayFmt, formatDuration, formatMoney, numberFmt } from './format.js';
import { api } from './api.js';
import { state } from './state.js';

export async function loadMetrics({ quiet = false } = {}) {
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
    const d = byDate.get(date) || { date, total_jobs: 0, completed: 0, failed: 0, cancelled: 0, local_jobs: 0, cloud_jobs: 0, total_cost_usd: 0 };
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
  const parts = [`${dayFmt.format(new Date(d.t))}`, `${d.total_jobs} ${d.total_jobs === 1 ? 'job' : 'jobs'}`];
  if (d.completed) parts.push(`${d.completed} completed`);
  if (d.failed) parts.push(`${d.failed} failed`);
  if (d.cancelled) parts.push(`${d.cancelled} cancelled`);
  if (d.local_jobs) parts.push(`${d.local_jobs} local`);
  parts.push(formatMoney(d.total_cost_usd));
  return parts.join(' · ');
}

export function renderChart() {
  const box = $('chart');
  const m = state.metrics;
  const mode = state.chartMode;
  $('chart-title').textContent = mode === 'cost' ? 'Cost per day' : 'Jobs per day';
  const days = chartDays();
  const values = days.map((d) => (mode === 'cost' ? d.total_cost_usd : d.total_jobs));
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
