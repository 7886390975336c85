'use strict';
// EventSource conformance: a standard client (the npm `eventsource`
// package, as Node programs use it) against the real jobsyncd and
// replicate-sim. It must parse every frame, see the ids it expects, honour
// the retry hint, resume with Last-Event-ID (set by hand and by its own
// reconnect across a server restart) and get resync_required for an id the
// server can no longer serve.
//
// usage: node eventsource_conformance.js <jobsyncd> <replicate-sim> <source dir>

const { spawn } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const [jobsyncdPath, simPath, sourceDir] = process.argv.slice(2);
if (!jobsyncdPath || !simPath || !sourceDir) {
  console.error('usage: eventsource_conformance.js <jobsyncd> <replicate-sim> <source dir>');
  process.exit(2);
}
const EventSource = require(path.join(sourceDir, 'tests/node/node_modules/eventsource'));

const children = [];
const sources = [];
let failures = 0;

function check(condition, what) {
  if (condition) {
    console.log('ok   ' + what);
  } else {
    failures++;
    console.log('FAIL ' + what);
  }
}

function sameList(a, b) {
  return JSON.stringify(a) === JSON.stringify(b);
}

// Resolves once `condition()` holds (checked every 10 ms); rejects after
// the timeout. A condition awaited, not a fixed sleep.
function until(condition, what, timeoutMs = 20000) {
  return new Promise((resolve, reject) => {
    if (condition()) return resolve();
    const timer = setTimeout(() => {
      clearInterval(poll);
      reject(new Error('timed out waiting for ' + what));
    }, timeoutMs);
    const poll = setInterval(() => {
      if (condition()) {
        clearTimeout(timer);
        clearInterval(poll);
        resolve();
      }
    }, 10);
  });
}

// Starts a program and resolves with its port once it printed
// "listening on <host>:<port>".
function startProgram(file, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let out = '';
    const onData = (chunk) => {
      out += chunk.toString();
      const m = out.match(/listening on [^\s:]+:(\d+)/);
      if (m) {
        child.stdout.off('data', onData);
        resolve({ child, port: Number(m[1]) });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (chunk) => { out += chunk.toString(); });
    child.on('exit', (code) => reject(new Error(file + ' exited with ' + code + ':\n' + out)));
  });
}

function stopProgram(child) {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve(child.exitCode);
    child.removeAllListeners('exit');
    child.on('exit', (code) => resolve(code));
    child.kill('SIGTERM');
  });
}

