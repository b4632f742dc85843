// One video through a cluster: signed in on node A, uploaded with PATCHes
// spread over A, B and C, transcoded, then played through node C in
// Chromium (hls.js) from media in S3; found by search on every node; edited
// and deleted through another node; filed under a category and watched
// through all three. A node restarted resumes its records from its
// revision; a wiped one copies them again.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import fs from 'node:fs';
import http from 'node:http';
import crypto from 'node:crypto';
import path from 'node:path';
import { makeClip, stopNode, tempDir } from '../e2e/harness.mjs';
import { signIn } from '../e2e/sign_in.mjs';
import { launchBrowser, playIn } from '../e2e/browser.mjs';
import { makeCerts, startEtcd, startMember, startS3, state, until } from './cluster_harness.mjs';

const run = promisify(execFile);
let services;
let root;
let certs;
let browser;
let auth;
const nodes = {};
let clip;
let hook;
let hookSecret;
const received = [];

const names = ['node-a', 'node-b', 'node-c'];
const allUp = (list) => names.every((n) => ['up', 'self'].includes(state(list, n)));

before(async () => {
  root = tempDir('sg-cluster-media-');
  services = { etcd: await startEtcd(3), s3: await startS3() };
  certs = await makeCerts(root, names);
  for (const name of names) nodes[name] = await startMember(root, services, certs[name]);
  for (const name of names) await until(nodes[name], allUp, 10000, `${name} sees all`);
  auth = { Authorization: `Bearer ${(await signIn(nodes['node-a'].base)).token}` };
  clip = await makeClip(path.join(root, 'clip.mp4'), { seconds: 6, bitrate: '2M' });
  browser = await launchBrowser();
  // A webhook made through node-b hears of work done on any member.
  hook = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => { body += d; });
    req.on('end', () => { received.push({ headers: req.headers, body }); res.writeHead(200).end(); });
  });
  await new Promise((r) => hook.listen(0, '127.0.0.1', r));
  const made = await fetch(`${nodes['node-b'].base}/api/v1/webhooks`, {
    method: 'POST', headers: { ...auth, 'Content-Type': 'application/json' },
    body: JSON.stringify({ url: `http://127.0.0.1:${hook.address().port}/`, events: ['upload.completed', 'video.ready'] }),
  });
  assert.equal(made.status, 201, await made.clone().text());
  hookSecret = (await made.json()).secret;
});

after(async () => {
  hook?.close();
  await browser?.close();
  for (const n of Object.values(nodes)) if (n.proc.exitCode === null && n.proc.signalCode === null) n.proc.kill('SIGKILL');
  services?.etcd.stop();
  services?.s3.stop();
  fs.rmSync(root, { recursive: true, force: true });
});

const api = (node, p, init = {}) => fetch(`${nodes[node].base}${p}`, { ...init, headers: { ...auth, ...init.headers } });

