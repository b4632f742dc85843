// Cluster timings on loopback with a 3-member etcd and three nodes, several
// rounds: a node's start until every member sees it up; kill -9 until the
// others drop it; SIGSTOP until the others see it unreachable (the fast
// hint) and until its lease drops it. Anchors (published defaults, not run
// here): Akka Cluster ~5 s to detect + 20 s split-brain resolver, Orleans
// ~15 s. Then tus PATCHes sent to the upload's own node against the same
// PATCHes sent to another node that passes them on; then a typed request to
// another node against raw TCP; then the member running a transcode killed
// (kill -9) or paused (SIGSTOP) until another member holds its job.
// The forwarded PATCHes have anchors of their own: the same PATCHes
// through nginx in front of the upload's node (plain HTTP, unbuffered), the
// cheapest relay this machine has, and through two nginx with mutual TLS
// between them, the cheapest relay that pays for TLS as members do.
import { execFileSync, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import { signIn } from '../tests/e2e/sign_in.mjs';
import path from 'node:path';
import fs from 'node:fs';
import { freePort, makeClip, stopNode, tempDir } from '../tests/e2e/harness.mjs';
import { makeCerts, members, startEtcd, startMember, startS3, state, until } from '../tests/cluster/cluster_harness.mjs';

const rounds = Number(process.env.ROUNDS || 5);
const median = (v) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
const root = tempDir('sg-bench-cluster-');
const jobRounds = Number(process.env.JOB_ROUNDS || 3);
const etcd = await startEtcd(3);
const s3 = await startS3();
const services = { etcd, s3 };
// Spares: two per membership round, and for each signal of the job rounds
// one more member plus one replacement per round.
const names = ['node-a', 'node-b', 'node-c', ...Array.from({ length: rounds * 2 + jobRounds * 2 + 2 }, (_, i) => `node-x${i}`)];
const certs = await makeCerts(root, names);
const upOrSelf = (n) => (l) => ['up', 'self'].includes(state(l, n));
const fixed = [await startMember(root, services, certs['node-a']), await startMember(root, services, certs['node-b'])];
const reclaimKill = [], reclaimStop = [];
const join = [], killed = [], hint = [], fenced = [];
const direct = [], forwarded = [], proxied = [], tlsProxied = [];
const MiB = 1024 * 1024;

// CPU seconds a process has used (user + system) and its minor page faults,
// from /proc; summed over several processes.
function usage(...pids) {
  const sum = { cpu: 0, faults: 0 };
  for (const pid of pids) {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    sum.cpu += (Number(fields[11]) + Number(fields[12])) / 100;
    sum.faults += Number(fields[7]);
  }
  return sum;
}

// `size` bytes PATCHed in 8 MiB chunks through `via` into an upload created
// on `owner`; MiB/s of the PATCHes, the CPU ms per MiB the owner, the node
// passing them on (if any) and this client spent, and the page faults per
// MiB of the owner and that node. The two nodes and the client share the
// machine's cores, so CPU spent on the second hop is CPU the client and the
// owner do not get. The upload is declared one byte longer, so no PATCH
// includes finishing it (its source going to S3, the same on both paths),
// and is deleted afterwards. A relay's `ownerSide` process counts as the
// owner's.
async function upload(owner, via, token, size) {
  const ownerPids = [owner.proc.pid, ...(via.ownerSide ? [via.ownerSide] : [])];
  const auth = { Authorization: `Bearer ${token}`, 'Tus-Resumable': '1.0.0' };
  const created = await fetch(`${owner.base}/api/v1/uploads`, { method: 'POST', headers: { ...auth, 'Upload-Length': String(size + 1) } });
  const path = new URL(created.headers.get('location'), owner.base).pathname;
  const bytes = crypto.randomBytes(size);
  const before = { owner: usage(...ownerPids), relay: usage(via.proc.pid), client: process.cpuUsage() };
  const t0 = process.hrtime.bigint();
  for (let at = 0; at < size; at += 8 * MiB) {
    const r = await fetch(`${via.base}${path}`, {
      method: 'PATCH',
      headers: { ...auth, 'Upload-Offset': String(at), 'Content-Type': 'application/offset+octet-stream' },
      body: bytes.subarray(at, Math.min(size, at + 8 * MiB)),
    });
    if (r.status !== 204) throw new Error(`PATCH: ${r.status} ${await r.text()}`);
  }
  const rate = size / MiB / (Number(process.hrtime.bigint() - t0) / 1e9);
  const client = process.cpuUsage(before.client);
  const after = { owner: usage(...ownerPids), relay: via === owner ? before.relay : usage(via.proc.pid) };
  const perMiB = (x) => x / (size / MiB);
  const cpu = {
    owner: perMiB((after.owner.cpu - before.owner.cpu) * 1000),
    relay: perMiB((after.relay.cpu - before.relay.cpu) * 1000),
    client: perMiB((client.user + client.system) / 1e3),
  };
  const faults = {
    owner: perMiB(after.owner.faults - before.owner.faults),
    relay: perMiB(after.relay.faults - before.relay.faults),
  };
  await fetch(`${owner.base}${path}`, { method: 'DELETE', headers: auth });
  return { rate, cpu, faults };
}

// An nginx of one worker, no access log, passing bodies on as they arrive,
// serving `server(port)`; its port, and its worker's pid as `proc.pid` (as
// a member's).
async function startNginx(name, server) {
  const dir = path.join(root, name);
  fs.mkdirSync(dir, { recursive: true });
  const port = await freePort();
  fs.writeFileSync(path.join(dir, 'nginx.conf'), `worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  client_max_body_size 0;
  proxy_request_buffering off;
  proxy_http_version 1.1;
  proxy_set_header Connection "";
  ${server(port)}
}
`);
  const master = spawn('nginx', ['-c', path.join(dir, 'nginx.conf'), '-g', 'daemon off;'], { stdio: 'ignore' });
  const workerOf = () => Number(fs.readFileSync(`/proc/${master.pid}/task/${master.pid}/children`, 'utf8').trim().split(' ')[0]);
  for (let i = 0; i < 100 && !workerOf(); i += 1)
    await new Promise((res) => setTimeout(res, 50));
  return { port, proc: { pid: workerOf() }, stop: () => master.kill('SIGTERM') };
}

// nginx passing requests on to `node` as they arrive: plain HTTP, the
// cheapest relay this machine has.
async function startNginxRelay(node) {
  const relay = await startNginx('nginx', (port) => `server {
    listen 127.0.0.1:${port};
    location / { proxy_pass http://${new URL(node.base).host}; }
  }`);
  return await ready({ ...relay, base: `http://127.0.0.1:${relay.port}` });
}

// The same over mutual TLS 1.3 (as CAF negotiates; nginx 1.22 would pick
// 1.2) with the cluster's certificates: one nginx
// encrypts to another, which decrypts in front of `node`; the cheapest hop
// that pays what a member's does for TLS. The second one's CPU counts as
// the owner's (`ownerSide`), as decrypting does on a member.
async function startNginxTlsRelay(node, certsDir) {
  const identity = (prefix) => `${prefix}_certificate ${certsDir}/node.crt; ${prefix}_certificate_key ${certsDir}/node.key;`;
  const unwrap = await startNginx('nginx-unwrap', (port) => `server {
    listen 127.0.0.1:${port} ssl;
    ssl_protocols TLSv1.3;
    ${identity('ssl')}
    ssl_client_certificate ${certsDir}/ca.crt;
    ssl_verify_client on;
    location / { proxy_pass http://${new URL(node.base).host}; }
  }`);
  const wrap = await startNginx('nginx-wrap', (port) => `upstream owner {
    server 127.0.0.1:${unwrap.port};
    keepalive 4;
  }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass https://owner;
      ${identity('proxy_ssl')}
      proxy_ssl_protocols TLSv1.3;
      proxy_ssl_trusted_certificate ${certsDir}/ca.crt;
      proxy_ssl_verify on;
      proxy_ssl_name localhost;
      proxy_ssl_session_reuse on;
    }
  }`);
  return await ready({
    ...wrap, base: `http://127.0.0.1:${wrap.port}`, ownerSide: unwrap.proc.pid,
    stop: () => { wrap.stop(); unwrap.stop(); },
  });
}

// `relay` once it answers.
async function ready(relay) {
  for (let i = 0; i < 100 && (await fetch(`${relay.base}/health/live`).catch(() => null))?.status !== 200; i += 1)
    await new Promise((res) => setTimeout(res, 50));
  return relay;
}

// A real clip uploaded through `via` in one PATCH; its video id.
async function uploadClip(via, token, file) {
  const auth = { Authorization: `Bearer ${token}`, 'Tus-Resumable': '1.0.0' };
  const bytes = fs.readFileSync(file);
  const created = await fetch(`${via.base}/api/v1/uploads`, {
    method: 'POST',
    headers: { ...auth, 'Upload-Length': String(bytes.length), 'Upload-Metadata': `filename ${Buffer.from('c.mp4').toString('base64')}` },
  });
  const where = new URL(created.headers.get('location'), via.base).pathname;
  const r = await fetch(`${via.base}${where}`, {
    method: 'PATCH', headers: { ...auth, 'Upload-Offset': '0', 'Content-Type': 'application/offset+octet-stream' }, body: bytes,
  });
  if (r.status !== 204) throw new Error(`PATCH: ${r.status}`);
  return (await (await fetch(`${via.base}${where}`, { headers: auth })).json()).video_id;
}

// Polls a job through `via` until `predicate` holds; the job then.
async function jobUntil(via, token, videoId, predicate, ms) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const r = await fetch(`${via.base}/api/v1/videos/${videoId}/job`, {
      headers: { Authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(5000),
    }).catch(() => null);
    if (r?.status === 200) {
      const j = await r.json();
      if (predicate(j)) return j;
    }
    await new Promise((res) => setTimeout(res, 20));
  }
  throw new Error(`job of ${videoId}: not within ${ms} ms`);
}

