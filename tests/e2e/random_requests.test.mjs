// Random and malformed HTTP requests against a running node for a bounded time
// (RANDOM_REQUEST_SECONDS, default 20): mutated request lines, paths, header
// sets, framings and bodies, pipelined or cut off, over raw sockets. The node
// must stay alive, keep answering /health/ready, and answer client garbage
// with 4xx, never 500. The seed is printed so a failure can be replayed
// (RANDOM_REQUEST_SEED).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { freePort, startNode, stopNode, tempDir } from './harness.mjs';
import { signIn } from './sign_in.mjs';

const seconds = Number(process.env.RANDOM_REQUEST_SECONDS ?? 20);
const seed = Number(process.env.RANDOM_REQUEST_SEED ?? Date.now() % 2 ** 31);
const work = tempDir('sg-e2e-random-');
let node;
let token;

before(async () => {
  node = await startNode({ dataDir: path.join(work, 'data'), port: await freePort(),
    args: ['--roles', 'gateway,upload,metadata,auth', '--rate-limit', 'auth=0/1', '--rate-limit', 'api=0/1',
      '--rate-limit', 'upload=0/1', '--http-head-timeout', '2', '--http-read-timeout', '2'] });
  token = (await signIn(node.base)).token;
});

after(async () => {
  await stopNode(node);
  fs.rmSync(work, { recursive: true, force: true });
});

