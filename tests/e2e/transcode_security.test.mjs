// Security regressions of the transcoder, replayed through the public API of
// a real node: sources that reference other files (a playlist pointing at a
// gated video's segments), decompression bombs, a worker process that dies,
// range sets built to amplify; libav's own log lines in the JSON log. The
// node must stay alive and its own memory flat whatever is uploaded.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ffmpeg, freePort, makeClip, startNode, stopNode, tempDir } from './harness.mjs';
import { signIn } from './sign_in.mjs';

const work = tempDir('sg-e2e-transcode-sec-');
const MiB = 1024 * 1024;
const nodes = [];
let node;   // each node carries the session of its own sign-in (n.auth)
let ready;  // a transcoded video other tests attack: { id, urls }

async function launch(name, args = []) {
  const n = await startNode({
    dataDir: path.join(work, name), port: await freePort(),
    args: ['--rate-limit', 'auth=0/1', '--transcode-workers-max', '1', '--transcode-backoff-ms', '200',
      '--ladder', '360,240', ...args],
  });
  n.auth = { Authorization: `Bearer ${(await signIn(n.base)).token}` };
  nodes.push(n);
  return n;
}

before(async () => {
  node = await launch('main');
  const id = await uploadFile(node, await makeClip(path.join(work, 'clip.mp4'), { seconds: 4, bitrate: '1M' }), 'Gated');
  const v = await settle(node, id);
  assert.equal(v.status, 'ready', v.error);
  ready = { id, urls: await (await api(node, `/api/v1/videos/${id}/playback`)).json() };
});

after(async () => {
  for (const n of nodes) await stopNode(n);
  fs.rmSync(work, { recursive: true, force: true });
});

const api = (n, p, init = {}) => fetch(`${n.base}${p}`, { ...init, headers: { ...n.auth, ...init.headers } });

async function uploadFile(n, file, title) {
  let r;
  try {
    r = await fetch(`${n.base}/api/v1/videos/upload?title=${encodeURIComponent(title)}`,
      { method: 'POST', headers: n.auth, body: fs.readFileSync(file) });
  } catch (e) {
    throw new Error(`upload of ${title} failed: ${e.cause ?? e}\n${n.log().split('\n').slice(-15).join('\n')}`);
  }
  assert.equal(r.status, 201, await r.clone().text());
  return (await r.json()).id;
}

async function settle(n, id, seconds = 120) {
  const deadline = Date.now() + seconds * 1000;
  while (Date.now() < deadline) {
    const v = await (await api(n, `/api/v1/videos/${id}`)).json();
    if (v.status === 'ready' || v.status === 'failed') return v;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`video ${id} did not settle`);
}

const job = async (n, id) => (await api(n, `/api/v1/videos/${id}/job`)).json();
const rss = (pid) => Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) * 1024;
const workersOf = (n) => {
  try {
    return execFileSync('pgrep', ['-P', String(n.proc.pid), '-f', 'streamgate worker']).toString().trim()
      .split('\n').filter(Boolean).map(Number);
  } catch { return []; }
};

async function assertAlive(n) {
  assert.equal(n.proc.exitCode, null, 'the node is still running');
  assert.equal((await fetch(`${n.base}/health/ready`)).status, 200);
}

async function refusedSource(file, title, reason) {
  const id = await uploadFile(node, file, title);
  const v = await settle(node, id);
  assert.equal(v.status, 'failed', `${title} must fail`);
  assert.match(v.error, reason);
  assert.deepEqual(v.renditions, []);
  assert.equal((await job(node, id)).attempts, 1, 'a refused source is never retried');
  assert.equal((await api(node, `/api/v1/videos/${id}/playback`)).status, 409);
}

test('a playlist or concat script naming another video\'s media is refused, not followed', async () => {
  const other = `../${ready.id}/360p`;
  const playlist = path.join(work, 'steal.m3u8');
  fs.writeFileSync(playlist, ['#EXTM3U', '#EXT-X-VERSION:7', '#EXT-X-TARGETDURATION:4',
    `#EXT-X-MAP:URI="${other}/init.mp4"`, '#EXTINF:4.0,', `${other}/seg_00001.m4s`, '#EXT-X-ENDLIST', ''].join('\n'));
  await refusedSource(playlist, 'relative playlist', /container 'hls' is not accepted/);
  const absolute = path.join(work, 'absolute.m3u8');
  const media = path.join(work, 'main', 'media', ready.id, '360p');
  fs.writeFileSync(absolute, ['#EXTM3U', '#EXT-X-TARGETDURATION:4', `#EXT-X-MAP:URI="${media}/init.mp4"`,
    '#EXTINF:4.0,', `file:${media}/seg_00001.m4s`, '#EXT-X-ENDLIST', ''].join('\n'));
  await refusedSource(absolute, 'absolute playlist', /container 'hls' is not accepted/);
  const concat = path.join(work, 'steal.ffconcat');
  fs.writeFileSync(concat, `ffconcat version 1.0\nfile '../${ready.id}/source'\n`);
  await refusedSource(concat, 'concat script', /not accepted|not a media file/);
  await assertAlive(node);
});

test('a decompression bomb is refused at probe time, naming the limit, with the node flat', async () => {
  const bomb = path.join(work, 'bomb.avi');
  await ffmpeg(['-f', 'lavfi', '-i', 'color=c=black:s=16000x16000:r=25', '-frames:v', '1',
    '-c:v', 'mjpeg', '-q:v', '31', bomb]);
  const before = rss(node.proc.pid);
  await refusedSource(bomb, 'bomb', /16000x16000; the limit is 7680x4320|limit of \d+ pixels/);
  const after = rss(node.proc.pid);
  console.log(`node RSS around the refused bomb: ${(before / MiB).toFixed(1)} -> ${(after / MiB).toFixed(1)} MiB`);
  assert.ok(after - before < 32 * MiB);
  await assertAlive(node);
});