async function request(method, url, body) {
  const r = await fetch(url, {
    method,
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  if (r.status !== 200) throw new Error(method + ' ' + url + ': ' + r.status + ' ' + text);
  return JSON.parse(text);
}

// Records what an EventSource sees.
function listen(url, headers) {
  const seen = { opens: 0, errors: 0, messages: [], es: null };
  const es = new EventSource(url, headers ? { headers } : undefined);
  seen.es = es;
  sources.push(es);
  es.onopen = () => { seen.opens++; };
  es.onerror = () => { seen.errors++; };
  es.onmessage = (e) => {
    seen.messages.push({ id: e.lastEventId, data: JSON.parse(e.data), type: e.type });
  };
  // Named events would bypass onmessage: the server must send none.
  es.addEventListener('job_status_changed', () => { seen.named = true; });
  return seen;
}

async function main() {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'jobsync-es-'));
  const sim = await startProgram(simPath, ['--port', '0', '--speed', '0',
                                           '--start-time', '2026-11-01T10:00:00Z']);
  const simBase = 'http://127.0.0.1:' + sim.port;
  const serverArgs = (port) => [
    '--config', path.join(sourceDir, 'config/test.yaml'), '--data-dir', dataDir,
    '--port', String(port),
    '--set', 'providers.replicate.api_base_url=' + simBase + '/v1',
    '--set', 'providers.replicate.api_token=r8_sim_token',
    '--set', 'background.job_status_polling.enabled=false',
    '--set', 'sync.active_deadline_seconds=8',
    '--set', 'events.replay_buffer=3',
  ];
  let server = await startProgram(jobsyncdPath, serverArgs(0));
  const port = server.port;
  const base = 'http://127.0.0.1:' + port;
  try {
    const seeded = (await request('POST', simBase + '/_admin/jobs',
                                  { count: 3, status: 'starting' })).ids;

    // 1. Discoveries reach a plain EventSource as unnamed messages.
    const a = listen(base + '/api/events');
    await until(() => a.opens === 1, 'the stream to open');
    const synced = await request('POST', base + '/api/cloud/jobs/sync', {});
    check(synced.synced === 3, 'sync discovered 3 jobs');
    await until(() => a.messages.length >= 3, 'three discoveries');
    check(sameList(a.messages.map((m) => m.id), ['1', '2', '3']), 'ids 1, 2, 3 in order');
    check(a.messages.every((m) => m.type === 'message'), 'events are unnamed (type "message")');
    check(a.messages.every((m) => m.data.type === 'job_status_changed'
                                  && m.data.status === 'queued'
                                  && m.data.previous_status === null
                                  && m.data.provider === 'replicate'),
          'discoveries: job_status_changed, queued, previous_status null, provider replicate');
    check(sameList(a.messages.map((m) => m.data.job_id).sort(), [...seeded].sort()),
          'one discovery per seeded job');
    check(a.es.reconnectInterval === 100, 'the retry hint (100 ms in test.yaml) is applied');

    // 2. A status change.
    await request('POST', simBase + '/_admin/jobs/' + seeded[0] + '/advance', { to: 'processing' });
    await request('GET', base + '/api/cloud/jobs?sync_active=true');
    await until(() => a.messages.length >= 4, 'the running event');
    const running = a.messages[3];
    check(running.id === '4' && running.data.job_id === seeded[0]
          && running.data.status === 'running' && running.data.previous_status === 'queued',
          'queued -> running arrives as event 4');

    // 3. Resume by hand: the ring (3 events) holds 2, 3, 4.
    const b = listen(base + '/api/events', { 'Last-Event-ID': '2' });
    await until(() => b.messages.length >= 2, 'the replay after 2');
    check(sameList(b.messages.map((m) => m.id), ['3', '4']), 'Last-Event-ID 2 replays exactly 3 and 4');
    check(sameList(b.messages.map((m) => m.data), a.messages.slice(2).map((m) => m.data)),
          'replayed data equals what was sent live');
    b.es.close();

    // 4. An id older than the ring.
    const c = listen(base + '/api/events', { 'Last-Event-ID': '0' });
    await until(() => c.messages.length >= 1, 'resync_required');
    check(c.messages[0].data.type === 'resync_required', 'id 0 (older than the ring) gets resync_required');
    check(c.messages[0].id === '4', 'resync_required moves lastEventId to the newest id (4)');
    c.es.close();

    // 5. The server restarts on the same port: EventSource reconnects by
    // itself with Last-Event-ID 4 and gets exactly what happened meanwhile.
    const code = await stopProgram(server.child);
    check(code === 0, 'jobsyncd stopped cleanly (exit 0)');
    await until(() => a.errors >= 1, 'the client to notice the end of the stream');
    server = await startProgram(jobsyncdPath, serverArgs(port));
    await request('POST', simBase + '/_admin/jobs/' + seeded[1] + '/advance', { to: 'processing' });
    await request('GET', base + '/api/cloud/jobs?sync_active=true');
    await until(() => a.messages.length >= 5, 'the event after the restart');
    await until(() => a.opens >= 2, 'the reconnect');
    check(a.messages.length === 5, 'nothing twice across the reconnect');
    const after = a.messages[4];
    check(after.id === '5' && after.data.job_id === seeded[1] && after.data.status === 'running',
          'after the restart the next id is 5 and reaches the reconnected client');
    check(!a.named, 'no named events were sent');
  } finally {
    for (const es of sources) es.close();
    for (const child of children) await stopProgram(child);
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

main().then(() => {
  if (failures > 0) {
    console.log(failures + ' check(s) failed');
    process.exit(1);
  }
  console.log('all checks passed');
  process.exit(0);
}, (e) => {
  console.log('FAIL ' + (e && e.stack || e));
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  process.exit(1);
});