// mulberry32: small, seeded, good enough to pick cases.
function rng(s) {
  return () => {
    s |= 0; s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = rng(seed);
const pick = (xs) => xs[Math.floor(rand() * xs.length)];
const chance = (p) => rand() < p;
const bytes = (n) => Buffer.from(Array.from({ length: n }, () => Math.floor(rand() * 256)));
const hex = (n) => Array.from({ length: n }, () => '0123456789abcdef'[Math.floor(rand() * 16)]).join('');

const segment = () => pick([hex(16), hex(32), 'x', '..', '%2e%2e', '%FF', '%C0%AF', '%00', 'a'.repeat(300),
  encodeURIComponent(bytes(4).toString('latin1')), '720p', 'seg_00001.m4s', 'init.mp4', 'master.m3u8', '']);
const templates = ['/api/v1/uploads', '/api/v1/uploads/@', '/api/v1/uploads/@/@', '/api/v1/videos', '/api/v1/videos/@',
  '/api/v1/videos/@/job', '/api/v1/videos/@/playback', '/api/v1/videos/upload', '/api/v1/jobs/@',
  '/v/@/@/@', '/v/@/@/@/@', '/api/v1/auth/challenge', '/api/v1/auth/verify', '/api/v1/auth/refresh',
  '/api/v1/auth/me', '/api/v1/auth/logout', '/api/v1/nft/verify', '/api/v1/admin/cache', '/health/ready',
  '/metrics', '/', '/%FF', '//', '/api/v1/', '*'];
function target() {
  let p = pick(templates).replace(/@/g, segment);
  if (chance(0.4)) {
    const params = Array.from({ length: Math.floor(rand() * 4) },
      () => `${pick(['q', 'tag', 'owner', 'status', 'cursor', 'limit', 'title', 'tags', 'key', 'prefix', segment()])}=${pick([segment(), '-1', '1e9', '%FF%FE', 'a,b,'.repeat(50)])}`);
    p += `?${params.join('&')}`;
  }
  return p;
}
const randomCase = (s) => [...s].map((c) => (chance(0.3) ? (chance(0.5) ? c.toUpperCase() : c.toLowerCase()) : c)).join('');
function jsonish() {
  return pick([
    '{}', '[]', 'null', '{"address":"0x0","chain_id":1337}', `{"title":"${'\\u00ff'.repeat(10)}"}`,
    '{"gate":{"mode":5,"rules":[]}}', `{"tags":[${Array.from({ length: 50 }, (_, i) => `"t${i}"`).join(',')}]}`,
    '['.repeat(5000) + ']'.repeat(5000), '{"typed_data":' + '{"a":'.repeat(200) + '1' + '}'.repeat(200) + '}',
    '{"message":"x","signature":"0x' + hex(130) + '"}', bytes(200).toString('latin1'), '{"a":"\xff\xfe"}',
  ]);
}
function headers(body) {
  const h = [];
  const add = (name, value) => h.push(`${randomCase(name)}: ${value}`);
  if (chance(0.9)) add('Host', '127.0.0.1');
  if (chance(0.3)) add('Authorization', pick([`Bearer ${token}`, 'Bearer x.y.z', 'Basic abc', `Bearer ${hex(400)}`, 'Bearer']));
  if (chance(0.4)) add('Tus-Resumable', pick(['1.0.0', '0.2.2', '']));
  if (chance(0.3)) add('Upload-Length', pick(['10', '-1', '99999999999999999999', 'abc', '0']));
  if (chance(0.3)) add('Upload-Offset', pick(['0', '5', '-3', 'x']));
  if (chance(0.2)) add('Upload-Metadata', pick(['title SGk=', 'title /w==', 'a,a', 'tags ' + Buffer.from('a,'.repeat(300)).toString('base64')]));
  if (chance(0.2)) add('Upload-Concat', pick(['partial', `final;/api/v1/uploads/${hex(32)}`, 'final;', 'final;../../x']));
  if (chance(0.2)) add('Upload-Checksum', pick(['sha1 Kq5sNclPz7QV2+lfQIuc6R7oRu0=', 'md5 ***', 'crc32 AAAA']));
  if (chance(0.4)) add('Content-Type', pick(['application/json', 'application/offset+octet-stream', 'text/plain', 'multipart/form-data; boundary=x', 'application/x-www-form-urlencoded']));
  if (chance(0.3)) add('Range', pick(['bytes=0-1', 'bytes=0-,0-', `bytes=${Array.from({ length: 20 }, () => '0-1').join(',')}`, 'bytes=x', 'bytes=-0']));
  if (chance(0.2)) add('If-None-Match', '"abc"');
  if (chance(0.2)) add('Origin', pick(['http://evil.example', 'null']));
  if (chance(0.1)) add('Expect', '100-continue');
  if (chance(0.2)) add('X-Request-Id', pick([hex(8), 'a b', '\x01', 'x'.repeat(200)]));
  if (chance(0.1)) for (let i = 0; i < 50; i++) add(`X-${hex(4)}`, hex(20));
  const framing = pick(['length', 'length', 'chunked', 'none', 'bad-length', 'both', 'te-other', 'dup-length']);
  let payload = body;
  if (framing === 'length') add('Content-Length', String(body.length));
  if (framing === 'bad-length') add('Content-Length', pick(['-1', 'abc', '1e3', ' 5', '99999999999']));
  if (framing === 'dup-length') { add('Content-Length', String(body.length)); add('Content-Length', '1'); }
  if (framing === 'both') { add('Content-Length', String(body.length)); add('Transfer-Encoding', 'chunked'); }
  if (framing === 'te-other') add('Transfer-Encoding', pick(['gzip', 'chunked, gzip', 'identity']));
  if (framing === 'chunked') {
    add('Transfer-Encoding', pick(['chunked', 'Chunked', 'CHUNKED']));
    payload = chance(0.8)
      ? Buffer.concat([Buffer.from(`${body.length.toString(16)}\r\n`), body, Buffer.from('\r\n0\r\n\r\n')])
      : Buffer.from(pick(['zz\r\n', 'ffffffffffffffff\r\nab', '5\r\nab\r\n0\r\n\r\n']));
  }
  return { lines: h, payload };
}
function request() {
  if (chance(0.03)) return bytes(1 + Math.floor(rand() * 300));
  const method = pick(['GET', 'GET', 'POST', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'PUT', 'TRACE', 'CONNECT', 'get', 'G\x00T', hex(10)]);
  const body = chance(0.5) ? Buffer.from(jsonish(), 'latin1') : chance(0.5) ? bytes(Math.floor(rand() * 3000)) : Buffer.alloc(0);
  const { lines, payload } = headers(body);
  const version = pick(['HTTP/1.1', 'HTTP/1.1', 'HTTP/1.0', 'HTTP/2.0', 'HTTP/1.1 extra', '']);
  const head = `${method} ${target()} ${version}\r\n${lines.join('\r\n')}\r\n\r\n`;
  const all = Buffer.concat([Buffer.from(head, 'latin1'), payload]);
  return chance(0.05) ? all.subarray(0, Math.floor(rand() * all.length)) : all;  // cut off
}

// Sends 1-3 requests on one connection, collects the status codes answered.
function exchange(port) {
  return new Promise((resolve) => {
    const sock = net.connect(port, '127.0.0.1');
    let text = '';
    const done = () => {
      sock.destroy();
      resolve([...text.matchAll(/HTTP\/1\.[01] (\d{3})/g)].map((m) => Number(m[1])));
    };
    sock.setTimeout(2000, done);
    sock.on('data', (d) => { text += d.toString('latin1'); });
    sock.on('error', done);
    sock.on('close', done);
    sock.on('connect', () => {
      const n = 1 + Math.floor(rand() * 3);
      for (let i = 0; i < n; i++) sock.write(request());
      setTimeout(() => sock.end(), chance(0.7) ? 0 : 300);  // half-close: the node answers, then closes
    });
  });
}

test(`random requests for ${seconds} s leave the node alive, answering 4xx to garbage (seed ${seed})`, async () => {
  const port = Number(new URL(node.base).port);
  const statuses = new Map();
  const deadline = Date.now() + seconds * 1000;
  let sent = 0;
  while (Date.now() < deadline) {
    const batch = await Promise.all(Array.from({ length: 8 }, () => exchange(port)));
    sent += batch.length;
    for (const codes of batch) for (const c of codes) statuses.set(c, (statuses.get(c) ?? 0) + 1);
    assert.equal(node.proc.exitCode, null, `the node died (seed ${seed})`);
  }
  const summary = [...statuses.entries()].sort((a, b) => a[0] - b[0]).map(([c, n]) => `${c}:${n}`).join(' ');
  console.log(`seed ${seed}: ${sent} connections; statuses ${summary}`);
  assert.equal(node.proc.exitCode, null);
  assert.equal((await fetch(`${node.base}/health/ready`)).status, 200);
  assert.ok(statuses.size > 5, 'many kinds of answers');
  assert.equal(statuses.get(500) ?? 0, 0, `no 500 for client garbage (seed ${seed}); see the node log`);
});
