// Sampling: temperature (to argmax), top-k, top-p, priming, seeds and the streaming callback.
#include <catch2/catch.hpp>

#include <cmath>

#include "rnnlab/errors.hpp"
#include "rnnlab/sampler.hpp"
#include "rnnlab/session.hpp"
#include "rnnlab/utf8.hpp"

using namespace rnnlab;

TEST_CASE("choose_token follows temperature, top-k and top-p", "[sampling]") {
  const float logits[4] = {1.0f, 3.0f, 2.0f, -1.0f};
  ChoiceScratch scratch;
  Rng rng(1);
  SampleOptions o;
  o.temperature = 0;
  CHECK(choose_token(logits, 4, o, -1, rng, scratch) == 1);   // argmax
  CHECK(choose_token(logits, 4, o, 1, rng, scratch) == 2);    // the banned (unknown) symbol is never chosen

  o.temperature = 1;
  o.top_k = 2;
  int counts[4] = {0, 0, 0, 0};
  for (int i = 0; i < 4000; ++i) ++counts[choose_token(logits, 4, o, -1, rng, scratch)];
  CHECK(counts[0] == 0);
  CHECK(counts[3] == 0);
  // p(1)/p(2) = e under top-2 renormalisation
  CHECK(static_cast<double>(counts[1]) / counts[2] == Approx(std::exp(1.0)).epsilon(0.15));

  o.top_k = 0;
  o.top_p = 0.5f;   // the top token alone holds ~0.66 of the mass
  for (int i = 0; i < 200; ++i) CHECK(choose_token(logits, 4, o, -1, rng, scratch) == 1);

  o.top_p = 1;
  o.temperature = 0.05f;   // very low but not argmax: huge scaled logits must not overflow
  const float big[3] = {80.0f, 79.0f, -80.0f};
  for (int i = 0; i < 100; ++i) CHECK(choose_token(big, 3, o, -1, rng, scratch) == 0);

  o.temperature = 50;   // very flat: everything shows up
  int seen[4] = {0, 0, 0, 0};
  for (int i = 0; i < 2000; ++i) ++seen[choose_token(logits, 4, o, -1, rng, scratch)];
  for (int v = 0; v < 4; ++v) CHECK(seen[v] > 300);
}

TEST_CASE("session sampling is seeded, primed, streamed and validated", "[sampling]") {
  std::string text;
  for (int i = 0; i < 50; ++i) text += "abc abd abe\n";
  Config c;
  c.model.hidden = 16;
  c.model.embed = 8;
  c.train.batch = 4;
  c.train.unroll = 12;
  Session s(text, c);
  for (int i = 0; i < 150; ++i) s.train_step();

  SampleOptions o;
  o.length = 60;
  o.seed = 9;
  o.prime = "ab";
  const SampleResult a = s.sample(o), b = s.sample(o);
  CHECK(a.text == b.text);
  CHECK(decode_utf8(a.text).text.size() == 60);
  o.seed = 10;
  CHECK(s.sample(o).text != a.text);

  o.temperature = 0;   // greedy after a trained "ab": the model has learned the pattern's structure
  const std::string greedy = s.sample(o).text;
  CHECK(greedy.find("ab") != std::string::npos);

  o.prime = "ab🙂xyz";   // characters outside the vocabulary are skipped, not fatal
  const SampleResult skipped = s.sample(o);
  CHECK(skipped.prime_skipped == 4);
  CHECK(skipped.prime_used == 2);

  std::string streamed;
  o.prime = "";
  const SampleResult stopped = s.sample(o, [&](std::string_view ch) {
    streamed += ch;
    return streamed.size() < 10;
  });
  CHECK(streamed == stopped.text);
  CHECK(streamed.size() == 10);

  o.temperature = -1;
  CHECK_THROWS_AS(s.sample(o), ConfigError);
  o.temperature = 1;
  o.top_p = 0;
  CHECK_THROWS_AS(s.sample(o), ConfigError);
}

TEST_CASE("emoji and CJK text trains and samples as one character each", "[sampling]") {
  std::string text;
  for (int i = 0; i < 80; ++i) text += "猫🙂犬🙂鳥\n";
  Config c;
  c.model.hidden = 16;
  c.model.embed = 8;
  c.train.batch = 4;
  c.train.unroll = 8;
  Session s(text, c);
  CHECK(s.vocab().size() == 5);   // 猫 🙂 犬 鳥 \n
  for (int i = 0; i < 200; ++i) s.train_step();
  SampleOptions o;
  o.length = 30;
  o.prime = "猫";
  const std::u32string out = decode_utf8(s.sample(o).text).text;
  CHECK(out.size() == 30);
  for (char32_t ch : out) CHECK(s.vocab().id_of(ch) >= 0);
}

TEST_CASE("the sampler's input table gives the same logits, bit for bit, as the plain step", "[sampling]") {
  std::string text;
  for (int i = 0; i < 40; ++i) text += "the cat sat on the mat, the dog dug.\n";
  for (CellType cell : {CellType::rnn_tanh, CellType::lstm, CellType::gru, CellType::lstm_peephole})
    for (int embed : {0, 8})
      for (int layers : {1, 2}) {
        Config c;
        c.model.cell = cell;
        c.model.embed = embed;
        c.model.layers = layers;
        c.model.hidden = 12;
        c.train.batch = 4;
        c.train.unroll = 10;
        Session s(text, c);
        for (int i = 0; i < 5; ++i) s.train_step();
        const Network<float>& net = s.network();
        const int V = s.vocab().size();
        RecurrentState<float> plain = net.zero_state(1), cached = net.zero_state(1);
        StepWorkspace<float> ws_plain, ws_cached;
        ws_cached.cache_inputs = true;
        std::vector<float> a(static_cast<size_t>(V)), b(a.size());
        // Tokens repeat, so most steps read the table; a few are first uses that fill it.
        for (int t = 0; t < 60; ++t) {
          const int32_t id = (t * 7 + t / 5) % V;
          net.step(s.params().data(), &id, 1, plain, ws_plain, a.data());
          net.step(s.params().data(), &id, 1, cached, ws_cached, b.data());
          INFO("cell " << static_cast<int>(cell) << " embed " << embed << " layers " << layers << " t " << t);
          REQUIRE(a == b);
        }
      }
}
