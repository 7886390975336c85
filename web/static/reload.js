// Reloading everything the page shows.

import { loadPollers } from './header.js';
import { loadMetrics } from './metrics.js';
import { loadJobs } from './jobs.js';

export function reloadAll({ quiet = false } = {}) {
  loadJobs({ quiet });
  loadMetrics({ quiet });
  loadPollers();
}
