// How a video's state reads to a person.
import { api } from './api.js';
const names = {
  uploading: 'Uploading',
  queued: 'Queued for transcoding',
  transcoding: 'Transcoding',
  ready: 'Ready',
  failed: 'Failed',
};

export function statusText(video) {
  const name = names[video.status] ?? video.status;
  if (video.status === 'transcoding') return `${name} ${Math.floor((video.progress || 0) * 100)} %`;
  if (video.status === 'failed' && video.error) return `${name}: ${video.error}`;
  return name;
}

/** Calls `seen(video, text)` with a video's state every 2 s until it is
 *  ready or failed, or until the signal ends the visit. */
export function followVideo(id, signal, seen) {
  const tick = async () => {
    if (signal.aborted) return;
    let video;
    try {
      video = await api(`/api/v1/videos/${id}`, { signal });
      seen(video, statusText(video));
    } catch { /* tried again below */ }
    if (!video || (video.status !== 'ready' && video.status !== 'failed')) setTimeout(tick, 2000);
  };
  tick();
}
