// The text's statistics under the text box: characters, distinct characters, the train/validation split, and
// what the engine had to change (rare characters collapsed, invalid UTF-8 replaced). stats: from INSPECT, or null.
import { $ } from '../../ui/dom.js';
import { fmtBytes, fmtInt } from '../../ui/format.js';
import { suggestSize } from './size_suggestion.js';

// preset: the preset the text is (its size is applied, so nothing is suggested), or null.
export function renderTextStats(stats, preset = null) {
  const suggestion = stats && !preset ? suggestSize(stats) : null;
  $('stat-suggest').hidden = !suggestion;
  $('stat-suggest').textContent = suggestion ? suggestion.line : '';
  if (!stats) {
    for (const id of ['stat-chars', 'stat-vocab', 'stat-train', 'stat-val']) $(id).textContent = '—';
    $('stat-detail').textContent = '';
    return;
  }
  $('stat-chars').textContent = fmtInt(stats.chars);
  $('stat-vocab').textContent = fmtInt(stats.vocabSize);
  const total = Math.max(1, stats.trainChars + stats.valChars);
  $('stat-train').textContent = `${fmtInt(stats.trainChars)} (${Math.round((100 * stats.trainChars) / total)}%)`;
  $('stat-val').textContent = `${fmtInt(stats.valChars)} (${Math.round((100 * stats.valChars) / total)}%)`;
  const notes = [fmtBytes(stats.bytes) + ' of UTF-8'];
  if (stats.collapsedDistinct > 0)
    notes.push(`${fmtInt(stats.collapsedDistinct)} rare characters (${fmtInt(stats.collapsedOccurrences)} occurrences) share ` +
               'one symbol, because the vocabulary is capped');
  if (stats.invalidReplaced > 0) notes.push(`${fmtInt(stats.invalidReplaced)} invalid UTF-8 sequences replaced by �`);
  $('stat-detail').textContent = notes.join(' · ') + '.';
}
