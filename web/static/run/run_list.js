// The list of kept runs as the page shows it: the summaries from run_db.js, most recently used first, in the store
// under `runs`, and how much of the browser's storage they use (`storageUsage`: { usage, quota } in bytes, from
// navigator.storage.estimate(); null when the browser does not say). Renaming, deleting and exporting act on the
// database and then refresh the list. The current run's own checkpoints are storage.js's business.
import { download } from '../ui/dom.js';
import { within } from './waiting.js';

const fileName = (name) => `${String(name).replace(/[^\w.-]+/g, '_').replace(/^_+|_+$/g, '') || 'run'}.rnnlab`;

async function estimate() {
  try {
    if (!navigator.storage || !navigator.storage.estimate) return null;
    // Only a figure for the list: a browser that does not answer soon does not hold up the page.
    const { usage, quota } = (await within(3000, navigator.storage.estimate(), {})) || {};
    return Number.isFinite(usage) && Number.isFinite(quota) ? { usage, quota } : null;
  } catch {
    return null;
  }
}

// { refresh({ throwing }) -> summaries, touch(id), rename(id, name), remove(id), exportRun(id) }
export function createRunList(store, db) {
  async function refresh({ throwing = false } = {}) {
    let runs;
    try {
      runs = (await db.list()).filter((r) => r && r.id).sort((a, b) => b.usedAt - a.usedAt);
    } catch (e) {
      if (throwing) throw e;
      return store.get().runs || [];
    }
    store.update({ runs, storageUsage: await estimate() });
    return runs;
  }

  async function update(id, patch) {
    const summary = (await db.list()).find((r) => r.id === id);
    if (!summary) return;
    await db.putSummary({ ...summary, ...patch });
    await refresh();
  }

  return {
    refresh,
    touch: (id) => update(id, { usedAt: Date.now() }).catch(() => {}),
    rename: (id, name) => update(id, { name: String(name).trim().slice(0, 120) || 'Your run' }),
    async remove(id) {
      await db.removeRun(id);
      await refresh();
    },
    async exportRun(id) {
      const record = await db.getRun(id);
      if (!record || !(record.bytes instanceof Uint8Array)) throw new Error('this run has no model file kept');
      const summary = (store.get().runs || []).find((r) => r.id === id);
      download(record.bytes, fileName(summary ? summary.name : record.name), 'application/octet-stream');
      return record.bytes.length;
    },
  };
}
