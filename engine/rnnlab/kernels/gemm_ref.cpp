// Scalar reference GEMM (BLAS sgemm semantics) and the reference packing of A. Written for clarity;
// the loops run along contiguous memory where that is free so the tests stay quick.
#include "rnnlab/kernels/kernels.hpp"

#include <algorithm>
#include <cassert>

namespace rnnlab::kernels {

namespace {

// C (M, N) = beta * C, with beta == 0 writing zeros without reading C (BLAS: NaN garbage is ignored).
void scale_c(int M, int N, float beta, float* C, int ldc) {
  for (int j = 0; j < N; ++j) {
    float* c = C + static_cast<long>(j) * ldc;
    for (int i = 0; i < M; ++i) c[i] = beta == 0.0f ? 0.0f : beta * c[i];
  }
}

// The one place where a finished dot product meets C.
inline void update(float* c, float alpha, float sum, float beta) {
  *c = beta == 0.0f ? alpha * sum : alpha * sum + beta * *c;
}

}  // namespace

void f32_gemm_ref(bool trans_a, bool trans_b, int M, int N, int K, float alpha, const float* A, int lda,
                  const float* B, int ldb, float beta, float* C, int ldc) {
  assert(M >= 0 && N >= 0 && K >= 0);
  if (M == 0 || N == 0) return;
  if (K == 0 || alpha == 0.0f) return scale_c(M, N, beta, C, ldc);
  // op(A)(i, k) and op(B)(k, j) as index arithmetic; long: M*lda can pass 2^31 for big hoisted buffers.
  const long as_i = trans_a ? lda : 1, as_k = trans_a ? 1 : lda;  // strides of op(A) along i and k
  const long bs_k = trans_b ? ldb : 1, bs_j = trans_b ? 1 : ldb;  // strides of op(B) along k and j
  std::vector<float> acc(trans_a ? 0 : M);                         // (M) column accumulator, N case
  for (int j = 0; j < N; ++j) {
    const float* b = B + j * bs_j;
    float* c = C + static_cast<long>(j) * ldc;
    if (trans_a) {
      // Rows of op(A) are contiguous: a dot product per element of C.
      for (int i = 0; i < M; ++i) {
        const float* a = A + i * as_i;
        float sum = 0.0f;
        for (int k = 0; k < K; ++k) sum += a[k] * b[k * bs_k];
        update(c + i, alpha, sum, beta);
      }
    } else {
      // Columns of op(A) are contiguous: accumulate column j of op(A) op(B) as a sum of scaled columns.
      std::fill(acc.begin(), acc.end(), 0.0f);
      for (int k = 0; k < K; ++k) {
        const float* a = A + k * as_k;
        const float bk = b[k * bs_k];
        for (int i = 0; i < M; ++i) acc[i] += a[i] * bk;
      }
      for (int i = 0; i < M; ++i) update(c + i, alpha, acc[i], beta);
    }
  }
}

void f32_pack_a_ref(bool trans_a, int M, int K, const float* A, int lda, PackedA& out) {
  const int panels = (M + 7) / 8;
  out.M = M;
  out.K = K;
  out.panels.assign(static_cast<size_t>(panels) * K * 8, 0.0f);
  for (int i = 0; i < M; ++i)
    for (int k = 0; k < K; ++k) {
      const float v = trans_a ? A[k + static_cast<long>(i) * lda] : A[i + static_cast<long>(k) * lda];
      out.panels[(static_cast<size_t>(i / 8) * K + k) * 8 + i % 8] = v;
    }
}

void f32_gemm_packed_ref(const PackedA& A, bool trans_b, int N, float alpha, const float* B, int ldb,
                         float beta, float* C, int ldc) {
  const int M = A.M, K = A.K;
  if (M == 0 || N == 0) return;
  if (K == 0 || alpha == 0.0f) return scale_c(M, N, beta, C, ldc);
  for (int j = 0; j < N; ++j)
    for (int i = 0; i < M; ++i) {
      const float* a = A.panels.data() + static_cast<size_t>(i / 8) * K * 8 + i % 8;  // op(A)(i, 0)
      float sum = 0.0f;
      for (int k = 0; k < K; ++k) {
        const float bkj = trans_b ? B[j + static_cast<long>(k) * ldb] : B[k + static_cast<long>(j) * ldb];
        sum += a[k * 8] * bkj;
      }
      update(C + i + static_cast<long>(j) * ldc, alpha, sum, beta);
    }
}

}  // namespace rnnlab::kernels
