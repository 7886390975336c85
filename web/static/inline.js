// Inline progress of running jobs, every 5 s (as the seed's client does).

import { api, jobPath } from './api.js';
import { state } from './state.js';
import { findJob, inlineBlock } from './jobs.js';
import { renderDetailProgress } from './detail.js';

export async function fetchInline(id) {
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

export async function refreshInline() {
  if (state.inlineBusy) return;
  state.inlineBusy = true;
  try {
    for (const job of state.jobs.filter((j) => j.status === 'running')) await fetchInline(job.job_id);
  } finally {
    state.inlineBusy = false;
  }
}
