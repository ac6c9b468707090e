// The runs in words: the legend under the chart (a swatch of each line, its name and final loss, so no line is told
// apart by colour alone) and the list beside it (each run's final loss, settings summary and final sample).
// Everything a run holds is written with textContent: runs read back from storage are never parsed as markup.
//
//   renderRunList({ legend, list, empty }, runs)   // the three elements; runs: runs.js records
import { fmtInt, fmtBits } from '../../ui/format.js';
import { shapePath } from './runs.js';

const SVG = 'http://www.w3.org/2000/svg';

// A short piece of the run's line (its colour and dash) with its point shape in the middle.
function swatch(style) {
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('width', '34');
  svg.setAttribute('height', '12');
  svg.setAttribute('aria-hidden', 'true');
  svg.classList.add('cmp-swatch');
  const line = document.createElementNS(SVG, 'line');
  for (const [k, v] of Object.entries({ x1: 1, y1: 6, x2: 33, y2: 6, stroke: style.colour, 'stroke-width': 2.5 }))
    line.setAttribute(k, String(v));
  if (style.dash.length) line.setAttribute('stroke-dasharray', style.dash.join(' '));
  svg.append(line);
  const point = document.createElementNS(SVG, 'path');
  point.setAttribute('d', shapePath(style.shape, 17, 6, 4));
  point.setAttribute('fill', style.colour);
  svg.append(point);
  return svg;
}

function legendItem(run) {
  const li = document.createElement('li');
  const name = document.createElement('span');
  name.textContent = `${run.label}: ${fmtBits(run.finalBits)} bits/char`;
  li.append(swatch(run.style), name);
  return li;
}

function paragraph(className, text) {
  const p = document.createElement('p');
  p.className = className;
  p.textContent = text;
  return p;
}

// index: the run's place in the list (its heading's id, cmp-run-<index>).
function runItem(run, index) {
  const li = document.createElement('li');
  li.className = 'cmp-run';
  const head = document.createElement('h4');
  head.id = `cmp-run-${index}`;
  head.append(swatch(run.style), document.createTextNode(run.label));
  const final = paragraph('cmp-final', `Final validation loss ${fmtBits(run.finalBits)} bits/char at step ` +
    `${fmtInt(run.finalStep)}` + (run.stoppedEarly ? ` (${run.stoppedEarly})` : '') + '.');
  const sample = document.createElement('pre');
  sample.className = 'sample-output cmp-sample';
  sample.tabIndex = 0;
  sample.setAttribute('role', 'region');
  sample.setAttribute('aria-label', `Final sample of ${run.label}`);
  sample.textContent = run.sample;
  li.append(head, final, paragraph('hint', run.summary), sample);
  return li;
}

export function renderRunList({ legend, list, empty }, runs) {
  legend.replaceChildren(...runs.map(legendItem));
  list.replaceChildren(...runs.map(runItem));
  empty.hidden = runs.length > 0;
}
