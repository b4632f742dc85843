// Wallet sign-in against a real node with the real client libraries: ethers
// (EIP-191, EIP-712), siwe (EIP-4361) and tweetnacl (Solana), then JWT
// sessions: refresh, logout, rotation, and every kind of forgery we refuse.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ethers } from 'ethers';
import { SiweMessage } from 'siwe';
import nacl from 'tweetnacl';
import bs58 from 'bs58';
import { freePort, startNode, stopNode, tempDir } from './harness.mjs';
import { signIn as signInTo } from './sign_in.mjs';

const work = tempDir('sg-e2e-auth-');
const dataDir = path.join(work, 'data');
// ganache's deterministic account 1 (test-vectors.md).
const wallet = new ethers.Wallet('0x6cbed15c793ce57650b9877cf6fa156fbef513c4e6134f022a85b1ffdd59b2a1');
const K1 = 'k1:first-signing-secret-0123456789';
const K2 = 'k2:second-signing-secret-0123456789';
let port;
let node;
let domain;

// Rate limits are tested on their own; this test signs in dozens of times.
const nodeArgs = (keys) => ['--chain', '1337=http://127.0.0.1:9', '--rate-limit', 'auth=0/1',
  ...keys.flatMap((k) => ['--jwt-key', k])];

before(async () => {
  port = await freePort();
  domain = `127.0.0.1:${port}`;
  node = await startNode({ dataDir, port, args: nodeArgs([K1]) });
});

after(async () => {
  await stopNode(node);
  fs.rmSync(work, { recursive: true, force: true });
});

async function post(p, body, token) {
  const headers = { 'Content-Type': 'application/json' };
  if (token) headers.Authorization = `Bearer ${token}`;
  const r = await fetch(`${node.base}${p}`, { method: 'POST', headers, body: JSON.stringify(body ?? {}) });
  const text = await r.text();
  return { status: r.status, body: text ? JSON.parse(text) : null, type: r.headers.get('content-type') };
}
const me = async (token) => (await fetch(`${node.base}/api/v1/auth/me`, { headers: { Authorization: `Bearer ${token}` } })).status;
const challenge = (kind, address = wallet.address, chain_id = 1337) =>
  post('/api/v1/auth/challenge', { address, chain_id, kind });

function expectDenied(r, reason) {
  assert.equal(r.status, 401, JSON.stringify(r.body));
  assert.equal(r.type, 'application/problem+json');
  assert.match(r.body.detail, reason);
}

async function signIn() {
  const c = await challenge('siwe');
  assert.equal(c.status, 200);
  const signature = await wallet.signMessage(c.body.message);
  const r = await post('/api/v1/auth/verify', { message: c.body.message, signature });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return { ...r.body, message: c.body.message, signature, nonce: c.body.nonce };
}

// A SIWE message of our nonce, built by the siwe library with some fields changed.
async function siweWith(changes) {
  const c = await challenge('siwe');
  const now = new Date();
  const m = new SiweMessage({
    domain, address: wallet.address, statement: 'Sign in to StreamGate.', uri: `http://${domain}`,
    version: '1', chainId: 1337, nonce: c.body.nonce, issuedAt: now.toISOString(),
    expirationTime: new Date(now.getTime() + 60000).toISOString(), ...changes,
  });
  const message = m.prepareMessage();
  return { message, signature: await wallet.signMessage(message) };
}

test('SIWE: challenge, sign with ethers, verify, and the session works', async () => {
  const s = await signIn();
  assert.equal(s.address, wallet.address);
  // The challenge is a message the siwe library itself accepts and verifies.
  const parsed = new SiweMessage(s.message);
  assert.equal(parsed.domain, domain);
  assert.equal(parsed.chainId, 1337);
  assert.ok((await parsed.verify({ signature: s.signature })).success);
  assert.equal(await me(s.token), 200);
  const body = await (await fetch(`${node.base}/api/v1/auth/me`, { headers: { Authorization: `Bearer ${s.token}` } })).json();
  assert.equal(body.address, wallet.address);
  // The JWT carries sub, iat, nbf, exp, jti and a kid.
  const [h, p] = s.token.split('.').slice(0, 2).map((x) => JSON.parse(Buffer.from(x, 'base64url')));
  assert.deepEqual([h.alg, h.kid], ['HS256', 'k1']);
  assert.equal(p.sub, wallet.address);
  for (const claim of ['iat', 'nbf', 'exp', 'jti']) assert.ok(p[claim], claim);
  assert.equal(p.exp - p.iat, 3600);
});

