// The jobs service through the public API of a real node: webhooks that are
// owner-scoped and refuse to reach into the node's network, deliveries signed
// the documented way and received by a real HTTP server, a failing receiver
// retried with growing delays until its delivery is a dead letter that the
// operator retries or dismisses, failed transcodes kept as dead letters with
// their attempts, and the scheduled jobs listed and run now.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { BIN, freePort, makeClip, startNode, stopNode, tempDir } from './harness.mjs';
import { signIn } from './sign_in.mjs';

const work = tempDir('sg-e2e-ops-');
const ADMIN = { 'X-Admin-Token': 'ops-secret' };
const OTHER_KEY = '0x8f2a55949038a9610f50fb23b5883af3b4ecb3c3bb792cbcefbd1542c692be63';
let node;
let owner;  // { Authorization }
let other;
let clip;
let shellPort;
const receivers = [];
const run = promisify(execFile);

// `streamgate shell` against the node: its exit code, stdout and stderr.
async function shell(args, input) {
  const all = ['shell', '--connect', `127.0.0.1:${shellPort}`, ...args];
  if (input !== undefined) {
    const { spawnSync } = await import('node:child_process');
    const r = spawnSync(BIN, all, { input, encoding: 'utf8', timeout: 20000 });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  }
  try {
    const { stdout, stderr } = await run(BIN, all, { timeout: 20000 });
    return { code: 0, stdout, stderr };
  } catch (e) {
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}
const shellJson = async (commands) => {
  const r = await shell(['--admin-token', 'ops-secret', '--json', '-c', commands]);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout.trim().split('\n').map((l) => JSON.parse(l));
};

// A webhook receiver: records each request (headers, raw body, time) and
// answers with `status()`.
async function receiver(status = () => 200) {
  const got = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => { body += d; });
    req.on('end', () => {
      got.push({ at: Date.now(), headers: req.headers, body });
      res.writeHead(status()).end();
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  receivers.push(server);
  return { url: `http://127.0.0.1:${server.address().port}/hook`, got };
}

const api = (p, who, init = {}) => fetch(`${node.base}${p}`, {
  ...init, headers: { 'Content-Type': 'application/json', ...who, ...init.headers },
});
const json = async (r) => ({ status: r.status, body: await r.json().catch(() => null) });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function until(what, f, ms = 60000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms`);
    await sleep(100);
  }
}

async function uploadAndSettle(title) {
  const r = await fetch(`${node.base}/api/v1/videos/upload?title=${encodeURIComponent(title)}`,
    { method: 'POST', headers: owner, body: fs.readFileSync(clip) });
  assert.equal(r.status, 201, await r.clone().text());
  const { id } = await r.json();
  await until(`${title} ready`, async () => (await (await api(`/api/v1/videos/${id}`)).json()).status === 'ready');
  return id;
}

before(async () => {
  shellPort = await freePort();
  node = await startNode({
    dataDir: path.join(work, 'data'), port: await freePort(),
    args: ['--admin-token', 'ops-secret', '--rate-limit', 'auth=0/1', '--webhook-allow-private', '--challenge-ttl', '2',
      '--webhook-attempts', '3', '--webhook-backoff-ms', '300', '--transcode-workers-max', '1', '--ladder', '240',
      '--cluster-port', String(shellPort)],
  });
  owner = { Authorization: `Bearer ${(await signIn(node.base)).token}` };
  other = { Authorization: `Bearer ${(await signIn(node.base, OTHER_KEY)).token}` };
  clip = await makeClip(path.join(work, 'clip.mp4'), { seconds: 2, bitrate: '500k' });
});

after(async () => {
  for (const s of receivers) s.close();
  if (node) await stopNode(node);
  fs.rmSync(work, { recursive: true, force: true });
});

test('webhooks belong to their owner and are checked when made', async () => {
  const { url } = await receiver();
  assert.equal((await api('/api/v1/webhooks', {}, { method: 'POST', body: JSON.stringify({ url, events: ['video.ready'] }) })).status, 401);
  for (const bad of [
    { url: 'ftp://example.com/x', events: ['video.ready'] },
    { url: 'http://user:pw@example.com/', events: ['video.ready'] },
    { url: 'not a url', events: ['video.ready'] },
    { url, events: [] },
    { url, events: ['video.exploded'] },
    { url, events: ['video.ready', 'video.ready'] },
    { url, events: 'video.ready' },
    { url: 5, events: ['video.ready'] },
    { url: `http://example.com/${'x'.repeat(3000)}`, events: ['video.ready'] },
  ]) {
    const r = await json(await api('/api/v1/webhooks', owner, { method: 'POST', body: JSON.stringify(bad) }));
    assert.equal(r.status, 400, JSON.stringify(bad));
    assert.ok(r.body.detail, JSON.stringify(r.body));
  }
  const made = await json(await api('/api/v1/webhooks', owner, { method: 'POST', body: JSON.stringify({ url, events: ['video.failed'] }) }));
  assert.equal(made.status, 201);
  assert.match(made.body.id, /^wh_[0-9a-f]{16}$/);
  assert.match(made.body.secret, /^whsec_[0-9a-f]{48}$/);
  assert.deepEqual(made.body.events, ['video.failed']);
  const mine = await json(await api('/api/v1/webhooks', owner));
  assert.ok(mine.body.webhooks.some((w) => w.id === made.body.id && w.secret === undefined), 'listed without its secret');
  assert.deepEqual((await json(await api('/api/v1/webhooks', other))).body.webhooks, []);
  assert.equal((await api(`/api/v1/webhooks/${made.body.id}`, other, { method: 'DELETE' })).status, 404);
  assert.equal((await api('/api/v1/webhooks/..%2F..%2Fx', owner, { method: 'DELETE' })).status, 404);
  assert.equal((await api(`/api/v1/webhooks/${made.body.id}`, owner, { method: 'DELETE' })).status, 204);
  assert.equal((await api(`/api/v1/webhooks/${made.body.id}`, owner, { method: 'DELETE' })).status, 404);
});

