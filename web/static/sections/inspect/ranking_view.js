// "Find units": the units whose value tracks a feature of the text best (e.g. "inside quotes"), as buttons that
// colour the text by that unit. The ranking itself comes with a trace (trace_view.js asks for it).
//
// Needs the look record and publish() (it writes record.ranking). Emits onChoose({ layer, kind, unit }).
import { say } from './status.js';

const $ = (id) => document.getElementById(id);

export function createRankingView({ record, publish, onChoose }) {
  const list = $('look-ranking');

  // ranking: [{ layer, kind, unit, correlation }] best first; feature: its value in the Feature list.
  function show(ranking, feature) {
    const featureName = $('look-feature').selectedOptions[0]?.textContent || feature;
    record.ranking = ranking;
    publish();
    list.replaceChildren(...ranking.map((u) => rankedUnit(u, featureName)));
    say('look-state', ranking.length
      ? `The ${ranking.length} units that track “${featureName.toLowerCase()}” best; choose one to colour the text by it.`
      : 'This text never changes that feature (a text without quotes, say), so no unit can track it.');
  }

  function rankedUnit(u, featureName) {
    const li = document.createElement('li');
    const b = document.createElement('button');
    b.type = 'button';
    b.textContent = `Layer ${u.layer + 1} ${u.kind} unit ${u.unit}: r = ${u.correlation >= 0 ? '+' : '−'}` +
      Math.abs(u.correlation).toFixed(2);
    b.setAttribute('aria-label', `Layer ${u.layer + 1}, ${u.kind === 'c' ? 'cell state' : 'hidden state'}, unit ` +
      `${u.unit}: correlation ${u.correlation.toFixed(2)} with ${featureName.toLowerCase()}`);
    b.addEventListener('click', () => {
      onChoose({ layer: u.layer, kind: u.kind, unit: u.unit });
      for (const other of list.querySelectorAll('button')) other.setAttribute('aria-pressed', String(other === b));
    });
    b.setAttribute('aria-pressed', 'false');
    li.append(b);
    return li;
  }

  // A ranking belongs to the model it was made for.
  function clear() {
    record.ranking = [];
    publish();
    list.replaceChildren();
  }

  return { show, clear };
}
