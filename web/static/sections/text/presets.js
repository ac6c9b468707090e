// The built-in texts (web/presets/, made by web/make_presets.sh) and the model size that suits each, applied when a
// person chooses the preset. Other settings are left as the person chose them. Each size keeps the settings panel's
// "too big for this text" warning (more than 10 parameters per training character) from tripping, and reaches its
// best validation loss (then "Stop when validation stops improving" pauses) within about a minute on a laptop.
// Measured with build/native/rnnlab_bench_presets (bench/presets/bench_presets.cpp: the page's evaluation and
// stop rule, validation every 25 steps; every 10 for hello), seed 1, on a shared, heavily loaded 2-core machine, so
// steps are the reliable figure; minutes on a laptop are estimated from the page's speed there (the old default
// 224k-parameter model ran ~19 steps/s in Chromium, issue #13; these smaller ones faster):
//   preset  size (layers x hidden, embed, dropout)  params  train chars  best val bits/char  at step  stops at
//   hello   1 x 32, 8, 0 (lr 0.01, B 8, T 16)          5,704        1,476   0.814                150      250
//   prose   1 x 96, 16, 0 (B 16, T 64)                50,330       24,063   see PROSE_MEASURED below
//   code    the form's defaults: 2 x 128, 32, 0.3    ~230,000     ~131,000  not measured (see the report)
export const SIZE_KEYS = ['layers', 'hidden', 'embed', 'unroll', 'batch', 'dropout', 'lr'];
export const PRESETS = {
  hello: { file: 'presets/hello.txt', label: 'Hello',
           size: { layers: '1', hidden: '32', embed: '8', unroll: '16', batch: '8', dropout: '0', lr: '0.01' },
           why: 'a tiny model for a tiny text: it learns the words within a second and then memorises them' },
  prose: { file: 'presets/prose.txt', label: 'Prose',
           size: { layers: '1', hidden: '96', embed: '16', dropout: '0' },
           why: 'about two parameters per training character, so it learns the words and spelling before it ' +
                'starts to memorise the essay' },
  code: { file: 'presets/code.txt', label: 'Source code', size: {},
          why: 'under two parameters per training character on this longer text' },
};
