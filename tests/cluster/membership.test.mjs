// Nodes auto-join through etcd and see each other over mutual TLS; a node
// that dies, hangs or leaves is seen to go; members that are not who they
// claim, from another CA, another cluster or without TLS are never "up"; the
// cluster survives losing etcd's leader. A tus upload's requests reach its
// node from any node, and are refused there as they would be at its node.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import path from 'node:path';
import fs from 'node:fs';
import http from 'node:http';
import crypto from 'node:crypto';
import { BIN, freePort, stopNode, tempDir } from '../e2e/harness.mjs';
import { signIn } from '../e2e/sign_in.mjs';
import {
  alertsOf, alertUntil, makeCerts, members, startEtcd, startMember, startS3, state, until,
} from './cluster_harness.mjs';

const run = promisify(execFile);
const OTHER_KEY = '0x6370fd033278c143179d81c5526140625662b8daa446c22ee2d73db3707e620c';
let etcd;
let s3;
let services;
let root;
let certs;
const nodes = [];
let downCount;  // members lost without leaving, as node-a counts them

const allUp = (names) => (list) => names.every((n) => ['up', 'self'].includes(state(list, n)));

before(async () => {
  root = tempDir('sg-cluster-');
  etcd = await startEtcd(3);
  s3 = await startS3();
  services = { etcd, s3 };
  certs = await makeCerts(root, ['node-a', 'node-b', 'node-c', 'node-d', 'node-e', 'node-f', 'node-g', 'node-h', 'node-i']);
});

after(async () => {
  for (const n of nodes) if (n.proc.exitCode === null && n.proc.signalCode === null) n.proc.kill('SIGKILL');
  etcd?.stop();
  s3?.stop();
  fs.rmSync(root, { recursive: true, force: true });
});

test('a clustered node without certificates refuses to start and says why', async () => {
  const port = await freePort();
  await assert.rejects(
    run(BIN, ['node', '--data-dir', tempDir('sg-nocert-'), '--http-port', String(port), '--etcd', etcd.endpoints[0]]),
    (err) => err.code === 2 && /needs --certs-dir/.test(err.stderr + err.stdout),
  );
  const half = tempDir('sg-halfcert-');
  fs.copyFileSync(path.join(certs['node-a'], 'ca.crt'), path.join(half, 'ca.crt'));
  await assert.rejects(
    run(BIN, ['node', '--data-dir', tempDir('sg-nocert-'), '--http-port', String(port), '--etcd', etcd.endpoints[0], '--certs-dir', half]),
    (err) => err.code === 2 && /node\.crt/.test(err.stderr + err.stdout),
  );
  await assert.rejects(
    run(BIN, ['node', '--data-dir', tempDir('sg-nomedia-'), '--http-port', String(port), '--etcd', etcd.endpoints[0],
      '--certs-dir', certs['node-a']]),
    (err) => err.code === 2 && /--media s3:\/\//.test(err.stderr + err.stdout),
  );
});

test('three nodes auto-join and each sees the others up; a fourth joins while requests run', async () => {
  for (const name of ['node-a', 'node-b', 'node-c']) nodes.push(await startMember(root, services, certs[name]));
  for (const n of nodes) await until(n, allUp(['node-a', 'node-b', 'node-c']), 10000, `all up at ${n.base}`);
  const list = await members(nodes[0]);
  const b = list.find((m) => m.name === 'node-b');
  assert.equal(b.address, `127.0.0.1:${nodes[1].clusterPort}`);
  assert.equal(b.http, nodes[1].base.replace('http://', ''));
  assert.ok(b.roles.includes('transcode'));
  // Every member's cache is on the ring every node builds.
  for (const n of nodes) {
    let ring = [];
    for (const started = Date.now(); Date.now() - started < 3000 && ring.length < 3;) {
      const view = await (await fetch(`${n.base}/api/v1/cluster`, { headers: { 'X-Admin-Token': 'admin-secret' } })).json();
      ring = [...view.ring.members].sort();
    }
    assert.deepEqual(ring, ['node-a', 'node-b', 'node-c']);
  }
  const ready = await (await fetch(`${nodes[0].base}/health/ready`)).json();
  assert.equal(ready.checks.etcd, true);
  assert.deepEqual([...ready.checks.members].sort(), ['node-a', 'node-b', 'node-c']);

  let failures = 0;
  let firstFailure = '';
  let stop = false;
  const traffic = (async () => {
    while (!stop) {
      for (const n of nodes.slice(0, 3)) {
        const r = await fetch(`${n.base}/api/v1/videos`).catch((e) => ({ status: String(e), text: async () => '' }));
        if (r.status !== 200) {
          failures += 1;
          firstFailure ||= `${n.base}: ${r.status} ${await r.text()}`;
        }
      }
      await new Promise((r) => setTimeout(r, 20));  // well under the api rate limit (100/s per IP)
    }
  })();
  const started = Date.now();
  nodes.push(await startMember(root, services, certs['node-d']));
  for (const n of nodes) await until(n, allUp(['node-a', 'node-b', 'node-c', 'node-d']), 10000, `d up at ${n.base}`);
  console.log(`# a fourth node was seen up by every member ${Date.now() - started} ms after its start began`);
  stop = true;
  await traffic;
  assert.equal(failures, 0, firstFailure);
});

