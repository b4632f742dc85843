// tus-js-client (the reference JavaScript tus client) against a real node:
// plain, parallel (concatenation), and resumed after the node is killed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import * as tus from 'tus-js-client';
import { freePort, makeClip, sha256, startNode, stopNode, tempDir } from './harness.mjs';
import { signIn } from './sign_in.mjs';

const work = tempDir('sg-e2e-tus-');
const dataDir = path.join(work, 'data');
let clip;
let port;
let node;
let auth;

before(async () => {
  clip = await makeClip(path.join(work, 'clip.mp4'), { seconds: 10, bitrate: '16M' });
  port = await freePort();
  node = await startNode({ dataDir, port });
  auth = { Authorization: `Bearer ${(await signIn(node.base)).token}` };
});

after(async () => {
  await stopNode(node);
  fs.rmSync(work, { recursive: true, force: true });
});

function upload(file, options = {}) {
  const bytes = fs.readFileSync(file);
  return new Promise((resolve, reject) => {
    const u = new tus.Upload(bytes, {
      endpoint: `http://127.0.0.1:${port}/api/v1/uploads`,
      metadata: { filename: path.basename(file), title: 'Test pattern', tags: 'e2e,lavfi' },
      headers: auth,
      retryDelays: [0, 200, 500, 1000, 2000, 3000, 5000],
      removeFingerprintOnSuccess: true,
      onError: reject,
      onSuccess: () => resolve(u.url),
      ...options,
    });
    u.start();
  });
}

async function videoOf(uploadUrl) {
  const r = await fetch(uploadUrl, { headers: auth });
  assert.equal(r.status, 200);
  const body = await r.json();
  assert.equal(body.offset, fs.statSync(clip).size);
  assert.match(body.video_id, /^[0-9a-f]{16}$/);
  return body.video_id;
}

async function assertStoredIntact(videoId) {
  const stored = path.join(dataDir, 'media', videoId, 'source');
  assert.equal(sha256(stored), sha256(clip), 'stored source differs from the uploaded file');
  const r = await fetch(`${node.base}/api/v1/videos/${videoId}`);
  assert.equal(r.status, 200);
  const v = await r.json();
  assert.ok(['queued', 'transcoding', 'ready'].includes(v.status), v.status);
  assert.equal(v.title, 'Test pattern');
  assert.equal(v.filename, 'clip.mp4');
  assert.deepEqual(v.tags, ['e2e', 'lavfi']);
}

test('tus-js-client uploads a clip in chunks', async () => {
  const url = await upload(clip, { chunkSize: 4 * 1024 * 1024 });
  await assertStoredIntact(await videoOf(url));
});

test('tus-js-client uploads with parallelUploads (concatenation)', async () => {
  const url = await upload(clip, { parallelUploads: 3 });
  await assertStoredIntact(await videoOf(url));
});

test('an upload resumes after the node is killed with SIGKILL', async () => {
  let killed = false;
  let restarted;
  const url = await upload(clip, {
    chunkSize: 1024 * 1024,
    onProgress: (sent, total) => {
      if (!killed && sent > total * 0.4) {
        killed = true;
        node.proc.kill('SIGKILL');
        restarted = new Promise((r) => node.proc.once('exit', r))
          .then(() => startNode({ dataDir, port }))
          .then((n) => { node = n; });
      }
    },
  });
  assert.ok(killed, 'the node was killed mid-upload');
  await restarted;
  await assertStoredIntact(await videoOf(url));
});
