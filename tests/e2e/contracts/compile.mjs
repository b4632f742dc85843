// Compiles GateTokens.sol once (solc + OpenZeppelin 4.9, evmVersion paris for
// ganache) into GateTokens.json, which is committed as test data.
// Run: node tests/e2e/contracts/compile.mjs
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import solc from 'solc';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const input = {
  language: 'Solidity',
  sources: { 'GateTokens.sol': { content: fs.readFileSync(path.join(here, 'GateTokens.sol'), 'utf8') } },
  settings: { evmVersion: 'paris', optimizer: { enabled: true, runs: 200 },
              outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object'] } } },
};
const findImports = (p) => ({ contents: fs.readFileSync(require.resolve(p), 'utf8') });
const out = JSON.parse(solc.compile(JSON.stringify(input), { import: findImports }));
const errors = (out.errors || []).filter((e) => e.severity === 'error');
if (errors.length) throw new Error(errors.map((e) => e.formattedMessage).join('\n'));
const pick = (name) => ({ abi: out.contracts['GateTokens.sol'][name].abi,
                          bytecode: `0x${out.contracts['GateTokens.sol'][name].evm.bytecode.object}` });
fs.writeFileSync(path.join(here, 'GateTokens.json'),
  `${JSON.stringify({ GatePass: pick('GatePass'), GateBadge: pick('GateBadge'), OwnedWallet: pick('OwnedWallet') })}\n`);
