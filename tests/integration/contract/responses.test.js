'use strict';
// Real answers of the running jobsyncd (against replicate-sim) validate
// against docs/openapi.json: every operation of the document is called with
// a success and an error case, and each answer's status, content type,
// documented headers and body must be what the document says. Run by CTest:
//   node responses.test.js <jobsyncd> <replicate-sim>

const crypto = require('crypto');
const http = require('http');
const zlib = require('zlib');
const { Contract } = require('./contract');
const { startSim, startJobsync, until, log } = require('../../browser/dashboard/harness');

const TOKEN = 'contract-token';
const AUTH = { Authorization: `Bearer ${TOKEN}` };
// config/test.yaml's webhook secret.
const WEBHOOK_KEY = Buffer.from('dGVzdC1zZWNyZXQ=', 'base64');
const MAX_BODY = 4096;
const FAILED_SIGNATURES_PER_MINUTE = 3;

const contract = new Contract();

// A small real PNG (8x8 gray), as a trainer's validation report carries it.
function tinyPng() {
  const table = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; ++k) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (buf) => {
    let c = 0xffffffff;
    for (const byte of buf) c = table[(c ^ byte) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type, data) => {
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const sum = Buffer.alloc(4);
    sum.writeUInt32BE(crc(body));
    return Buffer.concat([len, body, sum]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(8, 0);
  header.writeUInt32BE(8, 4);
  header[8] = 8; // bit depth; colour type 0 (gray)
  const rows = Buffer.alloc(8 * 9, 0x80);
  for (let y = 0; y < 8; ++y) rows[y * 9] = 0; // filter: none
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', header),
    chunk('IDAT', zlib.deflateSync(rows)), chunk('IEND', Buffer.alloc(0))]);
}

// One request, answered as { status, headers, text }, checked against the
// document; `json` is the validated body.
async function call(base, method, path, { headers = {}, body, expect } = {}) {
  const url = `${base}${path}`;
  const init = { method, headers: Object.assign({}, headers) };
  if (body !== undefined) {
    init.body = typeof body === 'string' ? body : JSON.stringify(body);
    if (!init.headers['Content-Type']) init.headers['Content-Type'] = 'application/json';
  }
  const res = await fetch(url, init);
  const text = await res.text();
  const answer = { status: res.status, headers: res.headers, text };
  if (expect !== undefined && res.status !== expect)
    throw new Error(`${method} ${path}: expected ${expect}, got ${res.status}: ${text.slice(0, 300)}`);
  answer.json = contract.check(method, url, answer, init.body);
  return answer;
}

