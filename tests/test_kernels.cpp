// Every simd128 kernel against its scalar reference twin (rnnlab/kernels/kernels.hpp), at sizes around
// the tile edges, with odd leading dimensions and misaligned offsets, plus the activations at extreme
// inputs. Natively the simd128 code runs through SIMDe; the wasm build runs the same suite under node.
//
// Tolerances (each also stated at its check):
//   GEMM           |C - C_ref| <= 2 (K + 2) 2^-24 (|alpha| sum_k |op(A)_ik op(B)_kj| + |beta C0_ij|)
//                  (two float summations of K terms in different orders: the classic gamma_K bound)
//   packing        bit-identical to the reference packing
//   tanh, sigmoid  relative error <= 1e-6 against tanh / sigmoid evaluated in double (absolute 1e-37
//                  near underflow); exact: tanh(+-0) = +-0, tanh(subnormal) = itself, tanh = +-1 for
//                  |x| >= 9.5 and +-inf, sigmoid = 1 at 30 / 120 / +inf, 0 at -inf, 0.5 at 0; NaN -> NaN
//   cell forward   activations |y - y_ref| <= 1e-6 |y_ref|; sums built from them (c, h, GRU n) 1e-6
//                  relative to the magnitude of their terms (they can cancel)
//   cell backward  |y - y_ref| <= 1e-6 |y_ref| + 1e-7 (same formulas, rounding only)
//   softmax-xent   |d - d_ref| <= |scale| (2e-6 p_ref + 2e-7), |loss - loss_ref| <= 1e-5 (1 + loss_ref)
//   softmax weights |w - w_ref| <= 1e-6 w_ref + 1.2e-38 (float exp against float std::exp; flushed underflow)
#include <catch2/catch.hpp>

#include "rnnlab/kernels/kernels.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

namespace k = rnnlab::kernels;

namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();
constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
constexpr float kDenorm = 1e-40f;  // subnormal (FLT_MIN is 1.18e-38)

struct Rng {
  std::mt19937 gen;
  explicit Rng(uint32_t seed) : gen(seed) {}
  float uniform(float lo, float hi) { return std::uniform_real_distribution<float>(lo, hi)(gen); }
  std::vector<float> vec(size_t n, float lo = -1.0f, float hi = 1.0f) {
    std::vector<float> v(n);
    for (auto& x : v) x = uniform(lo, hi);
    return v;
  }
};

bool same_bits(const float* a, const float* b, size_t n) { return std::memcmp(a, b, n * sizeof(float)) == 0; }

// ----------------------------------------------------------------------------------------------------
// GEMM

struct GemmCase {
  bool ta, tb;
  int M, N, K;
  float alpha, beta;
  int pad;  // extra rows in every leading dimension
  int off;  // start of each matrix inside its buffer (misaligned when odd)
};

// Runs the case through `run` (simd128, or packed simd128) and the reference twin, checks the gamma_K
// bound element-wise and that C's padding rows were not touched. Returns the worst error / bound ratio.
template <typename Run>
double check_gemm_case(const GemmCase& g, Rng& rng, Run run) {
  const int a_rows = g.ta ? g.K : g.M, a_cols = g.ta ? g.M : g.K;
  const int b_rows = g.tb ? g.N : g.K, b_cols = g.tb ? g.K : g.N;
  const int lda = std::max(1, a_rows) + g.pad, ldb = std::max(1, b_rows) + g.pad, ldc = std::max(1, g.M) + g.pad;
  const std::vector<float> A = rng.vec(g.off + static_cast<size_t>(lda) * std::max(1, a_cols));
  const std::vector<float> B = rng.vec(g.off + static_cast<size_t>(ldb) * std::max(1, b_cols));
  std::vector<float> C0 = rng.vec(g.off + static_cast<size_t>(ldc) * g.N);
  if (g.beta == 0.0f)  // beta == 0 must ignore whatever C holds
    for (int j = 0; j < g.N; ++j)
      for (int i = 0; i < g.M; ++i) C0[g.off + i + static_cast<size_t>(j) * ldc] = kNaN;
  std::vector<float> C = C0, Cref = C0;
  const float* a = A.data() + g.off;
  const float* b = B.data() + g.off;
  k::f32_gemm_ref(g.ta, g.tb, g.M, g.N, g.K, g.alpha, a, lda, b, ldb, g.beta, Cref.data() + g.off, ldc);
  run(g, a, lda, b, ldb, C.data() + g.off, ldc);

  auto opA = [&](int i, int kk) { return g.ta ? a[kk + static_cast<size_t>(i) * lda] : a[i + static_cast<size_t>(kk) * lda]; };
  auto opB = [&](int kk, int j) { return g.tb ? b[j + static_cast<size_t>(kk) * ldb] : b[kk + static_cast<size_t>(j) * ldb]; };
  double worst = 0.0;
  const double u = std::ldexp(1.0, -24);
  for (int j = 0; j < g.N; ++j)
    for (int i = 0; i < g.M; ++i) {
      const size_t idx = g.off + i + static_cast<size_t>(j) * ldc;
      double mag = 0.0;
      if (g.alpha != 0.0f)
        for (int kk = 0; kk < g.K; ++kk) mag += std::fabs(static_cast<double>(opA(i, kk)) * opB(kk, j));
      mag *= std::fabs(g.alpha);
      if (g.beta != 0.0f) mag += std::fabs(static_cast<double>(g.beta) * C0[idx]);
      const double bound = 2.0 * (g.K + 2) * u * mag + 1e-30;
      const double err = std::fabs(static_cast<double>(C[idx]) - Cref[idx]);
      if (!std::isfinite(C[idx]) || !(err <= bound)) {
        INFO("ta=" << g.ta << " tb=" << g.tb << " M=" << g.M << " N=" << g.N << " K=" << g.K << " alpha=" << g.alpha
                   << " beta=" << g.beta << " pad=" << g.pad << " off=" << g.off << " at (" << i << "," << j
                   << "): got " << C[idx] << " ref " << Cref[idx] << " bound " << bound);
        REQUIRE(false);
      }
      worst = std::max(worst, err / bound);
    }
  // Rows M..ldc of every column and everything before the offset must be untouched.
  for (int j = 0; j < g.N; ++j) {
    const size_t col = g.off + static_cast<size_t>(j) * ldc;
    REQUIRE(same_bits(C.data() + col + g.M, C0.data() + col + g.M, ldc - g.M));
  }
  REQUIRE(same_bits(C.data(), C0.data(), g.off));
  return worst;
}

