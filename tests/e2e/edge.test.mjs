// The event-driven HTTP edge (issue 11), through real sockets: slow clients
// cost no thread, the connection caps answer 503, and a drain lets a request
// in flight finish while idle keep-alive connections close.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import net from 'node:net';
import { freePort, startNode, stopNode, tempDir } from './harness.mjs';
import { signIn } from './sign_in.mjs';

const nodes = [];
after(async () => {
  for (const n of nodes) if (n.proc.exitCode === null) await stopNode(n);
});

async function launch(args = []) {
  const n = await startNode({ dataDir: tempDir('sg-e2e-edge-'), port: await freePort(), args });
  n.port = Number(new URL(n.base).port);
  nodes.push(n);
  return n;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A raw connection: what it received, and whether the server closed it. */
function connect(port) {
  const sock = net.connect(port, '127.0.0.1');
  const c = { sock, text: '', closed: false, closedAt: 0 };
  sock.setEncoding('latin1');
  sock.on('data', (d) => { c.text += d; });
  sock.on('error', () => {});
  sock.on('close', () => { c.closed = true; c.closedAt = Date.now(); });
  c.ready = new Promise((resolve) => sock.once('connect', resolve));
  c.until = async (pred, ms = 5000) => {
    const end = Date.now() + ms;
    while (!pred(c) && Date.now() < end) await sleep(20);
    return pred(c);
  };
  return c;
}

const statusOf = (text) => Number((/^HTTP\/1\.1 (\d{3})/.exec(text) ?? [])[1]);

async function timedGet(url) {
  const t0 = performance.now();
  const r = await fetch(url);
  await r.arrayBuffer();
  return { status: r.status, ms: performance.now() - t0 };
}

test('300 slowloris connections do not slow a normal client, and each gets 408 at the head deadline', async () => {
  const n = await launch(['--http-head-timeout', '3']);
  const idle = [];
  for (let i = 0; i < 40; ++i) idle.push(await timedGet(`${n.base}/health/live`));
  const slow = [];
  for (let i = 0; i < 300; ++i) {
    const c = connect(n.port);
    slow.push(c);
    c.ready.then(() => {
      c.opened = Date.now();
      c.sock.write('GET /health/live HTTP/1.1\r\nHost: x\r\nX-Slow: ');
      c.timer = setInterval(() => { if (!c.closed) c.sock.write('a'); }, 1000);  // one byte a second
    });
  }
  await Promise.all(slow.map((c) => c.ready));
  await sleep(500);
  const busy = [];
  for (let i = 0; i < 40; ++i) busy.push(await timedGet(`${n.base}/health/live`));
  const worst = (xs) => Math.max(...xs.map((x) => x.ms));
  console.log(`normal client: slowest of 40 idle ${worst(idle).toFixed(1)} ms, with 300 slow connections ${worst(busy).toFixed(1)} ms`);
  assert.ok(busy.every((x) => x.status === 200));
  assert.ok(worst(busy) < 1000, `a normal request took ${worst(busy)} ms next to slow connections`);
  // The head deadline counts from the first byte, not per byte: 408, closed.
  assert.ok(await Promise.all(slow.map((c) => c.until((x) => x.closed, 8000))).then((all) => all.every(Boolean)),
    'a slow head outlived its deadline');
  for (const c of slow) clearInterval(c.timer);
  const late = slow.filter((c) => statusOf(c.text) === 408);
  assert.equal(late.length, 300, `answers: ${[...new Set(slow.map((c) => statusOf(c.text)))]}`);
  assert.match(late[0].text, /application\/problem\+json/);
  const held = slow.map((c) => c.closedAt - c.opened);
  console.log(`slow heads held ${Math.min(...held)}-${Math.max(...held)} ms (deadline 3000 ms)`);
  assert.ok(Math.max(...held) < 4500, `a slow head was held ${Math.max(...held)} ms`);
  assert.equal((await fetch(`${n.base}/health/live`)).status, 200);
});

/** Opens `count` idle connections, then one more that asks for /health/live:
 *  resolves with the held ones and what the one more got before it closed. */
async function overCap(port, count) {
  const held = [];
  for (let i = 0; i < count; ++i) {
    const c = connect(port);
    await c.ready;
    held.push(c);
  }
  await sleep(100);
  const over = connect(port);
  await over.ready;
  over.sock.write('GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n');
  assert.ok(await over.until((x) => x.closed), 'the connection over the cap stayed open');
  assert.equal(statusOf(over.text), 503, over.text);
  assert.match(over.text, /Retry-After: 1/);
  assert.match(over.text, /"status":503/);
  return { held, over };
}

test('connections over the per-address and total caps get 503 with Retry-After', async () => {
  const n = await launch(['--http-max-connections-per-ip', '8']);
  const { held, over } = await overCap(n.port, 8);
  assert.match(over.text, /per_ip/);
  // Room again once some close.
  held.splice(0, 2).forEach((c) => c.sock.destroy());
  await sleep(100);
  assert.equal((await fetch(`${n.base}/health/live`)).status, 200);
  const metrics = await (await fetch(`${n.base}/metrics`)).text();
  assert.match(metrics, /streamgate_http_connections_refused_total\{reason="per_ip"\} [1-9]/);
  held.forEach((c) => c.sock.destroy());

  const small = await launch(['--http-max-connections', '3']);
  const total = await overCap(small.port, 3);
  assert.match(total.over.text, /total/);
  total.held.forEach((c) => c.sock.destroy());
});

test('a drain closes idle keep-alive connections and lets an upload in flight finish', async () => {
  const n = await launch(['--shutdown-grace', '10']);
  const { token } = await signIn(n.base);
  const created = await fetch(`${n.base}/api/v1/uploads`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Tus-Resumable': '1.0.0', 'Upload-Length': '200000' },
  });
  assert.equal(created.status, 201);
  const location = new URL(created.headers.get('location'), n.base).pathname;
  // Idle keep-alive connections, each after one answered request.
  const idle = [];
  for (let i = 0; i < 5; ++i) {
    const c = connect(n.port);
    await c.ready;
    c.sock.write('GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n');
    assert.ok(await c.until((x) => x.text.includes('"live"')));
    idle.push(c);
  }
  // An upload whose body is half sent when the node is told to stop.
  const body = crypto.randomBytes(200000);
  const patch = connect(n.port);
  await patch.ready;
  patch.sock.write(`PATCH ${location} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\n` +
    'Tus-Resumable: 1.0.0\r\nUpload-Offset: 0\r\nContent-Type: application/offset+octet-stream\r\n' +
    `Content-Length: ${body.length}\r\n\r\n`);
  patch.sock.write(body.subarray(0, 100000));
  await sleep(300);
  const exited = new Promise((resolve) => n.proc.once('exit', (code) => resolve(code)));
  const t0 = Date.now();
  n.proc.kill('SIGTERM');
  assert.ok(await Promise.all(idle.map((c) => c.until((x) => x.closed, 2000))).then((all) => all.every(Boolean)),
    'idle keep-alive connections stayed open during the drain');
  const refused = await fetch(`${n.base}/health/live`).then(() => false, () => true);
  assert.ok(refused, 'a new connection was accepted during the drain');
  patch.sock.write(body.subarray(100000));
  assert.ok(await patch.until((x) => statusOf(x.text) > 0, 5000), 'the upload in flight got no answer');
  assert.equal(statusOf(patch.text), 204, patch.text);
  assert.match(patch.text, /Upload-Offset: 200000/);
  assert.match(patch.text, /Connection: close/);
  assert.equal(await exited, 0);
  console.log(`drained in ${Date.now() - t0} ms: 5 idle connections closed, the upload finished`);
});
