// Weights for share links (link_weights.hpp): the rounding error bound, sender and receiver holding bit-identical
// weights and sampling the same text, and every payload that does not fit the link's model refused with a reason.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>

#include "rnnlab/byteio.hpp"
#include "rnnlab/errors.hpp"
#include "rnnlab/link_weights.hpp"
#include "rnnlab/session.hpp"
#include "fixtures.hpp"

using namespace rnnlab;
using namespace rnnlab::fixtures;

namespace {

std::string corpus() { return numbered_lines("the cat sat on the mat; a dog ran to the log ", 50, 5); }

Config small(CellType cell = CellType::lstm) {
  Config c = small_config(cell, {/*layers*/ 2, /*hidden*/ 16, /*embed*/ 8, /*batch*/ 4, /*unroll*/ 12});
  c.optim.lr = 1e-2f;
  c.train.seed = 3;
  return c;
}

std::string sample_text(Session& s) {
  SampleOptions o;
  o.length = 120;
  o.seed = 9;
  o.temperature = 0.8f;
  o.prime = "the ";
  return s.sample(o).text;
}

bool same_weights(const Session& a, const Session& b) {
  return bit_identical(a.params().data(), a.params().size(), b.params().data(), b.params().size());
}

// A copy of the payload with its checksum recomputed, so a test reaches the checks behind the CRC.
std::string with_crc(std::string p) {
  const uint32_t crc = crc32(std::string_view(p).substr(0, p.size() - 4));
  ByteWriter w;
  w.u32(crc);
  p.replace(p.size() - 4, 4, w.data());
  return p;
}

}  // namespace

TEST_CASE("link weights: the receiver holds exactly the sender's rounded weights and samples the same", "[link]") {
  for (CellType cell : {CellType::lstm, CellType::gru, CellType::rnn_tanh, CellType::lstm_peephole}) {
    Session sender(corpus(), small(cell));
    for (int i = 0; i < 40; ++i) sender.train_step();
    const Slab<float> before = sender.params();
    const std::string payload = sender.round_for_link();
    CHECK(payload.size() == link_weights_size(sender.network().layout()));

    // Error bound: each weight moved by at most half a step of its row's scale (absmax / 127).
    for (const ParamBlock& b : sender.network().layout().blocks()) {
      const size_t rows = b.shape.size() > 1 ? static_cast<size_t>(b.rows()) : 1, cols = b.size / rows;
      for (size_t r = 0; r < rows; ++r) {
        float m = 0;
        for (size_t j = 0; j < cols; ++j) m = std::max(m, std::fabs(before[b.offset + r * cols + j]));
        for (size_t j = 0; j < cols; ++j) {
          const size_t i = b.offset + r * cols + j;
          REQUIRE(std::fabs(sender.params()[i] - before[i]) <= m / 127.0f * 0.5f * 1.0001f + 1e-30f);
        }
      }
    }

    Session receiver(corpus(), small(cell));
    receiver.load_link_weights(payload);
    INFO(to_string(cell));
    CHECK(same_weights(sender, receiver));
    CHECK(receiver.step() == 40);
    CHECK(sample_text(receiver) == sample_text(sender));
    CHECK(receiver.evaluate().nats_per_char == sender.evaluate().nats_per_char);
    // It trains on from there (fresh optimizer state), without errors.
    CHECK(std::isfinite(receiver.train_step().loss));
    CHECK(receiver.step() == 41);
  }
}

TEST_CASE("link weights: rounding costs little validation loss and a second rounding changes almost nothing",
          "[link]") {
  Session s(corpus(), small());
  for (int i = 0; i < 150; ++i) s.train_step();
  const double exact = s.evaluate().bits_per_char;
  s.round_for_link();
  const double rounded = s.evaluate().bits_per_char;
  INFO("validation " << exact << " -> " << rounded << " bits/char");
  CHECK(std::fabs(rounded - exact) < 0.05);
  const Slab<float> once = s.params();
  s.round_for_link();
  for (size_t i = 0; i < once.size(); ++i) REQUIRE(std::fabs(s.params()[i] - once[i]) <= 1e-6f * (1 + std::fabs(once[i])));
}

TEST_CASE("link weights that do not fit the link's model are refused, and the model is left as it was", "[link]") {
  Session sender(corpus(), small());
  for (int i = 0; i < 5; ++i) sender.train_step();
  const std::string good = sender.round_for_link();
  Session target(corpus(), small());
  const Slab<float> untouched = target.params();
  auto refused = [&](const std::string& payload, const std::string& why) {
    CHECK_THROWS_WITH(target.load_link_weights(payload), Catch::Contains(why));
    CHECK(std::memcmp(target.params().data(), untouched.data(), untouched.size() * sizeof(float)) == 0);
    CHECK(target.step() == 0);
  };

  Config bigger = small();
  bigger.model.hidden = 17;
  Session other_size(corpus(), bigger);
  for (int i = 0; i < 2; ++i) other_size.train_step();
  refused(other_size.round_for_link(), "parameters, but the model the link's settings describe has");

  Session other_vocab(corpus() + "XYZ", small());
  refused(other_vocab.round_for_link(), "vocabulary of");

  Session other_text(corpus() + "the cat", small());   // same characters, another text
  refused(other_text.round_for_link(), "another text");

  refused(good.substr(0, good.size() - 1), "cut short");
  refused(good.substr(0, good.size() / 2), "cut short");
  refused(good + "x", "more than the model needs");
  refused("", "not rnnlab link weights");
  refused("RNLW", "not rnnlab link weights");
  refused("PK\x03\x04" + good.substr(4), "not rnnlab link weights");

  std::string future = good;
  future[4] = static_cast<char>(kLinkWeightsVersion + 1);
  refused(future, "newer rnnlab");
  std::string kind = good;
  kind[5] = 7;
  refused(kind, "rounding kind");

  std::string flipped = good;
  flipped[good.size() / 2] ^= 0x10;
  refused(flipped, "checksum");

  // Behind a valid checksum: a scale that would overflow, a negative one, and the unused value -128.
  const size_t first_scale = 34;
  std::string huge = good;
  const float inf = INFINITY;
  std::memcpy(&huge[first_scale], &inf, 4);
  refused(with_crc(huge), "scale");
  std::string negative = good;
  const float minus = -1.0f;
  std::memcpy(&negative[first_scale], &minus, 4);
  refused(with_crc(negative), "scale");
  const ParamBlock& b0 = target.network().layout().blocks()[0];
  std::string low = good;
  low[first_scale + 4 * static_cast<size_t>(b0.rows())] = static_cast<char>(0x80);
  refused(with_crc(low), "-127..127");

  // Every truncation is refused.
  for (size_t n = 0; n < good.size(); n += 1 + n / 7) refused(good.substr(0, n), "link");

  target.load_link_weights(good);   // and the good one still loads
  CHECK(same_weights(sender, target));
}

TEST_CASE("a model without its text cannot be rounded for a link", "[link]") {
  Session s(corpus(), small());
  auto imported = Session::import_safetensors(s.export_safetensors());
  CHECK_THROWS_AS(imported->round_for_link(), ConfigError);
  CHECK_THROWS_AS(imported->load_link_weights(s.round_for_link()), ConfigError);
}
