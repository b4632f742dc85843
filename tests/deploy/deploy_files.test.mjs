// The deployment files checked against the binary they deploy, without a
// Docker engine or a Kubernetes cluster: each file is parsed, every command
// line in it is run with --check-config (the binary must accept it), the
// ports match the binary's defaults, the probes' paths answer 200 on a real
// node, and the runtime image installs a Debian package for every shared
// library the binary needs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import { BIN, freePort, startNode, stopNode, tempDir } from '../e2e/harness.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const read = (f) => fs.readFileSync(path.join(root, f), 'utf8');
const work = tempDir('sg-deploy-');
let defaults;  // the binary's own defaults, from --help

// `streamgate node ARGS --check-config` with `env`: its exit code and output.
function checkConfig(args, env = {}) {
  const r = spawnSync(BIN, [...args, '--check-config'], {
    encoding: 'utf8', env: { PATH: process.env.PATH, ...env }, timeout: 20000,
  });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

// The default of a `streamgate node` flag as --help prints it.
function helpDefault(help, flag) {
  const line = help.split('\n').find((l) => l.trimStart().startsWith(`${flag} `));
  assert.ok(line, `--help lists ${flag}`);
  const m = line.match(/=(\d+)\s*$/) ?? line.match(/\[(\d+)\]/);
  assert.ok(m, `--help shows the default of ${flag}: ${line}`);
  return Number(m[1]);
}

// Dockerfile instructions: [{op, args, stage}], continuation lines joined.
function dockerInstructions(text) {
  const out = [];
  let stage = -1;
  const joined = text.replace(/\\\n/g, ' ').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  for (const line of joined) {
    const [op, ...rest] = line.split(/\s+/);
    if (op.toUpperCase() === 'FROM') stage += 1;
    out.push({ op: op.toUpperCase(), args: rest.join(' '), stage });
  }
  return out;
}

// Which Debian package ships each file (one dpkg -S for all), following
// symlinks; with merged /usr a file may be registered under /lib or /usr/lib.
function packagesOf(files) {
  const variants = new Map(files.map((f) => {
    const paths = [f, fs.realpathSync(f)];
    return [f, [...paths, ...paths.map((p) => (p.startsWith('/usr/') ? p.slice(4) : `/usr${p}`))]];
  }));
  const r = spawnSync('dpkg', ['-S', ...new Set([...variants.values()].flat())], { encoding: 'utf8', maxBuffer: 1 << 24 });
  const owner = new Map();
  for (const line of r.stdout.split('\n')) {
    const m = line.match(/^([^:,\s]+)(?::\w+)?: (\S+)$/);
    if (m) owner.set(m[2], m[1]);
  }
  return new Map(files.map((f) => [f, variants.get(f).map((p) => owner.get(p)).find(Boolean) ?? null]));
}

before(() => {
  const help = execFileSync(BIN, ['node', '--help'], { encoding: 'utf8' });
  defaults = { http: helpDefault(help, '--http-port'), cluster: helpDefault(help, '--cluster-port') };
});

after(() => fs.rmSync(work, { recursive: true, force: true }));

test('--check-config accepts good settings and refuses bad ones, starting nothing', () => {
  const good = checkConfig(['node', '--data-dir', path.join(work, 'never-made')]);
  assert.equal(good.code, 0, good.out);
  assert.match(good.out, /settings are valid/);
  assert.equal(fs.existsSync(path.join(work, 'never-made')), false);
  assert.notEqual(checkConfig(['node', '--http-port', '70000']).code, 0);
  const clustered = checkConfig(['node', '--etcd', 'http://127.0.0.1:2379']);
  assert.notEqual(clustered.code, 0);
  assert.match(clustered.out, /certs-dir/);
});

test('Dockerfile: a multi-stage build, a slim non-root runtime that the binary accepts', () => {
  const ins = dockerInstructions(read('Dockerfile'));
  const froms = ins.filter((i) => i.op === 'FROM');
  assert.ok(froms.length >= 2, 'multi-stage');
  assert.match(froms[0].args, /^debian:12\b/);
  assert.equal(froms.at(-1).args, 'debian:12-slim');
  const runtime = ins.filter((i) => i.stage === froms.length - 1);
  const one = (op) => runtime.filter((i) => i.op === op).at(-1);

  const user = one('USER').args.split(':')[0];
  assert.ok(user !== 'root' && user !== '0', `runs as ${user}`);
  const copy = one('COPY');
  const builtAt = copy.args.match(/--from=\S+\s+(\S+)\s+(\S+)/);
  assert.ok(builtAt, copy.args);
  assert.equal(path.basename(builtAt[1]), 'streamgate');

  const exposed = one('EXPOSE').args.split(/\s+/).map(Number);
  assert.deepEqual(exposed.sort(), [defaults.http, defaults.cluster].sort());
  const health = one('HEALTHCHECK').args;
  assert.match(health, new RegExp(`http://127\\.0\\.0\\.1:${defaults.http}/health/live`));

  const entry = JSON.parse(one('ENTRYPOINT').args);
  const cmd = JSON.parse(one('CMD').args);
  assert.deepEqual(entry, ['streamgate']);
  const r = checkConfig(cmd);
  assert.equal(r.code, 0, r.out);
  assert.ok(cmd.includes(String(defaults.http)) || !cmd.includes('--http-port'), 'listens on the exposed port');

  // Every shared library the binary needs comes from a package the runtime
  // stage installs, from one of their dependencies, or from the base image.
  const installs = runtime.filter((i) => i.op === 'RUN').map((i) => i.args).join(' ')
    .match(/--no-install-recommends\s+(.*?)(&&|$)/)[1].split(/\s+/).filter((p) => p && !p.startsWith('-'));
  for (const p of installs)
    assert.equal(spawnSync('apt-cache', ['show', p]).status, 0, `Debian has ${p}`);
  const closure = new Set(execFileSync('apt-cache', ['depends', '--recurse', '--no-recommends', '--no-suggests',
    '--no-conflicts', '--no-breaks', '--no-replaces', '--no-enhances', ...installs], { encoding: 'utf8', maxBuffer: 1 << 26 })
    .split('\n').map((l) => l.trim().replace(/^(Pre)?Depends:\s*/, '').replace(/:any$/, '')).filter((l) => /^[a-z0-9][a-z0-9+.-]+$/.test(l)));
  const base = new Set(['libc6', 'libgcc-s1', 'libstdc++6', 'zlib1g']);
  const needed = execFileSync('ldd', [BIN], { encoding: 'utf8' }).split('\n')
    .map((l) => l.match(/=>\s+(\/\S+)/)?.[1]).filter(Boolean);
  assert.ok(needed.length > 10, 'ldd lists the libraries');
  const shipped = packagesOf(needed);
  for (const lib of needed) {
    const pkg = shipped.get(lib);
    assert.ok(pkg, `a package ships ${lib}`);
    assert.ok(base.has(pkg) || closure.has(pkg), `${lib} (${pkg}) is installed in the runtime image`);
  }
});

test('the systemd unit runs a command line the binary accepts, as a system user', () => {
  const unit = read('deploy/streamgate.service');
  const key = (k) => unit.split('\n').filter((l) => l.startsWith(`${k}=`)).map((l) => l.slice(k.length + 1));
  assert.deepEqual(key('User'), ['streamgate']);
  assert.deepEqual(key('WantedBy'), ['multi-user.target']);
  assert.equal(key('KillSignal')[0], 'SIGTERM');
  for (const line of [...key('ExecStart'), ...key('ExecStartPre')]) {
    const [bin, ...args] = line.split(/\s+/);
    assert.equal(path.basename(bin), 'streamgate');
    const r = checkConfig(args.filter((a) => a !== '--check-config'));
    assert.equal(r.code, 0, `${line}\n${r.out}`);
  }
});

test('Kubernetes: ports, probes and the command lines of the StatefulSet work with the binary', async () => {
  const docs = YAML.parseAllDocuments(read('deploy/kubernetes/streamgate.yaml')).map((d) => d.toJS());
  const secrets = YAML.parseAllDocuments(read('deploy/kubernetes/secrets.example.yaml')).map((d) => d.toJS());
  const kind = (k, name) => docs.find((d) => d.kind === k && (!name || d.metadata.name === name));
  const set = kind('StatefulSet');
  const pod = set.spec.template.spec;
  const main = pod.containers.find((c) => c.name === 'streamgate');
  const port = (name) => main.ports.find((p) => p.name === name).containerPort;
  assert.equal(port('http'), defaults.http);
  assert.equal(port('cluster'), defaults.cluster);
  assert.equal(pod.securityContext.runAsNonRoot, true);

  const peers = kind('Service', set.spec.serviceName);
  assert.equal(peers.spec.clusterIP, 'None', 'the peers service is headless');
  assert.deepEqual(peers.spec.ports.map((p) => p.targetPort), ['cluster']);
  assert.deepEqual(kind('Service', 'streamgate').spec.ports.map((p) => p.targetPort), ['http']);

  // Every secret and config map a pod reads exists, with the key it reads.
  const env = main.env.concat(pod.initContainers.flatMap((c) => c.env ?? []));
  for (const e of env.filter((x) => x.valueFrom?.secretKeyRef)) {
    const { name, key } = e.valueFrom.secretKeyRef;
    assert.ok(secrets.find((s) => s.metadata.name === name)?.stringData?.[key] !== undefined, `secret ${name}/${key}`);
  }
  const config = kind('ConfigMap', main.envFrom[0].configMapRef.name).data;
  const caSecret = pod.volumes.find((v) => v.name === 'cluster-ca').secret.secretName;
  const ca = secrets.find((s) => s.metadata.name === caSecret).stringData;
  assert.ok(ca['ca.crt'] && ca['ca.key']);

  // The init container's command makes this pod's certificate (with a real
  // CA in place of the example's), and the node accepts the result.
  const dirs = { ca: path.join(work, 'ca'), certs: path.join(work, 'certs') };
  fs.mkdirSync(dirs.certs, { recursive: true });
  execFileSync(BIN, ['certs', 'create-ca', '--certs-dir', dirs.ca, '--ca-key', path.join(dirs.ca, 'ca.key')]);
  const podEnv = { POD_NAME: 'streamgate-0', POD_NAMESPACE: 'default' };
  const init = pod.initContainers.find((c) => c.name === 'node-certificate');
  const script = init.args.join(' ').replaceAll('/ca/', `${dirs.ca}/`).replaceAll('/certs', dirs.certs);
  execFileSync('/bin/sh', ['-c', script], {
    env: { PATH: `${path.dirname(BIN)}:${process.env.PATH}`, ...podEnv },
  });
  for (const f of ['ca.crt', 'node.crt', 'node.key'])
    assert.ok(fs.existsSync(path.join(dirs.certs, f)), f);

  const args = main.args.map((a) => a.replace(/\$\((\w+)\)/g, (_, v) => podEnv[v])
    .replace('--certs-dir=/certs', `--certs-dir=${dirs.certs}`));
  const r = checkConfig(args, { ...config, AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'y', STREAMGATE_ADMIN_TOKEN: 't' });
  assert.equal(r.code, 0, r.out);
  assert.match(r.out, /streamgate-0\.streamgate-peers\.default\.svc\.cluster\.local:9710/);

  // The probes' paths answer on a real node (a single one: ready without etcd).
  const node = await startNode({ dataDir: path.join(work, 'data'), port: await freePort() });
  try {
    for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe']) {
      const { path: p, port: named } = main[probe].httpGet;
      assert.equal(named, 'http');
      assert.equal((await fetch(`${node.base}${p}`)).status, 200, `${probe} ${p}`);
    }
  } finally {
    await stopNode(node);
  }
});
