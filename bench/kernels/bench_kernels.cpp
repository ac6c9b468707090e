// Kernel benchmark (not a test): GFLOP/s of the GEMM family against Eigen on the W1 shapes
// (2-layer LSTM, H = 256, B = 32, T = 64, so 4H = 1024 and B*T = 2048; tinyshakespeare V = 65), and ns
// per element of the pointwise kernels. Built natively and with em++ (run under node, or in Chromium via
// run_chromium.mjs); see README.md.
//
//   bench_kernels [--quick] [--kernels-only] [--filter SUBSTRING]
//     --quick: 3 batches, no reference on the big shapes; --kernels-only: skip the reference and Eigen
//
// Each cell is the median [best] over 7 timed batches; a batch repeats the call until it lasts >= 25 ms
// (Chromium's timer has 100 us steps, toolchain notes gotcha 10), after a warm-up that lets V8 tier up.
#include "rnnlab/eigen.hpp"
#include "rnnlab/kernels/kernels.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <functional>
#include <random>
#include <string>
#include <vector>

namespace k = rnnlab::kernels;

namespace {

int g_batches = 7;
bool g_kernels_only = false;
double g_batch_seconds = 0.025;

double now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

struct Timing {
  double median, best;  // seconds per call
};

// Times fn: warm-up, calibrate the repeat count to one batch, then g_batches batches.
Timing time_it(const std::function<void()>& fn) {
  double t0 = now();
  int warm = 0;
  while (now() - t0 < 0.05 || warm < 3) fn(), ++warm;
  int reps = 1;
  for (;;) {
    t0 = now();
    for (int r = 0; r < reps; ++r) fn();
    const double dt = now() - t0;
    if (dt >= g_batch_seconds) break;
    reps = dt <= 0 ? reps * 8 : std::max(reps + 1, static_cast<int>(reps * g_batch_seconds * 1.2 / dt));
  }
  std::vector<double> per_call;
  for (int b = 0; b < g_batches; ++b) {
    t0 = now();
    for (int r = 0; r < reps; ++r) fn();
    per_call.push_back((now() - t0) / reps);
  }
  std::sort(per_call.begin(), per_call.end());
  return {per_call[per_call.size() / 2], per_call.front()};
}

std::vector<float> random_vec(size_t n, std::mt19937& g) {
  std::uniform_real_distribution<float> d(-1.0f, 1.0f);
  std::vector<float> v(n);
  for (auto& x : v) x = d(g);
  return v;
}

struct GemmShape {
  const char* name;
  bool ta, tb;
  int M, N, K;
  bool slow_ref;  // skip the reference in --quick mode (it takes seconds per call)
};

// The products of one W1 training step (and sampling), with the transposes the model uses.
const GemmShape kShapes[] = {
    {"recurrent W_hh.h  (T,N)", true, false, 1024, 32, 256, false},
    {"sampling  W_hh.h  (T,N)", true, false, 1024, 1, 256, false},
    {"hoisted   W_ih.X  (T,N)", true, false, 1024, 2048, 64, true},
    {"hoisted   W_ih.X  (T,N)", true, false, 1024, 2048, 256, true},
    {"backward  W^T.dY  (N,N)", false, false, 256, 32, 1024, false},
    {"weight grad X.dY^T (N,T)", false, true, 256, 1024, 2048, true},
    {"output    W_out.H (T,N)", true, false, 65, 2048, 256, true},
    {"output bwd W^T.dZ (N,N)", false, false, 256, 2048, 65, true},
    {"output wgrad H.dZ^T (N,T)", false, true, 256, 65, 2048, true},
    {"small N   W.h     (T,N)", true, false, 1024, 4, 256, false},
};

void bench_gemm(const GemmShape& s, bool quick) {
  std::mt19937 g(42);
  const int lda = s.ta ? s.K : s.M, ldb = s.tb ? s.N : s.K, ldc = s.M;
  const std::vector<float> A = random_vec(static_cast<size_t>(s.M) * s.K, g);
  const std::vector<float> B = random_vec(static_cast<size_t>(s.K) * s.N, g);
  std::vector<float> C = random_vec(static_cast<size_t>(s.M) * s.N, g);
  const double flops = 2.0 * s.M * s.N * s.K;
  auto gflops = [&](Timing t, char* out) {
    std::snprintf(out, 40, "%6.1f [%5.1f]", flops / t.median * 1e-9, flops / t.best * 1e-9);
  };

  char simd[40], packed[40], pack_cost[40], ref[40] = "     -", eig[40];
  gflops(time_it([&] { k::f32_gemm_simd128(s.ta, s.tb, s.M, s.N, s.K, 1.0f, A.data(), lda, B.data(), ldb, 0.0f, C.data(), ldc); }), simd);
  k::PackedA pa;
  k::f32_pack_a_simd128(s.ta, s.M, s.K, A.data(), lda, pa);
  gflops(time_it([&] { k::f32_gemm_packed_simd128(pa, s.tb, s.N, 1.0f, B.data(), ldb, 0.0f, C.data(), ldc); }), packed);
  const Timing tp = time_it([&] { k::f32_pack_a_simd128(s.ta, s.M, s.K, A.data(), lda, pa); });
  std::snprintf(pack_cost, sizeof pack_cost, "%7.1f", tp.median * 1e6);
  if (!g_kernels_only && !(quick && s.slow_ref))
    gflops(time_it([&] { k::f32_gemm_ref(s.ta, s.tb, s.M, s.N, s.K, 1.0f, A.data(), lda, B.data(), ldb, 0.0f, C.data(), ldc); }), ref);
  if (g_kernels_only) {
    std::snprintf(eig, sizeof eig, "     -");
  } else {
    using Map = Eigen::Map<const Eigen::MatrixXf>;
    const Map a(A.data(), lda, s.ta ? s.M : s.K), b(B.data(), ldb, s.tb ? s.K : s.N);
    Eigen::Map<Eigen::MatrixXf> c(C.data(), s.M, s.N);
    std::function<void()> fn;
    if (s.ta && !s.tb) fn = [&] { c.noalias() = a.transpose() * b; };
    else if (!s.ta && !s.tb) fn = [&] { c.noalias() = a * b; };
    else if (!s.ta && s.tb) fn = [&] { c.noalias() = a * b.transpose(); };
    else fn = [&] { c.noalias() = a.transpose() * b.transpose(); };
    gflops(time_it(fn), eig);
  }
  std::printf("| %-26s | %4d %4d %4d | %s | %s | %s | %s | %s |\n", s.name, s.M, s.N, s.K, simd, packed, pack_cost,
              ref, eig);
}

void bench_pointwise() {
  std::mt19937 g(7);
  const int H = 256, B = 32, n = H * B;
  std::vector<float> gates = random_vec(4 * n, g), c_prev = random_vec(n, g), c(n), tc(n), h(n), dh = random_vec(n, g),
                     dc = random_vec(n, g), dg(4 * n), pre = gates;
  std::vector<float> xg = random_vec(3 * n, g), hg = random_vec(3 * n, g), act(3 * n), dxg(3 * n), dhg(3 * n), dhp(n);
  struct Row {
    const char* name;
    double elems;  // per call, for ns/element
    std::function<void()> simd, ref;
  };
  // The forward overwrites its gates: each call restores the pre-activations first (a memcpy of 128 KB
  // counted in both columns), so the timing sees realistic inputs rather than activations of activations.
  const Row rows[] = {
      {"lstm forward  (H256 B32)", 4.0 * n,
       [&] { std::memcpy(gates.data(), pre.data(), 4 * n * 4); k::lstm_pointwise_forward_simd128(H, B, gates.data(), c_prev.data(), c.data(), tc.data(), h.data()); },
       [&] { std::memcpy(gates.data(), pre.data(), 4 * n * 4); k::lstm_pointwise_forward_ref(H, B, gates.data(), c_prev.data(), c.data(), tc.data(), h.data()); }},
      {"lstm backward (H256 B32)", 4.0 * n,
       [&] { k::lstm_pointwise_backward_simd128(H, B, pre.data(), c_prev.data(), tc.data(), dh.data(), dc.data(), dg.data()); },
       [&] { k::lstm_pointwise_backward_ref(H, B, pre.data(), c_prev.data(), tc.data(), dh.data(), dc.data(), dg.data()); }},
      {"gru forward   (H256 B32)", 3.0 * n,
       [&] { k::gru_pointwise_forward_simd128(H, B, xg.data(), hg.data(), c_prev.data(), act.data(), h.data()); },
       [&] { k::gru_pointwise_forward_ref(H, B, xg.data(), hg.data(), c_prev.data(), act.data(), h.data()); }},
      {"gru backward  (H256 B32)", 3.0 * n,
       [&] { k::gru_pointwise_backward_simd128(H, B, act.data(), hg.data(), c_prev.data(), dh.data(), dxg.data(), dhg.data(), dhp.data()); },
       [&] { k::gru_pointwise_backward_ref(H, B, act.data(), hg.data(), c_prev.data(), dh.data(), dxg.data(), dhg.data(), dhp.data()); }},
      {"tanh forward  (n 8192)", 1.0 * n,
       [&] { std::memcpy(h.data(), c_prev.data(), n * 4); k::tanh_forward_simd128(n, h.data()); },
       [&] { std::memcpy(h.data(), c_prev.data(), n * 4); k::tanh_forward_ref(n, h.data()); }},
  };
  std::printf("\n| pointwise | simd128 ns/elem | ref ns/elem |\n|---|---|---|\n");
  for (const Row& r : rows) {
    const Timing ts = time_it(r.simd), tr = time_it(r.ref);
    std::printf("| %s | %6.2f | %6.2f |\n", r.name, ts.median / r.elems * 1e9, tr.median / r.elems * 1e9);
  }

  // Softmax + cross-entropy over a W1 chunk: V = 65 (tinyshakespeare), N = B*T = 2048, and V = 256.
  for (int V : {65, 256}) {
    const int N = 2048;
    std::vector<float> logits = random_vec(static_cast<size_t>(V) * N, g), d(logits.size());
    std::vector<int32_t> tg(N);
    for (int i = 0; i < N; ++i) tg[i] = (i * 31) % V;
    const double el = static_cast<double>(V) * N;
    const Timing ts = time_it([&] { k::softmax_xent_simd128(V, N, logits.data(), V, tg.data(), 1.0f / N, d.data(), V); });
    const Timing tr = time_it([&] { k::softmax_xent_ref(V, N, logits.data(), V, tg.data(), 1.0f / N, d.data(), V); });
    std::printf("| softmax_xent (V%d N2048) | %6.2f | %6.2f |\n", V, ts.median / el * 1e9, tr.median / el * 1e9);
  }
}

}  // namespace

int main(int argc, char** argv) {
  bool quick = false;
  std::string filter;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--quick")) quick = true, g_batches = 3;
    else if (!std::strcmp(argv[i], "--kernels-only")) g_kernels_only = true;
    else if (!std::strcmp(argv[i], "--filter") && i + 1 < argc) filter = argv[++i];
  }
#if defined(__EMSCRIPTEN__)
  const char* where = "wasm";
#else
  const char* where = "native";
#endif
  std::printf("rnnlab kernel benchmark (%s), GFLOP/s median [best] of %d batches\n\n", where, g_batches);
  std::printf("| shape | M N K | simd128 | packed simd128 | pack A us | ref | Eigen |\n|---|---|---|---|---|---|---|\n");
  for (const GemmShape& s : kShapes)
    if (filter.empty() || std::string(s.name).find(filter) != std::string::npos) bench_gemm(s, quick);
  if (filter.empty() || filter == "pointwise") bench_pointwise();
  return 0;
}
