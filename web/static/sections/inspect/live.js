// Live refresh of the Look-inside views while the model trains: every view that has something to show and is on
// screen asks the engine again, at most once every PERIOD_MS, one request at a time, and never while the tab is
// hidden, the run is not training (store.get().state) or the person has paused the refresh ("Refresh these views
// while training").
//
// Why this is cheap for training: the worker answers between two training chunks, so a refresh costs training one
// trace (tens of ms) every few seconds. Why it is cheap for the page: each view redraws in its own short task
// (trace_view.js), and record.live says how long each took.
//
// Needs the store (reads state), the look record and publish() (it writes record.live), and the views:
// [{ name, elements: [Element], ready: () => bool, refresh: async () => [ms per task] | null }].
const $ = (id) => document.getElementById(id);
const PERIOD_MS = 2500;
const TICK_MS = 500;
const RECENT_TASKS = 200;

export function initLive({ store, record, publish, views }) {
  const box = $('look-live');
  // For the curious and the tests: how long each main-thread task of the refreshes took (the last RECENT_TASKS).
  const live = (record.live = { refreshes: 0, lastStep: null, slicesMs: [], maxSliceMs: 0, recentMs: [] });
  publish();
  const onScreen = watchOnScreen(views);
  const last = new Map(views.map((v) => [v, 0]));
  let inFlight = false;

  async function tick() {
    if (inFlight || !box.checked || store.get().state !== 'training' || document.visibilityState !== 'visible') return;
    const now = performance.now();
    const due = views.find((v) => onScreen.get(v) && v.ready() && now - last.get(v) >= PERIOD_MS);
    if (!due) return;
    inFlight = true;
    last.set(due, now);
    try {
      const slices = await due.refresh();
      if (slices) noteRefresh(slices);
    } finally {
      last.set(due, performance.now());   // the period counts from the end, so a slow engine is not flooded
      inFlight = false;
    }
  }

  function noteRefresh(slices) {
    live.refreshes += 1;
    live.lastStep = record.trace?.step ?? null;
    live.slicesMs = slices.map((ms) => Math.round(ms * 10) / 10);
    live.maxSliceMs = Math.max(live.maxSliceMs, ...slices);
    live.recentMs.push(...live.slicesMs);
    live.recentMs.splice(0, Math.max(0, live.recentMs.length - RECENT_TASKS));
    publish();
  }

  setInterval(tick, TICK_MS);
  box.addEventListener('change', () => {
    $('look-live-state').textContent = box.checked ? '' : 'Live refresh paused: the views keep what they show now.';
  });
}

// Which views are on screen (any of their elements), kept up to date by an IntersectionObserver: Map view -> bool.
function watchOnScreen(views) {
  const seen = new Map(views.map((v) => [v, false]));
  const observer = new IntersectionObserver((entries) => {
    for (const v of views) {
      if (entries.some((e) => v.elements.includes(e.target))) seen.set(v, v.elements.some(isOnScreen));
    }
  });
  for (const v of views) for (const el of v.elements) observer.observe(el);
  return seen;
}

function isOnScreen(el) {
  const r = el.getBoundingClientRect();
  return r.width > 0 && r.height > 0 && r.bottom > 0 && r.top < innerHeight;
}
