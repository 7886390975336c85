'use strict';
// A larger store: pages of 50, status and provider filters (server-side),
// text search, the no-match state, and inline progress asked for running
// jobs only.

const path = require('path');
const { run, check, watch, until } = require('./harness');

run('list_filters', async ({ sim, jobsync, ctx, artifacts }) => {
  await sim.admin('/jobs', { count: 110, status: 'succeeded', model: 'simpletuner/advanced-trainer-l40s', created_spread_seconds: 10 * 86400 });
  const failed = await sim.admin('/jobs', { count: 7, status: 'failed', model: 'simpletuner/advanced-trainer-h100', created_spread_seconds: 86400 });
  const running = await sim.admin('/jobs', { count: 3, status: 'processing', model: 'ostris/flux-dev-lora-trainer' });
  const synced = await jobsync.api('POST', '/api/cloud/jobs/sync');
  check(synced.status === 200 && synced.json.synced === 120, `sync: ${synced.text}`);

  const page = ctx.pages()[0] || await ctx.newPage();
  const w = watch(page);
  await page.goto(`${jobsync.base}/`);
  const rows = page.locator('#job-rows tr[data-id]');
  const pager = page.locator('#pager-text');
  const pagerSays = (text) => until(`the pager to say "${text}"`, async () => (await pager.innerText()).startsWith(text));
  await rows.nth(49).waitFor();
  await pagerSays('1–50 of 120');
  check(await rows.count() === 50, 'a page holds 50 jobs');
  check(await page.locator('#prev-page').isDisabled(), 'no previous page on the first');

  // Only running jobs are asked for their progress.
  const runningIds = new Set(running.ids);
  await until('inline progress requests', () => w.requests.some((r) => r.url.includes('/inline-progress')));
  const asked = w.requests.filter((r) => r.url.includes('/inline-progress'))
    .map((r) => decodeURIComponent(new URL(r.url).pathname.split('/')[4]));
  check(asked.every((id) => runningIds.has(id)), `inline progress only for running jobs: ${asked.join(', ')}`);

  // Pages.
  const firstId = await rows.first().getAttribute('data-id');
  await page.locator('#next-page').click();
  await pagerSays('51–100 of 120');
  check(await rows.first().getAttribute('data-id') !== firstId, 'page 2 shows other jobs');
  await page.locator('#next-page').click();
  await pagerSays('101–120 of 120');
  await until('the last page to hold the rest (20 rows)', async () => (await rows.count()) === 20);
  check(await page.locator('#next-page').isDisabled(), 'no next page on the last');
  await page.locator('#prev-page').click();
  await pagerSays('51–100 of 120');

  // Status filter, asked of the server.
  await page.locator('#status-filter button', { hasText: 'Failed' }).click();
  await pagerSays('7 jobs');
  check(await rows.count() === 7, 'seven failed jobs');
  check(await page.locator('#job-rows tr[data-status="failed"]').count() === 7, 'all of them failed');
  check(w.requests.some((r) => /[?&]status=failed/.test(r.url)), 'the filter went to the server');
  check(await page.locator('#status-filter button[aria-pressed="true"]').innerText() === 'Failed', 'the chip shows as pressed');
  await page.screenshot({ path: path.join(artifacts, 'list-failed-desktop.png'), animations: 'disabled' });

  // Provider filter.
  await page.locator('#provider-filter').selectOption('replicate');
  await pagerSays('7 jobs');
  check(w.requests.some((r) => /[?&]provider=replicate/.test(r.url)), 'the provider filter went to the server');

  // Search narrows within the filters; a miss shows the no-match state.
  await page.locator('#status-filter button', { hasText: 'All' }).click();
  await pagerSays('1–50 of 120');
  const target = failed.ids[3];
  await page.locator('#search').fill(target.slice(0, 12));
  await until('one search hit', async () => (await rows.count()) === 1 && (await rows.first().getAttribute('data-id')) === target);
  check(await page.locator('#search-note').isHidden(), 'the search covered every job (no note)');
  await page.locator('#search').fill('h100');
  await pagerSays('7 jobs');
  await page.locator('#search').fill('no-such-job');
  await page.getByRole('heading', { name: 'No jobs match these filters' }).waitFor();
  await page.getByRole('button', { name: 'Clear filters' }).click();
  await pagerSays('1–50 of 120');
  check(await page.locator('#search').inputValue() === '', 'the search was cleared');
  check(await page.locator('#provider-filter').inputValue() === '', 'the provider filter was cleared');
}, { sets: ['providers.replicate.sync_limit=500'] });
