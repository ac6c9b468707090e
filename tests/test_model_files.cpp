// Model files and safetensors through the Session: round trips, and every kind of bad file gets a clear error.
#include <catch2/catch.hpp>

#include "rnnlab/byteio.hpp"
#include "rnnlab/errors.hpp"
#include "rnnlab/safetensors.hpp"
#include "rnnlab/session.hpp"
#include "fixtures.hpp"

using namespace rnnlab;
using namespace rnnlab::fixtures;

namespace {

std::string corpus() { return numbered_lines("Hello, world! 🙂 你好 — line ", 40, 7); }

Config small(CellType cell) {
  return small_config(cell, {/*layers*/ 2, /*hidden*/ 12, /*embed*/ 6, /*batch*/ 4, /*unroll*/ 10});
}

std::string sample_text(Session& s, uint64_t seed) {
  SampleOptions o;
  o.length = 80;
  o.seed = seed;
  o.prime = "Hello";
  return s.sample(o).text;
}

}  // namespace

TEST_CASE("safetensors export and import keep the model exactly", "[files]") {
  for (CellType cell : kAllCells) {
    for (int embed : {0, 6}) {
      Config c = small(cell);
      c.model.embed = embed;
      Session s(corpus(), c);
      for (int i = 0; i < 20; ++i) s.train_step();
      const std::string bytes = s.export_safetensors();
      const TensorFile f = read_safetensors(bytes);
      // torch.nn names and shapes
      bool found_hh = false;
      for (const Tensor& t : f.tensors)
        if (t.name == "rnn.weight_hh_l1") {
          found_hh = true;
          CHECK(t.shape == std::vector<int64_t>{gates_per_cell(cell) * 12, 12});
        }
      CHECK(found_hh);
      auto back = Session::import_safetensors(bytes);
      INFO(to_string(cell) << " embed " << embed);
      CHECK(back->config().model.cell == cell);
      CHECK(back->config().model.embed == embed);
      CHECK(back->vocab().symbols() == s.vocab().symbols());
      CHECK(back->params() == s.params());
      CHECK(sample_text(*back, 3) == sample_text(s, 3));
      // Imported weights can be trained further on a text.
      back->attach_text(corpus());
      CHECK_FALSE(back->train_step().rejected);
    }
  }
}

TEST_CASE("safetensors import rejects what is not an rnnlab model", "[files]") {
  Session s(corpus(), small(CellType::lstm));
  TensorFile f = read_safetensors(s.export_safetensors());
  SECTION("no vocabulary") {
    f.metadata.erase("rnnlab.vocab");
    CHECK_THROWS_WITH(Session::import_safetensors(write_safetensors(f)), Catch::Contains("no vocabulary"));
  }
  SECTION("a missing tensor") {
    f.tensors.erase(f.tensors.begin() + 2);
    CHECK_THROWS_AS(Session::import_safetensors(write_safetensors(f)), FormatError);
  }
  SECTION("a wrong shape") {
    for (Tensor& t : f.tensors)
      if (t.name == "head.bias") {
        t.shape = {static_cast<int64_t>(t.values.size() - 1)};
        t.values.pop_back();
      }
    CHECK_THROWS_WITH(Session::import_safetensors(write_safetensors(f)), Catch::Contains("head.bias"));
  }
  SECTION("an unexpected tensor") {
    f.tensors.push_back(Tensor{"rnn.weight_ih_l7", {2, 2}, {1, 2, 3, 4}});
    CHECK_THROWS_WITH(Session::import_safetensors(write_safetensors(f)), Catch::Contains("unexpected tensor"));
  }
  SECTION("NaN weights") {
    f.tensors[0].values[0] = NAN;
    CHECK_THROWS_WITH(Session::import_safetensors(write_safetensors(f)), Catch::Contains("NaN"));
  }
  SECTION("not safetensors at all") { CHECK_THROWS_AS(Session::import_safetensors("hello world"), FormatError); }
}

TEST_CASE("model files of the LSTM variants resume exactly", "[files]") {
  for (CellType cell : {CellType::lstm_peephole, CellType::lstm_cifg, CellType::lstm_nfg}) {
    Session a(corpus(), small(cell));
    for (int i = 0; i < 10; ++i) a.train_step();
    auto b = Session::load(a.save(true));
    for (int i = 0; i < 10; ++i) CHECK(a.train_step().loss == b->train_step().loss);
  }
}

TEST_CASE("corrupted, truncated, foreign and future model files are refused with a reason", "[files]") {
  Session s(corpus(), small(CellType::gru));
  for (int i = 0; i < 5; ++i) s.train_step();
  const std::string good = s.save(true);
  REQUIRE_NOTHROW(Session::load(good));

  CHECK_THROWS_WITH(Session::load(""), Catch::Contains("not an rnnlab model file"));
  CHECK_THROWS_WITH(Session::load("PK\x03\x04 a zip file"), Catch::Contains("not an rnnlab model file"));
  CHECK_THROWS_WITH(Session::load(s.export_safetensors()), Catch::Contains("not an rnnlab model file"));

  // Every truncation is refused (the checksum or a bounds check catches it), none crashes.
  for (size_t n = 8; n < good.size(); n += 1 + good.size() / 97)
    CHECK_THROWS_AS(Session::load(good.substr(0, n)), FormatError);

  // Any flipped bit is caught by the checksum.
  Rng rng(5);
  for (int i = 0; i < 200; ++i) {
    std::string bad = good;
    bad[12 + rng.below(bad.size() - 12)] ^= static_cast<char>(1 << rng.below(8));
    CHECK_THROWS_AS(Session::load(bad), FormatError);
  }

  std::string future = good;
  future[8] = 99;   // format version (little-endian u32 after the 8-byte magic)
  CHECK_THROWS_WITH(Session::load(future), Catch::Contains("newer rnnlab"));
}

TEST_CASE("a hostile model file with a valid checksum cannot make the loader allocate wildly", "[files]") {
  // Lengths inside the body are checked against the bytes present, so re-sealing a file with a fake vocabulary
  // size or text length still fails cleanly.
  Session s(corpus(), small(CellType::lstm));
  const std::string good = s.save(false);
  ByteReader r(good, "test");
  r.bytes(12);
  const std::string config = r.str(1 << 16);
  const size_t vocab_offset = r.offset();
  std::string bad = good.substr(0, good.size() - 4);
  bad[vocab_offset + 3] = static_cast<char>(0x7f);   // V = ~2 billion
  ByteWriter w;
  w.bytes(bad.data(), bad.size());
  w.u32(crc32(bad));
  CHECK_THROWS_WITH(Session::load(w.data()), Catch::Contains("vocabulary size"));
}