test('without --webhook-allow-private, targets inside the network are refused', async () => {
  const guarded = await startNode({ dataDir: path.join(work, 'guarded'), port: await freePort(), args: ['--rate-limit', 'auth=0/1'] });
  try {
    const who = { Authorization: `Bearer ${(await signIn(guarded.base)).token}` };
    for (const url of ['http://127.0.0.1:9/x', 'http://localhost/x', 'http://169.254.169.254/latest/meta-data',
      'http://[::1]/x', 'http://10.1.2.3/x', 'http://192.168.0.1/x', 'http://[::ffff:127.0.0.1]/x', 'http://0.0.0.0/x',
      'http://2130706433/x']) {
      const r = await fetch(`${guarded.base}/api/v1/webhooks`, {
        method: 'POST', headers: { 'Content-Type': 'application/json', ...who },
        body: JSON.stringify({ url, events: ['video.ready'] }),
      });
      assert.equal(r.status, 400, url);
      assert.equal(r.headers.get('content-type'), 'application/problem+json');
    }
    assert.equal((await fetch(`${guarded.base}/health/ready`)).status, 200);
  } finally {
    await stopNode(guarded);
  }
});

test('upload.completed and video.ready arrive signed with the webhook secret', async () => {
  const hook = await receiver();
  const made = (await json(await api('/api/v1/webhooks', owner,
    { method: 'POST', body: JSON.stringify({ url: hook.url, events: ['upload.completed', 'video.ready'] }) }))).body;
  const id = await uploadAndSettle('Announced');
  await until('both events', () => hook.got.length >= 2, 15000);
  const byType = Object.fromEntries(hook.got.map((g) => [JSON.parse(g.body).type, g]));
  for (const type of ['upload.completed', 'video.ready']) {
    const g = byType[type];
    assert.ok(g, `${type} arrived`);
    const body = JSON.parse(g.body);
    assert.equal(body.data.video_id, id);
    assert.match(body.id, /^evt_/);
    assert.equal(g.headers['streamgate-event'], type);
    assert.match(g.headers['streamgate-delivery'], /^dlv_/);
    // Verified as a receiver would: HMAC-SHA256(secret, t + "." + raw body), t recent.
    const [, t, v1] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(g.headers['streamgate-signature']);
    assert.ok(Math.abs(Date.now() / 1000 - Number(t)) < 300);
    const want = crypto.createHmac('sha256', made.secret).update(`${t}.${g.body}`).digest('hex');
    assert.equal(v1, want);
  }
  assert.equal(JSON.parse(byType['video.ready'].body).data.title, 'Announced');
  const delivered = (await json(await api('/api/v1/admin/deliveries?state=delivered', ADMIN))).body.deliveries;
  assert.ok(delivered.some((d) => d.url === hook.url && d.event === 'video.ready' && d.attempts === 1));
  await api(`/api/v1/webhooks/${made.id}`, owner, { method: 'DELETE' });
});