auto run_simd = [](const GemmCase& g, const float* a, int lda, const float* b, int ldb, float* c, int ldc) {
  k::f32_gemm_simd128(g.ta, g.tb, g.M, g.N, g.K, g.alpha, a, lda, b, ldb, g.beta, c, ldc);
};
auto run_packed = [](const GemmCase& g, const float* a, int lda, const float* b, int ldb, float* c, int ldc) {
  k::PackedA pa;
  k::f32_pack_a_simd128(g.ta, g.M, g.K, a, lda, pa);
  k::f32_gemm_packed_simd128(pa, g.tb, g.N, g.alpha, b, ldb, g.beta, c, ldc);
};
auto run_packed_ref = [](const GemmCase& g, const float* a, int lda, const float* b, int ldb, float* c, int ldc) {
  k::PackedA pa;
  k::f32_pack_a_ref(g.ta, g.M, g.K, a, lda, pa);
  k::f32_gemm_packed_ref(pa, g.tb, g.N, g.alpha, b, ldb, g.beta, c, ldc);
};

const float kAlphaBeta[][2] = {{1.0f, 0.0f}, {1.0f, 1.0f}, {-0.5f, 2.0f}, {0.75f, 0.0f}, {2.0f, -1.0f}};

}  // namespace

TEST_CASE("f32_gemm_simd128 matches the reference at every size around the 8x4 tile", "[kernels]") {
  // M, N in 1 .. 3*tile+1, K around the unroll and small blocks, all 4 transpose combinations,
  // odd leading dimensions and misaligned offsets, alpha/beta variants (beta 0 with NaN in C).
  Rng rng(1);
  const int Ks[] = {1, 2, 3, 5, 8, 13};
  int n_case = 0;
  double worst = 0.0;
  for (int t = 0; t < 4; ++t)
    for (int M = 1; M <= 25; ++M)
      for (int N = 1; N <= 13; ++N)
        for (int K : Ks) {
          const float* ab = kAlphaBeta[n_case % 5];
          GemmCase g{(t & 1) != 0, (t & 2) != 0, M, N, K, ab[0], ab[1], n_case % 3, n_case % 4};
          worst = std::max(worst, check_gemm_case(g, rng, run_simd));
          ++n_case;
        }
  INFO("worst error / bound = " << worst);
  CHECK(worst <= 1.0);
}

TEST_CASE("f32_gemm_simd128 across the KC, MC, NC blocks and the GEMV path", "[kernels]") {
  Rng rng(2);
  struct Shape { int M, N, K; };
  // KC = 256, MC = 128, NC = 512: sizes one past each block, plus N = 1 (GEMV) and small N.
  const Shape shapes[] = {{300, 70, 600}, {129, 513, 257}, {1024, 1, 256}, {37, 1, 1100}, {70, 1, 3},
                          {1, 1, 1},      {200, 2, 300},   {131, 3, 517},  {8, 33, 256}};
  for (const Shape& s : shapes)
    for (int t = 0; t < 4; ++t)
      for (int ab = 0; ab < 5; ab += 2) {
        GemmCase g{(t & 1) != 0, (t & 2) != 0, s.M, s.N, s.K, kAlphaBeta[ab][0], kAlphaBeta[ab][1], 1 + t, t};
        CHECK(check_gemm_case(g, rng, run_simd) <= 1.0);
      }
}

