// wasm_simd128 cell nonlinearities: 4 hidden units of one stream per vector. Each formula is written in
// the same operation order as pointwise_ref.cpp, so the backward kernels (no transcendental functions)
// agree with their twins to rounding, and the forward ones differ only by simd::sigmoid / simd::tanh.
#include "rnnlab/kernels/kernels.hpp"
#include "rnnlab/kernels/simd.hpp"

namespace rnnlab::kernels {

using namespace simd;

namespace {

// A lane count that is known at compile time to be a whole vector; the ragged end of a column passes an
// int instead and goes through the zero-padded buffer loads (same math, so tail and body agree).
struct Full {};
RNNLAB_ALWAYS_INLINE v128_t ld(const float* p, Full) { return wasm_v128_load(p); }
RNNLAB_ALWAYS_INLINE v128_t ld(const float* p, int n) { return load_partial(p, n); }
RNNLAB_ALWAYS_INLINE void st(float* p, v128_t v, Full) { wasm_v128_store(p, v); }
RNNLAB_ALWAYS_INLINE void st(float* p, v128_t v, int n) { store_partial(p, v, n); }

// body(j, lanes) for j = 0, 4, 8, ... < H; the last call gets the int remainder when H % 4 != 0.
template <typename Body>
RNNLAB_ALWAYS_INLINE void over_lanes(int H, Body&& body) {
  int j = 0;
  for (; j + 4 <= H; j += 4) body(j, Full{});
  if (j < H) body(j, H - j);
}

RNNLAB_ALWAYS_INLINE v128_t add(v128_t a, v128_t b) { return wasm_f32x4_add(a, b); }
RNNLAB_ALWAYS_INLINE v128_t sub(v128_t a, v128_t b) { return wasm_f32x4_sub(a, b); }
RNNLAB_ALWAYS_INLINE v128_t mul(v128_t a, v128_t b) { return wasm_f32x4_mul(a, b); }
RNNLAB_ALWAYS_INLINE v128_t one_minus(v128_t a) { return wasm_f32x4_sub(splat(1.0f), a); }

}  // namespace

void lstm_pointwise_forward_simd128(int H, int B, float* gates, const float* c_prev, float* c,
                                    float* tanh_c, float* h) {
  for (int b = 0; b < B; ++b) {
    float* g = gates + static_cast<long>(b) * 4 * H;  // [i, f, g, o] blocks of H for stream b
    const long o = static_cast<long>(b) * H;         // offset of stream b in the (H, B) buffers
    over_lanes(H, [&](int j, auto n) {
      const v128_t i_ = sigmoid(ld(g + j, n)), f_ = sigmoid(ld(g + H + j, n));
      const v128_t g_ = simd::tanh(ld(g + 2 * H + j, n)), o_ = sigmoid(ld(g + 3 * H + j, n));
      st(g + j, i_, n);
      st(g + H + j, f_, n);
      st(g + 2 * H + j, g_, n);
      st(g + 3 * H + j, o_, n);
      const v128_t cj = add(mul(f_, ld(c_prev + o + j, n)), mul(i_, g_));
      const v128_t tc = simd::tanh(cj);
      st(c + o + j, cj, n);
      st(tanh_c + o + j, tc, n);
      st(h + o + j, mul(o_, tc), n);
    });
  }
}

void lstm_pointwise_backward_simd128(int H, int B, const float* gates, const float* c_prev,
                                     const float* tanh_c, const float* dh, float* dc, float* dgates) {
  for (int b = 0; b < B; ++b) {
    const float* g = gates + static_cast<long>(b) * 4 * H;
    float* dg = dgates + static_cast<long>(b) * 4 * H;
    const long o = static_cast<long>(b) * H;
    over_lanes(H, [&](int j, auto n) {
      const v128_t i_ = ld(g + j, n), f_ = ld(g + H + j, n), g_ = ld(g + 2 * H + j, n), o_ = ld(g + 3 * H + j, n);
      const v128_t tc = ld(tanh_c + o + j, n), dhj = ld(dh + o + j, n);
      const v128_t dct = add(ld(dc + o + j, n), mul(mul(dhj, o_), one_minus(mul(tc, tc))));  // total dL/dc_t
      st(dg + j, mul(mul(mul(dct, g_), i_), one_minus(i_)), n);
      st(dg + H + j, mul(mul(mul(dct, ld(c_prev + o + j, n)), f_), one_minus(f_)), n);
      st(dg + 2 * H + j, mul(mul(dct, i_), one_minus(mul(g_, g_))), n);
      st(dg + 3 * H + j, mul(mul(mul(dhj, tc), o_), one_minus(o_)), n);
      st(dc + o + j, mul(dct, f_), n);
    });
  }
}

void gru_pointwise_forward_simd128(int H, int B, const float* xg, const float* hg, const float* h_prev,
                                   float* act, float* h) {
  for (int b = 0; b < B; ++b) {
    const long gb = static_cast<long>(b) * 3 * H, o = static_cast<long>(b) * H;
    const float *x = xg + gb, *hh = hg + gb;
    float* a = act + gb;
    over_lanes(H, [&](int j, auto n) {
      const v128_t r = sigmoid(add(ld(x + j, n), ld(hh + j, n)));
      const v128_t z = sigmoid(add(ld(x + H + j, n), ld(hh + H + j, n)));
      const v128_t nn = simd::tanh(add(ld(x + 2 * H + j, n), mul(r, ld(hh + 2 * H + j, n))));
      st(a + j, r, n);
      st(a + H + j, z, n);
      st(a + 2 * H + j, nn, n);
      st(h + o + j, add(nn, mul(z, sub(ld(h_prev + o + j, n), nn))), n);  // (1 - z) n + z h_prev
    });
  }
}

void gru_pointwise_backward_simd128(int H, int B, const float* act, const float* hg, const float* h_prev,
                                    const float* dh, float* dxg, float* dhg, float* dh_prev_partial) {
  for (int b = 0; b < B; ++b) {
    const long gb = static_cast<long>(b) * 3 * H, o = static_cast<long>(b) * H;
    const float *a = act + gb, *hh = hg + gb;
    float *dx = dxg + gb, *dhh = dhg + gb;
    over_lanes(H, [&](int j, auto n) {
      const v128_t r = ld(a + j, n), z = ld(a + H + j, n), nn = ld(a + 2 * H + j, n);
      const v128_t dhj = ld(dh + o + j, n);
      const v128_t dn = mul(mul(dhj, one_minus(z)), one_minus(mul(nn, nn)));
      const v128_t dz = mul(mul(mul(dhj, sub(ld(h_prev + o + j, n), nn)), z), one_minus(z));
      const v128_t dr = mul(mul(mul(dn, ld(hh + 2 * H + j, n)), r), one_minus(r));
      st(dx + j, dr, n);
      st(dx + H + j, dz, n);
      st(dx + 2 * H + j, dn, n);
      st(dhh + j, dr, n);
      st(dhh + H + j, dz, n);
      st(dhh + 2 * H + j, mul(dn, r), n);
      st(dh_prev_partial + o + j, mul(dhj, z), n);
    });
  }
}

void tanh_forward_simd128(int n, float* x) {
  over_lanes(n, [&](int j, auto k) { st(x + j, simd::tanh(ld(x + j, k)), k); });
}

void tanh_backward_simd128(int n, const float* y, const float* dy, float* dx) {
  over_lanes(n, [&](int j, auto k) {
    const v128_t yj = ld(y + j, k);
    st(dx + j, mul(ld(dy + j, k), one_minus(mul(yj, yj))), k);
  });
}

}  // namespace rnnlab::kernels
