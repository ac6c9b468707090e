// "Pause at step": an optional step at which training pauses by itself. The worker stops exactly there (not at
// the next chunk boundary), so a class can compare models at the same step and a run can be repeated to the step.
// DOM-free, so node tests can check it.

import { fmtInt } from '../../ui/format.js';

export const MAX_PAUSE_STEP = 1_000_000_000;

// What the field asks for, given its text, whether the browser found it unreadable as a number (input.validity
// .badInput: the text of a number input is then '') and the step the model is at:
//   { stopAt: n }            pause at step n (> step)
//   { stopAt: 0 }            no pause: the field is empty
//   { stopAt: 0, problem }   no pause, and `problem` says why the field's value cannot be used and what to do
export function readPauseAt(text, badInput, step) {
  const t = String(text).trim();
  const ignored = 'so training goes on until you pause it.';
  if (badInput) return { stopAt: 0, problem: `"Pause at step" is not a number, ${ignored}` };
  if (t === '') return { stopAt: 0 };
  const n = Number(t);
  if (!Number.isInteger(n) || n < 1 || n > MAX_PAUSE_STEP)
    return { stopAt: 0, problem: `"Pause at step" takes a whole number of steps from 1 to ${fmtInt(MAX_PAUSE_STEP)}, ${ignored}` };
  if (n <= step)
    return { stopAt: 0, problem: `"Pause at step" (${fmtInt(n)}) is not ahead of the model, which is at step ` +
      `${fmtInt(step)}, so training goes on until you pause it. Set a later step to pause there.` };
  return { stopAt: n };
}
