// The rest of the step-through's engine side: truncation windows, the update preview, the numerical gradient check,
// input-gradient connectivity ("what did this prediction use?") and clamped units ("what if this unit were off?").
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>

#include "rnnlab/errors.hpp"
#include "rnnlab/input_gradients.hpp"
#include "rnnlab/step_through.hpp"
#include "fixtures.hpp"

using namespace rnnlab;
using namespace rnnlab::fixtures;

namespace {

std::vector<double> random_params(const Network<double>& net, uint64_t seed) {
  Rng rng(seed);
  std::vector<double> p(net.layout().total());
  for (auto& w : p) w = rng.uniform(-0.8, 0.8);
  return p;
}

std::vector<int32_t> random_tokens(int V, int n, uint64_t seed) {
  Rng rng(seed);
  std::vector<int32_t> t;
  for (int i = 0; i < n; ++i) t.push_back(static_cast<int32_t>(rng.below(static_cast<uint64_t>(V))));
  return t;
}

// The Hello preset's text (web/presets/hello.txt starts with these lines).
std::string hello_text() {
  std::string s;
  for (int i = 0; i < 20; ++i) s += "hello\nhello hello\nhelp hell hello\nhero hello hell\n";
  return s;
}

Config hello_config(CellType cell, int hidden, int embed) {
  Config c;
  c.model = model_config(cell, 1, hidden, embed);
  c.train.batch = 1;
  c.train.unroll = 5;
  c.train.val_fraction = 0;
  c.optim.lr = 0.01f;
  return c;
}

}  // namespace

// Truncated BPTT is no gradient of any loss: it is the gradient of the loss with each window's carried state held
// fixed. That loss, differentiated numerically, is what the windows' backward passes must give.
TEST_CASE("unrolled: truncation windows cut the gradient where training does (double)", "[unrolled]") {
  for (CellType cell : kAllCells) {
    INFO(to_string(cell));
    const Network<double> net(model_config(cell, 2, 3, 0), 4);
    const std::vector<double> params = random_params(net, 5);
    const std::vector<int32_t> tokens = random_tokens(4, 8, 6);   // T = 7
    UnrollOptions o;
    o.window = 3;   // windows [0,3) [3,6) [6,7)
    const Unrolled<double> u = unroll(net, params.data(), tokens, net.zero_state(1), o);
    CHECK(u.window_start == std::vector<uint8_t>{1, 0, 0, 1, 0, 0, 1});
    // Nothing arrives from beyond a window's last step; what would reach the carried state is reported as dropped.
    for (int k = 0; k < 2; ++k)
      for (int t : {2, 5, 6})
        for (int j = 0; j < 3; ++j) CHECK(u.layers[static_cast<size_t>(k)].dh_future[static_cast<size_t>(t) * 3 + j] == 0.0);
    double dropped = 0;
    for (double v : u.layers[1].dh_dropped) dropped += std::abs(v);
    CHECK(dropped > 0);
    // Carried states from the unperturbed weights, then each window's loss from its fixed carried state.
    std::vector<RecurrentState<double>> carried;
    RecurrentState<double> s = net.zero_state(1);
    ForwardCache<double> cache;
    for (int w = 0; w < 7; w += 3) {
      carried.push_back(s);
      net.forward(params.data(), tokens.data() + w, tokens.data() + w + 1, std::min(3, 7 - w), 1, s, cache, nullptr);
    }
    auto loss = [&](const std::vector<double>& p) {
      double total = 0;
      for (int w = 0, i = 0; w < 7; w += 3, ++i) {
        const std::vector<int32_t> part(tokens.begin() + w, tokens.begin() + std::min(w + 4, 8));
        total += unrolled_loss(net, p.data(), part, carried[static_cast<size_t>(i)]) * (part.size() - 1);
      }
      return total / 7;
    };
    CHECK(std::abs(loss(params) - u.mean_loss) < 1e-12);
    std::vector<double> w = params;
    double diff = 0, norm = 0;
    for (size_t i = 0; i < w.size(); ++i) {
      const double keep = w[i];
      w[i] = keep + 1e-5;
      const double plus = loss(w);
      w[i] = keep - 1e-5;
      const double numeric = (plus - loss(w)) / 2e-5;
      w[i] = keep;
      diff += (numeric - u.grads[i]) * (numeric - u.grads[i]);
      norm += numeric * numeric;
    }
    CHECK(std::sqrt(diff / norm) < 1e-7);
  }
}

