'use strict';
// The detail panel: opened from the keyboard, all fields, cancel (after a
// confirmation that can be declined) for an active job, delete for a
// finished one, Escape closes and gives focus back; and the full log.

const path = require('path');
const { run, check, watch, until } = require('./harness');

run('detail_actions', async ({ sim, jobsync, ctx, artifacts }) => {
  const { ids: [running] } = await sim.admin('/jobs', { count: 1, status: 'processing', model: 'simpletuner/advanced-trainer-l40s' });
  const { ids: [done] } = await sim.admin('/jobs', { count: 1, status: 'succeeded', model: 'ostris/flux-dev-lora-trainer', processing_seconds: 900 });
  const synced = await jobsync.api('POST', '/api/cloud/jobs/sync');
  check(synced.status === 200 && synced.json.synced === 2, `sync: ${synced.text}`);

  const page = ctx.pages()[0] || await ctx.newPage();
  watch(page);
  await page.goto(`${jobsync.base}/`);
  const rowOf = (id) => `#job-rows tr[data-id="${id}"]`;
  await page.locator(`${rowOf(running)}[data-status="running"]`).waitFor();

  // Opened from the keyboard; focus moves into the panel.
  await page.locator(`${rowOf(running)} .job-name`).focus();
  await page.keyboard.press('Enter');
  const panel = page.locator('#detail');
  await page.locator('#detail:not([hidden]) .fields').waitFor();
  check(await page.evaluate(() => document.activeElement.id) === 'detail-close', 'focus is on the close button');
  check((await page.locator('#detail-title').innerText()).includes('advanced-trainer-l40s'), 'the title names the model');
  const fields = await panel.locator('.fields').innerText();
  for (const label of ['Job ID', 'Status', 'Provider', 'Created', 'Started', 'Hardware', 'Cost'])
    check(fields.includes(label), `the panel shows ${label}`);
  check(fields.includes(running), 'the panel shows the job id');

  // Cancel asks first; declining changes nothing.
  await page.locator('#cancel-job').click();
  await page.locator('#confirm-dialog[open]').waitFor();
  await page.locator('#confirm-no').click();
  await page.locator('#confirm-dialog:not([open])').waitFor({ state: 'attached' });
  check((await jobsync.api('GET', `/api/cloud/jobs/${running}`)).json.job.status === 'running', 'declining cancels nothing');

  await page.locator('#cancel-job').click();
  await page.locator('#confirm-dialog[open]').waitFor();
  await page.locator('#confirm-yes').click();
  await page.locator('.toast.success', { hasText: 'Cancelled' }).waitFor();
  await page.locator('#detail .badge.st-cancelled').waitFor();
  await page.locator(`${rowOf(running)}[data-status="cancelled"]`).waitFor();
  check((await jobsync.api('GET', `/api/cloud/jobs/${running}`)).json.job.status === 'cancelled', 'jobsync stored the cancel');
  check((await sim.admin(`/jobs/${running}`)).status === 'canceled', 'the provider cancelled the job');
  await page.screenshot({ path: path.join(artifacts, 'detail-desktop.png') });

  // A finished job offers Delete instead.
  await page.locator('#delete-job').click();
  await page.locator('#confirm-dialog[open]').waitFor();
  await page.locator('#confirm-yes').click();
  await page.locator('.toast.success', { hasText: 'Deleted' }).waitFor();
  await page.locator('#detail').waitFor({ state: 'hidden' });
  await page.locator(rowOf(running)).waitFor({ state: 'detached' });
  check((await jobsync.api('GET', `/api/cloud/jobs/${running}`)).status === 404, 'the job is gone from jobsync');
  await until('the list to count one job', async () => (await page.locator('#pager-text').innerText()) === '1 job');

  // Escape closes the panel and focus returns to the row.
  await page.locator(`${rowOf(done)} .job-name`).click();
  await page.locator('#detail:not([hidden]) .fields').waitFor();
  check(await page.locator('#delete-job').isVisible(), 'a finished job can be deleted');
  check(await page.locator('#cancel-job').count() === 0, 'a finished job cannot be cancelled');
  await page.keyboard.press('Escape');
  await page.locator('#detail').waitFor({ state: 'hidden' });
  check(await page.evaluate((id) => document.activeElement.closest('tr') && document.activeElement.closest('tr').dataset.id === id, done),
    'focus is back on the row that opened the panel');

  // The full log (GET /api/cloud/jobs/{id}/logs).
  await page.keyboard.press('Enter');
  await page.locator('#detail:not([hidden]) .fields').waitFor();
  await until('the log to load', async () => !(await page.locator('#detail-log').innerText()).startsWith('Loading'));
  const shown = await page.locator('#detail-log').innerText();
  const logs = await jobsync.api('GET', `/api/cloud/jobs/${done}/logs`);
  check(logs.status === 200, `GET /logs answers: HTTP ${logs.status} ${logs.text}`);
  check(logs.json.job_id === done && typeof logs.json.logs === 'string' && logs.json.logs.length > 0, 'the log has text');
  const norm = (s) => s.replace(/\r\n?/g, '\n').trim();
  check(norm(shown) === norm(logs.json.logs), 'the panel shows the whole log');
  await page.screenshot({ path: path.join(artifacts, 'detail-log-desktop.png') });
});