test('a node without services of its own serves through the members that run them', async () => {
  const g = await startMember(root, services, certs['node-g'], { extra: ['--roles', 'gateway'] });
  nodes.push(g);
  await until(g, allUp(['node-a', 'node-b', 'node-c', 'node-g']), 10000, 'g sees the members');
  // The members' services reach g's directory once they are up.
  let listing;
  for (const started = Date.now(); Date.now() - started < 10000;) {
    listing = await fetch(`${g.base}/api/v1/videos`);
    if (listing.status === 200) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.equal(listing.status, 200);
  // Sign-in, an upload and its video, all through g: auth, uploads and the
  // stores run on the member with the smallest id (node-a).
  const { token } = await signIn(g.base);
  const auth = { Authorization: `Bearer ${token}`, 'Tus-Resumable': '1.0.0' };
  const created = await fetch(`${g.base}/api/v1/uploads`, {
    method: 'POST',
    headers: { ...auth, 'Upload-Length': '11', 'Upload-Metadata': `filename ${Buffer.from('x.mp4').toString('base64')}` },
  });
  assert.equal(created.status, 201, await created.text());
  const location = new URL(created.headers.get('location'), g.base).pathname;
  const patched = await fetch(`${g.base}${location}`, {
    method: 'PATCH',
    headers: { ...auth, 'Upload-Offset': '0', 'Content-Type': 'application/offset+octet-stream' },
    body: 'hello world',
  });
  assert.equal(patched.status, 204, await patched.text());
  assert.equal(patched.headers.get('upload-offset'), '11');
  const info = await (await fetch(`${g.base}${location}`, { headers: auth })).json();
  assert.equal(info.state, 'finished');
  const video = await fetch(`${g.base}/api/v1/videos/${info.video_id}`, { headers: auth });
  assert.equal(video.status, 200);
  const onA = await fetch(`${nodes[0].base}/api/v1/videos/${info.video_id}`, { headers: auth });
  assert.equal(onA.status, 200, 'the record lives on node-a, which served g');
  assert.equal(await stopNode(g), 0);
});

test("a tus upload's requests reach its node from any node; while that node is down 503, once it left 410", async () => {
  const h = await startMember(root, services, certs['node-h']);
  nodes.push(h);
  const members3 = [nodes[0], nodes[1], h];
  for (const n of members3) await until(n, allUp(['node-a', 'node-b', 'node-h']), 10000, 'h up');
  const { token } = await signIn(h.base);
  const auth = { Authorization: `Bearer ${token}`, 'Tus-Resumable': '1.0.0' };
  const body = Buffer.from('0123456789abcdefghij');
  const created = await fetch(`${h.base}/api/v1/uploads`, {
    method: 'POST', headers: { ...auth, 'Upload-Length': String(body.length) },
  });
  assert.equal(created.status, 201);
  const path = new URL(created.headers.get('location'), h.base).pathname;
  // Each PATCH and HEAD to another node: they reach h's session over CAF.
  const patch = async (node, offset, bytes) => fetch(`${node.base}${path}`, {
    method: 'PATCH',
    headers: { ...auth, 'Upload-Offset': String(offset), 'Content-Type': 'application/offset+octet-stream' },
    body: bytes,
  });
  let r = await patch(nodes[0], 0, body.subarray(0, 7));
  assert.equal(r.status, 204, await r.text());
  r = await fetch(`${nodes[1].base}${path}`, { method: 'HEAD', headers: auth });
  assert.equal(r.headers.get('upload-offset'), '7');
  r = await patch(nodes[1], 7, body.subarray(7, 14));
  assert.equal(r.status, 204);
  // A second upload stays unfinished while h is paused, then h is gone.
  const second = await fetch(`${h.base}/api/v1/uploads`, { method: 'POST', headers: { ...auth, 'Upload-Length': '4' } });
  const secondPath = new URL(second.headers.get('location'), h.base).pathname;
  r = await patch(nodes[0], 14, body.subarray(14));
  assert.equal(r.status, 204);
  const info = await (await fetch(`${nodes[1].base}${path}`, { headers: auth })).json();
  assert.equal(info.state, 'finished');
  assert.equal((await fetch(`${h.base}/api/v1/videos/${info.video_id}`, { headers: auth })).status, 200);

  h.proc.kill('SIGSTOP');
  try {
    await until(nodes[0], (l) => state(l, 'node-h') !== 'up', 5000, 'h not up');
    r = await fetch(`${nodes[0].base}${secondPath}`, { method: 'HEAD', headers: auth });
    assert.equal(r.status, 503);
    assert.equal(r.headers.get('retry-after'), '5');
    await until(nodes[0], (l) => state(l, 'node-h') === undefined, 8000, 'h counted out');
    r = await fetch(`${nodes[0].base}${secondPath}`, { method: 'HEAD', headers: auth });
    assert.equal(r.status, 410);
  } finally {
    const exited = new Promise((resolve) => h.proc.once('exit', resolve));
    h.proc.kill('SIGKILL');
    await exited;
  }
});

const MiB = 1024 * 1024;
const octets = { 'Content-Type': 'application/offset+octet-stream' };
const tusAs = (session) => ({ Authorization: `Bearer ${session.token}`, 'Tus-Resumable': '1.0.0' });

// An upload of `length` bytes created on `node` for `session`; its path.
async function createUpload(node, session, length) {
  const created = await fetch(`${node.base}/api/v1/uploads`, {
    method: 'POST', headers: { ...tusAs(session), 'Upload-Length': String(length) },
  });
  assert.equal(created.status, 201);
  return new URL(created.headers.get('location'), node.base).pathname;
}

// A PATCH through a relay in two parts: `first` bytes, then, once `between`
// resolves, the rest; its status, or 'dropped' when `drop` cuts the
// connection instead.
function patchInParts(node, path, headers, body, first, between, drop = false) {
  return new Promise((resolve, reject) => {
    const req = http.request(`${node.base}${path}`, {
      method: 'PATCH', headers: { ...headers, 'Content-Length': String(body.length) },
    }, (res) => { res.resume(); resolve(res.statusCode); });
    req.on('error', (e) => (drop ? resolve('dropped') : reject(e)));
    req.on('close', () => drop && resolve('dropped'));
    req.write(body.subarray(0, first));
    between.then(() => (drop ? req.destroy() : req.end(body.subarray(first))));
  });
}

test("tus refusals through another node are the owner's: wrong owner, offset, checksum, length, a PATCH racing another, a body cut short", async () => {
  const [owner, relay, other] = nodes;
  const alice = await signIn(owner.base);
  const mallory = await signIn(relay.base, OTHER_KEY);
  const body = crypto.randomBytes(6 * MiB);
  const path = await createUpload(owner, alice, body.length);
  const offsetAt = async (node) => {
    const r = await fetch(`${node.base}${path}`, { method: 'HEAD', headers: tusAs(alice) });
    assert.equal(r.status, 200);
    return Number(r.headers.get('upload-offset'));
  };
  const refused = async (what, status, r) => {
    assert.equal(r.status, status, `${what}: ${r.status}`);
    assert.match(r.headers.get('content-type'), /application\/problem\+json/, what);
    const problem = await r.json();
    assert.equal(problem.status, status, what);
    return problem;
  };
  const patch = (node, session, offset, bytes, extra = {}) => fetch(`${node.base}${path}`, {
    method: 'PATCH', headers: { ...tusAs(session), ...octets, 'Upload-Offset': String(offset), ...extra }, body: bytes,
  });

  await refused("another wallet's PATCH", 403, await patch(relay, mallory, 0, body.subarray(0, 10)));
  await refused('a wrong offset', 409, await patch(relay, alice, 5, body.subarray(0, 10)));
  await refused('a malformed offset', 400, await patch(relay, alice, '99999999999999999999', body.subarray(0, 10)));
  const wrongSha1 = crypto.createHash('sha1').update('not the body').digest('base64');
  await refused('a checksum that does not match', 460,
    await patch(relay, alice, 0, body.subarray(0, 2 * MiB), { 'Upload-Checksum': `sha1 ${wrongSha1}` }));
  assert.equal(await offsetAt(relay), 0, 'nothing kept of a body that failed its checksum');
  assert.equal(await offsetAt(owner), 0);
  // Refusals by the headers alone carry small bodies: one left unread in the
  // socket would reset the connection under its answer.
  const smallPath = await createUpload(owner, alice, 10);
  await refused('a body past Upload-Length', 413, await fetch(`${relay.base}${smallPath}`, {
    method: 'PATCH', headers: { ...tusAs(alice), ...octets, 'Upload-Offset': '0' }, body: body.subarray(0, 11),
  }));

  // Two PATCHes at the same offset through two relays: the one holding the
  // upload succeeds, the other gets 409, and the offset counts one of them.
  let release;
  const held = new Promise((r) => { release = r; });
  const slow = patchInParts(relay, path, { ...tusAs(alice), ...octets, 'Upload-Offset': '0' }, body.subarray(0, 2 * MiB), MiB + 17, held);
  await new Promise((r) => setTimeout(r, 500));
  const raced = await refused('a PATCH racing one in flight', 409, await patch(other, alice, 0, body.subarray(0, 10)));
  assert.match(raced.detail, /another PATCH/);
  release();
  assert.equal(await slow, 204);
  assert.equal(await offsetAt(other), 2 * MiB);

  // A client gone mid-body: tus keeps what arrived, unless a checksum was
  // promised; either way the next PATCH resumes at the offset HEAD names.
  let cut;
  const dropped = patchInParts(relay, path, { ...tusAs(alice), ...octets, 'Upload-Offset': String(2 * MiB) },
    body.subarray(2 * MiB, 5 * MiB), MiB + 5, new Promise((r) => { cut = r; }), true);
  await new Promise((r) => setTimeout(r, 500));
  cut();
  assert.equal(await dropped, 'dropped');
  // The rest through another node, from the offset HEAD names; the cut PATCH
  // may hold the upload, and commit what arrived, a moment longer. The
  // offset it resumed from.
  const resume = async (node, end) => {
    for (const deadline = Date.now() + 5000; ; await new Promise((r) => setTimeout(r, 100))) {
      const offset = await offsetAt(node);
      const r = await patch(node, alice, offset, body.subarray(offset, end));
      if (r.status === 204) return offset;
      const problem = await r.json();
      assert.ok(r.status === 409 && /another PATCH|Upload-Offset is/.test(problem.detail) && Date.now() < deadline,
        `resuming at ${offset}: ${r.status} ${problem.detail}`);
    }
  };
  const kept = await resume(other, 4 * MiB);
  assert.ok(kept >= 2 * MiB && kept <= 3 * MiB + 5, `kept ${kept}`);
  console.log(`# a PATCH cut short through a relay kept ${kept - 2 * MiB} of the ${MiB + 5} bytes sent`);
  const summed = patchInParts(relay, path, {
    ...tusAs(alice), ...octets, 'Upload-Offset': String(4 * MiB),
    'Upload-Checksum': `sha1 ${crypto.createHash('sha1').update(body.subarray(4 * MiB)).digest('base64')}`,
  }, body.subarray(4 * MiB), MiB + 5, new Promise((r) => { cut = r; }), true);
  await new Promise((r) => setTimeout(r, 500));
  cut();
  assert.equal(await summed, 'dropped');
  assert.equal(await resume(other, body.length), 4 * MiB, 'a cut PATCH with a checksum keeps nothing');
  const done = await (await fetch(`${relay.base}${path}`, { headers: tusAs(alice) })).json();
  assert.equal(done.state, 'finished');
  assert.equal(done.offset, body.length);
  for (const n of [owner, relay, other]) assert.equal((await fetch(`${n.base}/health/live`)).status, 200);
});

test('a PATCH whose relay dies mid-body (kill -9) frees the upload at once: the client resumes through another node', async () => {
  const [owner, other] = nodes;
  const relay = await startMember(root, services, certs['node-i']);
  nodes.push(relay);
  for (const n of [owner, other, relay]) await until(n, allUp(['node-a', 'node-b', 'node-i']), 10000, 'i up');
  const alice = await signIn(owner.base);
  const tus = tusAs(alice);
  const body = crypto.randomBytes(3 * MiB);
  const path = await createUpload(owner, alice, body.length);
  const held = patchInParts(relay, path, { ...tus, ...octets, 'Upload-Offset': '0' }, body, MiB + 5, new Promise(() => {}), true);
  await new Promise((r) => setTimeout(r, 500));
  const exited = new Promise((resolve) => relay.proc.once('exit', resolve));
  relay.proc.kill('SIGKILL');
  await exited;
  const killedAt = Date.now();
  assert.equal(await held, 'dropped');
  // Nothing the dead relay sent was acknowledged, so nothing of it is kept;
  // the upload is free again once the owner sees the relay gone (well
  // before a silent PATCH's 2-minute timeout).
  let r;
  do {
    await new Promise((res) => setTimeout(res, 100));
    r = await fetch(`${other.base}${path}`, { method: 'PATCH', headers: { ...tus, ...octets, 'Upload-Offset': '0' }, body });
  } while (r.status === 409 && Date.now() - killedAt < 10000);
  assert.equal(r.status, 204, await r.text());
  console.log(`# the upload was free again ${Date.now() - killedAt} ms after its relay was killed`);
  await until(owner, (l) => state(l, 'node-i') === undefined, 8000, 'i counted out');
  for (const n of [owner, other]) assert.equal((await fetch(`${n.base}/health/live`)).status, 200);
});

test('a session minted on one node is good on every node (the JWT key is a cluster setting)', async () => {
  const { token, address } = await signIn(nodes[0].base);
  for (const n of nodes.filter((m) => m.proc.exitCode === null && m.proc.signalCode === null)) {
    const r = await fetch(`${n.base}/api/v1/auth/me`, { headers: { Authorization: `Bearer ${token}` } });
    assert.equal(r.status, 200, n.base);
    assert.equal((await r.json()).address.toLowerCase(), address.toLowerCase());
  }
});

test("any node answers for another member's recent log lines, or for all of them", async () => {
  const logs = async (query) => {
    const r = await fetch(`${nodes[0].base}/api/v1/admin/logs${query}`, { headers: { 'X-Admin-Token': 'admin-secret' } });
    const body = await r.json();
    assert.equal(r.status, 200, JSON.stringify(body));
    return body.lines;
  };
  const ofB = await logs('?node=node-b&component=node');
  assert.ok(ofB.length > 0 && ofB.every((l) => l.node === 'node-b' && l.component === 'node'));
  assert.ok(ofB.some((l) => l.msg === 'ready'));
  // node=all asks the members up in node-a's view at that moment.
  const everywhere = await logs('?node=all&component=cluster&limit=10000');
  for (const name of ['node-a', 'node-b', 'node-c']) assert.ok(everywhere.some((l) => l.node === name), name);
  const times = everywhere.map((l) => l.ts);
  assert.deepEqual(times, [...times].sort(), 'merged in time order');
  const unknown = await fetch(`${nodes[0].base}/api/v1/admin/logs?node=node-zz`, { headers: { 'X-Admin-Token': 'admin-secret' } });
  assert.equal(unknown.status, 404);
});

test('a cluster-scope schedule runs once per period in the cluster; a node-scope one on each node', async () => {
  const admin = { headers: { 'X-Admin-Token': 'admin-secret' } };
  const schedulesOf = async (n) => (await (await fetch(`${n.base}/api/v1/admin/schedules`, admin)).json()).schedules;
  const ids = Object.fromEntries((await members(nodes[0])).map((m) => [m.name, m.id]));
  const seen = await Promise.all(nodes.slice(0, 3).map(schedulesOf));
  const sweeps = seen.map((list) => list.find((s) => s.name === 'auth.sweep'));
  assert.ok(sweeps.every((s) => s.last_run === sweeps[0].last_run && s.last_node === sweeps[0].last_node), JSON.stringify(sweeps));
  assert.ok(Object.values(ids).includes(sweeps[0].last_node), sweeps[0].last_node);
  ['node-a', 'node-b', 'node-c'].forEach((name, i) =>
    assert.equal(seen[i].find((s) => s.name === 'uploads.sweep').last_node, ids[name], name));
  // Every member tried at start; the log of every member shows one run per period.
  const lines = await (await fetch(`${nodes[0].base}/api/v1/admin/logs?node=all&component=jobs&limit=10000`, admin)).json();
  const runs = lines.lines.filter((l) => l.msg === 'scheduled job ran' && l.schedule === 'auth.sweep').map((l) => Date.parse(l.ts));
  assert.ok(runs.length >= 1);
  for (let i = 1; i < runs.length; i++) assert.ok(runs[i] - runs[i - 1] >= 59000, `runs ${runs.map((r) => new Date(r).toISOString())}`);
  // Run now through node-b: its record, as node-c reads it.
  const ran = await (await fetch(`${nodes[1].base}/api/v1/admin/schedules/auth.sweep/run`, { ...admin, method: 'POST' })).json();
  assert.equal(ran.last_node, ids['node-b']);
  for (let i = 0; i < 50; i++) {
    if ((await schedulesOf(nodes[2])).find((s) => s.name === 'auth.sweep').last_run === ran.last_run) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.fail('node-c never read the run made through node-b');
});

test('the admin shell reaches a member over mutual TLS with a client certificate, and only with one', async () => {
  const dir = certs['node-a'];
  await run(BIN, ['certs', 'create-client', 'ops', '--certs-dir', dir, '--ca-key', path.join(root, 'ca.key')]);
  const shell = (args) => run(BIN, ['shell', '--connect', `127.0.0.1:${nodes[1].clusterPort}`, ...args], { timeout: 20000 })
    .then((r) => ({ code: 0, ...r }), (e) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }));
  // What a shell shows of the members is this member's view at that moment.
  // A shell that exits drops its TLS connection without a close; that once
  // made members drop their links to each other (docs/research/cluster-flap.md),
  // so each command is asked once.
  const ask = async (cmds) => {
    const r = await shell(['--certs-dir', dir, '--client', 'ops', '--json', '-c', cmds]);
    assert.equal(r.code, 0, r.stderr);
    return r.stdout.trim().split('\n').map((l) => JSON.parse(l));
  };
  const up = (members, name) => members.some((m) => m.name === name && ['up', 'self'].includes(m.state));
  const [nodesSeen, alerts, schedules] = await ask('nodes; alerts; schedules');
  assert.equal(nodesSeen.clustered, true);
  for (const name of ['node-a', 'node-b', 'node-c'])
    assert.ok(up(nodesSeen.members, name), name);
  assert.ok(Array.isArray(alerts));
  assert.ok(schedules.some((x) => x.name === 'auth.sweep'));
  // Another member's log, through the member it connected to.
  const ofC = await shell(['--certs-dir', dir, '--client', 'ops', '--json', '-c', 'logs --node node-c --component node']);
  assert.equal(ofC.code, 0, ofC.stderr);
  const lines = JSON.parse(ofC.stdout);
  assert.ok(lines.some((l) => l.msg === 'ready') && lines.every((l) => l.component === 'node'), ofC.stdout.slice(0, 300));
  // Every member's transcode pool.
  const [pools] = await ask('pool transcode --all');
  const answered = pools.filter((p) => !p.error);
  assert.ok(answered.length >= 2 && answered.every((p) => p.max === 1), JSON.stringify(pools));
  // Another member's actors; its pool resized at once.
  const cmds = 'actors node-c; pool transcode --node node-c min 0 max 2; pool transcode --node node-c';
  const inside = await shell(['--certs-dir', dir, '--client', 'ops', '--json', '-c', cmds]);
  assert.equal(inside.code, 0, inside.stderr);
  const [actorsOfC, resized, after] = inside.stdout.trim().split('\n').map((l) => JSON.parse(l));
  assert.ok(actorsOfC.some((a) => a.actor === 'cluster' && a.handled > 0), JSON.stringify(actorsOfC));
  assert.ok(answered.some((p) => p.node === ''), 'this member is in --all');
  assert.equal(resized.max, 2);
  assert.equal(after.max, 2);
  const transcoding = nodesSeen.members.filter((m) => ['up', 'self'].includes(m.state) && m.roles.includes('transcode'));
  assert.ok(transcoding.length >= 3 && transcoding.filter((m) => m.load?.max === 1).length >= 2
    && transcoding.find((m) => m.state === 'self').load.max === 1, JSON.stringify(nodesSeen.members));
  // Settings, its own and another member's, the secrets redacted.
  const settings = await shell(['--certs-dir', dir, '--client', 'ops', '--json', '-c', 'config; config node-c']);
  assert.equal(settings.code, 0, settings.stderr);
  const [own, ofNodeC] = settings.stdout.trim().split('\n').map((l) => JSON.parse(l).config);
  for (const toml of [own, ofNodeC]) {
    assert.match(toml, /^admin-token="\(redacted\)"$/m);
    assert.doesNotMatch(toml, /admin-secret/);
    assert.match(toml, /^etcd=/m);
  }
  const nobody = await shell(['--certs-dir', dir, '--client', 'ops', '-c', 'logs --node node-zz']);
  assert.equal(nobody.code, 1);
  assert.match(nobody.stderr, /no member is named/);
  // Without TLS, or with a certificate of another CA, nothing answers.
  const plain = await shell(['-c', 'alerts']);
  assert.equal(plain.code, 1);
  const foreignRoot = tempDir('sg-foreign-shell-');
  const foreign = await makeCerts(foreignRoot, ['node-x']);
  const refused = await shell(['--certs-dir', foreign['node-x'], '-c', 'alerts']);
  assert.equal(refused.code, 1);
  fs.rmSync(foreignRoot, { recursive: true, force: true });
});

