// Upload throughput: the same bytes in 8 MiB PATCHes to a streamgate node and
// to @tus/server (file store), alternating, with two clients each:
// tus-js-client, and a raw client that is not the bottleneck (one process,
// one keep-alive connection). `dd bs=8M oflag=dsync` of the same bytes to the
// same disk is the physical limit for writes durable before they are acked.
import { execFileSync, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tus from 'tus-js-client';
import { freePort, startNode, stopNode, tempDir } from '../tests/e2e/harness.mjs';
import { signIn } from '../tests/e2e/sign_in.mjs';

const MiB = 1024 * 1024;
const SIZE = Number(process.env.BENCH_UPLOAD_MIB || 200) * MiB;
const CHUNK = 8 * MiB;
const ROUNDS = Number(process.env.BENCH_ROUNDS || 3);
const here = path.dirname(fileURLToPath(import.meta.url));

const work = tempDir('sg-bench-upload-');
const payload = crypto.randomBytes(SIZE);
const payloadFile = path.join(work, 'payload.bin');
fs.writeFileSync(payloadFile, payload);

function rssKiB(pid) {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)[1]);
}

let auth = {};  // the node wants its owner's session; @tus/server ignores it

function tusJsClient(endpoint) {
  return new Promise((resolve, reject) => {
    const u = new tus.Upload(payload, {
      endpoint, chunkSize: CHUNK, headers: auth, retryDelays: null, storeFingerprintForResuming: false,
      onError: reject, onSuccess: resolve,
    });
    u.start();
  });
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
function request(url, method, headers, body) {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers, agent }, (res) => {
      res.resume();
      res.on('end', () => resolve(res));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function rawClient(endpoint) {
  const created = await request(endpoint, 'POST',
    { ...auth, 'Tus-Resumable': '1.0.0', 'Upload-Length': String(SIZE), 'Content-Length': '0' });
  if (created.statusCode !== 201) throw new Error(`create: ${created.statusCode}`);
  const url = new URL(created.headers.location, endpoint).toString();
  for (let off = 0; off < SIZE; off += CHUNK) {
    const body = payload.subarray(off, Math.min(off + CHUNK, SIZE));
    const res = await request(url, 'PATCH', {
      ...auth, 'Tus-Resumable': '1.0.0', 'Upload-Offset': String(off),
      'Content-Type': 'application/offset+octet-stream', 'Content-Length': String(body.length),
    }, body);
    if (res.statusCode !== 204) throw new Error(`patch: ${res.statusCode}`);
  }
}

async function timed(fn, pid) {
  const before = pid ? rssKiB(pid) : 0;
  let peak = before;
  const sampler = pid && setInterval(() => { peak = Math.max(peak, rssKiB(pid)); }, 20);
  const t0 = process.hrtime.bigint();
  await fn();
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (sampler) clearInterval(sampler);
  if (pid) peak = Math.max(peak, rssKiB(pid));
  return { mibps: SIZE / MiB / seconds, rssGrowthMiB: (peak - before) / 1024 };
}

function ddDsync() {
  const out = path.join(work, 'dd.out');
  const t0 = process.hrtime.bigint();
  execFileSync('dd', [`if=${payloadFile}`, `of=${out}`, 'bs=8M', 'oflag=dsync', 'status=none']);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  fs.rmSync(out);
  return { mibps: SIZE / MiB / seconds };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const ourPort = await freePort();
// Unmetered, so the benchmark measures bytes, not the rate limiter.
const node = await startNode({ dataDir: path.join(work, 'ours'), port: ourPort,
                               args: ['--log-level', 'warn', '--rate-limit', 'upload=0/1'] });
auth = { Authorization: `Bearer ${(await signIn(node.base)).token}` };
const refPort = await freePort();
fs.mkdirSync(path.join(work, 'reference'));
const ref = spawn('node', [path.join(here, 'tus_reference_server.mjs'), String(refPort),
                           path.join(work, 'reference')], { stdio: 'inherit' });
for (let i = 0; i < 100; i++) {
  try { await fetch(`http://127.0.0.1:${refPort}/files`, { method: 'OPTIONS' }); break; }
  catch { await new Promise((r) => setTimeout(r, 50)); }
}

const ours = `http://127.0.0.1:${ourPort}/api/v1/uploads`;
const theirs = `http://127.0.0.1:${refPort}/files`;
const results = { ours_tusjs: [], ref_tusjs: [], ours_raw: [], ref_raw: [], dd: [], rss: [] };
for (let round = 0; round < ROUNDS; round++) {
  const a = await timed(() => tusJsClient(ours), node.proc.pid);
  results.ours_tusjs.push(a.mibps); results.rss.push(a.rssGrowthMiB);
  results.ref_tusjs.push((await timed(() => tusJsClient(theirs))).mibps);
  const b = await timed(() => rawClient(ours), node.proc.pid);
  results.ours_raw.push(b.mibps); results.rss.push(b.rssGrowthMiB);
  results.ref_raw.push((await timed(() => rawClient(theirs))).mibps);
  results.dd.push(ddDsync().mibps);
  // Keep the disk from filling: drop what both servers stored this round.
  for (const dir of [path.join(work, 'ours', 'media'), path.join(work, 'reference')])
    for (const f of fs.readdirSync(dir)) fs.rmSync(path.join(dir, f), { recursive: true, force: true });
}

const m = Object.fromEntries(Object.entries(results).map(([k, v]) => [k, median(v)]));
const f = (x) => x.toFixed(1);
console.log(`uploads: ${SIZE / MiB} MiB in ${CHUNK / MiB} MiB PATCHes, ${ROUNDS} rounds, medians (MiB/s)`);
console.log(`  streamgate  tus-js-client ${f(m.ours_tusjs)}   raw keep-alive ${f(m.ours_raw)}`);
console.log(`  @tus/server tus-js-client ${f(m.ref_tusjs)}   raw keep-alive ${f(m.ref_raw)}`);
console.log(`  dd bs=8M oflag=dsync      ${f(m.dd)}`);
console.log(`  ratio vs @tus/server: tus-js-client ${(m.ours_tusjs / m.ref_tusjs).toFixed(2)}x, raw ${(m.ours_raw / m.ref_raw).toFixed(2)}x   (target >= 1.3x)`);
console.log(`  ratio vs dd dsync:    tus-js-client ${(m.ours_tusjs / m.dd).toFixed(2)}x, raw ${(m.ours_raw / m.dd).toFixed(2)}x   (target >= 0.8x)`);
console.log(`  streamgate peak RSS growth during an upload: max ${f(Math.max(...results.rss))} MiB   (target < 32 MiB)`);

agent.destroy();
ref.kill('SIGTERM');
await stopNode(node);
fs.rmSync(work, { recursive: true, force: true });
