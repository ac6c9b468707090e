#include "rnnlab/linalg.hpp"

#include <type_traits>

#include "rnnlab/eigen.hpp"
#include "rnnlab/kernels/kernels.hpp"

namespace rnnlab {
namespace {

template <typename Scalar>
using ConstStrided = Eigen::Map<const Mat<Scalar>, 0, Eigen::OuterStride<>>;
template <typename Scalar>
using Strided = Eigen::Map<Mat<Scalar>, 0, Eigen::OuterStride<>>;

template <typename Scalar, typename OpA, typename OpB>
void assign_product(Scalar alpha, const OpA& a, const OpB& b, Scalar beta, Strided<Scalar>& c) {
  if (beta == Scalar(0)) {
    c.noalias() = alpha * (a * b);
  } else {
    if (beta != Scalar(1)) c *= beta;
    c.noalias() += alpha * (a * b);
  }
}

}  // namespace

template <typename Scalar>
void gemm(bool trans_a, bool trans_b, int M, int N, int K, Scalar alpha, const Scalar* A, int lda,
          const Scalar* B, int ldb, Scalar beta, Scalar* C, int ldc) {
  if (M <= 0 || N <= 0) return;
  Strided<Scalar> c(C, M, N, Eigen::OuterStride<>(ldc));
  if (K <= 0) {
    if (beta == Scalar(0)) c.setZero(); else c *= beta;
    return;
  }
  ConstStrided<Scalar> a(A, trans_a ? K : M, trans_a ? M : K, Eigen::OuterStride<>(lda));
  ConstStrided<Scalar> b(B, trans_b ? N : K, trans_b ? K : N, Eigen::OuterStride<>(ldb));
  if (!trans_a && !trans_b) assign_product(alpha, a, b, beta, c);
  else if (trans_a && !trans_b) assign_product(alpha, a.transpose(), b, beta, c);
  else if (!trans_a && trans_b) assign_product(alpha, a, b.transpose(), beta, c);
  else assign_product(alpha, a.transpose(), b.transpose(), beta, c);
}

// In wasm column by column, so the inner loop runs over contiguous memory and clang vectorises it with -msimd128
// (Eigen's rowwise().sum() stays scalar there); natively Eigen's AVX code.
template <typename Scalar>
void add_row_sums(int M, int N, const Scalar* X, int ldx, Scalar* y) {
#if defined(__wasm__)
  for (int j = 0; j < N; ++j) {
    const Scalar* col = X + static_cast<size_t>(j) * ldx;
    for (int i = 0; i < M; ++i) y[i] += col[i];
  }
#else
  ConstStrided<Scalar> x(X, M, N, Eigen::OuterStride<>(ldx));
  VecMap<Scalar>(y, M) += x.rowwise().sum();
#endif
}

template <typename Scalar>
void gemm_columns(bool trans_a, bool trans_b, int M, int N, int K, Scalar alpha, const Scalar* A, int lda,
                  const Scalar* B, int ldb, Scalar beta, Scalar* C, int ldc) {
#if defined(__wasm_simd128__)
  if constexpr (std::is_same_v<Scalar, float>) {
    kernels::f32_gemm_panels_simd128(trans_a, trans_b, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
    return;
  }
#endif
  gemm<Scalar>(trans_a, trans_b, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}
template void gemm_columns<float>(bool, bool, int, int, int, float, const float*, int, const float*, int, float,
                                  float*, int);
template void gemm_columns<double>(bool, bool, int, int, int, double, const double*, int, const double*, int,
                                   double, double*, int);

#if defined(__wasm_simd128__)
// In the browser Eigen has no wasm SIMD path (it compiles to mostly scalar code), so the float products go to the
// hand-written simd128 kernels. Natively Eigen's AVX code is faster than the SIMDe-translated kernels.
template <>
void gemm<float>(bool trans_a, bool trans_b, int M, int N, int K, float alpha, const float* A, int lda,
                 const float* B, int ldb, float beta, float* C, int ldc) {
  kernels::f32_gemm_simd128(trans_a, trans_b, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}
#else
template void gemm<float>(bool, bool, int, int, int, float, const float*, int, const float*, int, float, float*, int);
#endif
template void gemm<double>(bool, bool, int, int, int, double, const double*, int, const double*, int, double,
                           double*, int);
template void add_row_sums<float>(int, int, const float*, int, float*);
template void add_row_sums<double>(int, int, const double*, int, double*);

}  // namespace rnnlab