test('a node killed with -9 leaves the member table within its lease', async () => {
  const d = nodes[3];
  await new Promise((r) => setTimeout(r, 2500));  // an evaluation after node-h was killed
  const downBefore = (await alertsOf(nodes[0])).find((a) => a.name === 'node_down')?.value ?? 0;
  const killedAt = new Date().toISOString();
  d.proc.kill('SIGKILL');
  const ms = await until(nodes[0], (l) => state(l, 'node-d') === undefined, 6000, 'd gone');
  console.log(`# kill -9: gone from the member table after ${ms} ms (lease TTL 2 s)`);
  await until(nodes[1], (l) => state(l, 'node-d') === undefined, 2000, 'd gone at b');
  // The survivors kept their own connections: a dead peer's TLS error once
  // closed them too (docs/research/cluster-flap.md).
  const r = await fetch(`${nodes[0].base}/api/v1/admin/logs?node=all&component=cluster&limit=10000`,
    { headers: { 'X-Admin-Token': 'admin-secret' } });
  assert.equal(r.status, 200);
  const broke = (await r.json()).lines.filter((l) => l.ts >= killedAt && l.reason === 'its connection broke');
  assert.deepEqual(broke.filter((l) => l.name !== 'node-d'), [], 'a survivor lost its link to another');
  // Lost, not left: the node_down alert fires on the others.
  downCount = downBefore + 1;
  await alertUntil(nodes[0], 'node_down', (a) => a?.state === 'firing' && a.value === downCount);
});

