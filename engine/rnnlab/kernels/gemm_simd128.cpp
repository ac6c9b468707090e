// wasm_simd128 GEMM, GotoBLAS-style; N <= 8 goes to the unpacked kernels of gemv_simd128.cpp and
// gemm_small_n_simd128.cpp.
//
// Blocking (all sizes in floats):
//   for jc over N by NC:                       op(B) block (KC, NC) packed into 4-column panels  -> L2
//     for pc over K by KC:
//       for ic over M by MC:                   op(A) block (MC, KC) packed into 8-row panels     -> L2
//         for jr over the block by 4:          one B panel (KC, 4) stays in L1 across ...
//           for ir over the block by 8:        ... every A panel (8, KC)
//             8x4 micro-kernel: C tile (8, 4) in 8 v128 accumulators, KC rank-1 updates
// Packing absorbs both transposes, so the micro-kernel only ever sees op(A) and op(B).
// Why 8x4: V8 has 16 xmm registers; 8 accumulators + 2 A vectors + 1 B splat leave room for the
// register allocator, and wider tiles measured 8-39 % slower (toolchain notes, section 4).
#include "rnnlab/kernels/kernels.hpp"
#include "rnnlab/kernels/gemm_simd128_detail.hpp"

#include <algorithm>
#include <cassert>

