'use strict';
// A server with server.api_token: the page asks for the token on the first
// 401, keeps it, sends it as "Authorization: Bearer" to the API and as
// ?access_token= to the event stream; a wrong token is asked for again.

const path = require('path');
const { run, check, watch } = require('./harness');

const TOKEN = 's3cret-token';

run('token', async ({ sim, jobsync, ctx, artifacts }) => {
  await sim.admin('/jobs', { count: 2, status: 'succeeded', model: 'simpletuner/advanced-trainer-l40s' });
  const synced = await jobsync.api('POST', '/api/cloud/jobs/sync');
  check(synced.status === 401, 'the API needs the token');
  const ok = await fetch(`${jobsync.base}/api/cloud/jobs/sync`, { method: 'POST', headers: { Authorization: `Bearer ${TOKEN}` } });
  check(ok.status === 200, `sync with the token: HTTP ${ok.status}`);

  const page = ctx.pages()[0] || await ctx.newPage();
  const w = watch(page);
  const auth = [];
  page.on('request', (r) => {
    if (r.url().includes('/api/')) auth.push({ url: r.url(), header: r.headers().authorization || null });
  });
  await page.goto(`${jobsync.base}/`);
  const dialog = page.locator('#token-dialog[open]');
  await dialog.waitFor();
  await page.screenshot({ path: path.join(artifacts, 'token-dialog.png') });

  // A wrong token is refused and asked for again.
  await page.locator('#token-input').fill('wrong');
  await page.locator('#token-save').click();
  await page.locator('#token-text', { hasText: 'refused' }).waitFor();
  check(await dialog.isVisible(), 'the dialog comes back for a wrong token');

  await page.locator('#token-input').fill(TOKEN);
  await page.keyboard.press('Enter');
  await page.locator('#token-dialog:not([open])').waitFor({ state: 'attached' });
  await page.locator('#job-rows tr[data-id]').nth(1).waitFor();
  await page.locator('#stream-state[data-state="live"]').waitFor({ timeout: 20000 });
  await page.locator('#token-button').waitFor();

  const api = auth.filter((r) => !r.url.includes('/api/events'));
  const lastTokened = api.filter((r) => r.header === `Bearer ${TOKEN}`);
  check(lastTokened.some((r) => r.url.includes('/api/cloud/jobs')), 'the list was asked for with the token');
  const stream = auth.filter((r) => r.url.includes('/api/events'));
  check(stream.some((r) => new URL(r.url).searchParams.get('access_token') === TOKEN),
    `the event stream carries ?access_token=: ${stream.map((r) => r.url).join(', ')}`);

  // The token is remembered across loads.
  await page.reload();
  await page.locator('#job-rows tr[data-id]').nth(1).waitFor();
  check(await page.locator('#token-dialog[open]').count() === 0, 'no dialog once the token is saved');
  check(await page.evaluate(() => localStorage.getItem('jobsync.api_token')) === TOKEN,
    'the token is kept in localStorage');
  const unexpected = w.console.filter((m) => !m.includes('401'));
  check(unexpected.length === 0, `console errors besides the expected 401s:\n  ${unexpected.join('\n  ')}`);
}, { sets: [`server.api_token=${TOKEN}`] });
