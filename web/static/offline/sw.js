// rnnlab's service worker: keeps each build of the site in a cache of its own, so that the page opens and trains
// without a network after one visit, and every page gets all its files from one build.
//   - Installing precaches the build's files (FILES, with their SHA-256, written by web/stamp_build.mjs) into the
//     cache "rnnlab-<BUILD>", checking every file's hash: a host that already serves a newer build mid-install fails
//     the install (the next visit tries again) instead of caching a mix.
//   - The page itself is fetched from the network first, so a new build shows on the next visit; without a network
//     it comes from the newest cache. Every other file carries its page's build (?v=, offline/build.js) and is
//     answered from that build's cache, so a page that is still open keeps getting its own build's files.
//   - The newest two builds are kept (an open page of the previous build still finds its files); older ones go.
// Everything is relative to the worker's scope, so the site works from any folder of any plain static host.
const BUILD = '__RNNLAB_BUILD__';
const FILES = [/* __RNNLAB_FILES__ */];
const PREFIX = 'rnnlab-';
const CACHE = PREFIX + BUILD;
const KEEP = 2;
const SCOPE = self.registration.scope;
const PAGE = 'index.html';

const hex = (buffer) => [...new Uint8Array(buffer)].map((b) => b.toString(16).padStart(2, '0')).join('');

async function precache() {
  const cache = await caches.open(CACHE);
  await Promise.all(FILES.map(async ({ path, sha256 }) => {
    const response = await fetch(new URL(path, SCOPE), { cache: 'no-cache' });
    if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
    const body = await response.arrayBuffer();
    if (hex(await crypto.subtle.digest('SHA-256', body)) !== sha256) throw new Error(`${path}: not the file of build ${BUILD}`);
    const headers = { 'Content-Type': response.headers.get('Content-Type') || 'application/octet-stream' };
    await cache.put(new URL(path, SCOPE).href, new Response(body, { headers }));
  }));
}

async function dropOldBuilds() {
  const ours = (await caches.keys()).filter((name) => name.startsWith(PREFIX));   // in the order they were made
  const keep = new Set([...ours.slice(-KEEP), CACHE]);
  await Promise.all(ours.filter((name) => !keep.has(name)).map((name) => caches.delete(name)));
}

self.addEventListener('install', (event) => {
  event.waitUntil(precache().then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(dropOldBuilds().then(() => self.clients.claim()));
});

// The page: the network's (the newest build), or this build's copy without a network.
async function page(request) {
  try {
    return await fetch(request);
  } catch (offline) {
    const kept = await caches.match(new URL(PAGE, SCOPE).href, { cacheName: CACHE });
    if (kept) return kept;
    throw offline;
  }
}

// Any other file: from the cache of the build that asked for it, else from the network.
async function file(request, key, build) {
  const kept = await caches.match(key, { cacheName: PREFIX + build });
  return kept || fetch(request);
}

self.addEventListener('fetch', (event) => {
  const { request } = event;
  if (request.method !== 'GET' || !request.url.startsWith(SCOPE)) return;
  const url = new URL(request.url);
  const path = url.href.slice(SCOPE.length).replace(/[?#].*$/, '');
  if (request.mode === 'navigate') {
    if (path === '' || path === PAGE) event.respondWith(page(request));
    return;
  }
  const build = url.searchParams.get('v') || BUILD;
  event.respondWith(file(request, new URL(path, SCOPE).href, /^[0-9a-f]{16}$/.test(build) ? build : BUILD));
});

// The page asks which build this worker keeps (offline/register.js).
self.addEventListener('message', (event) => {
  if (event.data && event.data.kind === 'rnnlab:build?' && event.ports[0]) event.ports[0].postMessage({ build: BUILD });
});
