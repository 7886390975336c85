// The detail panel: every field, the full log, cancel and delete.

import { $, h, icon, toast } from './dom.js';
import {
  exactFmt,
  formatDuration,
  formatMoney,
  jobDuration,
  jobTitle,
  parseTime,
  providerLabel,
  relativeTime,
  terminalText,
} from './format.js';
import { api, jobPath } from './api.js';
import { state } from './state.js';
import { later } from './later.js';
import { loadMetrics } from './metrics.js';
import { forgetValidationImage, loadValidationImage, renderValidation, validationSection } from './validation.js';
import {
  findJob,
  inlineBlock,
  loadJobs,
  refreshJob,
  removeJob,
  replaceJob,
  staleBadge,
  statusBadge,
} from './jobs.js';

export async function openDetail(id, { opener = null, refresh = false } = {}) {
  const panel = $('detail');
  if (!refresh) {
    if (state.selected !== id) state.selectedJob = findJob(id);
    state.selected = id;
    state.logs = { text: null, error: null, loading: true };
    if (state.validation && state.validation.jobId !== id) forgetValidationImage();
    if (opener) state.opener = opener;
    panel.hidden = false;
    document.body.classList.add('detail-open');
    $('backdrop').hidden = false;
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
  if (state.selectedJob && state.selectedJob.job_type === 'local') loadValidationImage(id);
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

export function closeDetail() {
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

export function renderDetail() {
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
  const statusLine = h('div', { class: 'detail-status' }, statusBadge(job.status), staleBadge(job),
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
    timeField('Last confirmed', job.synced_at),
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
  const image = job.job_type === 'local' ? validationSection() : null;
  body.replaceChildren(statusLine, progress, fields, image, logs, meta);
  renderDetailProgress();
  renderDetailLogs();
  renderValidation();
}

export function renderDetailProgress() {
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
  else if (l.text) pre.textContent = terminalText(l.text);
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
