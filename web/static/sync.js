// The Sync button: discovery, then a toast and everything reloaded.

import { $, toast } from './dom.js';
import { numberFmt } from './format.js';
import { api } from './api.js';
import { state } from './state.js';
import { loadPollers } from './header.js';
import { loadMetrics } from './metrics.js';
import { loadJobs } from './jobs.js';

export async function runSync() {
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
