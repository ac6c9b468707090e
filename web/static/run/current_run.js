// The page's own model as a run for the comparison (sections/compare): its configuration, its validation curve so
// far and a sample made now. Throws with a message a person can act on when there is nothing to add.
import { Req } from '../engine/protocol.js';

export function currentRunFor({ store, client }) {
  return async function currentRun() {
    const { model, state, gen } = store.get();
    if (!model || state === 'none' || state === 'opening') throw new Error('No model yet: train one first, then add it.');
    if (!model.hasText) throw new Error('This model has no validation curve (it was loaded without its text).');
    const sample = await client.request(Req.SAMPLE, gen, { options: { length: 240, temperature: 0.8, seed: 1 } });
    const { step, valHistory } = store.get();   // as they are once the sample is made
    return { config: model.config, parameterCount: model.parameterCount, step, curve: valHistory.slice(), sample: sample.text };
  };
}
