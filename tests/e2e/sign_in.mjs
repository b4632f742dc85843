// Signs in to a node with SIWE (ethers) and returns the session's JWT.
// As a script: node sign_in.mjs BASE_URL [PRIVATE_KEY] prints the token.
import { ethers } from 'ethers';
import { fileURLToPath } from 'node:url';

// ganache's deterministic account 1 unless told otherwise.
export const DEFAULT_KEY = '0x6cbed15c793ce57650b9877cf6fa156fbef513c4e6134f022a85b1ffdd59b2a1';

export async function signIn(base, privateKey = DEFAULT_KEY, chainId = 1337) {
  const wallet = new ethers.Wallet(privateKey);
  const post = async (path, body) => {
    const r = await fetch(`${base}${path}`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body),
    });
    if (r.status !== 200) throw new Error(`${path}: ${r.status} ${await r.text()}`);
    return r.json();
  };
  const c = await post('/api/v1/auth/challenge', { address: wallet.address, chain_id: chainId });
  const s = await post('/api/v1/auth/verify', { message: c.message, signature: await wallet.signMessage(c.message) });
  return { token: s.token, address: wallet.address };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { token } = await signIn(process.argv[2], process.argv[3] || DEFAULT_KEY);
  console.log(token);
}
