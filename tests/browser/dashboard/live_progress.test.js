'use strict';
// A job the emulator moves to processing shows its stage, last log line and
// a progress bar that advance (the page asks every 5 s), and its row turns
// completed without a reload when the emulator finishes it: over the event
// stream, with the page's clock stopped so that no timer (and so no 30 s
// fallback refresh) can have done it.

const path = require('path');
const { run, check, watch, until } = require('./harness');

run('live_progress', async ({ sim, jobsync, ctx, artifacts }) => {
  await sim.admin('/jobs', { count: 2, status: 'succeeded', model: 'simpletuner/advanced-trainer-l40s', created_spread_seconds: 3600 });
  const { ids: [id] } = await sim.admin('/jobs', { count: 1, status: 'starting', model: 'simpletuner/advanced-trainer-h100', steps: 1000 });
  const synced = await jobsync.api('POST', '/api/cloud/jobs/sync');
  check(synced.status === 200 && synced.json.synced === 3, `sync: ${synced.text}`);

  const page = ctx.pages()[0] || await ctx.newPage();
  const w = watch(page);
  await page.clock.install();
  await page.goto(`${jobsync.base}/`);
  const row = `#job-rows tr[data-id="${id}"]`;
  await page.locator(`${row}[data-status="queued"]`).waitFor();
  await page.locator('#stream-state[data-state="live"]').waitFor({ timeout: 20000 });
  const pageNow = await page.evaluate(() => Date.now());
  await page.clock.pauseAt(pageNow + 200);

  // processing: the event turns the row to running at once.
  await sim.admin(`/jobs/${id}/advance`, { to: 'processing' });
  await page.locator(`${row}[data-status="running"]`).waitFor({ timeout: 20000 });

  // The page's 5 s tick asks for the progress of running jobs; the clock
  // moves by 5 s per try until the page shows what the log says.
  const inline = async () => page.evaluate((sel) => {
    const r = document.querySelector(sel);
    const q = (s) => (r && r.querySelector(s)) || null;
    const bar = q('[role="progressbar"]');
    return {
      stage: q('.stage') ? q('.stage').textContent : null,
      log: q('.last-log') ? q('.last-log').textContent : null,
      progress: bar ? Number(bar.getAttribute('aria-valuenow')) : null,
      width: q('.progress-fill') ? q('.progress-fill').style.width : null,
    };
  }, row);
  const shows = async (what, test) => until(what, async () => {
    await page.clock.runFor(5000);
    const v = await inline();
    return test(v) ? v : null;
  }, { every: 250, timeout: 30000 });

  const append = (text) => sim.admin(`/jobs/${id}/logs`, { append: text });
  await append('Loading dataset and preprocessing 48 images\n');
  await shows('the Preprocessing stage', (v) => v.stage === 'Preprocessing' && (v.log || '').includes('preprocessing'));
  await append('Step 250/1000 - loss: 0.1234 - lr: 1e-4\n');
  const first = await shows('25% progress', (v) => v.stage === 'Training' && v.progress === 25);
  check(first.log.startsWith('Step 250/1000'), `the last log line: ${first.log}`);
  check(first.width === '25%', `the bar is a quarter full: ${first.width}`);
  await page.screenshot({ path: path.join(artifacts, 'live-progress-desktop.png') });
  await append('Step 500/1000 - loss: 0.0987 - lr: 1e-4\n');
  const second = await shows('50% progress', (v) => v.progress === 50);
  check(second.log.startsWith('Step 500/1000'), `the last log line moved on: ${second.log}`);
  check(second.width === '50%', `the bar grew: ${second.width}`);

  // Completion, with the clock stopped: only the event stream can tell.
  await page.evaluate(() => { window.notReloaded = true; });
  const events = await page.evaluate(() => window.jobsync.state.events.received);
  const from = w.requests.length;
  await sim.admin(`/jobs/${id}/advance`, { to: 'succeeded' });
  await page.locator(`${row}[data-status="completed"]`).waitFor({ timeout: 20000 });
  check(await page.evaluate(() => window.notReloaded === true), 'the page was not reloaded');
  const last = await page.evaluate(() => window.jobsync.state.events);
  check(last.received > events, 'an event arrived');
  check(last.last.type === 'job_status_changed' && last.last.job_id === id && last.last.status === 'completed',
    `the last event is this job's completion: ${JSON.stringify(last.last)}`);
  const lists = w.requests.slice(from).filter((r) => new URL(r.url).pathname === '/api/cloud/jobs');
  check(lists.length === 0, `no list reload happened: ${lists.map((r) => r.url).join(', ')}`);
  await until('the stage to disappear', async () => (await inline()).stage === null);
  check(await page.locator(`${row} .badge`).innerText() === 'Completed', 'the badge says Completed');
  await page.screenshot({ path: path.join(artifacts, 'live-completed-desktop.png') });
});
