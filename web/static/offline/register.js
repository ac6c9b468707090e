// Offline use: registers the service worker (sw.js, next to the page, so its scope is the page's folder, also under
// a sub-path) and tells the store when this build is kept for offline use. A browser without service workers, or a
// page opened from file:, simply works online as before.
import { BUILD } from './build.js';

// Asks the worker that controls this page which build it caches; null when none controls it (yet).
function askControllerBuild() {
  const controller = navigator.serviceWorker.controller;
  if (!controller) return Promise.resolve(null);
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = (e) => resolve(e.data && typeof e.data.build === 'string' ? e.data.build : null);
    controller.postMessage({ kind: 'rnnlab:build?' }, [channel.port2]);
    setTimeout(() => resolve(null), 5000);
  });
}

export function registerOffline(store) {
  store.update({ build: BUILD, offlineBuild: null });
  if (!('serviceWorker' in navigator) || !window.isSecureContext) return;
  // Only the latest question's answer counts: the question asked when the page was ready goes to the previous
  // build's worker, and its answer can arrive after the new worker's (controllerchange), which it must not undo.
  const latest = { question: 0 };
  const note = () => {
    const question = ++latest.question;
    askControllerBuild().then((offlineBuild) => { if (question === latest.question) store.update({ offlineBuild }); });
  };
  navigator.serviceWorker.addEventListener('controllerchange', note);
  navigator.serviceWorker.register('sw.js')
    .then(() => navigator.serviceWorker.ready)
    .then(note)
    .catch(() => {});   // e.g. storage turned off: the page works online as before
}
