// The matrix products of the model, in BLAS terms: column-major, with transposes and leading dimensions.
//
// C(M,N) = alpha * op(A) * op(B) + beta * C, where op(A) is (M,K) and op(B) is (K,N).
// A row-major torch weight W (R, Cc) is the column-major matrix W^T (Cc, R) with ld = Cc, so W·X is
// gemm(trans_a = true, ...). With beta == 0, C is only written, never read (it may hold garbage).
//
// One entry point so the float path can route the hot products to the hand-written wasm SIMD kernels
// while the double path (gradient checks) and the native build use Eigen.
#pragma once

#if defined(__wasm_simd128__)
#include "rnnlab/kernels/kernels.hpp"
#endif

namespace rnnlab {

template <typename Scalar>
void gemm(bool trans_a, bool trans_b, int M, int N, int K, Scalar alpha, const Scalar* A, int lda,
          const Scalar* B, int ldb, Scalar beta, Scalar* C, int ldc);

#if defined(__wasm_simd128__)
// Routed to the wasm SIMD kernels (linalg.cpp).
template <>
void gemm<float>(bool trans_a, bool trans_b, int M, int N, int K, float alpha, const float* A, int lda, const float* B,
                 int ldb, float beta, float* C, int ldc);
#endif

// The same product for per-column work in training (activations, never sums over columns): column j of C gets the
// same bits whatever columns share the call, provided it lies in the same place relative to the call's last N % 4
// columns (the tail kernels of both Eigen's and the wasm GEMM differ from their 4-column panels). Data-parallel
// training (shards.hpp) gives every worker whole groups of 4 streams and the last worker the ragged end, so a
// stream's activations are the same bits with any number of workers. Eigen keeps this for N >= 4 (at N == 1 it
// switches to a GEMV); the wasm path skips the GEMV and small-N kernels that f32_gemm_simd128 picks for N <= 8.
template <typename Scalar>
void gemm_columns(bool trans_a, bool trans_b, int M, int N, int K, Scalar alpha, const Scalar* A, int lda,
                  const Scalar* B, int ldb, Scalar beta, Scalar* C, int ldc);

// y(M) += sum over the N columns of X (M, N) with leading dimension ldx: bias gradients.
template <typename Scalar>
void add_row_sums(int M, int N, const Scalar* X, int ldx, Scalar* y);

// op(A) for many products with the same A: the recurrent weights, used at every one of the T steps of a chunk
// (forward W_hh·h, backward W_hh^T·dgates). The wasm float path packs A into kernel panels once per chunk
// instead of once per step; elsewhere this just remembers the operand.
template <typename S>
class ReusedOperand {
 public:
  void set(bool trans_a, int M, int K, const S* A, int lda) {
    trans_a_ = trans_a;
    M_ = M;
    K_ = K;
    A_ = A;
    lda_ = lda;
  }
  // C (M, N) = alpha * op(A) * B (K, N) + beta * C
  void multiply(int N, S alpha, const S* B, int ldb, S beta, S* C, int ldc) const {
    gemm<S>(trans_a_, false, M_, N, K_, alpha, A_, lda_, B, ldb, beta, C, ldc);
  }

 private:
  bool trans_a_ = false;
  int M_ = 0, K_ = 0, lda_ = 1;
  const S* A_ = nullptr;
};

#if defined(__wasm_simd128__)
template <>
class ReusedOperand<float> {
 public:
  void set(bool trans_a, int M, int K, const float* A, int lda) { kernels::f32_pack_a_simd128(trans_a, M, K, A, lda, packed_); }
  void multiply(int N, float alpha, const float* B, int ldb, float beta, float* C, int ldc) const {
    kernels::f32_gemm_packed_simd128(packed_, false, N, alpha, B, ldb, beta, C, ldc);
  }

 private:
  kernels::PackedA packed_;
};
#endif

}  // namespace rnnlab
