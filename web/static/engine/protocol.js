// Messages between the page (main.js) and the engine worker (worker.js), written down once.
//
// Every message is a plain object { kind, id, gen, ... }:
//   id   request id chosen by the page; a reply carries the id of the request it answers
//        (unsolicited reports such as progress carry the id of the request that started the run).
//   gen  run generation: the page bumps it whenever the model is replaced (open, load, reset). The worker stamps
//        every reply with the generation of the model it came from, and the page drops anything stale.

// Page -> worker
export const Req = Object.freeze({
  INSPECT: 'inspect',          // { text | bytes, config } -> INSPECTED: text statistics without a model
  CHECK_CONFIG: 'checkConfig', // { config } -> CHECKED
  OPEN: 'open',                // { text | bytes, config, linkWeights? } -> OPENED: a new model (gen is the new
                               // generation); linkWeights: a share link's weights (link_weights.hpp) to start from
  LOAD: 'load',                // { bytes, cell? } -> OPENED: a model file from SAVE, or a safetensors file; an
                               // ambiguous safetensors file (its shapes fit several cells and it does not name its
                               // own) -> CELL_NEEDED, and the page asks again with the person's `cell`
  ATTACH_TEXT: 'attachText',   // { text | bytes, allowOutside? } -> OPENED { ...model, outside, outsideChars }: a
                               // model loaded without a text gets the page's; over Limits.MAX_OUTSIDE_VOCAB of it
                               // outside the model's vocabulary and not allowOutside -> OUTSIDE_VOCAB, unchanged
  TRAIN: 'train',              // { stopAt?, evalEvery?, stopWhenFlat? } -> PROGRESS ... then PAUSED (or DIVERGED).
                               // stopAt: pause at that step (reason 'budget'); evalEvery: validation loss at
                               // multiples of it instead of by time, so runs compared side by side share their x
                               // values; stopWhenFlat: pause when validation stops improving (reason 'memorising')
  PAUSE: 'pause',              // {} -> PAUSED (at the next chunk boundary)
  STOP_AT: 'stopAt',           // { stopAt } no reply: moves the step budget of the run under way (0: none)
  STOP_WHEN_FLAT: 'stopWhenFlat', // { on } no reply: the run under way's stopWhenFlat
  USE_BEST: 'useBest',         // {} -> BEST_USED: back to the best model by validation loss (paused only)
  KEEP_BEST: 'keepBest',       // { bytes, step, bits } -> BEST_KEPT: after a reload, the run's best model file
                               // (kept with the run) is the best again, for USE_BEST and the stop rule
  SAMPLE: 'sample',            // { options } -> SAMPLE_CHUNK ... SAMPLE_DONE
  SET_LR: 'setLr',             // { lr, restore? } -> LR_SET { lr, step }; restore: back to the last good state
  SET_CLIP: 'setClip',         // { mode: 'norm'|'value'|'none', value } -> CLIP_SET { config }: from the next step on
  SAVE: 'save',                // { withBest? } -> FILE { bytes, name, best? }; withBest: the best model's file too
                               // (best: { step, bits, bytes }, saved without the text), for the run's checkpoint
  EXPORT: 'export',            // {} -> FILE (safetensors)
  DEBUG_REJECT: 'debugReject', // { count } test hook: report the next `count` steps as rejected (see worker.js)
  DEBUG_NONFINITE: 'debugNonFinite', // { step } test hook: the engine's update to `step` gets a NaN gradient, once
  DEBUG_MEMORY: 'debugMemory', // {} -> MEMORY: the worker's wasm heap (for the page soak, tests/soak/page_soak.mjs)
  LOOK: 'look',                // { op, args } -> LOOKED: "Look inside" (trace, rank, gradientFlow, ngram; inspect.js)
                               // and the step-through (unroll, unrollUnit, previewUpdate, checkGradients,
                               // inputGradients, clampSample; sections/step/), all listed in inspect_bindings.cpp
  LINK_WEIGHTS: 'linkWeights', // { text } -> LINK_WEIGHTS: the model rounded in place for a share link, its payload
  REPLAY: 'replay',            // { calls, events } -> RESTORING ... REPLAYED: exact-step resume (resume.js), and
                               // a short link's model made again (sections/share/reproduce.js)
  CHECKSUM: 'checksum',        // { evaluate? } -> CHECKSUM: the weights' CRC-32 (engine/worker/weights_checksum.js),
                               // and with evaluate the validation loss too
  // Several workers training one model (engine/helper_workers.js, engine/worker/pool.js):
  HELPER: 'helper',            // { index, port, shareEveryStep? } no reply: a helper worker is reachable on port (a
                               // MessagePort); shareEveryStep (a test hook): share steps of any size
  HELPER_GONE: 'helperGone',   // { index, reason } no reply: the page ended that helper, or it failed
  HELP: 'help',                // { port } to a fresh worker: become a helper of the worker at the port's other end
});

