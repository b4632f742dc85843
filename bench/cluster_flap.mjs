// How steady two members' view of each other stays while others come and go:
// node-a and node-b run throughout; each round a third member joins and is
// killed (kill -9), and a fourth joins and is paused (SIGSTOP) until its
// lease drops it. Every 20 ms both are asked for the other's state; any
// state but "up" is a flap. Prints the flaps, how long each lasted, and the
// reasons the two logged. Usage: STREAMGATE_BIN=... ROUNDS=6 [KINDS=kill,pause]
// node bench/cluster_flap.mjs (KINDS picks which of the two churns run).
import { stopNode, tempDir } from '../tests/e2e/harness.mjs';
import { makeCerts, members, startEtcd, startMember, startS3, state, until } from '../tests/cluster/cluster_harness.mjs';

const rounds = Number(process.env.ROUNDS || 6);
const kinds = (process.env.KINDS || 'kill,pause').split(',');
const root = tempDir('sg-bench-flap-');
const etcd = await startEtcd(3);
const s3 = await startS3();
const services = { etcd, s3 };
const names = ['node-a', 'node-b', ...Array.from({ length: rounds * 2 }, (_, i) => `node-x${i}`)];
const certs = await makeCerts(root, names);
const isUp = (name) => (list) => ['up', 'self'].includes(state(list, name));
const a = await startMember(root, services, certs['node-a']);
const b = await startMember(root, services, certs['node-b']);
await until(a, isUp('node-b'), 15000, 'b up at a');
await until(b, isUp('node-a'), 15000, 'a up at b');

let watching = true;
const reasons = new Map();  // what the two logged when the other left "up"

const open = new Map();  // "a sees node-b" -> since (ms)
const flaps = [];
const watch = (async () => {
  while (watching) {
    for (const [node, other, key] of [[a, 'node-b', 'a sees node-b'], [b, 'node-a', 'b sees node-a']]) {
      let s;
      try { s = state(await members(node), other); } catch { s = 'no answer'; }
      if (s !== 'up' && !open.has(key)) open.set(key, { since: Date.now(), state: s });
      if (s === 'up' && open.has(key)) {
        flaps.push({ key, state: open.get(key).state, ms: Date.now() - open.get(key).since });
        open.delete(key);
      }
    }
    await new Promise((r) => setTimeout(r, 20));
  }
})();

try {
  let spare = 0;
  for (let r = 0; r < rounds; r += 1) {
    if (kinds.includes('kill')) {
      const killed = `node-x${spare++}`;
      const x = await startMember(root, services, certs[killed]);
      await until(a, isUp(killed), 15000, `${killed} up`);
      x.proc.kill('SIGKILL');
      await until(a, (l) => state(l, killed) === undefined, 15000, `${killed} gone`);
    }
    if (kinds.includes('pause')) {
      const paused = `node-x${spare++}`;
      const y = await startMember(root, services, certs[paused]);
      await until(a, isUp(paused), 15000, `${paused} up`);
      y.proc.kill('SIGSTOP');
      await until(a, (l) => state(l, paused) === undefined, 15000, `${paused} counted out`);
      y.proc.kill('SIGKILL');
    }
  }
  await new Promise((r) => setTimeout(r, 1000));
} finally {
  watching = false;
  await watch;
  for (const n of [a, b])
    for (const line of n.log().split('\n').filter((l) => /"name":"node-[ab]"/.test(l) && /"msg":"member /.test(l))) {
      const { msg, reason } = JSON.parse(line);
      if (msg !== 'member up') reasons.set(`${msg}: ${reason}`, (reasons.get(`${msg}: ${reason}`) || 0) + 1);
    }
  for (const n of [a, b]) await stopNode(n).catch(() => {});
  etcd.stop();
  s3.stop();
}
const sorted = flaps.map((f) => f.ms).sort((x, y) => x - y);
console.log(`two steady members over ${rounds} rounds of churn (each round: ${kinds.join(' and ')}):`);
console.log(`  flaps seen: ${flaps.length}; median ${sorted[Math.floor(sorted.length / 2)] ?? 0} ms, longest ${sorted.at(-1) ?? 0} ms (polled every 20 ms; target: none)`);
for (const [why, n] of reasons) console.log(`  logged ${n}x  ${why}`);
