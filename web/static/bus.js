// Announcements between the parts of the page. A part that must have
// something done by a part above it (the list asking for the detail panel,
// say) announces it here; app.js, which wires the page, decides who acts.
// So modules only import the ones below them: the import graph has no
// circle (tests/lint/import_cycles.js checks it).

const handlers = new Map();

// Calls `fn` with the arguments of every later `emit(name, ...)`.
export function on(name, fn) {
  if (!handlers.has(name)) handlers.set(name, []);
  handlers.get(name).push(fn);
}

export function emit(name, ...args) {
  for (const fn of handlers.get(name) || []) fn(...args);
}
