// How times, durations, money and job names are shown.

export const numberFmt = new Intl.NumberFormat('en-US');
export const dayFmt = new Intl.DateTimeFormat('en-US', { month: 'short', day: 'numeric', timeZone: 'UTC' });
export const exactFmt = new Intl.DateTimeFormat(undefined, {
  year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit',
  timeZoneName: 'short',
});

export function parseTime(s) {
  if (!s) return null;
  const t = Date.parse(s);
  return Number.isNaN(t) ? null : t;
}

export function relativeTime(t, now = Date.now()) {
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

// "14:02" today, "Nov 3, 14:02" on another day (local time).
export function clockTime(t, now = Date.now()) {
  const d = new Date(t);
  const hm = d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', hour12: false });
  if (d.toDateString() === new Date(now).toDateString()) return hm;
  return `${d.toLocaleDateString(undefined, { month: 'short', day: 'numeric' })}, ${hm}`;
}

export function exactTime(t) {
  return `${exactFmt.format(new Date(t))} (${new Date(t).toISOString()})`;
}

export function formatDuration(seconds) {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  const hrs = Math.floor(m / 60);
  if (hrs < 48) return `${hrs}h ${String(m % 60).padStart(2, '0')}m`;
  return `${Math.floor(hrs / 24)}d ${hrs % 24}h`;
}

export function formatMoney(x, { exact = false } = {}) {
  if (x === null || x === undefined || !Number.isFinite(x)) return '—';
  if (exact) return `$${x.toFixed(6).replace(/0{1,4}$/, '')}`;
  if (x === 0) return '$0.00';
  if (x < 0.01) return '<$0.01';
  return `$${x.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}

export function providerLabel(p) {
  if (!p) return 'Local';
  return p.charAt(0).toUpperCase() + p.slice(1);
}

// The name people recognise: the config, else the model, else the id.
export function jobTitle(job) {
  if (job.config_name) return { owner: '', name: job.config_name };
  const model = job.metadata && typeof job.metadata.model === 'string' ? job.metadata.model : '';
  if (model) {
    const slash = model.indexOf('/');
    return slash > 0 ? { owner: model.slice(0, slash + 1), name: model.slice(slash + 1) } : { owner: '', name: model };
  }
  return { owner: '', name: job.job_id };
}

export function isActive(status) {
  return status === 'pending' || status === 'uploading' || status === 'queued' || status === 'running';
}

// Seconds the job has run: the server's figure for finished jobs, counted
// live for running ones.
export function jobDuration(job, now = Date.now()) {
  const started = parseTime(job.started_at);
  if (job.status === 'running' && started !== null) return (now - started) / 1000;
  if (typeof job.duration_seconds === 'number') return job.duration_seconds;
  const done = parseTime(job.completed_at);
  if (started !== null && done !== null) return (done - started) / 1000;
  return null;
}

// A log as a terminal shows it: a carriage return moves back to the start
// of the line and what follows overwrites it, so each line shows its newest
// state (a tqdm bar redraws itself this way) instead of every state glued
// together.
export function terminalText(text) {
  return text.split('\n').map((line) => {
    let shown = '';
    for (const part of line.split('\r')) shown = part + shown.slice(part.length);
    return shown;
  }).join('\n');
}
