// The overview in words: a caption saying what the rows, columns and colours are, and a "most active units" summary
// (also the picture's accessible name), so a person who cannot see the picture reads what it shows.
const SUMMARY_UNITS = 5;
const QUIET = 0.05;        // a unit whose mean magnitude stays below this counts as "near 0"

// stats: [{ unit, meanAbs }] per unit; label: e.g. "layer 1, h". Returns { caption, summary, mostActive: [unit] }.
export function describeHeat(stats, label, T, scale, kind) {
  const top = [...stats].sort((a, b) => b.meanAbs - a.meanAbs).slice(0, SUMMARY_UNITS);
  const quiet = stats.filter((s) => s.meanAbs < QUIET).length;
  const caption = `${label[0].toUpperCase() + label.slice(1)}: ${stats.length} units (rows) × ` +
    `${T.toLocaleString('en-US')} characters (columns, the text along the bottom); blue is negative, red positive` +
    (kind === 'c' ? `, scaled by the largest magnitude in this layer (${scale.toFixed(2)}).` : '.');
  const summary = 'Most active units (mean magnitude over this text): ' +
    top.map((s) => `unit ${s.unit} (${s.meanAbs.toFixed(2)})`).join(', ') + '. ' +
    (quiet ? `${quiet} of ${stats.length} units stay near 0 (mean magnitude below ${QUIET}).` : '');
  return { caption, summary, mostActive: top.map((s) => s.unit) };
}
