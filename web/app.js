// The page's shell: a hash router (#/, #/upload, #/mine, #/watch/<id>), the
// wallet button, and one AbortSignal per visit that ends a page's timers,
// requests and player when the reader moves on.
import { session } from './api.js';
import { announce, h, shortAddress } from './dom.js';
import { signInButton, signOut } from './wallet.js';
import { libraryPage } from './library.js';
import { uploadPage } from './upload.js';
import { minePage } from './mine.js';
import { watchPage } from './watch.js';

const pages = {
  '': { render: libraryPage, title: 'Library', nav: 'library' },
  upload: { render: uploadPage, title: 'Upload', nav: 'upload' },
  mine: { render: minePage, title: 'My videos', nav: 'mine' },
  watch: { render: watchPage, title: 'Watch' },
};

let visit = new AbortController();
let firstVisit = true;

async function route() {
  visit.abort();
  visit = new AbortController();
  const [name = '', arg] = location.hash.replace(/^#\/?/, '').split('?')[0].split('/');
  const page = pages[name] ?? pages[''];
  const main = document.getElementById('main');
  main.replaceChildren();
  document.title = `${page.title} · StreamGate`;
  for (const link of document.querySelectorAll('nav a[data-page]')) {
    if (link.dataset.page === page.nav) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  // Moving focus to the new content tells a screen reader the page changed.
  if (!firstVisit) main.focus();
  firstVisit = false;
  try {
    await page.render(main, { id: arg && decodeURIComponent(arg), signal: visit.signal });
  } catch (e) {
    if (e.name !== 'AbortError') main.append(h('p', { class: 'error', role: 'alert' }, e.message));
  }
}

function renderWallet() {
  const box = document.getElementById('wallet');
  const s = session.get();
  if (s) {
    box.replaceChildren(
      h('span', { class: 'who', title: s.address }, `Signed in as ${shortAddress(s.address)}`),
      h('button', { type: 'button', class: 'secondary', onclick: async () => {
        await signOut();
        announce('Signed out.');
      } }, 'Sign out'));
  } else {
    box.replaceChildren(signInButton());
  }
}

window.addEventListener('hashchange', route);
window.addEventListener('session', () => {
  renderWallet();
  route();  // pages differ signed in and out (upload, my videos, gated videos)
});
renderWallet();
route();
