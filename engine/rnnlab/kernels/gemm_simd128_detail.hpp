// Internals of the simd128 GEMM shared by gemm_simd128.cpp and gemv_simd128.cpp: the 8xNR micro-kernel
// and the GEMV entry points. Not part of the kernel API.
#pragma once
#include "rnnlab/kernels/simd.hpp"

namespace rnnlab::kernels::detail {

constexpr int MR = 8;  // rows of a C tile = 2 f32x4
constexpr int NR = 4;  // columns of a C tile

// C tile (mr <= 8, NRr <= 4) = alpha * Apanel (8, kc) * Bpanel (kc, NRr) + beta * C.
//   a: packed A panel, a[k * 8 + r];  b: packed B panel, b[k * 4 + c] (stride 4 even when NRr < 4)
// NRr < 4 serves the ragged right edge (and small N) without multiplying padding. With only 2 or 4
// accumulators the k loop would wait on the f32x4.add latency, so narrow tiles keep U = 4 / NRr
// independent partial sums (k phases) and add them at the end.
template <int NRr>
inline void tile(int kc, const float* a, const float* b, int mr, float* C, long ldc, float alpha, float beta) {
  constexpr int U = NRr >= 3 ? 1 : 4 / NRr;
  v128_t lo[U][NRr], hi[U][NRr];  // rows 0-3 and 4-7 of each column, per k phase
  for (int u = 0; u < U; ++u)
    for (int j = 0; j < NRr; ++j) lo[u][j] = hi[u][j] = wasm_f32x4_splat(0.0f);
  int k = 0;
  for (; k + U <= kc; k += U, a += U * MR, b += U * NR) {
    for (int u = 0; u < U; ++u) {
      const v128_t a0 = wasm_v128_load(a + u * MR), a1 = wasm_v128_load(a + u * MR + 4);
      for (int j = 0; j < NRr; ++j) {
        const v128_t bj = wasm_v128_load32_splat(b + u * NR + j);
        lo[u][j] = wasm_f32x4_add(lo[u][j], wasm_f32x4_mul(a0, bj));
        hi[u][j] = wasm_f32x4_add(hi[u][j], wasm_f32x4_mul(a1, bj));
      }
    }
  }
  if constexpr (U > 1) {
    for (; k < kc; ++k, a += MR, b += NR) {
      const v128_t a0 = wasm_v128_load(a), a1 = wasm_v128_load(a + 4);
      for (int j = 0; j < NRr; ++j) {
        const v128_t bj = wasm_v128_load32_splat(b + j);
        lo[0][j] = wasm_f32x4_add(lo[0][j], wasm_f32x4_mul(a0, bj));
        hi[0][j] = wasm_f32x4_add(hi[0][j], wasm_f32x4_mul(a1, bj));
      }
    }
    for (int u = 1; u < U; ++u)
      for (int j = 0; j < NRr; ++j) {
        lo[0][j] = wasm_f32x4_add(lo[0][j], lo[u][j]);
        hi[0][j] = wasm_f32x4_add(hi[0][j], hi[u][j]);
      }
  }
  const v128_t va = wasm_f32x4_splat(alpha), vb = wasm_f32x4_splat(beta);
  if (mr == MR) {
    for (int j = 0; j < NRr; ++j) {
      float* c = C + j * ldc;
      v128_t v0 = wasm_f32x4_mul(lo[0][j], va), v1 = wasm_f32x4_mul(hi[0][j], va);
      if (beta != 0.0f) {  // beta == 0 must not read C (it may hold NaN garbage)
        v0 = wasm_f32x4_add(v0, wasm_f32x4_mul(wasm_v128_load(c), vb));
        v1 = wasm_f32x4_add(v1, wasm_f32x4_mul(wasm_v128_load(c + 4), vb));
      }
      wasm_v128_store(c, v0);
      wasm_v128_store(c + 4, v1);
    }
  } else {
    // Bottom edge: finish the tile in a buffer and copy out the mr valid rows.
    alignas(16) float buf[NRr * MR];
    for (int j = 0; j < NRr; ++j) {
      wasm_v128_store(buf + j * MR, wasm_f32x4_mul(lo[0][j], va));
      wasm_v128_store(buf + j * MR + 4, wasm_f32x4_mul(hi[0][j], va));
    }
    for (int j = 0; j < NRr; ++j) {
      float* c = C + j * ldc;
      for (int r = 0; r < mr; ++r) c[r] = beta == 0.0f ? buf[j * MR + r] : buf[j * MR + r] + beta * c[r];
    }
  }
}

// y (M) = alpha * op(A) x + beta * y, x contiguous (K). beta == 0 does not read y.
//   gemv_t: op(A) = A^T, A stored (K, M): each y_i is a dot product with a contiguous column of A.
//   gemv_n: op(A) = A,   A stored (M, K): y is a sum of K scaled contiguous columns.
void gemv_t(int M, int K, float alpha, const float* A, long lda, const float* x, float beta, float* y);
void gemv_n(int M, int K, float alpha, const float* A, long lda, const float* x, float beta, float* y);

}  // namespace rnnlab::kernels::detail
