'use strict';
// Fails when the dashboard's ES modules import each other in a circle.
// Reads the static import and re-export statements of every .js file of
// the folder given (web/static) and searches the graph depth-first.
//
//   node tests/lint/import_cycles.js <folder>

const fs = require('fs');
const path = require('path');

const IMPORT = /(?:^|[;\n])\s*(?:import|export)\s+(?:[^'";]*?\s+from\s+)?['"]([^'"]+)['"]/g;

function importsOf(file) {
  const text = fs.readFileSync(file, 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/^\s*\/\/.*$/gm, '');
  const out = [];
  for (const m of text.matchAll(IMPORT)) out.push(m[1]);
  return out;
}

function graphOf(dir) {
  const graph = new Map();
  const problems = [];
  for (const name of fs.readdirSync(dir).filter((f) => f.endsWith('.js')).sort()) {
    const edges = [];
    for (const spec of importsOf(path.join(dir, name))) {
      if (!spec.startsWith('./')) {
        problems.push(`${name} imports ${spec}: the dashboard has no dependencies`);
        continue;
      }
      const target = spec.slice(2);
      if (!fs.existsSync(path.join(dir, target))) problems.push(`${name} imports ${spec}, which does not exist`);
      else edges.push(target);
    }
    graph.set(name, edges);
  }
  return { graph, problems };
}

// Every circle, each once, as a path that starts and ends at one module.
function cyclesOf(graph) {
  const cycles = [];
  const seen = new Set();
  const state = new Map(); // name -> 'open' while on the stack, 'done' after
  const stack = [];
  function visit(name) {
    state.set(name, 'open');
    stack.push(name);
    for (const next of graph.get(name) || []) {
      if (state.get(next) === 'open') {
        const cycle = stack.slice(stack.indexOf(next)).concat(next);
        const key = [...cycle.slice(0, -1)].sort().join(',');
        if (!seen.has(key)) { seen.add(key); cycles.push(cycle); }
      } else if (!state.has(next)) {
        visit(next);
      }
    }
    stack.pop();
    state.set(name, 'done');
  }
  for (const name of graph.keys()) if (!state.has(name)) visit(name);
  return cycles;
}

function main() {
  const dir = process.argv[2];
  if (!dir) {
    console.error('usage: node import_cycles.js <folder of ES modules>');
    process.exit(2);
  }
  const { graph, problems } = graphOf(dir);
  const cycles = cyclesOf(graph);
  const edges = [...graph.values()].reduce((n, e) => n + e.length, 0);
  for (const p of problems) console.error(`FAIL: ${p}`);
  for (const c of cycles) console.error(`FAIL: import cycle: ${c.join(' -> ')}`);
  if (problems.length || cycles.length) {
    const inCycles = new Set(cycles.flat());
    console.error(`${graph.size} modules, ${edges} imports; ${inCycles.size} modules are in a cycle`);
    process.exit(1);
  }
  console.log(`${graph.size} modules, ${edges} imports, no cycle`);
}

if (require.main === module) main();
module.exports = { importsOf, graphOf, cyclesOf };
