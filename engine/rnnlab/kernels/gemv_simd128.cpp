// GEMV (N == 1) for f32_gemm_simd128: sampling runs the recurrent product one column at a time, and there
// every element of A is touched once, so the kernels stream A straight from memory instead of packing it.
#include "rnnlab/kernels/gemm_simd128_detail.hpp"

namespace rnnlab::kernels::detail {

using namespace simd;

namespace {

// y[0..4) = alpha * s + beta * y  (beta == 0 does not read y).
RNNLAB_ALWAYS_INLINE void finish4(v128_t s, float alpha, float beta, float* y) {
  s = wasm_f32x4_mul(s, splat(alpha));
  if (beta != 0.0f) s = wasm_f32x4_add(s, wasm_f32x4_mul(wasm_v128_load(y), splat(beta)));
  wasm_v128_store(y, s);
}

RNNLAB_ALWAYS_INLINE void finish1(float s, float alpha, float beta, float* y) {
  *y = beta == 0.0f ? alpha * s : alpha * s + beta * *y;
}

// Lane sums of four accumulators as one vector: [sum(a0), sum(a1), sum(a2), sum(a3)].
RNNLAB_ALWAYS_INLINE v128_t reduce4(v128_t a0, v128_t a1, v128_t a2, v128_t a3) {
  transpose4(a0, a1, a2, a3);
  return wasm_f32x4_add(wasm_f32x4_add(a0, a1), wasm_f32x4_add(a2, a3));
}

}  // namespace

void gemv_t(int M, int K, float alpha, const float* A, long lda, const float* x, float beta, float* y) {
  const int K4 = K & ~3;
  int i = 0;
  // 8 rows at a time: each x vector is loaded once for 8 dot products (8 independent accumulators).
  for (; i + 8 <= M; i += 8) {
    const float* a = A + i * lda;  // row i of op(A) = column i of A, contiguous in k
    v128_t s[8];
    for (int r = 0; r < 8; ++r) s[r] = splat(0.0f);
    for (int k = 0; k < K4; k += 4) {
      const v128_t xv = wasm_v128_load(x + k);
      for (int r = 0; r < 8; ++r) s[r] = wasm_f32x4_add(s[r], wasm_f32x4_mul(wasm_v128_load(a + r * lda + k), xv));
    }
    v128_t lo = reduce4(s[0], s[1], s[2], s[3]), hi = reduce4(s[4], s[5], s[6], s[7]);
    if (K4 < K) {  // ragged end of k: same vector path on a zero-padded load
      alignas(16) float t[8];
      for (int r = 0; r < 8; ++r) t[r] = 0.0f;
      for (int r = 0; r < 8; ++r)
        for (int k = K4; k < K; ++k) t[r] += a[r * lda + k] * x[k];
      lo = wasm_f32x4_add(lo, wasm_v128_load(t));
      hi = wasm_f32x4_add(hi, wasm_v128_load(t + 4));
    }
    finish4(lo, alpha, beta, y + i);
    finish4(hi, alpha, beta, y + i + 4);
  }
  // The last M % 8 rows one by one (at most 7, latency does not matter here).
  for (; i < M; ++i) {
    const float* a = A + i * lda;
    v128_t s = splat(0.0f);
    for (int k = 0; k < K4; k += 4) s = wasm_f32x4_add(s, wasm_f32x4_mul(wasm_v128_load(a + k), wasm_v128_load(x + k)));
    float t = hsum(s);
    for (int k = K4; k < K; ++k) t += a[k] * x[k];
    finish1(t, alpha, beta, y + i);
  }
}

void gemv_n(int M, int K, float alpha, const float* A, long lda, const float* x, float beta, float* y) {
  int i = 0;
  // 32 rows at a time: 8 accumulators, one splat of x_k feeds 8 multiply-adds.
  for (; i + 32 <= M; i += 32) {
    v128_t s[8];
    for (int r = 0; r < 8; ++r) s[r] = splat(0.0f);
    const float* a = A + i;
    for (int k = 0; k < K; ++k, a += lda) {
      const v128_t xk = wasm_v128_load32_splat(x + k);
      for (int r = 0; r < 8; ++r) s[r] = wasm_f32x4_add(s[r], wasm_f32x4_mul(wasm_v128_load(a + 4 * r), xk));
    }
    for (int r = 0; r < 8; ++r) finish4(s[r], alpha, beta, y + i + 4 * r);
  }
  // 4 rows at a time, 4 k phases.
  for (; i + 4 <= M; i += 4) {
    v128_t s[4];
    for (int u = 0; u < 4; ++u) s[u] = splat(0.0f);
    const float* a = A + i;
    int k = 0;
    for (; k + 4 <= K; k += 4, a += 4 * lda)
      for (int u = 0; u < 4; ++u)
        s[u] = wasm_f32x4_add(s[u], wasm_f32x4_mul(wasm_v128_load(a + u * lda), wasm_v128_load32_splat(x + k + u)));
    for (; k < K; ++k, a += lda)
      s[0] = wasm_f32x4_add(s[0], wasm_f32x4_mul(wasm_v128_load(a), wasm_v128_load32_splat(x + k)));
    finish4(wasm_f32x4_add(wasm_f32x4_add(s[0], s[1]), wasm_f32x4_add(s[2], s[3])), alpha, beta, y + i);
  }
  for (; i < M; ++i) {
    float t = 0.0f;
    for (int k = 0; k < K; ++k) t += A[i + k * lda] * x[k];
    finish1(t, alpha, beta, y + i);
  }
}

}  // namespace rnnlab::kernels::detail