namespace rnnlab::kernels {

using namespace simd;
using detail::MR;
using detail::NR;

namespace {

// KC x NR B panel = 4 KB (L1), MC x KC A block = 128 KB and KC x NC B block = 512 KB (L2).
constexpr int KC = 256;
constexpr int MC = 128;
constexpr int NC = 512;

// Packing buffers, grown on first use and then reused: a training step makes thousands of GEMM calls.
struct PackBuffers {
  std::vector<float> a;  // (MC/8, KC, 8)
  std::vector<float> b;  // (NC/4, KC, 4)
  std::vector<float> x;  // (K, N <= 8) op(B) gathered into contiguous columns for the small-N kernels
};
thread_local PackBuffers g_buf;

float* grow(std::vector<float>& v, size_t n) {
  if (v.size() < n) v.resize(n);
  return v.data();
}

// C tile (mr <= 8, NRr <= 4) = alpha * Apanel (8, kc) * Bpanel (kc, NRr) + beta * C.
//   a: packed A panel, a[k * 8 + r];  b: packed B panel, b[k * 4 + c] (stride 4 even when NRr < 4)
// NRr < 4 serves the ragged right edge (and small N on a PackedA, e.g. the packed GEMV) without
// multiplying padding. With only 2 accumulators the NRr = 1 k loop would wait on the f32x4.add latency,
// so it alternates U = 2 independent partial sums (k phases) and adds them at the end. More phases
// measured slower in node (NRr = 1 with U = 4: 0.6x; NRr = 2 with U = 2: 0.6x; with an earlier shape
// of the k loop): more live vectors, more spills.
// tile is reached only through opaque() (gemm_simd128_detail.hpp), so it stays a wasm function of its own.
template <int NRr>
RNNLAB_ALWAYS_INLINE void rank1(const float* a, const float* b, v128_t* lo, v128_t* hi) {
  const v128_t a0 = wasm_v128_load(a), a1 = wasm_v128_load(a + 4);
  for (int j = 0; j < NRr; ++j) {
    const v128_t bj = wasm_v128_load32_splat(b + j);
    lo[j] = wasm_f32x4_add(lo[j], wasm_f32x4_mul(a0, bj));
    hi[j] = wasm_f32x4_add(hi[j], wasm_f32x4_mul(a1, bj));
  }
}

template <int NRr>
__attribute__((noinline)) void tile(int kc, const float* a, const float* b, int mr, float* C, long ldc,
                                    float alpha, float beta) {
  constexpr int U = NRr == 1 ? 2 : 1;
  v128_t lo[U][NRr], hi[U][NRr];  // rows 0-3 and 4-7 of each column, per k phase
  for (int u = 0; u < U; ++u)
    for (int j = 0; j < NRr; ++j) lo[u][j] = hi[u][j] = wasm_f32x4_splat(0.0f);
  // kc >= 1. Four k steps per trip, each followed by its own exit test: the branches keep every step in
  // its own basic block, so neither clang nor binaryen can regroup the body accumulator by accumulator
  // (which keeps all 24 loaded vectors live at once and made V8 spill them: 28 instead of 50 GFLOP/s), while
  // V8's per-iteration stack check runs once per 4 steps.
  for (int n = kc;;) {
    rank1<NRr>(a, b, lo[0], hi[0]);
    a += MR, b += NR;
    if (--n == 0) break;
    rank1<NRr>(a, b, lo[1 % U], hi[1 % U]);
    a += MR, b += NR;
    if (--n == 0) break;
    rank1<NRr>(a, b, lo[0], hi[0]);
    a += MR, b += NR;
    if (--n == 0) break;
    rank1<NRr>(a, b, lo[1 % U], hi[1 % U]);
    a += MR, b += NR;
    if (--n == 0) break;
  }
  if constexpr (U > 1) {
    for (int j = 0; j < NRr; ++j) {
      lo[0][j] = wasm_f32x4_add(lo[0][j], lo[1][j]);
      hi[0][j] = wasm_f32x4_add(hi[0][j], hi[1][j]);
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

using TileFn = void (*)(int, const float*, const float*, int, float*, long, float, float);
// Indexed by the tile's column count nr (1..4).
constexpr TileFn kTiles[5] = {nullptr, &tile<1>, &tile<2>, &tile<3>, &tile<4>};

// op(B) rows [k0, k0+kc) x columns [j0, j0+nc) -> 4-column panels: dst[(q * kc + k) * 4 + c] =
// op(B)(k0 + k, j0 + 4q + c); columns past nc are zero so the kernel may read a full panel.
void pack_b(bool trans_b, const float* B, long ldb, int k0, int kc, int j0, int nc, float* dst) {
  for (int q = 0; q * NR < nc; ++q, dst += kc * NR) {
    const int cols = std::min(NR, nc - q * NR);
    const int j = j0 + q * NR;
    if (trans_b) {
      // op(B)(k, j) = B[j + k * ldb]: the 4 columns of a panel are adjacent in memory.
      const float* b = B + j + k0 * ldb;
      if (cols == NR) {
        for (int k = 0; k < kc; ++k) wasm_v128_store(dst + k * NR, wasm_v128_load(b + k * ldb));
      } else {
        for (int k = 0; k < kc; ++k)
          for (int c = 0; c < NR; ++c) dst[k * NR + c] = c < cols ? b[k * ldb + c] : 0.0f;
      }
    } else {
      // op(B)(k, j) = B[k + j * ldb]: columns run along k; transpose 4x4 blocks into rows of the panel.
      const float* b = B + k0 + j * ldb;
      int k = 0;
      if (cols == NR) {
        for (; k + 4 <= kc; k += 4) {
          v128_t r0 = wasm_v128_load(b + k), r1 = wasm_v128_load(b + ldb + k);
          v128_t r2 = wasm_v128_load(b + 2 * ldb + k), r3 = wasm_v128_load(b + 3 * ldb + k);
          transpose4(r0, r1, r2, r3);
          wasm_v128_store(dst + k * NR, r0);
          wasm_v128_store(dst + (k + 1) * NR, r1);
          wasm_v128_store(dst + (k + 2) * NR, r2);
          wasm_v128_store(dst + (k + 3) * NR, r3);
        }
      }
      for (; k < kc; ++k)
        for (int c = 0; c < NR; ++c) dst[k * NR + c] = c < cols ? b[c * ldb + k] : 0.0f;
    }
  }
}

// op(A) rows [i0, i0+mc) x columns [k0, k0+kc) -> 8-row panels: dst[(p * kstride + k) * 8 + r] =
// op(A)(i0 + 8p + r, k0 + k); rows past mc are zero. kstride = kc for a block, K for a whole PackedA.
void pack_a(bool trans_a, const float* A, long lda, int i0, int mc, int k0, int kc, long kstride, float* dst) {
  for (int p = 0; p * MR < mc; ++p) {
    float* d = dst + p * kstride * MR;
    const int rows = std::min(MR, mc - p * MR);
    const int i = i0 + p * MR;
    if (!trans_a) {
      // op(A)(i, k) = A[i + k * lda]: each k gives 8 adjacent floats.
      const float* a = A + i + k0 * lda;
      if (rows == MR) {
        for (int k = 0; k < kc; ++k) {
          wasm_v128_store(d + k * MR, wasm_v128_load(a + k * lda));
          wasm_v128_store(d + k * MR + 4, wasm_v128_load(a + k * lda + 4));
        }
      } else {
        for (int k = 0; k < kc; ++k)
          for (int r = 0; r < MR; ++r) d[k * MR + r] = r < rows ? a[k * lda + r] : 0.0f;
      }
    } else {
      // op(A)(i, k) = A[k + i * lda]: rows of op(A) run along k (the model's W . X with row-major W).
      // Transpose 4x4 blocks: 8 row loads give 4 k-steps of the panel.
      const float* a = A + k0 + i * lda;
      int k = 0;
      if (rows == MR) {
        for (; k + 4 <= kc; k += 4) {
          v128_t r0 = wasm_v128_load(a + k), r1 = wasm_v128_load(a + lda + k);
          v128_t r2 = wasm_v128_load(a + 2 * lda + k), r3 = wasm_v128_load(a + 3 * lda + k);
          v128_t r4 = wasm_v128_load(a + 4 * lda + k), r5 = wasm_v128_load(a + 5 * lda + k);
          v128_t r6 = wasm_v128_load(a + 6 * lda + k), r7 = wasm_v128_load(a + 7 * lda + k);
          transpose4(r0, r1, r2, r3);
          transpose4(r4, r5, r6, r7);
          float* o = d + k * MR;
          wasm_v128_store(o, r0);
          wasm_v128_store(o + 4, r4);
          wasm_v128_store(o + 8, r1);
          wasm_v128_store(o + 12, r5);
          wasm_v128_store(o + 16, r2);
          wasm_v128_store(o + 20, r6);
          wasm_v128_store(o + 24, r3);
          wasm_v128_store(o + 28, r7);
        }
      }
      for (; k < kc; ++k)
        for (int r = 0; r < MR; ++r) d[k * MR + r] = r < rows ? a[r * lda + k] : 0.0f;
    }
  }
}

// The macro-kernel loops over one packed (kc, nc) block of B against one (mc, kc) block of A:
// panel_a(ir) is the packed 8-row panel of A starting at row ir of the block, already at the current k
// block; C points at the block's top-left element.
template <typename APanels>
void macro_kernel(int mc, int nc, int kc, const float* bp, const APanels& panel_a, float* C, long ldc,
                  float alpha, float beta) {
  for (int jr = 0; jr < nc; jr += NR) {
    const int nr = std::min(NR, nc - jr);
    const float* b = bp + static_cast<long>(jr / NR) * kc * NR;
    float* cj = C + jr * ldc;
    for (int ir = 0; ir < mc; ir += MR) {
      const int mr = std::min(MR, mc - ir);
      detail::opaque(kTiles[nr])(kc, panel_a(ir), b, mr, cj + ir, ldc, alpha, beta);
    }
  }
}

// C = beta * C (alpha == 0 or K == 0); beta == 0 writes zeros without reading C.
void scale_c(int M, int N, float beta, float* C, long ldc) {
  for (int j = 0; j < N; ++j)
    for (int i = 0; i < M; ++i) C[i + j * ldc] = beta == 0.0f ? 0.0f : beta * C[i + j * ldc];
}

}  // namespace

void f32_gemm_simd128(bool trans_a, bool trans_b, int M, int N, int K, float alpha, const float* A, int lda,
                      const float* B, int ldb, float beta, float* C, int ldc) {
  assert(M >= 0 && N >= 0 && K >= 0);
  if (M == 0 || N == 0) return;
  if (K == 0 || alpha == 0.0f) return scale_c(M, N, beta, C, ldc);
  if (N <= (trans_a ? detail::kSmallNT : detail::kSmallNN)) {
    // Few columns: every element of A is used at most N times, so packing A (a full copy, transposing
    // for the model's W . X) would cost more than it saves. Read A in place instead: a GEMV for N == 1,
    // dot-product (A^T) or axpy (A) blocks of up to 4 columns otherwise.
    const float* b = B;  // op(B) as N contiguous columns of K
    long ldb_b = ldb;
    if (trans_b && !(N == 1 && ldb == 1)) {
      float* g = grow(g_buf.x, static_cast<size_t>(K) * N);
      for (int k = 0; k < K; ++k)
        for (int j = 0; j < N; ++j) g[j * static_cast<long>(K) + k] = B[j + static_cast<long>(k) * ldb];
      b = g;
      ldb_b = K;
    }
    if (N == 1)
      detail::opaque(trans_a ? &detail::gemv_t : &detail::gemv_n)(M, K, alpha, A, lda, b, beta, C);
    else
      detail::opaque(trans_a ? &detail::small_n_t : &detail::small_n_n)(M, N, K, alpha, A, lda, b, ldb_b, beta, C, ldc);
    return;
  }
  f32_gemm_panels_simd128(trans_a, trans_b, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}

void f32_gemm_panels_simd128(bool trans_a, bool trans_b, int M, int N, int K, float alpha, const float* A, int lda,
                             const float* B, int ldb, float beta, float* C, int ldc) {
  assert(M >= 0 && N >= 0 && K >= 0);
  if (M == 0 || N == 0) return;
  if (K == 0 || alpha == 0.0f) return scale_c(M, N, beta, C, ldc);
  float* bp = grow(g_buf.b, static_cast<size_t>(KC) * NC);
  float* ap = grow(g_buf.a, static_cast<size_t>(KC) * MC);
  for (int jc = 0; jc < N; jc += NC) {
    const int nc = std::min(NC, N - jc);
    for (int pc = 0; pc < K; pc += KC) {
      const int kc = std::min(KC, K - pc);
      detail::opaque(&pack_b)(trans_b, B, ldb, pc, kc, jc, nc, bp);
      const float beta_k = pc == 0 ? beta : 1.0f;  // later K blocks accumulate onto the first
      for (int ic = 0; ic < M; ic += MC) {
        const int mc = std::min(MC, M - ic);
        detail::opaque(&pack_a)(trans_a, A, lda, ic, mc, pc, kc, kc, ap);
        macro_kernel(mc, nc, kc, bp, [&](int ir) { return ap + static_cast<long>(ir / MR) * kc * MR; },
                     C + ic + static_cast<long>(jc) * ldc, ldc, alpha, beta_k);
      }
    }
  }
}

void f32_pack_a_simd128(bool trans_a, int M, int K, const float* A, int lda, PackedA& out) {
  out.M = M;
  out.K = K;
  out.panels.resize(static_cast<size_t>((M + MR - 1) / MR) * K * MR);
  if (M > 0 && K > 0) detail::opaque(&pack_a)(trans_a, A, lda, 0, M, 0, K, K, out.panels.data());
}

void f32_gemm_packed_simd128(const PackedA& A, bool trans_b, int N, float alpha, const float* B, int ldb,
                             float beta, float* C, int ldc) {
  const int M = A.M, K = A.K;
  if (M == 0 || N == 0) return;
  if (K == 0 || alpha == 0.0f) return scale_c(M, N, beta, C, ldc);
  float* bp = grow(g_buf.b, static_cast<size_t>(KC) * NC);
  for (int jc = 0; jc < N; jc += NC) {
    const int nc = std::min(NC, N - jc);
    for (int pc = 0; pc < K; pc += KC) {
      const int kc = std::min(KC, K - pc);
      detail::opaque(&pack_b)(trans_b, B, ldb, pc, kc, jc, nc, bp);
      const float beta_k = pc == 0 ? beta : 1.0f;
      for (int ic = 0; ic < M; ic += MC) {
        const int mc = std::min(MC, M - ic);
        // Panels of a PackedA hold all K columns: the k block starts pc steps into each panel.
        const float* base = A.panels.data() + (static_cast<long>(ic / MR) * K + pc) * MR;
        macro_kernel(mc, nc, kc, bp, [&](int ir) { return base + static_cast<long>(ir / MR) * K * MR; },
                     C + ic + static_cast<long>(jc) * ldc, ldc, alpha, beta_k);
      }
    }
  }
}

}  // namespace rnnlab::kernels
