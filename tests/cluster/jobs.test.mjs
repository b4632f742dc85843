// Transcode jobs across a cluster: the member running a job is killed
// (kill -9) or paused (SIGSTOP) mid-job, another member takes the job over
// within seconds and finishes it, and the paused one, once resumed, finds
// its claim gone: it stops its worker and nothing it writes is accepted.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import fs from 'node:fs';
import path from 'node:path';
import * as tus from 'tus-js-client';
import { makeClip, tempDir } from '../e2e/harness.mjs';
import { signIn } from '../e2e/sign_in.mjs';
import { makeCerts, members, startEtcd, startMember, startS3, state, until } from './cluster_harness.mjs';

const run = promisify(execFile);
let services;
let root;
let auth;
let clip;
const nodes = {};
const names = ['node-a', 'node-b', 'node-c'];
const alive = (name) => nodes[name].proc.exitCode === null && nodes[name].proc.signalCode === null;

before(async () => {
  root = tempDir('sg-cluster-jobs-');
  services = { etcd: await startEtcd(3), s3: await startS3() };
  const certs = await makeCerts(root, names);
  for (const name of names) nodes[name] = await startMember(root, services, certs[name]);
  const allUp = (list) => names.every((n) => ['up', 'self'].includes(state(list, n)));
  for (const name of names) await until(nodes[name], allUp, 10000, `${name} sees all`);
  auth = { Authorization: `Bearer ${(await signIn(nodes['node-a'].base)).token}` };
  clip = await makeClip(path.join(root, 'clip.mp4'), { seconds: 30, bitrate: '4M' });
});

after(async () => {
  for (const name of names) {
    if (!alive(name)) continue;
    nodes[name].proc.kill('SIGCONT');
    nodes[name].proc.kill('SIGKILL');
  }
  services?.etcd.stop();
  services?.s3.stop();
  fs.rmSync(root, { recursive: true, force: true });
});

// Any live, running member answers for the cluster.
function anyNode(except = []) {
  return names.find((n) => alive(n) && !except.includes(n));
}

const api = (name, p) => fetch(`${nodes[name].base}${p}`, { headers: auth });

function upload(via, title) {
  return new Promise((resolve, reject) => {
    const u = new tus.Upload(fs.readFileSync(clip), {
      endpoint: `${nodes[via].base}/api/v1/uploads`,
      metadata: { filename: 'clip.mp4', title },
      headers: auth,
      onError: reject,
      onSuccess: async () => resolve((await (await fetch(u.url, { headers: auth })).json()).video_id),
    });
    u.start();
  });
}

async function job(via, videoId) {
  const r = await api(via, `/api/v1/videos/${videoId}/job`);
  return r.status === 200 ? r.json() : { status: r.status };
}

// Polls the job through a member other than `except` until `predicate`.
async function jobUntil(videoId, predicate, ms, what, except = []) {
  const deadline = Date.now() + ms;
  let last;
  while (Date.now() < deadline) {
    last = await job(anyNode(except), videoId).catch(() => ({}));
    if (predicate(last)) return last;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`${what}: not within ${ms} ms (${JSON.stringify(last)})`);
}

// The member (by certificate name) whose run of the node has this id.
async function nodeNamed(memberId, via) {
  const list = await members(nodes[via]);
  return list.find((m) => m.id === memberId)?.name;
}

async function readyAndWhole(videoId, via) {
  const v = await (await api(via, `/api/v1/videos/${videoId}`)).json();
  assert.equal(v.status, 'ready', v.error);
  const playback = await (await api(via, `/api/v1/videos/${videoId}/playback`)).json();
  const master = new URL(playback.hls, nodes[via].base).href;
  const { stdout } = await run('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', master]);
  assert.ok(Math.abs(Number(stdout.trim()) - 30) < 1.5, `duration ${stdout}`);
}

test('kill -9 of the member running a job: another takes it over and finishes it', async () => {
  const id = await upload('node-a', 'Killed mid-job');
  const running = await jobUntil(id, (j) => j.state === 'running' && j.node, 60000, 'running');
  const victim = await nodeNamed(running.node, anyNode());
  assert.ok(names.includes(victim), `job runs on ${running.node}`);
  const holder = (await members(nodes[anyNode()])).find((m) => m.id === running.node);
  assert.deepEqual(holder.jobs, [running.id], 'GET /api/v1/cluster lists the jobs each member holds');
  nodes[victim].proc.kill('SIGKILL');
  const killedAt = Date.now();
  const taken = await jobUntil(id, (j) => j.node && j.node !== running.node, 10000, 'taken over', [victim]);
  const tookMs = Date.now() - killedAt;
  console.log(`# kill -9 -> job re-claimed in ${tookMs} ms`);
  assert.ok(tookMs < 6000, `re-claimed after ${tookMs} ms`);
  const restarted = await jobUntil(id, (j) => j.attempts > running.attempts, 10000, 'run again', [victim]);
  assert.equal(restarted.node, taken.node);
  const done = await jobUntil(id, (j) => j.state === 'succeeded' || j.state === 'failed', 180000, 'done', [victim]);
  assert.equal(done.state, 'succeeded', done.error);
  await readyAndWhole(id, anyNode([victim]));
  // The killed member comes back (a new run of it) for the next test.
  nodes[victim] = await startMember(root, services, path.join(root, victim));
});

