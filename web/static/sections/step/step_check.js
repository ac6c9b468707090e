// "Check gradients numerically" (op "checkGradients"): a handful of weights, each nudged up and down by eps; the
// slope of the loss measured that way (double precision) against the gradient the backward pass computed (float).
import { $, sentence } from '../../ui/dom.js';
import { sci, table } from './step_table.js';

const GOOD = 1e-2;

async function check(c) {
  if (!c.ready()) { $('step-check-state').textContent = 'No model yet: press Train first.'; return; }
  $('step-check-state').textContent = 'Checking…';
  const mine = ++c.seq;
  try {
    const r = (await c.request('checkGradients', { text: c.args().text, count: 8, seed: c.seq })).result;
    if (mine !== c.seq) return;
    const worst = r.maxRelError;
    $('step-check-state').textContent = `Largest relative error ${sci(worst)} over ${r.entries.length} weights ` +
      (worst < GOOD ? '(below 1e−2: the backward pass and the finite differences agree).'
                    : '(above 1e−2: float rounding, or a weight where the loss bends sharply; check again).');
    $('step-check-result').replaceChildren(table(`Analytic vs numerical gradient (eps = ${sci(r.eps)})`,
      ['weight', 'relative error', 'backward pass', 'finite differences'],
      r.entries.map((e) => [`${e.block}[${e.row}, ${e.col}]`, sci(e.relError), sci(e.analytic), sci(e.numeric)])));
  } catch (e) {
    if (mine === c.seq && !e.reset) $('step-check-state').textContent = sentence(e.message);
  }
}

// request: a look request; args(): the step-through's input; ready(): there is a model.
export function initCheck({ request, args, ready }) {
  const c = { request, args, ready, seq: 0 };
  $('step-check').addEventListener('click', () => check(c));
  return {
    clear() {   // a new model: the old check says nothing about it
      c.seq++;
      $('step-check-state').textContent = '';
      $('step-check-result').replaceChildren();
    },
  };
}
