// Watch: the video's details, then hls.js playing its signed HLS URL with a
// quality menu from the ladder, or why it is locked and which token opens it.
import { api, session } from './api.js';
import { field, formatDuration, h, shortAddress } from './dom.js';
import { signInButton } from './wallet.js';
import { vendor } from './vendor.js';
import { followVideo, statusText } from './video_status.js';
import { describeGate } from './gate_text.js';
import { ViewReporter } from './view_reporter.js';

export async function watchPage(main, { id, signal }) {
  const video = await api(`/api/v1/videos/${encodeURIComponent(id || '')}`, { signal });
  document.title = `${video.title || 'Untitled'} · StreamGate`;
  const stage = h('div', { class: 'stage' });
  main.append(h('h1', {}, video.title || 'Untitled'), stage, details(video));
  if (video.status !== 'ready') {
    const state = h('p', { class: 'meta', role: 'status' }, statusText(video));
    const bar = h('progress', { max: 1, value: video.progress || 0, 'aria-label': 'Transcode progress' });
    stage.append(state, bar);
    followVideo(video.id, signal, (v, text) => {
      state.textContent = text;
      bar.value = v.progress || 0;
      if (v.status === 'ready') play(stage, v, signal);
    });
    return;
  }
  await play(stage, video, signal);
}

function details(video) {
  const facts = [`By ${shortAddress(video.owner)}`];
  if (video.duration_ms) facts.push(formatDuration(video.duration_ms));
  if (video.category) facts.push(`Category: ${video.category}`);
  return h('section', { class: 'details', 'aria-label': 'About this video' },
    h('p', { class: 'meta' }, facts.join(' · ')),
    video.tags.length ? h('ul', { class: 'tags', 'aria-label': 'Tags' }, video.tags.map((t) => h('li', {}, h('a', { href: `#/?tag=${encodeURIComponent(t)}` }, t)))) : null,
    video.description ? h('p', { class: 'description' }, video.description) : null);
}

async function play(stage, video, signal) {
  let urls;
  try {
    urls = await api(`/api/v1/videos/${video.id}/playback`, { signal });
  } catch (e) {
    if (e.status === 401 || e.status === 403) return stage.replaceChildren(locked(video, e));
    throw e;
  }
  const element = h('video', { controls: true, playsinline: true, poster: urls.poster, 'aria-label': video.title || 'Video' });
  const quality = h('select', { disabled: true }, h('option', { value: '-1' }, 'Auto'));
  stage.replaceChildren(element, h('div', { class: 'controls' }, field('Quality', quality)));
  const reporter = new ViewReporter(video.id, element);
  signal.addEventListener('abort', () => reporter.stop());

  const Hls = await vendor('hls.min.js', 'Hls');
  if (!Hls.isSupported()) {
    element.src = urls.hls;  // Safari plays HLS itself
    return;
  }
  const hls = new Hls();
  signal.addEventListener('abort', () => hls.destroy());
  hls.on(Hls.Events.MANIFEST_PARSED, (_, data) => {
    const levels = data.levels.map((level, index) => ({ level, index })).sort((a, b) => b.level.height - a.level.height);
    for (const { level, index } of levels) quality.append(h('option', { value: String(index) }, `${level.height}p`));
    quality.disabled = false;
  });
  hls.on(Hls.Events.LEVEL_SWITCHED, (_, data) => reporter.rendition(`${hls.levels[data.level]?.height ?? 0}p`));
  quality.addEventListener('change', () => { hls.currentLevel = Number(quality.value); });
  hls.loadSource(urls.hls);
  hls.attachMedia(element);
}

function locked(video, error) {
  const signedIn = Boolean(session.get());
  const why = error.status === 401 || !signedIn
    ? 'This video is only for holders of a token. Sign in with a wallet that holds one.'
    : 'The wallet you signed in with does not hold the token this video needs.';
  return h('section', { class: 'locked', role: 'region', 'aria-label': 'Locked video' },
    h('h2', {}, 'Locked'),
    h('p', {}, why),
    video.gate ? describeGate(video.gate) : null,
    error.status === 503 ? h('p', {}, 'The token could not be checked just now; try again shortly.') : null,
    signedIn ? null : signInButton());
}
