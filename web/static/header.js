// The header: the live stream's state and each provider's poller.

import { $, h, toast } from './dom.js';
import { formatDuration, parseTime, providerLabel, relativeTime } from './format.js';
import { api } from './api.js';
import { state } from './state.js';
import { renderProviderFilter } from './jobs.js';

export function setStream(s, title) {
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

export function renderPollers() {
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
    // The local provider's cycle is the liveness check of local runs.
    const what = p.provider === 'local' ? 'liveness check' : 'polling';
    let text = `${providerLabel(p.provider)} · ${what} ${p.interval_seconds}s`;
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
      h('span', { class: 'dot', 'aria-hidden': 'true' }), h('span', { text }), pollingToggle(p)));
  }
}

// On / Off / Auto: background polling of one provider as set at runtime
// (PUT /api/cloud/polling/setting; Auto: back to the configured rule).
const CHOICES = [
  ['on', true, 'Poll in the background'],
  ['off', false, 'Do not poll (the reconcile sweep still runs)'],
  ['auto', null, 'Back to the configured rule'],
];

function pollingToggle(p) {
  const current = p.preference === undefined ? null : p.preference;
  const group = h('span', { class: 'poll-toggle', role: 'group', 'aria-label': `${providerLabel(p.provider)} polling` });
  for (const [name, value, title] of CHOICES) {
    group.append(h('button', {
      type: 'button',
      class: 'poll-choice',
      text: name === 'auto' ? 'Auto' : name === 'on' ? 'On' : 'Off',
      title,
      dataset: { choice: name },
      'aria-pressed': String(current === value),
      onclick: () => setPolling(p.provider, value),
    }));
  }
  return group;
}

async function setPolling(provider, enabled) {
  try {
    await api('/api/cloud/polling/setting', { method: 'PUT', body: { enabled, provider } });
  } catch (e) {
    toast('Could not change polling', { kind: 'error', detail: e.detail || String(e) });
  }
  await loadPollers();
}

export async function loadPollers() {
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
