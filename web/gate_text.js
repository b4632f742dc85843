// A gate in words: which tokens open a video (the Gate schema of the API).
import { h } from './dom.js';

export function ruleText(rule) {
  const standard = { erc721: 'ERC-721', erc1155: 'ERC-1155' }[rule.standard] ?? 'NFT';
  const token = rule.token_id !== undefined && rule.token_id !== null && rule.token_id !== '' ? ` #${rule.token_id}` : '';
  const count = (rule.min_balance ?? 1) > 1 ? `at least ${rule.min_balance} of ` : '';
  return `${count}${standard} token${token} of contract ${rule.contract} on chain ${rule.chain_id}`;
}

export function describeGate(gate) {
  const lead = gate.rules.length === 1 ? 'Unlocked by:' : gate.mode === 'all' ? 'Unlocked by holding all of:' : 'Unlocked by holding any of:';
  return h('div', { class: 'gate-rules' }, h('p', {}, lead),
    h('ul', {}, gate.rules.map((r) => h('li', {}, ruleText(r)))));
}