TEST_CASE("f32_gemm_simd128: alpha == 0 and K == 0 only scale C, M or N == 0 do nothing", "[kernels]") {
  std::vector<float> A(16, kNaN), B(16, kNaN), C{1, 2, 3, 4}, Cref;
  Cref = C;
  k::f32_gemm_simd128(false, false, 2, 2, 2, 0.0f, A.data(), 2, B.data(), 2, 0.5f, C.data(), 2);
  k::f32_gemm_ref(false, false, 2, 2, 2, 0.0f, A.data(), 2, B.data(), 2, 0.5f, Cref.data(), 2);
  CHECK(C == std::vector<float>{0.5f, 1.0f, 1.5f, 2.0f});
  CHECK(Cref == C);
  std::vector<float> Cn(4, kNaN);
  k::f32_gemm_simd128(true, true, 2, 2, 0, 1.0f, A.data(), 1, B.data(), 2, 0.0f, Cn.data(), 2);
  CHECK(Cn == std::vector<float>(4, 0.0f));
  k::f32_gemm_simd128(false, false, 0, 2, 2, 1.0f, A.data(), 1, B.data(), 2, 0.0f, Cn.data(), 1);
  k::f32_gemm_simd128(false, false, 2, 0, 2, 1.0f, A.data(), 2, B.data(), 2, 0.0f, Cn.data(), 2);
  CHECK(Cn == std::vector<float>(4, 0.0f));
}

TEST_CASE("f32_pack_a_simd128 is bit-identical to the reference packing", "[kernels]") {
  Rng rng(3);
  for (int ta = 0; ta < 2; ++ta)
    for (int M = 1; M <= 25; ++M)
      for (int K : {1, 3, 4, 7, 9, 260}) {
        const int rows = ta ? K : M, cols = ta ? M : K, lda = rows + (M % 3), off = M % 4;
        const std::vector<float> A = rng.vec(off + static_cast<size_t>(lda) * cols);
        k::PackedA p, q;
        k::f32_pack_a_ref(ta != 0, M, K, A.data() + off, lda, p);
        k::f32_pack_a_simd128(ta != 0, M, K, A.data() + off, lda, q);
        REQUIRE(p.M == q.M);
        REQUIRE(p.K == q.K);
        REQUIRE(p.panels.size() == q.panels.size());
        REQUIRE(same_bits(p.panels.data(), q.panels.data(), p.panels.size()));
      }
}

TEST_CASE("f32_gemm_packed_{simd128,ref} match f32_gemm_ref", "[kernels]") {
  Rng rng(4);
  int n_case = 0;
  for (int t = 0; t < 4; ++t)
    for (int M = 1; M <= 25; M += 3)
      for (int N = 1; N <= 13; ++N)
        for (int K : {1, 4, 7, 19}) {
          const float* ab = kAlphaBeta[n_case % 5];
          GemmCase g{(t & 1) != 0, (t & 2) != 0, M, N, K, ab[0], ab[1], n_case % 3, n_case % 4};
          CHECK(check_gemm_case(g, rng, run_packed) <= 1.0);
          CHECK(check_gemm_case(g, rng, run_packed_ref) <= 1.0);
          ++n_case;
        }
  // The recurrent shape (W_hh row-major = trans_a) and blocks past KC / MC.
  for (int t = 0; t < 4; ++t) {
    CHECK(check_gemm_case({(t & 1) != 0, (t & 2) != 0, 1024, 32, 256, 1.0f, 1.0f, 0, 0}, rng, run_packed) <= 1.0);
    CHECK(check_gemm_case({(t & 1) != 0, (t & 2) != 0, 300, 17, 600, -0.5f, 0.0f, 3, 1}, rng, run_packed) <= 1.0);
    CHECK(check_gemm_case({(t & 1) != 0, (t & 2) != 0, 131, 1, 517, 1.0f, 2.0f, 1, 3}, rng, run_packed) <= 1.0);
  }
}

// ----------------------------------------------------------------------------------------------------
// Activations

