// The live stream: /api/events updates rows as jobs change.

import { toast } from './dom.js';
import { isActive, jobTitle } from './format.js';
import { state } from './state.js';
import { setStream } from './header.js';
import { loadMetrics } from './metrics.js';
import { findJob, loadJobs, refreshJob, renderProviderFilter, updateRow } from './jobs.js';
import { fetchInline } from './inline.js';
import { openDetail } from './detail.js';
import { reloadAll } from './reload.js';
import { later } from './later.js';

export function connectStream() {
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