test('a failing receiver is retried with growing delays, then dead-lettered; the operator retries or dismisses', async () => {
  let answer = 500;
  const hook = await receiver(() => answer);
  const made = (await json(await api('/api/v1/webhooks', owner,
    { method: 'POST', body: JSON.stringify({ url: hook.url, events: ['video.ready'] }) }))).body;
  const id = await uploadAndSettle('Unlucky');
  await until('three attempts', () => hook.got.length >= 3, 20000);
  const [a, b, c] = hook.got.map((g) => g.at);
  assert.ok(b - a >= 250 && c - b >= 550, `delays ${b - a} ms, ${c - b} ms: 300 ms doubling`);
  const dead = await until('a dead letter', async () => {
    const list = (await json(await api('/api/v1/admin/deliveries?state=dead', ADMIN))).body.deliveries;
    return list.find((d) => d.webhook_id === made.id);
  }, 10000);
  assert.equal(dead.attempts, 3);
  assert.deepEqual(dead.history.map((h) => h.outcome), ['HTTP 500', 'HTTP 500', 'HTTP 500']);
  assert.equal(JSON.parse(hook.got[0].body).data.video_id, id);
  await sleep(1500);
  assert.equal(hook.got.length, 3, 'a dead letter is not tried again by itself');
  // Retried: tried again at once, delivered now that the receiver answers.
  answer = 204;
  const [retried] = await shellJson(`job retry ${dead.id}`);  // through the shell
  assert.equal(retried.state, 'pending');
  await until('the retry delivered', async () =>
    (await json(await api(`/api/v1/admin/deliveries/${dead.id}`, ADMIN))).body.state === 'delivered', 10000);
  assert.equal(hook.got.length, 4);
  const after = (await json(await api(`/api/v1/admin/deliveries/${dead.id}`, ADMIN))).body;
  assert.equal(after.history.at(-1).outcome, 'HTTP 204');
  assert.equal((await api(`/api/v1/admin/deliveries/${dead.id}/retry`, ADMIN, { method: 'POST' })).status, 409);
  // Another dead letter, dismissed.
  answer = 503;
  const rerun = await api(`/api/v1/videos/${id}/job`, owner, { method: 'POST' });
  assert.equal(rerun.status, 202);
  const second = await until('a second dead letter', async () => {
    const list = (await json(await api('/api/v1/admin/deliveries?state=dead', ADMIN))).body.deliveries;
    return list.find((d) => d.webhook_id === made.id && d.id !== dead.id);
  }, 60000);
  const [dismissed] = await shellJson(`job dismiss ${second.id}`);
  assert.equal(dismissed.state, 'dismissed');
  assert.ok(!(await json(await api('/api/v1/admin/deliveries?state=dead', ADMIN))).body.deliveries.some((d) => d.id === second.id));
  for (const [p, status] of [['/api/v1/admin/deliveries/dlv_nothing', 404], ['/api/v1/admin/deliveries?state=odd', 400]])
    assert.equal((await api(p, ADMIN)).status, status, p);
  assert.equal((await api('/api/v1/admin/deliveries?state=dead', { 'X-Admin-Token': 'guess' })).status, 403);
  await api(`/api/v1/webhooks/${made.id}`, owner, { method: 'DELETE' });
});