// Like `call`, but through node's http module, which sends a body with
// any method (fetch refuses one on GET and HEAD).
function rawCall(base, method, path, { headers = {}, body = '' } = {}) {
  const url = `${base}${path}`;
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers: Object.assign({ 'Content-Length': Buffer.byteLength(body) }, headers) }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => { text += c; });
      res.on('end', () => {
        const answer = { status: res.statusCode, headers: { get: (n) => res.headers[n.toLowerCase()] ?? null }, text };
        try {
          answer.json = contract.check(method, url, answer);
          resolve(answer);
        } catch (e) {
          reject(e);
        }
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

// The error body's code, after the document validated the shape.
function expectError(answer, status, code) {
  if (answer.status !== status || !answer.json || answer.json.error !== code)
    throw new Error(`expected ${status} ${code}, got ${answer.status} ${answer.text.slice(0, 300)}`);
}

// A Standard Webhooks signature of `body`.
function signed(id, body, key = WEBHOOK_KEY) {
  const ts = String(Math.floor(Date.now() / 1000));
  const mac = crypto.createHmac('sha256', key).update(`${id}.${ts}.${body}`).digest('base64');
  return { 'webhook-id': id, 'webhook-timestamp': ts, 'webhook-signature': `v1,${mac}`, 'Content-Type': 'application/json' };
}

// Reads an event stream until `enough(frames)` says so, then hangs up.
// Returns { answer (status, headers, text so far), frames: [{id, data}] }.
async function readStream(base, path, enough) {
  const controller = new AbortController();
  const res = await fetch(`${base}${path}`, { headers: AUTH, signal: controller.signal });
  const frames = [];
  let text = '';
  if (res.status === 200) {
    const decoder = new TextDecoder();
    const deadline = setTimeout(() => controller.abort(), 20000);
    try {
      for await (const chunk of res.body) {
        text += decoder.decode(chunk, { stream: true });
        frames.length = 0;
        for (const block of text.split('\n\n').slice(0, -1)) {
          const frame = {};
          for (const line of block.split('\n')) {
            if (line.startsWith('id: ')) frame.id = line.slice(4);
            if (line.startsWith('data: ')) frame.data = JSON.parse(line.slice(6));
          }
          frames.push(frame);
        }
        if (enough(frames)) break;
      }
    } catch (e) {
      if (e.name !== 'AbortError') throw e;
      throw new Error(`${path}: the stream did not bring what was awaited within 20 s:\n${text}`);
    } finally {
      clearTimeout(deadline);
      controller.abort();
    }
  } else {
    text = await res.text();
  }
  return { answer: { status: res.status, headers: res.headers, text }, frames };
}

async function main() {
  const [jobsyncdBin, simBin] = process.argv.slice(2);
  if (!jobsyncdBin || !simBin) throw new Error('usage: node responses.test.js <jobsyncd> <replicate-sim>');
  const servers = [];
  try {
    const sim = await startSim(simBin);
    servers.push(sim);
    const running = (await sim.admin('/jobs', { status: 'processing', model: 'simpletuner/advanced-trainer-h100' })).ids[0];
    const finished = (await sim.admin('/jobs', { status: 'succeeded' })).ids[0];
    const cancellable = (await sim.admin('/jobs', { status: 'processing' })).ids[0];
    const j = await startJobsync(jobsyncdBin, sim, {
      sets: [`server.api_token=${TOKEN}`, `server.max_body_bytes=${MAX_BODY}`,
        `providers.local.max_body_bytes=${MAX_BODY}`,
        `webhooks.failed_signatures_per_minute=${FAILED_SIGNATURES_PER_MINUTE}`],
    });
    servers.push(j);
    const b = j.base;
    log(`replicate-sim on ${sim.base}, jobsyncd on ${b}`);
    const get = (path, opts = {}) => call(b, 'GET', path, Object.assign({ headers: AUTH }, opts));
    const head = (path, opts = {}) => call(b, 'HEAD', path, Object.assign({ headers: AUTH }, opts));

    // -- Probes, the health report and the metrics (public) -----------------
    await until('readiness', async () => (await fetch(`${b}/readyz`)).status === 200);
    for (const path of ['/healthz', '/readyz', '/api/cloud/health/live', '/api/cloud/health/ready',
      '/api/cloud/health', '/api/cloud/health?include_replicate=true', '/metrics',
      '/api/cloud/metrics/prometheus', '/api/openapi.json', '/']) {
      await call(b, 'GET', path, { expect: 200 });
      await call(b, 'HEAD', path, { expect: 200 });
    }
    const health = await call(b, 'GET', '/api/cloud/health?include_replicate=true', { expect: 200 });
    if (!health.json.components.some((c) => c.name === 'replicate_api'))
      throw new Error(`include_replicate did not ask the provider: ${health.text}`);
    expectError(await call(b, 'GET', '/api/cloud/health?include_replicate=maybe'), 400, 'bad_request');

    // -- Validators: the document and the dashboard's files -----------------
    for (const path of ['/api/openapi.json', '/', '/assets/app.js']) {
      const first = await call(b, 'GET', path, { expect: 200 });
      const again = { 'If-None-Match': first.headers.get('etag') };
      await call(b, 'GET', path, { headers: again, expect: 304 });
      await call(b, 'HEAD', path, { headers: again, expect: 304 });
    }
    const served = await call(b, 'GET', '/api/openapi.json', { expect: 200 });
    if (JSON.stringify(served.json) !== JSON.stringify(contract.doc))
      throw new Error('/api/openapi.json is not docs/openapi.json');
    await call(b, 'HEAD', '/assets/app.js', { expect: 200 });
    expectError(await call(b, 'GET', '/assets/no-such-file.js'), 404, 'not_found');
    await call(b, 'HEAD', '/assets/no-such-file.js', { expect: 404 });

    // -- Jobs ---------------------------------------------------------------
    await call(b, 'POST', '/api/cloud/jobs/sync', { headers: AUTH, body: { provider: 'replicate' }, expect: 200 });
    // The background poller may have found some of them first.
    for (const id of [running, finished, cancellable])
      await until(`job ${id} in the store`, async () => (await fetch(`${b}/api/cloud/jobs/${id}`, { headers: AUTH })).status === 200);
    await get('/api/cloud/jobs', { expect: 200 });
    const page = await get('/api/cloud/jobs?status=running&status=queued&limit=2&offset=0&provider=replicate&job_type=cloud', { expect: 200 });
    if (page.json.jobs.some((x) => !['running', 'queued'].includes(x.status)))
      throw new Error(`the status filter let others through: ${page.text}`);
    await get('/api/cloud/jobs?sync_active=true', { expect: 200 });
    await get('/api/cloud/jobs?status=running,failed', { expect: 200 });
    await head('/api/cloud/jobs', { expect: 200 });
    for (const bad of ['limit=0', 'limit=abc', 'offset=-1', 'status=bogus', 'job_type=both', 'sync_active=maybe', 'limit=1&limit=2']) {
      expectError(await get(`/api/cloud/jobs?${bad}`), 400, 'bad_request');
    }
    await head('/api/cloud/jobs?limit=abc', { expect: 400 });

    for (const id of [running, finished]) {
      await get(`/api/cloud/jobs/${id}`, { expect: 200 });
      await head(`/api/cloud/jobs/${id}`, { expect: 200 });
      await get(`/api/cloud/jobs/${id}/inline-progress`, { expect: 200 });
      await head(`/api/cloud/jobs/${id}/inline-progress`, { expect: 200 });
      await get(`/api/cloud/jobs/${id}/logs`, { expect: 200 });
      await head(`/api/cloud/jobs/${id}/logs`, { expect: 200 });
    }
    for (const sub of ['', '/inline-progress', '/logs']) {
      expectError(await get(`/api/cloud/jobs/no-such-job${sub}`), 404, 'job_not_found');
      await head(`/api/cloud/jobs/no-such-job${sub}`, { expect: 404 });
    }
    expectError(await call(b, 'DELETE', '/api/cloud/jobs/no-such-job', { headers: AUTH }), 404, 'job_not_found');
    expectError(await call(b, 'DELETE', `/api/cloud/jobs/${running}`, { headers: AUTH }), 409, 'invalid_job_state');
    expectError(await call(b, 'POST', '/api/cloud/jobs/no-such-job/cancel', { headers: AUTH }), 404, 'job_not_found');
    expectError(await call(b, 'POST', `/api/cloud/jobs/${finished}/cancel`, { headers: AUTH }), 409, 'invalid_job_state');
    await call(b, 'POST', `/api/cloud/jobs/${cancellable}/cancel`, { headers: AUTH, expect: 200 });
    await call(b, 'DELETE', `/api/cloud/jobs/${finished}`, { headers: AUTH, expect: 200 });

    // -- Local runs: a trainer's reports and the validation image -----------
    const report = (body) => call(b, 'POST', '/callback', { body });
    await report({ type: 'training.status', job_id: 'contract-local', progress: { current: 1, total: 10 } }).then((r) => {
      if (r.status !== 200 || r.json.job_id !== 'contract-local') throw new Error(`a trainer report: ${r.text}`);
    });
    expectError(await get('/api/cloud/jobs/contract-local/validation/latest'), 404, 'not_found');
    await head('/api/cloud/jobs/contract-local/validation/latest', { expect: 404 });
    await report({ type: 'training.validation', job_id: 'contract-local', images: [tinyPng().toString('base64')] }).then((r) => {
      if (r.status !== 200) throw new Error(`a validation report: ${r.text}`);
    });
    const image = await get('/api/cloud/jobs/contract-local/validation/latest', { expect: 200 });
    await head('/api/cloud/jobs/contract-local/validation/latest', { expect: 200 });
    const sameImage = Object.assign({ 'If-None-Match': image.headers.get('etag') }, AUTH);
    await get('/api/cloud/jobs/contract-local/validation/latest', { headers: sameImage, expect: 304 });
    await head('/api/cloud/jobs/contract-local/validation/latest', { headers: sameImage, expect: 304 });
    expectError(await get('/api/cloud/jobs/no-such-job/validation/latest'), 404, 'job_not_found');
    expectError(await report('not json'), 400, 'bad_request');
    expectError(await report({ type: 'notification', job_id: running }), 409, 'invalid_job_state');

    // -- Polling, providers, the dashboard's figures and config -------------
    const status = await get('/api/cloud/polling/status', { expect: 200 });
    if (!status.json.providers.length) throw new Error(`no poller in ${status.text}`);
    await head('/api/cloud/polling/status', { expect: 200 });
    // Off for the provider, then back to the configured rule for all (the
    // rest of the test polls as configured).
    const off = await call(b, 'PUT', '/api/cloud/polling/setting', { headers: AUTH, body: { enabled: false, provider: 'replicate' }, expect: 200 });
    if (off.json.enabled !== false || off.json.is_active !== false) throw new Error(`polling not off: ${off.text}`);
    const stopped = await get('/api/cloud/polling/status', { expect: 200 });
    if (stopped.json.preference !== false || stopped.json.providers[0].is_active !== false) throw new Error(`status after off: ${stopped.text}`);
    await call(b, 'PUT', '/api/cloud/polling/setting', { headers: AUTH, body: { enabled: null, provider: null }, expect: 200 });
    expectError(await call(b, 'PUT', '/api/cloud/polling/setting', { headers: AUTH, body: { enabled: 'yes' } }), 400, 'bad_request');
    expectError(await call(b, 'PUT', '/api/cloud/polling/setting', { headers: AUTH, body: { enabled: true, interval_seconds: 0 } }), 400, 'bad_request');
    expectError(await call(b, 'PUT', '/api/cloud/polling/setting', { headers: AUTH, body: { enabled: true, provider: 'nobody' } }), 404, 'not_found');
    await get('/api/cloud/providers/replicate/validate', { expect: 200 });
    await head('/api/cloud/providers/replicate/validate', { expect: 200 });
    expectError(await get('/api/cloud/providers/nobody/validate'), 404, 'not_found');
    await get('/api/cloud/metrics', { expect: 200 });
    await get('/api/cloud/metrics?days=7', { expect: 200 });
    await head('/api/cloud/metrics', { expect: 200 });
    expectError(await get('/api/cloud/metrics?days=abc'), 400, 'bad_request');
    await get('/api/ui/config', { expect: 200 });
    await head('/api/ui/config', { expect: 200 });

    // -- The event stream ----------------------------------------------------
    const replay = await readStream(b, '/api/events?lastEventId=0', (fs) => fs.some((f) => f.data));
    contract.check('GET', `${b}/api/events`, Object.assign(replay.answer, { text: '' }));
    const resync = await readStream(b, '/api/events?lastEventId=not-a-number', (fs) => fs.some((f) => f.data));
    contract.check('GET', `${b}/api/events`, Object.assign(resync.answer, { text: '' }));
    if (!resync.frames.some((f) => f.data && f.data.type === 'resync_required'))
      throw new Error(`no resync_required frame: ${resync.answer.text}`);
    for (const f of [...replay.frames, ...resync.frames].filter((x) => x.data))
      contract.validateSchema('/components/schemas/Event', f.data, `event ${JSON.stringify(f.data)}`);
    // With the token as EventSource sends it; and HEAD.
    const byQuery = await readStream(b, `/api/events?access_token=${TOKEN}`, (fs) => fs.length > 0);
    contract.check('GET', `${b}/api/events`, Object.assign(byQuery.answer, { text: '' }));
    await head('/api/events', { expect: 200 });
    expectError(await call(b, 'GET', '/api/events?access_token=wrong'), 401, 'unauthorized');
    await call(b, 'HEAD', '/api/events', { expect: 401 });

    // -- Webhooks ------------------------------------------------------------
    const delivery = JSON.stringify({ id: running, status: 'processing', logs: 'step 1/10\n' });
    await call(b, 'POST', '/api/webhooks/replicate', { headers: signed('msg_contract_1', delivery), body: delivery, expect: 200 });
    const replayed = await call(b, 'POST', '/api/webhooks/replicate', { headers: signed('msg_contract_1', delivery), body: delivery, expect: 200 });
    if (replayed.json.status !== 'duplicate') throw new Error(`a replayed delivery was applied again: ${replayed.text}`);
    expectError(await call(b, 'POST', '/api/webhooks/replicate', { headers: signed('msg_contract_2', 'not json'), body: 'not json' }), 400, 'bad_request');
    expectError(await call(b, 'POST', '/api/webhooks/nobody', { headers: signed('msg_contract_3', delivery), body: delivery }), 404, 'not_found');
    // Too many bad signatures from one address: 429 with Retry-After.
    let limited = null;
    for (let i = 0; i <= FAILED_SIGNATURES_PER_MINUTE && !limited; ++i) {
      const r = await call(b, 'POST', '/api/webhooks/replicate', { headers: signed(`msg_bad_${i}`, delivery, Buffer.from('wrong')), body: delivery });
      if (r.status === 429) limited = r;
      else expectError(r, 401, 'unauthorized');
    }
    if (!limited) limited = await call(b, 'POST', '/api/webhooks/replicate', { headers: signed('msg_bad_last', delivery, Buffer.from('wrong')), body: delivery });
    expectError(limited, 429, 'rate_limited');

    // -- What every route shares -------------------------------------------
    // Without the token, each guarded operation is a 401.
    for (const op of contract.operations()) {
      const [method, template] = op.split(' ');
      const o = contract.doc.paths[template][method.toLowerCase()];
      const security = o.security || contract.doc.security || [];
      if (!security.length) continue;
      const path = template.replace(/\{[^}]+\}/g, 'x');
      const r = await call(b, method, path, { expect: 401 });
      if (method !== 'HEAD') expectError(r, 401, 'unauthorized');
    }
    // A body over server.max_body_bytes, with any method, is a 413.
    for (const op of contract.operations()) {
      const [method, template] = op.split(' ');
      const path = template.replace(/\{[^}]+\}/g, 'x');
      const r = await rawCall(b, method, path, { headers: AUTH, body: 'x'.repeat(MAX_BODY + 1) });
      if (r.status !== 413) throw new Error(`${op} with ${MAX_BODY + 1} bytes of body: ${r.status}, not 413`);
      if (method !== 'HEAD') expectError(r, 413, 'payload_too_large');
      // And a request URL over 16 KiB is a 400.
      const long = await rawCall(b, method, `${path}?pad=${'x'.repeat(17000)}`, { headers: AUTH });
      if (long.status !== 400) throw new Error(`${op} with a 17 KB URL: ${long.status}, not 400`);
      if (method !== 'HEAD') expectError(long, 400, 'bad_request');
    }
    // An unknown path, and a known one with a method it is not served with:
    // the document's x-unrouted-responses (a 405's Allow lists exactly the
    // document's methods for the path).
    const unrouted = async (method, path) => {
      const r = await fetch(`${b}${path}`, { method, headers: AUTH });
      const answer = { status: r.status, headers: r.headers, text: await r.text() };
      answer.json = contract.checkUnrouted(method, `${b}${path}`, answer);
      return answer;
    };
    for (const path of ['/api/cloud/nothing-here', '/nothing', '/api/cloud/jobs/x/y'])
      expectError(await unrouted('GET', path), 404, 'not_found');
    for (const [method, path] of [['PUT', '/api/cloud/jobs'], ['POST', '/api/cloud/jobs/x'], ['PUT', '/api/cloud/jobs/sync'],
      ['DELETE', '/healthz'], ['POST', '/api/openapi.json'], ['GET', '/api/webhooks/replicate'], ['PATCH', '/']])
      expectError(await unrouted(method, path), 405, 'method_not_allowed');

    // -- The provider's answers: 429, 502, 504 ------------------------------
    // The background poller lists every second too, so a fault on `list`
    // stays until it is cleared: whoever meets it first, the sync meets it
    // (or, for the 429, the wait it imposed) as well.
    const clearFaults = async () => {
      const r = await fetch(`${sim.base}/_admin/faults`, { method: 'DELETE' });
      if (r.status !== 200) throw new Error(`clearing the faults: ${r.status}`);
    };
    const providerAnswers = async () => (await get('/api/cloud/providers/replicate/validate')).status === 200 &&
      (await call(b, 'POST', '/api/cloud/jobs/sync', { headers: AUTH })).status === 200;
    await sim.admin('/faults', { endpoint: 'account', kind: 'status', status: 429, retry_after: 1 });
    const slowDown = await get('/api/cloud/providers/replicate/validate');
    expectError(slowDown, 429, 'rate_limited');
    if (!slowDown.headers.get('retry-after')) throw new Error('a provider 429 without Retry-After');
    await clearFaults();
    await until('the provider\'s wait to pass', providerAnswers);
    await sim.admin('/faults', { endpoint: 'list', kind: 'status', status: 429, retry_after: 1 });
    expectError(await call(b, 'POST', '/api/cloud/jobs/sync', { headers: AUTH }), 429, 'rate_limited');
    await clearFaults();
    await until('the provider\'s wait to pass', providerAnswers);
    await sim.admin('/faults', { endpoint: 'account', kind: 'malformed' });
    expectError(await get('/api/cloud/providers/replicate/validate'), 502, 'provider_error');
    await clearFaults();
    await sim.admin('/faults', { endpoint: 'list', kind: 'malformed' });
    expectError(await call(b, 'POST', '/api/cloud/jobs/sync', { headers: AUTH }), 502, 'provider_error');
    await clearFaults();
    // Slower than providers.replicate.request_timeout_seconds (2 s).
    await sim.admin('/faults', { endpoint: 'account', kind: 'slow', delay_ms: 5000 });
    expectError(await get('/api/cloud/providers/replicate/validate'), 504, 'timeout');
    await clearFaults();

    // -- A server with no provider token: what needs the provider is 503 ----
    const bare = await startJobsync(jobsyncdBin, sim, { sets: ['providers.replicate.api_token='] });
    servers.push(bare);
    expectError(await call(bare.base, 'POST', '/api/cloud/jobs/sync'), 503, 'unavailable');
    const degraded = await call(bare.base, 'GET', '/api/cloud/health', { expect: 200 });
    if (degraded.json.status !== 'degraded') throw new Error(`no token, yet ${degraded.text}`);
    const invalid = await call(bare.base, 'GET', '/api/cloud/providers/replicate/validate', { expect: 200 });
    if (invalid.json.valid !== false) throw new Error(`no token, yet ${invalid.text}`);

    // -- Every operation of the document was seen succeed and fail ----------
    const missing = [];
    for (const op of contract.operations()) {
      const statuses = [...(contract.seen.get(op) || [])];
      if (!statuses.some((s) => s < 400)) missing.push(`${op}: no success validated`);
      if (!statuses.some((s) => s >= 400)) missing.push(`${op}: no error validated`);
    }
    if (missing.length)
      throw new Error(`operations of docs/openapi.json this test did not see answer:\n${missing.join('\n')}\n` +
        'add a call with a success and one with an error status to tests/integration/contract/responses.test.js');
    const validated = [...contract.seen.values()].reduce((n, s) => n + s.size, 0);
    log(`${contract.operations().length} operations, ${validated} (operation, status) pairs validated`);
    for (const [op, s] of [...contract.seen.entries()].sort()) log(`  ${op}: ${[...s].sort().join(' ')}`);
  } catch (e) {
    for (const s of servers) if (s.name === 'jobsyncd') console.error(`--- jobsyncd output ---\n${s.tail()}`);
    throw e;
  } finally {
    for (const s of servers.reverse()) await s.stop().catch(() => {});
  }
}

main().then(
  () => log('contract responses: passed'),
  (e) => {
    console.error(`FAIL: ${e.stack || e}`);
    process.exit(1);
  });
