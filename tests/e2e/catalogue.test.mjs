// The catalogue through the public API of a real node: categories made,
// renamed and deleted by the operator (admin token), videos filed under one
// and listed by it, playlists owned by a wallet (public or unlisted, in their
// own order, edited only by their owner), and neither ever deleting a video.
// Bad bodies get 4xx problems; the records survive a restart.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { freePort, startNode, stopNode, tempDir } from './harness.mjs';
import { signIn } from './sign_in.mjs';

const work = tempDir('sg-e2e-catalogue-');
const ADMIN = { 'X-Admin-Token': 'catalogue-secret' };
const OTHER_KEY = '0x8f2a55949038a9610f50fb23b5883af3b4ecb3c3bb792cbcefbd1542c692be63';
let node;
let port;
let owner;
let ownerAddress;
let other;
const videos = [];

const api = (p, who = {}, init = {}) => fetch(`${node.base}${p}`, {
  ...init, headers: { 'Content-Type': 'application/json', ...who, ...init.headers },
});
const json = async (r) => ({ status: r.status, type: r.headers.get('content-type'), body: await r.json().catch(() => null) });
const send = async (method, p, who, body) =>
  json(await api(p, who, { method, body: typeof body === 'string' ? body : JSON.stringify(body) }));
const ids = (page) => page.items.map((v) => v.id);

async function start() {
  node = await startNode({
    dataDir: path.join(work, 'data'), port,
    args: ['--admin-token', 'catalogue-secret', '--rate-limit', 'auth=0/1', 'api=0/1', 'upload=0/1'],
  });
}

// A video record without a transcode worth waiting for: its bytes are not a
// video, so its job fails, and the video stays (status failed).
async function upload(title) {
  const r = await fetch(`${node.base}/api/v1/videos/upload?title=${encodeURIComponent(title)}`,
    { method: 'POST', headers: owner, body: crypto.randomBytes(2048) });
  assert.equal(r.status, 201, await r.clone().text());
  return (await r.json()).id;
}

before(async () => {
  port = await freePort();
  await start();
  const session = await signIn(node.base);
  owner = { Authorization: `Bearer ${session.token}` };
  ownerAddress = session.address;
  other = { Authorization: `Bearer ${(await signIn(node.base, OTHER_KEY)).token}` };
  for (const title of ['first', 'second', 'third'])
    videos.push(await upload(title));
});

after(async () => {
  if (node) await stopNode(node);
  fs.rmSync(work, { recursive: true, force: true });
});

test('the operator makes categories; bad ones are refused with a problem', async () => {
  assert.equal((await send('POST', '/api/v1/categories', owner, { name: 'Music' })).status, 403);
  for (const bad of [
    {}, { name: '' }, { name: 5 }, { name: 'x'.repeat(101) }, { name: 'Music', slug: 'Bad Slug' },
    { name: 'Music', slug: '-music' }, { name: 'Music', slug: 'a--b' }, { name: 'Music', slug: 'x'.repeat(65) },
    { name: 'Music', color: 'red' }, { name: '日本語' }, { name: 'Music', description: 'd'.repeat(1001) },
  ]) {
    const r = await send('POST', '/api/v1/categories', ADMIN, bad);
    assert.equal(r.status, 400, JSON.stringify(bad));
    assert.match(r.type, /application\/problem\+json/);
    assert.ok(r.body.detail, JSON.stringify(r.body));
  }
  for (const body of ['[]', 'not json', '{"name": "a"', `${'['.repeat(5000)}${']'.repeat(5000)}`])
    assert.equal((await send('POST', '/api/v1/categories', ADMIN, body)).status, 400, body.slice(0, 20));
  assert.equal((await json(await api('/api/v1/categories', ADMIN, { method: 'POST', body: '{}', headers: { 'Content-Type': 'text/plain' } }))).status, 415);

  const made = await send('POST', '/api/v1/categories', ADMIN, { name: 'Live Music!', description: 'Concerts' });
  assert.equal(made.status, 201, JSON.stringify(made.body));
  assert.equal(made.body.slug, 'live-music');
  assert.equal(made.body.name, 'Live Music!');
  const gaming = await send('POST', '/api/v1/categories', ADMIN, { name: 'Jeux vidéo', slug: 'gaming' });
  assert.equal(gaming.status, 201);
  assert.equal((await send('POST', '/api/v1/categories', ADMIN, { name: 'Again', slug: 'gaming' })).status, 409);

  const renamed = await send('PATCH', '/api/v1/categories/live-music', ADMIN, { name: 'Live music' });
  assert.equal(renamed.status, 200);
  assert.equal(renamed.body.name, 'Live music');
  assert.equal(renamed.body.description, 'Concerts');
  assert.equal((await send('PATCH', '/api/v1/categories/live-music', ADMIN, { slug: 'live' })).status, 400);
  assert.equal((await send('PATCH', '/api/v1/categories/live-music', owner, { name: 'Mine' })).status, 403);
  assert.equal((await send('PATCH', '/api/v1/categories/nothing-here', ADMIN, { name: 'x' })).status, 404);
  assert.equal((await send('PATCH', '/api/v1/categories/..%2F..%2Fetc', ADMIN, { name: 'x' })).status, 404);

  const all = await json(await api('/api/v1/categories'));
  assert.deepEqual(all.body.items.map((c) => c.slug), ['gaming', 'live-music']);
  assert.equal((await json(await api('/api/v1/categories/gaming'))).body.name, 'Jeux vidéo');
  assert.equal((await api('/api/v1/categories/none')).status, 404);
});

