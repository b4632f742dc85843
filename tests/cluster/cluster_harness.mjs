// A real cluster on loopback: a 3-member etcd (apt etcd-server), s3rver
// (npm) for the media, the cluster CA and node certificates made by
// `streamgate certs`, and clustered streamgate nodes.
import { spawn, execFile } from 'node:child_process';
import { promisify } from 'node:util';
import fs from 'node:fs';
import path from 'node:path';
import { BIN, freePort, startNode, tempDir } from '../e2e/harness.mjs';

const run = promisify(execFile);

export async function startEtcd(members = 3) {
  const dir = tempDir('sg-etcd-');
  const specs = [];
  for (let i = 0; i < members; i += 1) {
    specs.push({ name: `e${i}`, client: await freePort(), peer: await freePort() });
  }
  const initial = specs.map((s) => `${s.name}=http://127.0.0.1:${s.peer}`).join(',');
  const procs = specs.map((s) => spawn('etcd', [
    '--name', s.name, '--data-dir', path.join(dir, s.name),
    '--listen-client-urls', `http://127.0.0.1:${s.client}`,
    '--advertise-client-urls', `http://127.0.0.1:${s.client}`,
    '--listen-peer-urls', `http://127.0.0.1:${s.peer}`,
    '--initial-advertise-peer-urls', `http://127.0.0.1:${s.peer}`,
    '--initial-cluster', initial, '--initial-cluster-state', 'new',
    '--log-level', 'error', '--logger', 'zap',
  ], { stdio: 'ignore' }));
  const endpoints = specs.map((s) => `http://127.0.0.1:${s.client}`);
  const deadline = Date.now() + 20000;
  for (const url of endpoints) {
    for (;;) {
      try {
        const r = await fetch(`${url}/health`);
        if (r.status === 200 && (await r.json()).health === 'true') break;
      } catch { /* starting */ }
      if (Date.now() > deadline) throw new Error(`etcd ${url} did not become healthy`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return {
    endpoints,
    procs,
    async leaderIndex() {
      for (let i = 0; i < endpoints.length; i += 1) {
        if (procs[i].exitCode !== null || procs[i].signalCode !== null) continue;
        try {
          const r = await (await fetch(`${endpoints[i]}/v3/maintenance/status`, { method: 'POST', body: '{}' })).json();
          if (r.header.member_id === r.leader) return i;
        } catch { /* down */ }
      }
      return -1;
    },
    async put(key, value) {
      const b64 = (s) => Buffer.from(s).toString('base64');
      for (const url of endpoints) {
        try {
          const r = await fetch(`${url}/v3/kv/put`, { method: 'POST', body: JSON.stringify({ key: b64(key), value: b64(value) }) });
          if (r.status === 200) return;
        } catch { /* next */ }
      }
      throw new Error('no etcd member took the put');
    },
    stop() {
      for (const p of procs) p.kill('SIGKILL');
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** s3rver on a free port with a `media` bucket (it checks no signatures). */
export async function startS3() {
  const dir = tempDir('sg-s3rver-');
  const port = await freePort();
  const bin = path.join(path.dirname(new URL(import.meta.url).pathname), '../../node_modules/.bin/s3rver');
  const proc = spawn(bin, ['-d', dir, '-a', '127.0.0.1', '-p', String(port), '--silent',
    '--configure-bucket', 'media'], { stdio: 'ignore' });
  const endpoint = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 15000;
  for (;;) {
    try {
      await fetch(`${endpoint}/media`);
      break;
    } catch { /* starting */ }
    if (Date.now() > deadline) throw new Error('s3rver did not start (npm ci installs it)');
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url: `s3://media?endpoint=${endpoint}`,
    dir,
    /** The objects stored under `prefix` (s3rver keeps them as files). */
    objects(prefix) {
      const root = path.join(dir, 'media');
      const out = [];
      const walk = (d) => {
        for (const e of fs.readdirSync(d, { withFileTypes: true })) {
          const p = path.join(d, e.name);
          if (e.isDirectory()) walk(p);
          else if (e.name.endsWith('._S3rver_object')) out.push(path.relative(root, p).replace(/\._S3rver_object$/, ''));
        }
      };
      if (fs.existsSync(root)) walk(root);
      return out.filter((k) => k.startsWith(prefix));
    },
    stop() {
      proc.kill('SIGKILL');
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A CA and a certificate directory per node name (plus a foreign CA). */
export async function makeCerts(root, names) {
  const caKey = path.join(root, 'ca.key');
  const caDir = path.join(root, 'ca');
  await run(BIN, ['certs', 'create-ca', '--certs-dir', caDir, '--ca-key', caKey]);
  const dirs = {};
  for (const name of names) {
    const dir = path.join(root, name);
    fs.mkdirSync(dir, { recursive: true });
    fs.copyFileSync(path.join(caDir, 'ca.crt'), path.join(dir, 'ca.crt'));
    await run(BIN, ['certs', 'create-node', name, '127.0.0.1', 'localhost', '--certs-dir', dir, '--ca-key', caKey]);
    dirs[name] = dir;
  }
  return dirs;
}

/** A clustered node over `services` ({ etcd, s3 }). */
export async function startMember(root, services, certsDir,
  { name = 'streamgate', extra = [], dataDir = tempDir('sg-member-') } = {}) {
  // freePort() frees its port before the node binds it; another process may
  // take it in between. Such a start fails fast, and new ports are tried.
  for (let attempt = 1; ; ++attempt) {
    try {
      return await startMemberOn(await freePort(), await freePort(), services, certsDir, { name, extra, dataDir });
    } catch (e) {
      if (attempt === 3 || !/cannot listen/.test(String(e.message))) throw e;
    }
  }
}

async function startMemberOn(port, clusterPort, services, certsDir, { name, extra, dataDir }) {
  const node = await startNode({
    dataDir,
    port,
    args: ['--etcd', services.etcd.endpoints.join(','), '--cluster-port', String(clusterPort), '--analytics-flush-interval', '2',
      '--certs-dir', certsDir, '--cluster-name', name, '--admin-token', 'admin-secret',
      '--media', services.s3.url,
      '--transcode-workers-max', '1', '--chain', '1337=http://127.0.0.1:9', '--webhook-allow-private', ...extra],
    env: { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER' },
  });
  return { ...node, clusterPort, dataDir };
}

export async function members(node) {
  // A paused node never answers: give up on it rather than wait forever.
  const r = await fetch(`${node.base}/api/v1/cluster`, {
    headers: { 'X-Admin-Token': 'admin-secret' }, signal: AbortSignal.timeout(5000),
  });
  if (r.status !== 200) throw new Error(`GET /api/v1/cluster: ${r.status}`);
  return (await r.json()).members;
}

/** Polls until `predicate(members)` holds on `node`; returns the ms it took. */
export async function until(node, predicate, timeoutMs, what) {
  const started = Date.now();
  let last = [];
  while (Date.now() - started < timeoutMs) {
    try {
      last = await members(node);
      if (predicate(last)) return Date.now() - started;
    } catch { /* the node may be paused */ }
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`${what}: not within ${timeoutMs} ms; members: ${JSON.stringify(last)}`);
}

export const state = (list, name) => list.find((m) => m.name === name)?.state;

/** The node's alerts (GET /api/v1/admin/alerts). */
export async function alertsOf(node) {
  const r = await fetch(`${node.base}/api/v1/admin/alerts`, {
    headers: { 'X-Admin-Token': 'admin-secret' }, signal: AbortSignal.timeout(5000),
  });
  if (r.status !== 200) throw new Error(`GET /api/v1/admin/alerts: ${r.status}`);
  return (await r.json()).alerts;
}

/** Polls until `predicate(alert named name, or undefined)` holds; returns the alert. */
export async function alertUntil(node, name, predicate, timeoutMs = 15000) {
  const started = Date.now();
  let last = [];
  while (Date.now() - started < timeoutMs) {
    last = await alertsOf(node);
    const a = last.find((x) => x.name === name);
    if (predicate(a)) return a;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`alert ${name}: not as expected within ${timeoutMs} ms: ${JSON.stringify(last)}`);
}
