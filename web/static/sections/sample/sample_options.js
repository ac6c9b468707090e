// The sampling options as the form holds them: which fields the chosen method uses, and the options read and checked
// for the engine ({ options } or { error } in words a person can act on).
import { Limits } from '../../engine/protocol.js';
import { $ } from '../../ui/dom.js';
import { fmtInt } from '../../ui/format.js';

export function showMethodFields() {
  const method = $('smp-method').value;
  $('smp-temp-field').hidden = method === 'argmax';
  $('smp-k-field').hidden = method !== 'topk';
  $('smp-p-field').hidden = method !== 'topp';
}

export function readSampleOptions() {
  const method = $('smp-method').value;
  const seedText = $('smp-seed').value.trim();
  const options = {
    prime: $('smp-prime').value,
    length: Number($('smp-length').value),
    temperature: method === 'argmax' ? 0 : Number($('smp-temp').value),
    topK: method === 'topk' ? Number($('smp-k').value) : 0,
    topP: method === 'topp' ? Number($('smp-p').value) : 1,
    seed: seedText === '' ? Math.floor(Math.random() * 2 ** 31) : Number(seedText),
  };
  if (!Number.isInteger(options.length) || options.length < 1 || options.length > Limits.MAX_SAMPLE_LENGTH)
    return { error: `Length must be a whole number from 1 to ${fmtInt(Limits.MAX_SAMPLE_LENGTH)}.` };
  if (method === 'topk' && !(Number.isInteger(options.topK) && options.topK >= 1))
    return { error: 'k must be a whole number of at least 1.' };
  if (method === 'topp' && !(options.topP > 0 && options.topP <= 1)) return { error: 'p must be above 0 and at most 1.' };
  if (!Number.isInteger(options.seed) || options.seed < 0) return { error: 'The seed must be a whole number (or empty for a random one).' };
  return { options };
}
