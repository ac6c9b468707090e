// The built-in texts (web/presets/, made by web/make_presets.sh) and the model size that suits each, applied when a
// person chooses the preset. Other settings are left as the person chose them. Each size keeps the settings panel's
// "too big for this text" warning (more than 10 parameters per training character) from tripping, and reaches its
// best validation loss (then "Stop when validation stops improving" pauses) within about a minute on a laptop.
// Measured with build/native/rnnlab_bench_presets (bench/presets/bench_presets.cpp: the page's evaluation and
// stop rule, validation every 25 steps, every 10 for hello; MODES=presets ./build.sh bench), seed 1, on a shared,
// heavily loaded 2-core machine, so steps are the reliable figure. Minutes on a laptop are estimates from the page's
// speed there (the old 224k-parameter default ran ~19 steps/s in Chromium, issue #13; cost per step scales with
// the parameters outside the embedding):
//   preset  size (layers x hidden, embed, dropout)  params  params/char  best val bits/char  at step  stops at  laptop
//   hello   1 x 32, 8, 0 (lr 0.01, B 8, T 16)        5,704   3.9           0.814             150       250      < 1 s
//   prose   2 x 96, 16, 0.3 (chosen)               124,826   5.2           2.390            1100      1450     ~35 s
//   prose   1 x 96, 16, 0 (not chosen: worse)       50,330   2.1           2.495            1000      1300     ~15 s
//   prose   2 x 128, 32, 0.3 (the form's default)  224,378   9.3           2.331             700       925     ~40 s
//   code    the form's defaults (2 x 128, 32, 0.3) ~230,000  1.8           not measured (no CPU time left)
// The old default learns prose best but sits at 9.3 parameters per character, next to the "too big for this text"
// warning (10); the chosen size has half the parameters for 0.06 bits/char more.
export const SIZE_KEYS = ['layers', 'hidden', 'embed', 'unroll', 'batch', 'dropout', 'lr'];
export const PRESETS = {
  hello: { file: 'presets/hello.txt', label: 'Hello',
           size: { layers: '1', hidden: '32', embed: '8', unroll: '16', batch: '8', dropout: '0', lr: '0.01' },
           why: 'a tiny model for a tiny text: it learns the words within a second and then memorises them' },
  prose: { file: 'presets/prose.txt', label: 'Prose',
           size: { layers: '2', hidden: '96', embed: '16', dropout: '0.3' },
           why: 'about five parameters per training character, with dropout between the layers, so it learns words ' +
                'and spelling for a minute before it starts to memorise the essay' },
  code: { file: 'presets/code.txt', label: 'Source code', size: {},
          why: 'under two parameters per training character on this longer text' },
};
