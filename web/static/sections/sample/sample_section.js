// Section 4, "Sample": the sampling options (temperature, top-k, top-p, argmax; prime, length, seed), streaming the
// sample in as the engine writes it, and copying it.
//
// Needs: store (reads state, model, gen; writes sampling, sampleDone, sampleText), client.
// Gives: values() / setValues(v) of the options (keyed as share links key them), seedIsSet(), clear().
import { Limits, Req } from '../../engine/protocol.js';
import { $, sentence } from '../../ui/dom.js';
import { fmtInt } from '../../ui/format.js';

// Share-link keys -> the option controls.
const FIELDS = {
  prime: 'smp-prime', length: 'smp-length', method: 'smp-method', temp: 'smp-temp', k: 'smp-k', p: 'smp-p',
  sseed: 'smp-seed',
};

export function initSample({ store, client }) {
  let sampleRequest = 0;   // the newest request: an older one's chunks are dropped

  function showMethodFields() {
    const method = $('smp-method').value;
    $('smp-temp-field').hidden = method === 'argmax';
    $('smp-k-field').hidden = method !== 'topk';
    $('smp-p-field').hidden = method !== 'topp';
  }

  function readOptions() {
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

  function startOutput(prime) {
    const out = $('sample-output');
    out.replaceChildren();
    if (prime) {
      const span = document.createElement('span');
      span.className = 'prime';
      span.textContent = prime;
      out.append(span);
    }
    return out;
  }

  async function onSample() {
    const { options, error } = readOptions();
    if (error) { $('sample-state').textContent = error; return; }
    const out = startOutput(options.prime);
    const mine = ++sampleRequest;
    store.update({ sampling: true, sampleDone: false, sampleText: '' });
    $('copy-button').disabled = true;
    $('sample-state').textContent = 'Sampling…';
    try {
      const done = await client.request(Req.SAMPLE, store.get().gen, { options }, {
        onChunk: (chunk) => {
          if (mine !== sampleRequest) return;
          out.append(chunk);
          store.update({ sampleText: store.get().sampleText + chunk });
        },
      });
      if (mine !== sampleRequest) return;
      const skipped = done.primeSkipped ? ` ${fmtInt(done.primeSkipped)} prime characters are not in the vocabulary and were skipped.` : '';
      $('sample-state').textContent = `${fmtInt([...done.text].length)} characters, seed ${options.seed}.${skipped}`;
      store.update({ sampleDone: true });
    } catch (e) {
      if (mine !== sampleRequest) return;
      $('sample-state').textContent = e.reset ? '' : sentence(e.message);
    } finally {
      if (mine === sampleRequest) {
        store.update({ sampling: false });
        $('copy-button').disabled = out.textContent.length === 0;
      }
    }
  }

  async function onCopy() {
    const text = $('sample-output').textContent;
    try {
      await navigator.clipboard.writeText(text);
      $('sample-state').textContent = 'Copied to the clipboard.';
    } catch {
      const range = document.createRange();
      range.selectNodeContents($('sample-output'));
      const sel = getSelection();
      sel.removeAllRanges();
      sel.addRange(range);
      $('sample-state').textContent = 'Press Ctrl+C (or ⌘C) to copy the selected sample.';
    }
  }

  function renderButton() {
    const { model, state, sampling } = store.get();
    const hasModel = model !== null && model !== undefined && (state === 'training' || state === 'paused' || state === 'pausing');
    $('sample-button').disabled = !hasModel || sampling;
  }

  function values() {
    const v = {};
    for (const [key, id] of Object.entries(FIELDS)) v[key] = $(id).value;
    return v;
  }

  function setValues(v) {
    for (const [key, id] of Object.entries(FIELDS)) if (key in v) $(id).value = v[key];
    $('smp-temp-out').textContent = $('smp-temp').value;
    showMethodFields();
  }

  $('smp-method').addEventListener('change', showMethodFields);
  $('smp-temp').addEventListener('input', () => { $('smp-temp-out').textContent = $('smp-temp').value; });
  $('sample-button').addEventListener('click', onSample);
  $('copy-button').addEventListener('click', onCopy);
  store.subscribe((s, keys) => {
    if (keys.some((k) => k === 'state' || k === 'model' || k === 'sampling')) renderButton();
  });
  showMethodFields();
  renderButton();
  return {
    values, setValues,
    seedIsSet: () => $('smp-seed').value.trim() !== '',
    clear: () => { $('sample-state').textContent = ''; },
  };
}
