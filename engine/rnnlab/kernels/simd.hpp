// wasm_simd128 for both builds, plus the vector math the kernels share. Include only from kernel .cpp
// files: in native builds SIMDe's aliases define wasm_* names as macros.
//
// One source, two targets: em++ -msimd128 defines __wasm_simd128__ and we use the real intrinsics.
// Native builds compile the very same code through SIMDe, which maps each wasm op to SSE/AVX (or plain
// C), so the native Catch2 run tests the kernel logic the browser will run.
#pragma once

#if defined(__wasm_simd128__)
#include <wasm_simd128.h>
#elif defined(__EMSCRIPTEN__)
// A wasm build without -msimd128 would silently run SIMDe's scalar emulation: refuse instead.
#error "rnnlab kernels: the wasm build needs -msimd128 (CMake option RNNLAB_WASM_SIMD)"
#else
#ifndef SIMDE_WASM_SIMD128_ENABLE_NATIVE_ALIASES
#define SIMDE_WASM_SIMD128_ENABLE_NATIVE_ALIASES
#endif
#include <simde/wasm/simd128.h>
#endif

// At -Os clang leaves `inline` helpers out of line and every f32x4 op becomes a call (toolchain notes,
// gotcha 11): force inlining of everything in the inner loops.
#define RNNLAB_ALWAYS_INLINE inline __attribute__((always_inline))

