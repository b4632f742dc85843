// Security regressions: every attack of the gateway audit replayed through the
// public HTTP interface of a real node (fetch where it can send the request,
// raw sockets where it cannot), with the fixed answer asserted and the node
// checked alive afterwards. Memory attacks print the node's RSS before and
// after. Range amplification needs transcoded media and is covered elsewhere.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { ethers } from 'ethers';
import { freePort, startNode, stopNode, tempDir } from './harness.mjs';
import { signIn, DEFAULT_KEY } from './sign_in.mjs';

const OTHER_KEY = '0x6370fd033278c143179d81c5526140625662b8daa446c22ee2d73db3707e620c';
const ROLES = ['--roles', 'gateway,upload,metadata,auth', '--upload-max-size', '20000000'];
const MiB = 1024 * 1024;
const RSS_GROWTH_LIMIT = 40 * MiB;

const work = tempDir('sg-e2e-security-');
const nodes = [];
let node;   // the main node: sign-in unmetered so that no test here trips a limit by accident
let alice;  // { token, address } of DEFAULT_KEY
let bob;    // { token, address } of OTHER_KEY
let video;  // a video alice owns

async function launch(name, args) {
  const n = await startNode({ dataDir: path.join(work, name), port: await freePort(), args: [...ROLES, ...args] });
  n.port = Number(new URL(n.base).port);
  nodes.push(n);
  return n;
}

before(async () => {
  node = await launch('main', ['--rate-limit', 'auth=0/1']);
  alice = await signIn(node.base, DEFAULT_KEY);
  bob = await signIn(node.base, OTHER_KEY);
  const r = await call(node, 'POST', '/api/v1/videos/upload?title=x', { token: alice.token, body: crypto.randomBytes(1000) });
  assert.equal(r.status, 201, r.text);
  video = r.json.id;
});

after(async () => {
  for (const n of nodes) await stopNode(n);
  fs.rmSync(work, { recursive: true, force: true });
});

// ---- helpers ---------------------------------------------------------------

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function call(n, method, p, { token, json, body, headers = {}, timeoutMs = 10000 } = {}) {
  const h = { ...headers };
  if (token) h.Authorization = `Bearer ${token}`;
  if (json !== undefined) {
    h['Content-Type'] ??= 'application/json';
    body = typeof json === 'string' ? json : JSON.stringify(json);
  }
  const r = await fetch(`${n.base}${p}`, { method, headers: h, body, signal: AbortSignal.timeout(timeoutMs) });
  const text = await r.text();
  let parsed = null;
  try { parsed = text ? JSON.parse(text) : null; } catch { /* not JSON */ }
  return { status: r.status, headers: r.headers, text, json: parsed, type: r.headers.get('content-type') };
}

const tus = (token, extra = {}) => ({ 'Tus-Resumable': '1.0.0', Authorization: `Bearer ${token}`, ...extra });

/** A problem+json answer of `status` whose body is valid JSON with every field. */
function assertProblem(r, status, detail) {
  const what = `${r.status} ${r.type} ${r.text}`;
  assert.equal(r.status, status, what);
  assert.equal(r.type, 'application/problem+json', what);
  const body = typeof r.json === 'object' && r.json !== null ? r.json : JSON.parse(r.text);
  for (const k of ['type', 'title', 'status', 'detail', 'request_id']) assert.ok(k in body, `${k} missing: ${what}`);
  assert.equal(body.status, status, what);
  if (detail) assert.match(body.detail, detail, what);
}

async function assertAlive(n) {
  assert.equal(n.proc.exitCode, null, `node exited:\n${n.log().slice(-2000)}`);
  assert.equal(n.proc.signalCode, null, `node killed:\n${n.log().slice(-2000)}`);
  const r = await fetch(`${n.base}/health/ready`, { signal: AbortSignal.timeout(5000) });
  assert.equal(r.status, 200);
}

