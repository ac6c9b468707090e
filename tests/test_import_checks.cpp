// What an import may not do silently: guess a cell the shapes cannot tell apart, accept a vocabulary past the
// documented 8192 symbols, or train on a text mostly outside the model's vocabulary without saying so.
#include <catch2/catch.hpp>

#include <cmath>

#include "rnnlab/errors.hpp"
#include "rnnlab/json.hpp"
#include "rnnlab/safetensors.hpp"
#include "rnnlab/session.hpp"
#include "fixtures.hpp"

using namespace rnnlab;
using namespace rnnlab::fixtures;

namespace {

std::string corpus() { return numbered_lines("the cat sat on the mat; a dog ran to the log ", 40, 7); }

Config small(CellType cell) {
  return small_config(cell, {/*layers*/ 1, /*hidden*/ 8, /*embed*/ 4, /*batch*/ 4, /*unroll*/ 8});
}

// A trained model's export, with its rnnlab.config metadata left out (as a hand-made or third-party export may).
std::string export_without_config(Session& s) {
  TensorFile f = read_safetensors(s.export_safetensors());
  f.metadata.erase("rnnlab.config");
  return write_safetensors(f);
}

}  // namespace

TEST_CASE("import refuses to guess between cells whose weights have the same shapes", "[files][import]") {
  for (CellType cell : {CellType::gru, CellType::lstm_cifg, CellType::lstm_nfg}) {
    INFO(to_string(cell));
    Session s(corpus(), small(cell));
    for (int i = 0; i < 10; ++i) s.train_step();
    const std::string bytes = export_without_config(s);

    CHECK_THROWS_WITH(Session::import_safetensors(bytes),
                      Catch::Contains("gru, lstm_cifg, lstm_nfg") && Catch::Contains("--cell"));
    // Told the cell, it loads exactly that model.
    auto told = Session::import_safetensors(bytes, cell);
    CHECK(told->config().model.cell == cell);
    CHECK(told->params() == s.params());
    // (Not bit for bit: the import's default unroll cuts the text into other chunks, so sums round differently.)
    CHECK(told->evaluate_text(corpus(), 0, 1).nats_per_char ==
          Approx(s.evaluate_text(corpus(), 0, 1).nats_per_char).epsilon(1e-9));
    // With its rnnlab.config, the file says so itself.
    CHECK(Session::import_safetensors(s.export_safetensors())->config().model.cell == cell);
  }
}

TEST_CASE("import refuses a cell type the weights' shapes rule out", "[files][import]") {
  Session gru(corpus(), small(CellType::gru));
  const std::string bytes = export_without_config(gru);
  CHECK_THROWS_WITH(Session::import_safetensors(bytes, CellType::lstm),
                    Catch::Contains("the given cell type says the cell is lstm"));
  // A file whose own configuration contradicts its weights is refused too, not quietly loaded as something else.
  TensorFile f = read_safetensors(gru.export_safetensors());
  f.metadata["rnnlab.config"] = "cell=lstm\n";
  CHECK_THROWS_WITH(Session::import_safetensors(write_safetensors(f)), Catch::Contains("its rnnlab.config says"));
  // Shapes that allow one cell need no help.
  Session lstm(corpus(), small(CellType::lstm));
  CHECK(Session::import_safetensors(export_without_config(lstm))->config().model.cell == CellType::lstm);
}

TEST_CASE("a vocabulary past 8192 symbols is refused on import (and by Vocab, which loading uses)", "[files][import]") {
  Session s(corpus(), small(CellType::lstm));
  // Re-shape the export for 9,000 symbols: embedding and head rows per symbol, values that are fine.
  TensorFile f = read_safetensors(s.export_safetensors());
  const int V = 9000;
  Json vocab{Json::Array{}};
  for (int i = 0; i < V; ++i) vocab.push_back(Json(static_cast<double>(0x4E00 + i)));   // CJK, ascending
  f.metadata["rnnlab.vocab"] = vocab.dump();
  for (Tensor& t : f.tensors)
    if (t.name == "embed.weight" || t.name == "head.weight" || t.name == "head.bias") {
      t.shape[0] = V;
      size_t n = 1;
      for (int64_t d : t.shape) n *= static_cast<size_t>(d);
      t.values.assign(n, 0.01f);
    }
  CHECK_THROWS_WITH(Session::import_safetensors(write_safetensors(f)),
                    Catch::Contains("9000 symbols") && Catch::Contains("2 to 8192"));
  CHECK(Vocab::kMaxSymbols == 8192);
  std::vector<char32_t> symbols;
  for (int i = 0; i < V; ++i) symbols.push_back(static_cast<char32_t>(0x4E00 + i));
  CHECK_THROWS_WITH(Vocab::from_symbols(symbols), Catch::Contains("9000 symbols"));
}

TEST_CASE("attaching a text counts the characters outside the model's vocabulary", "[files][import]") {
  Session s(corpus(), small(CellType::lstm));
  CHECK(s.text_stats().outside_vocab == 0);   // a vocabulary built from the text holds all of it
  auto imported = Session::import_safetensors(s.export_safetensors());
  std::string other = corpus();
  size_t letters = 0, upper = 0;
  for (char& ch : other)
    if (ch >= 'a' && ch <= 'z' && letters++ % 2 == 0) {   // every other letter in upper case: not in the vocabulary
      ch = static_cast<char>(ch - 'a' + 'A');
      ++upper;
    }
  imported->attach_text(other);
  CHECK(imported->text_stats().outside_vocab == upper);
  CHECK(imported->text_stats().chars == other.size());
}
