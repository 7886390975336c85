'use strict';
// The page loads clean: the empty state first, then (after a sync) rows,
// figures and the live stream, at desktop and phone widths, with no console
// errors and no failed requests. Writes the screenshots of the dashboard.

const path = require('path');
const { run, check, watch, until } = require('./harness');

const MODEL = 'simpletuner/advanced-trainer-l40s';

async function noHorizontalScroll(page) {
  const { scroll, width } = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    width: window.innerWidth,
  }));
  check(scroll <= width, `the page scrolls sideways at ${width} px (content is ${scroll} px wide)`);
}

run('dashboard_load', async ({ sim, jobsync, ctx, artifacts }) => {
  const shot = (p, name, opts = {}) => p.screenshot({ path: path.join(artifacts, name), fullPage: true, animations: 'disabled', ...opts });
  const page = ctx.pages()[0] || await ctx.newPage();
  const desk = watch(page);

  // An empty store: the empty state invites a sync.
  await page.goto(`${jobsync.base}/`);
  await page.getByRole('heading', { name: 'No jobs yet' }).waitFor();
  await page.locator('#cards:not([aria-busy])').waitFor();
  check(await page.locator('#demo-banner').isVisible(), 'web.demo=true shows the DEMO banner');
  check((await page.locator('#demo-banner').innerText()).includes('DEMO'), 'the banner says DEMO');
  await shot(page, 'dashboard-empty-desktop.png');

  // Jobs of every kind at the provider, discovered by a sync.
  const day = 86400;
  await sim.admin('/jobs', { count: 5, status: 'succeeded', model: MODEL, created_spread_seconds: 6 * day, processing_seconds: 1800 });
  await sim.admin('/jobs', { count: 1, status: 'failed', model: 'simpletuner/advanced-trainer-h100', processing_seconds: 600 });
  await sim.admin('/jobs', { count: 1, status: 'canceled', model: 'ostris/flux-dev-lora-trainer', processing_seconds: 300 });
  await sim.admin('/jobs', { count: 1, status: 'starting', model: MODEL });
  const synced = await jobsync.api('POST', '/api/cloud/jobs/sync');
  check(synced.status === 200 && synced.json.synced === 8, `sync: ${synced.text}`);

  await page.reload();
  const rows = page.locator('#job-rows tr[data-id]');
  await rows.nth(7).waitFor();
  check(await rows.count() === 8, `8 rows, got ${await rows.count()}`);
  await page.locator('#job-rows tr[data-status="failed"] .job-error').waitFor();
  await page.locator('#cards:not([aria-busy])').waitFor();
  await until('the job count card to read 8', async () => (await page.locator('#card-jobs [data-figure]').innerText()) === '8');
  check(await page.locator('#chart svg rect.bar').count() === 30, 'the chart has one bar per day of the period');
  // The bars read the server's cost_by_day entries (total_jobs,
  // total_cost_usd): every job is in some bar's tooltip.
  const titles = await page.locator('#chart svg rect.bar title').allTextContents();
  const perDay = titles.map((t) => Number((/ · (\d+) jobs?/.exec(t) || [])[1]));
  check(perDay.every((n) => Number.isInteger(n)), `every bar names its job count: ${titles.slice(0, 3).join(' | ')}`);
  check(perDay.reduce((a, b) => a + b, 0) === 8, `the bars hold the 8 jobs: ${perDay.join(',')}`);
  check(await page.locator('#chart svg rect.bar:not(.zero)').count() >= 1, 'some bars have height');
  check((await page.locator('#pager-text').innerText()).includes('8 jobs'), 'the footer counts the jobs');
  await noHorizontalScroll(page);

  // The live stream (GET /api/events) is open.
  await page.locator('#stream-state[data-state="live"]').waitFor({ timeout: 20000 });
  await page.locator('#pollers .pill[data-provider="replicate"]').waitFor();
  await shot(page, 'dashboard-desktop.png');

  // A phone.
  const phone = await ctx.newPage();
  const mobile = watch(phone);
  await phone.setViewportSize({ width: 390, height: 844 });
  await phone.goto(`${jobsync.base}/`);
  await phone.locator('#job-rows tr[data-id]').nth(7).waitFor();
  await phone.locator('#cards:not([aria-busy])').waitFor();
  await phone.locator('#stream-state[data-state="live"]').waitFor({ timeout: 20000 });
  await noHorizontalScroll(phone);
  await shot(phone, 'dashboard-phone.png');
  await phone.locator('#job-rows tr[data-status="failed"] .job-name').click();
  await phone.locator('#detail:not([hidden]) .fields').waitFor();
  await phone.locator('#detail-log:not(.empty), #detail-log.empty').waitFor();
  await until('the log to load', async () => !(await phone.locator('#detail-log').innerText()).startsWith('Loading'));
  await shot(phone, 'detail-phone.png', { fullPage: false });
  await phone.close();

  // Nothing went wrong on either page.
  const problems = [...desk.console, ...desk.failed, ...mobile.console, ...mobile.failed];
  check(problems.length === 0, `console errors or failed requests:\n  ${problems.join('\n  ')}`);
}, { sets: ['web.demo=true'] });
