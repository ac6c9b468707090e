// The question an ambiguous safetensors file raises: its weights fit several cells alike (a GRU and the two LSTM
// variants with three gate blocks) and it does not name its own, so the page asks which cell it is rather than
// guess (a wrong guess runs and is silently wrong). A group of radio buttons, "Load as this cell" and Cancel.
//
// Gives: ask(fileName, cells, onChoose(cell)), hide().
import { $ } from '../../ui/dom.js';

// The names the Settings section's Cell list uses.
const CELL_NAMES = {
  gru: 'GRU',
  lstm_cifg: 'LSTM, coupled input and forget gate',
  lstm_nfg: 'LSTM without forget gate',
  lstm: 'LSTM',
  lstm_peephole: 'LSTM with peepholes',
  rnn: 'RNN (tanh)',
};

// The same, inside a sentence ("its weights fit a GRU, an LSTM ... or ... alike").
const IN_A_SENTENCE = {
  gru: 'a GRU',
  lstm_cifg: 'an LSTM with a coupled input and forget gate',
  lstm_nfg: 'an LSTM without a forget gate',
};

export const cellName = (cell) => CELL_NAMES[cell] || cell;

function listOf(names) {
  return names.length < 2 ? names.join('') : `${names.slice(0, -1).join(', ')}${names.length > 2 ? ',' : ''} or ${names.at(-1)}`;
}

function option(cell, onPick) {
  const label = document.createElement('label');
  const radio = document.createElement('input');
  radio.type = 'radio';
  radio.name = 'cell-choice';
  radio.value = cell;
  radio.addEventListener('change', onPick);
  const name = document.createElement('span');
  name.textContent = cellName(cell);
  label.append(radio, name);
  return label;
}

export function initCellChoice({ returnFocusTo }) {
  const box = $('cell-choice');
  const load = $('cell-choice-load');
  let onChoose = null;

  function hide() {
    box.hidden = true;
    $('cell-choice-options').replaceChildren();
    onChoose = null;
  }

  function ask(fileName, cells, choose) {
    onChoose = choose;
    $('cell-choice-text').textContent = `${fileName}: its weights fit ${listOf(cells.map((c) => IN_A_SENTENCE[c] || c))} alike, and the ` +
      'file does not say which (it has no rnnlab.config metadata). Loaded as the wrong cell, the model would run ' +
      'but be silently wrong, so the page does not guess: choose the cell it was trained as.';
    $('cell-choice-options').replaceChildren(...cells.map((c) => option(c, () => { load.disabled = false; })));
    load.disabled = true;
    box.hidden = false;
    box.querySelector('input[type=radio]').focus();
  }

  load.addEventListener('click', () => {
    const picked = box.querySelector('input[type=radio]:checked');
    if (!picked || !onChoose) return;
    const choose = onChoose;
    hide();
    returnFocusTo().focus();
    choose(picked.value);
  });
  $('cell-choice-cancel').addEventListener('click', () => {
    hide();
    returnFocusTo().focus();
  });
  return { ask, hide };
}