// Each round: a transcode starts on one of three members, which is then
// killed or paused; the time until another member holds the job.
async function jobTakeovers(token, clip, signal, into) {
  const trio = [...fixed];
  const spareFor = () => startMember(root, services, certs[`node-x${spare++}`]);
  trio.push(await spareFor());
  for (let r = 0; r < jobRounds; r += 1) {
    const id = await uploadClip(trio[0], token, clip);
    const running = await jobUntil(trio[0], token, id, (j) => j.state === 'running' && j.node, 60000);
    let victim = -1;
    for (let i = 0; i < trio.length && victim < 0; i += 1)
      if ((await members(trio[i])).some((m) => m.state === 'self' && m.id === running.node)) victim = i;
    const watcher = trio[(victim + 1) % trio.length];
    trio[victim].proc.kill(signal);
    const t0 = Date.now();
    await jobUntil(watcher, token, id, (j) => j.node && j.node !== running.node, 15000);
    into.push(Date.now() - t0);
    await jobUntil(watcher, token, id, (j) => j.state === 'succeeded' || j.state === 'failed', 180000);
    trio[victim].proc.kill('SIGKILL');
    trio[victim] = await spareFor();
    for (const n of trio) await until(n, (l) => l.filter((m) => ['up', 'self'].includes(m.state)).length >= 3, 10000, 'trio up');
  }
  return trio;
}

