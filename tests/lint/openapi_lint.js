'use strict';
// Lints docs/openapi.json with Spectral's OpenAPI ruleset
// (tests/lint/openapi.spectral.yaml; @stoplight/spectral-cli, pinned in
// tests/node) and fails on any error or warning. First it lints a document
// broken on purpose and requires the linter to find that, so a linter
// that stopped looking cannot pass.
//
//   node tests/lint/openapi_lint.js <repository root>

const { execFileSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const root = path.resolve(process.argv[2] || path.join(__dirname, '..', '..'));
const spectral = path.join(root, 'tests', 'node', 'node_modules', '@stoplight', 'spectral-cli', 'dist', 'index.js');
const ruleset = path.join(__dirname, 'openapi.spectral.yaml');
const documentPath = path.join(root, 'docs', 'openapi.json');

function fail(message) {
  console.error(`FAIL: ${message}`);
  process.exit(1);
}

// Spectral's findings for one file: [{code, message, path, severity}]
// (severity 0 error, 1 warning, 2 info, 3 hint).
function lint(file) {
  let out;
  try {
    out = execFileSync(process.execPath, [spectral, 'lint', '--ruleset', ruleset, '--format', 'json', '--quiet',
      '--fail-severity', 'error', file], { encoding: 'utf8', env: Object.assign({}, process.env, { SCARF_ANALYTICS: 'false' }) });
  } catch (e) {
    // Exit status 1 with a report: findings. Anything else: spectral broke.
    if (e.status !== 1 || !e.stdout) fail(`spectral did not run: ${e.stderr || e.message}`);
    out = e.stdout;
  }
  try {
    return out.trim() ? JSON.parse(out) : [];
  } catch (e) {
    fail(`spectral's report is not JSON: ${out.slice(0, 500)}`);
  }
}

function describe(r) {
  const severity = ['error', 'warning', 'info', 'hint'][r.severity];
  return `${severity} ${r.code} at ${r.path.join('.')}: ${r.message}`;
}

if (!fs.existsSync(spectral)) fail('@stoplight/spectral-cli is not installed: run scripts/setup.sh (npm ci in tests/node)');

// A document with a path parameter its path does not have and an
// operation without responses: the linter must object.
const broken = JSON.parse(fs.readFileSync(documentPath, 'utf8'));
broken.paths['/broken/{id}'] = { get: { operationId: 'broken', summary: 'broken', description: 'broken', tags: ['jobs'] } };
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jobsync-openapi-lint-'));
try {
  const brokenFile = path.join(dir, 'openapi.json');
  fs.writeFileSync(brokenFile, JSON.stringify(broken));
  const found = lint(brokenFile).filter((r) => r.severity === 0);
  if (!found.length) fail('the linter found nothing wrong in a broken document');
  console.log(`the linter finds a broken document's ${found.length} errors (${[...new Set(found.map((r) => r.code))].join(', ')})`);
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}

const results = lint(documentPath).filter((r) => r.severity <= 1);
if (results.length) fail(`docs/openapi.json:\n${results.map(describe).join('\n')}`);
console.log('docs/openapi.json: no errors or warnings (spectral:oas)');
