// Token-gated playback against a real local chain: ganache with an ERC-721 and
// an ERC-1155 deployed (bytecode compiled once, contracts/GateTokens.json),
// wallets signing in with ethers, hls.js playing in Chromium.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import fs from 'node:fs';
import path from 'node:path';
import { ethers } from 'ethers';
import * as tus from 'tus-js-client';
import { BIN, freePort, makeClip, startNode, stopNode, tempDir } from './harness.mjs';
import { signIn } from './sign_in.mjs';
import { launchBrowser, playIn } from './browser.mjs';
import { KEYS, deploy, startChain } from './chain.mjs';

const CACHE_S = 2;

const work = tempDir('sg-e2e-gate-');
let chain;
let chainPort;
let shellPort;
let node;
let browser;
let pass;   // ERC-721
let badge;  // ERC-1155
let A;
let B;
let videoId;

before(async () => {
  let provider;
  ({ process: chain, port: chainPort, provider } = await startChain());
  pass = await deploy(provider, 'GatePass');
  badge = await deploy(provider, 'GateBadge');
  A = new ethers.Wallet(KEYS[1], provider);
  B = new ethers.Wallet(KEYS[2], provider);
  await (await pass.mint(A.address, 1)).wait();
  await (await badge.mint(A.address, 7, 2)).wait();

  const port = await freePort();
  shellPort = await freePort();
  const dead = await freePort();  // nothing listens here: failover must skip it
  node = await startNode({ dataDir: path.join(work, 'data'), port, args: [
    '--chain', `1337=http://127.0.0.1:${dead},http://127.0.0.1:${chainPort}`,
    '--nft-cache-positive', String(CACHE_S), '--nft-cache-negative', '1', '--rpc-timeout-ms', '1000',
    '--ladder', '360', '--admin-token', 'operator-secret', '--rpc-breaker-open', '1', '--cluster-port', String(shellPort),
    // The dead endpoint's circuit stays open: the alert counts the live one too.
    '--alert', 'rpc_circuit_open=2', '--alert', 'disk_free=1e18/0'] });
  A.session = (await signIn(node.base, KEYS[1])).token;
  B.session = (await signIn(node.base, KEYS[2])).token;
  browser = await launchBrowser();

  const clip = await makeClip(path.join(work, 'clip.mp4'), { seconds: 6, bitrate: '1M' });
  videoId = await new Promise((resolve, reject) => {
    const u = new tus.Upload(fs.readFileSync(clip), {
      endpoint: `${node.base}/api/v1/uploads`, headers: { Authorization: `Bearer ${A.session}` },
      metadata: { title: 'Holders only' }, onError: reject,
      onSuccess: async () => resolve((await (await fetch(u.url, { headers: { Authorization: `Bearer ${A.session}` } })).json()).video_id),
    });
    u.start();
  });
  for (let i = 0; i < 600; i++) {
    const v = await (await fetch(`${node.base}/api/v1/videos/${videoId}`)).json();
    if (v.status === 'ready') break;
    assert.notEqual(v.status, 'failed', v.error);
    await new Promise((r) => setTimeout(r, 200));
  }
});

after(async () => {
  await browser?.close();
  if (node) await stopNode(node);
  chain?.kill('SIGKILL');
  fs.rmSync(work, { recursive: true, force: true });
});

const call = (method, p, who, body) => fetch(`${node.base}${p}`, {
  method, headers: { 'Content-Type': 'application/json', ...(who ? { Authorization: `Bearer ${who.session}` } : {}) },
  body: body === undefined ? undefined : JSON.stringify(body),
});
const setGate = (gate) => call('PATCH', `/api/v1/videos/${videoId}`, A, { gate });
const playback = (who) => call('GET', `/api/v1/videos/${videoId}/playback`, who);
const sleep = (s) => new Promise((r) => setTimeout(r, s * 1000));