function rss(n) {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${n.proc.pid}/status`, 'utf8'));
  return Number(m[1]) * 1024;
}

/** Runs `attack` and asserts the node's RSS grew by less than the limit. */
async function boundedMemory(n, label, attack) {
  const before = rss(n);
  const result = await attack();
  await sleep(100);
  const after = rss(n);
  const mib = (b) => (b / MiB).toFixed(1);
  console.log(`RSS ${label}: before ${mib(before)} MiB, after ${mib(after)} MiB, growth ${mib(after - before)} MiB`);
  assert.ok(after - before < RSS_GROWTH_LIMIT, `${label}: RSS grew ${mib(after - before)} MiB`);
  return result;
}

// Parses one HTTP/1.1 response out of `buf`; null while incomplete.
function parseResponse(buf, closed) {
  const end = buf.indexOf('\r\n\r\n');
  if (end < 0) return null;
  const lines = buf.subarray(0, end).toString('latin1').split('\r\n');
  const status = Number(lines[0].split(' ')[1]);
  const headers = {};
  for (const l of lines.slice(1)) {
    const i = l.indexOf(':');
    headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
  }
  let body = buf.subarray(end + 4);
  if (headers['content-length'] !== undefined) {
    const len = Number(headers['content-length']);
    if (body.length < len) return null;
    body = body.subarray(0, len);
  } else if (/chunked/i.test(headers['transfer-encoding'] ?? '')) {
    const out = [];
    let at = 0;
    for (;;) {
      const eol = body.indexOf('\r\n', at);
      if (eol < 0) return null;
      const size = parseInt(body.subarray(at, eol).toString('latin1'), 16);
      if (size === 0) break;
      if (body.length < eol + 2 + size + 2) return null;
      out.push(body.subarray(eol + 2, eol + 2 + size));
      at = eol + 2 + size + 2;
    }
    body = Buffer.concat(out);
  } else if (!closed) {
    return null;  // read to the end of the connection
  }
  const text = body.toString('utf8');
  let json = null;
  try { json = JSON.parse(text); } catch { /* not JSON */ }
  return { status, headers, text, json, type: headers['content-type'] };
}

/**
 * Sends `request` (a Buffer or string, or an async generator of them) on a raw
 * socket and resolves with the first response. Sending stops as soon as the
 * answer is in. Never waits past `timeoutMs`: then `timedOut` is set.
 * Resolves { status, headers, text, json, type, sent, timedOut, closed }.
 */
async function raw(n, request, { timeoutMs = 10000 } = {}) {
  const sock = net.connect(n.port, '127.0.0.1');
  sock.setNoDelay(true);
  let buf = Buffer.alloc(0);
  let response = null;
  let closed = false;
  let done;
  const finished = new Promise((r) => { done = r; });
  const timer = setTimeout(() => done('timeout'), timeoutMs);
  sock.on('data', (d) => {
    if (buf.length < MiB) buf = Buffer.concat([buf, d]);
    response ??= parseResponse(buf, false);
    if (response) done('answered');
  });
  sock.on('error', () => {});  // a reset after the answer: what we have counts
  sock.on('close', () => {
    closed = true;
    response ??= parseResponse(buf, true);
    done('closed');
  });
  let sent = 0;
  const chunks = typeof request === 'string' || Buffer.isBuffer(request) ? [request] : request();
  try {
    for await (const c of chunks) {
      if (response || closed) break;
      sent += Buffer.byteLength(c);
      if (!sock.write(c)) await Promise.race([new Promise((r) => sock.once('drain', r)), finished]);
    }
  } catch { /* the peer went away while we wrote */ }
  const how = await finished;
  clearTimeout(timer);
  sock.destroy();
  return { status: null, ...response, sent, timedOut: how === 'timeout' && !response, closed };
}

const head = (method, p, lines = []) =>
  `${method} ${p} HTTP/1.1\r\nHost: 127.0.0.1\r\n${lines.map((l) => `${l}\r\n`).join('')}\r\n`;

function chunked(text) {
  const b = Buffer.from(text);
  return `${b.length.toString(16)}\r\n${text}\r\n0\r\n\r\n`;
}

// Creates an upload of `length` bytes owned by `token` and writes `bytes` into it.
async function createUpload(n, token, length, { bytes, partial = false } = {}) {
  const r = await call(n, 'POST', '/api/v1/uploads', {
    headers: tus(token, { 'Upload-Length': String(length), ...(partial ? { 'Upload-Concat': 'partial' } : {}) }),
  });
  assert.equal(r.status, 201, r.text);
  const loc = new URL(r.headers.get('location'), n.base).pathname;
  if (bytes) {
    const p = await call(n, 'PATCH', loc, {
      headers: tus(token, { 'Upload-Offset': '0', 'Content-Type': 'application/offset+octet-stream' }), body: bytes,
    });
    assert.equal(p.status, 204, p.text);
    assert.equal(p.headers.get('upload-offset'), String(bytes.length));
  }
  return loc;
}

// ---- findings --------------------------------------------------------------

test('1. invalid escapes and raw bytes in the path get a JSON 404', async () => {
  const requests = [
    head('GET', '/%FF', ['Connection: close']),
    head('GET', '/%C0%AF', ['Connection: close']),
    head('GET', '/api/v1/videos/%FF', ['Connection: close']),
    Buffer.concat([Buffer.from('GET /'), Buffer.from([0xff, 0xfe]), Buffer.from(' HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')]),
  ];
  for (const req of requests) {
    const r = await raw(node, req);
    assert.ok(!r.timedOut, `no answer to ${JSON.stringify(String(req).split('\r\n')[0])}`);
    assertProblem(r, 404);
    assert.ok(r.json, `body is not valid JSON: ${r.text}`);
  }
  // fetch sends the escapes as they are.
  assertProblem(await call(node, 'GET', '/%FF'), 404);
  assertProblem(await call(node, 'GET', '/%C0%AF'), 404);
  await assertAlive(node);
});

test('2. deeply nested JSON is refused with 400 on every JSON route', async () => {
  const deep = (key) => `{"${key}":${'['.repeat(60000)}${']'.repeat(60000)},"signature":"0x00"}`;
  const nesting = /nest|deep/i;
  assertProblem(await call(node, 'POST', '/api/v1/auth/verify', { json: deep('typed_data') }), 400, nesting);
  assertProblem(await call(node, 'PATCH', `/api/v1/videos/${video}`, { token: alice.token, json: deep('tags') }), 400, nesting);
  assertProblem(await call(node, 'POST', '/api/v1/nft/verify', { token: alice.token, json: deep('contract') }), 400, nesting);
  // Objects nest too.
  const objects = `${'{"a":'.repeat(60000)}1${'}'.repeat(60000)}`;
  assertProblem(await call(node, 'POST', '/api/v1/auth/verify', { json: objects }), 400, nesting);
  await assertAlive(node);
});

test("3. tus concatenation cannot take another owner's partial uploads", async () => {
  const part1 = crypto.randomBytes(100000);
  const part2 = crypto.randomBytes(150000);
  const a1 = await createUpload(node, alice.token, part1.length, { bytes: part1, partial: true });
  const a2 = await createUpload(node, alice.token, part2.length, { bytes: part2, partial: true });
  const stolen = await call(node, 'POST', '/api/v1/uploads', {
    headers: tus(bob.token, { 'Upload-Concat': `final;${a1} ${a2}` }),
  });
  assertProblem(stolen, 403);
  // Alice's parts are intact and still hers to join.
  for (const [loc, part] of [[a1, part1], [a2, part2]]) {
    const h = await call(node, 'HEAD', loc, { headers: tus(alice.token) });
    assert.equal(h.status, 200);
    assert.equal(h.headers.get('upload-offset'), String(part.length));
  }
  const joined = await call(node, 'POST', '/api/v1/uploads', {
    headers: tus(alice.token, { 'Upload-Concat': `final;${a1} ${a2}` }),
  });
  assert.equal(joined.status, 201, joined.text);
  const final = new URL(joined.headers.get('location'), node.base).pathname;
  const info = await call(node, 'GET', final, { token: alice.token });
  assert.equal(info.status, 200, info.text);
  assert.equal(info.json.offset, part1.length + part2.length);
  assert.match(info.json.video_id ?? '', /^[0-9a-f]+$/, info.text);
  await assertAlive(node);
});

test('4. bodies and heads are bounded while read: no memory exhaustion', async () => {
  const block = Buffer.alloc(64 * 1024, 'a');
  const total = 64 * MiB;

  // (a) "Chunked" with a capital C is chunked: the body is cut at the route's budget.
  const a = await boundedMemory(node, '64 MB Transfer-Encoding: Chunked', () => raw(node, async function* () {
    yield head('POST', '/api/v1/auth/verify', ['Content-Type: application/json', 'Transfer-Encoding: Chunked']);
    const size = `${block.length.toString(16)}\r\n`;
    for (let sent = 0; sent < total; sent += block.length) {
      yield size;
      yield block;
      yield '\r\n';
    }
    yield '0\r\n\r\n';
  }, { timeoutMs: 20000 }));
  assert.ok(!a.timedOut, 'no answer to the chunked flood');
  assertProblem(a, 413);
  console.log(`chunked flood answered ${a.status} after ${(a.sent / MiB).toFixed(1)} MiB were sent`);
  assert.ok(a.sent < total, `the whole body was sent (${a.sent} bytes) before the answer`);
  await assertAlive(node);

  // (b) a body announced to an unrouted path is answered 404 unread: only a
  // part is ever sent, so a server waiting for the rest would time out here.
  for (const [method, p] of [['POST', '/api/v1/uploads/x/y'], ['PATCH', '/api/v1/uploads/x/y'],
    ['POST', '/api/v1/uploads/'], ['PATCH', '/api/v1/uploads/']]) {
    const r = await boundedMemory(node, `${method} ${p} Content-Length 64 MB`, () => raw(node, async function* () {
      yield head(method, p, [`Authorization: Bearer ${alice.token}`, 'Tus-Resumable: 1.0.0',
        'Content-Type: application/offset+octet-stream', `Content-Length: ${total}`, `Upload-Offset: 0`]);
      for (let i = 0; i < 16; ++i) yield block;  // 1 MiB of the 64
    }, { timeoutMs: 5000 }));
    assert.ok(!r.timedOut, `${method} ${p}: no answer without the whole body`);
    assertProblem(r, 404);
  }
  await assertAlive(node);

  // (c) 200000 header lines: 431 as soon as the head passes its limit.
  const lines = 200000;
  const perBatch = 1000;
  const batch = 'X-A: b\r\n'.repeat(perBatch);
  const c = await boundedMemory(node, `${lines} header lines`, () => raw(node, async function* () {
    yield 'GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n';
    for (let i = 0; i < lines / perBatch; ++i) {
      yield batch;
      await sleep(2);  // a client trickling its head; the answer must come long before the end
    }
    yield '\r\n';
  }, { timeoutMs: 15000 }));
  assert.ok(!c.timedOut, 'no answer to the header flood');
  assert.equal(c.status, 431, c.text);
  assert.equal(c.type, 'application/problem+json');
  assert.equal(JSON.parse(c.text).status, 431);
  const linesSent = Math.floor(c.sent / 8);
  console.log(`header flood answered 431 after ${linesSent} of ${lines} lines were sent`);
  assert.ok(linesSent < lines / 2, `431 came only after ${linesSent} lines`);
  await assertAlive(node);

  // (d) framing the server cannot honour is refused.
  const framings = [
    ['Transfer-Encoding: gzip'],
    ['Transfer-Encoding: chunked', 'Content-Length: 12'],
    ['Transfer-Encoding: gzip, chunked'],
    ['Transfer-Encoding: chunked', 'Transfer-Encoding: chunked'],
    ['Content-Length: 12', 'Content-Length: 13'],
  ];
  for (const f of framings) {
    const r = await raw(node, head('POST', '/api/v1/auth/verify', ['Content-Type: application/json', ...f]) + chunked('{"message":1}'));
    assert.ok(!r.timedOut, `${f}: no answer`);
    assertProblem(r, 400);
  }
  await assertAlive(node);
});

test('6. oversized tag lists are refused quickly', async () => {
  const tags = Array.from({ length: 80000 }, (_, i) => `t${i}`);
  const started = Date.now();
  const r = await call(node, 'PATCH', `/api/v1/videos/${video}`, { token: alice.token, json: { tags } });
  const ms = Date.now() - started;
  console.log(`PATCH with ${tags.length} tags answered ${r.status} in ${ms} ms`);
  assertProblem(r, 400, /tags/);
  assert.ok(ms < 2000, `took ${ms} ms`);
  const many = Array.from({ length: 200 }, (_, i) => `t${i}`).join(',');
  assertProblem(await call(node, 'POST', `/api/v1/videos/upload?title=x&tags=${many}`,
    { token: alice.token, body: crypto.randomBytes(100) }), 400, /tags/);
  const meta = `tags ${Buffer.from(many).toString('base64')}`;
  assertProblem(await call(node, 'POST', '/api/v1/uploads',
    { headers: tus(alice.token, { 'Upload-Length': '10', 'Upload-Metadata': meta }) }), 400, /tags/);
  // The video kept its tags.
  const v = await call(node, 'GET', `/api/v1/videos/${video}`);
  assert.deepEqual(v.json.tags, []);
  await assertAlive(node);
});

test('7. invalid UTF-8 in metadata, queries and JSON gets 400, not 500', async () => {
  assertProblem(await call(node, 'POST', '/api/v1/uploads',
    { headers: tus(alice.token, { 'Upload-Length': '10', 'Upload-Metadata': 'title /w==' }) }), 400);
  assertProblem(await call(node, 'GET', '/api/v1/videos?status=%FF'), 400);
  assertProblem(await call(node, 'GET', '/api/v1/videos?q=%FF'), 400);
  assertProblem(await call(node, 'GET', '/api/v1/videos?tag=%C0%AF'), 400);
  assertProblem(await call(node, 'POST', '/api/v1/videos/upload?title=%FF',
    { token: alice.token, body: crypto.randomBytes(100) }), 400);
  assertProblem(await call(node, 'PATCH', `/api/v1/videos/${video}`,
    { token: alice.token, json: { gate: { mode: 5, rules: [] } } }), 400);
  // Raw invalid UTF-8 inside a JSON string.
  const bad = Buffer.concat([Buffer.from('{"title":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]);
  assertProblem(await call(node, 'PATCH', `/api/v1/videos/${video}`,
    { token: alice.token, body: bad, headers: { 'Content-Type': 'application/json' } }), 400);
  await assertAlive(node);
});

test('8. failed authentication counts against the IP rate limit', async () => {
  const limited = await launch('limited', ['--rate-limit', 'api=5/10']);
  const answers = [];
  for (let i = 0; i < 30; ++i) {
    answers.push(await call(limited, 'GET', '/api/v1/videos', { token: 'not.a.valid.token' }));
  }
  const statuses = answers.map((a) => a.status);
  console.log(`bad-token statuses: ${statuses.join(' ')}`);
  assert.ok(statuses.every((s) => s === 401 || s === 429), statuses.join(' '));
  assert.equal(statuses[0], 401);
  const first429 = statuses.indexOf(429);
  assert.ok(first429 >= 5 && first429 <= 11, `first 429 at ${first429}: ${statuses.join(' ')}`);
  assert.ok(statuses.filter((s) => s === 429).length >= 15, statuses.join(' '));
  const refused = answers[first429];
  assertProblem(refused, 429);
  assert.match(refused.headers.get('retry-after') ?? '', /^[1-9][0-9]*$/);
  // Health is never limited.
  await assertAlive(limited);
});

test('9. the SIWE nonce is the parsed Nonce field, never a "Nonce:" line in the statement', async () => {
  // EIP-4361 lets the client write the statement; what binds a signature to a
  // challenge is the Nonce field, read in the message's field order.
  const wallet = new ethers.Wallet(DEFAULT_KEY);
  const challenge = async () => {
    const r = await call(node, 'POST', '/api/v1/auth/challenge', { json: { address: wallet.address, chain_id: 1337 } });
    assert.equal(r.status, 200, r.text);
    return r.json;
  };
  const verify = async (message) =>
    call(node, 'POST', '/api/v1/auth/verify', { json: { message, signature: await wallet.signMessage(message) } });
  const withStatement = (message, statement) => {
    const lines = message.split('\n');
    const at = lines.indexOf('Sign in to StreamGate.');
    assert.ok(at > 0, message);
    lines[at] = statement;
    return lines.join('\n');
  };
  const c1 = await challenge();
  const c2 = await challenge();
  assert.notEqual(c1.nonce, c2.nonce);
  // The statement names c1's nonce, the Nonce field an unknown one: a
  // first-match lookup would have found and consumed c1's challenge.
  const unknown = c2.message.replace(`Nonce: ${c2.nonce}`, 'Nonce: AAAAAAAAAAAAAAAAAAAA');
  const forged = await verify(withStatement(unknown, `Nonce: ${c1.nonce}`));
  assertProblem(forged, 401);
  assert.match(forged.json.detail, /nonce/);
  // The same trick around c2's real Nonce field signs in with c2, not c1...
  const spoofed = await verify(withStatement(c2.message, `Nonce: ${c1.nonce}`));
  assert.equal(spoofed.status, 200, spoofed.text);
  assertProblem(await verify(c2.message), 401);  // c2 is spent
  // ...and c1 was never touched.
  const genuine = await verify(c1.message);
  console.log(`forged -> ${forged.status}, spoofed statement -> ${spoofed.status}, c1 afterwards -> ${genuine.status}`);
  assert.equal(genuine.status, 200, genuine.text);
  assert.equal(genuine.json.address, wallet.address);
  await assertAlive(node);
});

test('10. concurrent refreshes of one token: exactly one wins', async () => {
  const s = await signIn(node.base, OTHER_KEY);
  const answers = await Promise.all(Array.from({ length: 10 }, () =>
    call(node, 'POST', '/api/v1/auth/refresh', { token: s.token, json: {} })));
  const statuses = answers.map((a) => a.status).sort();
  console.log(`concurrent refresh statuses: ${statuses.join(' ')}`);
  assert.equal(statuses.filter((x) => x === 200).length, 1, statuses.join(' '));
  assert.equal(statuses.filter((x) => x === 401).length, 9, statuses.join(' '));
  const winner = answers.find((a) => a.status === 200).json.token;
  const me = await call(node, 'GET', '/api/v1/auth/me', { token: winner });
  assert.equal(me.status, 200);
  assert.equal((await call(node, 'GET', '/api/v1/auth/me', { token: s.token })).status, 401);
  await assertAlive(node);
});

test('11. an expired upload answers 410 to HEAD and PATCH', async () => {
  const expiring = await launch('expiring', ['--upload-expiry', '2']);
  const { token } = await signIn(expiring.base);
  const first = crypto.randomBytes(1000);
  const loc = await createUpload(expiring, token, 3000, { bytes: first });
  await sleep(3000);
  const h = await call(expiring, 'HEAD', loc, { headers: tus(token) });
  assert.equal(h.status, 410);
  const p = await call(expiring, 'PATCH', loc, {
    headers: tus(token, { 'Upload-Offset': String(first.length), 'Content-Type': 'application/offset+octet-stream' }),
    body: crypto.randomBytes(1000),
  });
  assertProblem(p, 410);
  await assertAlive(expiring);
});

test('12. Transfer-Encoding is matched without case', async () => {
  for (const te of ['transfer-encoding: chunked', 'TRANSFER-ENCODING: CHUNKED', 'Transfer-Encoding: Chunked']) {
    const description = `sent with ${te}`;
    const r = await raw(node, head('PATCH', `/api/v1/videos/${video}`, [`Authorization: Bearer ${alice.token}`,
      'Content-Type: application/json', te, 'Connection: close']) + chunked(JSON.stringify({ description })));
    assert.ok(!r.timedOut, `${te}: no answer`);
    assert.equal(r.status, 200, `${te}: ${r.text}`);
    assert.equal(r.json.description, description);
  }
  await assertAlive(node);
});
