// "Your runs": every run kept in this browser (run/run_db.js), most recently used first, with its name, text, step,
// best validation and when it was last used; Open (switch to it, paused: the current run is checkpointed first),
// Rename, Export (its model file) and Delete (asks first, in place). The current run cannot be deleted here (New
// starts fresh first). When the store is full, an alert offers to delete the oldest run. Storage use and the
// browser's allowance are shown under the list.
//
// Needs: store (reads runs, runId, storageFull, storageUsage, state, model, step, bestKept), runs (run/storage.js:
//   switchTo, rename, remove, afterDelete, exportRun, isCurrent).
// The current run's row follows training (its step and best validation as the page shows them), not only its last
// checkpoint: its details are rewritten in place, so focus and a name being typed are left alone.
import { $, sentence, showMessage } from '../../ui/dom.js';
import { fmtBits, fmtBytes, fmtInt } from '../../ui/format.js';
import { buildRunItem } from './run_item.js';

const when = (t) => new Date(t).toLocaleString('en-GB', { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });

export function describeRun(r) {
  const text = r.textChars != null ? `${r.textName}, ${fmtInt(r.textChars)} characters` : r.textName;
  const best = r.bestVal ? `best validation ${fmtBits(r.bestVal.bits)} bits/char at step ${fmtInt(r.bestVal.step)}`
    : 'no validation yet';
  return `${text} · step ${fmtInt(r.step)} · ${best} · used ${when(r.usedAt)}`;
}

// The current run's summary as the page shows it now: the store's step and best kept model are newer than the
// summary written at the last checkpoint.
function liveSummary(r, s) {
  if (r.id !== s.runId || !s.model || !['training', 'pausing', 'paused'].includes(s.state)) return r;
  const best = s.bestKept && (!r.bestVal || s.bestKept.bits <= r.bestVal.bits) ? { step: s.bestKept.step, bits: s.bestKept.bits }
    : r.bestVal;
  return { ...r, step: s.step, bestVal: best };
}

// Structure: this init is a factory whose body is short named functions sharing one run's state (the structure test,
// tests/structure/page_structure.mjs, counts each function's own lines); splitting it into module-level functions
// over an explicit state object, as sections/text does, is the next step when it grows.
export function initRuns({ store, runs }) {
  const ui = { renaming: null, confirming: null, switching: null, busy: false };   // what the list shows in place of a run's buttons
  const message = (text, kind = 'error') => showMessage('runs-message', null, text, kind);

  async function act(fn, done) {
    ui.busy = true;
    render();
    try {
      const out = await fn();
      if (done) message(done(out), 'info');
    } catch (e) {
      message(sentence(e.message || String(e)));
    } finally {
      ui.busy = false;
      render();
    }
  }

  const actions = {
    // While the current run trains, ask first: it is paused and checkpointed before the other run opens.
    open: (r) => {
      if (store.get().state !== 'training' || ui.switching === r.id) { ui.switching = null; actions.switchTo(r); return; }
      ui.switching = r.id;
      ui.renaming = ui.confirming = null;
      render(`switch:${r.id}`);
    },
    switchTo: (r) => act(async () => {
      const res = await runs.switchTo(r.id);
      if (!res.ok) throw new Error(res.message);
    }, () => `Opened ${r.name}, paused. Press Resume to train on.`),
    rename: (r) => { ui.renaming = r.id; ui.confirming = ui.switching = null; render(`rename-input:${r.id}`); },
    saveName: (r, name) => { ui.renaming = null; act(() => runs.rename(r.id, name)); },
    cancel: (r) => {
      const key = `${ui.renaming === r.id ? 'rename' : ui.switching === r.id ? 'open' : 'delete'}:${r.id}`;
      ui.renaming = ui.confirming = ui.switching = null;
      render(key);
    },
    export: (r) => act(() => runs.exportRun(r.id), (n) => `Exported ${r.name} as a model file (${fmtBytes(n)}).`),
    askDelete: (r) => { ui.confirming = r.id; ui.renaming = ui.switching = null; render(`keep:${r.id}`); },
    delete: (r) => {
      ui.confirming = null;
      act(async () => { await runs.remove(r.id); runs.afterDelete(); }, () => `Deleted ${r.name}.`);
    },
  };

  function renderFull(list, current) {
    const { storageFull } = store.get();
    const oldest = list.filter((r) => r.id !== current).at(-1);
    $('runs-full').hidden = !storageFull;
    $('runs-full-text').textContent = storageFull
      ? 'The browser\'s storage is full, so the latest steps of this run are not kept (its last checkpoint is). ' +
        (oldest ? 'Delete runs you no longer need: the oldest are last in the list.' : 'Save the model file to keep it.')
      : '';
    $('runs-delete-oldest').hidden = !oldest;
    return oldest;
  }

  function renderUsage() {
    const u = store.get().storageUsage;
    $('runs-usage').textContent = u
      ? `This site uses ${fmtBytes(u.usage)} of the ${fmtBytes(u.quota)} this browser allows it.`
      : 'This browser does not say how much storage it allows.';
  }

  // focusKey: the control to focus after drawing ("open:<id>", "rename-input:<id>", ...); by default the one focused.
  function render(focusKey) {
    const list = store.get().runs || [];
    const current = store.get().runId;
    const active = document.activeElement;
    const keep = focusKey || (active && active.dataset && active.dataset.key);
    const items = list.map((r) => buildRunItem(r, {
      current: r.id === current, renaming: ui.renaming === r.id, confirming: ui.confirming === r.id,
      switching: ui.switching === r.id, busy: ui.busy,
      details: describeRun(liveSummary(r, store.get())), actions,
    }));
    $('runs-list').replaceChildren(...items);
    $('runs-empty').hidden = list.length > 0;
    renderFull(list, current);
    renderUsage();
    const target = keep && $('runs-list').querySelector(`[data-key="${CSS.escape(keep)}"]`);
    if (target && (focusKey || $('runs-section').contains(active) || active === document.body)) target.focus();
  }

  $('runs-delete-oldest').addEventListener('click', () => {
    const oldest = renderFull(store.get().runs || [], store.get().runId);
    if (oldest) actions.askDelete(oldest);
  });
  // The current run's details only, in place (progress comes many times a second).
  function renderLive(s) {
    const r = (s.runs || []).find((x) => x.id === s.runId);
    const li = r && $('runs-list').querySelector(`li[data-run="${CSS.escape(r.id)}"] .run-details`);
    if (li) li.textContent = describeRun(liveSummary(r, s));
  }

  store.subscribe((s, keys) => {
    if (keys.some((k) => k === 'step' || k === 'bestKept')) renderLive(s);
    if (!['runs', 'runId', 'storageFull', 'storageUsage'].some((k) => keys.includes(k))) return;
    // Never redraw under a person typing a new name.
    if (ui.renaming && $('runs-list').contains(document.activeElement)) return;
    render();
  });
  render();
}