let spare = 0;
let nginx, nginxTls;
try {
  for (let r = 0; r < rounds; r += 1) {
    const name = `node-x${spare++}`;
    const t0 = Date.now();
    const x = await startMember(root, services, certs[name]);
    for (const n of fixed) await until(n, upOrSelf(name), 10000, `${name} up`);
    join.push(Date.now() - t0);
    x.proc.kill('SIGKILL');
    const t1 = Date.now();
    await until(fixed[0], (l) => state(l, name) === undefined, 10000, `${name} gone`);
    killed.push(Date.now() - t1);

    const yName = `node-x${spare++}`;
    const y = await startMember(root, services, certs[yName]);
    await until(fixed[0], upOrSelf(yName), 10000, `${yName} up`);
    y.proc.kill('SIGSTOP');
    const t2 = Date.now();
    await until(fixed[0], (l) => state(l, yName) !== 'up', 10000, `${yName} not up`);
    hint.push(Date.now() - t2);
    await until(fixed[0], (l) => state(l, yName) === undefined, 10000, `${yName} counted out`);
    fenced.push(Date.now() - t2);
    y.proc.kill('SIGKILL');
  }
  await until(fixed[0], upOrSelf('node-b'), 10000, 'b up');
  await until(fixed[1], upOrSelf('node-a'), 10000, 'a up at b');  // b forwards to a
  const { token } = await signIn(fixed[0].base);
  nginx = await startNginxRelay(fixed[0]);
  nginxTls = await startNginxTlsRelay(fixed[0], certs['node-a']);
  for (let r = 0; r < rounds; r += 1) {
    direct.push(await upload(fixed[0], fixed[0], token, 64 * MiB));
    forwarded.push(await upload(fixed[0], fixed[1], token, 64 * MiB));
    proxied.push(await upload(fixed[0], nginx, token, 64 * MiB));
    tlsProxied.push(await upload(fixed[0], nginxTls, token, 64 * MiB));
  }
  if (jobRounds > 0) {
    const clip = await makeClip(path.join(root, 'clip.mp4'), { seconds: 30, bitrate: '4M' });
    const trio = await jobTakeovers(token, clip, 'SIGKILL', reclaimKill);
    fixed.splice(0, fixed.length, ...trio);
    const again = await jobTakeovers(token, clip, 'SIGSTOP', reclaimStop);
    fixed.splice(0, fixed.length, ...again);
  }
} finally {
  nginx?.stop();
  nginxTls?.stop();
  for (const n of fixed) await stopNode(n).catch(() => {});
  etcd.stop();
  s3.stop();
  fs.rmSync(root, { recursive: true, force: true });
}
const line = (what, v, anchor) => console.log(`${what.padEnd(52)} median ${String(median(v)).padStart(5)} ms  (runs: ${v.join(', ')})  ${anchor}`);
console.log(`cluster membership, ${rounds} rounds, 3-member etcd, lease TTL 2 s:`);
line('join: process start -> up at every member', join, 'target < 1000 ms (includes process start)');
line('kill -9 -> dropped from the member table', killed, 'target <= 3000 ms; Akka ~5000 + 20000, Orleans ~15000');
line('SIGSTOP -> not up (greeting fails, the hint)', hint, '');
line('SIGSTOP -> counted out (lease expired)', fenced, 'target <= 3500 ms');
const mibs = (v) => v.map((x) => x.toFixed(0)).join(', ');
const rates = (runs) => runs.map((r) => r.rate);
console.log(`tus PATCH, 64 MiB in 8 MiB chunks: to the upload's node median ${median(rates(direct)).toFixed(1)} MiB/s (${mibs(rates(direct))}), ` +
  `through another node median ${median(rates(forwarded)).toFixed(1)} MiB/s (${mibs(rates(forwarded))}); ` +
  `ratio ${(median(rates(forwarded)) / median(rates(direct))).toFixed(2)} (target >= 0.8)`);
