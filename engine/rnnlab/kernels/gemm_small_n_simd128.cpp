// Small N (2 .. kSmallNT / kSmallNN columns, see gemm_simd128_detail.hpp) for f32_gemm_simd128, without
// packing A. With a few columns every element of A is used only a few times, so the GotoBLAS path would
// spend much of its time packing A (a transposing copy of all of A for the model's W . X). These kernels
// read A in place, once per group of up to 4 columns.
//   small_n_t: op(A) = A^T (A stored (K, M)): rows of op(A) are contiguous, so each C element is a dot
//              product; one row at a time against all NRr columns (see dot_row).
//   small_n_n: op(A) = A (A stored (M, K)): columns of op(A) are contiguous, so C columns are sums of
//              scaled A columns; 4*RV rows x NRr columns of C stay in registers across k.
// op(B) arrives as NRr contiguous columns (K each, leading dimension ldb); the caller gathers it when
// trans_b is set.
#include "rnnlab/kernels/gemm_simd128_detail.hpp"

namespace rnnlab::kernels::detail {

using namespace simd;

namespace {

RNNLAB_ALWAYS_INLINE void finish1(float s, float alpha, float beta, float* c) {
  *c = beta == 0.0f ? alpha * s : alpha * s + beta * *c;
}

// C(0, j) for j < NRr: dot products of one row of op(A) (contiguous, K) with NRr columns of B, so A is
// read as one sequential stream when lda == K (the model's weights). U independent k phases keep 6-8
// accumulators in flight against the add latency.
template <int NRr>
RNNLAB_ALWAYS_INLINE void dot_row(int K, const float* a, const float* b, long ldb, float alpha, float beta, float* c,
                                  long ldc) {
  constexpr int U = NRr == 2 ? 4 : 2;  // NRr = 2..4 (N == 1 is gemv_t)
  v128_t s[U][NRr];
  for (int u = 0; u < U; ++u)
    for (int j = 0; j < NRr; ++j) s[u][j] = splat(0.0f);
  int k = 0;
  for (; k + 4 * U <= K; k += 4 * U)
    for (int u = 0; u < U; ++u) {
      const v128_t av = wasm_v128_load(a + k + 4 * u);
      for (int j = 0; j < NRr; ++j)
        s[u][j] = wasm_f32x4_add(s[u][j], wasm_f32x4_mul(av, wasm_v128_load(b + j * ldb + k + 4 * u)));
    }
  for (; k + 4 <= K; k += 4) {
    const v128_t av = wasm_v128_load(a + k);
    for (int j = 0; j < NRr; ++j)
      s[0][j] = wasm_f32x4_add(s[0][j], wasm_f32x4_mul(av, wasm_v128_load(b + j * ldb + k)));
  }
  const int K4 = k;
  for (int j = 0; j < NRr; ++j) {
    for (int u = 1; u < U; ++u) s[0][j] = wasm_f32x4_add(s[0][j], s[u][j]);
    float t = hsum(s[0][j]);
    for (int kk = K4; kk < K; ++kk) t += a[kk] * b[j * ldb + kk];  // ragged end of k
    finish1(t, alpha, beta, c + j * ldc);
  }
}

template <int NRr>
void small_n_t_cols(int M, int K, float alpha, const float* A, long lda, const float* B, long ldb, float beta,
                    float* C, long ldc) {
  for (int i = 0; i < M; ++i) dot_row<NRr>(K, A + i * lda, B, ldb, alpha, beta, C + i, ldc);
}

// C rows [0, 4*RV) x NRr columns: sums over k of A(:, k) (contiguous) times B(k, j).
template <int RV, int NRr>
RNNLAB_ALWAYS_INLINE void axpy_block(int K, const float* a, long lda, const float* b, long ldb, float alpha,
                                     float beta, float* c, long ldc) {
  v128_t s[RV][NRr];
  for (int r = 0; r < RV; ++r)
    for (int j = 0; j < NRr; ++j) s[r][j] = splat(0.0f);
  for (int k = 0; k < K; ++k, a += lda) {
    v128_t av[RV];
    for (int r = 0; r < RV; ++r) av[r] = wasm_v128_load(a + 4 * r);
    for (int j = 0; j < NRr; ++j) {
      const v128_t bj = wasm_v128_load32_splat(b + j * ldb + k);
      for (int r = 0; r < RV; ++r) s[r][j] = wasm_f32x4_add(s[r][j], wasm_f32x4_mul(av[r], bj));
    }
  }
  const v128_t va = splat(alpha), vb = splat(beta);
  for (int j = 0; j < NRr; ++j)
    for (int r = 0; r < RV; ++r) {
      float* cc = c + 4 * r + j * ldc;
      v128_t v = wasm_f32x4_mul(s[r][j], va);
      if (beta != 0.0f) v = wasm_f32x4_add(v, wasm_f32x4_mul(wasm_v128_load(cc), vb));
      wasm_v128_store(cc, v);
    }
}

template <int NRr>
void small_n_n_cols(int M, int K, float alpha, const float* A, long lda, const float* B, long ldb, float beta,
                    float* C, long ldc) {
  // Enough independent accumulators to cover the add latency: 16 rows for 2 columns, 8 rows for 3-4.
  constexpr int RV = NRr == 2 ? 4 : 2;
  int i = 0;
  for (; i + 4 * RV <= M; i += 4 * RV) axpy_block<RV, NRr>(K, A + i, lda, B, ldb, alpha, beta, C + i, ldc);
  for (; i + 4 <= M; i += 4) axpy_block<1, NRr>(K, A + i, lda, B, ldb, alpha, beta, C + i, ldc);
  for (; i < M; ++i)  // the last M % 4 rows
    for (int j = 0; j < NRr; ++j) {
      float t = 0.0f;
      for (int k = 0; k < K; ++k) t += A[i + k * lda] * B[j * ldb + k];
      finish1(t, alpha, beta, C + i + j * ldc);
    }
}

}  // namespace

void small_n_t(int M, int N, int K, float alpha, const float* A, long lda, const float* B, long ldb, float beta,
               float* C, long ldc) {
  for (int j = 0; j < N; j += 4) {
    const float* b = B + j * ldb;
    float* c = C + j * ldc;
    switch (N - j) {
      case 1: gemv_t(M, K, alpha, A, lda, b, beta, c); break;
      case 2: small_n_t_cols<2>(M, K, alpha, A, lda, b, ldb, beta, c, ldc); break;
      case 3: small_n_t_cols<3>(M, K, alpha, A, lda, b, ldb, beta, c, ldc); break;
      default: small_n_t_cols<4>(M, K, alpha, A, lda, b, ldb, beta, c, ldc); break;
    }
  }
}

void small_n_n(int M, int N, int K, float alpha, const float* A, long lda, const float* B, long ldb, float beta,
               float* C, long ldc) {
  for (int j = 0; j < N; j += 4) {
    const float* b = B + j * ldb;
    float* c = C + j * ldc;
    switch (N - j) {
      case 1: gemv_n(M, K, alpha, A, lda, b, beta, c); break;
      case 2: small_n_n_cols<2>(M, K, alpha, A, lda, b, ldb, beta, c, ldc); break;
      case 3: small_n_n_cols<3>(M, K, alpha, A, lda, b, ldb, beta, c, ldc); break;
      default: small_n_n_cols<4>(M, K, alpha, A, lda, b, ldb, beta, c, ldc); break;
    }
  }
}

}  // namespace rnnlab::kernels::detail
