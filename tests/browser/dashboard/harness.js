'use strict';
// Shared by the browser tests: starts the real replicate-sim and jobsyncd on
// port 0, drives Debian's chromium with playwright-core, and gives the
// tests small awaiting helpers (never fixed sleeps).
//
// Every test script is run by CTest as
//   node <script> <jobsyncd> <replicate-sim> <artifacts dir>

const { spawn } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { createRequire } = require('module');

const SOURCE_DIR = path.resolve(__dirname, '..', '..', '..');
const CHROMIUM = process.env.JOBSYNC_CHROMIUM || '/usr/bin/chromium';

function loadPlaywright() {
  const from = createRequire(path.join(SOURCE_DIR, 'tests', 'node', 'package.json'));
  try {
    return from('playwright-core');
  } catch (e) {
    fail('playwright-core is not installed: run scripts/setup.sh (npm ci in tests/node)');
  }
}

function fail(message) {
  console.error(`FAIL: ${message}`);
  process.exit(1);
}

function log(message) {
  console.log(`[${new Date().toISOString().slice(11, 23)}] ${message}`);
}

function args() {
  const [jobsyncd, sim, artifacts] = process.argv.slice(2);
  if (!jobsyncd || !sim || !artifacts) fail('usage: node <test> <jobsyncd> <replicate-sim> <artifacts dir>');
  fs.mkdirSync(artifacts, { recursive: true });
  return { jobsyncd, sim, artifacts };
}

// The environment of a child: nothing from the caller's jobsync or
// Replicate settings leaks in.
function cleanEnv(extra) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(JOBSYNC_|REPLICATE_|SIMPLETUNER_)/.test(k)) continue;
    env[k] = v;
  }
  return Object.assign(env, extra || {});
}

// A child process that prints `listening on <host>:<port>` once it listens.
class Server {
  constructor(name, bin, argv, env) {
    this.name = name;
    this.output = [];
    this.proc = spawn(bin, argv, { env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
    this.exited = new Promise((resolve) => this.proc.on('exit', (code, signal) => resolve({ code, signal })));
    this.port = new Promise((resolve, reject) => {
      let buffered = '';
      const timer = setTimeout(() => reject(new Error(`${name} did not print its port within 20 s:\n${this.tail()}`)), 20000);
      this.proc.stdout.on('data', (chunk) => {
        buffered += chunk.toString();
        this.output.push(chunk.toString());
        const m = /listening on [^:\s]+:(\d+)/.exec(buffered);
        if (m) {
          clearTimeout(timer);
          resolve(Number(m[1]));
        }
      });
      this.proc.stderr.on('data', (chunk) => this.output.push(chunk.toString()));
      this.exited.then(({ code, signal }) => {
        clearTimeout(timer);
        reject(new Error(`${name} exited (${code ?? signal}) before listening:\n${this.tail()}`));
      });
    });
  }

  tail(lines = 60) {
    return this.output.join('').split('\n').slice(-lines).join('\n');
  }

  async stop() {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return;
    this.proc.kill('SIGTERM');
    const killer = setTimeout(() => this.proc.kill('SIGKILL'), 10000);
    await this.exited;
    clearTimeout(killer);
  }
}

async function http(method, url, body, headers = {}) {
  const init = { method, headers: Object.assign({}, headers) };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const res = await fetch(url, init);
  const text = await res.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch (e) { json = null; }
  return { status: res.status, headers: res.headers, text, json };
}

async function expectOk(promise, what) {
  const r = await promise;
  if (r.status < 200 || r.status >= 300) throw new Error(`${what}: HTTP ${r.status} ${r.text}`);
  return r.json;
}

// The emulator with a frozen clock: jobs change only when the test says.
async function startSim(bin, extra = []) {
  const s = new Server('replicate-sim', bin, ['--port', '0', '--speed', '0', '--token', 'test-token', ...extra]);
  s.base = `http://127.0.0.1:${await s.port}`;
  s.admin = (p, body) => expectOk(http(body === undefined ? 'GET' : 'POST', `${s.base}/_admin${p}`, body), `sim ${p}`);
  return s;
}

// jobsyncd over a fresh data folder, with config/test.yaml (1 s polling),
// pointed at the emulator.
async function startJobsync(bin, sim, { sets = [], env = {} } = {}) {
  const data = fs.mkdtempSync(path.join(os.tmpdir(), 'jobsync-browser-'));
  const argv = ['--config', path.join(SOURCE_DIR, 'config', 'test.yaml'), '--data-dir', data, '--port', '0',
    '--set', `providers.replicate.api_base_url=${sim.base}/v1`];
  for (const s of sets) argv.push('--set', s);
  const j = new Server('jobsyncd', bin, argv, env);
  j.data = data;
  j.base = `http://127.0.0.1:${await j.port}`;
  j.api = (method, p, body) => http(method, `${j.base}${p}`, body);
  const stop = j.stop.bind(j);
  j.stop = async () => {
    await stop();
    fs.rmSync(data, { recursive: true, force: true });
  };
  return j;
}

async function launchBrowser() {
  const { chromium } = loadPlaywright();
  if (!fs.existsSync(CHROMIUM)) fail(`${CHROMIUM} is missing: run scripts/setup.sh (it installs Debian's chromium)`);
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'jobsync-pw-'));
  const ctx = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 860 },
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
  const close = ctx.close.bind(ctx);
  ctx.close = async () => {
    await close();
    fs.rmSync(profile, { recursive: true, force: true });
  };
  return ctx;
}