async function eventually(what, check, ms = 15000) {
  const deadline = Date.now() + ms;
  let last;
  while (Date.now() < deadline) {
    last = await check();
    if (last === true) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what}: not within ${ms} ms (${JSON.stringify(last)})`);
}

// A tus upload created on A whose PATCHes go to A, B and C in turn.
async function uploadAcross(file, title) {
  const bytes = fs.readFileSync(file);
  const tusAuth = { ...auth, 'Tus-Resumable': '1.0.0' };
  const created = await api('node-a', '/api/v1/uploads', {
    method: 'POST',
    headers: {
      ...tusAuth,
      'Upload-Length': String(bytes.length),
      'Upload-Metadata': `filename ${Buffer.from('clip.mp4').toString('base64')},title ${Buffer.from(title).toString('base64')}`,
    },
  });
  assert.equal(created.status, 201, await created.text());
  const where = new URL(created.headers.get('location'), nodes['node-a'].base).pathname;
  const chunk = Math.ceil(bytes.length / 3);
  for (let i = 0, offset = 0; offset < bytes.length; i += 1, offset += chunk) {
    const r = await api(names[i % 3], where, {
      method: 'PATCH',
      headers: { ...tusAuth, 'Upload-Offset': String(offset), 'Content-Type': 'application/offset+octet-stream' },
      body: bytes.subarray(offset, offset + chunk),
    });
    assert.equal(r.status, 204, `PATCH ${i} via ${names[i % 3]}: ${await r.text()}`);
  }
  const info = await (await api('node-b', where, { headers: tusAuth })).json();
  assert.equal(info.state, 'finished');
  return info.video_id;
}

async function video(node, id) {
  const r = await api(node, `/api/v1/videos/${id}`);
  return r.status === 200 ? r.json() : { status: r.status };
}

let videoId;

test('an upload spread over three nodes transcodes and plays through another node from S3', async () => {
  videoId = await uploadAcross(clip, 'Lighthouse keeper');
  await eventually('ready on node-c', async () => {
    const v = await video('node-c', videoId);
    if (v.status === 'failed') throw new Error(`transcode failed: ${v.error}`);
    return v.status === 'ready' || v.status;
  }, 120000);
  const objects = services.s3.objects(`videos/${videoId}/`);
  assert.ok(objects.includes(`videos/${videoId}/source`), objects.join(' '));
  assert.ok(objects.some((k) => k.endsWith('.m3u8')), objects.join(' '));
  assert.ok(objects.some((k) => k.endsWith('.m4s')), objects.join(' '));
  // node-c plays what node-a transcoded: its segments come from S3.
  const playback = await (await api('node-c', `/api/v1/videos/${videoId}/playback`)).json();
  const hls = new URL(playback.hls, nodes['node-c'].base).href;
  const played = await playIn(browser, nodes['node-c'].base, 'hls', hls);
  assert.deepEqual(played.errors, []);
  assert.ok(played.time > 3, `played to ${played.time}`);
  const cached = path.join(nodes['node-c'].dataDir, 'media', videoId);
  assert.ok(fs.existsSync(cached) && fs.readdirSync(cached).length > 0, 'node-c keeps a local copy of what it served');
  // Playback needs no etcd write: losing etcd's leader does not stop it.
  services.etcd.procs[await services.etcd.leaderIndex()].kill('SIGKILL');
  const viaB = await (await api('node-b', `/api/v1/videos/${videoId}/playback`)).json();
  const { stdout } = await run('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0',
    new URL(viaB.hls, nodes['node-b'].base).href]);
  assert.ok(Math.abs(Number(stdout.trim()) - 6) < 1, `duration ${stdout}`);
  // The webhook got each event once, signed, whichever member did the work.
  await eventually('both events delivered', async () => received.length >= 2 || received.length);
  await new Promise((r) => setTimeout(r, 2000));  // no second copy follows
  const types = received.map((g) => JSON.parse(g.body)).filter((b) => b.data.video_id === videoId).map((b) => b.type);
  assert.deepEqual(types.sort(), ['upload.completed', 'video.ready']);
  for (const g of received) {
    const [, t, v1] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(g.headers['streamgate-signature']);
    assert.equal(v1, crypto.createHmac('sha256', hookSecret).update(`${t}.${g.body}`).digest('hex'));
  }
  const listed = await (await api('node-c', '/api/v1/webhooks')).json();
  assert.equal(listed.webhooks.length, 1, 'the webhook is a cluster record');
});

test('a re-run replaces the renditions; members drop their copies of the old ones', async () => {
  const cachedSegment = () => {
    const dir = path.join(nodes['node-c'].dataDir, 'media', videoId);
    const walk = (d) => fs.readdirSync(d, { withFileTypes: true })
      .flatMap((e) => (e.isDirectory() ? walk(path.join(d, e.name)) : [path.join(d, e.name)]));
    return fs.existsSync(dir) ? walk(dir).filter((f) => f.endsWith('.m4s')) : [];
  };
  const before = cachedSegment();
  assert.ok(before.length > 0, 'node-c holds copies from playing it');
  const rerun = await api('node-a', `/api/v1/videos/${videoId}/job`, { method: 'POST' });
  const queued = await rerun.text();
  assert.equal(rerun.status, 202, queued);
  const jobId = JSON.parse(queued).id;
  await eventually('the re-run done, seen on node-c', async () => {
    const j = await (await api('node-c', `/api/v1/videos/${videoId}/job`)).json();
    return (j.id === jobId && j.state === 'succeeded' && (await video('node-c', videoId)).status === 'ready') || j;
  }, 120000);
  await eventually('node-c dropped its old copies', async () => before.every((f) => !fs.existsSync(f)));
  const playback = await (await api('node-c', `/api/v1/videos/${videoId}/playback`)).json();
  const { stdout } = await run('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0',
    new URL(playback.hls, nodes['node-c'].base).href]);
  assert.ok(Math.abs(Number(stdout.trim()) - 6) < 1, `duration ${stdout}`);
});

test('search finds the video on every node, and an edit through one is seen by all', async () => {
  for (const node of names) {
    const found = await (await api(node, '/api/v1/videos?q=lighthouse')).json();
    assert.deepEqual(found.items.map((v) => v.id), [videoId], node);
  }
  const edited = await api('node-b', `/api/v1/videos/${videoId}`, {
    method: 'PATCH',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ title: 'Harbour pilot' }),
  });
  assert.equal(edited.status, 200, await edited.text());
  // Read-your-write on node-b at once; the others follow within moments.
  assert.equal((await video('node-b', videoId)).title, 'Harbour pilot');
  for (const node of names) {
    await eventually(`${node} finds the new title`, async () => {
      const found = await (await api(node, '/api/v1/videos?q=harbour')).json();
      return found.items.length === 1 || found.items;
    });
  }
});

test('the catalogue and the playback figures are the cluster\'s: made on one node, seen and summed on all', async () => {
  const made = await fetch(`${nodes['node-a'].base}/api/v1/categories`, {
    method: 'POST', headers: { 'X-Admin-Token': 'admin-secret', 'Content-Type': 'application/json' },
    body: JSON.stringify({ name: 'Harbours' }),
  });
  assert.equal(made.status, 201, await made.clone().text());
  const filed = await api('node-b', `/api/v1/videos/${videoId}`, {
    method: 'PATCH', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ category: 'harbours' }),
  });
  assert.equal(filed.status, 200, await filed.clone().text());
  for (const node of names)
    await eventually(`${node} lists the category's video`, async () => {
      const page = await (await api(node, '/api/v1/videos?category=harbours')).json();
      return (page.items.length === 1 && page.items[0].id === videoId) || page.items;
    });
  // Each node folds its own viewers; their shares meet in the same rows.
  for (const [i, node] of names.entries()) {
    const view = `view-${i}-000000`;
    const r = await fetch(`${nodes[node].base}/api/v1/analytics/events`, {
      method: 'POST', headers: { 'Content-Type': 'application/json', 'User-Agent': `viewer-${i}` },
      body: JSON.stringify([{ video_id: videoId, view_id: view, type: 'start', position_ms: 0, startup_ms: 300 },
        { video_id: videoId, view_id: view, type: 'heartbeat', position_ms: 1000, watched_ms: 1000 }]),
    });
    assert.equal(r.status, 202, node);
  }
  await eventually('the three nodes\' views are summed', async () => {
    const f = await (await api('node-c', `/api/v1/videos/${videoId}/analytics?window=24h`)).json();
    // Unique viewers: a HyperLogLog estimate (two hashes may share a register).
    return (f.plays === 3 && f.unique_viewers >= 2 && f.unique_viewers <= 3 && f.watch_time_ms === 3000) || f;
  }, 20000);
});

