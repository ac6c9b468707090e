// safetensors: the weight format PyTorch and Hugging Face use, our bridge to torch.nn state_dicts.
//
// Layout: u64 little-endian header length N, then N bytes of JSON
//   {"name": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, ..., "__metadata__": {"k": "v"}}
// then the raw little-endian tensor bytes; offsets count from the start of that data section.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace rnnlab {

struct Tensor {
  std::string name;             // e.g. "rnn.weight_ih_l0"
  std::vector<int64_t> shape;   // row-major; {} is a scalar (one value), any 0 dim makes it empty
  std::vector<float> values;    // product(shape) values
};

struct TensorFile {
  std::vector<Tensor> tensors;
  std::map<std::string, std::string> metadata;   // the free-form "__metadata__" strings
};

// Writes every tensor as F32, in the given order and contiguously, with the header padded with spaces
// so the data starts at a multiple of 8 bytes (as the reference writer does, for aligned loads).
// FormatError if a tensor's shape does not match its values, or a name is empty, repeated or "__metadata__".
std::string write_safetensors(const TensorFile& file);

// Reads F32, F64, F16 and BF16 tensors (converted to float; F64 values beyond float's range become
// +-inf). Tensors come back in data-offset order. Every length and offset is checked before anything
// is allocated; anything inconsistent throws FormatError with a message saying what is wrong.
// Accepted but not required: gaps between tensors and unknown extra fields in a tensor entry.
TensorFile read_safetensors(std::string_view bytes);

}  // namespace rnnlab