TEST_CASE("step-through: the update preview is the step training takes, and leaves the session as it was",
          "[step_through]") {
  for (CellType cell : {CellType::rnn_tanh, CellType::lstm, CellType::gru}) {
    INFO(to_string(cell));
    // A training text of exactly unroll + 1 characters: every step trains on the same chunk from a zero state.
    Config c = hello_config(cell, 8, 0);
    c.train.unroll = 4;
    c.optim.clip_value = 0.05f;   // small enough to clip, so clipping is part of what is compared
    Session s("hello", c);
    for (int i = 0; i < 3; ++i) s.train_step();   // the optimizer's moments are no longer zero
    const std::vector<int32_t> tokens = known_tokens(s, "hello", 65);
    const Slab<float> before = s.params();
    const UpdatePreview p = preview_update(s, tokens, 0);
    CHECK(std::memcmp(s.params().data(), before.data(), before.size() * sizeof(float)) == 0);
    const UpdatePreview again = preview_update(s, tokens, 0);   // the moments were not touched either
    CHECK(std::memcmp(again.params_after.data(), p.params_after.data(), before.size() * sizeof(float)) == 0);
    const StepReport r = s.train_step();
    CHECK(p.clipped);
    CHECK(r.clipped);
    CHECK(p.loss_before == r.loss);
    CHECK(p.grad_norm == r.grad_norm);
    CHECK(p.step == r.step);
    CHECK(std::memcmp(s.params().data(), p.params_after.data(), before.size() * sizeof(float)) == 0);
    CHECK(p.loss_after < p.loss_before);
    CHECK(p.delta_norm > 0);
  }
}

TEST_CASE("step-through: the numerical check passes for every cell and fails on a corrupted gradient",
          "[step_through]") {
  for (CellType cell : kAllCells)
    for (int embed : {0, 4}) {
      INFO(to_string(cell) << " embed " << embed);
      Config c = hello_config(cell, 6, embed);
      c.model.layers = 2;
      Session s(hello_text(), c);
      for (int i = 0; i < 5; ++i) s.train_step();
      const std::vector<int32_t> tokens = known_tokens(s, "hello hell", 65);
      const std::vector<GradCheckEntry> ok = check_gradients(s, tokens, 12, 3);
      REQUIRE(ok.size() >= 9);
      for (const GradCheckEntry& e : ok) {
        INFO(e.block << " [" << e.row << "," << e.col << "] " << e.analytic << " vs " << e.numeric);
        CHECK(e.rel_error < 1e-3);
      }
      // The same comparison against a wrong gradient (one block's entries 10% too large) must report it.
      const Unrolled<float> u = unroll_session(s, tokens, 0);
      Slab<float> wrong = u.grads;
      const ParamBlock& hh = *s.network().layout().find("rnn.weight_hh_l0");
      for (size_t i = hh.offset; i < hh.offset + hh.size; ++i) wrong[i] *= 1.1f;
      const std::vector<size_t> picks = pick_weights(s.network().layout(), u.grads.data(), 12, 3);
      bool caught = false;
      for (const GradCheckEntry& e :
           compare_with_finite_differences(c.model, s.vocab().size(), s.params().data(), wrong.data(), tokens, picks))
        if (e.block == "rnn.weight_hh_l0") caught = caught || e.rel_error > 0.05;
      CHECK(caught);
    }
}