namespace {

double sigmoid_exact(double x) { return 1.0 / (1.0 + std::exp(-x)); }

// Inputs that stress the activations: both saturations, infinities, zeros, subnormals, the tanh
// formula switch at |x| = 0.625, exp's clamps near +-88, and a dense sweep.
std::vector<float> activation_inputs() {
  std::vector<float> v = {0.0f,   -0.0f, kDenorm, -kDenorm, 1e-30f, -1e-30f, 1e-8f,   -1e-8f, 1e-3f,
                          0.624f, 0.625f, 0.626f, -0.625f, 9.0f,   -9.0f,   30.0f,   -30.0f, 87.0f,
                          -87.0f, 88.5f, -88.5f, 89.0f,   -89.0f, 100.0f,  -100.0f, 1e30f,  -1e30f,
                          kInf,   -kInf, std::numeric_limits<float>::min(), -std::numeric_limits<float>::max()};
  for (float x = -20.0f; x <= 20.0f; x += 0.00390625f) v.push_back(x);  // exact binary steps
  Rng rng(5);
  for (int i = 0; i < 20000; ++i) v.push_back(std::ldexp(rng.uniform(-1.0f, 1.0f), static_cast<int>(rng.uniform(-40, 8))));
  return v;
}

// The relative error of `got` against the double-precision truth, with an absolute floor near underflow.
double rel_err(float got, double truth) {
  if (std::isnan(truth)) return std::isnan(got) ? 0.0 : kInf;
  if (std::isinf(truth)) return got == truth ? 0.0 : kInf;
  const double e = std::fabs(got - truth);
  return e <= 1e-37 ? 0.0 : e / std::fabs(truth);
}

}  // namespace

TEST_CASE("tanh_forward_simd128: relative error <= 1e-6, exact at the ends, NaN passes", "[kernels]") {
  std::vector<float> x = activation_inputs();
  std::vector<float> y = x, yref = x;
  k::tanh_forward_simd128(static_cast<int>(y.size()), y.data());
  k::tanh_forward_ref(static_cast<int>(yref.size()), yref.data());
  double worst = 0.0, worst_x = 0.0, worst_ref = 0.0;
  for (size_t i = 0; i < x.size(); ++i) {
    const double e = rel_err(y[i], std::tanh(static_cast<double>(x[i])));
    if (e > worst) worst = e, worst_x = x[i];
    worst_ref = std::max(worst_ref, rel_err(yref[i], std::tanh(static_cast<double>(x[i]))));  // the twin
  }
  INFO("worst relative error " << worst << " at x = " << worst_x << "; reference twin " << worst_ref);
  CHECK(worst <= 1e-6);
  CHECK(worst_ref <= 1e-6);
  std::vector<float> s = {kInf, -kInf, 9.5f, -9.5f, 30.0f, -30.0f, 0.0f, -0.0f, kDenorm, -kDenorm, kNaN};
  k::tanh_forward_simd128(static_cast<int>(s.size()), s.data());
  CHECK(s[0] == 1.0f);
  CHECK(s[1] == -1.0f);
  CHECK(s[2] == 1.0f);
  CHECK(s[3] == -1.0f);
  CHECK(s[4] == 1.0f);
  CHECK(s[5] == -1.0f);
  CHECK((s[6] == 0.0f && !std::signbit(s[6])));
  CHECK((s[7] == 0.0f && std::signbit(s[7])));
  CHECK(s[8] == kDenorm);
  CHECK(s[9] == -kDenorm);
  CHECK(std::isnan(s[10]));
}

TEST_CASE("tanh_backward_simd128 matches the reference at ragged lengths", "[kernels]") {
  Rng rng(6);
  for (int n = 1; n <= 13; ++n) {
    const std::vector<float> y = rng.vec(n), dy = rng.vec(n, -3.0f, 3.0f);
    std::vector<float> dx(n), dxr(n);
    k::tanh_backward_simd128(n, y.data(), dy.data(), dx.data());
    k::tanh_backward_ref(n, y.data(), dy.data(), dxr.data());
    for (int i = 0; i < n; ++i) CHECK(std::fabs(dx[i] - dxr[i]) <= 1e-6 * std::fabs(dxr[i]) + 1e-7);
  }
}

