// Playback analytics through the public API of a real node: players report
// views (anonymous and signed in, one event or a batch), the owner reads the
// video's figures and their top videos, nobody else does; bad reports get
// 4xx problems and the node stays up; the figures survive a restart,
// including events sent just before the node stopped.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { freePort, makeClip, startNode, stopNode, tempDir } from './harness.mjs';
import { signIn } from './sign_in.mjs';

const work = tempDir('sg-e2e-analytics-');
const OTHER_KEY = '0x8f2a55949038a9610f50fb23b5883af3b4ecb3c3bb792cbcefbd1542c692be63';
let node;
let port;
let owner;
let other;
let videoId;
let duration;

const start = async () => {
  node = await startNode({
    dataDir: path.join(work, 'data'), port,
    args: ['--ladder', '240', '--transcode-workers-max', '1', '--rate-limit', 'auth=0/1'],
  });
};
const api = (p, who = {}, init = {}) => fetch(`${node.base}${p}`, {
  ...init, headers: { 'Content-Type': 'application/json', ...who, ...init.headers },
});
const report = async (events, headers = {}) => {
  const r = await api('/api/v1/analytics/events', headers, { method: 'POST', body: JSON.stringify(events) });
  return { status: r.status, body: await r.json() };
};
const figures = async (who, query = '') => {
  const r = await api(`/api/v1/videos/${videoId}/analytics${query}`, who);
  return { status: r.status, body: await r.json() };
};
const ev = (fields) => ({ video_id: videoId, position_ms: 0, ...fields });
// Unique viewers are a HyperLogLog estimate over hashes salted at random per
// day: two of n viewers share one of its 1024 registers about n*n/2048 of
// the time, and are counted as one then.
const aboutViewers = (got, n) => assert.ok(got === n || got === n - 1, `${got} unique viewers for ${n}`);

before(async () => {
  port = await freePort();
  await start();
  owner = { Authorization: `Bearer ${(await signIn(node.base)).token}` };
  other = { Authorization: `Bearer ${(await signIn(node.base, OTHER_KEY)).token}` };
  const clip = await makeClip(path.join(work, 'clip.mp4'), { seconds: 2, bitrate: '500k' });
  const r = await fetch(`${node.base}/api/v1/videos/upload?title=Watched`, { method: 'POST', headers: owner, body: fs.readFileSync(clip) });
  assert.equal(r.status, 201);
  videoId = (await r.json()).id;
  const deadline = Date.now() + 60000;
  for (;;) {
    const v = await (await api(`/api/v1/videos/${videoId}`)).json();
    if (v.status === 'ready') { duration = v.duration_ms; break; }
    assert.ok(Date.now() < deadline, 'the clip became ready');
    await new Promise((res) => setTimeout(res, 200));
  }
  assert.ok(duration > 1000);
});

after(async () => {
  if (node) await stopNode(node);
  fs.rmSync(work, { recursive: true, force: true });
});

test('bad reports are refused with a problem, and the node stays up', async () => {
  const bad = [
    [], Array(101).fill(ev({ view_id: 'view-aaaa', type: 'start' })), 'start',
    ev({ view_id: 'view-aaaa', type: 'pause' }), ev({ view_id: 'x', type: 'start' }),
    ev({ view_id: 'view-aaaa', type: 'start', ip: '1.2.3.4' }), { ...ev({ view_id: 'view-aaaa', type: 'start' }), video_id: '../../x' },
    ev({ view_id: 'view-aaaa', type: 'heartbeat', position_ms: -1 }), ev({ view_id: 'view-aaaa', type: 'heartbeat', watched_ms: 1.5 }),
    ev({ view_id: 'view-aaaa', type: 'start', rendition: '<script>' }), { view_id: 'view-aaaa', type: 'start', video_id: videoId },
  ];
  for (const body of bad) {
    const r = await report(body);
    assert.equal(r.status, 400, JSON.stringify(body).slice(0, 100));
    assert.ok(r.body.detail);
  }
  const deep = await api('/api/v1/analytics/events', {}, { method: 'POST', body: `${'['.repeat(10000)}${']'.repeat(10000)}` });
  assert.equal(deep.status, 400);
  const plain = await api('/api/v1/analytics/events', {}, { method: 'POST', body: '{}', headers: { 'Content-Type': 'text/plain' } });
  assert.equal(plain.status, 415);
  // A well-formed report about a video that does not exist is taken and counted nowhere.
  assert.equal((await report({ video_id: 'ffffffffffffffff', view_id: 'view-nobody', type: 'start', position_ms: 0 })).status, 202);
  assert.equal((await api('/health/live')).status, 200);
});

