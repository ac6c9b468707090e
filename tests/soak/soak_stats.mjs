// The page soak's arithmetic (page_soak.mjs): a slope fitted within stretches, and per-step losses read off the
// page's chart and compared.

// Least squares with one intercept per group and one common slope: [{ x, y, group }] -> { slope, points, groups }.
// Groups with a single point say nothing about a slope and are left out.
export function pooledSlope(points) {
  const byGroup = new Map();
  for (const p of points) byGroup.set(p.group, [...(byGroup.get(p.group) || []), p]);
  let sxy = 0, sxx = 0, used = 0, groups = 0;
  for (const list of byGroup.values()) {
    if (list.length < 2) continue;
    const mx = list.reduce((a, p) => a + p.x, 0) / list.length;
    const my = list.reduce((a, p) => a + p.y, 0) / list.length;
    for (const p of list) {
      sxy += (p.x - mx) * (p.y - my);
      sxx += (p.x - mx) ** 2;
    }
    used += list.length;
    groups += 1;
  }
  return { slope: sxx > 0 ? sxy / sxx : 0, points: used, groups };
}

// The chart keeps one point per step until it holds 8,000, then merges neighbours pairwise (ui/chart_series.js:
// a merged point has the later step of its pair, so it is 2 or more steps after the point before it). A point one
// step after its predecessor is therefore a step's own loss; the first point (step 1) is kept as it is. Adds those
// to `into` (step -> bits); a step already there with another value goes to `conflicts`.
export function lossesFromChart({ steps, raw }, into, conflicts = null) {
  for (let i = 0; i < steps.length; ++i) {
    const own = i === 0 ? steps[0] === 1 : steps[i] - steps[i - 1] === 1;
    if (!own) continue;
    const had = into.get(steps[i]);
    if (had !== undefined && !Object.is(had, raw[i]) && conflicts) conflicts.push({ step: steps[i], before: had, after: raw[i] });
    into.set(steps[i], raw[i]);
  }
}

// Every step up to `last` that both runs kept must have the same loss, bit for bit.
export function compareLosses(soak, ref, last, firstReload) {
  const mismatches = [];
  let compared = 0, afterReload = 0, missing = 0;
  for (let s = 1; s <= last; ++s) {
    const a = soak.get(s), b = ref.get(s);
    if (a === undefined || b === undefined) {
      missing += 1;
      continue;
    }
    compared += 1;
    if (s > firstReload) afterReload += 1;
    if (!Object.is(a, b)) mismatches.push({ step: s, soak: a, ref: b });
  }
  return { compared, afterReload, missing, mismatches };
}