// d loss_t / d x_{t-k} against the derivative with respect to the input vector itself. With a distinct token at
// every position, embedding row tokens[s] is the input at position s alone; a one-hot model is the same network
// with an identity embedding (E = V), so its input gradient is checked on that twin.
TEST_CASE("step-through: input-gradient connectivity matches finite differences (double)", "[step_through]") {
  const int V = 9;
  std::vector<int32_t> tokens = {3, 0, 7, 1, 5, 8, 2, 6, 4};   // all distinct
  for (CellType cell : kAllCells)
    for (int embed : {0, 3}) {
      INFO(to_string(cell) << " embed " << embed);
      const ModelConfig m = model_config(cell, 2, 4, embed);
      const Network<double> net(m, V);
      const std::vector<double> params = random_params(net, 21);
      const int t = 6;
      const InputGradients<double> g = input_gradients(net, params.data(), tokens, t, 5);
      REQUIRE(g.first == 1);
      REQUIRE(g.norm.size() == 6);
      // The twin with an explicit embedding: the same weights, plus the identity for one-hot input.
      const ModelConfig twin_m = model_config(cell, 2, 4, embed > 0 ? embed : V);
      const Network<double> twin(twin_m, V);
      std::vector<double> tw(twin.layout().total(), 0.0);
      for (const ParamBlock& b : net.layout().blocks())
        std::copy_n(params.data() + b.offset, b.size, tw.data() + twin.layout().find(b.name)->offset);
      if (embed == 0)
        for (int v = 0; v < V; ++v) tw[twin.layout().embed_weight() + static_cast<size_t>(v) * V + v] = 1.0;
      const int E = twin_m.embed;
      auto loss_t = [&](const std::vector<double>& p) {
        const std::vector<int32_t> upto(tokens.begin(), tokens.begin() + t + 2);
        const double all = unrolled_loss(twin, p.data(), upto, twin.zero_state(1)) * (t + 1);
        const std::vector<int32_t> before(tokens.begin(), tokens.begin() + t + 1);
        return all - unrolled_loss(twin, p.data(), before, twin.zero_state(1)) * t;   // loss_t alone
      };
      CHECK(std::abs(loss_t(tw) - g.loss) < 1e-12);
      for (int k = 0; k <= 5; ++k)
        for (int i = 0; i < E; ++i) {
          const size_t w = twin.layout().embed_weight() + static_cast<size_t>(tokens[static_cast<size_t>(t - k)]) * E + i;
          std::vector<double> plus = tw, minus = tw;
          plus[w] += 1e-5;
          minus[w] -= 1e-5;
          const double numeric = (loss_t(plus) - loss_t(minus)) / 2e-5;
          CHECK(std::abs(g.grad[static_cast<size_t>(k) * E + i] - numeric) < 1e-8);
        }
      double sq = 0;
      for (int i = 0; i < E; ++i) sq += g.grad[static_cast<size_t>(2) * E + i] * g.grad[static_cast<size_t>(2) * E + i];
      CHECK(g.norm[2] == Approx(std::sqrt(sq)));
      // The gradient reaching the state carried in before `first` (h_0 of each layer), against differences of the
      // state itself.
      RecurrentState<double> carried = net.zero_state(1);
      ForwardCache<double> cache;
      net.forward(params.data(), tokens.data(), tokens.data() + 1, 1, 1, carried, cache, nullptr);
      const std::vector<int32_t> rest(tokens.begin() + 1, tokens.begin() + t + 2), before(rest.begin(), rest.end() - 1);
      auto loss_from = [&](const RecurrentState<double>& s0) {
        return unrolled_loss(net, params.data(), rest, s0) * t - unrolled_loss(net, params.data(), before, s0) * (t - 1);
      };
      REQUIRE(g.h_norm.size() == 2);
      for (size_t k = 0; k < 2; ++k) {
        REQUIRE(g.h_norm[k].size() == 7);
        double state_sq = 0;
        for (int j = 0; j < 4; ++j) {
          RecurrentState<double> plus = carried, minus = carried;
          plus.h[k](j, 0) += 1e-5;
          minus.h[k](j, 0) -= 1e-5;
          const double numeric = (loss_from(plus) - loss_from(minus)) / 2e-5;
          CHECK(std::abs(g.dstate[k][static_cast<size_t>(j)] - numeric) < 1e-8);
          state_sq += numeric * numeric;
        }
        CHECK(g.h_norm[k][6] == Approx(std::sqrt(state_sq)).epsilon(1e-6));
      }
    }
  CHECK_THROWS_AS(input_gradients(Network<double>(model_config(CellType::lstm, 1, 2, 0), V), std::vector<double>(400).data(),
                                  tokens, 8, 5),
                  ConfigError);
}

