// hls.js and dash.js in headless Chromium (Debian's, driven by playwright-core).
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);

export function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--autoplay-policy=no-user-gesture-required'],
  });
}

/** Plays `url` with hls.js or dash.js on a page of `origin`; resolves with the
 * time reached, every error event seen, and where the buffered media starts. */
export async function playIn(browser, origin, kind, url) {
  const page = await browser.newPage();
  page.on('pageerror', (e) => console.log(`page error: ${e}`));
  try {
    await page.goto(`${origin}/health/live`);
    await page.setContent('<video id="v" muted playsinline></video>');
    const lib = kind === 'hls' ? 'hls.js/dist/hls.min.js' : 'dashjs/dist/dash.all.min.js';
    await page.addScriptTag({ path: require.resolve(lib) });
    await page.evaluate(({ kind, url }) => {
      const video = document.getElementById('v');
      window.errors = [];
      if (kind === 'hls') {
        const hls = new window.Hls();
        hls.on(window.Hls.Events.ERROR, (_, d) => window.errors.push(`${d.details}${d.fatal ? ' (fatal)' : ''}`));
        hls.loadSource(url);
        hls.attachMedia(video);
      } else {
        const player = window.dashjs.MediaPlayer().create();
        player.on(window.dashjs.MediaPlayer.events.ERROR, (e) => window.errors.push(JSON.stringify(e.error)));
        player.initialize(video, url, true);
      }
      video.addEventListener('error', () => window.errors.push(`media error ${video.error?.code}`));
      // dash.js autoplays itself; hls.js media is started once it can play,
      // so no play() races the player's own load of the media element.
      if (kind === 'hls')
        video.addEventListener('canplay', () => video.play().catch((e) => window.errors.push(`play: ${e}`)), { once: true });
    }, { kind, url });
    await page.waitForFunction(() => document.getElementById('v').currentTime > 3 || window.errors.length > 0,
      null, { timeout: 30000 });
    return await page.evaluate(() => {
      const v = document.getElementById('v');
      return { time: v.currentTime, errors: window.errors, start: v.buffered.length ? v.buffered.start(0) : -1 };
    });
  } finally {
    await page.close();
  }
}
