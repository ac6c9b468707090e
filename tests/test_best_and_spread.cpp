// The best model kept by validation loss (keep_best / restore_best) and the validation sample spread over the whole
// split (evaluate_spread), through the Session facade.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "rnnlab/errors.hpp"
#include "rnnlab/session.hpp"
#include "rnnlab/utf8.hpp"
#include "fixtures.hpp"

using namespace rnnlab;
using namespace rnnlab::fixtures;

namespace {

// Lines of pseudo-random words: varied enough that every part of the validation split scores differently.
std::string varied_text(size_t chars) {
  const char* words[] = {"cat", "dog", "mat", "log", "sat", "ran", "the", "a", "on", "to", "big", "red", "old"};
  std::string text;
  uint32_t x = 12345;
  while (text.size() < chars) {
    x = x * 1664525u + 1013904223u;
    text += words[(x >> 24) % 13];
    text += (x >> 8) % 7 == 0 ? ".\n" : " ";
  }
  return text;
}

Config lstm_with_dropout() {
  Config c = small_config(CellType::lstm, {/*layers*/ 1, /*hidden*/ 24, /*embed*/ 8, /*batch*/ 4, /*unroll*/ 16});
  c.model.dropout = 0.1f;   // so the dropout RNG's state is part of what must come back
  c.optim.lr = 1e-2f;
  c.train.seed = 3;
  return c;
}

bool same_params(const Slab<float>& a, const Slab<float>& b) {
  return bit_identical(a.data(), a.size(), b.data(), b.size());
}

}  // namespace

TEST_CASE("restore_best gives back exactly the weights and step kept", "[session][best]") {
  Session s(varied_text(3000), lstm_with_dropout());
  CHECK(s.best_step() == -1);
  CHECK(s.restore_best() == -1);   // nothing kept yet: nothing moves
  CHECK(s.step() == 0);
  train_losses(s, 40);
  s.keep_best();
  const Slab<float> kept = s.params();
  const EvalReport at_best = s.evaluate();
  train_losses(s, 35);
  REQUIRE_FALSE(same_params(s.params(), kept));
  CHECK(s.best_step() == 40);
  CHECK(s.restore_best() == 40);
  CHECK(s.step() == 40);
  CHECK(same_params(s.params(), kept));
  CHECK(s.evaluate().nats_per_char == at_best.nats_per_char);
  CHECK(s.best_step() == 40);   // the snapshot stays: going back twice works
}

TEST_CASE("training on from the best model equals training on from a file saved at that step", "[session][best]") {
  for (OptimizerType opt : {OptimizerType::adam, OptimizerType::sgd}) {
    Config c = lstm_with_dropout();
    c.optim.type = opt;
    c.optim.lr = opt == OptimizerType::sgd ? 0.05f : 1e-2f;
    Session s(varied_text(3000), c);
    train_losses(s, 30);
    s.keep_best();
    const std::string file = s.save(/*include_text=*/true);
    train_losses(s, 50);   // past the best, with the optimizer moments, cursor and dropout RNG moving on
    REQUIRE(s.restore_best() == 30);
    const auto after_restore = train_losses(s, 40);

    auto loaded = Session::load(file);
    const auto after_load = train_losses(*loaded, 40);
    INFO(to_string(opt));
    CHECK(bit_identical(after_restore, after_load));
    CHECK(s.step() == loaded->step());
  }
}

TEST_CASE("a model without its text has no training state to keep as the best", "[session][best]") {
  Session s(varied_text(3000), lstm_with_dropout());
  auto loaded = Session::load(s.save(/*include_text=*/false));
  CHECK_THROWS_AS(loaded->keep_best(), ConfigError);
  CHECK(loaded->restore_best() == -1);
}

TEST_CASE("the spread validation sample is the whole split when the split is small", "[session][eval]") {
  Session s(varied_text(3000), lstm_with_dropout());
  train_losses(s, 20);
  const size_t n = s.split().val.size() - 1;
  for (size_t cap : {n, n + 1, 10 * n}) {
    const EvalReport spread = s.evaluate_spread(cap);
    const EvalReport whole = s.evaluate(0);
    CHECK(spread.chars == whole.chars);
    CHECK(spread.spread_over == whole.chars);
    CHECK(spread.nats_per_char == whole.nats_per_char);   // the same computation, bit for bit
  }
}

TEST_CASE("the spread plan's streams start evenly over the whole split and stay inside it", "[session][eval]") {
  for (size_t n : {1000u, 4097u, 111540u, 5000000u}) {
    for (size_t cap : {256u, 4096u, 65536u}) {
      if (n <= cap) continue;
      for (int T : {8, 64, 256}) {
        const SpreadPlan p = spread_plan(n, cap, T);
        INFO("n " << n << " cap " << cap << " T " << T);
        CHECK(p.streams >= 1);
        CHECK(p.stride >= p.length);                             // streams never overlap
        CHECK((p.streams - 1) * p.stride + p.length <= n);        // the last one ends inside the split
        CHECK(p.streams * p.stride > n - p.stride);               // and starts in its last stride: it reaches the end
        CHECK(p.streams * p.length <= cap);                       // no more than asked for
        CHECK(p.streams * p.length > cap - p.streams);            // and not much less
      }
    }
  }
}

TEST_CASE("the spread sample scores the streams its plan names, not the split's start", "[session][eval]") {
  Config c = lstm_with_dropout();
  Session s(varied_text(20000), c);
  train_losses(s, 30);
  const std::vector<int32_t>& val = s.split().val;
  const size_t cap = 512;
  REQUIRE(val.size() - 1 > cap);
  const SpreadPlan p = spread_plan(val.size() - 1, cap, c.train.unroll);
  REQUIRE(p.streams > 1);
  const EvalReport spread = s.evaluate_spread(cap);
  CHECK(spread.chars == p.streams * p.length);
  CHECK(spread.spread_over == val.size() - 1);
  // Each stream scored on its own (one sequence from a zero state) over the same characters gives the same mean.
  double total = 0;
  for (size_t b = 0; b < p.streams; ++b) {
    std::string window;
    for (size_t i = b * p.stride; i <= b * p.stride + p.length; ++i) append_utf8(window, s.vocab().symbol(val[i]));
    const EvalReport e = s.evaluate_text(window, 0, 1);
    REQUIRE(e.chars == p.length);
    total += e.nats_per_char * static_cast<double>(e.chars);
  }
  CHECK(spread.nats_per_char == Approx(total / static_cast<double>(spread.chars)).epsilon(1e-5));
  CHECK(spread.nats_per_char != s.evaluate(cap).nats_per_char);   // the old prefix is another sample
}
