// Upload: drag and drop or choose a file, sent with tus-js-client. tus-js-client
// remembers each file's upload URL in localStorage, so choosing the same file
// again after a reload (or a lost connection) resumes where the node stopped.
import { api, listCategories, session } from './api.js';
import { announce, field, formatBytes, h } from './dom.js';
import { signInButton } from './wallet.js';
import { vendor } from './vendor.js';
import { followVideo } from './video_status.js';

const CHUNK_BYTES = 8 * 1024 * 1024;  // what a dropped connection can cost

export async function uploadPage(main, { signal }) {
  main.append(h('h1', {}, 'Upload'));
  if (!session.get()) {
    main.append(h('p', {}, 'Sign in with your wallet to upload videos.'), signInButton());
    return;
  }
  let file = null;
  const input = h('input', { type: 'file', accept: 'video/*', class: 'file' });
  const chosen = h('span', { class: 'chosen' }, 'No file chosen');
  const drop = h('div', { class: 'drop' },
    h('label', { for: 'upload-file' }, 'Drop a video here, or choose a file'), input, chosen);
  input.id = 'upload-file';
  const title = h('input', { type: 'text', maxlength: 300, required: true });
  const description = h('textarea', { rows: 3, maxlength: 10000 });
  const tags = h('input', { type: 'text' });
  const category = h('select', {}, h('option', { value: '' }, 'None'));
  const start = h('button', { type: 'submit' }, 'Upload');
  const form = h('form', { class: 'upload' }, drop, field('Title', title), field('Description', description),
    field('Tags', tags, 'Separated by commas'), field('Category', category), start);
  const progress = uploadProgress();
  main.append(form, progress.element);
  for (const c of await listCategories()) category.append(h('option', { value: c.slug }, c.name));

  const choose = (f) => {
    if (!f) return;
    file = f;
    chosen.textContent = `${f.name} (${formatBytes(f.size)})`;
    if (!title.value) title.value = f.name.replace(/\.[^.]+$/, '');
  };
  input.addEventListener('change', () => choose(input.files[0]));
  drop.addEventListener('dragover', (e) => { e.preventDefault(); drop.classList.add('over'); });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (e) => {
    e.preventDefault();
    drop.classList.remove('over');
    choose(e.dataTransfer.files[0]);
  });
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (!file) return announce('Choose a video file first.');
    start.disabled = true;
    try {
      const videoId = await send(file, {
        title: title.value.trim(), description: description.value.trim(), tags: tags.value.trim(),
      }, progress, signal);
      if (category.value) await api(`/api/v1/videos/${videoId}`, { method: 'PATCH', body: { category: category.value } });
      progress.done(videoId, signal);
    } catch (err) {
      if (err.name !== 'AbortError') progress.fail(err);
    } finally {
      start.disabled = false;
    }
  });
}

async function send(file, fields, progress, signal) {
  const tus = await vendor('tus.min.js', 'tus');
  const metadata = { filename: file.name };
  for (const [k, v] of Object.entries(fields)) if (v) metadata[k] = v;
  return new Promise((resolve, reject) => {
    const upload = new tus.Upload(file, {
      endpoint: '/api/v1/uploads',
      chunkSize: CHUNK_BYTES,
      retryDelays: [0, 1000, 3000, 5000, 10000],
      headers: session.authorization(),
      metadata,
      storeFingerprintForResuming: true,
      removeFingerprintOnSuccess: true,
      onProgress: (sent, total) => progress.show(sent, total),
      onError: reject,
      onSuccess: async () => {
        try {
          resolve((await api(new URL(upload.url, location.href).pathname)).video_id);
        } catch (e) { reject(e); }
      },
    });
    signal.addEventListener('abort', () => {
      upload.abort();
      reject(new DOMException('left the page', 'AbortError'));
    });
    progress.onPause((paused) => (paused ? upload.abort() : upload.start()));
    upload.findPreviousUploads().then((previous) => {
      if (previous.length > 0) {
        upload.resumeFromPreviousUpload(previous[0]);
        progress.note('Resuming the upload of this file that was cut short.');
      }
      upload.start();
    }, reject);
  });
}

// The progress bar with bytes, speed and time left; then the transcode's.
function uploadProgress() {
  const bar = h('progress', { max: 1, value: 0, 'aria-labelledby': 'upload-progress-label' });
  const label = h('span', { id: 'upload-progress-label' }, 'Upload progress');
  const figures = h('p', { class: 'meta' });
  const note = h('p', { class: 'meta' });
  const pause = h('button', { type: 'button', class: 'secondary' }, 'Pause');
  const result = h('div', { class: 'result' });
  const element = h('section', { class: 'progress', hidden: true, 'aria-label': 'Upload' },
    label, bar, figures, note, pause, result);
  const samples = [];
  let paused = false;
  let pauseHandler = () => {};
  pause.addEventListener('click', () => {
    paused = !paused;
    pause.textContent = paused ? 'Resume' : 'Pause';
    samples.length = 0;
    pauseHandler(paused);
  });
  return {
    element,
    note: (text) => { note.textContent = text; },
    onPause: (f) => { pauseHandler = f; },
    show(sent, total) {
      element.hidden = false;
      bar.max = total;
      bar.value = sent;
      const now = performance.now();
      samples.push([now, sent]);
      while (samples.length > 2 && now - samples[0][0] > 3000) samples.shift();
      const [t0, s0] = samples[0];
      const speed = now > t0 ? ((sent - s0) * 1000) / (now - t0) : 0;
      const parts = [`${formatBytes(sent)} of ${formatBytes(total)}`];
      if (speed > 0 && sent < total) {
        parts.push(`${formatBytes(speed)}/s`, `about ${Math.ceil((total - sent) / speed)} s left`);
      }
      figures.textContent = parts.join(' · ');
    },
    done(videoId, signal) {
      pause.hidden = true;
      label.textContent = 'Transcoding';
      bar.removeAttribute('value');
      followVideo(videoId, signal, (video, text) => {
        figures.textContent = text;
        bar.max = 1;
        if (video.status === 'transcoding') bar.value = video.progress;
        if (video.status === 'ready') {
          bar.value = 1;
          result.replaceChildren(h('a', { href: `#/watch/${videoId}`, class: 'button' }, `Watch “${video.title}”`));
          announce('Your video is ready.');
        }
      });
    },
    fail(err) {
      element.hidden = false;
      result.replaceChildren(h('p', { class: 'error', role: 'alert' }, `Upload failed: ${err.message}`));
    },
  };
}
