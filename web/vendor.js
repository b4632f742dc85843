// The vendor files (hls.js, tus-js-client: npm packages built into the node,
// classic scripts that set window.Hls and window.tus), loaded when a page
// first needs one, from this origin, so the CSP stays 'self'.
const loading = new Map();

export function vendor(file, global) {
  if (window[global]) return Promise.resolve(window[global]);
  if (!loading.has(file)) {
    const base = new URL('.', import.meta.url);
    loading.set(file, new Promise((resolve, reject) => {
      const script = document.createElement('script');
      script.src = new URL(file, base).pathname;
      script.onload = () => resolve(window[global]);
      script.onerror = () => {
        loading.delete(file);
        reject(new Error(`${file} did not load`));
      };
      document.head.append(script);
    }));
  }
  return loading.get(file);
}
