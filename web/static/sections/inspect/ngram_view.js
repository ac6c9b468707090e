// The n-gram baseline: a character n-gram model counted from the same training text and scored on the same
// validation text as the network (op "ngram"), with a sample from it, so a person sees what the network does
// better than counting; and the counts behind one prediction (ngram_counts.js).
//
// Needs request(op, args), the look record and publish() (it writes record.ngram).
import { askOrSay, say } from './status.js';
import { initNgramCounts } from './ngram_counts.js';

const $ = (id) => document.getElementById(id);
const MIN_ORDER = 1, MAX_ORDER = 10;
const SAMPLE = { length: 300, temperature: 0.8, seed: 1 };

// The order typed, or null after saying (in statusId) what is wrong with it.
function orderOrSay(statusId) {
  const order = Number($('ngram-order').value);
  if (Number.isInteger(order) && order >= MIN_ORDER && order <= MAX_ORDER) return order;
  say(statusId, `The order must be a whole number from ${MIN_ORDER} to ${MAX_ORDER}.`);
  return null;
}

export function createNgramView({ request, record, publish }) {
  async function build() {
    const order = orderOrSay('ngram-state');
    if (order === null) return;
    $('ngram-run').disabled = true;
    say('ngram-state', `Counting ${order}-grams…`);
    const reply = await askOrSay(request, 'ngram', { order, ...SAMPLE }, 'ngram-state');
    $('ngram-run').disabled = false;
    if (!reply) return;
    const r = reply.result;
    const network = reply.network ? reply.network.bitsPerChar : null;
    record.ngram = { order, bitsPerChar: r.bitsPerChar, chars: r.chars, network, sample: r.sample, trainChars: r.trainChars };
    publish();
    showResult(r, order, network, reply.step);
    say('ngram-state', `Built on ${r.trainChars.toLocaleString('en-US')} training characters and scored on ` +
      `${r.chars.toLocaleString('en-US')} validation characters, as the network's validation loss is. Sample below ` +
      '(the priming characters underlined).');
  }

  // r: the n-gram reply; network: the network's validation bits per character at that step (null if none).
  function showResult(r, order, network, step) {
    $('ngram-result').hidden = false;
    $('ngram-bits').textContent = r.bitsPerChar === null ? '— (no validation text)'
      : `${r.bitsPerChar.toFixed(3)} bits/char (order ${order})`;
    $('ngram-net').textContent = network === null ? '—'
      : `${network.toFixed(3)} bits/char (step ${step.toLocaleString('en-US')})`;
    $('ngram-contexts').textContent = `${r.contexts.toLocaleString('en-US')} · ${(r.memoryBytes / 1024).toFixed(0)} KB`;
    const out = $('ngram-sample');
    const prime = document.createElement('span');
    prime.className = 'prime';
    prime.textContent = r.prime;
    out.replaceChildren(prime, document.createTextNode(r.sample));
    out.hidden = false;
  }

  $('ngram-run').addEventListener('click', build);
  initNgramCounts({ request, order: () => orderOrSay('ngram-counts-state') });
}
