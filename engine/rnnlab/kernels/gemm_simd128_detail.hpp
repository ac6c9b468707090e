// Internals of the simd128 GEMM shared by its files (gemm_simd128.cpp: packing, 8x4 micro-kernel and
// blocking; gemv_simd128.cpp and gemm_small_n_simd128.cpp: unpacked kernels for N <= 8). Not part of
// the kernel API.
#pragma once
#include "rnnlab/kernels/simd.hpp"

namespace rnnlab::kernels::detail {

// Returns f through a volatile, so the call becomes an indirect call the optimizers cannot see through.
// Why: binaryen (emcc's wasm-opt) inlines every function that has a single caller, whatever its size, so
// the kernels end up inside one big function, and V8's register allocator then spilled the micro-kernel
// accumulators to the stack inside the k loop: 19 GFLOP/s instead of 45-55 in node for the same code.
// Kernels called through opaque() stay separate wasm functions with their own register allocation; one
// indirect call per tile or per GEMV costs nothing measurable.
template <typename F>
RNNLAB_ALWAYS_INLINE F* opaque(F* f) {
  F* volatile p = f;
  return p;
}

constexpr int MR = 8;  // rows of a C tile = 2 f32x4
constexpr int NR = 4;  // columns of a C tile

// y (M) = alpha * op(A) x + beta * y, x contiguous (K). beta == 0 does not read y.
//   gemv_t: op(A) = A^T, A stored (K, M): each y_i is a dot product with a contiguous column of A.
//   gemv_n: op(A) = A,   A stored (M, K): y is a sum of K scaled contiguous columns.
void gemv_t(int M, int K, float alpha, const float* A, long lda, const float* x, float beta, float* y);
void gemv_n(int M, int K, float alpha, const float* A, long lda, const float* x, float beta, float* y);

// Small N: C (M, N) = alpha * op(A) * B + beta * C with B (K, N) column-major (columns contiguous in k,
// leading dimension ldb) and A read in place (gemm_small_n_simd128.cpp).
//   small_n_t: op(A) = A^T, A stored (K, M), used for N <= kSmallNT;
//   small_n_n: op(A) = A,   A stored (M, K), used for N <= kSmallNN.
// The limits are where packing A (a full copy of A per call, transposing for the model's W . X) starts
// to pay, measured in node against the packed path for M = 1024, K = 256 (unpacked / packed speed):
//   A^T: N = 2 1.17x, 3 1.36x, 4 1.05x, 5 0.88x, 8 0.74x;   A: N = 2 2.5x, 4 1.5x, 8 1.16x.
constexpr int kSmallNT = 4;
constexpr int kSmallNN = 8;
void small_n_t(int M, int N, int K, float alpha, const float* A, long lda, const float* B, long ldb, float beta,
               float* C, long ldc);
void small_n_n(int M, int N, int K, float alpha, const float* A, long lda, const float* B, long ldb, float beta,
               float* C, long ldc);

}  // namespace rnnlab::kernels::detail
