// A video's playback figures for its owner (GET /api/v1/videos/{id}/analytics):
// the totals of a window and a bar chart of watch time over it.
import { api } from './api.js';
import { field, formatDuration, h, svg } from './dom.js';

export function analyticsPanel(video, signal) {
  const windowSelect = h('select', {},
    h('option', { value: '24h' }, 'Last 24 hours'),
    h('option', { value: '7d', selected: true }, 'Last 7 days'),
    h('option', { value: '30d' }, 'Last 30 days'));
  const refresh = h('button', { type: 'button', class: 'secondary' }, 'Refresh');
  const out = h('div', { class: 'analytics', 'aria-live': 'polite' });
  const load = async () => {
    try {
      const stats = await api(`/api/v1/videos/${video.id}/analytics?window=${windowSelect.value}`, { signal });
      out.replaceChildren(figures(stats), chart(stats));
    } catch (e) {
      if (e.name !== 'AbortError') out.replaceChildren(h('p', { class: 'error' }, e.message));
    }
  };
  windowSelect.addEventListener('change', load);
  refresh.addEventListener('click', load);
  load();
  return h('div', {}, h('div', { class: 'actions' }, field('Window', windowSelect), refresh), out);
}

function figures(s) {
  const pct = (x) => `${Math.round(x * 1000) / 10} %`;
  const rows = [
    ['Plays', s.plays],
    ['Unique viewers', s.unique_viewers],
    ['Watch time', formatDuration(s.watch_time_ms)],
    ['Completion rate', pct(s.completion_rate)],
    ['Startup time (p50 / p95)', `${s.startup_time_ms.p50} ms / ${s.startup_time_ms.p95} ms`],
    ['Rebuffer ratio', pct(s.rebuffer_ratio)],
    ['Top renditions', s.renditions.slice(0, 3).map((r) => r.name).join(', ') || '—'],
  ];
  return h('dl', { class: 'figures' }, rows.map(([k, v]) => [h('dt', {}, k), h('dd', { 'data-figure': k }, String(v))]));
}

// Watch time per step of the window, as bars; the label says it in words.
function chart(s) {
  const width = 600;
  const height = 140;
  const series = s.series;
  const peak = Math.max(1, ...series.map((p) => p.watch_time_ms));
  const barWidth = width / Math.max(1, series.length);
  const busiest = series.reduce((best, p) => (p.watch_time_ms > (best?.watch_time_ms ?? -1) ? p : best), null);
  const label = busiest && busiest.watch_time_ms > 0
    ? `Watch time per period, highest ${formatDuration(busiest.watch_time_ms)} from ${new Date(busiest.start).toLocaleString()}`
    : 'Watch time per period: no views in this window';
  return svg('svg', { class: 'chart', viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': label },
    series.map((p, i) => {
      const barHeight = Math.round((p.watch_time_ms / peak) * (height - 10));
      return svg('rect', { x: i * barWidth + 1, y: height - barHeight, width: Math.max(1, barWidth - 2), height: barHeight },
        svg('title', {}, `${new Date(p.start).toLocaleString()}: ${p.plays} plays, ${formatDuration(p.watch_time_ms)}`));
    }));
}