test('a failed transcode is a dead letter with its history; retried, then dismissed; video.failed is announced', async () => {
  const hook = await receiver();
  const made = (await json(await api('/api/v1/webhooks', owner,
    { method: 'POST', body: JSON.stringify({ url: hook.url, events: ['video.failed'] }) }))).body;
  const junk = path.join(work, 'junk.mp4');
  fs.writeFileSync(junk, crypto.randomBytes(64 * 1024));
  const r = await fetch(`${node.base}/api/v1/videos/upload?title=Junk`, { method: 'POST', headers: owner, body: fs.readFileSync(junk) });
  assert.equal(r.status, 201);
  const { id } = await r.json();
  const failedJob = async () => {
    const letters = (await json(await api('/api/v1/admin/dead-letters', ADMIN))).body;
    return letters.jobs.find((j) => j.video_id === id);
  };
  const first = await until('the failed job is a dead letter', failedJob, 60000);
  assert.equal(first.state, 'failed');
  assert.equal(first.history.length, first.attempts);
  assert.ok(first.history.every((h) => h.node === 'local' && h.outcome && Date.parse(h.ended_at) >= Date.parse(h.started_at)),
    JSON.stringify(first.history));
  assert.equal((await json(await api(`/api/v1/admin/jobs/${first.id}`, ADMIN))).body.history.length, first.attempts);
  // The shell sees the same dead letter, with the same attempts.
  const [dead, shown] = await shellJson(`jobs dead; job show ${first.id}`);
  assert.ok(dead.some((j) => j.id === first.id && j.kind === 'transcode'), JSON.stringify(dead));
  assert.equal(shown.history.length, first.attempts);
  await until('video.failed delivered', () => hook.got.some((g) => JSON.parse(g.body).data.video_id === id), 10000);
  const announced = JSON.parse(hook.got.find((g) => JSON.parse(g.body).data.video_id === id).body);
  assert.equal(announced.type, 'video.failed');
  assert.ok(announced.data.error, JSON.stringify(announced));
  // Retried: a new job for the video; the old one is no longer its latest.
  const retried = await json(await api(`/api/v1/admin/jobs/${first.id}/retry`, ADMIN, { method: 'POST' }));
  assert.equal(retried.status, 202, JSON.stringify(retried.body));
  assert.notEqual(retried.body.id, first.id);
  const second = await until('the retry failed too', async () => {
    const j = await failedJob();
    return j && j.id === retried.body.id && j;
  }, 60000);
  assert.equal((await api(`/api/v1/admin/jobs/${first.id}/retry`, ADMIN, { method: 'POST' })).status, 409);
  const dismissed = await json(await api(`/api/v1/admin/jobs/${second.id}/dismiss`, ADMIN, { method: 'POST' }));
  assert.equal(dismissed.status, 200);
  assert.equal(dismissed.body.dismissed, true);
  assert.equal(await failedJob(), undefined);
  assert.equal((await api(`/api/v1/admin/jobs/${second.id}/retry`, ADMIN, { method: 'POST' })).status, 409);
  const notAgain = await shell(['--admin-token', 'ops-secret', '-c', `job retry ${second.id}`]);
  assert.equal(notAgain.code, 1);
  assert.match(notAgain.stderr, /job retry: /);
  for (const bad of ['nothing', '0123456789abcdef'])
    assert.equal((await api(`/api/v1/admin/jobs/${bad}`, ADMIN)).status, 404, bad);
  assert.equal((await api('/api/v1/admin/dead-letters', {})).status, 403);
  await api(`/api/v1/webhooks/${made.id}`, owner, { method: 'DELETE' });
});

