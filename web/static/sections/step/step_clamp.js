// "What if this unit were off?" (op "clampSample"): the same sample twice with the same seed, once with one unit
// held at a value at every step and once left alone, side by side.
import { parseConfigText } from '../../engine/protocol.js';
import { $, sentence } from '../../ui/dom.js';

const LENGTH = 300;

function clampArgs() {
  return {
    layer: Number($('clamp-layer').value) - 1, unit: Number($('clamp-unit').value), value: Number($('clamp-value').value),
    state: $('clamp-state').value, prime: $('clamp-prime').value, length: LENGTH, temperature: 0.8, seed: 7,
  };
}

async function run(c) {
  const { model, state } = c.store.get();
  if (!model || state === 'none') { $('clamp-state-msg').textContent = 'No model yet: press Train first.'; return; }
  const args = clampArgs();
  if (!Number.isFinite(args.value)) { $('clamp-state-msg').textContent = 'Type a number to hold the unit at.'; return; }
  const mine = ++c.seq;
  $('clamp-state-msg').textContent = 'Sampling twice…';
  try {
    const r = (await c.request('clampSample', args)).result;
    if (mine !== c.seq) return;
    $('clamp-held').textContent = r.clamped;
    $('clamp-free').textContent = r.unclamped;
    $('clamp-held-caption').textContent = `Unit ${args.unit} of layer ${args.layer + 1} held at ${args.value}`;
    let same = 0;
    while (same < r.clamped.length && r.clamped[same] === r.unclamped[same]) ++same;
    $('clamp-state-msg').textContent = r.clamped === r.unclamped
      ? 'The two samples are the same: this unit, at this value, does not change what the model writes here.'
      : `${same === 0 ? 'The samples differ from the first character on' : `The samples agree for the first ${same} characters, then part ways`}: holding the unit changes what the model writes.`;
  } catch (e) {
    if (mine === c.seq && !e.reset) $('clamp-state-msg').textContent = sentence(e.message);
  }
}

// The layer and unit bounds follow the model.
function onStore(s) {
  const cfg = s.model?.config ? parseConfigText(s.model.config) : null;
  if (!cfg) return;
  $('clamp-layer').max = cfg.layers;
  $('clamp-unit').max = String(Number(cfg.hidden) - 1);
  $('clamp-state').disabled = !cfg.cell.startsWith('lstm');
  if ($('clamp-state').disabled) $('clamp-state').value = 'h';
}

export function initClamp({ store, request }) {
  const c = { store, request, seq: 0 };
  $('clamp-run').addEventListener('click', () => run(c));
  store.subscribe((s, keys) => { if (keys.includes('model')) onStore(s); });
  onStore(store.get());
  return {
    clear() {
      c.seq++;
      for (const id of ['clamp-held', 'clamp-free', 'clamp-state-msg']) $(id).textContent = '';
      $('clamp-held-caption').textContent = 'Unit held';
    },
  };
}
