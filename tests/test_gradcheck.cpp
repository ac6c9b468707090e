// Gradient checks in double: every parameter block of every cell type, plus h0 and c0, through T = 4 steps and
// 2 layers, against central finite differences of the real loss (mean cross-entropy).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>

#include "rnnlab/network.hpp"
#include "rnnlab/token_table.hpp"

using namespace rnnlab;

namespace {

struct Problem {
  int V = 6, T = 4, B = 3;
  std::vector<int32_t> x, y;
  std::vector<double> params;
  RecurrentState<double> h0;
};

Problem make_problem(const Network<double>& net, uint64_t seed) {
  Problem p;
  p.V = net.vocab_size();
  Rng rng(seed);
  for (int i = 0; i < p.T * p.B; ++i) {
    p.x.push_back(static_cast<int32_t>(rng.below(static_cast<uint64_t>(p.V))));
    p.y.push_back(static_cast<int32_t>(rng.below(static_cast<uint64_t>(p.V))));
  }
  p.params.resize(net.layout().total());
  // Wider than the default init so gates leave their linear region and saturation bugs show.
  for (auto& w : p.params) w = rng.uniform(-0.8, 0.8);
  p.h0 = net.zero_state(p.B);
  for (auto& m : p.h0.h) for (Eigen::Index i = 0; i < m.size(); ++i) m.data()[i] = rng.uniform(-0.9, 0.9);
  for (auto& m : p.h0.c) for (Eigen::Index i = 0; i < m.size(); ++i) m.data()[i] = rng.uniform(-0.9, 0.9);
  return p;
}

// The loss with a fixed dropout mask: the same DropoutKey draws the same masks for every evaluation.
double loss_at(const Network<double>& net, const Problem& p, const std::vector<double>& params,
               const RecurrentState<double>& h0) {
  RecurrentState<double> state = h0;
  ForwardCache<double> cache;
  const DropoutKey dropout{77, 3, 0};
  return net.forward(params.data(), p.x.data(), p.y.data(), p.T, p.B, state, cache, &dropout);
}

// Relative error of a whole block: ||analytic - numeric|| / max(||analytic||, ||numeric||). Per-element ratios
// would be dominated by finite-difference rounding on entries whose gradient is nearly zero.
double block_rel_error(const std::vector<double>& analytic, const std::vector<double>& numeric) {
  double diff = 0, na = 0, nn = 0;
  for (size_t i = 0; i < analytic.size(); ++i) {
    diff += (analytic[i] - numeric[i]) * (analytic[i] - numeric[i]);
    na += analytic[i] * analytic[i];
    nn += numeric[i] * numeric[i];
  }
  return std::sqrt(diff) / std::max({std::sqrt(na), std::sqrt(nn), 1e-300});
}

// V = 6 gives N = T*B = 12 >= 2V, so layer 0 goes through the per-token table (token_table.hpp); V = 7 takes the
// per-character embedding path.
void gradcheck(ModelConfig cfg, int V = 6) {
  Network<double> net(cfg, V);
  Problem p = make_problem(net, 2024);
  RecurrentState<double> state = p.h0, dstate0 = net.zero_state(p.B);
  ForwardCache<double> cache;
  const DropoutKey dropout{77, 3, 0};
  net.forward(p.params.data(), p.x.data(), p.y.data(), p.T, p.B, state, cache, &dropout);
  std::vector<double> grads(p.params.size(), 0.0);
  net.backward(p.params.data(), cache, grads.data(), &dstate0);

  const double eps = 1e-5;
  for (const ParamBlock& b : net.layout().blocks()) {
    std::vector<double> analytic(grads.begin() + b.offset, grads.begin() + b.offset + b.size), numeric;
    double total_abs = 0;
    for (size_t i = 0; i < b.size; ++i) {
      std::vector<double> plus = p.params, minus = p.params;
      plus[b.offset + i] += eps;
      minus[b.offset + i] -= eps;
      numeric.push_back((loss_at(net, p, plus, p.h0) - loss_at(net, p, minus, p.h0)) / (2 * eps));
      total_abs += std::abs(numeric.back());
    }
    INFO(to_string(cfg.cell) << " block " << b.name);
    CHECK(total_abs > 1e-4);   // the block really influences the loss, so the check is not vacuous
    CHECK(block_rel_error(analytic, numeric) < 1e-7);
  }
  auto check_state = [&](bool cell_state) {
    for (size_t k = 0; k < p.h0.h.size(); ++k) {
      const Mat<double>& a = cell_state ? dstate0.c[k] : dstate0.h[k];
      std::vector<double> analytic(a.data(), a.data() + a.size()), numeric;
      for (Eigen::Index i = 0; i < a.size(); ++i) {
        RecurrentState<double> plus = p.h0, minus = p.h0;
        (cell_state ? plus.c[k] : plus.h[k]).data()[i] += eps;
        (cell_state ? minus.c[k] : minus.h[k]).data()[i] -= eps;
        numeric.push_back((loss_at(net, p, p.params, plus) - loss_at(net, p, p.params, minus)) / (2 * eps));
      }
      INFO(to_string(cfg.cell) << (cell_state ? " c0" : " h0") << " layer " << k);
      CHECK(block_rel_error(analytic, numeric) < 1e-7);
    }
  };
  check_state(false);
  if (has_cell_state(cfg.cell)) check_state(true);
}

ModelConfig small(CellType cell, int embed, float dropout = 0.0f) {
  ModelConfig m;
  m.cell = cell;
  m.layers = 2;
  m.hidden = 5;
  m.embed = embed;
  m.dropout = dropout;
  return m;
}

}  // namespace

TEST_CASE("gradient check: vanilla RNN, embedding, 2 layers", "[gradcheck]") { gradcheck(small(CellType::rnn_tanh, 3)); }
TEST_CASE("gradient check: LSTM, embedding, 2 layers", "[gradcheck]") { gradcheck(small(CellType::lstm, 3)); }
TEST_CASE("gradient check: GRU, embedding, 2 layers", "[gradcheck]") { gradcheck(small(CellType::gru, 3)); }
TEST_CASE("gradient check: embedding without the per-token table (V > T*B/2)", "[gradcheck]") {
  REQUIRE_FALSE(use_token_table(7, 4 * 3));
  REQUIRE(use_token_table(6, 4 * 3));
  gradcheck(small(CellType::lstm, 3), 7);
  gradcheck(small(CellType::gru, 3), 7);
}
TEST_CASE("gradient check: one-hot input for every cell", "[gradcheck]") {
  gradcheck(small(CellType::rnn_tanh, 0));
  gradcheck(small(CellType::lstm, 0));
  gradcheck(small(CellType::gru, 0));
}
TEST_CASE("gradient check: dropout between layers (fixed mask)", "[gradcheck]") {
  gradcheck(small(CellType::lstm, 3, 0.3f));
  gradcheck(small(CellType::gru, 3, 0.3f));
}
TEST_CASE("gradient check: LSTM variants (peephole, CIFG, no forget gate), 2 layers", "[gradcheck]") {
  gradcheck(small(CellType::lstm_peephole, 3));
  gradcheck(small(CellType::lstm_cifg, 3));
  gradcheck(small(CellType::lstm_nfg, 0));
  gradcheck(small(CellType::lstm_peephole, 3, 0.3f));
}
TEST_CASE("gradient check: 3 stacked layers", "[gradcheck]") {
  ModelConfig m = small(CellType::lstm, 3);
  m.layers = 3;
  gradcheck(m);
}