test('an ERC-721 gate: the holder plays, others are refused', async () => {
  const r = await setGate({ mode: 'any', rules: [{ chain_id: 1337, contract: await pass.getAddress(), standard: 'erc721', token_id: '1' }] });
  assert.equal(r.status, 200, await r.text());
  assert.equal((await call('PATCH', `/api/v1/videos/${videoId}`, B, { gate: null })).status, 403, 'only the owner sets gates');
  assert.equal((await playback()).status, 401, 'a gated video needs a session');
  assert.equal((await playback(B)).status, 403);
  const ok = await playback(A);
  assert.equal(ok.status, 200);
  const urls = await ok.json();
  assert.match(urls.hls, new RegExp(`/v/${videoId}/\\d+\\.${A.address.slice(2).toLowerCase()}\\.[0-9a-f]{32}/master.m3u8`),
    'the token is bound to the viewer');
  const hls = await playIn(browser, node.base, 'hls', `${node.base}${urls.hls}`);
  assert.deepEqual(hls.errors, []);
  assert.ok(hls.time > 3);
  // A token cannot be moved to another viewer.
  const moved = urls.hls.replace(A.address.slice(2).toLowerCase(), B.address.slice(2).toLowerCase());
  assert.equal((await fetch(`${node.base}${moved}`)).status, 403);
});

test('an ERC-1155 gate found by ERC-165 detection, with a minimum balance', async () => {
  const badgeAddress = await badge.getAddress();
  assert.equal((await setGate({ mode: 'all', rules: [{ chain_id: 1337, contract: badgeAddress, standard: 'auto', token_id: '7', min_balance: 2 }] })).status, 200);
  assert.equal((await playback(A)).status, 200);
  assert.equal((await playback(B)).status, 403);
  assert.equal((await setGate({ mode: 'all', rules: [{ chain_id: 1337, contract: badgeAddress, standard: 'auto', token_id: '7', min_balance: 3 }] })).status, 200);
  assert.equal((await playback(A)).status, 403, 'two badges are not three');
  const v = await (await call('GET', `/api/v1/videos/${videoId}`)).json();
  assert.equal(v.gate.rules[0].min_balance, 3);
});

test('POST /api/v1/nft/verify checks the caller\'s own wallet', async () => {
  const rule = { chain_id: 1337, contract: await pass.getAddress(), standard: 'erc721', token_id: '1' };
  assert.deepEqual(await (await call('POST', '/api/v1/nft/verify', A, rule)).json(), { address: A.address, holds: true });
  assert.equal((await (await call('POST', '/api/v1/nft/verify', B, rule)).json()).holds, false);
  assert.equal((await call('POST', '/api/v1/nft/verify', null, rule)).status, 401);
  assert.equal((await call('POST', '/api/v1/nft/verify', A, { ...rule, contract: 'nope' })).status, 400);
  const metrics = await (await fetch(`${node.base}/metrics`)).text();
  assert.match(metrics, /streamgate_nft_checks_total\{result="holds"\} \d+/);
});

test('NFT results live in the cache shards; the admin API shows and clears them', async () => {
  const admin = (method, query = '') => fetch(`${node.base}/api/v1/admin/cache${query}`,
    { method, headers: { 'X-Admin-Token': 'operator-secret' } });
  assert.equal((await fetch(`${node.base}/api/v1/admin/cache`)).status, 403);
  assert.equal((await fetch(`${node.base}/api/v1/admin/cache`, { headers: { 'X-Admin-Token': 'guess' } })).status, 403);
  const rule = { chain_id: 1337, contract: await pass.getAddress(), standard: 'erc721', token_id: '1' };
  assert.equal((await setGate({ mode: 'any', rules: [rule] })).status, 200);
  assert.equal((await playback(A)).status, 200);
  assert.equal((await playback(A)).status, 200);  // answered from the cache
  const stats = await (await admin('GET')).json();
  assert.ok(stats.entries >= 1, JSON.stringify(stats));
  assert.ok(stats.hits >= 1, JSON.stringify(stats));
  assert.equal(stats.shards.length, 4);
  const cleared = await (await admin('DELETE', '?prefix=nft%7C')).json();
  assert.ok(cleared.removed >= 1);
  assert.equal((await (await admin('GET')).json()).entries, 0);
  assert.equal((await admin('DELETE')).status, 400);
  assert.match(await (await fetch(`${node.base}/metrics`)).text(), /streamgate_cache_hits_total\{shard="\d"\} \d+/);
  // The same through the admin shell.
  assert.equal((await playback(A)).status, 200);
  const { stdout } = await promisify(execFile)(BIN, ['shell', '--connect', `127.0.0.1:${shellPort}`,
    '--admin-token', 'operator-secret', '--json', '-c', 'cache stats; cache invalidate nft|; cache stats']);
  const [before, removed, after] = stdout.trim().split('\n').map((l) => JSON.parse(l));
  const total = (rows) => rows.find((r) => r.shard === 'total').entries;
  assert.ok(total(before) >= 1, stdout);
  assert.equal(removed.removed, total(before));
  assert.equal(total(after), 0);
});

