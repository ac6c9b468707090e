// The "Workers" setting: how many engine workers share the training of the page's model (engine/helper_workers.js).
// It belongs to this machine, not to the experiment: it is kept in this browser (localStorage), and neither share
// links nor kept runs carry it, since the losses are the same with any number of workers.
//
// Needs: store (writes workersWanted, workersReady; reads workersNote: what happened to a worker that failed),
// helpers (createHelperWorkers).
import { MAX_WORKERS, defaultWorkers } from '../../engine/helper_workers.js';
import { $ } from '../../ui/dom.js';

const KEY = 'rnnlab.workers';

function savedWorkers() {
  try {
    const n = Number(localStorage.getItem(KEY));
    return Number.isInteger(n) && n >= 1 && n <= MAX_WORKERS ? n : null;
  } catch {
    return null;   // storage blocked (a private window's policy): the default each time
  }
}

function saveWorkers(n) {
  try {
    localStorage.setItem(KEY, String(n));
  } catch {
    // not kept across reloads then; the setting still applies now
  }
}

function describeWorkers({ workersWanted: wanted, workersReady: ready, workersNote: note }) {
  const now = wanted <= 1 ? 'Training runs in one worker.'
    : ready < wanted ? `Starting workers: ${ready} of ${wanted} ready…` : `${wanted} workers ready.`;
  return note ? `${now} ${note}` : now;
}

export function initWorkers({ store, helpers }) {
  const input = $('workers');
  input.max = String(MAX_WORKERS);
  const initial = savedWorkers() ?? defaultWorkers();
  input.value = String(initial);
  store.subscribe((state, keys) => {
    if (['workersWanted', 'workersReady', 'workersNote'].some((k) => keys.includes(k)))
      $('workers-state').textContent = describeWorkers(state);
  });
  input.addEventListener('change', () => {
    const n = Math.max(1, Math.min(MAX_WORKERS, Math.round(Number(input.value)) || 1));
    input.value = String(n);
    saveWorkers(n);
    store.update({ workersNote: '' });   // asked anew: what failed before is old news
    helpers.setWanted(n);
  });
  helpers.setWanted(initial);
}

// What createHelperWorkers reports, as store keys.
export function workersChanged(store, { wanted, connected }) {
  store.update({ workersWanted: wanted, workersReady: connected + 1 });
}
