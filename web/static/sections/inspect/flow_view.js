// Gradient flow: how far back the loss reaches. Each "Measure gradient flow" adds a curve (the gradient's norm k
// characters back, op "gradientFlow") to the chart and a row to the table beside it, so an LSTM and an RNN can be
// compared; "Clear curves" starts over. While the model trains, its newest curve follows it (live.js).
//
// Needs request(op, args), currentGen() (the generation of the model now loaded), the look record and publish()
// (it writes record.flows). Returns { refresh, ready, elements } for live.js.
import { drawFlowChart } from './flow_chart.js';
import { askOrSay, say } from './status.js';
import { cellName } from './trace_data.js';

const $ = (id) => document.getElementById(id);
const FLOW_ARGS = { window: 40, windows: 32, seed: 1 };
const TABLE_LAGS = [0, 1, 2, 5, 10, 20, 30, 39];
const SUMMARY_LAG = 20;

export function createFlowView({ request, currentGen, record, publish }) {
  const canvas = $('flow-chart');
  const draw = () => drawFlowChart(canvas, record.flows);

  async function measure() {
    $('flow-run').disabled = true;
    say('flow-state', 'Measuring…');
    const reply = await askOrSay(request, 'gradientFlow', FLOW_ARGS, 'flow-state');
    $('flow-run').disabled = false;
    if (!reply) return;
    record.flows.push(flowEntry(reply));
    publish();
    showFlows();
    say('flow-state', flowSummary(record.flows[record.flows.length - 1]) + '.');
  }

  function showFlows() {
    renderFlowTable($('flow-table'), record.flows);
    canvas.setAttribute('aria-label', record.flows.length
      ? `Gradient flow chart, log scale. ${record.flows.map(flowSummary).join('. ')}.`
      : 'Gradient flow chart: no curves yet');
    draw();
  }

  // Live refresh: the newest curve of the model that is training now follows it; curves of earlier models stay
  // as they were measured (they are what it is compared with). Returns [ms of the redraw], or null.
  async function refresh() {
    const i = record.flows.findLastIndex((f) => f.gen === currentGen());
    if (i < 0) return null;
    let reply = null;
    try {
      reply = await request('gradientFlow', FLOW_ARGS);
    } catch {
      return null;
    }
    if (reply.gen !== record.flows[i]?.gen) return null;
    const t0 = performance.now();
    record.flows[i] = flowEntry(reply);
    publish();
    showFlows();
    return [performance.now() - t0];
  }

  $('flow-run').addEventListener('click', measure);
  $('flow-clear').addEventListener('click', () => {
    record.flows = [];
    publish();
    showFlows();
    say('flow-state', '');
  });
  new ResizeObserver(draw).observe(canvas);

  return { refresh, ready: () => record.flows.some((f) => f.gen === currentGen()), elements: [canvas] };
}

// The curve of the last layer: { label, cell, step, values: [norm at k], gen }.
function flowEntry(reply) {
  const norm = reply.result.norm;
  const values = Array.from(norm[norm.length - 1]);
  const label = `${cellName(reply.cell)}, step ${reply.step.toLocaleString('en-US')}`;
  return { label, cell: reply.cell, step: reply.step, values, gen: reply.gen };
}

function flowSummary(f) {
  const v0 = f.values[0], v20 = f.values[Math.min(SUMMARY_LAG, f.values.length - 1)];
  return `${f.label}: at k = ${SUMMARY_LAG} the gradient is ${(v20 / v0).toExponential(1)} of its value at k = 0`;
}

// The chart's numbers as a table: one row per curve, one column per lag in TABLE_LAGS.
function renderFlowTable(table, flows) {
  table.hidden = flows.length === 0;
  const header = document.createElement('tr');
  header.append(cell('th', 'Model', 'col'), ...TABLE_LAGS.map((k) => cell('th', `k = ${k}`, 'col')));
  table.tHead.replaceChildren(header);
  table.tBodies[0].replaceChildren(...flows.map((f) => {
    const row = document.createElement('tr');
    row.append(cell('th', f.label, 'row'),
      ...TABLE_LAGS.map((k) => cell('td', k < f.values.length ? f.values[k].toExponential(2) : '—')));
    return row;
  }));
}

function cell(tag, text, scope = null) {
  const el = document.createElement(tag);
  if (scope) el.scope = scope;
  el.textContent = text;
  return el;
}
