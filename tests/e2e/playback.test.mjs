// Upload -> transcode -> play, with real clients: tus-js-client uploads,
// ffprobe reads the HLS master over HTTP, hls.js and dash.js play in headless
// Chromium. Also: no audio, corrupt input, cancel, and SIGKILL mid-transcode.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import * as tus from 'tus-js-client';
import { freePort, makeClip, startNode, stopNode, tempDir } from './harness.mjs';
import { signIn } from './sign_in.mjs';
import { launchBrowser, playIn } from './browser.mjs';

const work = tempDir('sg-e2e-play-');
const dataDir = path.join(work, 'data');
let port;
let node;
let browser;
let auth;

before(async () => {
  port = await freePort();
  node = await startNode({ dataDir, port, args: ['--transcode-workers-max', '1'] });
  auth = { Authorization: `Bearer ${(await signIn(node.base)).token}` };
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await stopNode(node);
  fs.rmSync(work, { recursive: true, force: true });
});

const api = (p, init = {}) => fetch(`${node.base}${p}`, { ...init, headers: { ...auth, ...init.headers } });

function upload(file, title) {
  return new Promise((resolve, reject) => {
    const u = new tus.Upload(fs.readFileSync(file), {
      endpoint: `${node.base}/api/v1/uploads`,
      metadata: { filename: path.basename(file), title },
      headers: auth,
      retryDelays: [0, 300, 1000],
      onError: reject,
      onSuccess: async () => resolve((await (await fetch(u.url, { headers: auth })).json()).video_id),
    });
    u.start();
  });
}

async function waitFor(videoId, predicate, seconds = 180) {
  const deadline = Date.now() + seconds * 1000;
  let v;
  while (Date.now() < deadline) {
    const r = await api(`/api/v1/videos/${videoId}`);
    if (r.status === 200) {
      v = await r.json();
      if (predicate(v)) return v;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`video ${videoId} never got there: ${JSON.stringify(v)}`);
}

async function playback(videoId) {
  const r = await api(`/api/v1/videos/${videoId}/playback`);
  assert.equal(r.status, 200);
  return r.json();
}

const play = (kind, url) => playIn(browser, node.base, kind, url);

test('an uploaded 720p clip with audio transcodes and plays in HLS and DASH', async () => {
  const clip = await makeClip(path.join(work, 'main.mp4'), { seconds: 10, bitrate: '4M' });
  const id = await upload(clip, 'Main clip');
  const v = await waitFor(id, (x) => x.status === 'ready' || x.status === 'failed');
  assert.equal(v.status, 'ready', v.error);
  assert.equal(v.duration_ms, 10000);
  assert.deepEqual(v.renditions.map((r) => r.name), ['720p', '480p', '360p', '240p', 'audio']);
  const job = await (await api(`/api/v1/videos/${id}/job`)).json();
  assert.equal(job.state, 'succeeded');
  assert.equal(job.percent, 100);

  const urls = await playback(id);
  const probed = execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_name,width,height',
    '-of', 'csv=p=0', `${node.base}${urls.hls}`]).toString();
  for (const size of ['h264,1280,720', 'h264,854,480', 'h264,640,360', 'h264,426,240'])
    assert.ok(probed.includes(size), `ffprobe lists ${size}:\n${probed}`);
  assert.ok(probed.includes('aac'), 'ffprobe lists the audio');

  const hls = await play('hls', `${node.base}${urls.hls}`);
  assert.deepEqual(hls.errors, []);
  assert.ok(hls.time > 3, `hls.js reached ${hls.time}s`);
  assert.ok(hls.start >= 0 && hls.start < 0.01, `media starts at 0, not ${hls.start}s (no gap to seek over)`);
  const dash = await play('dash', `${node.base}${urls.dash}`);
  assert.deepEqual(dash.errors, []);
  assert.ok(dash.time > 3, `dash.js reached ${dash.time}s`);

  const base = urls.hls.replace('master.m3u8', '');
  const seg = `${base}720p/seg_00001.m4s`;
  const ranged = await api(seg, { headers: { Range: 'bytes=100-199' } });
  assert.equal(ranged.status, 206);
  const onDisk = fs.readFileSync(path.join(dataDir, 'media', id, '720p', 'seg_00001.m4s'));
  assert.deepEqual(Buffer.from(await ranged.arrayBuffer()), onDisk.subarray(100, 200));
  assert.equal((await api(seg, { headers: { Range: `bytes=${onDisk.length}-` } })).status, 416);
  const tampered = urls.hls.replace(/\.([0-9a-f])/, (m, c) => `.${c === '0' ? '1' : '0'}`);
  assert.equal((await api(tampered)).status, 403);
  const expired = urls.hls.replace(/\/(\d+)\./, '/1000.');
  assert.equal((await api(expired)).status, 403);
});

