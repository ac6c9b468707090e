// Looking inside the network: traces match the training forward pass, the gradient-flow curve matches finite
// differences, and a unit built to track quotes is the one the ranking finds.
#include <catch2/catch.hpp>

#include <cmath>

#include "rnnlab/errors.hpp"
#include "rnnlab/features.hpp"
#include "rnnlab/inspect.hpp"
#include "rnnlab/utf8.hpp"

using namespace rnnlab;

namespace {

std::string quoted_text(uint64_t seed, int words) {
  Rng rng(seed);
  const char* vocab[] = {"alpha", "beta", "gamma", "delta", "eps"};
  std::string t;
  bool open = false;
  for (int i = 0; i < words; ++i) {
    if (rng.below(5) == 0) {
      t += '"';
      open = !open;
    }
    t += vocab[rng.below(5)];
    t += rng.below(9) == 0 ? "\n" : " ";
  }
  if (open) t += '"';
  return t;
}

Config small(CellType cell, int layers, int embed) {
  Config c;
  c.model.cell = cell;
  c.model.layers = layers;
  c.model.hidden = 8;
  c.model.embed = embed;
  c.train.batch = 4;
  c.train.unroll = 16;
  return c;
}

}  // namespace

TEST_CASE("a trace records exactly what the training forward pass computes", "[inspect]") {
  const std::string text = quoted_text(1, 400);
  for (CellType cell : {CellType::rnn_tanh, CellType::lstm, CellType::gru}) {
    Session s(text, small(cell, 2, 5));
    for (int i = 0; i < 20; ++i) s.train_step();
    const std::string slice = text.substr(0, 120);
    const Trace tr = trace(s, slice);
    const std::vector<int32_t> ids = s.vocab().encode(decode_utf8(slice).text);
    REQUIRE(tr.text.size() == ids.size());
    const int T = static_cast<int>(ids.size()) - 1, H = 8;
    RecurrentState<float> state = s.network().zero_state(1);
    ForwardCache<float> cache;
    s.network().forward(s.params().data(), ids.data(), ids.data() + 1, T, 1, state, cache, nullptr);
    INFO(to_string(cell));
    for (int k = 0; k < 2; ++k) {
      const auto& layer = cache.layers[static_cast<size_t>(k)];
      for (int t = 0; t < T; ++t)
        for (int j = 0; j < H; ++j) {
          REQUIRE(tr.h[static_cast<size_t>(k)][static_cast<size_t>(t * H + j)] ==
                  Approx(layer.h(j, t + 1)).margin(1e-5));
          if (cell == CellType::lstm)
            REQUIRE(tr.c[static_cast<size_t>(k)][static_cast<size_t>(t * H + j)] == Approx(layer.c(j, t + 1)).margin(1e-5));
        }
      if (cell != CellType::rnn_tanh)
        for (int t = 0; t < T; ++t)
          for (int r = 0; r < tr.gate_rows; ++r)
            REQUIRE(tr.gates[static_cast<size_t>(k)][static_cast<size_t>(t * tr.gate_rows + r)] ==
                    Approx(layer.gates(r, t)).margin(1e-5));
    }
    // p_next[t] is softmax(logits after t)[next]; the forward's dlogits = (p - onehot) / T.
    for (int t = 0; t < T; ++t) {
      const float p = cache.dlogits(ids[static_cast<size_t>(t + 1)], t) * T + 1.0f;
      REQUIRE(tr.p_next[static_cast<size_t>(t)] == Approx(p).margin(1e-5));
      REQUIRE(tr.top_probs[static_cast<size_t>(t)][0] >= tr.top_probs[static_cast<size_t>(t)][1]);
      REQUIRE(tr.top_probs[static_cast<size_t>(t)][0] >= tr.p_next[static_cast<size_t>(t)] - 1e-6f);
    }
    CHECK(std::isnan(tr.p_next.back()));
  }
}

TEST_CASE("gradient flow matches finite differences through time", "[inspect]") {
  const std::string text = quoted_text(2, 600);
  for (CellType cell : {CellType::rnn_tanh, CellType::lstm, CellType::gru}) {
    Session s(text, small(cell, 1, 0));
    const int K = 6;
    const GradientFlow flow = gradient_flow(s, K, 1, 99);
    REQUIRE(flow.norm.size() == 1);
    // Replay the window gradient_flow drew, and perturb h after step t = K-1-lag.
    const auto& tokens = s.split().val;
    Rng rng(99);
    const size_t start = rng.below(tokens.size() - K);
    const Network<float>& net = s.network();
    std::vector<float> logits(static_cast<size_t>(s.vocab().size()));
    auto final_loss = [&](int t_perturb, int unit, float delta) {
      RecurrentState<float> st = net.zero_state(1);
      StepWorkspace<float> ws;
      for (int t = 0; t < K; ++t) {
        net.step(s.params().data(), &tokens[start + static_cast<size_t>(t)], 1, st, ws, logits.data());
        if (t == t_perturb) {
          st.h[0](unit, 0) += delta;
          if (t == K - 1) return NAN;   // lag 0 goes through the head, not time: not replayed here
        }
      }
      const int target = tokens[start + K];
      float mx = logits[0];
      for (float z : logits) mx = std::max(mx, z);
      double sum = 0;
      for (float z : logits) sum += std::exp(static_cast<double>(z - mx));
      return static_cast<float>(std::log(sum) - (logits[static_cast<size_t>(target)] - mx));
    };
    INFO(to_string(cell));
    for (int lag = 1; lag < K; ++lag) {
      const int t = K - 1 - lag;
      double sq = 0;
      for (int j = 0; j < 8; ++j) {
        const float eps = 1e-2f;
        const double d = (final_loss(t, j, eps) - final_loss(t, j, -eps)) / (2.0 * eps);
        sq += d * d;
      }
      CHECK(flow.norm[0][static_cast<size_t>(lag)] == Approx(std::sqrt(sq)).epsilon(0.02).margin(1e-6));
    }
  }
}

