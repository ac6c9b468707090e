// The step-through's numbers (unrolled.hpp): they are the engine's own forward and backward for the input, and the
// chain rule they show is right (finite differences in double), for every cell type, input kind and depth.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>

#include "rnnlab/unrolled.hpp"
#include "fixtures.hpp"

using namespace rnnlab;
using namespace rnnlab::fixtures;

namespace {

// Every cell, one-hot and embedded, 1 to 4 layers (a spread, not the full product, to keep the suite quick).
std::vector<ModelConfig> configs() {
  std::vector<ModelConfig> out;
  int i = 0;
  for (CellType cell : kAllCells)
    for (int embed : {0, 3}) out.push_back(model_config(cell, 1 + (i++ % 4), 4, embed));
  return out;
}

template <typename S>
struct Fixture {
  Network<S> net;
  std::vector<S> params;
  std::vector<int32_t> tokens;
  Fixture(const ModelConfig& m, int V, int n, uint64_t seed, double spread = 0.0) : net(m, V) {
    Rng rng(seed);
    params.assign(net.layout().total(), S(0));
    net.init_params(rng, params.data());
    // Wider than the default init so gates saturate and a wrong derivative shows.
    if (spread > 0) for (auto& w : params) w = static_cast<S>(rng.uniform(-spread, spread));
    for (int i = 0; i < n; ++i) tokens.push_back(static_cast<int32_t>(rng.below(static_cast<uint64_t>(V))));
  }
};

// The training path for the same input: one forward and one backward over T = n - 1 steps, B = 1, zero state.
// grads is a Slab like the trace's: Eigen's vectorised loops may round differently at another alignment.
template <typename S>
double engine_gradient(const Fixture<S>& f, Slab<S>& grads) {
  RecurrentState<S> state = f.net.zero_state(1);
  ForwardCache<S> cache;
  const int T = static_cast<int>(f.tokens.size()) - 1;
  const double loss = f.net.forward(f.params.data(), f.tokens.data(), f.tokens.data() + 1, T, 1, state, cache, nullptr);
  grads.assign(f.params.size(), S(0));
  f.net.backward(f.params.data(), cache, grads.data());
  return loss;
}

// ||a - b|| / max(||a||, ||b||) over a block.
template <typename S>
double block_rel(const S* a, const S* b, size_t n) {
  double d = 0, na = 0, nb = 0;
  for (size_t i = 0; i < n; ++i) {
    d += (static_cast<double>(a[i]) - b[i]) * (static_cast<double>(a[i]) - b[i]);
    na += static_cast<double>(a[i]) * a[i];
    nb += static_cast<double>(b[i]) * b[i];
  }
  return std::sqrt(d) / std::max({std::sqrt(na), std::sqrt(nb), 1e-300});
}

// Analytic vs centred differences (eps = 1e-5) in double: the difference's own rounding is ~1e-16 * |L| / eps
// ~ 1e-11 per entry, which dominates in the small gradients of a 4-layer model's bottom layers, hence the absolute
// floor of 1e-9 per block beside the relative 1e-7.
bool fd_close(const double* analytic, const double* numeric, size_t n) {
  double d = 0, na = 0, nn = 0;
  for (size_t i = 0; i < n; ++i) {
    d += (analytic[i] - numeric[i]) * (analytic[i] - numeric[i]);
    na += analytic[i] * analytic[i];
    nn += numeric[i] * numeric[i];
  }
  return std::sqrt(d) <= 1e-7 * std::max(std::sqrt(na), std::sqrt(nn)) + 1e-9;
}

}  // namespace

TEST_CASE("unrolled: per-step losses sum to the training loss, gradients are the engine's bit for bit (float)",
          "[unrolled]") {
  for (const ModelConfig& m : configs()) {
    INFO(to_string(m.cell) << " layers " << m.layers << " embed " << m.embed);
    Fixture<float> f(m, 5, 12, 7);
    Slab<float> grads;
    const double loss = engine_gradient(f, grads);
    const Unrolled<float> u = unroll(f.net, f.params.data(), f.tokens, f.net.zero_state(1));
    double sum = 0;
    for (double l : u.loss) sum += l;
    CHECK(u.mean_loss == loss);
#if defined(__wasm_simd128__)
    CHECK(sum / u.T == Approx(loss).epsilon(1e-14));   // the kernel's log of a product vs a sum of logs
#else
    CHECK(sum / u.T == loss);
#endif
    REQUIRE(u.grads.size() == grads.size());
    CHECK(std::memcmp(u.grads.data(), grads.data(), grads.size() * sizeof(float)) == 0);
    // The running sums (accumulated backward in time in another order) reach the same totals up to rounding.
    for (int k = 0; k < u.L; ++k) {
      const LayerBlocks& lb = f.net.layout().layer(k);
      const UnrolledLayer<float>& y = u.layers[static_cast<size_t>(k)];
      const size_t GH = static_cast<size_t>(u.G * u.H);
      REQUIRE(u.printable);
      CHECK(block_rel(y.run_w_hh.data(), grads.data() + lb.weight_hh, GH * u.H) < 1e-5);
      CHECK(block_rel(y.run_w_ih.data(), grads.data() + lb.weight_ih, GH * y.in) < 1e-5);
      CHECK(block_rel(y.run_b_ih.data(), grads.data() + lb.bias_ih, GH) < 1e-5);
      CHECK(block_rel(y.run_b_hh.data(), grads.data() + lb.bias_hh, GH) < 1e-5);
    }
  }
}

