// A real local chain for the tests: ganache on a free loopback port, and the
// test tokens deployed to it (contracts/GateTokens.json, compiled once).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ethers } from 'ethers';
import { freePort } from './harness.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
export const tokens = JSON.parse(fs.readFileSync(path.join(here, 'contracts/GateTokens.json'), 'utf8'));
// ganache --wallet.deterministic accounts 0 (deployer), 1 (holder A), 2 (B).
export const KEYS = ['0x4f3edf983ac636a65a842ce7c78d9aa706d3b113bce9c46f30d7d21715b23b1d',
  '0x6cbed15c793ce57650b9877cf6fa156fbef513c4e6134f022a85b1ffdd59b2a1',
  '0x6370fd033278c143179d81c5526140625662b8daa446c22ee2d73db3707e620c'];
export const CHAIN_ID = 1337;

/** Starts ganache; resolves with { process, port, provider } once it answers. */
export async function startChain() {
  const port = await freePort();
  const process = spawn(path.join(root, 'node_modules/.bin/ganache'),
    ['--wallet.deterministic', '--chain.chainId', String(CHAIN_ID), '--server.port', String(port),
      '--server.host', '127.0.0.1', '--logging.quiet'], { stdio: 'ignore' });
  const provider = new ethers.JsonRpcProvider(`http://127.0.0.1:${port}`, CHAIN_ID, { staticNetwork: true, cacheTimeout: -1 });  // no stale nonces
  for (let i = 0; i < 200; i++) {
    try {
      await provider.getBlockNumber();
      return { process, port, provider };
    } catch { await new Promise((r) => setTimeout(r, 100)); }
  }
  process.kill('SIGKILL');
  throw new Error('ganache did not start');
}

/** Deploys one of the test contracts (GatePass, GateBadge, OwnedWallet) from account 0. */
export async function deploy(provider, name, ...args) {
  const deployer = new ethers.Wallet(KEYS[0], provider);
  const contract = await new ethers.ContractFactory(tokens[name].abi, tokens[name].bytecode, deployer).deploy(...args);
  await contract.waitForDeployment();
  return contract;
}