TEST_CASE("LSTM gate sigmoid: relative error <= 1e-6, exact 0 / 1 at the ends, NaN passes", "[kernels]") {
  // The sigmoid is reached through the LSTM forward: put the inputs in the i gate (H = n, B = 1).
  const std::vector<float> x = activation_inputs();
  const int H = static_cast<int>(x.size());
  std::vector<float> gates(4 * static_cast<size_t>(H), 0.0f);
  std::copy(x.begin(), x.end(), gates.begin());
  const std::vector<float> c_prev(H, 0.0f);
  std::vector<float> c(H), tc(H), h(H);
  k::lstm_pointwise_forward_simd128(H, 1, gates.data(), c_prev.data(), c.data(), tc.data(), h.data());
  double worst = 0.0, worst_x = 0.0;
  for (int i = 0; i < H; ++i) {
    const double e = rel_err(gates[i], sigmoid_exact(x[i]));
    if (e > worst) worst = e, worst_x = x[i];
  }
  INFO("worst relative error " << worst << " at x = " << worst_x);
  CHECK(worst <= 1e-6);

  std::vector<float> s = {kInf, -kInf, 30.0f, -30.0f, 0.0f, kDenorm, kNaN, 120.0f, -120.0f};
  const int n = static_cast<int>(s.size());
  std::vector<float> g(4 * n, 0.0f), cp(n, 0.0f), cc(n), t(n), hh(n);
  std::copy(s.begin(), s.end(), g.begin());
  k::lstm_pointwise_forward_simd128(n, 1, g.data(), cp.data(), cc.data(), t.data(), hh.data());
  CHECK(g[0] == 1.0f);
  CHECK(g[1] == 0.0f);
  CHECK(g[2] == 1.0f);  // 1 / (1 + 9.4e-14) rounds to 1
  CHECK(rel_err(g[3], sigmoid_exact(-30.0)) <= 1e-6);
  CHECK(g[4] == 0.5f);
  CHECK(g[5] == 0.5f);
  CHECK(std::isnan(g[6]));
  CHECK(g[7] == 1.0f);
  CHECK(g[8] <= 1e-37f);
  CHECK(g[8] >= 0.0f);
}

namespace {

// Random pre-activations in [-6, 6] with the extremes sprinkled in (finite ones only: forward of
// +-inf gate inputs is covered above, and inf * 0 in the cell is legitimately NaN).
std::vector<float> gate_inputs(size_t n, Rng& rng) {
  std::vector<float> v = rng.vec(n, -6.0f, 6.0f);
  const float extremes[] = {30.0f, -30.0f, 0.0f, kDenorm, 12.0f, -12.0f, 0.625f, 88.9f, -88.9f};
  for (size_t i = 0; i < n; i += 5) v[i] = extremes[(i / 5) % 9];
  return v;
}

// |got - ref| <= rel * scale + abs_ element-wise; scale defaults to |ref|. Outputs that are sums of
// terms (c = f c_prev + i g) pass the terms' magnitudes as scale: the activations' relative error
// carries over to the terms, and cancellation between them can make the sum itself tiny.
void check_close(const std::vector<float>& got, const std::vector<float>& ref, double rel, double abs_,
                 const char* what, const std::vector<double>& scale = {}) {
  REQUIRE(got.size() == ref.size());
  for (size_t i = 0; i < got.size(); ++i) {
    const double s = scale.empty() ? std::fabs(ref[i]) : scale[i];
    if (!(std::fabs(static_cast<double>(got[i]) - ref[i]) <= rel * s + abs_)) {
      INFO(what << "[" << i << "] got " << got[i] << " ref " << ref[i] << " scale " << s);
      REQUIRE(false);
    }
  }
}

}  // namespace

TEST_CASE("lstm_pointwise_{forward,backward}_simd128 match the reference", "[kernels]") {
  Rng rng(7);
  for (int B = 1; B <= 3; ++B)
    for (int H : {1, 2, 3, 4, 5, 7, 8, 9, 12, 13, 64}) {
      const size_t n = static_cast<size_t>(H) * B;
      const std::vector<float> pre = gate_inputs(4 * n, rng), c_prev = rng.vec(n, -3.0f, 3.0f);
      std::vector<float> g = pre, gr = pre, c(n), cr(n), t(n), tr(n), h(n), hr(n);
      k::lstm_pointwise_forward_simd128(H, B, g.data(), c_prev.data(), c.data(), t.data(), h.data());
      k::lstm_pointwise_forward_ref(H, B, gr.data(), c_prev.data(), cr.data(), tr.data(), hr.data());
      // forward: activations 1e-6 relative; c, tanh_c, h 1e-6 relative to the magnitude of c's terms
      std::vector<double> terms(n), terms_t(n), terms_h(n);
      for (int b = 0; b < B; ++b)
        for (int j = 0; j < H; ++j) {
          const size_t o = j + static_cast<size_t>(b) * H;
          const float* gb = gr.data() + static_cast<size_t>(b) * 4 * H;
          terms[o] = std::fabs(gb[H + j] * c_prev[o]) + std::fabs(gb[j] * gb[2 * H + j]);
          terms_t[o] = terms[o] + std::fabs(tr[o]);
          terms_h[o] = terms_t[o] + std::fabs(hr[o]);
        }
      check_close(g, gr, 1e-6, 1e-37, "gates");
      check_close(c, cr, 1e-6, 1e-37, "c", terms);
      check_close(t, tr, 1e-6, 1e-37, "tanh_c", terms_t);
      check_close(h, hr, 1e-6, 1e-37, "h", terms_h);

      // backward from the same (reference) activations: rounding only, 1e-6 relative + 1e-7 absolute
      const std::vector<float> dh = rng.vec(n), dc0 = rng.vec(n);
      std::vector<float> dc = dc0, dcr = dc0, dg(4 * n), dgr(4 * n);
      k::lstm_pointwise_backward_simd128(H, B, gr.data(), c_prev.data(), tr.data(), dh.data(), dc.data(), dg.data());
      k::lstm_pointwise_backward_ref(H, B, gr.data(), c_prev.data(), tr.data(), dh.data(), dcr.data(), dgr.data());
      check_close(dg, dgr, 1e-6, 1e-7, "dgates");
      check_close(dc, dcr, 1e-6, 1e-7, "dc_prev");
    }
}

