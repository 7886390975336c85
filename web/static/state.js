// The page's state, in one object (exposed as window.jobsync.state for the
// browser tests), and the stored API token.

import { TOKEN_KEY } from './constants.js';

export const state = {
  token: readToken(),
  authRequired: false,
  config: { demo: false, version: '' },
  // The list as shown.
  jobs: [],
  total: 0,
  page: 0,
  // The page the rows on screen belong to; page runs ahead while one loads.
  shownPage: 0,
  filters: { status: '', provider: '', search: '' },
  // When searching: the newest jobs matching the server-side filters, which
  // the search narrows in the browser.
  pool: null,
  poolTotal: 0,
  jobsLoading: true,
  jobsError: null,
  jobsSeq: 0,
  inline: new Map(),
  inlineBusy: false,
  metrics: null,
  metricsSeq: 0,
  period: 30,
  chartMode: 'cost',
  pollers: null,
  providers: new Set(),
  stream: { es: null, state: 'connecting', retry: null, failures: 0, everOpen: false, missed: false },
  selected: null,
  selectedJob: null,
  // The selected local run's validation image (validation.js).
  validation: null,
  opener: null,
  syncing: false,
  // Jobs this page is cancelling: their event needs no second toast.
  ownActions: new Set(),
  timers: {},
  // Counters for diagnostics (and the browser tests).
  events: { received: 0, last: null },
};
window.jobsync = { state };

function readToken() {
  try { return localStorage.getItem(TOKEN_KEY) || ''; } catch (e) { return ''; }
}

export function writeToken(t) {
  try {
    if (t) localStorage.setItem(TOKEN_KEY, t);
    else localStorage.removeItem(TOKEN_KEY);
  } catch (e) { /* private mode: the token lasts for this page only */ }
}
