// The built-in texts (web/presets/, made by web/make_presets.sh) and the model size that suits each, applied when a
// person chooses the preset. Other settings are left as the person chose them. Each size keeps the settings panel's
// "too big for this text" warning (more than 10 parameters per training character) from tripping, and reaches its
// best validation loss (then "Stop when validation stops improving" pauses) within about a minute on a laptop.
// Measured with build/native/rnnlab_bench_presets (bench/presets/bench_presets.cpp: the page's evaluation and
// stop rule, validation every 25 steps, every 10 for hello; MODES=presets PEERS=none RUNS=1 bench/run.sh, which
// ./build.sh bench runs too), seed 1, at the page's settings (the form's defaults, B 16, T 64, lr 0.003, then the
// preset's size), on a shared, heavily loaded 2-core machine: steps are the reliable figure, CPU minutes are what
// one core of that machine took natively (the page's WebAssembly is slower than native -march=native):
//   preset  size (layers x hidden, embed, dropout)  params  params/char  best val bits/char  at step  stops at  CPU min
//   hello   1 x 32, 8, 0 (lr 0.01, B 8, T 16)        5,704   3.9           0.814             150       250     0.00
//   prose   2 x 96, 16, 0.3 (chosen)               124,826   5.2           2.287            1275      1675     0.53
//   code    the form's defaults (2 x 128, 32, 0.3) 230,496   1.4           2.125            3650      4750     3.15
//   code    2 x 96, 16, 0.3 (not chosen: worse, later) 129,120 0.8          2.187            7650      9950     4.34
// Earlier prose runs at the engine's own defaults (B 32, lr 0.002, so not the page's settings) compared sizes:
//   prose   2 x 96, 16, 0.3 (chosen)               124,826   5.2           2.390            1100      1450
//   prose   1 x 96, 16, 0 (not chosen: worse)       50,330   2.1           2.495            1000      1300
//   prose   2 x 128, 32, 0.3 (the form's default)  224,378   9.3           2.331             700       925
// The old default learns prose best but sits at 9.3 parameters per character, next to the "too big for this text"
// warning (10); the chosen size has half the parameters for 0.06 bits/char more. The code preset reaches its best
// later than the others (3,650 steps, 3 CPU minutes natively, so several minutes in a browser); a smaller model is
// no quicker (2 x 96 needs twice the steps for a worse loss), so it keeps the form's size.
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
