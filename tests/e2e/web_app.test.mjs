// The web app as a user meets it, in headless Chromium: sign in with an
// injected wallet (an EIP-1193 shim backed by an ethers Wallet), upload a clip
// through the page (cut short, reloaded, resumed), watch the transcode reach
// ready, play it, gate it, see a second wallet locked out, read the figures.
// Every page is checked with axe-core (no serious or critical violation) and
// against its Content-Security-Policy (no violation, no uncaught error).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import zlib from 'node:zlib';
import path from 'node:path';
import { createRequire } from 'node:module';
import { ethers } from 'ethers';
import { freePort, makeClip, startNode, stopNode, tempDir } from './harness.mjs';
import { launchBrowser } from './browser.mjs';
import { CHAIN_ID, KEYS, deploy, startChain } from './chain.mjs';

const require = createRequire(import.meta.url);
const axeSource = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const ADMIN = 'operator-secret';
const work = tempDir('sg-e2e-web-');
let chain;
let pass;  // the ERC-721 that unlocks the gated video; A holds one
let node;
let browser;
let clip;
const problems = [];  // CSP violations and uncaught errors, from every page

before(async () => {
  const started = await startChain();
  chain = started.process;
  pass = await deploy(started.provider, 'GatePass');
  await (await pass.mint(new ethers.Wallet(KEYS[1]).address, 1)).wait();
  node = await startNode({ dataDir: path.join(work, 'data'), port: await freePort(), args: [
    '--chain', `${CHAIN_ID}=http://127.0.0.1:${started.port}`, '--ladder', '360', '--admin-token', ADMIN] });
  const made = await fetch(`${node.base}/api/v1/categories`, {
    method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Admin-Token': ADMIN },
    body: JSON.stringify({ name: 'Nature' }) });
  assert.equal(made.status, 201);
  // 6 s at 20 Mb/s: more than one 8 MiB tus chunk, so an upload can be cut between two.
  clip = await makeClip(path.join(work, 'Sunrise.mp4'), { seconds: 6, bitrate: '20M' });
  assert.ok(fs.statSync(clip).size > 9 * 1024 * 1024);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  if (node) await stopNode(node);
  chain?.kill('SIGKILL');
  fs.rmSync(work, { recursive: true, force: true });
});