test('views from three viewers become the owner\'s figures', async () => {
  const a = { 'User-Agent': 'viewer-a' };
  const c = { 'User-Agent': 'viewer-c' };
  let r = await report([
    ev({ view_id: 'view-aaaa', type: 'start', startup_ms: 200 }),
    ev({ view_id: 'view-aaaa', type: 'start', startup_ms: 200 }),  // a retried report: one play
    ev({ view_id: 'view-aaaa', type: 'heartbeat', position_ms: 1000, watched_ms: 1000, rendition: '240p' }),
    ev({ view_id: 'view-aaaa', type: 'rebuffer', position_ms: 1000, rebuffer_ms: 300 }),
    ev({ view_id: 'view-aaaa', type: 'end', position_ms: duration - 50, watched_ms: 900, rendition: '240p' }),
  ], a);
  assert.equal(r.status, 202);
  assert.equal(r.body.accepted, 5);
  r = await report(ev({ view_id: 'view-bbbb', type: 'start', startup_ms: 800 }), other);
  assert.equal(r.status, 202);
  await report(ev({ view_id: 'view-bbbb', type: 'end', position_ms: 500, watched_ms: 500, rendition: '240p' }), other);
  await report(ev({ view_id: 'view-cccc', type: 'start', startup_ms: 400 }), c);
  // The same anonymous viewer again: a play, not a new viewer.
  await report(ev({ view_id: 'view-aaa2', type: 'start', startup_ms: 250 }), a);

  assert.equal((await figures({})).status, 401);
  assert.equal((await figures(other)).status, 403);
  assert.equal((await figures(owner, '?window=1y')).status, 400);
  const f = await figures(owner, '?window=24h');
  assert.equal(f.status, 200, JSON.stringify(f.body));
  assert.equal(f.body.plays, 4);
  aboutViewers(f.body.unique_viewers, 3);
  assert.equal(f.body.watch_time_ms, 2400);
  assert.equal(f.body.completion_rate, 0.25);
  assert.ok(f.body.startup_time_ms.p50 >= 250 && f.body.startup_time_ms.p50 <= 400 * 1.25, JSON.stringify(f.body.startup_time_ms));
  assert.ok(f.body.startup_time_ms.p95 >= 800 && f.body.startup_time_ms.p95 <= 1000, JSON.stringify(f.body.startup_time_ms));
  assert.equal(f.body.rebuffer_count, 1);
  assert.ok(Math.abs(f.body.rebuffer_ratio - 300 / 2700) < 1e-9);
  assert.deepEqual(f.body.renditions, [{ name: '240p', watch_time_ms: 2400 }]);
  assert.equal(f.body.series.reduce((n, p) => n + p.plays, 0), 4);

  const top = await (await api('/api/v1/analytics/top?window=7d', owner)).json();
  assert.deepEqual(top.items, [{ video_id: videoId, title: 'Watched', plays: 4, watch_time_ms: 2400 }]);
  assert.deepEqual((await (await api('/api/v1/analytics/top', other)).json()).items, []);
  assert.equal((await api('/api/v1/analytics/top')).status, 401);
});

test('the figures survive a restart, events of the last seconds included', async () => {
  await report(ev({ view_id: 'view-dddd', type: 'start', startup_ms: 100 }), { 'User-Agent': 'viewer-d' });
  await stopNode(node);
  await start();
  owner = { Authorization: `Bearer ${(await signIn(node.base)).token}` };
  const f = await figures(owner, '?window=30d');
  assert.equal(f.body.plays, 5);
  aboutViewers(f.body.unique_viewers, 4);
  assert.equal(f.body.watch_time_ms, 2400);
});
