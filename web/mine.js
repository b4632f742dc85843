// My videos: the signed-in owner's videos, each with its details editor, its
// gate editor, its analytics, a new transcode and deletion.
import { api, query, session } from './api.js';
import { announce, h } from './dom.js';
import { signInButton } from './wallet.js';
import { statusText } from './video_status.js';
import { detailsEditor } from './video_editor.js';
import { gateEditor } from './gate_editor.js';
import { analyticsPanel } from './analytics_panel.js';

export async function minePage(main, { signal }) {
  main.append(h('h1', {}, 'My videos'));
  const me = session.get();
  if (!me) {
    main.append(h('p', {}, 'Sign in with your wallet to manage your videos.'), signInButton());
    return;
  }
  const list = h('div', { class: 'mine' });
  const more = h('button', { type: 'button', class: 'secondary', hidden: true }, 'Load more');
  main.append(list, more);
  let cursor = null;
  const load = async () => {
    const page = await api(`/api/v1/videos${query({ owner: me.address, cursor, limit: 20 })}`, { signal });
    for (const video of page.items) list.append(ownedVideo(video, signal));
    if (!list.firstChild) list.append(h('p', {}, 'You have no videos yet. ', h('a', { href: '#/upload' }, 'Upload one.')));
    cursor = page.next_cursor;
    more.hidden = !cursor;
  };
  more.addEventListener('click', () => load().catch((e) => announce(e.message)));
  await load();
}

function ownedVideo(video, signal) {
  const heading = h('h2', {}, h('a', { href: `#/watch/${video.id}` }, video.title || 'Untitled'));
  const state = h('p', { class: 'meta' }, statusText(video));
  const rerun = h('button', { type: 'button', class: 'secondary' }, 'Transcode again');
  const remove = h('button', { type: 'button', class: 'danger' }, 'Delete');
  const article = h('article', { class: 'owned', 'aria-labelledby': `t-${video.id}` },
    heading, state,
    panel('Details', () => detailsEditor(video, (v) => {
      heading.firstChild.textContent = v.title || 'Untitled';
      Object.assign(video, v);
    })),
    panel('Who may watch', () => gateEditor(video)),
    panel('Analytics', () => analyticsPanel(video, signal)),
    h('div', { class: 'actions' }, rerun, remove));
  heading.id = `t-${video.id}`;
  rerun.addEventListener('click', async () => {
    try {
      await api(`/api/v1/videos/${video.id}/job`, { method: 'POST' });
      state.textContent = 'Queued for transcoding';
      announce(`“${video.title}” will be transcoded again.`);
    } catch (e) { announce(`Not queued: ${e.message}`); }
  });
  remove.addEventListener('click', async () => {
    if (!window.confirm(`Delete “${video.title}” and its media? This cannot be undone.`)) return;
    try {
      await api(`/api/v1/videos/${video.id}`, { method: 'DELETE' });
      article.remove();
      announce(`“${video.title}” was deleted.`);
    } catch (e) { announce(`Not deleted: ${e.message}`); }
  });
  return article;
}

// A disclosure whose content is built the first time it opens.
function panel(title, build) {
  const body = h('div', { class: 'panel-body' });
  const details = h('details', { class: 'panel' }, h('summary', {}, title), body);
  details.addEventListener('toggle', () => {
    if (details.open && !body.firstChild) body.append(build());
  });
  return details;
}