test('scheduled jobs are listed with their last and next runs, and run on demand', async () => {
  const list = (await json(await api('/api/v1/admin/schedules', ADMIN))).body.schedules;
  assert.deepEqual(list.map((s) => s.name), ['analytics.prune', 'auth.sweep', 'deliveries.prune', 'uploads.sweep']);
  for (const s of list) {
    assert.equal(s.last_outcome, 'ok', JSON.stringify(s));  // each ran once at start
    assert.ok(Date.parse(s.next_run) - Date.parse(s.last_run) === s.every_s * 1000, JSON.stringify(s));
  }
  assert.equal(list.find((s) => s.name === 'uploads.sweep').scope, 'node');
  // A challenge past its --challenge-ttl is swept when the schedule runs now.
  const challenge = await fetch(`${node.base}/api/v1/auth/challenge`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ address: '0x0000000000000000000000000000000000000001', chain_id: 1337 }),
  });
  assert.equal(challenge.status, 200, await challenge.clone().text());
  await sleep(2500);
  const ran = await json(await api('/api/v1/admin/schedules/auth.sweep/run', ADMIN, { method: 'POST' }));
  assert.equal(ran.status, 200);
  assert.equal(ran.body.last_outcome, 'ok');
  const [, swept] = /^dropped (\d+) spent sign-in records$/.exec(ran.body.last_detail);
  assert.ok(Number(swept) >= 1, ran.body.last_detail);
  assert.ok(Date.parse(ran.body.last_run) > Date.parse(list.find((x) => x.name === 'auth.sweep').last_run));
  // The retention sweep of playback figures (--analytics-retention-days, 30).
  const pruned = await json(await api('/api/v1/admin/schedules/analytics.prune/run', ADMIN, { method: 'POST' }));
  assert.equal(pruned.body.last_outcome, 'ok', pruned.body.last_detail);
  assert.match(pruned.body.last_detail, /^deleted 0 analytics rows of hours before \d{4}-/);
  assert.equal((await api('/api/v1/admin/schedules/nothing/run', ADMIN, { method: 'POST' })).status, 404);
  assert.equal((await api('/api/v1/admin/schedules', {})).status, 403);
  assert.equal((await fetch(`${node.base}/health/ready`)).status, 200);
});