TEST_CASE("gradient flow over several windows is the geometric mean of each window's", "[inspect]") {
  // A vanilla RNN's windows differ by orders of magnitude at long lags; the summary must follow the typical one.
  const std::string text = quoted_text(2, 600);
  Session s(text, small(CellType::rnn_tanh, 2, 0));
  const auto& tokens = s.split().val;
  const int K = 12;
  const std::vector<size_t> starts{3, 40, 111};
  const GradientFlow together = gradient_flow_at(s, tokens, K, starts);
  std::vector<GradientFlow> alone;
  for (size_t start : starts) alone.push_back(gradient_flow_at(s, tokens, K, {start}));
  REQUIRE(together.norm.size() == 2);
  for (size_t k = 0; k < 2; ++k)
    for (size_t lag = 0; lag < static_cast<size_t>(K); ++lag) {
      const double product = alone[0].norm[k][lag] * alone[1].norm[k][lag] * alone[2].norm[k][lag];
      INFO("layer " << k << ", lag " << lag);
      CHECK(together.norm[k][lag] == Approx(std::cbrt(product)).epsilon(1e-4));
    }
  // The seeded entry point draws its windows and measures them the same way.
  Rng rng(5);
  std::vector<size_t> drawn(4);
  for (size_t& start : drawn) start = rng.below(tokens.size() - K);
  CHECK(gradient_flow(s, K, 4, 5).norm == gradient_flow_at(s, tokens, K, drawn).norm);
}

TEST_CASE("text features are computed per character", "[inspect]") {
  const std::u32string t = U"a \"b(c)\"\n  d";
  CHECK(feature_values(TextFeature::inside_quotes, t) == std::vector<float>{0, 0, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0});
  CHECK(feature_values(TextFeature::inside_brackets, t) == std::vector<float>{0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0});
  CHECK(feature_values(TextFeature::line_position, t) == std::vector<float>{0, 1, 2, 3, 4, 5, 6, 7, 8, 0, 1, 2});
  CHECK(feature_values(TextFeature::indentation, t) == std::vector<float>{0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 2});
  CHECK(feature_values(TextFeature::after_newline, t) == std::vector<float>{0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0});
  CHECK(feature_values(TextFeature::word_start, t) == std::vector<float>{1, 0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 1});
  CHECK_THROWS_AS(parse_feature("nope"), ConfigError);
  CHECK(parse_feature("line_position") == TextFeature::line_position);
}

TEST_CASE("the ranking finds a unit constructed to track quotes", "[inspect]") {
  // A vanilla RNN with one-hot input whose units 0 and 1 compute "inside quotes" as a recurrent XOR:
  //   u0 = tanh(K((u0 - u1)/2 + q - 1/2))   (inside OR quote)
  //   u1 = tanh(K((u0 - u1)/2 + q - 3/2))   (inside AND quote)
  // so s = (u0 - u1)/2 flips on every quote, and u0 is on exactly while inside (and on the closing quote).
  const std::string text = quoted_text(3, 800);
  Config c = small(CellType::rnn_tanh, 1, 0);
  c.model.hidden = 6;
  Session s(text, c);
  const ParamLayout& layout = s.network().layout();
  Slab<float>& p = s.mutable_params();
  const float K = 10.0f;
  const int V = s.vocab().size(), quote = s.vocab().id_of(U'"');
  REQUIRE(quote >= 0);
  const LayerBlocks& lb = layout.layer(0);
  for (int r = 0; r < 2; ++r) {
    float* w_ih = p.data() + lb.weight_ih + static_cast<size_t>(r) * V;   // (H, V) row r
    float* w_hh = p.data() + lb.weight_hh + static_cast<size_t>(r) * 6;    // (H, H) row r
    std::fill(w_ih, w_ih + V, 0.0f);
    std::fill(w_hh, w_hh + 6, 0.0f);
    w_ih[quote] = K;
    w_hh[0] = K / 2;
    w_hh[1] = -K / 2;
    p[lb.bias_ih + static_cast<size_t>(r)] = r == 0 ? -K / 2 : -1.5f * K;
    p[lb.bias_hh + static_cast<size_t>(r)] = 0.0f;
  }
  const Trace tr = trace(s, text.substr(0, 3000));
  const std::vector<UnitScore> ranked = rank_units(tr, TextFeature::inside_quotes);
  REQUIRE(ranked.size() == 6);
  CHECK(ranked[0].layer == 0);
  CHECK(ranked[0].kind == 'h');
  CHECK(ranked[0].unit == 0);
  CHECK(ranked[0].correlation > 0.8);
  CHECK(std::abs(ranked[1].correlation) < ranked[0].correlation);
}

TEST_CASE("a feature the text never changes ranks no unit", "[inspect]") {
  // No quotes in the text: "inside quotes" is 0 everywhere, so no unit can be said to track it.
  std::string text;
  for (int i = 0; i < 20; ++i) text += "no quotes here, only words and lines\nand more words\n";
  Session s(text, small(CellType::lstm, 1, 4));
  const Trace tr = trace(s, text);
  CHECK(rank_units(tr, TextFeature::inside_quotes).empty());
  CHECK(rank_units(tr, TextFeature::line_position).size() == 2u * static_cast<size_t>(tr.hidden));
}