TEST_CASE("clamping a unit changes only what depends on it", "[step_through]") {
  Config c = hello_config(CellType::lstm, 6, 4);
  c.model.layers = 2;
  Session s(hello_text(), c);
  for (int i = 0; i < 20; ++i) s.train_step();
  SampleOptions o;
  o.length = 80;
  o.seed = 4;
  o.prime = "he";
  const std::string plain = s.sample(o).text;
  CHECK(s.sample(o, {}, UnitClamp{}).text == plain);   // no clamp: the same path, the same sample

  // Layer 1's unit 2 drives the head and its own layer's next step: clamping it moves the sample.
  UnitClamp clamp;
  clamp.layer = 1;
  clamp.unit = 2;
  clamp.value = 1.0;
  o.temperature = 0.01f;
  const std::string greedy = s.sample(o).text;
  clamp.c = true;
  CHECK(s.sample(o, {}, clamp).text != greedy);

  // With every weight that reads the unit set to zero, the clamp has nothing to act on.
  const LayerBlocks& l1 = s.network().layout().layer(1);
  const int H = 6, GH = 4 * H;
  float* p = s.mutable_params().data();
  for (int r = 0; r < GH; ++r) p[l1.weight_hh + static_cast<size_t>(r) * H + 2] = 0.0f;
  for (int v = 0; v < s.vocab().size(); ++v) p[s.network().layout().head_weight() + static_cast<size_t>(v) * H + 2] = 0.0f;
  clamp.c = false;   // c reaches h only through the unit itself, whose h is clamped
  CHECK(s.sample(o, {}, clamp).text == s.sample(o).text);

  // A clamp on layer 1 leaves layer 0 exactly as it was, step by step.
  const Network<float>& net = s.network();
  RecurrentState<float> a = net.zero_state(1), b = net.zero_state(1);
  StepWorkspace<float> wa, wb;
  wb.clamp.layer = 1;
  wb.clamp.unit = 0;
  wb.clamp.value = -0.7;
  Slab<float> la(static_cast<size_t>(s.vocab().size())), lb(la.size());
  for (int32_t tok : known_tokens(s, "hello hero", 65)) {
    net.step(s.params().data(), &tok, 1, a, wa, la.data());
    net.step(s.params().data(), &tok, 1, b, wb, lb.data());
    CHECK(std::memcmp(a.h[0].data(), b.h[0].data(), sizeof(float) * H) == 0);
    CHECK(std::memcmp(a.c[0].data(), b.c[0].data(), sizeof(float) * H) == 0);
    CHECK(b.h[1](0, 0) == -0.7f);
  }
  // Bad clamps are refused with a message, not clamped somewhere else.
  clamp.layer = 2;
  CHECK_THROWS_AS(s.sample(o, {}, clamp), ConfigError);
  clamp.layer = 0;
  clamp.unit = 6;
  CHECK_THROWS_AS(s.sample(o, {}, clamp), ConfigError);
}

TEST_CASE("step-through: models too big to print keep norms and the units that change most", "[step_through]") {
  Config c = hello_config(CellType::gru, 24, 0);
  Session s(hello_text(), c);
  const std::vector<int32_t> tokens = known_tokens(s, "hello", 65);
  const Unrolled<float> u = unroll_session(s, tokens, 0);
  CHECK_FALSE(u.printable);
  const UnrolledLayer<float>& y = u.layers[0];
  CHECK(y.run_w_hh.empty());
  REQUIRE(y.run_norm_w_hh.size() == 4);
  CHECK(y.run_norm_w_hh[0] > 0);
  REQUIRE(y.top_forward.size() == 4 * kTopUnits);
  for (int t = 0; t < 4; ++t) {
    const int best = y.top_forward[static_cast<size_t>(t) * kTopUnits];
    for (int j = 0; j < 24; ++j)
      CHECK(std::abs(y.h[(t + 1) * 24 + best] - y.h[t * 24 + best]) >= std::abs(y.h[(t + 1) * 24 + j] - y.h[t * 24 + j]));
  }
  // Any unit can be opened; its running gradient rows end at the engine's gradient rows.
  const UnitView v = unit_view(u, 0, 17);
  const size_t w_hh = s.network().layout().layer(0).weight_hh;
  for (int g = 0; g < 3; ++g)
    for (int j = 0; j < 24; ++j)
      CHECK(v.run_w_hh[static_cast<size_t>(g) * 24 + j] ==
            Approx(u.grads[w_hh + (static_cast<size_t>(g) * 24 + 17) * 24 + j]).margin(1e-6));
  CHECK_THROWS_AS(unit_view(u, 0, 24), ConfigError);
  CHECK_THROWS_AS(known_tokens(s, std::string(70, 'l'), 65), ConfigError);
  CHECK_THROWS_AS(known_tokens(s, "h", 65), ConfigError);
}
