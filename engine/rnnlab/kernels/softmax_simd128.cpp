// wasm_simd128 softmax + cross-entropy, three passes over each column (V floats, usually a few hundred,
// so the column stays in L1): max, exp(x - max) written to dlogits while summing, then the scale.
// Per-column overheads matter at small V (65 for tinyshakespeare), hence two tricks:
//   - the ragged end (V % 4 values) is one full vector ending at x[V-1], overlapping the body, computed
//     before the body overwrites anything (dlogits may alias logits) and masked out of the sum;
//   - the loss takes one log per call, not per column: sum_n log(s_n) = log(prod_n s_n), the product kept
//     in double with its exponent split off every 32 columns (s_n is in [1, V] and V < 2^31, so 32
//     factors stay below 2^992).
#include "rnnlab/kernels/kernels.hpp"
#include "rnnlab/kernels/simd.hpp"

#include <cassert>
#include <cmath>

namespace rnnlab::kernels {

using namespace simd;

double softmax_xent_simd128(int V, int N, const float* logits, int ld, const int32_t* targets, float scale,
                            float* dlogits, int ld_d) {
  const int V4 = V & ~3;    // body: whole vectors from x[0]
  const int rem = V - V4;   // ragged end
  // Lanes of the overlapping tail vector x[V-4 .. V) that belong to the ragged end (the last rem).
  alignas(16) const int32_t tail_bits[4] = {-(rem >= 4), -(rem >= 3), -(rem >= 2), -(rem >= 1)};
  const v128_t tail_mask = wasm_v128_load(tail_bits);
  double shifted_target_sum = 0.0;  // sum_n (x_t - max)
  double prod = 1.0;                // prod_n s_n * 2^-prod_exp
  int prod_exp = 0;
  for (int n = 0; n < N; ++n) {
    const float* x = logits + static_cast<long>(n) * ld;  // column n (V)
    float* d = dlogits + static_cast<long>(n) * ld_d;     // may be the same memory as x
    const int t = targets[n];
    assert(t >= 0 && t < V);
    const float xt = x[t];  // read before d overwrites it

    // Pass 1: column max. The tail vector re-reads up to 3 body values, harmless for a max; V < 4
    // pads with x[0], a real value.
    v128_t vm;
    if (V >= 4) {
      vm = wasm_v128_load(x + V - 4);
    } else {
      alignas(16) float buf[4] = {x[0], x[0], x[0], x[0]};
      for (int v = 1; v < V; ++v) buf[v] = x[v];
      vm = wasm_v128_load(buf);
    }
    for (int v = 0; v < V4; v += 4) vm = wasm_f32x4_pmax(vm, wasm_v128_load(x + v));
    const float m = hmax(vm);
    const v128_t vmax = splat(m);

    // Pass 2: e = exp(x - max) in (0, 1], so the sum is in [1, V]: no overflow for any finite logits.
    v128_t vs = splat(0.0f);
    if (V >= 4) {
      // The tail first, while x[V-4 .. V) still holds logits; its body lanes are recomputed below from
      // the same values (same results), its own lanes are stored after the body.
      const v128_t et = rem ? exp(wasm_f32x4_sub(wasm_v128_load(x + V - 4), vmax)) : vs;
      for (int v = 0; v < V4; v += 4) {
        const v128_t e = exp(wasm_f32x4_sub(wasm_v128_load(x + v), vmax));
        wasm_v128_store(d + v, e);
        vs = wasm_f32x4_add(vs, e);
      }
      if (rem) {
        wasm_v128_store(d + V - 4, et);
        vs = wasm_f32x4_add(vs, wasm_v128_and(et, tail_mask));
      }
    } else {
      // V < 4: one zero-padded vector; padded lanes hold exp(0 - max), masked out.
      alignas(16) const int32_t keep_bits[4] = {-1, -(V > 1), -(V > 2), 0};
      const v128_t e = exp(wasm_f32x4_sub(load_partial(x, V), vmax));
      store_partial(d, e, V);
      vs = wasm_v128_and(e, wasm_v128_load(keep_bits));
    }
    const float sum = hsum(vs);

    // Pass 3: d = e * (scale / sum), then the one-hot term at the target.
    const float k = scale / sum;
    const v128_t vk = splat(k);
    for (int v = 0; v < V4; v += 4) wasm_v128_store(d + v, wasm_f32x4_mul(wasm_v128_load(d + v), vk));
    for (int v = V4; v < V; ++v) d[v] *= k;
    d[t] -= scale;

    // -log softmax[t] = log(sum) - (x_t - max), from the logits rather than a rounded probability.
    shifted_target_sum += static_cast<double>(xt) - m;
    prod *= sum;
    if ((n & 31) == 31) {
      int e;
      prod = std::frexp(prod, &e);
      prod_exp += e;
    }
  }
  return std::log(prod) + prod_exp * 0.69314718055994530942 - shifted_target_sum;
}

// Sampling draws one character per network step, so this runs once per character over V (~65) logits: the
// double-precision std::exp it replaces cost about as much as the head's matrix product in wasm.
void f32_softmax_weights_simd128(int n, const float* x, float top, float inv_t, float* out) {
  const v128_t vtop = splat(top), vinv = splat(inv_t);
  int v = 0;
  for (; v + 4 <= n; v += 4)
    wasm_v128_store(out + v, exp(wasm_f32x4_mul(wasm_f32x4_sub(wasm_v128_load(x + v), vtop), vinv)));
  if (v < n) store_partial(out + v, exp(wasm_f32x4_mul(wasm_f32x4_sub(load_partial(x + v, n - v), vtop), vinv)), n - v);
}

}  // namespace rnnlab::kernels
