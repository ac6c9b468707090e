// Section 5, "Model file": Save model (.rnnlab, exact resume), Export (.safetensors for PyTorch) and Load model.
// A loaded model becomes the page's model, paused at its step, with its own settings in the form.
//
// Needs: store (reads state, gen, model, sourceVersion), client, train (adoptModel, setState), settings (setValues,
//   changed), text (setBytes: the text box shows the text the model trains on), hooks: { onNewRun(name) (a loaded
//   file is a new run in the list of runs) }.
// Gives: loadModel(file, { restoring }) (also used to bring back the run kept across reloads).
import { Rep, Req, parseConfigText } from '../../engine/protocol.js';
import { $, download, sentence, showMessage } from '../../ui/dom.js';
import { fmtBytes, fmtInt } from '../../ui/format.js';
import { valuesFromConfig } from '../settings/form.js';
import { cellName, initCellChoice } from './cell_choice.js';

export function initFiles({ store, client, train, settings, text, hooks }) {
  const message = (text, kind = 'error') => showMessage('file-message', null, text, kind);
  const cellChoice = initCellChoice({ returnFocusTo: () => $('load-button') });

  async function saveOrExport(kind) {
    try {
      const reply = await client.request(kind, store.get().gen);
      download(reply.bytes, reply.name, reply.type);
      message(`Saved ${reply.name} (${fmtBytes(reply.bytes.length)}).`, 'info');
    } catch (e) {
      if (!e.reset) message(sentence(e.message));
    }
  }

  // cell: the person's answer when the file's weights fit several cells (cell_choice.js).
  async function loadModel(file, { restoring = false, cell = null } = {}) {
    cellChoice.hide();
    if (store.get().state === 'training') {
      train.setState('pausing');
      client.send(Req.PAUSE, store.get().gen);
    }
    const bytes = new Uint8Array(await file.arrayBuffer());
    const gen = store.get().gen + 1;
    let reply;
    try {
      reply = await client.request(Req.LOAD, gen, { bytes, cell }, { transfer: [bytes.buffer] });
    } catch (e) {
      if (e.reset) return;
      if (store.get().state === 'pausing') train.setState('paused');
      message(`${file.name}: ${sentence(e.message)}`);
      return;
    }
    if (reply.kind === Rep.CELL_NEEDED) {
      if (store.get().state === 'pausing') train.setState('paused');
      message('');
      cellChoice.ask(file.name, reply.cells, (chosen) => loadModel(file, { restoring, cell: chosen }));
      return;
    }
    settings.setValues(valuesFromConfig(parseConfigText(reply.config)));
    settings.changed({ stats: true });
    let sourceVersion = -1;   // a model without its text: it can sample, not train
    if (reply.text && reply.text.length > 0) {
      text.setBytes(`The text inside ${file.name}`, reply.text);
      sourceVersion = store.get().sourceVersion;
    }
    train.adoptModel(reply, { gen, sourceVersion, step: reply.step });
    train.setState('paused');
    if (!restoring) hooks.onNewRun(file.name);
    message(`Loaded ${file.name}${cell ? ` as ${cellName(cell)}` : ''}: step ${fmtInt(reply.step)}, ` +
      `${fmtInt(reply.parameterCount)} parameters` +
      (reply.hasText ? `, trained on a text of ${fmtInt(reply.stats.chars)} characters. Press Resume to continue training.`
                     : '. It holds no text: it can sample now, and Resume trains it on the text above (its optimizer ' +
                       'starts afresh).'), 'info');
  }

  function renderButtons() {
    const { model, state } = store.get();
    const hasModel = Boolean(model) && (state === 'training' || state === 'paused' || state === 'pausing');
    $('save-button').disabled = !hasModel;
    $('export-button').disabled = !hasModel;
  }

  $('save-button').addEventListener('click', () => saveOrExport(Req.SAVE));
  $('export-button').addEventListener('click', () => saveOrExport(Req.EXPORT));
  $('load-button').addEventListener('click', () => $('load-input').click());
  $('load-input').addEventListener('change', (e) => {
    const f = e.target.files[0];
    e.target.value = '';
    if (f) loadModel(f);
  });
  store.subscribe((s, keys) => {
    if (keys.includes('state') || keys.includes('model')) renderButtons();
    // "Loaded …" describes the model as it was loaded: once it trains on, the note is out of date.
    if (keys.includes('state') && s.state === 'training' && $('file-message').classList.contains('info')) message('');
  });
  renderButtons();
  return { loadModel };
}