TEST_CASE("unrolled: the weight gradients and every running sum match finite differences (double)", "[unrolled]") {
  for (const ModelConfig& m : configs()) {
    INFO(to_string(m.cell) << " layers " << m.layers << " embed " << m.embed);
    Fixture<double> f(m, 5, 7, 11, 0.8);
    const Unrolled<double> u = unroll(f.net, f.params.data(), f.tokens, f.net.zero_state(1));
    const double eps = 1e-5;
    std::vector<double> w = f.params, numeric(w.size(), 0.0);
    for (const ParamBlock& b : f.net.layout().blocks())
      for (size_t i = b.offset; i < b.offset + b.size; ++i) {
        const double keep = w[i];
        w[i] = keep + eps;
        const double plus = unrolled_loss(f.net, w.data(), f.tokens, f.net.zero_state(1));
        w[i] = keep - eps;
        numeric[i] = (plus - unrolled_loss(f.net, w.data(), f.tokens, f.net.zero_state(1))) / (2 * eps);
        w[i] = keep;
      }
    for (const ParamBlock& b : f.net.layout().blocks()) {
      INFO(b.name);
      CHECK(fd_close(u.grads.data() + b.offset, numeric.data() + b.offset, b.size));
    }
    for (int k = 0; k < u.L; ++k) {
      const LayerBlocks& lb = f.net.layout().layer(k);
      const UnrolledLayer<double>& y = u.layers[static_cast<size_t>(k)];
      const size_t GH = static_cast<size_t>(u.G * u.H);
      INFO("running sums at t = 0, layer " << k);
      CHECK(fd_close(y.run_w_hh.data(), numeric.data() + lb.weight_hh, GH * u.H));
      CHECK(fd_close(y.run_w_ih.data(), numeric.data() + lb.weight_ih, GH * static_cast<size_t>(y.in)));
      CHECK(fd_close(y.run_b_ih.data(), numeric.data() + lb.bias_ih, GH));
      CHECK(fd_close(y.run_b_hh.data(), numeric.data() + lb.bias_hh, GH));
    }
  }
}

// dh_future[t] is dL/dh_t through step t+1 only: perturbing the state carried after step t and running the rest
// measures exactly that path (the loss of steps <= t is already fixed). Likewise dc_future for the LSTM family.
TEST_CASE("unrolled: the gradient arriving from the future at every step matches finite differences (double)",
          "[unrolled]") {
  for (const ModelConfig& m : configs()) {
    INFO(to_string(m.cell) << " layers " << m.layers << " embed " << m.embed);
    Fixture<double> f(m, 5, 7, 13, 0.8);
    const Unrolled<double> u = unroll(f.net, f.params.data(), f.tokens, f.net.zero_state(1));
    const int T = u.T;
    for (int t = 0; t + 1 < T; ++t) {
      RecurrentState<double> after = f.net.zero_state(1);
      ForwardCache<double> cache;
      f.net.forward(f.params.data(), f.tokens.data(), f.tokens.data() + 1, t + 1, 1, after, cache, nullptr);
      const std::vector<int32_t> rest(f.tokens.begin() + t + 1, f.tokens.end());
      const double len = static_cast<double>(T - t - 1);
      auto suffix = [&](const RecurrentState<double>& s) { return unrolled_loss(f.net, f.params.data(), rest, s) * len / T; };
      for (int k = 0; k < u.L; ++k)
        for (bool cell : {false, true}) {
          if (cell && !has_cell_state(m.cell)) continue;
          const int j = (t + k) % u.H;
          RecurrentState<double> plus = after, minus = after;
          auto& pm = cell ? plus.c[static_cast<size_t>(k)] : plus.h[static_cast<size_t>(k)];
          auto& mm = cell ? minus.c[static_cast<size_t>(k)] : minus.h[static_cast<size_t>(k)];
          pm(j, 0) += 1e-5;
          mm(j, 0) -= 1e-5;
          const double numeric = (suffix(plus) - suffix(minus)) / 2e-5;
          const UnrolledLayer<double>& y = u.layers[static_cast<size_t>(k)];
          const double analytic = (cell ? y.dc_future : y.dh_future)[static_cast<size_t>(t) * u.H + j];
          INFO("t " << t << " layer " << k << (cell ? " c" : " h") << " unit " << j);
          CHECK(std::abs(analytic - numeric) <= 1e-8 * std::max(1.0, std::abs(numeric)));
        }
    }
  }
}

// The full dL/dc_t shown beside the recorded dL/dc_{t-1}: backward passes dc_t on to c_{t-1} through the forget
// gate (f = 1 - i coupled, f = 1 without a forget gate).
TEST_CASE("unrolled: dL/dc_t in full carries on to c_{t-1} through the forget gate (double)", "[unrolled]") {
  for (CellType cell : {CellType::lstm, CellType::lstm_cifg, CellType::lstm_nfg}) {
    INFO(to_string(cell));
    Fixture<double> f(model_config(cell, 2, 4, 0), 5, 8, 17, 0.8);
    const Unrolled<double> u = unroll(f.net, f.params.data(), f.tokens, f.net.zero_state(1));
    for (const UnrolledLayer<double>& y : u.layers)
      for (int t = 1; t < u.T; ++t)
        for (int j = 0; j < u.H; ++j) {
          const size_t i = static_cast<size_t>(t) * u.H + j, gi = static_cast<size_t>(t) * u.G * u.H;
          const double forget = cell == CellType::lstm ? y.gates[gi + u.H + j]
                                : cell == CellType::lstm_cifg ? 1.0 - y.gates[gi + j] : 1.0;
          CHECK(y.dc[i] * forget == Approx(y.dc_future[i - u.H]).epsilon(1e-12).margin(1e-15));
        }
  }
}
