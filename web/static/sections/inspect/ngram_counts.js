// The counts behind one n-gram prediction (op "ngramCounts"), as in the lecture's "students opened their ___": for a
// chosen character of the text looked at, the context (the n − 1 characters before it), how often that context
// occurred in the training text, what followed it and how often, and the smoothed probability of each.
//
// The position follows the character last focused or clicked in the coloured texts above, or is typed.
import { charName } from '../../ui/chars.js';
import { askOrSay, say } from './status.js';

const $ = (id) => document.getElementById(id);
const SHOWN = 10;   // next characters listed, the most frequent first
const pct = (p) => `${(100 * p).toFixed(p < 0.001 ? 3 : 1)}%`;
const quoted = (s) => `“${s.replaceAll('\n', '↵')}”`;
const len = (s) => [...s].length;
const times = (n) => `${n.toLocaleString('en-US')} ${n === 1 ? 'time' : 'times'}`;

function countsTable(r, level) {
  const t = document.createElement('table');
  t.className = 'ngram-counts';
  const cap = t.createCaption();
  cap.textContent = `What followed ${quoted(level.context)} in the training text` +
    (level.raw ? '' : ' (continuation counts)') + ' (share: count ÷ total; P: the smoothed probability)';
  const head = t.createTHead().insertRow();
  for (const h of ['next', level.raw ? 'count' : 'characters before', 'share', 'P']) {
    const th = document.createElement('th');
    th.scope = 'col';
    th.textContent = h;
    head.append(th);
  }
  const entries = [...level.entries].sort((a, b) => b.count - a.count).slice(0, SHOWN);
  if (!entries.some((e) => e.ch === r.next)) entries.push({ ch: r.next, count: 0, p: r.nextP });
  const body = t.createTBody();
  for (const e of entries) {
    const row = body.insertRow();
    const th = document.createElement('th');
    th.scope = 'row';
    th.textContent = charName(e.ch) + (e.ch === r.next ? ' (came next)' : '');
    row.append(th);
    for (const v of [String(e.count), pct(e.count / level.total), pct(e.p)]) row.insertCell().textContent = v;
  }
  return t;
}

// The sentences: the context, how often it occurred (or how far the model backed off) and how smoothing works.
function explain(r, level) {
  const lines = [];
  const full = r.context;
  lines.push(len(full) < r.order - 1
    ? `Context ${quoted(full)}: only ${len(full)} characters come before character ${r.position + 1}, ${charName(r.next)}.`
    : `Context ${quoted(full)}: the ${r.order - 1} characters before character ${r.position + 1}, ${charName(r.next)}.`);
  if (len(level.context) < len(full))
    lines.push(`${quoted(full)} never occurred in the training text; the longest ending that did is ` +
      `${level.context ? quoted(level.context) : 'the empty context'}.`);
  if (level.raw) {
    const kinds = level.entries.length;
    lines.push(`${quoted(level.context)} occurred ${times(level.total)} in the training text, followed by ` +
      (kinds === 1 ? 'always the same character.' : `${kinds} different characters.`));
  } else {
    lines.push(`Kneser–Ney counts here how many different characters came just before ${quoted(level.context)} and ` +
      'the next one, not how often it occurred: a character that follows many different contexts counts more than ' +
      'one that follows a single word many times.');
  }
  const rest = (level.discount * level.entries.length) / level.total;
  lines.push(`Smoothing (interpolated Kneser–Ney) takes ${level.discount.toFixed(2)} off each count (${pct(rest)} of ` +
    `the probability in all) and shares it out by the shorter context's probabilities${level.context ? ` (${quoted([...level.context].slice(1).join(''))})` : ''}` +
    `, so every character keeps some chance: P(${charName(r.next)}) = ${pct(r.nextP)}.`);
  return lines;
}

function show(r) {
  const level = r.levels.at(-1);
  const text = explain(r, level).map((line) => {
    const p = document.createElement('p');
    p.textContent = line;
    return p;
  });
  $('ngram-counts').replaceChildren(...text, countsTable(r, level));
}

// order(): the n-gram order chosen (null if invalid, having said why).
export function initNgramCounts({ request, order }) {
  async function run() {
    const n = order();
    if (n === null) return;
    const at = Number($('ngram-position').value);
    if (!Number.isInteger(at) || at < 2) {
      say('ngram-counts-state', 'The predicted character must be a whole number from 2 on (counting from 1).');
      return;
    }
    const args = { order: n, position: at - 1 };
    if ($('look-text').value.trim()) args.text = $('look-text').value;
    say('ngram-counts-state', 'Counting…');
    const reply = await askOrSay(request, 'ngramCounts', args, 'ngram-counts-state');
    if (!reply) return;
    show(reply.result);
    say('ngram-counts-state', `Order ${n}, character ${at}.`);
  }
  // The chosen position follows the coloured texts: their character t is read before character t + 2 (from 1).
  const follow = (e) => {
    if (e.target.dataset && e.target.dataset.t !== undefined) $('ngram-position').value = String(Number(e.target.dataset.t) + 2);
  };
  for (const id of ['look-cells', 'look-preds']) {
    $(id).addEventListener('focusin', follow);
    $(id).addEventListener('click', follow);
  }
  $('ngram-counts-run').addEventListener('click', run);
  $('ngram-position').addEventListener('keydown', (e) => { if (e.key === 'Enter') run(); });
}
