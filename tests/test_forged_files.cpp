// Forged files: a small file with a valid checksum whose header asks for a huge model. Loading it must be refused
// before the model is allocated, so its cost stays near the file's own size (issue 17, item 4: a 291 KB file made
// `info` allocate 3.28 GB for 10 s before refusing).
#include <catch2/catch.hpp>

#if defined(__EMSCRIPTEN__)
#include <emscripten/heap.h>
#else
#include <sys/resource.h>
#endif

#include "rnnlab/byteio.hpp"
#include "rnnlab/config_text.hpp"
#include "rnnlab/errors.hpp"
#include "rnnlab/session.hpp"

using namespace rnnlab;

namespace {

// The most memory this process has held so far: the peak resident set natively, the wasm heap (which only grows)
// under node. Both rise when a large allocation is touched, as the engine's zero-filled weight slabs are.
size_t peak_memory_bytes() {
#if defined(__EMSCRIPTEN__)
  return emscripten_get_heap_size();
#else
  struct rusage u {};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<size_t>(u.ru_maxrss) * 1024;
#endif
}

// A model file as checkpoint.cpp lays it out, up to the weights: a valid header for the largest model the
// configuration allows (4 layers of 1024 LSTM units, embedding 1024, Adam, batch 256) and 8192 symbols, then only
// `padding` zero bytes where hundreds of megabytes of weights should be, sealed with a correct CRC-32.
std::string forged_model_file(size_t padding) {
  Config c;
  c.model.cell = CellType::lstm;
  c.model.layers = 4;
  c.model.hidden = 1024;
  c.model.embed = 1024;
  c.vocab.max_size = 8192;
  c.train.batch = 256;
  c.train.unroll = 1024;
  ByteWriter w;
  w.bytes("RNNLAB\x1a\n", 8);
  w.u32(1);
  w.str(config_to_text(c));
  w.u32(8192);
  for (uint32_t i = 0; i < 8192; ++i) w.u32(0x4E00 + i);   // CJK ideographs, ascending
  w.u32(0);
  w.u64(0);
  w.u64(0);   // P: whatever it claims, the configuration decides what is needed
  const std::string zeros(padding, '\0');
  w.bytes(zeros.data(), zeros.size());
  w.u32(crc32(w.data()));
  return w.take();
}

}  // namespace

TEST_CASE("a forged model file is refused before the model it describes is allocated", "[files][forged]") {
  const std::string forged = forged_model_file(256 * 1024);
  REQUIRE(forged.size() < 300 * 1024);   // about the size of the 291 KB file
  const size_t before = peak_memory_bytes();
  CHECK_THROWS_WITH(Session::load(forged),
                    Catch::Contains("needs") && Catch::Contains("cut short or corrupted"));
  // Unfixed, the load zero-filled ~200 MB of weights and as much again for each of the gradients and Adam's two
  // moments before finding the file short. Now it costs no more than a small multiple of the file.
  const size_t grown = peak_memory_bytes() - before;
  INFO("peak memory grew by " << grown << " bytes for a " << forged.size() << "-byte file");
  CHECK(grown < 16 * forged.size() + (8u << 20));
}

TEST_CASE("a model file is accepted when it holds what its configuration needs", "[files][forged]") {
  // The check counts exactly what the loader then reads: a genuine file of every optimizer and cell passes it.
  std::string text;
  for (int i = 0; i < 30; ++i) text += "abc def ghi\n";
  for (OptimizerType opt : {OptimizerType::sgd, OptimizerType::adagrad, OptimizerType::rmsprop, OptimizerType::adam})
    for (CellType cell : {CellType::rnn_tanh, CellType::lstm, CellType::gru, CellType::lstm_peephole}) {
      Config c;
      c.model.cell = cell;
      c.model.layers = 2;
      c.model.hidden = 5;
      c.model.embed = 3;
      c.optim.type = opt;
      c.train.batch = 3;
      c.train.unroll = 4;
      Session s(text, c);
      s.train_step();
      auto back = Session::load(s.save(false));
      CHECK(back->params() == s.params());
      CHECK(back->step() == 1);
    }
}
