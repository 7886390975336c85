'use strict';
// The Sync button: disabled and spinning while the sync runs, then the
// seed's toast "Discovered N jobs from Replicate" with the server's N, then
// the rows and the figures; a failed sync shows the server's detail.

const path = require('path');
const { run, check, watch, until } = require('./harness');

run('sync', async ({ sim, jobsync, ctx, artifacts }) => {
  // Finished jobs only, so the poller makes no provider requests of its own
  // and the fault injected below is met by the sync.
  await sim.admin('/jobs', { count: 4, status: 'succeeded', model: 'simpletuner/advanced-trainer-l40s', created_spread_seconds: 7200 });
  await sim.admin('/jobs', { count: 1, status: 'failed', model: 'simpletuner/advanced-trainer-h100' });
  await sim.admin('/jobs', { count: 1, status: 'canceled', model: 'ostris/flux-dev-lora-trainer' });
  const N = 6;

  const page = ctx.pages()[0] || await ctx.newPage();
  watch(page);
  await page.goto(`${jobsync.base}/`);
  await page.getByRole('heading', { name: 'No jobs yet' }).waitFor();
  await page.locator('#cards:not([aria-busy])').waitFor();
  check((await page.locator('#card-jobs [data-figure]').innerText()) === '0', 'no jobs counted before the sync');

  // The request is held until the spinner has been seen, so the busy state
  // is observed for certain rather than raced.
  let release;
  const held = new Promise((resolve) => { release = resolve; });
  await page.route('**/api/cloud/jobs/sync', async (route) => {
    await held;
    await route.continue();
  });
  const button = page.locator('#sync-button');
  const answer = page.waitForResponse((r) => r.url().endsWith('/api/cloud/jobs/sync') && r.request().method() === 'POST');
  await button.click();
  await page.locator('#sync-button[aria-busy="true"]:disabled').waitFor();
  const spin = await page.locator('#sync-button svg').evaluate((el) => getComputedStyle(el).animationName);
  check(spin === 'spin', `the Sync icon spins while syncing (animation: ${spin})`);
  check((await button.innerText()).includes('Syncing'), 'the button says Syncing…');
  await page.screenshot({ path: path.join(artifacts, 'sync-running.png') });
  release();

  const body = await (await answer).json();
  check(body.synced === N, `the server discovered ${N} jobs: ${JSON.stringify(body)}`);
  const toast = page.locator('.toast.success .toast-title').first();
  await toast.waitFor();
  const text = await toast.innerText();
  check(text === `Discovered ${N} jobs from Replicate`, `toast text: "${text}"`);

  // Then the rows and the figures.
  await page.locator('#job-rows tr[data-id]').nth(N - 1).waitFor();
  check(await page.locator('#job-rows tr[data-id]').count() === N, 'one row per discovered job');
  await until(`the job count card to read ${N}`, async () => (await page.locator('#card-jobs [data-figure]').innerText()) === String(N));
  await page.locator('#sync-button:not([aria-busy]):enabled').waitFor();
  check((await button.innerText()).trim() === 'Sync', 'the button is back to Sync');
  await page.screenshot({ path: path.join(artifacts, 'sync-done.png') });

  // A failing provider: the toast carries the server's detail.
  await sim.admin('/faults', { endpoint: 'list', kind: 'status', status: 401, count: 1 });
  await page.unroute('**/api/cloud/jobs/sync');
  const failed = page.waitForResponse((r) => r.url().endsWith('/api/cloud/jobs/sync') && r.request().method() === 'POST');
  await button.click();
  const refused = await failed;
  check(refused.status() >= 400, `the sync fails: HTTP ${refused.status()}`);
  const detail = (await refused.json()).detail;
  const error = page.locator('.toast.error').first();
  await error.waitFor();
  check((await error.locator('.toast-title').innerText()) === 'Sync failed', 'the error toast says Sync failed');
  check((await error.locator('.toast-detail').innerText()) === detail, `the error toast shows the detail "${detail}"`);
  await page.locator('#sync-button:not([aria-busy]):enabled').waitFor();
  check(await page.locator('#job-rows tr[data-id]').count() === N, 'the rows stay');
});
