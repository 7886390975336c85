'use strict';
// The detail panel: opened from the keyboard, opaque over a dimmed page,
// all fields, cancel (after a confirmation that can be declined) for an
// active job, delete for a finished one, Escape closes and gives focus back;
// and the full log, shown as a terminal shows it.

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

  // The panel is opaque, from its first frame on, and the page behind it
  // is dimmed by a backdrop over the whole window.
  await settled(panel);
  const look = await page.evaluate(() => {
    const el = document.getElementById('detail');
    const style = getComputedStyle(el);
    const frames = [];
    for (const sheet of document.styleSheets)
      for (const rule of sheet.cssRules)
        if (rule instanceof CSSKeyframesRule && rule.name === style.animationName)
          for (const f of rule.cssRules) frames.push(f.style.opacity);
    const backdrop = document.getElementById('backdrop');
    const b = backdrop.getBoundingClientRect();
    return {
      opacity: style.opacity,
      background: style.backgroundColor,
      frameOpacities: frames.filter((o) => o !== ''),
      backdropShown: !backdrop.hidden && getComputedStyle(backdrop).display !== 'none',
      backdropBackground: getComputedStyle(backdrop).backgroundColor,
      backdropCovers: b.left <= 0 && b.top <= 0 && b.right >= innerWidth && b.bottom >= innerHeight,
      behindLeft: document.elementFromPoint(40, innerHeight / 2).id,
    };
  });
  check(look.opacity === '1', `the panel is opaque: opacity ${look.opacity}`);
  check(alpha(look.background) === 1, `the panel's background is opaque: ${look.background}`);
  check(look.frameOpacities.every((o) => Number(o) === 1), `the opening animation never fades the panel: ${look.frameOpacities.join(', ')}`);
  check(look.backdropShown && look.backdropCovers, 'a backdrop covers the page behind the panel');
  check(alpha(look.backdropBackground) >= 0.3, `the backdrop dims the page: ${look.backdropBackground}`);
  check(look.behindLeft === 'backdrop', `the page left of the panel is behind the backdrop (found #${look.behindLeft})`);

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
  // As a terminal shows it: after a carriage return the line is written
  // over, so each line shows its newest state.
  const raw = logs.json.logs;
  check(raw.includes('\r'), 'the log has tqdm redraws (carriage returns)');
  const asTerminal = raw.split('\n').map((line) => line.split('\r').reduce((shown, part) => part + shown.slice(part.length), '')).join('\n');
  check(shown.trim() === asTerminal.trim(), 'the panel shows the whole log, each line in its newest state');
  check(!/\]Epoch/.test(shown), 'no two states of a progress bar are glued on one line');
  const lines = shown.split('\n');
  for (const line of raw.split('\n').filter((l) => !l.includes('\r') && l.trim()))
    check(lines.includes(line), `a plain line is shown as it is: ${line}`);
  const examples = await page.evaluate(async () => {
    const { terminalText } = await import('/assets/format.js');
    return [terminalText('Steps: 10%|#  | 1/10\rSteps: 20%|## | 2/10\nnext'), terminalText('abcdef\rXY'), terminalText('crlf\r\nline')];
  });
  check(examples[0] === 'Steps: 20%|## | 2/10\nnext', `a redraw replaces the line: ${JSON.stringify(examples[0])}`);
  check(examples[1] === 'XYcdef', `a shorter redraw overwrites the start only: ${JSON.stringify(examples[1])}`);
  check(examples[2] === 'crlf\nline', `CRLF line ends stay line ends: ${JSON.stringify(examples[2])}`);
  await settled(panel);
  await page.screenshot({ path: path.join(artifacts, 'detail-log-desktop.png') });
});

// Waits until the element's animations (the panel's slide-in) have ended.
function settled(locator) {
  return locator.evaluate((el) => Promise.all(el.getAnimations().map((a) => a.finished)));
}

// The alpha of a computed colour (`rgb(...)` is opaque).
function alpha(colour) {
  const m = /rgba?\(([^)]*)\)/.exec(colour);
  if (!m) return NaN;
  const parts = m[1].split(/[\s,/]+/).filter(Boolean);
  return parts.length > 3 ? Number(parts[3]) : 1;
}
