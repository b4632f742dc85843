// Checks real responses against the OpenAPI document (gateway/openapi.json):
// with SG_VALIDATE_API set, every fetch of an end-to-end test whose path is
// one the document describes has its status looked up (it must be
// described) and its JSON body validated (ajv, JSON Schema 2020-12). A
// mismatch makes that fetch throw, so the test that met it fails. Problem
// bodies of paths the document does not name are checked as problems.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Ajv2020 from 'ajv/dist/2020.js';

const docPath = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../gateway/openapi.json');
export const openapi = JSON.parse(fs.readFileSync(docPath, 'utf8'));

const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
ajv.addSchema(openapi, 'openapi');

// Path templates as patterns, the most literal first ("/v/{id}/{token}/{file}"
// takes the rest of the path).
const routes = Object.keys(openapi.paths).map((template) => {
  const tail = template.startsWith('/v/');
  const pattern = template.replace(/[.]/g, '\\.').replace(/\{[^}]+\}/g, (m, i) =>
    tail && template.indexOf(m) === template.lastIndexOf('{') ? '.+' : '[^/]+');
  return { template, re: new RegExp(`^${pattern}$`), literal: template.replace(/\{[^}]+\}/g, '').length };
}).sort((a, b) => b.literal - a.literal);

const pointer = (...parts) => parts.map((p) => String(p).replaceAll('~', '~0').replaceAll('/', '~1')).join('/');
const validators = new Map();
function validator(ref) {
  if (!validators.has(ref)) validators.set(ref, ajv.compile({ $ref: `openapi#${ref}` }));
  return validators.get(ref);
}

/** Why `res` (to `method url`, body `text`) breaks the document, or null. */
export function mismatch(method, url, res, text) {
  const { pathname } = new URL(url);
  const route = routes.find((r) => r.re.test(pathname));
  const type = (res.headers.get('content-type') || '').split(';')[0].trim();
  if (!route) {
    if (type !== 'application/problem+json' || !text) return null;
    const check = validator('/components/schemas/Problem');
    return check(JSON.parse(text)) ? null : `problem body of ${method} ${pathname}: ${ajv.errorsText(check.errors)}`;
  }
  const m = method === 'HEAD' ? 'get' : method.toLowerCase();
  const op = openapi.paths[route.template][m];
  if (!op) return `${method} ${route.template} is not described`;
  const status = op.responses[String(res.status)] ? String(res.status) : 'default';
  let response = op.responses[status];
  if (!response) return `status ${res.status} of ${method} ${route.template} is not described`;
  let at = pointer('', 'paths', route.template, m, 'responses', status);
  if (response.$ref) {
    at = response.$ref.slice(1);
    response = at.split('/').slice(1).reduce((o, k) => o[k.replaceAll('~1', '/').replaceAll('~0', '~')], openapi);
  }
  if (method === 'HEAD' || !text) return null;
  if (!response.content?.[type]) return `${type} is not described for ${res.status} of ${method} ${route.template}`;
  const check = validator(`${at}/${pointer('content', type, 'schema')}`);
  if (check(JSON.parse(text))) return null;
  return `${res.status} of ${method} ${route.template} breaks its schema: ${ajv.errorsText(check.errors)}\n${text.slice(0, 500)}`;
}

/** Wraps the global fetch so that every response is checked. */
export function validateEveryResponse() {
  const plain = globalThis.fetch;
  globalThis.fetch = async (input, init = {}) => {
    const res = await plain(input, init);
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const method = (init.method || input.method || 'GET').toUpperCase();
    const type = (res.headers.get('content-type') || '').split(';')[0].trim();
    // Whole JSON bodies only: a stream (a log followed as NDJSON) never ends.
    const whole = type === 'application/json' || type === 'application/problem+json';
    const text = whole && method !== 'HEAD' ? await res.clone().text() : '';
    const why = mismatch(method, url, res, text);
    if (why) throw new Error(`the API answered outside its OpenAPI document: ${why}`);
    return res;
  };
}

if (process.env.SG_VALIDATE_API) validateEveryResponse();
