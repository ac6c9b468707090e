// The recurrent weights' gradient filling up as the walk goes backward: dW_hh summed over steps t..T, one coloured
// square per weight (red positive, blue negative), on the scale of the whole gradient so the squares darken as steps
// are added. Only for models small enough to print (the engine sends the running matrices then).
import { diverging } from '../../ui/scales.js';
import { row } from './step_data.js';
import { sci } from './step_table.js';

const CELL = 10;   // px per weight, with a 1 px gap

// u: the unroll; k: the layer; t: the step. Returns null when the matrices were not sent.
export function gradGrid(u, k, t) {
  const y = u.layers[k];
  const GH = u.G * u.H, H = u.H;
  if (!y.runWHh.length) return null;
  const now = row(y.runWHh, t, GH * H), whole = row(y.runWHh, 0, GH * H);
  const scale = Math.max(...whole.map(Math.abs)) || 1;
  // One canvas, not one element per weight: an LSTM of 16 units has 1,024 recurrent weights per layer.
  const grid = document.createElement('canvas');
  grid.className = 'step-grid';
  grid.width = H * CELL;
  grid.height = GH * CELL;
  const ctx = grid.getContext('2d');
  let big = 0;
  for (let i = 0; i < now.length; ++i) {
    ctx.fillStyle = diverging(now[i] / scale);
    ctx.fillRect((i % H) * CELL, Math.floor(i / H) * CELL, CELL - 1, CELL - 1);
    if (Math.abs(now[i]) > Math.abs(now[big])) big = i;
  }
  grid.setAttribute('role', 'img');
  grid.setAttribute('aria-label', `dW_hh of layer ${k + 1} summed over steps ${t + 1} to ${u.T}: ${GH} rows by ${H} ` +
    `columns; the largest entry is ${sci(now[big])} at row ${Math.floor(big / H)}, column ${big % H}`);
  const fig = document.createElement('figure');
  fig.className = 'step-grid-figure';
  const cap = document.createElement('figcaption');
  cap.className = 'hint';
  cap.textContent = `dW_hh so far (${GH} × ${H}; red positive, blue negative, on the scale of the whole gradient)`;
  fig.append(grid, cap);
  return fig;
}
