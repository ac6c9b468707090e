// The whole validation split scored in pieces (SplitScorer, for the web worker's figure on pause) and the best model
// kept as a file without its text (the page stores it with the run; after a reload "Use the best model" loads it
// with the run's text attached).
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <string>
#include <tuple>
#include <vector>

#include "rnnlab/session.hpp"
#include "rnnlab/split_scorer.hpp"

using namespace rnnlab;

namespace {

std::string words_text(size_t chars) {
  const char* words[] = {"ant", "bee", "cow", "doe", "elk", "fox", "gnu", "hen", "the", "and", "of"};
  std::string text;
  uint32_t x = 777;
  while (text.size() < chars) {
    x = x * 1664525u + 1013904223u;
    text += words[(x >> 24) % 11];
    text += (x >> 9) % 5 == 0 ? ",\n" : " ";
  }
  return text;
}

Config config(int batch, int unroll) {
  Config c;
  c.model.cell = CellType::lstm;
  c.model.layers = 2;
  c.model.hidden = 16;
  c.model.embed = 8;
  c.model.dropout = 0.2f;
  c.train.batch = batch;
  c.train.unroll = unroll;
  c.train.seed = 5;
  return c;
}

bool same_bits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

}  // namespace

TEST_CASE("the split scored in pieces is evaluate(0), bit for bit", "[eval][split_scorer]") {
  // Splits whose streams do and do not divide into unroll-length chunks, and one too short for a full batch.
  const std::vector<std::tuple<int, int, int>> cases = {{6000, 8, 16}, {5003, 5, 7}, {600, 8, 32}};
  for (const auto& [chars, batch, unroll] : cases) {
    Session s(words_text(static_cast<size_t>(chars)), config(batch, unroll));
    for (int i = 0; i < 30; ++i) s.train_step();
    const EvalReport whole = s.evaluate(0);
    for (size_t per_call : {size_t{1}, size_t{3}, size_t{1000}}) {
      SplitScorer scorer(s);
      size_t calls = 1;
      while (!scorer.advance(s, per_call)) ++calls;
      const EvalReport pieces = scorer.report();
      CHECK(pieces.chars == whole.chars);
      CHECK(same_bits(pieces.bits_per_char, whole.bits_per_char));
      CHECK(scorer.chars_done() == scorer.chars_total());
      if (per_call == 1) CHECK(calls > 1);   // it really went in pieces
    }
  }
}

TEST_CASE("a split scorer part way reports the characters scored so far", "[eval][split_scorer]") {
  Session s(words_text(8000), config(4, 16));
  SplitScorer scorer(s);
  CHECK_FALSE(scorer.advance(s, 2));
  CHECK(scorer.chars_done() == 2 * 16 * 4);
  CHECK(scorer.chars_done() < scorer.chars_total());
  CHECK(std::isfinite(scorer.report().bits_per_char));
}

TEST_CASE("a best model saved without its text, loaded with the text attached, is restore_best's", "[session][best]") {
  const std::string text = words_text(4000);
  Session s(text, config(4, 16));
  for (int i = 0; i < 25; ++i) s.train_step();
  s.keep_best();
  const std::string best_file = s.save(false);
  for (int i = 0; i < 20; ++i) s.train_step();
  auto loaded = Session::load(best_file);
  loaded->attach_text(text);
  REQUIRE(s.restore_best() == 25);
  CHECK(loaded->step() == 25);
  for (int i = 0; i < 10; ++i) CHECK(same_bits(loaded->train_step().loss, s.train_step().loss));
}
