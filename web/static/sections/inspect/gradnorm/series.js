// The gradient-norm series: one entry per accepted training step (its gradient's global L2 norm before clipping and
// whether it was clipped), the running model's clipping, and where clipping was switched during the run. DOM-free;
// gradnorm.js keeps one series as the store's `gradNorm` record (the tests read it as app.gradNorm).
//
//   { steps: [step], norms: [norm], clipped: [bool],   parallel arrays, merged pairwise past MAX_POINTS
//     mode: 'norm' | 'value' | 'none', threshold,       the running model's clipping
//     switches: [{ step, on, text }] }                  where clipping was turned off or on, or re-set, mid-run
import { fmtNorm } from './describe.js';

const MAX_POINTS = 20_000;   // beyond this, neighbouring steps are merged (the larger norm, clipped if either was)

export const createSeries = () => ({ steps: [], norms: [], clipped: [], mode: 'norm', threshold: 5, switches: [] });

// reports: StepReports from training ({ step, gradNorm, clipped, rejected }); a rejected step or one without a
// positive finite norm is left out (it cannot be drawn on a log scale).
export function addReports(gn, reports) {
  for (const r of reports) {
    if (r.rejected || !(r.gradNorm > 0) || !Number.isFinite(r.gradNorm)) continue;
    gn.steps.push(r.step);
    gn.norms.push(r.gradNorm);
    gn.clipped.push(Boolean(r.clipped));
  }
  if (gn.steps.length > MAX_POINTS) halve(gn);
}

// Merges neighbouring pairs: the later step, the larger norm, clipped if either was (a spike stays visible).
function halve(gn) {
  const s = [], n = [], c = [];
  for (let i = 0; i + 1 < gn.steps.length; i += 2) {
    s.push(gn.steps[i + 1]);
    n.push(Math.max(gn.norms[i], gn.norms[i + 1]));
    c.push(gn.clipped[i] || gn.clipped[i + 1]);
  }
  gn.steps = s;
  gn.norms = n;
  gn.clipped = c;
}

export function clearSeries(gn) {
  gn.steps = [];
  gn.norms = [];
  gn.clipped = [];
  gn.switches = [];
}

// After going back to an earlier training state: forget the steps after it.
export function truncateSeries(gn, step) {
  const n = gn.steps.findIndex((s) => s > step);
  if (n >= 0) {
    gn.steps.length = n;
    gn.norms.length = n;
    gn.clipped.length = n;
  }
  gn.switches = gn.switches.filter((s) => s.step <= step);
}

// The running model's clipping; atStep is given when it changed during a run (then a switch is recorded if clipping
// went on or off, or its norm threshold changed).
export function setSeriesClipping(gn, mode, threshold, atStep) {
  const on = mode !== 'none', wasOn = gn.mode !== 'none';
  const newThreshold = on && wasOn && threshold !== gn.threshold;
  gn.mode = mode;
  gn.threshold = threshold;
  if (atStep !== null && (on !== wasOn || newThreshold)) {
    gn.switches.push({ step: atStep, on, text: on !== wasOn ? `clipping ${on ? 'on' : 'off'}` : `threshold ${fmtNorm(threshold)}` });
  }
}
