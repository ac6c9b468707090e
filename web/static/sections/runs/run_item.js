// One run in the list of runs: its name and details, then either its buttons (Open, Rename, Export, Delete…), a
// name field (Save, Cancel), the question before a delete (Delete for good, Keep it), or before leaving a run that
// is training (Pause and open, Cancel). Every control is named with the run's name, so a screen reader (and a
// test) can tell the runs apart; data-key lets the list put the focus back on the same control after it redraws. Names go in with textContent only.
function button(text, label, key, onClick, { disabled = false } = {}) {
  const b = document.createElement('button');
  b.type = 'button';
  b.textContent = text;
  b.setAttribute('aria-label', label);
  b.dataset.key = key;
  b.disabled = disabled;
  b.addEventListener('click', onClick);
  return b;
}

function renameControls(r, actions) {
  const input = document.createElement('input');
  input.type = 'text';
  input.value = r.name;
  input.maxLength = 120;
  input.setAttribute('aria-label', `New name for ${r.name}`);
  input.dataset.key = `rename-input:${r.id}`;
  const save = () => actions.saveName(r, input.value);
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') save();
    else if (e.key === 'Escape') actions.cancel(r);
  });
  return [input, button('Save', `Save the new name of ${r.name}`, `save:${r.id}`, save),
          button('Cancel', `Cancel renaming ${r.name}`, `cancel:${r.id}`, () => actions.cancel(r))];
}

function confirmControls(r, actions) {
  const q = document.createElement('span');
  q.className = 'run-confirm';
  q.textContent = `Delete ${r.name}? Its model, chart and text are removed from this browser.`;
  return [q, button('Delete for good', `Delete ${r.name} for good`, `really:${r.id}`, () => actions.delete(r)),
          button('Keep it', `Keep ${r.name}`, `keep:${r.id}`, () => actions.cancel(r))];
}

function switchControls(r, actions) {
  const q = document.createElement('span');
  q.className = 'run-confirm';
  q.textContent = `The current run is training. Pause it (it is kept) and open ${r.name}?`;
  return [q, button('Pause and open', `Pause and open ${r.name}`, `switch:${r.id}`, () => actions.open(r)),
          button('Cancel', `Keep training, do not open ${r.name}`, `cancel:${r.id}`, () => actions.cancel(r))];
}

function buttons(r, { current, busy }, actions) {
  return [
    button('Open', current ? `${r.name} is open` : `Open ${r.name}`, `open:${r.id}`, () => actions.open(r),
           { disabled: current || busy }),
    button('Rename', `Rename ${r.name}`, `rename:${r.id}`, () => actions.rename(r), { disabled: busy }),
    button('Export', `Export ${r.name} as a model file`, `export:${r.id}`, () => actions.export(r), { disabled: busy }),
    button('Delete…', current ? `${r.name} is open: press New before deleting it` : `Delete ${r.name}`,
           `delete:${r.id}`, () => actions.askDelete(r), { disabled: current || busy }),
  ];
}

// r: a run's summary (run/run_db.js). o: { current, renaming, confirming, switching, busy, details, actions }.
export function buildRunItem(r, o) {
  const li = document.createElement('li');
  li.className = o.current ? 'run-item current' : 'run-item';
  li.dataset.run = r.id;
  const name = document.createElement('span');
  name.className = 'run-name';
  name.textContent = r.name;
  const details = document.createElement('span');
  details.className = 'run-details';
  details.textContent = o.details;
  const row = document.createElement('div');
  row.className = 'run-actions';
  if (o.renaming) row.append(...renameControls(r, o.actions));
  else if (o.confirming) row.append(...confirmControls(r, o.actions));
  else if (o.switching) row.append(...switchControls(r, o.actions));
  else row.append(...buttons(r, o, o.actions));
  li.append(name, details, row);
  return li;
}
