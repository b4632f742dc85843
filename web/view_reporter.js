// The player's view events for playback analytics (POST /api/v1/analytics/
// events): start with the startup time, a heartbeat every 10 s with the
// position and the time watched since the last event, each rebuffer with its
// length, and end. A random view id ties them together; nothing else about
// the viewer is sent (the node hashes the session or address with a daily salt).
import { session } from './api.js';

const HEARTBEAT_MS = 10000;
const MAX_WATCHED_MS = 3600000;

function randomViewId() {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_');
}

export class ViewReporter {
  constructor(videoId, media) {
    this.videoId = videoId;
    this.media = media;
    this.viewId = randomViewId();
    this.loadStart = performance.now();
    this.started = false;
    this.ended = false;
    this.watchedMs = 0;
    this.playingSince = null;  // while frames advance
    this.stalledSince = null;
    this.current = undefined;
    const on = (type, f) => media.addEventListener(type, f);
    on('playing', () => this.playing());
    on('pause', () => this.halt());
    on('waiting', () => this.waiting());
    on('ended', () => this.end());
    this.onLeave = () => this.stop();
    window.addEventListener('pagehide', this.onLeave);
    this.timer = setInterval(() => {
      if (this.started && !this.ended && !media.paused) this.send('heartbeat');
    }, HEARTBEAT_MS);
  }

  rendition(name) {
    if (/^[A-Za-z0-9_-]{1,16}$/.test(name)) this.current = name;
  }

  playing() {
    const now = performance.now();
    if (!this.started) {
      this.started = true;
      this.send('start', { startup_ms: Math.round(now - this.loadStart) });
    } else if (this.stalledSince !== null) {
      this.send('rebuffer', { rebuffer_ms: Math.round(now - this.stalledSince) });
    }
    this.stalledSince = null;
    this.playingSince = now;
  }

  halt() {
    if (this.playingSince !== null) this.watchedMs += performance.now() - this.playingSince;
    this.playingSince = null;
  }

  waiting() {
    this.halt();
    if (this.started && !this.media.seeking) this.stalledSince = performance.now();
  }

  end() {
    if (!this.started || this.ended) return;
    this.halt();
    this.ended = true;
    this.send('end');
  }

  stop() {
    this.end();
    clearInterval(this.timer);
    window.removeEventListener('pagehide', this.onLeave);
  }

  send(type, extra = {}) {
    if (this.playingSince !== null) {
      const now = performance.now();
      this.watchedMs += now - this.playingSince;
      this.playingSince = now;
    }
    const event = {
      video_id: this.videoId, view_id: this.viewId, type,
      position_ms: Math.max(0, Math.floor(this.media.currentTime * 1000)),
      watched_ms: Math.min(MAX_WATCHED_MS, Math.round(this.watchedMs)),
      ...extra,
    };
    if (this.current) event.rendition = this.current;
    this.watchedMs = 0;
    // keepalive: the end of a view is sent as the page goes away.
    fetch('/api/v1/analytics/events', {
      method: 'POST', keepalive: true, body: JSON.stringify(event),
      headers: { 'Content-Type': 'application/json', ...session.authorization() },
    }).catch(() => { /* figures are best effort; playback is not disturbed */ });
  }
}