test('a replayed signature is refused', async () => {
  const s = await signIn();
  expectDenied(await post('/api/v1/auth/verify', { message: s.message, signature: s.signature }), /nonce/);
});

test('expired, wrong-domain, wrong-chain and future messages are refused', async () => {
  const past = new Date(Date.now() - 120000).toISOString();
  expectDenied(await post('/api/v1/auth/verify', await siweWith({ expirationTime: past })), /expired/);
  expectDenied(await post('/api/v1/auth/verify', await siweWith({ domain: 'evil.example' })), /domain/);
  expectDenied(await post('/api/v1/auth/verify', await siweWith({ chainId: 1 })), /chain/);
  const future = new Date(Date.now() + 600000).toISOString();
  expectDenied(await post('/api/v1/auth/verify', await siweWith({ issuedAt: future, expirationTime: undefined })), /Issued At/);
  expectDenied(await post('/api/v1/auth/verify', await siweWith({ notBefore: future })), /not valid yet/);
  // Someone else's signature over our message.
  const c = await challenge('siwe');
  const other = ethers.Wallet.createRandom();
  expectDenied(await post('/api/v1/auth/verify', { message: c.body.message, signature: await other.signMessage(c.body.message) }),
    /does not match/);
  expectDenied(await post('/api/v1/auth/verify', { message: 'not a sign-in message', signature: '0x00' }), /nonce/);
});

test('a high-s (malleated) signature is refused', async () => {
  const c = await challenge('siwe');
  const sig = ethers.Signature.from(await wallet.signMessage(c.body.message));
  const n = BigInt('0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141');
  const highS = ethers.toBeHex(n - BigInt(sig.s), 32);
  const malleated = ethers.concat([sig.r, highS, sig.v === 27 ? '0x1c' : '0x1b']);
  expectDenied(await post('/api/v1/auth/verify', { message: c.body.message, signature: malleated }), /high s/);
});

test('EIP-191 personal_sign', async () => {
  const c = await challenge('eip191');
  assert.match(c.body.message, /^Sign in to StreamGate\n/);
  const r = await post('/api/v1/auth/verify', { message: c.body.message, signature: await wallet.signMessage(c.body.message) });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const tampered = c.body.message.replace('Chain ID: 1337', 'Chain ID: 1');
  const c2 = await challenge('eip191');
  expectDenied(await post('/api/v1/auth/verify', {
    message: c2.body.message.replace('Chain ID: 1337', 'Chain ID: 1'),
    signature: await wallet.signMessage(tampered) }), /differs/);
});

test('EIP-712 typed data', async () => {
  const c = await challenge('eip712');
  const td = c.body.typed_data;
  assert.equal(td.domain.name, 'StreamGate');
  const { EIP712Domain, ...types } = td.types;
  const signature = await wallet.signTypedData(td.domain, types, td.message);
  const r = await post('/api/v1/auth/verify', { typed_data: td, signature });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.address, wallet.address);
  const c2 = await challenge('eip712');
  const forged = { ...c2.body.typed_data, domain: { ...c2.body.typed_data.domain, chainId: 1 } };
  const { EIP712Domain: _, ...types2 } = forged.types;
  expectDenied(await post('/api/v1/auth/verify', { typed_data: forged,
    signature: await wallet.signTypedData(forged.domain, types2, forged.message) }), /typed data differs/);
});

test('Solana (ed25519, base58) with tweetnacl', async () => {
  const kp = nacl.sign.keyPair.fromSeed(new Uint8Array(32).fill(1));
  const address = bs58.encode(kp.publicKey);
  const c = await post('/api/v1/auth/challenge', { address, kind: 'solana' });
  assert.equal(c.status, 200, JSON.stringify(c.body));
  assert.match(c.body.message, /wants you to sign in with your Solana account:/);
  const sig = nacl.sign.detached(new TextEncoder().encode(c.body.message), kp.secretKey);
  const r = await post('/api/v1/auth/verify', { message: c.body.message, signature: bs58.encode(sig), public_key: address });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.address, address);
  const c2 = await post('/api/v1/auth/challenge', { address, kind: 'solana' });
  const wrong = nacl.sign.detached(new TextEncoder().encode(c2.body.message), nacl.sign.keyPair().secretKey);
  expectDenied(await post('/api/v1/auth/verify', { message: c2.body.message, signature: bs58.encode(wrong) }), /public key/);
});

