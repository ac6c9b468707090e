// safetensors import/export: the bridge to PyTorch. Tensor names are the torch.nn state_dict names listed in
// params.hpp; the metadata carries what the weights alone cannot say:
//   "format": "pt"                    what torch-oriented loaders expect
//   "rnnlab.format": "1"
//   "rnnlab.vocab": "[10,32,33,...]"  the vocabulary's code points, ascending (id = index), as a JSON array
//   "rnnlab.config": "cell=lstm\n..." config_to_text(); optional on import (defaults are used)
// On import the architecture (layers, hidden, embedding) is read from the tensor shapes, which are authoritative;
// the vocabulary is required. The cell too, unless the shapes fit several (GRU and the 3-gate LSTM variants): then
// the caller or the file's rnnlab.config must name it, and without either the import is refused.
#include <algorithm>
#include <cmath>
#include <optional>

#include "rnnlab/config_text.hpp"
#include "rnnlab/errors.hpp"
#include "rnnlab/json.hpp"
#include "rnnlab/params.hpp"
#include "rnnlab/safetensors.hpp"
#include "rnnlab/session.hpp"

namespace rnnlab {
namespace {

const Tensor* find_tensor(const TensorFile& f, const std::string& name) {
  for (const Tensor& t : f.tensors)
    if (t.name == name) return &t;
  return nullptr;
}

std::string shape_text(const std::vector<int64_t>& shape) {
  std::string s = "(";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + ")";
}

Vocab vocab_from_metadata(const TensorFile& f) {
  auto it = f.metadata.find("rnnlab.vocab");
  if (it == f.metadata.end())
    throw FormatError("this safetensors file has no vocabulary (metadata 'rnnlab.vocab'): export it with rnnlab or "
                      "tools/pytorch, which write the characters the model predicts");
  const Json list = parse_json(it->second);
  if (!list.is_array()) throw FormatError("safetensors metadata 'rnnlab.vocab' must be a JSON array of code points");
  std::vector<char32_t> symbols;
  for (const Json& v : list.as_array()) {
    const double cp = v.is_number() ? v.as_number() : -1;
    if (!(cp >= 0 && cp <= 0x10FFFF) || cp != std::floor(cp))
      throw FormatError("safetensors metadata 'rnnlab.vocab' holds something that is not a code point");
    symbols.push_back(static_cast<char32_t>(cp));
  }
  return Vocab::from_symbols(std::move(symbols));
}

// The cell the weights belong to. The gate count in rnn.weight_hh_l0 (G*H rows) narrows it down: 1 is a vanilla
// RNN; 4 an LSTM, or a peephole LSTM when its extra rnn.weight_ch_l0 is there; but 3 fits a GRU and the two LSTM
// variants with three gate blocks (coupled input-forget gate, no forget gate) alike, and loading one as another
// gives a model that runs and is silently wrong. So the shapes decide only when they allow one cell; otherwise
// `hint` (the caller's choice, or the file's own rnnlab.config) must, and a hint the shapes rule out is refused.
CellType cell_from_shapes(const TensorFile& f, int64_t gh, int64_t H, std::optional<CellType> hint,
                          const std::string& hint_source) {
  std::vector<CellType> fits;
  if (find_tensor(f, "rnn.weight_ch_l0")) fits = {CellType::lstm_peephole};
  else if (gh == H) fits = {CellType::rnn_tanh};
  else if (gh == 4 * H) fits = {CellType::lstm};
  else if (gh == 3 * H) fits = {CellType::gru, CellType::lstm_cifg, CellType::lstm_nfg};
  else
    throw FormatError("rnn.weight_hh_l0 has shape (" + std::to_string(gh) + ", " + std::to_string(H) +
                      "), which is no RNN, GRU or LSTM");
  std::string names;
  for (CellType c : fits) names += (names.empty() ? "" : ", ") + to_string(c);
  if (hint) {
    if (std::find(fits.begin(), fits.end(), *hint) != fits.end()) return *hint;
    throw FormatError(hint_source + " says the cell is " + to_string(*hint) + ", but the weights' shapes fit " +
                      (fits.size() == 1 ? "only a " : "only one of ") + names + " cell");
  }
  if (fits.size() == 1) return fits[0];
  throw FormatError("the weights fit a " + names + " cell alike (three gate blocks each) and the file does not say "
                    "which (no rnnlab.config metadata): give the cell type (rnnlab import --cell gru, or lstm_cifg, "
                    "or lstm_nfg); a guess would load a silently wrong model");
}

// Reads cell, layers, hidden and embedding size from the tensor shapes.
ModelConfig architecture_from_shapes(const TensorFile& f, ModelConfig m, std::optional<CellType> hint,
                                     const std::string& hint_source) {
  const Tensor* hh0 = find_tensor(f, "rnn.weight_hh_l0");
  if (!hh0 || hh0->shape.size() != 2 || hh0->shape[1] <= 0)
    throw FormatError("this safetensors file has no 'rnn.weight_hh_l0' matrix: it is not an rnnlab/torch.nn "
                      "character model (expected names: embed.weight, rnn.weight_ih_l0, ..., head.weight)");
  const int64_t H = hh0->shape[1];
  m.cell = cell_from_shapes(f, hh0->shape[0], H, hint, hint_source);
  m.hidden = static_cast<int>(std::min<int64_t>(H, 1 << 20));
  m.layers = 0;
  while (m.layers < 64 && find_tensor(f, "rnn.weight_hh_l" + std::to_string(m.layers))) ++m.layers;
  const Tensor* emb = find_tensor(f, "embed.weight");
  m.embed = emb && emb->shape.size() == 2 ? static_cast<int>(std::min<int64_t>(emb->shape[1], 1 << 20)) : 0;
  return m;
}

// Every block the model needs is in the file with its exact shape, and nothing else is.
void check_tensors_fit(const TensorFile& f, const ParamLayout& layout, const ModelConfig& m) {
  for (const ParamBlock& b : layout.blocks()) {
    const Tensor* t = find_tensor(f, b.name);
    if (!t) throw FormatError("safetensors file lacks tensor '" + b.name + "' that a " + to_string(m.cell) +
                              " model with this vocabulary needs");
    if (t->shape != b.shape)
      throw FormatError("tensor '" + b.name + "' has shape " + shape_text(t->shape) + " but the model needs " +
                        shape_text(b.shape) + " (is the vocabulary the one it was trained with?)");
  }
  for (const Tensor& t : f.tensors)
    if (!layout.find(t.name))
      throw FormatError("unexpected tensor '" + t.name + "' in the safetensors file: it does not belong to a " +
                        to_string(m.cell) + " with " + std::to_string(m.layers) + " layer(s)");
}

}  // namespace

std::string Session::export_safetensors() const {
  TensorFile f;
  for (const ParamBlock& b : net_.layout().blocks())
    f.tensors.push_back(Tensor{b.name, b.shape, std::vector<float>(params_.begin() + b.offset,
                                                                   params_.begin() + b.offset + b.size)});
  Json vocab{Json::Array{}};
  for (char32_t c : vocab_.symbols()) vocab.push_back(Json(static_cast<double>(c)));
  f.metadata["format"] = "pt";
  f.metadata["rnnlab.format"] = "1";
  f.metadata["rnnlab.vocab"] = vocab.dump();
  f.metadata["rnnlab.config"] = config_to_text(config_);
  return write_safetensors(f);
}

std::unique_ptr<Session> Session::import_safetensors(std::string_view bytes, std::optional<CellType> cell) {
  const TensorFile f = read_safetensors(bytes);
  Vocab vocab = vocab_from_metadata(f);
  Config config;
  auto it = f.metadata.find("rnnlab.config");
  const bool has_config = it != f.metadata.end();
  if (has_config) config = config_from_text(it->second);
  // The caller's word first (it is about this very file); then the file's own configuration.
  const std::optional<CellType> hint = cell ? cell : has_config ? std::optional<CellType>(config.model.cell) : std::nullopt;
  config.model = architecture_from_shapes(f, config.model, hint, cell ? "the given cell type" : "its rnnlab.config");
  try {
    validate(config);
  } catch (const ConfigError& e) {
    throw FormatError(std::string("the weights describe a model rnnlab cannot run: ") + e.what());
  }
  if (config.vocab.max_size < vocab.size()) config.vocab.max_size = vocab.size();   // <= kMaxSymbols, see from_symbols

  // Every block checked against the file before the model is allocated: the shapes above come from a few header
  // numbers (an empty embed.weight of shape (0, 1024) costs the file nothing), so only tensors actually present
  // with their data may size the model.
  const ParamLayout layout(config.model, vocab.size());
  check_tensors_fit(f, layout, config.model);
  auto s = std::unique_ptr<Session>(new Session(config, std::move(vocab)));
  for (const ParamBlock& b : layout.blocks()) {
    const Tensor* t = find_tensor(f, b.name);
    for (size_t i = 0; i < b.size; ++i) {
      if (!std::isfinite(t->values[i]))
        throw FormatError("tensor '" + b.name + "' holds NaN or infinite values: the weights are unusable");
      s->params_[b.offset + i] = t->values[i];
    }
  }
  return s;
}

}  // namespace rnnlab
