'use strict';
// Fails when a Markdown document of the repository names a file that is not
// in the repository, so that the docs stand alone and cannot point at what
// was moved, renamed or never there.
//
//   node tests/lint/doc_paths.js <repository root>
//
// Checked, outside fenced code blocks:
//  - backticked spans that look like repository paths: no spaces, and a
//    first segment that is a top-level entry of the repository
//    (`model/progress.cpp`, `tests/unit/`, `web/static/*.js`, or a module
//    by its stem, `http/web_resource`); `*` matches within a segment. Spans with placeholders (`<build>/...`) are skipped;
//  - Markdown documents named anywhere in the text (`DESIGN.md`,
//    `bench/README.md`): relative to the document's folder or the root;
//  - relative link targets (`[the API](docs/api.md)`).

const fs = require('fs');
const path = require('path');

const SKIPPED_DIRS = new Set(['.git', 'node_modules']);

function markdownFiles(root, dir = root, out = []) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      // Build folders hold generated files, not documentation.
      if (SKIPPED_DIRS.has(entry.name) || (dir === root && entry.name.startsWith('build'))) continue;
      markdownFiles(root, full, out);
    } else if (entry.name.endsWith('.md')) {
      out.push(full);
    }
  }
  return out;
}

function withoutFences(text) {
  return text.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '');
}

// Whether `pattern` (a repository-relative path, `*` within a segment)
// names something that exists.
function exists(root, pattern) {
  const parts = pattern.replace(/\/+$/, '').split('/').filter((p) => p !== '' && p !== '.');
  let candidates = [root];
  for (const part of parts) {
    const next = [];
    for (const dir of candidates) {
      if (!part.includes('*')) {
        const p = path.join(dir, part);
        if (fs.existsSync(p)) next.push(p);
        continue;
      }
      if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) continue;
      const re = new RegExp(`^${part.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
      for (const name of fs.readdirSync(dir)) if (re.test(name)) next.push(path.join(dir, name));
    }
    candidates = next;
    if (candidates.length === 0) return false;
  }
  return true;
}

// A path, or a module named by its stem (`http/web_resource` for its
// .hpp and .cpp).
function existsOrStem(root, pattern) {
  return exists(root, pattern) || (!pattern.endsWith('/') && exists(root, `${pattern}.*`));
}

function problemsOf(root, file) {
  // Build folders and data folders are made by running things, not part
  // of the repository: `build/tests/artifacts/` is not checked.
  const topLevel = new Set(fs.readdirSync(root).filter((n) => !n.startsWith('.') && !/^(build|data)/.test(n)));
  const text = withoutFences(fs.readFileSync(file, 'utf8'));
  const rel = path.relative(root, file);
  const docDir = path.dirname(file);
  const problems = [];
  const missing = (what, why) => problems.push(`${rel}: ${what} ${why}`);

  for (const m of text.matchAll(/`([^`\n]+)`/g)) {
    const span = m[1].trim();
    if (/[\s<>{}$]/.test(span) || !span.includes('/') || span.startsWith('/')) continue;
    if (/^[a-z]+:\/\//i.test(span)) continue;
    const first = span.split('/')[0];
    if (!topLevel.has(first)) continue;
    if (!existsOrStem(root, span)) missing(`\`${span}\``, 'does not exist in the repository');
  }
  for (const m of text.matchAll(/(?<![\w/.-])((?:[\w.-]+\/)*[\w-]+\.md)\b/g)) {
    const name = m[1];
    if (!exists(docDir, name) && !exists(root, name)) missing(name, 'is not a document of the repository');
  }
  for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
    const target = m[1].split('#')[0];
    if (!target || /^[a-z]+:/i.test(target) || target.startsWith('/')) continue;
    if (!fs.existsSync(path.join(docDir, target))) missing(`link ${target}`, 'leads nowhere');
  }
  return problems;
}

function main() {
  const root = process.argv[2];
  if (!root) {
    console.error('usage: node doc_paths.js <repository root>');
    process.exit(2);
  }
  const files = markdownFiles(path.resolve(root));
  const problems = files.flatMap((f) => problemsOf(path.resolve(root), f));
  for (const p of problems) console.error(`FAIL: ${p}`);
  if (problems.length) process.exit(1);
  console.log(`${files.length} Markdown documents, every path they name exists`);
}

if (require.main === module) main();
module.exports = { exists, problemsOf, markdownFiles };
