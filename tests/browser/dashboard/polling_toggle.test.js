'use strict';
// The poller indicator's On / Off / Auto toggle: each click stores the
// setting (PUT /api/cloud/polling/setting), the pill follows it and the
// pressed button shows the stored preference; Auto goes back to the
// configured rule.

const path = require('path');
const { run, check, watch, until } = require('./harness');

run('polling_toggle', async ({ jobsync, ctx, artifacts }) => {
  const page = ctx.pages()[0] || await ctx.newPage();
  watch(page);
  await page.goto(`${jobsync.base}/`);
  const pill = page.locator('#pollers [data-provider="replicate"]');
  const choice = (name) => pill.locator(`.poll-choice[data-choice="${name}"]`);
  // The one pressed choice, or null (none rendered yet, or several).
  const pressed = async () => {
    const on = pill.locator('.poll-choice[aria-pressed="true"]');
    if ((await on.count()) !== 1) return null;
    return on.getAttribute('data-choice');
  };
  const stored = async () => (await jobsync.api('GET', '/api/cloud/polling/status')).json;

  await until('the poller pill with Auto pressed', async () => (await pill.count()) === 1 && (await pressed()) === 'auto');
  check((await pill.innerText()).includes('polling'), `the pill says polling: ${await pill.innerText()}`);

  const click = async (name) => {
    const answer = page.waitForResponse((r) => r.url().endsWith('/api/cloud/polling/setting') && r.request().method() === 'PUT');
    await choice(name).click();
    const r = await answer;
    check(r.status() === 200, `PUT for ${name}: HTTP ${r.status()}`);
    const body = JSON.parse(r.request().postData());
    check(body.provider === 'replicate', `the setting names the provider: ${JSON.stringify(body)}`);
    return body;
  };

  let body = await click('off');
  check(body.enabled === false, `Off sends enabled false: ${JSON.stringify(body)}`);
  await until('Off to be pressed', async () => (await pressed()) === 'off');
  await until('the pill to say polling off', async () => (await pill.innerText()).includes('polling off'));
  let s = await stored();
  check(s.is_active === false && s.providers[0].preference === false, `stored off: ${JSON.stringify(s)}`);
  await page.screenshot({ path: path.join(artifacts, 'polling-off.png') });

  body = await click('on');
  check(body.enabled === true, `On sends enabled true: ${JSON.stringify(body)}`);
  await until('On to be pressed', async () => (await pressed()) === 'on');
  await until('the pill to say polling again', async () => !(await pill.innerText()).includes('polling off'));
  s = await stored();
  check(s.is_active === true && s.providers[0].preference === true, `stored on: ${JSON.stringify(s)}`);

  body = await click('auto');
  check(body.enabled === null, `Auto sends enabled null: ${JSON.stringify(body)}`);
  await until('Auto to be pressed', async () => (await pressed()) === 'auto');
  s = await stored();
  check(s.preference === null && s.providers[0].preference === null, `back to the rule: ${JSON.stringify(s)}`);
  check(s.is_active === true, 'the configured rule polls (config/test.yaml)');
  await page.screenshot({ path: path.join(artifacts, 'polling-auto.png') });
});