test('with the size limits lifted, the bomb is decoded in a worker process and the node stays flat', async () => {
  const lifted = await launch('lifted', ['--max-source-width', '20000', '--max-source-height', '20000',
    '--max-source-pixels', '400000000', '--worker-memory-bytes', String(600 * MiB)]);
  const before = rss(lifted.proc.pid);
  let peakWorker = 0;
  const watch = setInterval(() => {
    for (const pid of workersOf(lifted)) {
      try { peakWorker = Math.max(peakWorker, rss(pid)); } catch { /* gone */ }
    }
  }, 50);
  const id = await uploadFile(lifted, path.join(work, 'bomb.avi'), 'lifted bomb');
  const v = await settle(lifted, id);
  clearInterval(watch);
  const after = rss(lifted.proc.pid);
  console.log(`lifted limits: node RSS ${(before / MiB).toFixed(1)} -> ${(after / MiB).toFixed(1)} MiB, ` +
    `worker peak ${(peakWorker / MiB).toFixed(1)} MiB, video ${v.status}: ${v.error}`);
  assert.equal(v.status, 'failed', 'the 600 MiB worker cannot transcode a 16000x16000 frame');
  assert.match(v.error, /memory limit|no decodable video frames/);  // mjpeg hides ENOMEM
  assert.ok(after - before < 32 * MiB, 'the node itself did not grow');
  await assertAlive(lifted);
});

test('a job whose worker process dies twice fails as poisonous; the pool restarts workers', async () => {
  const id = await uploadFile(node, await makeClip(path.join(work, 'long.mp4'), { seconds: 30, bitrate: '4M' }), 'Long');
  for (let crash = 1; crash <= 2; crash++) {
    let pids = [];
    const deadline = Date.now() + 60000;
    while (Date.now() < deadline) {
      const v = await (await api(node, `/api/v1/videos/${id}`)).json();
      pids = workersOf(node);
      if (v.status === 'transcoding' && pids.length > 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(pids.length, 1, `one worker runs the job before crash ${crash}`);
    process.kill(pids[0], 'SIGKILL');
    await new Promise((r) => setTimeout(r, 500));
  }
  const v = await settle(node, id);
  assert.equal(v.status, 'failed');
  assert.match(v.error, /crashed its worker process 2 times.*poisonous/);
  const j = await job(node, id);
  assert.equal(j.attempts, 2);
  assert.equal(j.crashes, 2);
  // The pool is not stuck: the next upload gets a fresh worker and plays.
  const next = await uploadFile(node, await makeClip(path.join(work, 'after.mp4'), { seconds: 2, bitrate: '1M' }), 'After');
  assert.equal((await settle(node, next)).status, 'ready');
  await assertAlive(node);
});

test('libav log lines reach the JSON log with the job id', async () => {
  const whole = fs.readFileSync(path.join(work, 'clip.mp4'));
  const cut = path.join(work, 'cut.mp4');
  fs.writeFileSync(cut, whole.subarray(0, Math.floor(whole.length / 2)));  // moov at the end: gone
  const id = await uploadFile(node, cut, 'Cut');
  const v = await settle(node, id);
  assert.equal(v.status, 'failed');
  const lines = node.log().split('\n').filter((l) => l.includes('"component":"libav"')).map((l) => JSON.parse(l));
  assert.ok(lines.some((l) => l.job_id === v.job_id && /moov atom not found/.test(l.msg)),
    `a libav line of job ${v.job_id} in the log`);
});

test('range sets built to amplify are refused; honest ones get exactly their bytes', async () => {
  const seg = `${node.base}${ready.urls.hls.replace('master.m3u8', '360p/seg_00001.m4s')}`;
  const bytes = fs.readFileSync(path.join(work, 'main', 'media', ready.id, '360p', 'seg_00001.m4s'));
  const get = (range) => fetch(seg, { headers: { Range: range } });
  const many = `bytes=${Array.from({ length: 900 }, () => `0-${bytes.length - 1}`).join(',')}`;
  for (const range of [many, 'bytes=0-,0-', 'bytes=0-99,50-149', `bytes=-${bytes.length},0-0`]) {
    const r = await get(range);
    assert.equal(r.status, 416, range.slice(0, 40));
    assert.equal(r.headers.get('content-range'), `bytes */${bytes.length}`);
  }
  for (const malformed of ['items=0-1', 'bytes=x-y', 'bytes=5-2'])
    assert.equal((await get(malformed)).status, 416, malformed);
  const tail = await get('bytes=100-99999999');
  assert.equal(tail.status, 206);
  assert.equal(tail.headers.get('content-range'), `bytes 100-${bytes.length - 1}/${bytes.length}`);
  assert.deepEqual(Buffer.from(await tail.arrayBuffer()), bytes.subarray(100));
  const multi = await get('bytes=0-9,20-29');
  assert.equal(multi.status, 206);
  const body = Buffer.from(await multi.arrayBuffer()).toString('latin1');
  assert.match(multi.headers.get('content-type'), /multipart\/byteranges/);
  assert.ok(body.includes(bytes.subarray(0, 10).toString('latin1')) && body.includes(bytes.subarray(20, 30).toString('latin1')));
  assert.ok(body.length < 1000, 'two small parts, not the file');
  await assertAlive(node);
});