test('a video is filed under one category by its owner and listed by it', async () => {
  const [a, b] = videos;
  assert.equal((await send('PATCH', `/api/v1/videos/${a}`, owner, { category: 'no-such' })).status, 400);
  assert.equal((await send('PATCH', `/api/v1/videos/${a}`, other, { category: 'gaming' })).status, 403);
  assert.equal((await send('PATCH', `/api/v1/videos/${a}`, owner, { category: 5 })).status, 400);
  const filed = await send('PATCH', `/api/v1/videos/${a}`, owner, { category: 'gaming' });
  assert.equal(filed.status, 200);
  assert.equal(filed.body.category, 'gaming');
  assert.equal((await send('PATCH', `/api/v1/videos/${b}`, owner, { category: 'gaming' })).body.category, 'gaming');
  assert.deepEqual(ids((await json(await api('/api/v1/videos?category=gaming'))).body).sort(), [a, b].sort());
  assert.deepEqual((await json(await api('/api/v1/videos?category=live-music'))).body.items, []);
  assert.deepEqual(ids((await json(await api('/api/v1/videos?category=gaming&q=first'))).body), [a]);

  const unfiled = await send('PATCH', `/api/v1/videos/${b}`, owner, { category: null });
  assert.equal(unfiled.body.category, null);
  assert.deepEqual(ids((await json(await api('/api/v1/videos?category=gaming'))).body), [a]);
});

test('deleting a category keeps its videos, which leave it', async () => {
  const [a] = videos;
  const doomed = await send('POST', '/api/v1/categories', ADMIN, { name: 'Doomed' });
  assert.equal((await send('PATCH', `/api/v1/videos/${a}`, owner, { category: 'doomed' })).status, 200);
  assert.equal((await api(`/api/v1/categories/${doomed.body.slug}`, owner, { method: 'DELETE' })).status, 403);
  assert.equal((await api('/api/v1/categories/doomed', ADMIN, { method: 'DELETE' })).status, 204);
  assert.equal((await api('/api/v1/categories/doomed', ADMIN, { method: 'DELETE' })).status, 404);
  const v = await json(await api(`/api/v1/videos/${a}`));
  assert.equal(v.status, 200);
  assert.equal(v.body.category, null);
  assert.deepEqual((await json(await api('/api/v1/videos?category=doomed'))).body.items, []);
  assert.equal((await send('PATCH', `/api/v1/videos/${a}`, owner, { category: 'doomed' })).status, 400);
});