test('bad challenge requests get 400', async () => {
  assert.equal((await challenge('siwe', '0xFFcf8FDEE72ac11b5c542428B35EEF5769C409F0')).status, 400);  // EIP-55
  assert.equal((await challenge('siwe', wallet.address, 1)).status, 400);  // chain not configured
  assert.equal((await challenge('carrier-pigeon')).status, 400);
  assert.equal((await post('/api/v1/auth/challenge', { chain_id: 1337 })).status, 400);
  const r = await fetch(`${node.base}/api/v1/auth/challenge`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{' });
  assert.equal(r.status, 400);
});

test('forged tokens are refused: tampered, alg none, unknown kid', async () => {
  const s = await signIn();
  const [h, p, sig] = s.token.split('.');
  const payload = JSON.parse(Buffer.from(p, 'base64url'));
  const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const tampered = `${h}.${b64({ ...payload, sub: '0x0000000000000000000000000000000000000001' })}.${sig}`;
  assert.equal(await me(tampered), 401);
  assert.equal(await me(`${b64({ alg: 'none', typ: 'JWT', kid: 'k1' })}.${p}.`), 401);
  const unknownHeader = b64({ alg: 'HS256', typ: 'JWT', kid: 'k9' });
  const mac = crypto.createHmac('sha256', 'whatever-secret').update(`${unknownHeader}.${p}`).digest('base64url');
  assert.equal(await me(`${unknownHeader}.${p}.${mac}`), 401);
  const hs512 = b64({ alg: 'HS512', typ: 'JWT', kid: 'k1' });
  assert.equal(await me(`${hs512}.${p}.${sig}`), 401);
  assert.equal(await me('garbage'), 401);
  assert.equal((await fetch(`${node.base}/api/v1/auth/me`)).status, 401);
});

test('refresh, logout, rotation, and revocations survive a restart', async () => {
  const s = await signIn();
  const refreshed = await post('/api/v1/auth/refresh', {}, s.token);
  assert.equal(refreshed.status, 200);
  assert.equal(await me(refreshed.body.token), 200);
  assert.equal(await me(s.token), 401, 'the refreshed-away token is revoked');
  const out = await post('/api/v1/auth/logout', {}, refreshed.body.token);
  assert.equal(out.status, 204);
  assert.equal(await me(refreshed.body.token), 401);
  const kept = await signIn();
  const pending = await challenge('siwe');
  // Rotate: k2 signs from now on, k1 still verifies.
  await stopNode(node);
  node = await startNode({ dataDir, port, args: nodeArgs([K2, K1]) });
  assert.equal(await me(refreshed.body.token), 401, 'a logout outlives the restart');
  assert.equal(await me(kept.token), 200, 'a k1 token still verifies after rotation');
  const fresh = await signIn();
  assert.equal(JSON.parse(Buffer.from(fresh.token.split('.')[0], 'base64url')).kid, 'k2');
  // A challenge issued before the restart still works, once.
  const answer = { message: pending.body.message, signature: await wallet.signMessage(pending.body.message) };
  assert.equal((await post('/api/v1/auth/verify', answer)).status, 200);
  expectDenied(await post('/api/v1/auth/verify', answer), /nonce/);
});

test('ES256 sessions by configuration', async () => {
  const esPort = await freePort();
  const es = await startNode({ dataDir: path.join(work, 'es256'), port: esPort,
    args: ['--chain', '1337=http://127.0.0.1:9', '--jwt-alg', 'ES256'] });
  try {
    const { token } = await signInTo(es.base);
    const header = JSON.parse(Buffer.from(token.split('.')[0], 'base64url'));
    assert.equal(header.alg, 'ES256');
    const r = await fetch(`${es.base}/api/v1/auth/me`, { headers: { Authorization: `Bearer ${token}` } });
    assert.equal(r.status, 200);
    // The same claims under HS256 with the ES256 kid are refused.
    const [, payload] = token.split('.');
    const confused = `${Buffer.from(JSON.stringify({ alg: 'HS256', kid: header.kid })).toString('base64url')}.${payload}.` +
      crypto.createHmac('sha256', 'anything').update('x').digest('base64url');
    assert.equal((await fetch(`${es.base}/api/v1/auth/me`, { headers: { Authorization: `Bearer ${confused}` } })).status, 401);
  } finally {
    await stopNode(es);
  }
});
