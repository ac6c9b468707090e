// safetensors import/export: the bridge to PyTorch. Tensor names are the torch.nn state_dict names listed in
// params.hpp; the metadata carries what the weights alone cannot say:
//   "format": "pt"                    what torch-oriented loaders expect
//   "rnnlab.format": "1"
//   "rnnlab.vocab": "[10,32,33,...]"  the vocabulary's code points, ascending (id = index), as a JSON array
//   "rnnlab.config": "cell=lstm\n..." config_to_text(); optional on import (defaults are used)
// On import the architecture (cell, layers, hidden, embedding) is read from the tensor shapes, which are
// authoritative; the vocabulary is required.
#include <cmath>

#include "rnnlab/config_text.hpp"
#include "rnnlab/errors.hpp"
#include "rnnlab/json.hpp"
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

// Reads cell, layers, hidden and embedding size from the tensor shapes.
ModelConfig architecture_from_shapes(const TensorFile& f, ModelConfig m) {
  const Tensor* hh0 = find_tensor(f, "rnn.weight_hh_l0");
  if (!hh0 || hh0->shape.size() != 2 || hh0->shape[1] <= 0)
    throw FormatError("this safetensors file has no 'rnn.weight_hh_l0' matrix: it is not an rnnlab/torch.nn "
                      "character model (expected names: embed.weight, rnn.weight_ih_l0, ..., head.weight)");
  const int64_t H = hh0->shape[1];
  const int64_t gh = hh0->shape[0];
  // The gate count tells torch.nn's cells apart; rnnlab's LSTM variants share gate counts with LSTM (peephole,
  // recognised by its extra weights) or GRU (cifg, nfg), so for those the configured cell decides.
  const bool configured_variant = gates_per_cell(m.cell) * H == gh && !has_torch_twin(m.cell);
  if (find_tensor(f, "rnn.weight_ch_l0")) m.cell = CellType::lstm_peephole;
  else if (configured_variant) {}
  else if (gh == H) m.cell = CellType::rnn_tanh;
  else if (gh == 3 * H) m.cell = CellType::gru;
  else if (gh == 4 * H) m.cell = CellType::lstm;
  else throw FormatError("rnn.weight_hh_l0 has shape " + shape_text(hh0->shape) + ", which is no RNN, GRU or LSTM");
  if (gates_per_cell(m.cell) * H != gh)
    throw FormatError("rnn.weight_hh_l0 has shape " + shape_text(hh0->shape) + ", which does not fit a " +
                      to_string(m.cell) + " cell");
  m.hidden = static_cast<int>(std::min<int64_t>(H, 1 << 20));
  m.layers = 0;
  while (find_tensor(f, "rnn.weight_hh_l" + std::to_string(m.layers))) ++m.layers;
  const Tensor* emb = find_tensor(f, "embed.weight");
  m.embed = emb && emb->shape.size() == 2 ? static_cast<int>(std::min<int64_t>(emb->shape[1], 1 << 20)) : 0;
  return m;
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

std::unique_ptr<Session> Session::import_safetensors(std::string_view bytes) {
  const TensorFile f = read_safetensors(bytes);
  Vocab vocab = vocab_from_metadata(f);
  Config config;
  auto it = f.metadata.find("rnnlab.config");
  if (it != f.metadata.end()) config = config_from_text(it->second);
  config.model = architecture_from_shapes(f, config.model);
  try {
    validate(config);
  } catch (const ConfigError& e) {
    throw FormatError(std::string("the weights describe a model rnnlab cannot run: ") + e.what());
  }
  if (config.vocab.max_size < vocab.size()) config.vocab.max_size = std::min(vocab.size(), 8192);

  auto s = std::unique_ptr<Session>(new Session(config, std::move(vocab)));
  const ParamLayout& layout = s->net_.layout();
  for (const ParamBlock& b : layout.blocks()) {
    const Tensor* t = find_tensor(f, b.name);
    if (!t) throw FormatError("safetensors file lacks tensor '" + b.name + "' that a " + to_string(config.model.cell) +
                              " model with this vocabulary needs");
    if (t->shape != b.shape)
      throw FormatError("tensor '" + b.name + "' has shape " + shape_text(t->shape) + " but the model needs " +
                        shape_text(b.shape) + " (is the vocabulary the one it was trained with?)");
    for (size_t i = 0; i < b.size; ++i) {
      if (!std::isfinite(t->values[i]))
        throw FormatError("tensor '" + b.name + "' holds NaN or infinite values: the weights are unusable");
      s->params_[b.offset + i] = t->values[i];
    }
  }
  for (const Tensor& t : f.tensors)
    if (!layout.find(t.name))
      throw FormatError("unexpected tensor '" + t.name + "' in the safetensors file: it does not belong to a " +
                        to_string(config.model.cell) + " with " + std::to_string(config.model.layers) + " layer(s)");
  return s;
}

}  // namespace rnnlab