test('playlists: their owner orders, edits and deletes them; unlisted ones open by id only', async () => {
  const [a, b, c] = videos;
  assert.equal((await send('POST', '/api/v1/playlists', {}, { title: 'x', video_ids: [] })).status, 401);
  for (const bad of [
    {}, { title: '' }, { title: 'x', visibility: 'secret' }, { title: 'x', video_ids: 'abc' },
    { title: 'x', video_ids: ['../../etc'] }, { title: 'x', video_ids: ['0123456789abcdef'] },
    { title: 'x', video_ids: Array(501).fill(a) }, { title: 'x', owner: 'me' }, { title: 'x'.repeat(301) },
  ]) {
    const r = await send('POST', '/api/v1/playlists', owner, bad);
    assert.equal(r.status, 400, JSON.stringify(bad).slice(0, 80));
    assert.ok(r.body.detail);
  }
  const mix = await send('POST', '/api/v1/playlists', owner, { title: 'Mix', visibility: 'public', video_ids: [c, a, c, b] });
  assert.equal(mix.status, 201, JSON.stringify(mix.body));
  assert.match(mix.body.id, /^[0-9a-f]{16}$/);
  assert.equal(mix.body.visibility, 'public');
  assert.deepEqual(mix.body.video_ids, [c, a, b], 'a repeated video is kept once');
  const secret = await send('POST', '/api/v1/playlists', owner, { title: 'Drafts', visibility: 'unlisted', video_ids: [b] });
  assert.equal(secret.status, 201);

  const inOrder = await json(await api(`/api/v1/videos?playlist=${mix.body.id}`));
  assert.deepEqual(ids(inOrder.body), [c, a, b]);
  const page1 = (await json(await api(`/api/v1/videos?playlist=${mix.body.id}&limit=2`))).body;
  assert.deepEqual(ids(page1), [c, a]);
  assert.ok(page1.next_cursor);
  const page2 = (await json(await api(`/api/v1/videos?playlist=${mix.body.id}&limit=2&cursor=${page1.next_cursor}`))).body;
  assert.deepEqual(ids(page2), [b]);
  assert.equal(page2.next_cursor, null);
  assert.equal((await api(`/api/v1/videos?playlist=${mix.body.id}&cursor=zz`)).status, 400);
  assert.equal((await api('/api/v1/videos?playlist=ffffffffffffffff')).status, 404);
  assert.equal((await api('/api/v1/videos?playlist=..%2F')).status, 404);

  const listed = async (who, query = '') => (await json(await api(`/api/v1/playlists${query}`, who))).body.items.map((p) => p.id);
  const mine = `?owner=${encodeURIComponent(ownerAddress)}`;
  assert.deepEqual(await listed(other), [mix.body.id]);
  assert.deepEqual(await listed(owner), [mix.body.id], 'without owner: the public ones only');
  assert.deepEqual(await listed(owner, mine), [secret.body.id, mix.body.id], 'the owner\'s own, newest first');
  assert.deepEqual(await listed(other, mine), [mix.body.id], 'another\'s public ones only');
  assert.deepEqual(await listed(other, `?owner=${encodeURIComponent('0x0000000000000000000000000000000000000001')}`), []);
  // Paged: a full page names its last playlist, the next one goes on after it.
  const first = (await json(await api(`/api/v1/playlists${mine}&limit=1`, owner))).body;
  assert.deepEqual(first.items.map((p) => p.id), [secret.body.id]);
  const second = (await json(await api(`/api/v1/playlists${mine}&limit=1&cursor=${first.next_cursor}`, owner))).body;
  assert.deepEqual(second.items.map((p) => p.id), [mix.body.id]);
  const third = (await json(await api(`/api/v1/playlists${mine}&limit=1&cursor=${second.next_cursor}`, owner))).body;
  assert.deepEqual(third, { items: [], next_cursor: null });
  for (const bad of ['limit=0', 'limit=101', 'limit=x', 'cursor=zz', 'cursor=1_zz', `cursor=${'9'.repeat(20)}_${mix.body.id}`])
    assert.equal((await api(`/api/v1/playlists?${bad}`)).status, 400, bad);
  assert.equal((await json(await api(`/api/v1/playlists/${secret.body.id}`, other))).body.title, 'Drafts');

  assert.equal((await send('PATCH', `/api/v1/playlists/${mix.body.id}`, other, { title: 'Mine now' })).status, 403);
  assert.equal((await api(`/api/v1/playlists/${mix.body.id}`, other, { method: 'DELETE' })).status, 403);
  assert.equal((await send('PATCH', `/api/v1/playlists/${mix.body.id}`, owner, { video_ids: ['ffffffffffffffff'] })).status, 400);
  const edited = await send('PATCH', `/api/v1/playlists/${mix.body.id}`, owner, { title: 'Mix 2', video_ids: [b, c], visibility: 'unlisted' });
  assert.equal(edited.status, 200);
  assert.deepEqual(edited.body.video_ids, [b, c]);
  assert.deepEqual(await listed(other), []);

  // A deleted video drops out of the listing; deleting the playlist keeps the videos.
  const gone = await upload('gone soon');
  await send('PATCH', `/api/v1/playlists/${mix.body.id}`, owner, { video_ids: [b, gone, c] });
  assert.equal((await api(`/api/v1/videos/${gone}`, owner, { method: 'DELETE' })).status, 204);
  assert.deepEqual(ids((await json(await api(`/api/v1/videos?playlist=${mix.body.id}`))).body), [b, c]);
  assert.equal((await api(`/api/v1/playlists/${secret.body.id}`, owner, { method: 'DELETE' })).status, 204);
  assert.equal((await api(`/api/v1/playlists/${secret.body.id}`)).status, 404);
  assert.equal((await api(`/api/v1/videos/${b}`)).status, 200);
});

test('the catalogue survives a restart, and the node is alive after all of it', async () => {
  assert.equal((await send('PATCH', `/api/v1/videos/${videos[2]}`, owner, { category: 'gaming' })).status, 200);
  const mine = `/api/v1/playlists?owner=${encodeURIComponent(ownerAddress)}`;
  const before = (await json(await api(mine, owner))).body.items;
  assert.ok(before.length > 0);
  await stopNode(node);
  await start();
  assert.deepEqual((await json(await api('/api/v1/categories'))).body.items.map((c) => c.slug), ['gaming', 'live-music']);
  assert.deepEqual((await json(await api(mine, owner))).body.items, before);
  assert.deepEqual(ids((await json(await api('/api/v1/videos?category=gaming'))).body), [videos[2]]);
  assert.equal((await api('/health/live')).status, 200);
});