namespace rnnlab::kernels::simd {

RNNLAB_ALWAYS_INLINE v128_t splat(float x) { return wasm_f32x4_splat(x); }

// 4x4 transpose of rows r0..r3 in place (used by the packing routines to turn row runs into columns).
RNNLAB_ALWAYS_INLINE void transpose4(v128_t& r0, v128_t& r1, v128_t& r2, v128_t& r3) {
  v128_t t0 = wasm_i32x4_shuffle(r0, r1, 0, 4, 1, 5);  // a0 b0 a1 b1
  v128_t t1 = wasm_i32x4_shuffle(r0, r1, 2, 6, 3, 7);  // a2 b2 a3 b3
  v128_t t2 = wasm_i32x4_shuffle(r2, r3, 0, 4, 1, 5);  // c0 d0 c1 d1
  v128_t t3 = wasm_i32x4_shuffle(r2, r3, 2, 6, 3, 7);  // c2 d2 c3 d3
  r0 = wasm_i32x4_shuffle(t0, t2, 0, 1, 4, 5);         // a0 b0 c0 d0
  r1 = wasm_i32x4_shuffle(t0, t2, 2, 3, 6, 7);
  r2 = wasm_i32x4_shuffle(t1, t3, 0, 1, 4, 5);
  r3 = wasm_i32x4_shuffle(t1, t3, 2, 3, 6, 7);
}

// Sum of the 4 lanes.
RNNLAB_ALWAYS_INLINE float hsum(v128_t v) {
  v128_t s = wasm_f32x4_add(v, wasm_i32x4_shuffle(v, v, 2, 3, 0, 1));
  s = wasm_f32x4_add(s, wasm_i32x4_shuffle(s, s, 1, 0, 3, 2));
  return wasm_f32x4_extract_lane(s, 0);
}

RNNLAB_ALWAYS_INLINE float hmax(v128_t v) {
  v128_t s = wasm_f32x4_pmax(v, wasm_i32x4_shuffle(v, v, 2, 3, 0, 1));
  s = wasm_f32x4_pmax(s, wasm_i32x4_shuffle(s, s, 1, 0, 3, 2));
  return wasm_f32x4_extract_lane(s, 0);
}

// exp(x) without the underflow fix-up, for sigmoid's 1 / (1 + exp(-x)), where both ends saturate
// anyway. Max relative error ~1.5e-7 for x in [-87.33, 88.37];
// x > 88.37 gives +inf (the true overflow is at 88.72), x < -87.33 gives ~1.2e-38 (not 0); NaN -> NaN.
// Method: n = round(x / ln 2), r = x - n ln 2 in [-ln2/2, ln2/2] (Cody-Waite split of ln 2 so n * ln2_hi
// is exact without FMA), exp(r) = 1 + r + r^2 P(r) with P a degree-4 minimax fit (truncation error
// 3e-9), then scale by 2^n built directly in the exponent bits.
RNNLAB_ALWAYS_INLINE v128_t exp_core(v128_t x) {
  // pmin/pmax are single minps/maxps in V8 (min/max need a NaN-fixing sequence); with x as the first
  // operand they return x when x is NaN, so NaN flows through. The clamps keep n in [-126, 128]:
  // n = 128 builds the bit pattern of +inf, which is the overflow result we want.
  v128_t xc = wasm_f32x4_pmax(wasm_f32x4_pmin(x, splat(88.8f)), splat(-87.3365479f));
  // Adding 1.5 * 2^23 rounds x/ln2 to the nearest integer n and leaves n in the low mantissa bits.
  const v128_t shifter = splat(12582912.0f);
  v128_t t = wasm_f32x4_add(wasm_f32x4_mul(xc, splat(1.44269502f)), shifter);
  v128_t n = wasm_f32x4_sub(t, shifter);
  v128_t r = wasm_f32x4_sub(xc, wasm_f32x4_mul(n, splat(0.693359375f)));  // ln2_hi: 9 bits, exact product
  r = wasm_f32x4_sub(r, wasm_f32x4_mul(n, splat(-2.12194440e-4f)));       // ln2_lo = ln 2 - ln2_hi
  v128_t p = splat(0.00138145627f);
  p = wasm_f32x4_add(wasm_f32x4_mul(p, r), splat(0.00836870167f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, r), splat(0.041668389f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, r), splat(0.166665211f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, r), splat(0.49999994f));
  p = wasm_f32x4_add(wasm_f32x4_mul(wasm_f32x4_mul(p, r), r), r);
  p = wasm_f32x4_add(p, splat(1.0f));
  // The low bits of t hold n (two's complement); shifting them into the exponent field and adding the
  // bias gives the bit pattern of 2^n (n = 128: +inf).
  v128_t scale = wasm_i32x4_add(wasm_i32x4_shl(t, 23), wasm_i32x4_splat(127 << 23));
  return wasm_f32x4_mul(p, scale);
}

// exp(x) for softmax: as exp_core, and x < -87.33 (ln FLT_MIN) gives exactly 0 (results that would be
// subnormal are flushed: absolute error < 1.2e-38).
RNNLAB_ALWAYS_INLINE v128_t exp(v128_t x) {
  return wasm_v128_andnot(exp_core(x), wasm_f32x4_lt(x, splat(-87.3365479f)));
}

// sigmoid(x) = 1 / (1 + exp(-x)): relative accuracy holds in the small tail (no 0.5 - 0.5 cancellation
// as in 0.5 + 0.5 tanh(x/2)), and the ends come out exact: exp(-x) = inf -> 0, exp(-x) ~ 1e-38 -> 1.
RNNLAB_ALWAYS_INLINE v128_t sigmoid(v128_t x) {
  const v128_t one = splat(1.0f);
  return wasm_f32x4_div(one, wasm_f32x4_add(one, exp_core(wasm_f32x4_neg(x))));
}

// tanh(x) = x P(x^2) / Q(x^2), P and Q degree 4 with P(0) = Q(0) = 1, fitted for relative error on
// |x| <= 9.1 (fit error 2.4e-8; evaluated in float with rounded coefficients ~3.3e-7). No cancellation
// near 0, and P(0) = Q(0) = 1 keep tanh(x) = x exactly for |x| < ~1e-4 (subnormals, -0 included).
// |x| > 9.02 returns exactly +-1: from there on the true tanh rounds to 1 in float. NaN passes the
// pmin/pmax clamp and fails the comparison, so NaN -> NaN.
RNNLAB_ALWAYS_INLINE v128_t tanh(v128_t x) {
  const v128_t xc = wasm_f32x4_pmax(wasm_f32x4_pmin(x, splat(9.1f)), splat(-9.1f));
  const v128_t u = wasm_f32x4_mul(xc, xc);
  v128_t p = splat(1.32454794e-08f);
  p = wasm_f32x4_add(wasm_f32x4_mul(p, u), splat(2.05360757e-05f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, u), splat(0.00349141471f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, u), splat(0.133776054f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, u), splat(1.0f));
  v128_t q = splat(7.73356419e-07f);
  q = wasm_f32x4_add(wasm_f32x4_mul(q, u), splat(0.000327862159f));
  q = wasm_f32x4_add(wasm_f32x4_mul(q, u), splat(0.0258613899f));
  q = wasm_f32x4_add(wasm_f32x4_mul(q, u), splat(0.467109263f));
  q = wasm_f32x4_add(wasm_f32x4_mul(q, u), splat(1.0f));
  const v128_t y = wasm_f32x4_div(wasm_f32x4_mul(xc, p), q);
  const v128_t sign = splat(-0.0f);
  const v128_t one_signed = wasm_v128_or(splat(1.0f), wasm_v128_and(x, sign));
  return wasm_v128_bitselect(one_signed, y, wasm_f32x4_gt(wasm_v128_andnot(x, sign), splat(9.02f)));
}

// Loads/stores of the first `count` (0..4) floats, for the ragged end of a row or column. Going through
// a 4-float buffer keeps the tail on exactly the same vector math as the body.
RNNLAB_ALWAYS_INLINE v128_t load_partial(const float* p, int count) {
  alignas(16) float buf[4] = {0.0f, 0.0f, 0.0f, 0.0f};
  for (int i = 0; i < count; ++i) buf[i] = p[i];
  return wasm_v128_load(buf);
}
RNNLAB_ALWAYS_INLINE void store_partial(float* p, v128_t v, int count) {
  alignas(16) float buf[4];
  wasm_v128_store(buf, v);
  for (int i = 0; i < count; ++i) p[i] = buf[i];
}

}  // namespace rnnlab::kernels::simd