test('the admin shell runs commands over CAF: tables for people, JSON for scripts, clear refusals', async () => {
  const [schedules, ran, cache, alerts] = await shellJson('schedules; schedule run auth.sweep; cache stats; alerts');
  assert.deepEqual(schedules.map((x) => x.name), ['analytics.prune', 'auth.sweep', 'deliveries.prune', 'uploads.sweep']);
  assert.equal(ran.name, 'auth.sweep');
  assert.equal(ran.last_outcome, 'ok');
  assert.ok(cache.some((row) => row.shard === 'total'));
  assert.ok(Array.isArray(alerts));
  const [nodes, videos, config] = await shellJson('nodes; videos Announced; config');
  assert.equal(nodes.clustered, false);
  const announced = videos.find((v) => v.title === 'Announced');
  assert.ok(announced && announced.status === 'ready', JSON.stringify(videos));
  const [shown] = await shellJson(`video show ${announced.id}`);
  assert.equal(shown.id, announced.id);
  assert.ok(shown.renditions.length > 0);
  assert.match(config.config, /^admin-token="\(redacted\)"$/m);
  assert.match(config.config, /^webhook-attempts=3$/m);
  assert.doesNotMatch(config.config, /ops-secret/);
  // (e2e.gating fills the cache with NFT results and clears it from the shell.)
  const [invalidated] = await shellJson('cache invalidate');
  assert.equal(invalidated.removed, 0);
  const [uploads, metrics] = await shellJson('uploads; metrics streamgate_alert_firing');
  assert.ok(Array.isArray(uploads));
  assert.ok(Object.keys(metrics).some((k) => k === 'streamgate_alert_firing{name="disk_free"}'), JSON.stringify(metrics));
  // logs --follow prints new lines as they come, until interrupted.
  const { spawn } = await import('node:child_process');
  const follower = spawn(BIN, ['shell', '--connect', `127.0.0.1:${shellPort}`, '--admin-token', 'ops-secret',
    '-c', `logs --follow --component jobs --since 1s`]);
  let followed = '';
  follower.stdout.on('data', (d) => { followed += d; });
  await sleep(700);
  await api('/api/v1/admin/schedules/deliveries.prune/run', ADMIN, { method: 'POST' });
  await until('the followed line', () => followed.includes('deliveries.prune'), 5000);
  follower.kill('SIGINT');
  const people = await shell(['--admin-token', 'ops-secret', '-c', 'schedules']);
  assert.match(people.stdout, /^SCHEDULE +SCOPE +EVERY/m);
  assert.match(people.stdout, /^uploads\.sweep +node +60 s/m);
  // Refusals: a wrong token, an unknown command, a bad argument, no node.
  const wrong = await shell(['--admin-token', 'guess', '-c', 'alerts']);
  assert.equal(wrong.code, 1);
  assert.match(wrong.stderr, /wrong admin token/);
  const unknown = await shell(['--admin-token', 'ops-secret', '-c', 'alerts; frobnicate; schedules']);
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /unknown command 'frobnicate'/);
  assert.doesNotMatch(unknown.stdout, /SCHEDULE/, 'stops at the first failure');
  const missing = await shell(['--admin-token', 'ops-secret', '-c', 'job show 0123456789abcdef']);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /does not exist/);
  const single = await shell(['--admin-token', 'ops-secret', '-c', 'logs --node other']);
  assert.equal(single.code, 1);
  assert.match(single.stderr, /--node is for a cluster/);
  const bad = await shell(['--admin-token', 'ops-secret', '-c', 'logs --since forever']);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /usage: logs/);
  const nowhere = await run(BIN, ['shell', '--connect', '127.0.0.1:1', '-c', 'alerts']).catch((e) => e);
  assert.equal(nowhere.code, 1);
  // Line by line from its input, as a pipe gives it.
  const piped = await shell(['--admin-token', 'ops-secret'], 'help\nschedules\n');
  assert.equal(piped.code, 0, piped.stderr);
  assert.match(piped.stdout, /schedule run NAME/);
  assert.match(piped.stdout, /auth\.sweep/);
  // On a terminal (a pty from script(1)): the prompt, completion of command
  // names with Tab, and the history kept in ~/.streamgate_history.
  const home = path.join(work, 'home');
  fs.mkdirSync(home, { recursive: true });
  const { spawnSync } = await import('node:child_process');
  const tty = spawnSync('script', ['-qec', `${BIN} shell --connect 127.0.0.1:${shellPort} --admin-token ops-secret`, '/dev/null'],
    { input: 'schedules\ncache st\t\nschedule run deliveries.p\t\nquit\n', encoding: 'utf8', timeout: 20000,
      env: { ...process.env, HOME: home } });
  assert.equal(tty.status, 0, tty.stderr);
  assert.match(tty.stdout, /streamgate> /);
  assert.match(tty.stdout, /^auth\.sweep +cluster/m);
  assert.match(tty.stdout, /^SHARD +ENTRIES/m, 'Tab completed "cache st" to "cache stats"');
  assert.equal(tty.stdout.match(/^deliveries\.prune +cluster/gm)?.length, 2, 'Tab completed the schedule name, which ran');
  assert.match(fs.readFileSync(path.join(home, '.streamgate_history'), 'utf8'), /^schedules$/m);
  assert.equal((await fetch(`${node.base}/health/ready`)).status, 200);
});

