// "What did this prediction use?" (after Distill's "Visualizing memorization in RNNs", op "inputGradients"): choose
// the character to be predicted; every earlier character is shaded by ‖∂loss/∂x‖, how much that prediction's loss
// depends on it (step_uses_chars.js: the characters, choosable by keyboard or click). The values are also in a table,
// for assistive technology and for reading exact numbers.
//
// Comparing cells: the last measurement of another model (before a Reset with another cell, say) is kept; measuring
// the same text and character with the new model shows both, side by side in the table and as two shaded rows.
import { $, sentence } from '../../ui/dom.js';
import { charName } from '../../ui/chars.js';
import { sequential } from '../../ui/scales.js';
import { cellName } from '../compare/runs.js';
import { sci, table } from './step_table.js';
import { renderUsesChars, wireUsesChars } from './step_uses_chars.js';

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

const sameQuestion = (a, b) => a && b && a.r.text === b.r.text && a.r.position === b.r.position;

// The table of values, nearest first; with `kept` (a measurement of another model on the same question), its
// values in two more columns.
function valuesTable(m, kept) {
  const { r } = m;
  const chars = [...r.text];
  const share = (norm, k) => `${Math.round((100 * norm[k]) / Math.max(...norm))}%`;
  const rows = [...r.norm].map((v, k) => {
    const row = [String(k), charName(chars[r.position - k]), sci(v), share(r.norm, k)];
    if (kept) row.push(sci(kept.r.norm[k]), k < kept.r.norm.length ? share(kept.r.norm, k) : '—');
    return row;
  });
  // Side by side the model names head the value columns (short enough for a phone); the caption says what they hold.
  const headers = kept ? ['back', 'character', m.label, 'share', kept.label, 'share']
    : ['back', 'character', '‖∂loss/∂x‖', 'share'];
  return table(`Predicting character ${r.position + 2}, ${charName(chars[r.position + 1])} (loss ${sci(r.loss)} nats` +
    `${kept ? ` with the ${m.label}, ${sci(kept.r.loss)} with the ${kept.label}` : ''}): how much it used each earlier character` +
    (kept ? ', ‖∂loss/∂x‖ for each model' : ''),
  headers, rows);
}

// The kept model's shading of the same text, read-only (its values are in the table).
function keptRow(kept) {
  const { r } = kept;
  const max = Math.max(...r.norm);
  const spans = [...r.text].map((ch, i) => {
    const span = document.createElement('span');
    span.textContent = ch === '\n' ? '↵\n' : ch;
    if (i >= r.first && i <= r.position) span.style.background = sequential(max > 0 ? r.norm[r.position - i] / max : 0);
    else if (i === r.position + 1) span.className = 'uses-target';
    else if (i > r.position + 1) span.className = 'uses-later';
    return span;
  });
  $('uses-kept-label').textContent = `The ${kept.label}, measured before:`;
  $('uses-kept-chars').replaceChildren(...spans);
  $('uses-kept-chars').setAttribute('aria-label', `The same text shaded for the ${kept.label} (values in the table)`);
  $('uses-kept').hidden = false;
}

function show(c, m) {
  const { r } = m;
  const kept = sameQuestion(c.kept, m) ? c.kept : null;
  $('uses-position').value = String(r.position + 2);
  $('uses-position').max = String([...r.text].length);
  $('uses-now-label').textContent = kept ? `The ${m.label}, now:` : '';
  renderUsesChars($('uses-chars'), r, (n) => { $('uses-position').value = String(n); run(c); });
  $('uses-table').replaceChildren(valuesTable(m, kept));
  if (kept) keptRow(kept); else $('uses-kept').hidden = true;
  const far = r.position - r.first;
  $('uses-state').textContent = `Character ${r.position + 2} of ${[...r.text].length}; ${far + 1} earlier characters measured` +
    (r.first > 0 ? ` (at most ${MAX_LAG} back)` : '') + (kept ? `; beside the ${kept.label}'s values.` : '.');
}

async function run(c) {
  const { model, state, gen } = c.store.get();
  if (!model || state === 'none') { $('uses-state').textContent = 'No model yet: press Train first.'; return; }
  const mine = ++c.seq;
  $('uses-state').textContent = 'Measuring…';
  try {
    const reply = await c.request('inputGradients', args());
    if (mine !== c.seq) return;
    const m = { r: reply.result, gen, label: `${cellName(reply.cell)} at step ${reply.step.toLocaleString('en-US')}` };
    // A measurement of another model is kept for comparison; the newest one of the current model is `last`.
    if (c.last && c.last.gen !== gen) c.kept = c.last;
    c.last = m;
    show(c, m);
  } catch (e) {
    if (mine === c.seq && !e.reset) $('uses-state').textContent = sentence(e.message);
  }
}

export function initUses({ store, request }) {
  const c = { store, request, seq: 0, last: null, kept: null };
  wireUsesChars($('uses-chars'));
  $('uses-run').addEventListener('click', () => run(c));
  $('uses-position').addEventListener('keydown', (e) => { if (e.key === 'Enter') run(c); });
  return {
    // A new model: its measurements are not shown any more, but the last one stays kept for a comparison.
    clear() {
      c.seq++;
      $('uses-state').textContent = c.last ? `The ${c.last.label}'s measurement is kept: measure the same text and ` +
        'character again to compare.' : '';
      for (const id of ['uses-chars', 'uses-table', 'uses-kept-chars']) $(id).replaceChildren();
      $('uses-now-label').textContent = '';
      $('uses-kept').hidden = true;
    },
  };
}