test('a restarted node resumes its records from its revision; a wiped one copies them', async () => {
  const b = nodes['node-b'];
  assert.equal(await stopNode(b), 0);
  const renamed = await api('node-a', `/api/v1/videos/${videoId}`, {
    method: 'PATCH',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ title: 'Renamed while node-b was away' }),
  });
  assert.equal(renamed.status, 200);
  nodes['node-b'] = await startMember(root, services, certs['node-b'], { dataDir: b.dataDir });
  assert.match(nodes['node-b'].log(), /records follow etcd/);
  assert.doesNotMatch(nodes['node-b'].log(), /local index copied/, 'it resumed, it did not copy');
  await eventually('node-b has the change it missed', async () => (await video('node-b', videoId)).title === 'Renamed while node-b was away');
  assert.equal(await stopNode(nodes['node-b']), 0);
  fs.rmSync(b.dataDir, { recursive: true, force: true });
  nodes['node-b'] = await startMember(root, services, certs['node-b'], { dataDir: b.dataDir });
  assert.match(nodes['node-b'].log(), /local index copied from etcd/);
  assert.equal((await video('node-b', videoId)).title, 'Renamed while node-b was away');
  const found = await (await api('node-b', '/api/v1/videos?q=renamed')).json();
  assert.deepEqual(found.items.map((v) => v.id), [videoId]);
});

test('a delete through one node removes the video everywhere and its objects in S3', async () => {
  const r = await api('node-c', `/api/v1/videos/${videoId}`, { method: 'DELETE' });
  assert.equal(r.status, 204, await r.text());
  for (const node of names) await eventually(`${node} forgets it`, async () => (await video(node, videoId)).status === 404);
  await eventually('its objects are gone', async () => services.s3.objects(`videos/${videoId}/`).length === 0 || services.s3.objects(`videos/${videoId}/`));
});