test('a paused node is unreachable at once, counted out with its lease, and rejoins on SIGCONT', async () => {
  const c = nodes[2];
  c.proc.kill('SIGSTOP');
  try {
    const hint = await until(nodes[0], (l) => state(l, 'node-c') !== 'up', 5000, 'c not up');
    const gone = await until(nodes[0], (l) => state(l, 'node-c') === undefined, 8000, 'c gone');
    console.log(`# SIGSTOP: not up after ${hint} ms, out of the table ${gone} ms later`);
  } finally {
    c.proc.kill('SIGCONT');
  }
  const back = await until(nodes[0], allUp(['node-c']), 10000, 'c back');
  console.log(`# SIGCONT: up again after ${back} ms`);
  await until(c, allUp(['node-a', 'node-b', 'node-c']), 10000, 'c sees the others again');
});

test('members that are not who they claim, or not of this cluster, are never up', async () => {
  const prefix = '/streamgate/streamgate/members/';
  const record = (id, name, address, cluster = 'streamgate') =>
    JSON.stringify({ id, name, cluster, address, http: '', roles: [], started_ms: 0 });
  // Another CA's certificate at the address.
  const foreignRoot = tempDir('sg-foreign-');
  const foreign = await makeCerts(foreignRoot, ['node-x']);
  const intruder = await startMember(foreignRoot, services, foreign['node-x'], { name: 'elsewhere' });
  nodes.push(intruder);
  await etcd.put(`${prefix}x-1`, record('x-1', 'node-x', `127.0.0.1:${intruder.clusterPort}`));
  // A record naming node-z at node-b's address.
  await etcd.put(`${prefix}e-1`, record('e-1', 'node-z', `127.0.0.1:${nodes[1].clusterPort}`));
  // A plaintext server (a node's HTTP port) as the transport.
  await etcd.put(`${prefix}p-1`, record('p-1', 'node-p', nodes[1].base.replace('http://', '')));
  // A member of another cluster.
  await etcd.put(`${prefix}o-1`, record('o-1', 'node-b', `127.0.0.1:${nodes[1].clusterPort}`, 'other'));
  const settled = (l) => ['x-1', 'e-1', 'p-1', 'o-1'].every((id) => l.find((m) => m.id === id)?.state === 'refused');
  await until(nodes[0], settled, 10000, 'impostors refused');
  const list = await members(nodes[0]);
  const why = (id) => list.find((m) => m.id === id).reason;
  assert.match(why('x-1'), /not from our CA|handshake/);
  assert.match(why('e-1'), /is 'node-b', not 'node-z'/);
  assert.match(why('p-1'), /handshake|not from our CA/);
  assert.match(why('o-1'), /cluster 'other'/);
  // The intruder's own cluster ("elsewhere") never lists ours.
  const theirs = await members(intruder);
  assert.deepEqual(theirs.map((m) => m.name), ['node-x']);
  fs.rmSync(foreignRoot, { recursive: true, force: true });
});