TEST_CASE("lstm_pointwise_backward_ref is the gradient of the forward (finite differences)", "[kernels]") {
  // Guards the twins' shared formulas: L = sum(wh * h) + sum(wc * c), checked against central
  // differences in every pre-activation and in c_prev.
  Rng rng(8);
  const int H = 3, B = 2;
  const size_t n = H * B;
  const std::vector<float> pre = rng.vec(4 * n, -2.0f, 2.0f), c_prev = rng.vec(n), wh = rng.vec(n), wc = rng.vec(n);
  auto loss = [&](const std::vector<float>& p, const std::vector<float>& cp) {
    std::vector<float> g = p, c(n), t(n), h(n);
    k::lstm_pointwise_forward_ref(H, B, g.data(), cp.data(), c.data(), t.data(), h.data());
    double s = 0.0;
    for (size_t i = 0; i < n; ++i) s += static_cast<double>(wh[i]) * h[i] + static_cast<double>(wc[i]) * c[i];
    return s;
  };
  std::vector<float> g = pre, c(n), t(n), h(n);
  k::lstm_pointwise_forward_ref(H, B, g.data(), c_prev.data(), c.data(), t.data(), h.data());
  std::vector<float> dc = wc, dg(4 * n);
  k::lstm_pointwise_backward_simd128(H, B, g.data(), c_prev.data(), t.data(), wh.data(), dc.data(), dg.data());
  const float eps = 1e-2f;
  for (size_t i = 0; i < 4 * n; ++i) {
    std::vector<float> p = pre, m = pre;
    p[i] += eps;
    m[i] -= eps;
    CHECK(dg[i] == Approx((loss(p, c_prev) - loss(m, c_prev)) / (2 * eps)).margin(2e-3));
  }
  for (size_t i = 0; i < n; ++i) {
    std::vector<float> p = c_prev, m = c_prev;
    p[i] += eps;
    m[i] -= eps;
    CHECK(dc[i] == Approx((loss(pre, p) - loss(pre, m)) / (2 * eps)).margin(2e-3));
  }
}

TEST_CASE("gru_pointwise_{forward,backward}_simd128 match the reference", "[kernels]") {
  Rng rng(9);
  for (int B = 1; B <= 3; ++B)
    for (int H : {1, 2, 3, 4, 5, 7, 8, 9, 12, 13, 64}) {
      const size_t n = static_cast<size_t>(H) * B;
      const std::vector<float> xg = gate_inputs(3 * n, rng), hg = gate_inputs(3 * n, rng), hp = rng.vec(n);
      std::vector<float> act(3 * n), actr(3 * n), h(n), hr(n);
      k::gru_pointwise_forward_simd128(H, B, xg.data(), hg.data(), hp.data(), act.data(), h.data());
      k::gru_pointwise_forward_ref(H, B, xg.data(), hg.data(), hp.data(), actr.data(), hr.data());
      // r, z: 1e-6 relative; n = tanh(xn + r hn) also carries r's error: scale |n| + |r hn|;
      // h = n + z (h_prev - n): scale |n| + |r hn| + |z (h_prev - n)| + |h|
      std::vector<double> sa(3 * n), sh(n);
      for (int b = 0; b < B; ++b)
        for (int j = 0; j < H; ++j) {
          const size_t g = static_cast<size_t>(b) * 3 * H, o = j + static_cast<size_t>(b) * H;
          const double r = actr[g + j], z = actr[g + H + j], nn = actr[g + 2 * H + j];
          sa[g + j] = std::fabs(r);
          sa[g + H + j] = std::fabs(z);
          sa[g + 2 * H + j] = std::fabs(nn) + std::fabs(r * hg[g + 2 * H + j]);
          sh[o] = sa[g + 2 * H + j] + std::fabs(z * (hp[o] - nn)) + std::fabs(hr[o]);
        }
      check_close(act, actr, 1e-6, 1e-37, "act", sa);
      check_close(h, hr, 1e-6, 1e-37, "h", sh);

      const std::vector<float> dh = rng.vec(n);
      std::vector<float> dxg(3 * n), dxgr(3 * n), dhg(3 * n), dhgr(3 * n), dhp(n), dhpr(n);
      k::gru_pointwise_backward_simd128(H, B, actr.data(), hg.data(), hp.data(), dh.data(), dxg.data(), dhg.data(), dhp.data());
      k::gru_pointwise_backward_ref(H, B, actr.data(), hg.data(), hp.data(), dh.data(), dxgr.data(), dhgr.data(), dhpr.data());
      check_close(dxg, dxgr, 1e-6, 1e-7, "dxg");
      check_close(dhg, dhgr, 1e-6, 1e-7, "dhg");
      check_close(dhp, dhpr, 1e-6, 1e-7, "dh_prev_partial");
    }
}