// Worker -> page
export const Rep = Object.freeze({
  READY: 'ready',              // the engine is loaded
  INSPECTED: 'inspected',      // { stats, utf8Problem? }
  CHECKED: 'checked',          // {}
  OPENED: 'opened',            // { stats, parameterCount, config, step, epoch, hasText, evalChars }
  PROGRESS: 'progress',        // { reports: [...], eval?, charsPerSec, step, epoch, best, workers }
                               // workers: how many workers computed the chunk's last step; unshared: helpers are
                               // there but one worker alone measured faster ({ alone, shared } chars/s, either
                               // null until measured; engine/worker/share_choice.js); timing: where a shared
                               // chunk's time went (engine/worker/pool.js: ms summed over its steps)
                               // eval: { step, bitsPerChar, perplexity, chars, spreadOver }; best: { step, bits } | null
  TIMELINE: 'timeline',        // { step, text } a sample taken during training
  PAUSED: 'paused',            // { step, reason: 'request' | 'diverged' | 'error' | 'budget' | 'memorising', eval?, best? }
  DIVERGED: 'diverged',        // { step, lr, count, reason: 'nonfinite'|'exploding', bits, lastGoodStep }: paused
  SAMPLE_CHUNK: 'sampleChunk', // { text } more characters of a sample in progress
  SAMPLE_DONE: 'sampleDone',   // { text, primeUsed, primeSkipped }
  BEST_USED: 'bestUsed',       // { step, epoch, calls, edit, eval, best }: the model is now the best one
  BEST_KEPT: 'bestKept',       // { best }: the best model as the worker now holds it
  WHOLE_SPLIT: 'wholeSplit',   // { step, done, chars, total, bitsPerChar?, perplexity? }: after a pause, the validation
                               // loss over the whole split when training scores a sample of it (done: the figure)
  LR_SET: 'lrSet',             // { lr, step, calls, edit, restored }
  CLIP_SET: 'clipSet',         // { config, calls, edit } the model's configuration with its new clipping
  FILE: 'file',                // { bytes: Uint8Array (transferred), name, type, calls, edits, best? }
  LINK_WEIGHTS: 'linkWeights', // { bytes, step, calls, edit, before, after, crc }: before/after: validation
                               // evaluations; crc: the rounded weights' checksum
  CHECKSUM: 'checksum',        // { crc, step, calls, edits, eval }
  RESTORING: 'restoring',      // { step, done, total } replay progress
  REPLAYED: 'replayed',        // { reports, step, epoch, calls, edits, config }
  LOOKED: 'looked',            // { op, result, step, cell, ms } typed arrays in result are transferred; ms: engine time
  CELL_NEEDED: 'cellNeeded',   // { cells: ['gru', 'lstm_cifg', 'lstm_nfg'] } the cells the file's weights fit alike
  OUTSIDE_VOCAB: 'outsideVocab', // { outside, chars } the text was not attached: too much of it is outside the vocabulary
  MEMORY: 'memory',            // { wasmBytes, emvalHandles } the engine's linear memory, the JS values it holds
  ERROR: 'error',              // { message } the request failed; message is meant for people
  HELPER_LOST: 'helperLost',   // { index, reason } a helper stopped answering; its shards are computed by the others
});

// Between the page's worker (the primary) and its helpers, on their MessagePort (engine/worker/pool.js, helper.js).
// seq pairs a reply with its request.
export const PoolMsg = Object.freeze({
  SYNC: 'sync',        // { seq, bytes } -> SYNCED { seq, ok, step, error? }: load the primary's model file (with text)
  STEP: 'step',        // { seq, step, first, count } -> PIECES { seq, ok, pieces, ms, error? }: begin step `step` and
                       // compute shards first..first+count-1 (their pieces: shard_bindings.hpp) in ms
  APPLY: 'apply',      // { piece } no reply: the step's combined gradient, to take the same optimizer step
  SYNCED: 'synced',
  PIECES: 'pieces',
});

// Limits the page enforces before anything reaches the engine.
export const Limits = Object.freeze({
  MAX_TEXT_BYTES: 10 * 1024 * 1024,   // training text cap (UTF-8 bytes)
  // Larger texts are shown as a read-only preview: Chromium takes about a second of main-thread time to paste
  // 100,000 characters into a textarea, and longer the longer the text (bench/browser/paste.mjs).
  EDITABLE_CHARS: 100_000,
  PREVIEW_CHARS: 20_000,
  MAX_INVALID_FRACTION: 0.01,         // more invalid UTF-8 than this: not a text file
  MAX_SAMPLE_LENGTH: 20_000,
  // A loaded model trains on a new text only when at most this fraction of its characters is outside the model's
  // vocabulary (they are left out of training), unless the person confirms: the CLI's threshold
  // (kMaxOutsideVocab, tools/rnnlab/model_io.hpp; `rnnlab train --resume ... --allow-outside-vocab`).
  MAX_OUTSIDE_VOCAB: 0.01,
});

// The engine's configuration text ("key=value" lines, as replies carry it in `config`) -> { key: value } strings.
export function parseConfigText(text) {
  const out = {};
  for (const line of text.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) out[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return out;
}

export function message(kind, id, gen, fields = {}) {
  return { kind, id, gen, ...fields };
}