test('an EIP-1271 contract wallet signs in with its owner\'s signature', async () => {
  const contractWallet = await deploy(A.provider, 'OwnedWallet', A.address);
  const address = ethers.getAddress(await contractWallet.getAddress());
  const answer = async (signer) => {
    const c = await (await call('POST', '/api/v1/auth/challenge', null, { address, chain_id: 1337 })).json();
    return call('POST', '/api/v1/auth/verify', null, { message: c.message, signature: await signer.signMessage(c.message) });
  };
  const ok = await answer(A);
  assert.equal(ok.status, 200);
  assert.equal((await ok.json()).address, address);
  const refused = await answer(B);
  assert.equal(refused.status, 401);
  assert.match((await refused.json()).detail, /does not match/);
});

test('after a transfer, access follows the token once the cache expires', async () => {
  const rule = { chain_id: 1337, contract: await pass.getAddress(), standard: 'erc721', token_id: '1' };
  assert.equal((await setGate({ mode: 'any', rules: [rule] })).status, 200);
  assert.equal((await playback(A)).status, 200);
  await (await pass.connect(A).transferFrom(A.address, B.address, 1)).wait();
  await sleep(CACHE_S + 0.5);
  assert.equal((await playback(A)).status, 403);
  assert.equal((await playback(B)).status, 200);
});

test('with every RPC endpoint down, gated playback fails closed with 503', async () => {
  chain.kill('SIGSTOP');  // calls time out; the next test lets it go on
  await sleep(CACHE_S + 0.5);
  const r = await playback(B);
  assert.equal(r.status, 503);
  assert.ok(Number(r.headers.get('retry-after')) > 0);
  assert.equal(r.headers.get('content-type'), 'application/problem+json');
});