/** A browser context whose page has `window.ethereum` backed by `key`. */
async function walletPage(key) {
  const wallet = new ethers.Wallet(key);
  const context = await browser.newContext();
  await context.exposeBinding('__walletRequest', async (_source, method, params) => {
    switch (method) {
      case 'eth_requestAccounts':
      case 'eth_accounts': return [wallet.address.toLowerCase()];
      case 'eth_chainId': return `0x${CHAIN_ID.toString(16)}`;
      case 'personal_sign': return wallet.signMessage(ethers.getBytes(params[0]));
      default: throw new Error(`unsupported: ${method}`);
    }
  });
  await context.addInitScript(() => {
    window.ethereum = { request: ({ method, params }) => window.__walletRequest(method, params ?? []) };
    document.addEventListener('securitypolicyviolation', (e) => {
      console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`);
    });
  });
  const page = await context.newPage();
  page.setDefaultTimeout(15000);
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => { if (m.text().startsWith('CSP violation')) problems.push(m.text()); });
  return { page, context, wallet };
}

/** axe-core's serious and critical violations on the page as it is now. */
async function accessibilityViolations(page) {
  if (!(await page.evaluate(() => Boolean(window.axe)))) await page.evaluate(axeSource);
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

async function assertAccessible(page, where) {
  assert.deepEqual(await accessibilityViolations(page), [], `accessibility of ${where}`);
}

/** The body of a GET as it came on the wire (fetch would unpack it). */
function rawGet(path, headers) {
  return new Promise((resolve, reject) => {
    http.get(`${node.base}${path}`, { headers }, (res) => {
      const parts = [];
      res.on('data', (d) => parts.push(d));
      res.on('end', () => resolve(Buffer.concat(parts)));
    }).on('error', reject);
  });
}

async function fillUploadForm(page) {
  await page.setInputFiles('#upload-file', clip);
  await page.getByLabel('Title').fill('Sunrise over the bay');
  await page.getByLabel('Tags').fill('sea, morning');
  await page.getByLabel('Category').selectOption({ label: 'Nature' });
}

test('the page and its files: CSP, caching, vendor files from npm, 404s', async () => {
  const res = await fetch(`${node.base}/`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type'), /^text\/html/);
  const csp = res.headers.get('content-security-policy');
  assert.match(csp, /default-src 'none'/);
  assert.match(csp, /script-src 'self';/);
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|https?:/);
  assert.equal(res.headers.get('cache-control'), 'no-cache');
  assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
  const html = await res.text();
  const base = html.match(/src="(\/app\/[0-9a-f]{16})\/app\.js"/)[1];
  const again = await fetch(`${node.base}/`, { headers: { 'If-None-Match': res.headers.get('etag') } });
  assert.equal(again.status, 304);

  const script = await fetch(`${node.base}${base}/app.js`);
  assert.equal(script.status, 200);
  assert.match(script.headers.get('content-type'), /^text\/javascript/);
  assert.equal(script.headers.get('cache-control'), 'public, max-age=31536000, immutable');
  // Sent gzipped to clients that take it (fetch does, and unpacks it), with
  // an ETag per encoding; as it is to others.
  const vendor = fs.readFileSync(require.resolve('hls.js/dist/hls.min.js'), 'utf8');
  const hls = await fetch(`${node.base}${base}/hls.min.js`);
  assert.equal(hls.headers.get('content-encoding'), 'gzip');
  assert.equal(hls.headers.get('vary'), 'Accept-Encoding');
  assert.equal(await hls.text(), vendor);
  const plain = await fetch(`${node.base}${base}/hls.min.js`, { headers: { 'Accept-Encoding': 'br, gzip;q=0' } });
  assert.equal(plain.headers.get('content-encoding'), null);
  assert.notEqual(plain.headers.get('etag'), hls.headers.get('etag'));
  assert.equal(await plain.text(), vendor);
  const packed = await rawGet(`${base}/hls.min.js`, { 'Accept-Encoding': 'gzip' });
  assert.ok(packed.length < vendor.length / 2, `${packed.length} bytes gzipped of ${vendor.length}`);
  assert.equal(zlib.gunzipSync(packed).toString('utf8'), vendor);
  const stale = await fetch(`${node.base}/app/0000000000000000/app.js`);
  assert.equal(stale.status, 200);
  assert.equal(stale.headers.get('cache-control'), 'no-cache');
  for (const missing of ['nope.js', 'index.html', '..%2Fapp.js'])
    assert.equal((await fetch(`${node.base}${base}/${missing}`)).status, 404, missing);
});

test('a creator signs in by keyboard, uploads (cut short, reloaded, resumed), plays, gates; another wallet is locked out', async () => {
  const { page, wallet } = await walletPage(KEYS[1]);
  await page.goto(`${node.base}/`);
  await page.getByRole('heading', { name: 'Library' }).waitFor();
  await page.getByText('No videos found.').waitFor();
  assert.equal(await page.getByRole('button', { name: 'Load more' }).isVisible(), false);
  await assertAccessible(page, 'the library, signed out');

  // Keyboard only: Tab reaches the wallet button, Enter signs in.
  let focused = '';
  for (let i = 0; i < 15 && focused !== 'Sign in with wallet'; i++) {
    await page.keyboard.press('Tab');
    focused = await page.evaluate(() => document.activeElement?.textContent?.trim());
  }
  assert.equal(focused, 'Sign in with wallet');
  await page.keyboard.press('Enter');
  await page.locator('.who', { hasText: `Signed in as ${wallet.address.slice(0, 6)}` }).waitFor();

  // Upload: the second 8 MiB chunk is held, the page reloaded mid-upload.
  await page.getByRole('link', { name: 'Upload' }).click();
  await assertAccessible(page, 'the upload page');
  let patches = 0;
  let secondChunk;
  const cut = new Promise((resolve) => { secondChunk = resolve; });
  await page.route('**/api/v1/uploads/*', async (route) => {
    if (route.request().method() !== 'PATCH') return route.continue();
    patches += 1;
    if (patches === 1) return route.continue();
    secondChunk();  // the first chunk is stored; this one, and its retries, fail
    return route.abort('connectionreset');
  });
  await fillUploadForm(page);
  await page.getByRole('button', { name: 'Upload' }).click();
  await cut;
  await page.unrouteAll({ behavior: 'ignoreErrors' });
  await page.reload();
  await page.getByRole('heading', { name: 'Upload' }).waitFor();
  const offsets = [];
  page.on('request', (r) => { if (r.method() === 'PATCH') offsets.push(r.headerValue('upload-offset')); });
  await fillUploadForm(page);
  await page.getByRole('button', { name: 'Upload' }).click();
  await page.getByText('Resuming the upload of this file').waitFor();
  const watch = page.getByRole('link', { name: /^Watch/ });
  await watch.waitFor({ timeout: 120000 });
  // The node keeps what reached it of a cut PATCH as well (tus), so the
  // upload resumes at the first chunk's end or past it, never from 0.
  const resumedAt = Number((await Promise.all(offsets)).find(Boolean));
  assert.ok(resumedAt >= 8 * 1024 * 1024, `resumed at ${resumedAt}`);
  const size = fs.statSync(clip).size;

  // Watch: hls.js plays it, the quality menu lists the ladder.
  await watch.click();
  const video = page.locator('video');
  await video.waitFor();
  await page.getByLabel('Quality').locator('option', { hasText: '360p' }).waitFor({ state: 'attached' });
  await page.evaluate(() => { const v = document.querySelector('video'); v.muted = true; return v.play(); });
  await page.waitForFunction(() => document.querySelector('video').currentTime > 1.5, null, { timeout: 30000 });
  await assertAccessible(page, 'the watch page');
  const id = new URL(page.url()).hash.split('/')[2];
  const stored = await (await fetch(`${node.base}/api/v1/videos/${id}`)).json();
  assert.equal(stored.title, 'Sunrise over the bay');
  assert.deepEqual(stored.tags, ['sea', 'morning']);
  assert.equal(stored.category, 'nature');
  assert.equal(stored.source_bytes, size);
  await page.evaluate(() => document.querySelector('video').pause());

  // My videos: gate it with the ERC-721, and read the figures of the view.
  await page.getByRole('link', { name: 'My videos' }).click();
  const article = page.locator('article', { hasText: 'Sunrise over the bay' });
  await article.locator('summary', { hasText: 'Who may watch' }).click();
  await article.getByLabel('Chain id').fill(String(CHAIN_ID));
  await article.getByLabel('Contract').fill(await pass.getAddress());
  await article.getByLabel('Standard').selectOption('erc721');
  await article.getByRole('button', { name: 'Save gate' }).click();
  await page.getByRole('status').getByText('Gate saved.').waitFor();
  const gated = await (await fetch(`${node.base}/api/v1/videos/${id}`)).json();
  assert.equal(gated.gate.rules[0].contract.toLowerCase(), (await pass.getAddress()).toLowerCase());
  await page.getByRole('link', { name: 'Library' }).click();
  await page.locator('.card', { hasText: 'Sunrise over the bay' }).getByText(/^Ready · 0:0\d · Token-gated$/).waitFor();
  await page.getByRole('link', { name: 'My videos' }).click();
  await article.locator('summary', { hasText: 'Details' }).click();
  await article.locator('summary', { hasText: 'Analytics' }).click();
  const plays = article.locator('dd[data-figure="Plays"]');
  for (let i = 0; i < 30 && (await plays.textContent().catch(() => '0')) === '0'; i++) {
    await new Promise((r) => setTimeout(r, 1000));
    await article.getByRole('button', { name: 'Refresh' }).click();
  }
  assert.equal(await plays.textContent(), '1', 'the view started on the watch page was counted');
  await assertAccessible(page, 'my videos, with every panel open');

  // Another wallet, without the token: locked, and told which token opens it.
  const other = await walletPage(KEYS[2]);
  await other.page.goto(`${node.base}/#/watch/${id}`);
  await other.page.getByRole('heading', { name: 'Locked' }).waitFor();
  await other.page.getByText('Sign in with a wallet that holds one').waitFor();
  await other.page.locator('main').getByRole('button', { name: 'Sign in with wallet' }).click();
  await other.page.getByText('does not hold the token').waitFor();
  await other.page.getByText(`ERC-721 token of contract ${gated.gate.rules[0].contract}`).waitFor();
  assert.equal(await other.page.locator('video').count(), 0);
  await assertAccessible(other.page, 'a locked video');

  // The holder still plays it; signing out returns to the wallet button.
  await page.goto(`${node.base}/#/watch/${id}`);
  await page.locator('video').waitFor();
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('button', { name: 'Sign in with wallet' }).first().waitFor();
  assert.deepEqual(problems, []);
});
