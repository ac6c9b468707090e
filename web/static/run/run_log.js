// The bookkeeping exact-step resume needs for the current model (resume.js, storage.js): how many train_step calls
// it has made (store key `calls`), the mid-run changes at the calls where they happened, the change a replay cannot
// repeat (a restore to the last good weights), and the losses of recent calls to check a replay against.
//
//   events: [{ at: calls before it, index: edit number, kind: 'lr' | 'clip' | 'round', lr?, mode?, value? }]
//   losses: { start: call number of bits[0], bits: [bits per character, or null for a rejected call] }
// It also keeps the model's recipe (store key `recipe`), what a short link carries (run/link_recipe.js): the form's
// settings and the preset it was opened with, and every mid-run change since it was opened, so that training anew
// from the same text makes the same weights. A model that did not start on this page from its text (a model file,
// a link's weights), or went back to earlier weights (the best model, the last good weights) has none; `why` says so.
//   recipe: { values, preset (or null), events: [{ at, kind, lr?, mode?, value? }] }  or  { why }
export const NO_RECIPE = 'the page has no record of its training from the start (it came from a model file, from a ' +
  'link that carries weights, or was kept by an older version of this page)';
export const WENT_BACK = 'it went back to earlier weights (the best model, or the last good weights after a blow-up), ' +
  'which training again cannot repeat';

const recipeEvent = (e) => ({ at: e.at, kind: e.kind, ...(e.kind === 'lr' ? { lr: e.lr } : {}),
                              ...(e.kind === 'clip' ? { mode: e.mode, value: e.value } : {}) });

export function createRunLog(store) {
  let events = [];
  let staleFrom = null;
  let losses = { start: 0, bits: [] };
  const setRecipe = (recipe) => store.update({ recipe });
  const addToRecipe = (list) => {
    const r = store.get().recipe;
    if (r && !r.why) setRecipe({ ...r, events: [...r.events, ...list.map(recipeEvent)] });
  };

  return {
    // recipe: the new model's, when it starts from its text and settings on this page (see above).
    start(calls, recipe = null) {
      store.update({ calls });
      events = [];
      staleFrom = null;
      losses = { start: calls, bits: [] };
      setRecipe(recipe ? { values: { ...recipe.values }, preset: recipe.preset ?? null, events: [] } : { why: NO_RECIPE });
    },
    // A kept run's recipe as its checkpoint stored it (nothing stored: a run kept by an older page has none).
    restoreRecipe(saved) {
      const ok = saved && typeof saved === 'object' && (typeof saved.why === 'string' ||
        (saved.values && typeof saved.values === 'object' && Array.isArray(saved.events)));
      setRecipe(ok ? saved : { why: NO_RECIPE });
    },
    recipe: () => store.get().recipe,
    // One train_step call's loss (null when it was rejected or not finite).
    addCall(bits) {
      store.update({ calls: store.get().calls + 1 });
      losses.bits.push(bits);
    },
    lastBits: () => losses.bits[losses.bits.length - 1],
    // A mid-run change the worker applied after `reply.calls` calls.
    recordEdit(reply, edit) {
      events.push({ at: reply.calls, index: reply.edit, ...edit });
      addToRecipe([{ at: reply.calls, ...edit }]);
    },
    markStale(edit) {
      staleFrom = edit;
      setRecipe({ why: WENT_BACK });
    },
    // The changes a replay repeated (after a reload, or making a short link's model): they join the recipe too.
    replaceEvents(list) {
      events = list;
      addToRecipe(list);
    },
    progress: () => ({ events, staleFrom, losses }),
    // Losses before the stored checkpoint are no longer needed to check a replay.
    checkpointed(calls) {
      const drop = Math.min(losses.bits.length, Math.max(0, calls - losses.start));
      losses = { start: losses.start + drop, bits: losses.bits.slice(drop) };
    },
  };
}
