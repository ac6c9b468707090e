// The measured text of "What did this prediction use?" as a single-select list of characters: each earlier
// character shaded by ‖∂loss/∂x‖, the predicted one selected. One tab stop (a roving tabindex, starting on the
// predicted character); Left/Right, Home/End move along the text; Enter or Space (or a click) asks to explain the
// prediction of the focused character instead. Every character's name says what it is, where it is and its value,
// so the shading has a text alternative.
import { charName } from '../../ui/chars.js';
import { sequential } from '../../ui/scales.js';
import { sci } from './step_table.js';

// r: the inputGradients reply; i: the character's index. Its accessible name and its shade (null: none).
function describe(r, chars, i, max) {
  const where = `character ${i + 1}`;
  if (i >= r.first && i <= r.position) {
    const v = r.norm[r.position - i];
    const back = r.position - i;   // as the table's "back": 0 is the character read just before the prediction
    return { name: `${charName(chars[i])}, ${where}, ${back} back: ${sci(v)} (${Math.round((100 * v) / max)}%)`,
             shade: sequential(max > 0 ? v / max : 0) };
  }
  if (i === r.position + 1) return { name: `${charName(chars[i])}, ${where}: the character predicted`, shade: null };
  if (i < r.first) return { name: `${charName(chars[i])}, ${where}: not measured (too far back)`, shade: null };
  return { name: `${charName(chars[i])}, ${where}: after the prediction`, shade: null };
}

function option(ch, i, r, d) {
  const span = document.createElement('span');
  span.setAttribute('role', 'option');
  span.textContent = ch === '\n' ? '↵\n' : ch;
  span.dataset.i = String(i);
  span.setAttribute('aria-label', d.name);
  span.title = d.name;
  const target = i === r.position + 1;
  span.setAttribute('aria-selected', String(target));
  span.tabIndex = target ? 0 : -1;
  if (d.shade) span.style.background = d.shade;
  else if (target) span.className = 'uses-target';
  else if (i > r.position + 1) span.className = 'uses-later';
  return span;
}

// Fills `box` with the characters of reply r. onPick(n) asks to explain the prediction of character number n
// (counting from 1; the first character cannot be predicted). Keeps keyboard focus on the predicted character when
// the box had it.
export function renderUsesChars(box, r, onPick) {
  const chars = [...r.text];
  const max = Math.max(...r.norm);
  const hadFocus = box.contains(document.activeElement);
  const options = chars.map((ch, i) => option(ch, i, r, describe(r, chars, i, max)));
  box.replaceChildren(...options);
  box.setAttribute('aria-label', `Text shaded by influence on predicting character ${r.position + 2}, ` +
    `${charName(chars[r.position + 1])}: choose a character to explain its prediction instead`);
  if (hadFocus) options[r.position + 1].focus();
  box.onPick = onPick;
}

function moveFocus(box, from, to) {
  const target = box.children[to];
  if (!target || to === from) return;
  box.children[from].tabIndex = -1;
  target.tabIndex = 0;
  target.focus();
}

// Wires the box once: clicks and keys on its characters.
export function wireUsesChars(box) {
  const indexOf = (el) => (el && el.dataset && el.dataset.i !== undefined ? Number(el.dataset.i) : null);
  const pick = (i) => { if (i >= 1 && box.onPick) box.onPick(i + 1); };
  box.addEventListener('click', (e) => {
    const i = indexOf(e.target);
    if (i !== null) pick(i);
  });
  box.addEventListener('keydown', (e) => {
    const i = indexOf(e.target);
    if (i === null) return;
    const n = box.children.length;
    const to = { ArrowRight: Math.min(n - 1, i + 1), ArrowLeft: Math.max(0, i - 1), Home: 0, End: n - 1 }[e.key];
    if (to !== undefined) moveFocus(box, i, to);
    else if (e.key === 'Enter' || e.key === ' ') pick(i);
    else return;
    e.preventDefault();
  });
}