// Records what a page logs and every request that failed or was refused.
function watch(page) {
  const w = { console: [], failed: [], requests: [] };
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') w.console.push(`${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => w.console.push(`pageerror: ${e.message}`));
  page.on('request', (r) => w.requests.push({ method: r.method(), url: r.url(), at: Date.now() }));
  page.on('requestfailed', (r) => {
    // A stream or fetch cut short when the page closes is not a failure.
    const reason = r.failure() ? r.failure().errorText : '';
    if (reason === 'net::ERR_ABORTED' && r.url().includes('/api/events')) return;
    w.failed.push(`${r.method()} ${r.url()}: ${reason}`);
  });
  page.on('response', (r) => {
    if (r.status() >= 400) w.failed.push(`${r.request().method()} ${r.url()}: HTTP ${r.status()}`);
  });
  return w;
}

// Polls `probe` until it returns something truthy; throws with `what` and
// the last value after the deadline. For conditions the page cannot
// signal (server state, values that must change).
async function until(what, probe, { timeout = 20000, every = 100 } = {}) {
  const deadline = Date.now() + timeout;
  let last;
  for (;;) {
    last = await probe();
    if (last) return last;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} (last: ${JSON.stringify(last)})`);
    await new Promise((r) => setTimeout(r, every));
  }
}

function check(condition, message) {
  if (!condition) throw new Error(message);
}

// Runs a test body with the servers and the browser, and cleans up however
// it ends. `body` receives { sim, jobsync, ctx, artifacts } .
async function run(name, body, { simArgs = [], sets = [], env = {} } = {}) {
  const { jobsyncd, sim: simBin, artifacts } = args();
  let sim;
  let jobsync;
  let ctx;
  let ok = false;
  try {
    sim = await startSim(simBin, simArgs);
    jobsync = await startJobsync(jobsyncd, sim, { sets, env });
    log(`${name}: replicate-sim on ${sim.base}, jobsyncd on ${jobsync.base}`);
    ctx = await launchBrowser();
    await body({ sim, jobsync, ctx, artifacts });
    ok = true;
  } catch (e) {
    console.error(`FAIL ${name}: ${e.stack || e}`);
    if (ctx) {
      for (const [i, p] of ctx.pages().entries()) {
        const file = path.join(artifacts, `${name}-failure-${i}.png`);
        await p.screenshot({ path: file, fullPage: true }).catch(() => {});
        console.error(`screenshot of the failure: ${file}`);
      }
    }
    if (jobsync) console.error(`--- jobsyncd output ---\n${jobsync.tail()}`);
  } finally {
    if (ctx) await ctx.close().catch(() => {});
    if (jobsync) await jobsync.stop().catch(() => {});
    if (sim) await sim.stop().catch(() => {});
  }
  if (!ok) process.exit(1);
  log(`${name}: passed`);
}

module.exports = { run, until, check, watch, http, log, startSim, startJobsync, SOURCE_DIR };
