// The job list: loading, filters, search, pages, rows.

import { PAGE_SIZE, SEARCH_POOL } from './constants.js';
import { $, h, icon } from './dom.js';
import {
  clockTime,
  exactTime,
  formatDuration,
  formatMoney,
  jobDuration,
  jobTitle,
  numberFmt,
  parseTime,
  providerLabel,
  relativeTime,
} from './format.js';
import { api, jobPath } from './api.js';
import { state } from './state.js';
import { needToken } from './token.js';
import { emit } from './bus.js';

export function findJob(id) {
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

export async function loadJobs({ quiet = false, syncActive = false } = {}) {
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

export function applySearch() {
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
  state.shownPage = state.page;
  renderList();
  // Running jobs get their progress at once, not only at the next tick.
  emit('list-shown');
}

export function statusBadge(status) {
  return h('span', { class: `badge st-${status}`, text: status.charAt(0).toUpperCase() + status.slice(1) });
}

// A job its provider has not confirmed for a while (the server's `stale`):
// its status may be out of date. Nothing is guessed; the badge says since
// when the status is known to be true.
export function staleBadge(job) {
  if (!job.stale) return null;
  const t = parseTime(job.synced_at);
  const who = providerLabel(job.provider);
  return h('span', {
    class: 'badge stale',
    title: t === null
      ? `${who} has not confirmed this job's status since this server started; it may be out of date.`
      : `${who} last confirmed this job's status at ${exactTime(t)}; it may be out of date.`,
    text: t === null ? 'Stale · not confirmed yet' : `Stale · last confirmed ${clockTime(t)}`,
  });
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

export function inlineBlock(job) {
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
  // What a local run's trainer reports besides: step, loss and ETA.
  const figures = [];
  if (info && Number.isFinite(info.step)) figures.push(Number.isFinite(info.total_steps) ? `Step ${info.step}/${info.total_steps}` : `Step ${info.step}`);
  if (info && Number.isFinite(info.loss)) figures.push(`loss ${info.loss.toPrecision(4)}`);
  if (info && Number.isFinite(info.eta_seconds)) figures.push(`ETA ${formatDuration(info.eta_seconds)}`);
  if (figures.length) box.append(h('div', { class: 'inline-figures', text: figures.join(' · ') }));
  return box;
}

function jobRow(job) {
  const title = jobTitle(job);
  const nameButton = h('button', { class: 'job-name', type: 'button', 'aria-haspopup': 'dialog', title: 'Show details' },
    title.owner ? h('span', { class: 'owner', text: title.owner }) : null, title.name);
  nameButton.addEventListener('click', (ev) => {
    ev.stopPropagation();
    emit('open-detail', job.job_id, { opener: nameButton });
  });
  const idLine = [job.job_id];
  if (job.hardware_type) idLine.push(job.hardware_type);
  const jobCell = h('td', { class: 'job' }, nameButton, h('span', { class: 'job-id', title: job.job_id, text: idLine.join(' · ') }));
  const stale = staleBadge(job);
  if (stale) jobCell.append(h('div', { class: 'stale-line' }, stale));
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
    emit('open-detail', job.job_id, { opener: nameButton });
  });
  return row;
}

export function updateRow(job, { flash = false } = {}) {
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

export function renderList() {
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
      const sync = h('button', { class: 'button primary', type: 'button', onclick: () => emit('sync-requested') }, icon('sync'), 'Sync from Replicate');
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
  // The pager describes the rows shown, not the page being fetched.
  const page = state.shownPage;
  const from = page * PAGE_SIZE + 1;
  const to = Math.min(total, from + state.jobs.length - 1);
  const pages = Math.ceil(total / PAGE_SIZE);
  $('pager-text').textContent = `${numberFmt.format(from)}–${numberFmt.format(to)} of ${numberFmt.format(total)} · page ${page + 1} of ${numberFmt.format(pages)}`;
  $('prev-page').hidden = false;
  $('next-page').hidden = false;
  $('prev-page').disabled = page === 0;
  $('next-page').disabled = page + 1 >= pages;
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

export function renderProviderFilter() {
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
export function tickClock() {
  const now = Date.now();
  for (const el of document.querySelectorAll('time[data-ts]')) el.textContent = relativeTime(Number(el.dataset.ts), now);
  for (const el of document.querySelectorAll('td[data-live]')) {
    const job = findJob(el.closest('tr').dataset.id);
    if (job) el.textContent = durationText(job) || '—';
  }
}

// One job's full record after an event (cost and times come with it).
export async function refreshJob(id) {
  try {
    const d = await api(jobPath(id));
    replaceJob(d.job);
  } catch (e) {
    if (e.status === 404) removeJob(id);
  }
}

export function replaceJob(job) {
  const lists = [state.jobs, state.pool || []];
  for (const list of lists) {
    const i = list.findIndex((j) => j.job_id === job.job_id);
    if (i >= 0) list[i] = job;
  }
  if (job.status !== 'running') state.inline.delete(job.job_id);
  updateRow(job);
  if (state.selected === job.job_id) {
    state.selectedJob = job;
    emit('selected-job-changed');
  }
}

export function removeJob(id) {
  state.jobs = state.jobs.filter((j) => j.job_id !== id);
  if (state.pool) state.pool = state.pool.filter((j) => j.job_id !== id);
  state.inline.delete(id);
  state.total = Math.max(0, state.total - 1);
  renderList();
}