TEST_CASE("gru_pointwise_backward_ref is the gradient of the forward (finite differences)", "[kernels]") {
  Rng rng(10);
  const int H = 3, B = 2;
  const size_t n = H * B;
  const std::vector<float> xg = rng.vec(3 * n, -2.0f, 2.0f), hg = rng.vec(3 * n, -2.0f, 2.0f), hp = rng.vec(n),
                           w = rng.vec(n);
  auto loss = [&](const std::vector<float>& x, const std::vector<float>& hh, const std::vector<float>& h0) {
    std::vector<float> act(3 * n), h(n);
    k::gru_pointwise_forward_ref(H, B, x.data(), hh.data(), h0.data(), act.data(), h.data());
    double s = 0.0;
    for (size_t i = 0; i < n; ++i) s += static_cast<double>(w[i]) * h[i];
    return s;
  };
  std::vector<float> act(3 * n), h(n), dxg(3 * n), dhg(3 * n), dhp(n);
  k::gru_pointwise_forward_ref(H, B, xg.data(), hg.data(), hp.data(), act.data(), h.data());
  k::gru_pointwise_backward_simd128(H, B, act.data(), hg.data(), hp.data(), w.data(), dxg.data(), dhg.data(), dhp.data());
  const float eps = 1e-2f;
  for (size_t i = 0; i < 3 * n; ++i) {
    std::vector<float> p = xg, m = xg;
    p[i] += eps;
    m[i] -= eps;
    CHECK(dxg[i] == Approx((loss(p, hg, hp) - loss(m, hg, hp)) / (2 * eps)).margin(2e-3));
    p = hg;
    m = hg;
    p[i] += eps;
    m[i] -= eps;
    CHECK(dhg[i] == Approx((loss(xg, p, hp) - loss(xg, m, hp)) / (2 * eps)).margin(2e-3));
  }
  // dh_prev_partial is only the direct path (h_prev enters through z * h_prev, not through hg).
  for (size_t i = 0; i < n; ++i) {
    std::vector<float> p = hp, m = hp;
    p[i] += eps;
    m[i] -= eps;
    CHECK(dhp[i] == Approx((loss(xg, hg, p) - loss(xg, hg, m)) / (2 * eps)).margin(2e-3));
  }
}

// ----------------------------------------------------------------------------------------------------
// Softmax + cross-entropy

namespace {

// Runs both twins on the same logits (out of place, leading dimensions V + pad) and checks
//   |d - d_ref| <= |scale| (2e-6 p_ref + 2e-7)   and   |loss - loss_ref| <= 1e-5 (1 + loss_ref).
void check_softmax(int V, int N, const std::vector<float>& logits, int ld, const std::vector<int32_t>& tg,
                   float scale) {
  const int ld_d = V + 1;
  std::vector<float> d(static_cast<size_t>(ld_d) * N, -7.0f), dr = d;
  const double loss = k::softmax_xent_simd128(V, N, logits.data(), ld, tg.data(), scale, d.data(), ld_d);
  const double lr = k::softmax_xent_ref(V, N, logits.data(), ld, tg.data(), scale, dr.data(), ld_d);
  REQUIRE(std::isfinite(loss));
  CHECK(std::fabs(loss - lr) <= 1e-5 * (1.0 + std::fabs(lr)));
  for (int n = 0; n < N; ++n) {
    for (int v = 0; v < V; ++v) {
      const size_t i = v + static_cast<size_t>(n) * ld_d;
      REQUIRE(std::isfinite(d[i]));
      const double p = dr[i] / scale + (v == tg[n] ? 1.0 : 0.0);
      if (!(std::fabs(d[i] - dr[i]) <= std::fabs(scale) * (2e-6 * p + 2e-7))) {
        INFO("V=" << V << " N=" << N << " at (" << v << "," << n << "): got " << d[i] << " ref " << dr[i]);
        REQUIRE(false);
      }
    }
    CHECK(d[V + static_cast<size_t>(n) * ld_d] == -7.0f);  // padding row untouched
  }
}

}  // namespace

