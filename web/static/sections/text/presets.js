// The built-in texts (web/presets/, made by web/make_presets.sh) and the model size that suits each.
// Other settings are left as the person chose them.
export const SIZE_KEYS = ['layers', 'hidden', 'embed', 'unroll', 'batch', 'dropout', 'lr'];
export const PRESETS = {
  hello: { file: 'presets/hello.txt', label: 'Hello',
           size: { layers: '1', hidden: '32', embed: '8', unroll: '16', batch: '8', dropout: '0', lr: '0.01' } },
  prose: { file: 'presets/prose.txt', label: 'Prose', size: {} },
  code: { file: 'presets/code.txt', label: 'Source code', size: {} },
};
