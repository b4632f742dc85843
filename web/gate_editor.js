// The gate editor: which token holdings unlock a video (1 to 16 rules, any or
// all of them), saved with PATCH /api/v1/videos/{id} {"gate": …}.
import { api } from './api.js';
import { announce, field, h } from './dom.js';
import { describeGate } from './gate_text.js';

const MAX_RULES = 16;

export function gateEditor(video) {
  const mode = h('select', {},
    h('option', { value: 'any', selected: video.gate?.mode !== 'all' }, 'Any one rule'),
    h('option', { value: 'all', selected: video.gate?.mode === 'all' }, 'All rules'));
  const rules = h('div', { class: 'rules' });
  const current = h('div', { class: 'current-gate' });
  const add = h('button', { type: 'button', class: 'secondary' }, 'Add rule');
  const clear = h('button', { type: 'button', class: 'secondary' }, 'Make public');
  const form = h('form', { class: 'editor gate' }, current, field('Viewers must pass', mode), rules,
    h('div', { class: 'actions' }, add, h('button', { type: 'submit' }, 'Save gate'), clear));

  const showCurrent = () => current.replaceChildren(video.gate
    ? describeGate(video.gate)
    : h('p', {}, 'Anyone may watch this video.'));
  const renumber = () => [...rules.children].forEach((r, i) => r.renumber(i + 1));
  const addRule = (rule = {}) => {
    if (rules.children.length >= MAX_RULES) return announce(`A gate has at most ${MAX_RULES} rules.`);
    rules.append(ruleFields(rule, () => renumber()));
    renumber();
  };
  for (const rule of video.gate?.rules ?? [{}]) addRule(rule);
  showCurrent();
  add.addEventListener('click', () => addRule());

  const save = async (gate) => {
    try {
      Object.assign(video, await api(`/api/v1/videos/${video.id}`, { method: 'PATCH', body: { gate } }));
      showCurrent();
      announce(gate ? 'Gate saved.' : 'The video is public.');
    } catch (e) { announce(`Not saved: ${e.message}`); }
  };
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    save({ mode: mode.value, rules: [...rules.children].map((r) => r.value()) });
  });
  clear.addEventListener('click', () => save(null));
  return form;
}

function ruleFields(rule, removed) {
  const chain = h('input', { type: 'number', min: 1, required: true, value: rule.chain_id ?? '' });
  const contract = h('input', { type: 'text', required: true, pattern: '0x[0-9a-fA-F]{40}', value: rule.contract ?? '', spellcheck: false });
  const standard = h('select', {}, ['auto', 'erc721', 'erc1155'].map((s) => h('option', { value: s, selected: (rule.standard ?? 'auto') === s },
    { auto: 'Detect', erc721: 'ERC-721', erc1155: 'ERC-1155' }[s])));
  const token = h('input', { type: 'text', inputmode: 'numeric', pattern: '[0-9]{1,78}', value: rule.token_id ?? '' });
  const balance = h('input', { type: 'number', min: 1, value: rule.min_balance || 1 });
  const legend = h('legend', {});
  const remove = h('button', { type: 'button', class: 'secondary' }, 'Remove');
  const set = h('fieldset', { class: 'rule' }, legend,
    field('Chain id', chain), field('Contract', contract, '0x and 40 hex digits'), field('Standard', standard),
    field('Token id', token, 'Needed for ERC-1155; empty: any token'), field('Minimum balance', balance), remove);
  set.renumber = (n) => {
    legend.textContent = `Rule ${n}`;
    remove.setAttribute('aria-label', `Remove rule ${n}`);
  };
  set.value = () => {
    const r = { chain_id: Number(chain.value), contract: contract.value.trim(), standard: standard.value,
      min_balance: Number(balance.value) || 1 };
    if (token.value.trim()) r.token_id = token.value.trim();
    return r;
  };
  remove.addEventListener('click', () => {
    if (set.parentNode.children.length === 1) return announce('A gate needs one rule; use “Make public” to remove it.');
    set.remove();
    removed();
  });
  return set;
}
