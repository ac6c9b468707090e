// Parity with torch.nn: the golden files hold PyTorch's logits, loss, final state and every gradient
// (float64) for tiny models; the double path must reproduce them, and the float path must stay close.
#include <catch2/catch.hpp>

#include <cmath>

#include "golden_file.hpp"
#include "rnnlab/network.hpp"

using namespace rnnlab;

namespace {

ModelConfig config_from(const test::GoldenFile& g) {
  ModelConfig m;
  m.cell = parse_cell(g.config.at("cell"));
  m.layers = g.config_int("layers");
  m.hidden = g.config_int("hidden");
  m.embed = g.config_int("embed");
  return m;
}

double max_rel_error(const double* got, const std::vector<double>& want) {
  double worst = 0;
  for (size_t i = 0; i < want.size(); ++i) {
    const double scale = std::max(1e-6, std::abs(want[i]));
    worst = std::max(worst, std::abs(got[i] - want[i]) / scale);
  }
  return worst;
}

template <typename S>
struct Run {
  double loss = 0;
  std::vector<S> grads;
  ForwardCache<S> cache;
  RecurrentState<S> state, dstate0;
};

template <typename S>
Run<S> run_golden(const test::GoldenFile& g, Network<S>& net) {
  const int T = g.config_int("unroll"), B = g.config_int("batch"), H = g.config_int("hidden");
  std::vector<S> params(net.layout().total());
  for (const ParamBlock& b : net.layout().blocks()) {
    const auto& v = g.tensor(b.name);
    REQUIRE(v.size() == b.size);
    for (size_t i = 0; i < b.size; ++i) params[b.offset + i] = static_cast<S>(v[i]);
  }
  Run<S> r;
  r.state = net.zero_state(B);
  r.dstate0 = net.zero_state(B);
  const auto& h0 = g.tensor("h0");
  const bool lstm = net.config().cell == CellType::lstm;
  for (size_t k = 0; k < r.state.h.size(); ++k)
    for (int i = 0; i < H * B; ++i) {
      r.state.h[k].data()[i] = static_cast<S>(h0[k * H * B + i]);
      if (lstm) r.state.c[k].data()[i] = static_cast<S>(g.tensor("c0")[k * H * B + i]);
    }
  const auto& x = g.ints.at("x");
  const auto& y = g.ints.at("y");
  std::vector<int32_t> xi(x.begin(), x.end()), yi(y.begin(), y.end());
  r.loss = net.forward(params.data(), xi.data(), yi.data(), T, B, r.state, r.cache, nullptr);
  r.grads.assign(params.size(), S(0));
  net.backward(params.data(), r.cache, r.grads.data(), &r.dstate0);
  return r;
}

void check_file(const std::string& name) {
  const auto g = test::read_golden(test::test_data_path("golden/" + name));
  const int V = g.config_int("vocab");
  INFO("golden file " << name);

  Network<double> net(config_from(g), V);
  Run<double> r = run_golden(g, net);
  const bool lstm = net.config().cell == CellType::lstm;

  CHECK(r.loss == Approx(g.scalars.at("loss")).epsilon(1e-12));
  CHECK(max_rel_error(r.cache.logits.data(), g.tensor("logits")) < 1e-10);
  const int H = net.config().hidden, B = g.config_int("batch");
  for (size_t k = 0; k < r.state.h.size(); ++k) {
    std::vector<double> want(g.tensor("h_n").begin() + k * H * B, g.tensor("h_n").begin() + (k + 1) * H * B);
    CHECK(max_rel_error(r.state.h[k].data(), want) < 1e-10);
    if (lstm) {
      std::vector<double> wc(g.tensor("c_n").begin() + k * H * B, g.tensor("c_n").begin() + (k + 1) * H * B);
      CHECK(max_rel_error(r.state.c[k].data(), wc) < 1e-10);
    }
  }
  for (const ParamBlock& b : net.layout().blocks()) {
    INFO("gradient of " << b.name);
    CHECK(max_rel_error(r.grads.data() + b.offset, g.tensor("grad." + b.name)) < 1e-9);
  }
  for (size_t k = 0; k < r.dstate0.h.size(); ++k) {
    const auto& gh = g.tensor("grad.h0");
    std::vector<double> want(gh.begin() + k * H * B, gh.begin() + (k + 1) * H * B);
    INFO("gradient of h0, layer " << k);
    CHECK(max_rel_error(r.dstate0.h[k].data(), want) < 1e-9);
    if (lstm) {
      const auto& gc = g.tensor("grad.c0");
      std::vector<double> wc(gc.begin() + k * H * B, gc.begin() + (k + 1) * H * B);
      CHECK(max_rel_error(r.dstate0.c[k].data(), wc) < 1e-9);
    }
  }

  // The float path computes the same thing to float precision.
  Network<float> netf(config_from(g), V);
  Run<float> rf = run_golden(g, netf);
  CHECK(rf.loss == Approx(g.scalars.at("loss")).epsilon(1e-5));
  for (const ParamBlock& b : netf.layout().blocks()) {
    const auto& want = g.tensor("grad." + b.name);
    for (size_t i = 0; i < b.size; ++i) CHECK(rf.grads[b.offset + i] == Approx(want[i]).margin(2e-5).epsilon(1e-3));
  }
}

}  // namespace

TEST_CASE("vanilla RNN matches torch.nn.RNN(tanh), 2 layers", "[parity]") { check_file("rnn_l2.txt"); }
TEST_CASE("LSTM matches torch.nn.LSTM, 2 layers", "[parity]") { check_file("lstm_l2.txt"); }
TEST_CASE("GRU matches torch.nn.GRU, 2 layers", "[parity]") { check_file("gru_l2.txt"); }
TEST_CASE("LSTM with one-hot input matches torch, 2 layers", "[parity]") { check_file("lstm_l2_onehot.txt"); }
TEST_CASE("GRU over 7 steps and 3 streams matches torch", "[parity]") { check_file("gru_l1_long.txt"); }