test('SIGTERM of the member running a job: it leaves, and another takes the job over at once', async () => {
  const allUp = (list) => names.every((n) => ['up', 'self'].includes(state(list, n)));
  for (const name of names) await until(nodes[name], allUp, 10000, `${name} sees all`);
  const id = await upload('node-c', 'Leaving mid-job');
  const running = await jobUntil(id, (j) => j.state === 'running' && j.node, 60000, 'running');
  const leaving = await nodeNamed(running.node, anyNode());
  const stoppedAt = Date.now();
  nodes[leaving].proc.kill('SIGTERM');
  await jobUntil(id, (j) => j.node && j.node !== running.node, 5000, 'taken over', [leaving]);
  const tookMs = Date.now() - stoppedAt;
  console.log(`# SIGTERM -> job re-claimed in ${tookMs} ms`);
  assert.ok(tookMs < 1500, `re-claimed after ${tookMs} ms: the lease goes first`);
  const done = await jobUntil(id, (j) => j.state === 'succeeded' || j.state === 'failed', 180000, 'done', [leaving]);
  assert.equal(done.state, 'succeeded', done.error);
  await new Promise((resolve) => (nodes[leaving].proc.exitCode !== null ? resolve() : nodes[leaving].proc.once('exit', resolve)));
  nodes[leaving] = await startMember(root, services, path.join(root, leaving));
});

test('SIGSTOP of the member running a job: taken over; once resumed the zombie is fenced', async () => {
  const allUp = (list) => names.every((n) => ['up', 'self'].includes(state(list, n)));
  for (const name of names) await until(nodes[name], allUp, 10000, `${name} sees all`);
  const id = await upload('node-b', 'Paused mid-job');
  const running = await jobUntil(id, (j) => j.state === 'running' && j.node && j.progress > 0, 60000, 'running');
  const zombie = await nodeNamed(running.node, anyNode());
  nodes[zombie].proc.kill('SIGSTOP');
  const stoppedAt = Date.now();
  const taken = await jobUntil(id, (j) => j.node && j.node !== running.node, 10000, 'taken over', [zombie]);
  const tookMs = Date.now() - stoppedAt;
  console.log(`# SIGSTOP -> job re-claimed in ${tookMs} ms`);
  assert.ok(tookMs < 6500, `re-claimed after ${tookMs} ms`);
  nodes[zombie].proc.kill('SIGCONT');
  // The zombie learns at its next write about the job (progress, or the end).
  const deadline = Date.now() + 60000;
  while (!/another member took the job over/.test(nodes[zombie].log()) && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 100));
  assert.match(nodes[zombie].log(), /another member took the job over/);
  const done = await jobUntil(id, (j) => j.state === 'succeeded' || j.state === 'failed', 180000, 'done');
  assert.equal(done.state, 'succeeded', done.error);
  assert.equal(done.node, taken.node, 'the record names the member that finished it');
  await readyAndWhole(id, zombie);
  // Stored once: the store holds exactly the renditions its manifest names.
  const objects = services.s3.objects(`videos/${id}/`);
  const manifest = fs.readFileSync(path.join(services.s3.dir, 'media', `videos/${id}/.manifest._S3rver_object`), 'utf8');
  const named = manifest.split('\n').filter(Boolean).map((n) => `videos/${id}/${n}`);
  assert.deepEqual(objects.filter((k) => !k.endsWith('/source') && !k.endsWith('/.manifest')).sort(), named.sort());
});

test('a job running on one member is cancelled through another', async () => {
  const id = await upload('node-c', 'Cancelled elsewhere');
  const running = await jobUntil(id, (j) => j.state === 'running' && j.node, 60000, 'running');
  const holder = await nodeNamed(running.node, anyNode());
  const via = anyNode([holder]);
  const r = await fetch(`${nodes[via].base}/api/v1/jobs/${running.id}`, { method: 'DELETE', headers: auth });
  const body = await r.text();
  assert.equal(r.status, 200, body);
  assert.equal(JSON.parse(body).state, 'cancelled');
  const done = await jobUntil(id, (j) => j.state === 'cancelled', 10000, 'cancelled');
  assert.equal(done.node, running.node);
});
