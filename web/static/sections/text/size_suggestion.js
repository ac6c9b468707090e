// The model size that would suit a text, suggested (never applied) under the statistics of any text that is not a
// preset: the largest of a ladder of sizes whose parameters stay within PARAMS_PER_CHAR x the training characters.
// Why that bound: the settings panel notes a model with more than 2 parameters per training character ("will start
// to memorize", sections/settings/model_size.js) and warns above 10; within 2, the prose and code presets reached
// their best validation loss in one to three minutes (presets.js). DOM-free, so it is tested alone.
import { parameterCount } from '../settings/model_size.js';
import { fmtInt } from '../../ui/format.js';

export const PARAMS_PER_CHAR = 2;
// Smallest first. Two layers only from 128 units, where a second layer (with dropout between) pays for itself.
export const LADDER = [
  { layers: 1, hidden: 32 }, { layers: 1, hidden: 48 }, { layers: 1, hidden: 64 }, { layers: 1, hidden: 96 },
  { layers: 1, hidden: 128 }, { layers: 2, hidden: 128 }, { layers: 2, hidden: 192 }, { layers: 2, hidden: 256 },
  { layers: 2, hidden: 384 }, { layers: 2, hidden: 512 },
];

// stats: the text's statistics (trainChars, vocabSize); cell: the form's cell. Returns { size, P, line } or null.
export function suggestSize(stats, cell = 'lstm') {
  if (!stats || !(stats.trainChars > 0) || !(stats.vocabSize > 1)) return null;
  const embed = stats.vocabSize > 100 ? 32 : 16;
  let pick = null;
  for (const step of LADDER) {
    const v = { cell, layers: String(step.layers), hidden: String(step.hidden), embed: String(embed) };
    const P = parameterCount(v, stats.vocabSize);
    if (pick && P > PARAMS_PER_CHAR * stats.trainChars) break;
    pick = { ...step, embed, P };
  }
  const dropout = pick.layers > 1 ? 0.2 : 0;
  const size = { layers: String(pick.layers), hidden: String(pick.hidden), embed: String(pick.embed), dropout: String(dropout) };
  const shape = `${pick.layers} layer${pick.layers > 1 ? 's' : ''} of ${pick.hidden} units` + (dropout ? `, dropout ${dropout}` : '');
  const why = pick.P > PARAMS_PER_CHAR * stats.trainChars
    ? 'the smallest model here, and still larger than this short text: expect it to memorise soon'
    : `about ${fmtInt(pick.P)} parameters for ${fmtInt(stats.trainChars)} training characters, few enough to learn ` +
      'patterns before it memorises';
  return { size, P: pick.P, line: `Suggested for this text: ${shape} (${why}).` };
}
