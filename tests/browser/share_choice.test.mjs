// The page's choice between training a run alone and sharing its steps with helper workers
// (web/static/engine/worker/share_choice.js): it measures both, keeps the faster, and measures the other again now
// and then. Runs in node; the clock is a fake one moved by hand.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createShareChoice } from '../../web/static/engine/worker/share_choice.js';

function withClock(run) {
  const real = performance.now;
  let now = 1000;
  performance.now = () => now;
  try {
    run((ms) => { now += ms; });
  } finally {
    performance.now = real;
  }
}

// Runs `chunks` chunks of 10 steps, each way taking msPerStep[way] per step; returns the ways taken.
function train(choice, chunks, msPerStep, tick) {
  const ways = [];
  for (let i = 0; i < chunks; i++) {
    const way = choice.next();
    ways.push(way);
    choice.note(way, 10, 10 * msPerStep[way]);
    tick(50);
  }
  return ways;
}

test('measures alone, then shared, and keeps sharing when it is faster', () => withClock((tick) => {
  const c = createShareChoice();
  assert.deepEqual(train(c, 5, { alone: 13, shared: 9 }, tick), ['alone', 'shared', 'shared', 'shared', 'shared']);
  assert.deepEqual(c.rates(1000), { alone: 1000 * 1000 / 13, shared: 1000 * 1000 / 9 });
}));

test('stays alone when sharing is slower, or not at least 5% faster', () => withClock((tick) => {
  assert.deepEqual(train(createShareChoice(), 4, { alone: 13, shared: 15 }, tick), ['alone', 'shared', 'alone', 'alone']);
  assert.deepEqual(train(createShareChoice(), 4, { alone: 13, shared: 12.6 }, tick), ['alone', 'shared', 'alone', 'alone']);
}));

test('measures the way not taken again after a while, and follows a change', () => withClock((tick) => {
  const c = createShareChoice();
  train(c, 3, { alone: 13, shared: 15 }, tick);
  tick(25_000);
  // The machine got quieter: sharing is now faster, and the run switches to it.
  assert.deepEqual(train(c, 3, { alone: 13, shared: 8 }, tick), ['shared', 'shared', 'shared']);
}));