test('alerts fire while the chain is stopped and resolve once it answers again', async () => {
  const admin = (p, token = 'operator-secret') => fetch(`${node.base}${p}`, { headers: { 'X-Admin-Token': token } });
  const alerts = async () => (await (await admin('/api/v1/admin/alerts')).json()).alerts;
  const named = (list, name) => list.find((a) => a.name === name);
  const waitFor = async (what, pred) => {
    for (let i = 0; i < 100; i++) {
      const list = await alerts();
      if (pred(list)) return list;
      await sleep(0.2);
    }
    assert.fail(`${what}: ${JSON.stringify(await alerts())}`);
  };
  const rule = { chain_id: 1337, contract: await pass.getAddress(), standard: 'erc721', token_id: '1' };
  // Three failed calls open the live endpoint's circuit as well (--rpc-breaker-failures).
  for (let i = 0; i < 3; i++)
    assert.equal((await call('POST', '/api/v1/nft/verify', B, rule)).status, 503);
  let list = await waitFor('rpc_circuit_open fires', (l) => named(l, 'rpc_circuit_open')?.state === 'firing');
  assert.equal(named(list, 'rpc_circuit_open').value, 2);
  assert.match(await (await fetch(`${node.base}/metrics`)).text(), /streamgate_alert_firing\{name="rpc_circuit_open"\} 1/);
  chain.kill('SIGCONT');
  await sleep(1.2);  // --rpc-breaker-open: then one trial call
  assert.equal((await call('POST', '/api/v1/nft/verify', B, rule)).status, 200);
  list = await waitFor('rpc_circuit_open resolves', (l) => named(l, 'rpc_circuit_open')?.state === 'resolved');
  const resolved = named(list, 'rpc_circuit_open');
  assert.ok(Date.parse(resolved.until) >= Date.parse(resolved.since), JSON.stringify(resolved));
  assert.match(await (await fetch(`${node.base}/metrics`)).text(), /streamgate_alert_firing\{name="rpc_circuit_open"\} 0/);
  // A floor above any disk: firing since the first evaluation, with its figures.
  const disk = named(list, 'disk_free');
  assert.equal(disk.state, 'firing');
  assert.equal(disk.threshold, 1e18);
  assert.ok(disk.value > 0 && disk.node === 'local', JSON.stringify(disk));
  // Nothing else holds on this node (no backlog, not clustered).
  assert.deepEqual(list.map((a) => a.name).sort(), ['disk_free', 'rpc_circuit_open']);
  assert.equal((await admin('/api/v1/admin/alerts', 'guess')).status, 403);
  assert.equal((await admin('/api/v1/admin/alerts?node=x')).status, 400);
});

test("the node's recent log lines are queryable by the operator, filtered", async () => {
  const logs = (query = '', token = 'operator-secret') => fetch(`${node.base}/api/v1/admin/logs${query}`,
    { headers: { 'X-Admin-Token': token } });
  assert.equal((await logs('', 'guess')).status, 403);
  const all = await (await logs('?component=node')).json();
  assert.ok(all.lines.some((l) => l.msg === 'ready' && l.level === 'info'), JSON.stringify(all.lines.slice(-3)));
  assert.ok(all.lines.every((l) => l.component === 'node'));
  // The level filter drops what is below it, `since` what is older, and
  // `limit` keeps the newest.
  const warnings = await (await logs('?level=warn')).json();
  assert.ok(warnings.lines.every((l) => ['warn', 'error'].includes(l.level)));
  assert.equal((await (await logs('?component=node&since=1d')).json()).lines.length, all.lines.length);
  assert.equal((await (await logs(`?since=${Date.now() + 60000}`)).json()).lines.length, 0);
  const two = await (await logs('?limit=2')).json();
  assert.equal(two.lines.length, 2);
  for (const bad of ['?level=loud', '?since=5y', '?since=-1', '?limit=0', '?limit=99999', `?component=${'x'.repeat(65)}`]) {
    const r = await logs(bad);
    assert.equal(r.status, 400, bad);
    assert.equal(r.headers.get('content-type'), 'application/problem+json');
  }
  assert.equal((await fetch(`${node.base}/health/live`)).status, 200);
});

test('follow=1 streams the matching lines, then new ones as they come', async () => {
  const headers = { 'X-Admin-Token': 'operator-secret' };
  const followOnce = async () => {
    const ac = new AbortController();
    const r = await fetch(`${node.base}/api/v1/admin/logs?follow=1&component=jobs&since=${Date.now()}`, { headers, signal: ac.signal });
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('content-type'), 'application/x-ndjson');
    const reader = r.body.getReader();
    await fetch(`${node.base}/api/v1/admin/schedules/auth.sweep/run`, { method: 'POST', headers });
    let text = '';
    const deadline = Date.now() + 5000;
    while (!text.includes('\n') && Date.now() < deadline) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    ac.abort();
    const line = JSON.parse(text.split('\n')[0]);
    assert.equal(line.msg, 'scheduled job ran');
    assert.equal(line.node, 'local');
  };
  // More followers, one after another, than may follow at once: each one
  // that went freed its place.
  for (let i = 0; i < 6; i++) await followOnce();
  assert.equal((await fetch(`${node.base}/api/v1/admin/logs?follow=yes`, { headers })).status, 400);
});
