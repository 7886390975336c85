'use strict';
// A running job its provider stops confirming (every request to the
// emulator answers 503) is shown stale: a badge with the time of the last
// confirmation on its row and in the detail panel, its status unchanged.
// A finished job never is. Once the provider answers again, it is not.

const path = require('path');
const { run, check, watch, until, http } = require('./harness');

run('stale_badge', async ({ sim, jobsync, ctx, artifacts }) => {
  const running = await sim.admin('/jobs', { status: 'processing', model: 'simpletuner/advanced-trainer-l40s' });
  const done = await sim.admin('/jobs', { status: 'succeeded', model: 'simpletuner/advanced-trainer-h100' });
  const id = running.ids[0];
  const doneId = done.ids[0];
  const synced = await jobsync.api('POST', '/api/cloud/jobs/sync');
  check(synced.status === 200 && synced.json.synced === 2, `sync: ${synced.text}`);
  const stored = async (jobId) => (await jobsync.api('GET', `/api/cloud/jobs/${jobId}`)).json.job;

  await sim.admin('/faults', { endpoint: '*', status: 503 });
  const stale = await until('the API to call the running job stale', async () => {
    const job = await stored(id);
    return job.stale ? job : null;
  });
  check(stale.status === 'running', `the status is kept: ${stale.status}`);
  check(typeof stale.synced_at === 'string', `synced_at: ${stale.synced_at}`);

  const page = ctx.pages()[0] || await ctx.newPage();
  const w = watch(page);
  await page.goto(`${jobsync.base}/`);
  const row = page.locator(`#job-rows tr[data-id="${id}"]`);
  const badge = row.locator('.badge.stale');
  await badge.waitFor();
  const text = await badge.innerText();
  check(/^Stale · last confirmed (\w+ \d+, )?\d\d:\d\d$/.test(text), `badge text: ${text}`);
  check((await badge.getAttribute('title')).includes('may be out of date'), 'the badge explains itself');
  check(await row.locator('.badge.st-running').count() === 1, 'the row still says Running');
  check(await page.locator(`#job-rows tr[data-id="${doneId}"] .badge.stale`).count() === 0,
    'a finished job is never stale');
  await page.screenshot({ path: path.join(artifacts, 'stale-desktop.png'), animations: 'disabled' });

  // The detail panel says it too, with the exact time.
  await row.locator('.job-name').click();
  await page.locator('#detail .detail-status .badge.stale').waitFor();
  await page.locator('#detail dt', { hasText: 'Last confirmed' }).waitFor();

  await page.setViewportSize({ width: 390, height: 844 });
  await page.keyboard.press('Escape');
  await badge.waitFor();
  check(await badge.isVisible(), 'the badge shows at phone width');
  await page.screenshot({ path: path.join(artifacts, 'stale-phone.png'), animations: 'disabled' });

  // The provider answers again: the next poll confirms the job.
  await http('DELETE', `${sim.base}/_admin/faults`);
  await until('the API to call the job fresh', async () => !(await stored(id)).stale);
  await page.reload();
  await row.waitFor();
  check(await row.locator('.badge.stale').count() === 0, 'no badge once confirmed again');
  check(w.console.length === 0, `console: ${w.console.join('\n')}`);
}, { sets: ['background.stale_after_seconds=4'] });
