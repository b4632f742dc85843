// Sign-in with an injected wallet (EIP-1193 `window.ethereum`): the node's
// SIWE (EIP-4361) challenge, signed with personal_sign (EIP-191), exchanged
// for a session JWT.
import { api, session } from './api.js';
import { announce, h, shortAddress } from './dom.js';

function hexOf(text) {
  return `0x${Array.from(new TextEncoder().encode(text), (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

export function hasWallet() {
  return typeof window.ethereum?.request === 'function';
}

export async function signIn() {
  if (!hasWallet()) throw new Error('No wallet found. Install a browser wallet (EIP-1193) to sign in.');
  const eth = window.ethereum;
  const [address] = await eth.request({ method: 'eth_requestAccounts' });
  if (!address) throw new Error('The wallet shared no account.');
  const chainId = Number.parseInt(await eth.request({ method: 'eth_chainId' }), 16);
  // The node takes an all-lower-case address as well as an EIP-55 one.
  const challenge = await api('/api/v1/auth/challenge', { method: 'POST', body: { address, chain_id: chainId } });
  const signature = await eth.request({ method: 'personal_sign', params: [hexOf(challenge.message), address] });
  session.set(await api('/api/v1/auth/verify', { method: 'POST', body: { message: challenge.message, signature } }));
}

export async function signOut() {
  try {
    await api('/api/v1/auth/logout', { method: 'POST' });
  } catch { /* the session is dropped here either way */ }
  session.clear();
}

/** A button that signs in with the wallet and says how it went. */
export function signInButton(text = 'Sign in with wallet') {
  const button = h('button', { type: 'button', onclick: async () => {
    button.disabled = true;
    try {
      await signIn();
      announce(`Signed in as ${shortAddress(session.get().address)}.`);
    } catch (e) {
      announce(`Sign-in failed: ${e.message}`);
    } finally {
      button.disabled = false;
    }
  } }, text);
  if (!hasWallet()) button.title = 'Needs a browser wallet (EIP-1193)';
  return button;
}
