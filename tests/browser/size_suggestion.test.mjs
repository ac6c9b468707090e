// suggestSize (web/static/sections/text/size_suggestion.js): the model size suggested for a text that is not a preset.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parameterCount } from '../../web/static/sections/settings/model_size.js';
import { LADDER, PARAMS_PER_CHAR, suggestSize } from '../../web/static/sections/text/size_suggestion.js';

const paramsOf = (size, V) => parameterCount({ cell: 'lstm', ...size }, V);

describe('suggestSize', () => {
  it('picks the largest size within the parameters-per-character bound, which the size warnings accept', () => {
    for (const [trainChars, V] of [[24_000, 70], [100_000, 65], [1_000_000, 90], [5_000_000, 200]]) {
      const s = suggestSize({ trainChars, vocabSize: V });
      assert.ok(s.P <= PARAMS_PER_CHAR * trainChars, `${s.P} parameters for ${trainChars} characters`);
      assert.equal(s.P, paramsOf(s.size, V));
      // The next size up would pass the bound (or there is none).
      const i = LADDER.findIndex((l) => String(l.layers) === s.size.layers && String(l.hidden) === s.size.hidden);
      assert.ok(i >= 0);
      if (i + 1 < LADDER.length) {
        const next = { layers: String(LADDER[i + 1].layers), hidden: String(LADDER[i + 1].hidden), embed: s.size.embed };
        assert.ok(paramsOf(next, V) > PARAMS_PER_CHAR * trainChars);
      }
      assert.match(s.line, /^Suggested for this text: \d layers? of \d+ units/);
      assert.match(s.line, /few enough to learn patterns before it memorises/);
    }
  });

  it('grows with the text and uses dropout only between two layers', () => {
    const small = suggestSize({ trainChars: 24_000, vocabSize: 70 });
    const large = suggestSize({ trainChars: 5_000_000, vocabSize: 70 });
    assert.ok(large.P > 10 * small.P);
    assert.equal(large.size.layers, '2');
    assert.equal(large.size.dropout, '0.2');
    assert.equal(small.size.dropout, '0');
  });

  it('a text too short for any size gets the smallest, and is told it will memorise', () => {
    const s = suggestSize({ trainChars: 300, vocabSize: 30 });
    assert.deepEqual([s.size.layers, s.size.hidden], ['1', '32']);
    assert.match(s.line, /still larger than this short text: expect it to memorise soon/);
  });

  it('nothing to suggest without statistics', () => {
    assert.equal(suggestSize(null), null);
    assert.equal(suggestSize({ trainChars: 0, vocabSize: 10 }), null);
  });
});
