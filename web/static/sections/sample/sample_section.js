// Section 4, "Sample": the sampling options (temperature, top-k, top-p, argmax; prime, length, seed), streaming the
// sample in as the engine writes it, and copying it. The last finished sample and its seed are kept with the run
// (run/storage.js checkpoints `lastSample`), so a reload or a switch back to the run shows them again.
//
// Needs: store (reads state, model, gen, step, bestKept; writes sampling, sampleDone, sampleText, lastSample), client,
//   hooks { sampled() } (a finished sample: the run keeps it).
// Gives: values() / setValues(v) of the options (keyed as share links key them), seedIsSet(), clear(), show(saved)
//   (a kept sample, or null for none).
import { Req } from '../../engine/protocol.js';
import { $, sentence } from '../../ui/dom.js';
import { fmtInt } from '../../ui/format.js';
import { readSampleOptions, showMethodFields } from './sample_options.js';

// Share-link keys -> the option controls.
const FIELDS = {
  prime: 'smp-prime', length: 'smp-length', method: 'smp-method', temp: 'smp-temp', k: 'smp-k', p: 'smp-p',
  sseed: 'smp-seed',
};

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

// section: { store, client, request: the newest request's number (an older one's chunks are dropped) }
async function sample(section) {
  const { store, client } = section;
  const { options, error } = readSampleOptions();
  if (error) { $('sample-state').textContent = error; return; }
  const out = startOutput(options.prime);
  const mine = ++section.request;
  store.update({ sampling: true, sampleDone: false, sampleText: '' });
  $('copy-button').disabled = true;
  $('sample-state').textContent = 'Sampling…';
  try {
    const done = await client.request(Req.SAMPLE, store.get().gen, { options }, {
      onChunk: (chunk) => {
        if (mine !== section.request) return;
        out.append(chunk);
        store.update({ sampleText: store.get().sampleText + chunk });
      },
    });
    if (mine !== section.request) return;
    const skipped = done.primeSkipped ? ` ${fmtInt(done.primeSkipped)} prime characters are not in the vocabulary and were skipped.` : '';
    $('sample-state').textContent = `${fmtInt([...done.text].length)} characters, seed ${options.seed}.${skipped}`;
    const { step, bestKept } = store.get();
    store.update({ sampleDone: true, lastSample: {
      prime: options.prime, text: done.text, seed: options.seed, step, best: Boolean(bestKept && bestKept.step === step),
      skipped: done.primeSkipped || 0 } });
    section.hooks.sampled();
  } catch (e) {
    if (mine !== section.request) return;
    $('sample-state').textContent = e.reset ? '' : sentence(e.message);
  } finally {
    if (mine === section.request) {
      store.update({ sampling: false });
      $('copy-button').disabled = out.textContent.length === 0;
    }
  }
}

// A sample kept with the run (lastSample), shown as it was, with where it came from.
function show(store, saved) {
  const ok = saved && typeof saved.text === 'string' && Number.isFinite(saved.seed);
  startOutput(ok ? String(saved.prime || '') : '').append(ok ? saved.text : '');
  store.update({ lastSample: ok ? saved : null, sampleText: ok ? saved.text : '', sampleDone: Boolean(ok) });
  $('copy-button').disabled = !ok;
  $('sample-state').textContent = ok
    ? `${fmtInt([...saved.text].length)} characters, seed ${saved.seed}, sampled from the model at step ` +
      `${fmtInt(saved.step)}${saved.best ? ' (the best by validation)' : ''} (kept with this run).`
    : '';
}

async function copySample() {
  try {
    await navigator.clipboard.writeText($('sample-output').textContent);
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

function renderButton({ model, state, sampling }) {
  const hasModel = Boolean(model) && (state === 'training' || state === 'paused' || state === 'pausing');
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

export function initSample({ store, client, hooks = { sampled: () => {} } }) {
  const section = { store, client, hooks, request: 0 };
  $('smp-method').addEventListener('change', showMethodFields);
  $('smp-temp').addEventListener('input', () => { $('smp-temp-out').textContent = $('smp-temp').value; });
  $('sample-button').addEventListener('click', () => sample(section));
  $('copy-button').addEventListener('click', copySample);
  store.subscribe((s, keys) => {
    if (keys.some((k) => k === 'state' || k === 'model' || k === 'sampling')) renderButton(s);
  });
  showMethodFields();
  renderButton(store.get());
  return {
    values, setValues,
    seedIsSet: () => $('smp-seed').value.trim() !== '',
    // A new model: the last sample belonged to the run before it (which keeps it).
    clear: () => { section.request++; show(store, null); },
    // Another run is open now: a sample still streaming from the model before is dropped.
    show: (saved) => { section.request++; store.update({ sampling: false }); show(store, saved); },
  };
}