test('a clip without audio plays without an audio rendition', async () => {
  const clip = await makeClip(path.join(work, 'silent.mp4'), { seconds: 6, bitrate: '2M', audio: false });
  const id = await upload(clip, 'Silent');
  const v = await waitFor(id, (x) => x.status === 'ready' || x.status === 'failed');
  assert.equal(v.status, 'ready', v.error);
  assert.ok(!v.renditions.some((r) => r.kind === 'audio'));
  const urls = await playback(id);
  const hls = await play('hls', `${node.base}${urls.hls}`);
  assert.deepEqual(hls.errors, []);
});

test('random bytes end as failed with a reason, without retries', async () => {
  const junk = path.join(work, 'junk.mp4');
  fs.writeFileSync(junk, Buffer.alloc(200000, 7).map((_, i) => (i * 7919) % 251));
  const id = await upload(junk, 'Junk');
  const v = await waitFor(id, (x) => x.status === 'failed' || x.status === 'ready');
  assert.equal(v.status, 'failed');
  assert.match(v.error, /media file|video stream|decodable/);
  const job = await (await api(`/api/v1/videos/${id}/job`)).json();
  assert.equal(job.attempts, 1, 'a permanent failure is not retried');
  assert.equal((await api(`/api/v1/videos/${id}/playback`)).status, 409);
});

test('cancelling a running job stops the encoder and removes partial output', async () => {
  const clip = await makeClip(path.join(work, 'long.mp4'), { seconds: 40, bitrate: '4M' });
  const id = await upload(clip, 'Long');
  await waitFor(id, (x) => x.status === 'transcoding' && x.progress > 0.05);
  const { job_id: jobId } = await (await api(`/api/v1/videos/${id}`)).json();
  const t0 = Date.now();
  const r = await api(`/api/v1/jobs/${jobId}`, { method: 'DELETE' });
  assert.equal(r.status, 200);
  assert.equal((await r.json()).state, 'cancelled');
  assert.ok(Date.now() - t0 < 1500, `the encoder stopped in ${Date.now() - t0} ms`);
  const v = await waitFor(id, (x) => x.status === 'failed');
  assert.match(v.error, /cancel/);
  assert.ok(!fs.existsSync(path.join(dataDir, 'media', id, '.work')), 'partial output removed');
  // And a re-run succeeds.
  const rerun = await api(`/api/v1/videos/${id}/job`, { method: 'POST' });
  assert.equal(rerun.status, 202);
  const done = await waitFor(id, (x) => x.status === 'ready' || x.status === 'failed');
  assert.equal(done.status, 'ready', done.error);
});

test('a job cut by SIGKILL resumes after the restart and completes', async () => {
  const id = await upload(path.join(work, 'long.mp4'), 'Killed midway');
  await waitFor(id, (x) => x.status === 'transcoding' && x.progress > 0.05);
  node.proc.kill('SIGKILL');
  await new Promise((r) => node.proc.once('exit', r));
  node = await startNode({ dataDir, port, args: ['--transcode-workers-max', '1'] });
  const v = await waitFor(id, (x) => x.status === 'ready' || x.status === 'failed');
  assert.equal(v.status, 'ready', v.error);
  const job = await (await api(`/api/v1/videos/${id}/job`)).json();
  assert.equal(job.attempts, 2);
  const urls = await playback(id);
  const hls = await play('hls', `${node.base}${urls.hls}`);
  assert.deepEqual(hls.errors, []);
});
