// "What did this prediction use?" (after Distill's "Visualizing memorization in RNNs", op "inputGradients"): choose
// the character to be predicted; every earlier character is shaded by ‖∂loss/∂x‖, how much that prediction's loss
// depends on it. The values are also in a table, for assistive technology and for reading exact numbers.
import { $, sentence } from '../../ui/dom.js';
import { charName } from '../../ui/chars.js';
import { sequential } from '../../ui/scales.js';
import { sci, table } from './step_table.js';

const MAX_CHARS = 400;
const MAX_LAG = 60;

function args() {
  const text = $('uses-text').value;
  const n = Number($('uses-position').value);
  const a = { maxChars: MAX_CHARS, maxLag: MAX_LAG };
  if (text.trim()) a.text = text;
  if ($('uses-position').value.trim() && Number.isInteger(n)) a.position = n - 2;   // the character read just before it
  return a;
}

function charSpan(ch, i, value, max, r) {
  const span = document.createElement('span');
  span.textContent = ch === '\n' ? '↵\n' : ch;
  if (value !== null) {
    span.style.background = sequential(max > 0 ? value / max : 0);
    span.title = `${charName(ch)}, ${r.position - i} back: ${sci(value)}`;
  } else if (i === r.position + 1) {
    span.className = 'uses-target';
    span.title = `${charName(ch)}: the character predicted`;
  } else if (i > r.position + 1) {
    span.className = 'uses-later';
  }
  return span;
}

function render(r, onPick) {
  const chars = [...r.text];
  const max = Math.max(...r.norm);
  const spans = chars.map((ch, i) => {
    const inRange = i >= r.first && i <= r.position;
    const span = charSpan(ch, i, inRange ? r.norm[r.position - i] : null, max, r);
    if (i >= 1) span.addEventListener('click', () => onPick(i + 1));
    return span;
  });
  $('uses-chars').replaceChildren(...spans);
  $('uses-chars').setAttribute('aria-label', `Text shaded by influence on predicting character ${r.position + 2}, ${charName(chars[r.position + 1])}`);
  const rows = [...r.norm].map((v, k) => {
    const ch = chars[r.position - k];
    return [String(k), charName(ch), sci(v), `${Math.round((100 * v) / max)}%`];
  });
  $('uses-table').replaceChildren(table(
    `Predicting character ${r.position + 2}, ${charName(chars[r.position + 1])} (loss ${sci(r.loss)} nats): how much it used each earlier character`,
    ['back', 'character', '‖∂loss/∂x‖', 'share'], rows));
}

async function run(c) {
  const { model, state } = c.store.get();
  if (!model || state === 'none') { $('uses-state').textContent = 'No model yet: press Train first.'; return; }
  const mine = ++c.seq;
  $('uses-state').textContent = 'Measuring…';
  try {
    const r = (await c.request('inputGradients', args())).result;
    if (mine !== c.seq) return;
    $('uses-position').value = String(r.position + 2);
    $('uses-position').max = String([...r.text].length);
    render(r, (n) => { $('uses-position').value = String(n); run(c); });
    const far = r.position - r.first;
    $('uses-state').textContent = `Character ${r.position + 2} of ${[...r.text].length}; ${far + 1} earlier characters measured` +
      (r.first > 0 ? ` (at most ${MAX_LAG} back).` : '.');
  } catch (e) {
    if (mine === c.seq && !e.reset) $('uses-state').textContent = sentence(e.message);
  }
}

export function initUses({ store, request }) {
  const c = { store, request, seq: 0 };
  $('uses-run').addEventListener('click', () => run(c));
  $('uses-position').addEventListener('keydown', (e) => { if (e.key === 'Enter') run(c); });
  return {
    clear() {
      c.seq++;
      $('uses-state').textContent = '';
      $('uses-chars').replaceChildren();
      $('uses-table').replaceChildren();
    },
  };
}
