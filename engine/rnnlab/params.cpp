#include "rnnlab/params.hpp"

namespace rnnlab {

ParamLayout::ParamLayout(const ModelConfig& model, int vocab_size) {
  const int64_t V = vocab_size, E = model.embed, H = model.hidden;
  const int64_t GH = gates_per_cell(model.cell) * H;
  has_embedding_ = E > 0;
  if (has_embedding_) embed_weight_ = add("embed.weight", {V, E});
  for (int k = 0; k < model.layers; ++k) {
    const int64_t in = k > 0 ? H : (has_embedding_ ? E : V);
    const std::string s = "_l" + std::to_string(k);
    LayerBlocks lb{};
    lb.input_size = static_cast<int>(in);
    lb.weight_ih = add("rnn.weight_ih" + s, {GH, in});
    lb.weight_hh = add("rnn.weight_hh" + s, {GH, H});
    lb.bias_ih = add("rnn.bias_ih" + s, {GH});
    lb.bias_hh = add("rnn.bias_hh" + s, {GH});
    lb.peephole = model.cell == CellType::lstm_peephole ? add("rnn.weight_ch" + s, {3 * H}) : 0;
    layers_.push_back(lb);
  }
  head_weight_ = add("head.weight", {V, H});
  head_bias_ = add("head.bias", {V});
}

size_t ParamLayout::add(std::string name, std::vector<int64_t> shape) {
  size_t n = 1;
  for (int64_t d : shape) n *= static_cast<size_t>(d);
  ParamBlock b;
  b.name = std::move(name);
  b.shape = std::move(shape);
  b.offset = (total_ + kBlockAlign - 1) / kBlockAlign * kBlockAlign;
  b.size = n;
  total_ = b.offset + n;
  blocks_.push_back(std::move(b));
  return blocks_.back().offset;
}

const ParamBlock* ParamLayout::find(const std::string& name) const {
  for (const auto& b : blocks_)
    if (b.name == name) return &b;
  return nullptr;
}

}  // namespace rnnlab
