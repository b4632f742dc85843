// The library: search, tag and category filters, cursor paging, posters, and
// the status of videos still uploading or transcoding, refreshed live.
import { api, listCategories, query } from './api.js';
import { formatDuration, h, field } from './dom.js';
import { statusText } from './video_status.js';

const PAGE_SIZE = 24;
const REFRESH_MS = 3000;

export async function libraryPage(main, { signal }) {
  const params = new URLSearchParams(location.hash.split('?')[1] || '');
  const q = h('input', { type: 'search', name: 'q', value: params.get('q') || '', autocomplete: 'off' });
  const tag = h('input', { type: 'text', name: 'tag', value: params.get('tag') || '' });
  const category = h('select', { name: 'category' }, h('option', { value: '' }, 'All categories'));
  const list = h('ul', { class: 'cards', 'aria-label': 'Videos' });
  const more = h('button', { type: 'button', class: 'secondary', hidden: true }, 'Load more');
  const form = h('form', { role: 'search', class: 'filters', onsubmit: (e) => {
    e.preventDefault();
    const filters = { q: q.value.trim(), tag: tag.value.trim(), category: category.value };
    location.hash = `#/${query(filters)}`;
  } },
  field('Search', q), field('Tag', tag), field('Category', category),
  h('button', { type: 'submit' }, 'Search'));
  main.append(h('h1', {}, 'Library'), form, list, more);

  for (const c of await listCategories())
    category.append(h('option', { value: c.slug, selected: c.slug === params.get('category') }, c.name));

  const cards = new Map();  // video id → its card, for the live refresh
  let cursor = null;
  const filters = { q: params.get('q'), tag: params.get('tag'), category: params.get('category') };
  async function load() {
    more.disabled = true;
    const page = await api(`/api/v1/videos${query({ ...filters, cursor, limit: PAGE_SIZE })}`, { signal });
    for (const video of page.items) {
      const card = videoCard(video, signal);
      cards.set(video.id, card);
      list.append(card.element);
    }
    if (cards.size === 0) list.append(h('li', { class: 'empty' }, 'No videos found.'));
    cursor = page.next_cursor;
    more.hidden = !cursor;
    more.disabled = false;
  }
  more.addEventListener('click', () => load().catch(() => {}));
  await load();

  const timer = setInterval(async () => {
    for (const [id, card] of cards) {
      if (!card.pending()) continue;
      try { card.update(await api(`/api/v1/videos/${id}`, { signal })); } catch { /* next round */ }
    }
  }, REFRESH_MS);
  signal.addEventListener('abort', () => clearInterval(timer));
}

function videoCard(video, signal) {
  const poster = h('div', { class: 'poster' });
  const status = h('p', { class: 'meta' });
  const element = h('li', { class: 'card' },
    h('a', { href: `#/watch/${video.id}` }, poster, h('h2', {}, video.title || video.filename || 'Untitled')),
    status);
  let current = video;
  function update(v) {
    const becameReady = v.status === 'ready' && current.status !== 'ready';
    current = v;
    const parts = [statusText(v)];
    if (v.duration_ms) parts.push(formatDuration(v.duration_ms));
    if (v.gate) parts.push('Token-gated');
    status.textContent = parts.join(' · ');
    if (becameReady || (v.status === 'ready' && !poster.firstChild)) showPoster(v);
    else if (!poster.firstChild) poster.append(h('span', { class: 'placeholder' }, v.gate ? 'Locked' : 'No poster yet'));
  }
  async function showPoster(v) {
    if (v.gate) {
      poster.replaceChildren(h('span', { class: 'placeholder' }, 'Locked'));
      return;
    }
    try {
      const urls = await api(`/api/v1/videos/${v.id}/playback`, { signal });
      poster.replaceChildren(h('img', { src: urls.poster, alt: '', loading: 'lazy' }));
    } catch { /* no poster: the placeholder stays */ }
  }
  update(video);
  return { element, update, pending: () => current.status !== 'ready' && current.status !== 'failed' };
}
