'use strict';
// docs/openapi.json as a checker of real responses: finds the operation a
// request was answered by and validates the status, the content type, the
// documented headers and the body (JSON Schema 2020-12, with ajv) against
// it. Records which statuses each operation was seen with, so the test can
// require a success and an error case of every operation.

const fs = require('fs');
const path = require('path');
const { createRequire } = require('module');

const SOURCE_DIR = path.resolve(__dirname, '..', '..', '..');
const DOCUMENT = path.join(SOURCE_DIR, 'docs', 'openapi.json');
const METHODS = ['get', 'head', 'post', 'put', 'patch', 'delete'];

function loadNodePackage(name) {
  const from = createRequire(path.join(SOURCE_DIR, 'tests', 'node', 'package.json'));
  try {
    return from(name);
  } catch (e) {
    throw new Error(`${name} is not installed: run scripts/setup.sh (npm ci in tests/node)`);
  }
}

// A JSON pointer token (RFC 6901).
function escapeToken(t) {
  return String(t).replace(/~/g, '~0').replace(/\//g, '~1');
}

function unescapeToken(t) {
  return t.replace(/~1/g, '/').replace(/~0/g, '~');
}

// `type/subtype` and its parameters, lower-cased.
function parseMediaType(text) {
  const [type, ...params] = String(text || '').split(';').map((s) => s.trim());
  const out = { type: type.toLowerCase(), params: {} };
  for (const p of params) {
    const eq = p.indexOf('=');
    if (eq > 0) out.params[p.slice(0, eq).trim().toLowerCase()] = p.slice(eq + 1).trim().toLowerCase();
  }
  return out;
}

class Contract {
  constructor(file = DOCUMENT) {
    const Ajv2020 = loadNodePackage('ajv/dist/2020');
    const addFormats = loadNodePackage('ajv-formats');
    this.doc = JSON.parse(fs.readFileSync(file, 'utf8'));
    // The whole document is one schema resource, so that every `$ref`
    // (`#/components/schemas/...`) resolves as the document wrote it.
    // Not strict: OpenAPI's own keywords (`example`, `x-...`) are allowed.
    // `verbose` gives each error its schema, which `where` maps back to its
    // place in the document.
    this.ajv = new Ajv2020({ strict: false, allErrors: true, verbose: true });
    addFormats(this.ajv);
    this.ajv.addSchema(Object.assign({}, this.doc, { $id: 'openapi.json' }));
    this.validators = new Map();
    this.places = new Map(); // schema object -> its JSON pointer
    const walk = (v, pointer) => {
      if (!v || typeof v !== 'object') return;
      if (!this.places.has(v)) this.places.set(v, pointer);
      for (const [k, x] of Object.entries(v)) walk(x, `${pointer}/${escapeToken(k)}`);
    };
    walk(this.doc, '');
    this.seen = new Map(); // "GET /path/{x}" -> Set of statuses validated
    this.templates = Object.keys(this.doc.paths)
      .map((p) => ({
        path: p,
        params: (p.match(/\{[^}]+\}/g) || []).length,
        regex: new RegExp(`^${p.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{[^}]+\\?\}/g, '[^/]+')}$`),
      }))
      // A literal path wins over a template (`/jobs/sync` over `/jobs/{job_id}`).
      .sort((a, b) => a.params - b.params);
  }

  // The value at a JSON pointer of the document, following `$ref`s, and
  // the pointer where it was found.
  resolve(pointer) {
    let at = this.doc;
    let where = '';
    for (const token of pointer.split('/').slice(1)) {
      if (at === undefined) return { value: undefined, pointer: where };
      at = at[unescapeToken(token)];
      where += `/${token}`;
      while (at && typeof at === 'object' && typeof at.$ref === 'string') {
        if (!at.$ref.startsWith('#/')) throw new Error(`only local $refs are supported: ${at.$ref}`);
        where = at.$ref.slice(1);
        at = this.resolve(where).value;
      }
    }
    return { value: at, pointer: where };
  }

  // The documented path a concrete request path is answered by, or null:
  // the first that has the method, as the route table matches
  // (`GET /api/cloud/jobs/sync` is the job `sync`).
  templateOf(urlPath, method) {
    const matching = this.templates.filter((x) => x.regex.test(urlPath));
    const t = matching.find((x) => !method || this.doc.paths[x.path][method.toLowerCase()]) || matching[0];
    return t ? t.path : null;
  }

  // The methods the document has for a concrete path, over every path
  // that matches it (upper case): what a 405's `Allow` must list.
  methodsOf(urlPath) {
    const out = new Set();
    for (const t of this.templates.filter((x) => x.regex.test(urlPath)))
      for (const m of METHODS) if (this.doc.paths[t.path][m]) out.add(m.toUpperCase());
    return [...out];
  }

  operations() {
    const out = [];
    for (const [p, item] of Object.entries(this.doc.paths))
      for (const m of METHODS) if (item[m]) out.push(`${m.toUpperCase()} ${p}`);
    return out;
  }

  validatorAt(pointer) {
    if (!this.validators.has(pointer))
      // A fragment is URI-encoded (paths have `{`, `}`).
      this.validators.set(pointer, this.ajv.compile({ $ref: `openapi.json#${pointer.split('/').map(encodeURIComponent).join('/')}` }));
    return this.validators.get(pointer);
  }

  // Validates `value` against the schema at `pointer`; throws with ajv's
  // errors. `sender` is who sent the value: the server (an answer) or the
  // test (a request the server accepted).
  validateSchema(pointer, value, what, sender = 'the server') {
    const validate = this.validatorAt(pointer);
    if (!validate(value))
      throw new Error(`${what}: does not match docs/openapi.json#${pointer}:\n` +
        `${validate.errors.map((e) => this.explain(e, sender)).join('\n')}\n` +
        `value: ${JSON.stringify(value).slice(0, 600)}`);
  }

  // One ajv error as what to change where: a field the server sends that
  // the document does not describe names the schema to add it to.
  explain(e, sender) {
    const at = e.instancePath || '(the top level)';
    const place = this.places.get(e.parentSchema);
    const schema = place === undefined ? 'docs/openapi.json' : `docs/openapi.json#${place}`;
    if (e.keyword === 'additionalProperties')
      return `- ${sender} sends "${e.params.additionalProperty}" in ${at}, which the document does not describe: ` +
        `add it to "properties" (and to "required" if it is always sent) of the schema at ${schema}`;
    if (e.keyword === 'required')
      return `- ${sender} does not send "${e.params.missingProperty}" in ${at}, which the schema at ${schema} ` +
        'requires: send it, or take it out of "required"';
    return `- ${at} ${e.message} (the schema at ${schema}${e.params && e.params.allowedValues ? `: ${JSON.stringify(e.params.allowedValues)}` : ''})`;
  }

  // Checks one answer against the document: `res` is { status, headers
  // (a fetch Headers), text }; `sent` the request body, if any. Returns the
  // parsed JSON body, if any. When the server accepted the request, its
  // query and JSON body must be what the document allows too.
  check(method, url, res, sent) {
    const urlPath = new URL(url).pathname;
    const template = this.templateOf(urlPath, method);
    const what = `${method} ${urlPath} -> ${res.status}`;
    if (!template) throw new Error(`${what}: no path of the document matches`);
    const opPointer = `/paths/${escapeToken(template)}/${method.toLowerCase()}`;
    const op = this.resolve(opPointer).value;
    if (!op) throw new Error(`${what}: the document has no ${method} ${template}`);
    let responsePointer = `${opPointer}/responses/${res.status}`;
    let response = this.resolve(responsePointer);
    if (!response.value) {
      responsePointer = `${opPointer}/responses/default`;
      response = this.resolve(responsePointer);
    }
    if (!response.value)
      throw new Error(`${what}: status ${res.status} is not documented for ${method} ${template}: add ` +
        `"${res.status}" to its "responses" in docs/openapi.json (it has ${Object.keys(op.responses).join(', ')})`);
    if (res.status < 400) {
      this.checkQuery(what, template, opPointer, new URL(url).searchParams);
      this.checkRequestBody(what, opPointer, op, sent);
    }
    this.checkHeaders(what, response.pointer, response.value, res.headers);
    const body = this.checkBody(what, method, response.pointer, response.value, res);
    const key = `${method} ${template}`;
    if (!this.seen.has(key)) this.seen.set(key, new Set());
    this.seen.get(key).add(res.status);
    return body;
  }

  // The query parameters of an accepted request: each is documented and
  // its value fits the parameter's schema (an array parameter takes
  // repeats and comma lists; numbers are compared as numbers).
  checkQuery(what, template, opPointer, query) {
    const declared = new Map();
    for (const holder of [`/paths/${escapeToken(template)}`, opPointer]) {
      const list = this.resolve(`${holder}/parameters`).value || [];
      list.forEach((_, i) => {
        const p = this.resolve(`${holder}/parameters/${i}`);
        if (p.value.in === 'query') declared.set(p.value.name, p);
      });
    }
    for (const name of new Set(query.keys())) {
      const p = declared.get(name);
      if (!p) throw new Error(`${what}: the server accepted the query parameter "${name}", which the operation does not document`);
      const schema = this.resolve(`${p.pointer}/schema`);
      const typed = (v) => {
        const type = schema.value.type === 'array' ? (this.resolve(`${schema.pointer}/items`).value || {}).type : schema.value.type;
        return type === 'integer' || type === 'number' ? Number(v) : v;
      };
      const values = query.getAll(name);
      const value = schema.value.type === 'array' ? values.flatMap((v) => v.split(',')).map(typed) : typed(values[0]);
      this.validateSchema(schema.pointer, value, `${what}: accepted query parameter ${name}=${values.join('&')}`, 'the test');
    }
  }

  // The JSON body of an accepted request fits the operation's requestBody.
  checkRequestBody(what, opPointer, op, sent) {
    if (sent === undefined) return;
    if (!op.requestBody) throw new Error(`${what}: the server accepted a body the operation does not document`);
    const pointer = `${this.resolve(`${opPointer}/requestBody`).pointer}/content/application~1json/schema`;
    if (!this.resolve(pointer).value) return;
    let body;
    try {
      body = JSON.parse(sent);
    } catch (e) {
      return; // not JSON: the document's other media types, if any, apply
    }
    this.validateSchema(pointer, body, `${what}: the accepted request body`, 'the test');
  }

  // An answer given before any operation (`x-unrouted-responses`: a path
  // no route has, a method the path is not served with): checked like an
  // operation's, and for a 405, `Allow` must list exactly the document's
  // methods for the path.
  checkUnrouted(method, url, res) {
    const urlPath = new URL(url).pathname;
    const what = `${method} ${urlPath} -> ${res.status}`;
    const response = this.resolve(`/x-unrouted-responses/${res.status}`);
    if (!response.value) throw new Error(`${what}: not one of the document's x-unrouted-responses`);
    this.checkHeaders(what, response.pointer, response.value, res.headers);
    const body = this.checkBody(what, method, response.pointer, response.value, res);
    if (res.status === 405) {
      const allow = String(res.headers.get('allow')).split(',').map((m) => m.trim()).sort();
      const documented = this.methodsOf(urlPath).sort();
      if (allow.join() !== documented.join())
        throw new Error(`${what}: Allow is "${res.headers.get('allow')}", the document has ${documented.join(', ')}`);
    }
    if (res.status === 404 && this.templateOf(urlPath))
      throw new Error(`${what}: answered as unrouted, yet the document has the path ${this.templateOf(urlPath)}`);
    return body;
  }

  checkHeaders(what, pointer, response, headers) {
    for (const [name, raw] of Object.entries(response.headers || {})) {
      const h = this.resolve(`${pointer}/headers/${escapeToken(name)}`);
      const value = headers.get(name);
      if (value === null) {
        if (h.value.required) throw new Error(`${what}: the documented header ${name} is missing`);
        continue;
      }
      const schema = h.value.schema || {};
      const typed = schema.type === 'integer' || schema.type === 'number' ? Number(value) : value;
      this.validateSchema(`${h.pointer}/schema`, typed, `${what}: header ${name} (${value})`);
    }
  }

  checkBody(what, method, pointer, response, res) {
    const content = response.content;
    if (method === 'HEAD' || !content) {
      if (res.text !== '') throw new Error(`${what}: a body where the document has none: ${res.text.slice(0, 200)}`);
      if (!content) return null;
    }
    const actual = parseMediaType(res.headers.get('content-type'));
    const match = Object.keys(content).find((k) => {
      const documented = parseMediaType(k);
      return documented.type === actual.type &&
        Object.entries(documented.params).every(([p, v]) => actual.params[p] === v);
    });
    if (!match)
      throw new Error(`${what}: content type ${res.headers.get('content-type')} is not documented ` +
        `(${Object.keys(content).join(', ')})`);
    if (method === 'HEAD' || actual.type !== 'application/json') return null;
    let body;
    try {
      body = JSON.parse(res.text);
    } catch (e) {
      throw new Error(`${what}: the body is not JSON: ${res.text.slice(0, 200)}`);
    }
    this.validateSchema(`${pointer}/content/${escapeToken(match)}/schema`, body, what);
    return body;
  }
}

module.exports = { Contract, loadNodePackage, SOURCE_DIR, DOCUMENT };