TEST_CASE("softmax_xent_simd128 matches the reference, ragged V and odd ld", "[kernels]") {
  Rng rng(11);
  for (int V : {1, 2, 3, 4, 5, 7, 8, 9, 12, 13, 63, 64, 65, 257})
    for (int N : {1, 2, 5}) {
      const int ld = V + 3;
      const std::vector<float> x = rng.vec(static_cast<size_t>(ld) * N, -4.0f, 4.0f);
      std::vector<int32_t> tg(N);
      for (int n = 0; n < N; ++n) tg[n] = (n * 7 + V / 2) % V;
      check_softmax(V, N, x, ld, tg, 1.0f);
      check_softmax(V, N, x, ld, tg, 1.0f / 2048.0f);  // the trainer's 1 / (B T)
      std::vector<float> neg = x;                         // all logits negative: padding must not win
      for (float& v : neg) v -= 100.0f;
      check_softmax(V, N, neg, ld, tg, 1.0f);
    }
}

TEST_CASE("softmax_xent_simd128 at temperature 0.05 and huge logits stays finite", "[kernels]") {
  Rng rng(12);
  for (int V : {5, 65, 200}) {
    const int N = 3, ld = V;
    std::vector<float> x = rng.vec(static_cast<size_t>(ld) * N, -10.0f, 10.0f);
    for (float& v : x) v /= 0.05f;  // logits / temperature: spread of 400
    std::vector<int32_t> tg = {0, V - 1, V / 2};
    check_softmax(V, N, x, ld, tg, 1.0f);
    for (float& v : x) v *= 1e3f;   // spread of 4e5: every exp but the max underflows
    check_softmax(V, N, x, ld, tg, 0.5f);
    x.assign(x.size(), 1e30f);      // all equal and huge: uniform distribution
    const int32_t t0 = 1;
    std::vector<float> d(V);
    const double loss = k::softmax_xent_simd128(V, 1, x.data(), ld, &t0, 1.0f, d.data(), V);
    CHECK(loss == Approx(std::log(static_cast<double>(V))).epsilon(1e-6));
  }
}

TEST_CASE("softmax_xent_simd128 may write dlogits over the logits", "[kernels]") {
  Rng rng(13);
  const int V = 67, N = 4, ld = 70;
  const std::vector<float> x = rng.vec(static_cast<size_t>(ld) * N, -5.0f, 5.0f);
  const std::vector<int32_t> tg = {3, 66, 0, 31};
  std::vector<float> in_place = x, out(x.size());
  const double l1 = k::softmax_xent_simd128(V, N, in_place.data(), ld, tg.data(), 0.25f, in_place.data(), ld);
  const double l2 = k::softmax_xent_simd128(V, N, x.data(), ld, tg.data(), 0.25f, out.data(), ld);
  CHECK(l1 == l2);
  for (int n = 0; n < N; ++n)
    for (int v = 0; v < V; ++v) CHECK(in_place[v + n * ld] == out[v + n * ld]);
}

TEST_CASE("f32_softmax_weights_simd128 matches the reference: ragged n, offsets, temperatures", "[kernels]") {
  Rng rng(13);
  for (int n : {1, 2, 3, 4, 5, 7, 8, 9, 13, 64, 65, 66})
    for (int off : {0, 1, 3})
      for (float inv_t : {1.0f, 1.0f / 0.8f, 20.0f, 100.0f}) {
        std::vector<float> x = rng.vec(static_cast<size_t>(n + off), -6.0f, 6.0f);
        const float* xs = x.data() + off;
        const float top = *std::max_element(xs, xs + n);
        std::vector<float> w(static_cast<size_t>(n + off + 1), -7.0f), wr = w;
        k::f32_softmax_weights_simd128(n, xs, top, inv_t, w.data() + off);
        k::f32_softmax_weights_ref(n, xs, top, inv_t, wr.data() + off);
        for (int v = 0; v < n; ++v) {
          const float a = w[static_cast<size_t>(off + v)], b = wr[static_cast<size_t>(off + v)];
          INFO("n=" << n << " off=" << off << " inv_t=" << inv_t << " v=" << v << ": " << a << " vs " << b);
          REQUIRE(std::fabs(a - b) <= 1e-6f * b + 1.2e-38f);
          REQUIRE(a <= 1.0f);
        }
        CHECK(w[static_cast<size_t>(off + n)] == -7.0f);   // nothing written past n
        CHECK(w[static_cast<size_t>(std::max_element(xs, xs + n) - x.data())] == 1.0f);   // the max has weight 1
      }
}
