// The OpenAPI document as the node serves it: the file in the tree, valid
// OpenAPI 3.1 whose schemas compile; with SG_VALIDATE_API (set by ctest for
// every end-to-end suite) each response below is also checked against it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import { freePort, startNode, stopNode, tempDir } from './harness.mjs';
import { openapi, mismatch } from './openapi_check.mjs';

const work = tempDir('sg-e2e-openapi-');
let node;

before(async () => {
  node = await startNode({ dataDir: path.join(work, 'data'), port: await freePort(), args: ['--admin-token', 'doc-secret'] });
});

after(async () => {
  if (node) await stopNode(node);
  fs.rmSync(work, { recursive: true, force: true });
});

test('the node serves the document in the tree', async () => {
  const r = await fetch(`${node.base}/api/v1/openapi.json`);
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /application\/json/);
  assert.deepEqual(await r.json(), openapi);
});

test('every schema in it compiles, and every operation answers problems as documented', () => {
  const ajv = new Ajv2020({ strict: false, validateFormats: false });
  ajv.addSchema(openapi, 'openapi');
  for (const name of Object.keys(openapi.components.schemas))
    assert.doesNotThrow(() => ajv.compile({ $ref: `openapi#/components/schemas/${name}` }), name);
  for (const [p, ops] of Object.entries(openapi.paths))
    for (const [m, op] of Object.entries(ops))
      if (m !== 'parameters')
        assert.ok(Object.keys(op.responses).some((s) => s.startsWith('2') || s.startsWith('3') || s === '101'), `${m} ${p} has a success`);
});

test('the checker itself catches a response the document does not allow', async () => {
  const fake = (status, body, type = 'application/json') =>
    mismatch('GET', `${node.base}/api/v1/categories`, { status, headers: new Headers({ 'content-type': type }) }, JSON.stringify(body));
  assert.equal(fake(200, { items: [] }), null);
  assert.match(fake(200, { items: [{ slug: 5 }] }), /breaks its schema/);
  assert.match(fake(418, { items: [] }), /not described/);
  assert.match(fake(429, { nothing: true }, 'application/problem+json'), /breaks its schema/);
});

test('errors anywhere are problems', async () => {
  for (const [method, p] of [['GET', '/api/v1/nothing-here'], ['GET', '/api/v1/videos/zz'], ['DELETE', '/api/v1/playlists/0123456789abcdef'],
    ['POST', '/api/v1/categories'], ['GET', '/api/v1/admin/cache']]) {
    const r = await fetch(`${node.base}${p}`, { method });
    assert.ok(r.status >= 400, `${method} ${p}`);
    assert.match(r.headers.get('content-type'), /application\/problem\+json/);
  }
  assert.equal((await fetch(`${node.base}/metrics`)).status, 200);
  assert.equal((await fetch(`${node.base}/health/ready`)).status, 200);
});
