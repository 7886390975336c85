'use strict';
// Local runs on the dashboard: the provider filter tells Local from
// Replicate, a running local job's inline block shows step, loss and ETA,
// and the detail panel shows the newest validation image its trainer sent.

const path = require('path');
const { execFileSync } = require('child_process');
const { run, check, watch, until } = require('./harness');

// trainer-sim is built beside replicate-sim (build/tools/<name>/<name>).
const trainerSim = path.join(path.dirname(process.argv[3]), '..', 'trainer-sim', 'trainer-sim');

function replay(jobsync, options) {
  execFileSync(trainerSim, ['--url', `${jobsync.base}/callback`, ...options], { stdio: 'pipe', timeout: 120000 });
}

run('local_runs', async ({ sim, jobsync, ctx, artifacts }) => {
  const { ids: [cloud] } = await sim.admin('/jobs', { count: 1, status: 'succeeded', model: 'ostris/flux-dev-lora-trainer', processing_seconds: 600 });
  const synced = await jobsync.api('POST', '/api/cloud/jobs/sync');
  check(synced.status === 200 && synced.json.synced === 1, `sync: ${synced.text}`);
  // A whole run (its validation sends real PNGs) and one that is still
  // training at step 4 of 12.
  replay(jobsync, ['--job-id', 'local-full']);
  replay(jobsync, ['--job-id', 'local-live', '--scenario', 'killed']);

  const page = ctx.pages()[0] || await ctx.newPage();
  const w = watch(page);
  await page.goto(`${jobsync.base}/`);
  const rows = page.locator('#job-rows tr[data-id]');
  const ids = async () => (await rows.evaluateAll((trs) => trs.map((tr) => tr.dataset.id))).sort().join(',');
  await until('three rows', async () => (await ids()) === [cloud, 'local-full', 'local-live'].sort().join(','));

  // The provider filter offers both providers by name and filters on the
  // server (provider=local).
  const options = await page.locator('#provider-filter option').evaluateAll((os) => os.map((o) => `${o.value}:${o.textContent}`));
  check(options.includes('local:Local') && options.includes('replicate:Replicate'), `provider options: ${options.join(', ')}`);
  await page.locator('#provider-filter').selectOption('local');
  await until('only local rows', async () => (await ids()) === 'local-full,local-live');
  check(w.requests.some((r) => r.url.includes('provider=local')), 'the list was asked for provider=local');
  await page.locator('#provider-filter').selectOption('replicate');
  await until('only the Replicate row', async () => (await ids()) === cloud);
  await page.locator('#provider-filter').selectOption('local');
  await until('local rows again', async () => (await ids()) === 'local-full,local-live');

  // The running local job: step, loss and ETA beside its progress.
  const figures = page.locator('#job-rows tr[data-id="local-live"] .inline-figures');
  await until('the inline figures', async () => (await figures.count()) === 1 && /Step 4\/12 · loss [0-9.]+ · ETA 12s/.test(await figures.innerText()));

  // The finished run's detail panel shows its newest validation image.
  await page.locator('#job-rows tr[data-id="local-full"] .job-name').click();
  await page.locator('#detail:not([hidden]) .fields').waitFor();
  const img = page.locator('#validation-image');
  await img.waitFor();
  await until('the image decoded', () => img.evaluate((el) => el.complete && el.naturalWidth > 0));
  const size = await img.evaluate((el) => ({ w: el.naturalWidth, h: el.naturalHeight, shown: el.getBoundingClientRect().width }));
  const served = await jobsync.api('GET', '/api/cloud/jobs/local-full/validation/latest');
  check(served.status === 200 && served.headers.get('content-type') === 'image/png', `the image route: ${served.status}`);
  check(size.w > 0 && size.h > 0 && size.shown > 0, `the image is shown: ${JSON.stringify(size)}`);
  await page.screenshot({ path: path.join(artifacts, 'local_runs-detail.png') });

  // A cloud job has no such section.
  await page.keyboard.press('Escape');
  await page.locator('#provider-filter').selectOption('');
  await page.locator(`#job-rows tr[data-id="${cloud}"] .job-name`).click();
  await until('the cloud job in the panel', async () => (await page.locator('#detail-sub').innerText()) === cloud);
  check(await page.locator('#detail-validation').count() === 0, 'no validation section for a cloud job');
  check(w.console.length === 0, `console: ${w.console.join('\n')}`);
  check(w.failed.length === 0, `failed requests: ${w.failed.join('\n')}`);
});
