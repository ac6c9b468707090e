// wasm_simd128 softmax + cross-entropy, three passes over each column (V floats, usually a few hundred,
// so the column stays in L1): max, exp(x - max) written to dlogits while summing, then the scale.
#include "rnnlab/kernels/kernels.hpp"
#include "rnnlab/kernels/simd.hpp"

#include <cassert>
#include <cmath>

namespace rnnlab::kernels {

using namespace simd;

double softmax_xent_simd128(int V, int N, const float* logits, int ld, const int32_t* targets, float scale,
                            float* dlogits, int ld_d) {
  const int V4 = V & ~3;
  const int rem = V - V4;
  double loss = 0.0;
  for (int n = 0; n < N; ++n) {
    const float* x = logits + static_cast<long>(n) * ld;  // column n (V)
    float* d = dlogits + static_cast<long>(n) * ld_d;     // may be the same memory as x
    const int t = targets[n];
    assert(t >= 0 && t < V);
    const float xt = x[t];  // read before d overwrites it

    // Pass 1: column max. Lanes of the ragged end that do not exist are padded with x[0], a real value.
    v128_t vm = splat(x[0]);
    for (int v = 0; v < V4; v += 4) vm = wasm_f32x4_pmax(vm, wasm_v128_load(x + v));
    for (int v = V4; v < V; ++v) vm = wasm_f32x4_pmax(vm, splat(x[v]));
    const float m = hmax(vm);
    const v128_t vmax = splat(m);

    // Pass 2: e = exp(x - max) in (0, 1], so the sum is in [1, V]: no overflow for any finite logits.
    v128_t vs = splat(0.0f);
    for (int v = 0; v < V4; v += 4) {
      const v128_t e = simd::exp(wasm_f32x4_sub(wasm_v128_load(x + v), vmax));
      wasm_v128_store(d + v, e);
      vs = wasm_f32x4_add(vs, e);
    }
    if (rem) {
      // Padded lanes hold the max itself -> exp(0) = 1; mask them out of the sum.
      alignas(16) float buf[4] = {m, m, m, m};
      for (int i = 0; i < rem; ++i) buf[i] = x[V4 + i];
      const v128_t e = simd::exp(wasm_f32x4_sub(wasm_v128_load(buf), vmax));
      alignas(16) const int32_t keep_bits[4] = {-(rem > 0), -(rem > 1), -(rem > 2), 0};
      vs = wasm_f32x4_add(vs, wasm_v128_and(e, wasm_v128_load(keep_bits)));
      store_partial(d + V4, e, rem);
    }
    const float sum = hsum(vs);

    // Pass 3: d = e * (scale / sum), then the one-hot term at the target.
    const float k = scale / sum;
    const v128_t vk = splat(k);
    for (int v = 0; v < V4; v += 4) wasm_v128_store(d + v, wasm_f32x4_mul(wasm_v128_load(d + v), vk));
    for (int v = V4; v < V; ++v) d[v] *= k;
    d[t] -= scale;

    loss += std::log(static_cast<double>(sum)) - (static_cast<double>(xt) - m);
  }
  return loss;
}

}  // namespace rnnlab::kernels