// Retries while etcd elects a new leader (its writes answer 503 meanwhile).
async function soon(what, attempt, ms = 10000) {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      return await attempt();
    } catch (e) {
      if (Date.now() > deadline) throw new Error(`${what}: ${e.message}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

test("losing etcd's leader keeps the members up, sign-in and uploads working, and lets a node join", async () => {
  const leader = await etcd.leaderIndex();
  assert.ok(leader >= 0);
  etcd.procs[leader].kill('SIGKILL');
  // Sign-in (its challenge is a record in etcd) on one node, an upload
  // (records again) through another, its video read on a third.
  const { token } = await soon('sign-in', () => signIn(nodes[1].base));
  const auth = { Authorization: `Bearer ${token}`, 'Tus-Resumable': '1.0.0' };
  const location = await soon('create an upload', async () => {
    const created = await fetch(`${nodes[2].base}/api/v1/uploads`, {
      method: 'POST',
      headers: { ...auth, 'Upload-Length': '5', 'Upload-Metadata': `filename ${Buffer.from('y.mp4').toString('base64')}` },
    });
    if (created.status !== 201) throw new Error(`POST ${created.status}`);
    return new URL(created.headers.get('location'), nodes[2].base).pathname;
  });
  const patched = await fetch(`${nodes[2].base}${location}`, {
    method: 'PATCH',
    headers: { ...auth, 'Upload-Offset': '0', 'Content-Type': 'application/offset+octet-stream' },
    body: 'bytes',
  });
  assert.equal(patched.status, 204, await patched.text());
  const info = await (await fetch(`${nodes[2].base}${location}`, { headers: auth })).json();
  assert.equal(info.state, 'finished');
  await soon('the video on node-a', async () => {
    const r = await fetch(`${nodes[0].base}/api/v1/videos/${info.video_id}`, { headers: auth });
    if (r.status !== 200) throw new Error(`GET ${r.status}`);
  });
  const e = await startMember(root, services, certs['node-e']);
  nodes.push(e);
  await until(nodes[0], allUp(['node-a', 'node-b', 'node-c', 'node-e']), 15000, 'e up without the old leader');
  await new Promise((r) => setTimeout(r, 3000));  // longer than a lease: keepalives went on
  const list = await members(nodes[1]);
  for (const n of ['node-a', 'node-b', 'node-c', 'node-e']) assert.ok(['up', 'self'].includes(state(list, n)), n);
});

test('a node stopped with SIGTERM leaves at once', async () => {
  const e = nodes[nodes.length - 1];
  const started = Date.now();
  const code = await stopNode(e);
  assert.equal(code, 0);
  const ms = await until(nodes[0], (l) => state(l, 'node-e') === undefined, 1500, 'e gone');
  console.log(`# SIGTERM: gone ${Date.now() - started} ms after the signal (poll ${ms} ms after exit)`);
  // It said it was leaving: it does not count as down (nor does node-c, back).
  await new Promise((r) => setTimeout(r, 2500));  // an evaluation later
  assert.equal((await alertsOf(nodes[0])).find((a) => a.name === 'node_down')?.value, downCount);
  for (const n of nodes.slice(0, 3)) assert.equal(await stopNode(n), 0);
});

test('with etcd silent the etcd_unreachable alert fires, and resolves once etcd answers', async () => {
  const f = await startMember(root, services, certs['node-f'], { extra: ['--alert', 'etcd_unreachable=1'] });
  nodes.push(f);
  for (const p of etcd.procs) p.kill('SIGSTOP');
  try {
    const a = await alertUntil(f, 'etcd_unreachable', (x) => x?.state === 'firing');
    assert.ok(a.value >= 1, JSON.stringify(a));
  } finally {
    for (const p of etcd.procs) p.kill('SIGCONT');
  }
  await alertUntil(f, 'etcd_unreachable', (x) => x?.state === 'resolved');
  assert.equal(await stopNode(f), 0);
});
