// The matrix products of the model, in BLAS terms: column-major, with transposes and leading dimensions.
//
// C(M,N) = alpha * op(A) * op(B) + beta * C, where op(A) is (M,K) and op(B) is (K,N).
// A row-major torch weight W (R, Cc) is the column-major matrix W^T (Cc, R) with ld = Cc, so W·X is
// gemm(trans_a = true, ...). With beta == 0, C is only written, never read (it may hold garbage).
//
// One entry point so the float path can route the hot products to the hand-written wasm SIMD kernels
// while the double path (gradient checks) and the native build use Eigen.
#pragma once

namespace rnnlab {

template <typename Scalar>
void gemm(bool trans_a, bool trans_b, int M, int N, int K, Scalar alpha, const Scalar* A, int lda,
          const Scalar* B, int ldb, Scalar beta, Scalar* C, int ldc);

// y(M) += sum over the N columns of X (M, N) with leading dimension ldx: bias gradients.
template <typename Scalar>
void add_row_sums(int M, int N, const Scalar* X, int ldx, Scalar* y);

}  // namespace rnnlab
