// The hot-path kernel family. Every kernel comes as a pair with one signature:
//   *_ref      scalar reference: plain loops, std::exp / std::tanh. The truth the tests compare against,
//              and a fallback that is easy to read.
//   *_simd128  wasm_simd128 version. The same source compiles natively through SIMDe (see simd.hpp), so
//              the Catch2 suite checks it natively and again under node in the wasm build.
// Naming rule: <dtype>_<operation>_<variant>, e.g. f32_gemm_simd128, lstm_pointwise_forward_ref.
//
// Storage is column-major everywhere (as Eigen's default): an (R, C) matrix with leading dimension ld
// holds element (r, c) at p[r + c * ld]. Gate buffers are (G*H, B): column b holds stream b's G blocks of
// H values, gate order as torch.nn (LSTM i,f,g,o; GRU r,z,n). Dimension letters: see rnnlab/config.hpp.
//
// Preconditions (not checked in release builds): sizes >= 0, ld >= max(1, rows of the stored matrix),
// outputs do not overlap inputs unless a comment says so. No kernel allocates except the GEMM's
// thread-local packing buffers (grown once, then reused) and PackedA.
#pragma once
#include <cstdint>
#include <vector>

namespace rnnlab::kernels {

// ---------------------------------------------------------------------------------------------------
// GEMM, BLAS sgemm semantics, column-major:
//   C (M, N) = alpha * op(A) (M, K) * op(B) (K, N) + beta * C
//   op(A) = A        with A stored (M, K), lda >= M      when trans_a == false
//   op(A) = A^T      with A stored (K, M), lda >= K      when trans_a == true
//   op(B) likewise with B stored (K, N) or (N, K).
// beta == 0 writes C without reading it (NaN garbage in C is ignored); alpha == 0 or K == 0 only scales C.
// How the model uses it (W row-major (GH, In) is the column-major (In, GH) matrix W^T):
//   W . X     trans_a=T, trans_b=N   (forward, recurrent and hoisted input products)
//   W^T . dY  trans_a=N, trans_b=N   (backward to the inputs / previous hidden state)
//   dW^T = X . dY^T  trans_a=N, trans_b=T   (weight gradients, K = B*T)
void f32_gemm_ref(bool trans_a, bool trans_b, int M, int N, int K, float alpha, const float* A, int lda,
                  const float* B, int ldb, float beta, float* C, int ldc);
// GotoBLAS-style: op(B) packed into KC x 4 panels, op(A) into 8 x KC panels (packing absorbs the
// transposes), 8x4 micro-kernel with f32x4 mul+add (no FMA in this toolchain). Small N reads A in place
// instead of packing it: a GEMV for N == 1, dot-product / axpy kernels up to N = 4 (trans_a) or 8.
void f32_gemm_simd128(bool trans_a, bool trans_b, int M, int N, int K, float alpha, const float* A, int lda,
                      const float* B, int ldb, float beta, float* C, int ldc);
// The packed path alone, whatever N: column j of C then takes the same arithmetic whatever the other columns are,
// except that the last N % 4 columns use narrower tiles (tile<1> sums k in two phases). Data-parallel training
// relies on this (linalg.hpp, gemm_columns).
void f32_gemm_panels_simd128(bool trans_a, bool trans_b, int M, int N, int K, float alpha, const float* A, int lda,
                             const float* B, int ldb, float beta, float* C, int ldc);

// ---------------------------------------------------------------------------------------------------
// Pre-packed A. The recurrent product reuses the same weights for all T time steps of a chunk (forward
// W_hh . h_{t-1}, backward W_hh^T . dgates_t), so pack op(A) once per chunk and skip the per-call packing:
// for the W1 recurrent shape (M=1024, N=32, K=256) packing costs ~30-40 us against ~350 us for the
// multiply (node). Re-pack whenever A changes, i.e. after every optimizer step. It does not pay for a
// single product: sampling one step at a time should call f32_gemm_simd128 (its GEMV path reads A in
// place) rather than pack for every character.
//
// Layout: panels of 8 rows of op(A): panels[(p * K + k) * 8 + r] = op(A)(8p + r, k), rows past M are 0.
// Size: ceil(M/8) * K * 8 floats.
struct PackedA {
  int M = 0;                  // rows of op(A)
  int K = 0;                  // columns of op(A)
  std::vector<float> panels;  // (ceil(M/8), K, 8), see above
};
// Both twins produce bit-identical PackedA contents (packing is pure data movement).
void f32_pack_a_ref(bool trans_a, int M, int K, const float* A, int lda, PackedA& out);
void f32_pack_a_simd128(bool trans_a, int M, int K, const float* A, int lda, PackedA& out);
// C (M, N) = alpha * op(A) * op(B) + beta * C with op(A) taken from a PackedA (M = A.M, K = A.K).
void f32_gemm_packed_ref(const PackedA& A, bool trans_b, int N, float alpha, const float* B, int ldb,
                         float beta, float* C, int ldc);
void f32_gemm_packed_simd128(const PackedA& A, bool trans_b, int N, float alpha, const float* B, int ldb,
                             float beta, float* C, int ldc);

// ---------------------------------------------------------------------------------------------------
// Fused pointwise cell kernels. The _simd128 twins use sigmoid(x) = 1 / (1 + exp(-x)) with a 6th-degree
// exp (max relative error 1.5e-7) and tanh(x) = x P(x^2) / Q(x^2), a degree-4/4 rational fit (max
// relative error 3.5e-7); tests allow 1e-6. Both saturate to exactly 0 / 1 / +-1 (sigmoid for |x| >~ 17
// on the high side, 0 below -88; tanh for |x| > 9.02), +-inf handled, tanh(+-0) = +-0, NaN in -> NaN
// out (simd.hpp). The _ref twins use std::exp / std::tanh.

// LSTM forward, one time step.
//   in:  gates (4H, B) pre-activations [i, f, g, o] (input + recurrent products + both biases summed)
//        c_prev (H, B)
//   out: gates overwritten with activations [sigmoid(i), sigmoid(f), tanh(g), sigmoid(o)]
//        c = f * c_prev + i * g (H, B), tanh_c = tanh(c) (H, B), h = o * tanh_c (H, B)
void lstm_pointwise_forward_ref(int H, int B, float* gates, const float* c_prev, float* c, float* tanh_c,
                                float* h);
void lstm_pointwise_forward_simd128(int H, int B, float* gates, const float* c_prev, float* c,
                                    float* tanh_c, float* h);
// LSTM backward, one time step.
//   in:  gates (4H, B) activations from the forward, c_prev (H, B), tanh_c (H, B),
//        dh (H, B) gradient reaching h, dc (H, B) gradient reaching c from step t+1
//   out: dgates (4H, B) gradient w.r.t. the pre-activations [i, f, g, o]
//        dc (in place) becomes dL/dc_prev
void lstm_pointwise_backward_ref(int H, int B, const float* gates, const float* c_prev, const float* tanh_c,
                                 const float* dh, float* dc, float* dgates);
void lstm_pointwise_backward_simd128(int H, int B, const float* gates, const float* c_prev,
                                     const float* tanh_c, const float* dh, float* dc, float* dgates);

// GRU forward (torch.nn.GRU): r = sigmoid(xr + hr), z = sigmoid(xz + hz), n = tanh(xn + r * hn),
// h = (1 - z) * n + z * h_prev, computed as n + z * (h_prev - n) as torch does.
//   in:  xg (3H, B) = W_i* . x + b_i*, hg (3H, B) = W_h* . h_prev + b_h*, h_prev (H, B)
//   out: act (3H, B) = [r, z, n] activations, h (H, B)
void gru_pointwise_forward_ref(int H, int B, const float* xg, const float* hg, const float* h_prev, float* act,
                               float* h);
void gru_pointwise_forward_simd128(int H, int B, const float* xg, const float* hg, const float* h_prev,
                                   float* act, float* h);
// GRU backward, one time step.
//   in:  act (3H, B), hg (3H, B), h_prev (H, B), dh (H, B)
//   out: dxg (3H, B) gradient w.r.t. the x* pre-activations, dhg (3H, B) gradient w.r.t. h*
//        (dhg_r = dxg_r, dhg_z = dxg_z, dhg_n = r * dxg_n), dh_prev_partial (H, B) = dh * z
//        (the direct path; the caller adds W_hh^T . dhg)
void gru_pointwise_backward_ref(int H, int B, const float* act, const float* hg, const float* h_prev,
                                const float* dh, float* dxg, float* dhg, float* dh_prev_partial);
void gru_pointwise_backward_simd128(int H, int B, const float* act, const float* hg, const float* h_prev,
                                    const float* dh, float* dxg, float* dhg, float* dh_prev_partial);

// Vanilla RNN: x = tanh(x) in place over n contiguous floats; backward dx = dy * (1 - y^2)
// (dx may alias dy).
void tanh_forward_ref(int n, float* x);
void tanh_forward_simd128(int n, float* x);
void tanh_backward_ref(int n, const float* y, const float* dy, float* dx);
void tanh_backward_simd128(int n, const float* y, const float* dy, float* dx);

// ---------------------------------------------------------------------------------------------------
// Softmax + cross-entropy over the columns of logits (V, N) (leading dimension ld), max subtracted per
// column so any finite logits (e.g. scaled by 1 / temperature 0.05) give finite results.
//   targets: N ints, each in [0, V)
//   out: dlogits (V, N) (leading dimension ld_d) = (softmax - onehot(target)) * scale; may alias logits
//        (same pointer and ld_d == ld)
//   returns sum over columns of -log softmax[target], accumulated in double
double softmax_xent_ref(int V, int N, const float* logits, int ld, const int32_t* targets, float scale,
                        float* dlogits, int ld_d);
double softmax_xent_simd128(int V, int N, const float* logits, int ld, const int32_t* targets, float scale,
                            float* dlogits, int ld_d);

// Sampling weights: the unnormalised softmax of one logits column at a temperature,
//   w[v] = exp((x[v] - top) * inv_t)   for v in [0, n), top the largest logit the caller may choose
// (sampler.cpp; it zeroes the banned token's weight and normalises in double). Values above top (a banned
// token) may give +inf. The _simd128 twin uses simd::exp (max relative error 1.5e-7, exactly 0 below
// exp(-87.33)); the _ref twin uses std::exp in float. out must not overlap x.
void f32_softmax_weights_ref(int n, const float* x, float top, float inv_t, float* out);
void f32_softmax_weights_simd128(int n, const float* x, float top, float inv_t, float* out);

}  // namespace rnnlab::kernels