console.log(`  anchor: through nginx (plain HTTP, unbuffered) median ${median(rates(proxied)).toFixed(1)} MiB/s (${mibs(rates(proxied))}); ` +
  `ratio ${(median(rates(proxied)) / median(rates(direct))).toFixed(2)}; through another node / through nginx ` +
  `${(median(rates(forwarded)) / median(rates(proxied))).toFixed(2)} (what the TLS hop and CAF cost beyond the cheapest relay)`);
console.log(`  anchor: through nginx to nginx over mutual TLS (the cheapest TLS hop) median ${median(rates(tlsProxied)).toFixed(1)} MiB/s ` +
  `(${mibs(rates(tlsProxied))}); ratio ${(median(rates(tlsProxied)) / median(rates(direct))).toFixed(2)}; through another node / this ` +
  `${(median(rates(forwarded)) / median(rates(tlsProxied))).toFixed(2)} (what CAF costs beyond TLS)`);
const perMiBLine = (what, keys) => (runs) => keys.map((k) => `${k} ${median(runs.map((r) => r[what][k])).toFixed(2)}`).join(', ');
for (const [title, line] of [['CPU ms', perMiBLine('cpu', ['owner', 'relay', 'client'])], ['page faults', perMiBLine('faults', ['owner', 'relay'])]])
  console.log(`  ${title} per MiB (medians): direct ${line(direct)}; through another node ${line(forwarded)}; through nginx ${line(proxied)}; nginx over TLS ${line(tlsProxied)}`);
if (jobRounds > 0) {
  line('kill -9 of a transcoding member -> job re-claimed', reclaimKill, 'target <= 3000 ms');
  line('SIGSTOP of a transcoding member -> fenced, re-claimed', reclaimStop, 'target <= 3500 ms');
}
const bin = path.join(path.dirname(process.env.STREAMGATE_BIN), 'bench', 'sg_cluster_rtt_bench');
console.log(execFileSync(bin, ['3000']).toString().trim());
