// Coalescing timers: many asks for the same work within a moment run it once.

import { state } from './state.js';

// Runs `fn` once after `ms`, however often it is asked for meanwhile.
export function later(key, fn, ms) {
  if (state.timers[key]) return;
  state.timers[key] = setTimeout(() => {
    state.timers[key] = null;
    fn();
  }, ms);
}