test('the shell shows the actors, resizes the transcode pool at once, lists and cancels jobs, delays a schedule', async () => {
  // The named actors with what they handled.
  const [actors] = await shellJson('actors');
  for (const name of ['directory', 'metadata_store', 'transcoder', 'monitor', 'jobs']) {
    const row = actors.find((a) => a.actor === name);
    assert.ok(row && row.instances >= 1 && row.handled > 0 && row.mailbox >= 0, `${name}: ${JSON.stringify(actors)}`);
  }
  const people = await shell(['--admin-token', 'ops-secret', '-c', 'actors']);
  assert.match(people.stdout, /^ACTOR +INSTANCES +MAILBOX +HANDLED/m);
  assert.match(people.stdout, /^transcoder +1 +\d+ msg +\d+ msg/m);
  const metrics = await (await fetch(`${node.base}/metrics`)).text();
  assert.match(metrics, /^streamgate_actor_messages_total\{actor="transcoder"\} \d+/m);

  // The pool: its bounds, then new ones at once (the new minimum starts).
  const [pool] = await shellJson('pool transcode');
  assert.deepEqual([pool.min, pool.max], [0, 1]);
  const [grown] = await shellJson('pool transcode min 1 max 2');
  assert.deepEqual([grown.min, grown.max], [1, 2]);
  await until('the minimum worker started', async () => (await shellJson('pool transcode'))[0].workers >= 1, 20000);
  for (const bad of ['pool transcode min 3 max 2', 'pool transcode min 0 max 0', 'pool transcode max 2', 'pool transcode --all --node x']) {
    const refused = await shell(['--admin-token', 'ops-secret', '-c', bad]);
    assert.equal(refused.code, 1, bad);
    assert.match(refused.stderr, /pool|usage/, bad);
  }
  const [all] = await shellJson('pool transcode --all min 0 max 1');  // a single node: itself
  assert.deepEqual(all.map((p) => [p.min, p.max]), [[0, 1]]);

  // Jobs: a long clip runs, the next waits behind it; the operator cancels the second.
  const long = await makeClip(path.join(work, 'long.mp4'), { seconds: 30, bitrate: '1M' });
  const ids = [];
  for (const title of ['Long one', 'Long two']) {
    const r = await fetch(`${node.base}/api/v1/videos/upload?title=${encodeURIComponent(title)}`,
      { method: 'POST', headers: owner, body: fs.readFileSync(long) });
    assert.equal(r.status, 201);
    ids.push((await r.json()).id);
  }
  const jobOf = async (videoId) => {
    const [active] = await shellJson('jobs');
    return active.find((j) => j.video_id === videoId);
  };
  const second = await until('the second job is listed', () => jobOf(ids[1]), 20000);
  assert.ok(['queued', 'running'].includes(second.state), JSON.stringify(second));
  const [cancelled] = await shellJson(`job cancel ${second.id}`);
  assert.equal(cancelled.state, 'cancelled');
  const [listed] = await shellJson('jobs cancelled');
  assert.ok(listed.some((j) => j.id === second.id), JSON.stringify(listed));
  const again = await shell(['--admin-token', 'ops-secret', '-c', `job cancel ${second.id}`]);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /not queued or running/);
  const badState = await shell(['--admin-token', 'ops-secret', '-c', 'jobs sleeping']);
  assert.equal(badState.code, 1);
  assert.match(badState.stderr, /a job state is/);

  // A delayed run: the next run moves, and the schedule runs then.
  const before = (await shellJson('schedules'))[0].find((s) => s.name === 'deliveries.prune');
  const [delayed] = await shellJson('schedule run deliveries.prune --in 2s');
  const at = Date.parse(delayed.next_run);
  assert.ok(at > Date.now() - 1000 && at <= Date.now() + 2500, delayed.next_run);
  const ran = await until('the delayed run', async () => {
    const s = (await shellJson('schedules'))[0].find((x) => x.name === 'deliveries.prune');
    return s.last_run !== before.last_run && s.last_outcome === 'ok' && s;
  }, 10000);
  assert.ok(Date.parse(ran.last_run) >= at, `${ran.last_run} >= ${delayed.next_run}`);
  const later = await json(await api('/api/v1/admin/schedules/deliveries.prune/run?at=2099-01-01T00:00:00Z', ADMIN, { method: 'POST' }));
  assert.equal(later.status, 200);
  assert.equal(later.body.next_run, '2099-01-01T00:00:00.000Z');
  for (const q of ['at=tomorrow', 'in=soon', 'at=2099-01-01T00:00:00'])
    assert.equal((await api(`/api/v1/admin/schedules/deliveries.prune/run?${q}`, ADMIN, { method: 'POST' })).status, 400, q);
  const badWhen = await shell(['--admin-token', 'ops-secret', '-c', 'schedule run deliveries.prune --in soon']);
  assert.equal(badWhen.code, 1);
  assert.match(badWhen.stderr, /--in a duration/);
  await until('the first long video settles', async () =>
    ['ready', 'failed'].includes((await (await api(`/api/v1/videos/${ids[0]}`)).json()).status), 120000);
  assert.equal((await fetch(`${node.base}/health/ready`)).status, 200);
});
