// Starts real streamgate nodes for end-to-end tests and generates media with
// the ffmpeg CLI (lavfi sources: nothing is committed).
import { spawn, execFile } from 'node:child_process';
import { promisify } from 'node:util';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import './openapi_check.mjs';  // with SG_VALIDATE_API: every response checked against the OpenAPI document

export const BIN = process.env.STREAMGATE_BIN;
if (!BIN) throw new Error('set STREAMGATE_BIN to the streamgate binary');

export function tempDir(prefix) {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export async function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

/** Starts `streamgate node` and resolves once /health/ready answers 200. */
export async function startNode({ dataDir, port, args = [], env = {} }) {
  const proc = spawn(BIN, ['node', '--data-dir', dataDir, '--http-port', String(port), ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  let log = '';
  proc.stderr.on('data', (d) => { log += d; });
  proc.stdout.on('data', (d) => { log += d; });  // CAF's own complaints
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 10000;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`node exited early:\n${log}`);
    try {
      const r = await fetch(`${base}/health/ready`);
      if (r.status === 200) return { proc, base, log: () => log };
    } catch { /* not listening yet */ }
    await new Promise((r) => setTimeout(r, 50));
  }
  proc.kill('SIGKILL');
  throw new Error(`node not ready:\n${log}`);
}

/** Stops the node; throws when an actor of it got a message it does not
 *  handle (CAF prints "*** unexpected message"): a contract was broken. */
export async function stopNode(node, signal = 'SIGTERM') {
  const code = node.proc.exitCode !== null ? node.proc.exitCode : await new Promise((resolve) => {
    node.proc.once('exit', (c, sig) => resolve(c ?? sig));
    node.proc.kill(signal);
  });
  const stray = node.log().split('\n').filter((l) => l.includes('unexpected message'));
  if (stray.length > 0) throw new Error(`the node's actors got messages they do not handle:\n${stray.join('\n')}`);
  return code;
}

/** Runs ffmpeg without blocking the event loop: a client's idle keep-alive
 *  sockets must see the server close them, or a request would be sent on one. */
export async function ffmpeg(args) {
  await promisify(execFile)('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', ...args]);
}

/** A 1280x720 30 fps H.264 + AAC clip from lavfi test sources. */
export async function makeClip(file, { seconds = 10, bitrate = '8M', audio = true } = {}) {
  const args = ['-f', 'lavfi', '-i', `testsrc2=size=1280x720:rate=30:duration=${seconds}`];
  if (audio) args.push('-f', 'lavfi', '-i', `sine=frequency=440:duration=${seconds}`);
  args.push('-c:v', 'libx264', '-preset', 'ultrafast', '-b:v', bitrate, '-pix_fmt', 'yuv420p');
  if (audio) args.push('-c:a', 'aac', '-b:a', '128k');
  args.push(file);
  await ffmpeg(args);
  return file;
}

export function sha256(file) {
  return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}
