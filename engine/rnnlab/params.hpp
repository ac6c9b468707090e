// Where every weight lives: one contiguous slab per model, cut into named blocks.
//
// Block names are torch.nn's state_dict names, so safetensors files move to and from PyTorch unchanged:
//   embed.weight          (V, E)         nn.Embedding (absent with one-hot input)
//   rnn.weight_ih_l{k}    (G*H, In_k)    In_0 = E (or V one-hot), In_k = H for k > 0
//   rnn.weight_hh_l{k}    (G*H, H)
//   rnn.bias_ih_l{k}      (G*H)
//   rnn.bias_hh_l{k}      (G*H)
//   rnn.weight_ch_l{k}    (3H)           lstm_peephole only: peephole weights for i, f (on c_{t-1}) and o (on c_t);
//                                        not a torch.nn name, since torch.nn.LSTM has no peepholes
//   head.weight           (V, H)         nn.Linear on the top layer's output
//   head.bias             (V)
// Every block is stored row-major as in torch; gate blocks within G*H follow torch's order
// (LSTM i,f,g,o; GRU r,z,n). Gradients and optimizer moments use twin slabs with the same offsets.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "rnnlab/config.hpp"
#include "rnnlab/eigen.hpp"

namespace rnnlab {

// Slabs are 64-byte aligned and every block starts on a 64-byte boundary (kBlockAlign floats). Eigen's vectorised
// loops peel differently depending on an address's alignment, so without this the same computation could round
// differently in two sessions whose vectors happen to land at different addresses, and an exact resume would not be.
template <typename S>
using Slab = std::vector<S, Eigen::aligned_allocator<S>>;
constexpr size_t kBlockAlign = 16;

struct ParamBlock {
  std::string name;
  std::vector<int64_t> shape;   // (rows, cols) for matrices, (n) for biases
  size_t offset = 0;            // into the slab, in elements
  size_t size = 0;
  int rows() const { return static_cast<int>(shape[0]); }
  int cols() const { return shape.size() > 1 ? static_cast<int>(shape[1]) : 1; }
};

// Offsets of one layer's four blocks, to avoid string look-ups on the hot path.
struct LayerBlocks {
  size_t weight_ih, weight_hh, bias_ih, bias_hh;
  size_t peephole;  // lstm_peephole only (else 0)
  int input_size;   // In_k
};

class ParamLayout {
 public:
  ParamLayout() = default;
  ParamLayout(const ModelConfig& model, int vocab_size);

  const std::vector<ParamBlock>& blocks() const { return blocks_; }
  size_t total() const { return total_; }   // elements in the slab, alignment padding included
  // nullptr when the name is not a block of this model.
  const ParamBlock* find(const std::string& name) const;

  bool has_embedding() const { return has_embedding_; }
  size_t embed_weight() const { return embed_weight_; }
  const LayerBlocks& layer(int k) const { return layers_[static_cast<size_t>(k)]; }
  size_t head_weight() const { return head_weight_; }
  size_t head_bias() const { return head_bias_; }

 private:
  size_t add(std::string name, std::vector<int64_t> shape);
  std::vector<ParamBlock> blocks_;
  std::vector<LayerBlocks> layers_;
  size_t total_ = 0;
  bool has_embedding_ = false;
  size_t embed_weight_ = 0, head_weight_ = 0, head_bias_ = 0;
};

}  // namespace rnnlab
