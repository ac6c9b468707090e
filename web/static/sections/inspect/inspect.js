// Section 6, "Look inside": interpretable cells (each character coloured by one unit's value), next-character
// predictions (shaded by the probability the model gave to what came next, with the top 5 on hover or focus), a
// units × characters overview, "Find units" (the units that track a feature of the text), gradient flow (how far
// back the loss reaches, one curve per measurement so cell types can be overlaid) and an n-gram baseline.
// Everything comes from the worker (op "look", see inspect_bindings.cpp); these modules only draw.
//
// This file wires the views together and owns the section's record in the store, `look`:
//   { trace, selected, heatmap }  trace_view.js (through char_views.js and ui/heatmap/)
//   ranking                       ranking_view.js       flows   flow_view.js
//   ngram                         ngram_view.js         live    live.js
// Each field has one writer; the writer changes it and calls publish(), which hands the record to the store again.
//
// Needs: the store (reads state), request(op, args) (a "look" request to the current model) and currentGen() (that
// model's generation). Emits nothing but store updates of `look`.
import { createTraceView } from './trace_view.js';
import { createRankingView } from './ranking_view.js';
import { createFlowView } from './flow_view.js';
import { createNgramView } from './ngram_view.js';
import { initLive } from './live.js';

export function initInspect({ store, request, currentGen }) {
  const look = { trace: null, selected: null, ranking: [], flows: [], ngram: null, heatmap: null };
  const publish = () => store.update({ look });
  publish();
  // A ranked unit's button colours the trace view by that unit (called on a click, after both exist).
  const ranking = createRankingView({ record: look, publish, onChoose: (choice) => traceView.choose(choice) });
  const traceView = createTraceView({ request, record: look, publish, ranking });
  const flow = createFlowView({ request, currentGen, record: look, publish });
  createNgramView({ request, record: look, publish });
  // Live refresh of the views above while the model trains (live.js decides when).
  initLive({
    store, record: look, publish,
    views: [{ name: 'trace', ...traceView }, { name: 'flow', ...flow }],
  });
}
