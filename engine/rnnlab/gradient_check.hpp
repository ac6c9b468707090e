// "Check gradients numerically": the backward pass a person steps through, compared with centred finite
// differences on a handful of weights of the same model and input.
//
// Why double: the analytic gradient is the float engine's (the one shown); the numeric one is taken on a double copy
// of the weights, where a centred difference with eps = 1e-5 is accurate to ~1e-10 relative. Its error is then
// far below the float gradient's own rounding (~1e-6 relative), so the reported relative error measures the
// engine alone. In float the same difference would drown in the loss's rounding (a float loss of ~1.4 nats carries
// ~1e-7 absolute noise, so eps = 1e-3 gives ~1e-4 absolute noise on every derivative, and curvature adds ~eps²).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "rnnlab/network.hpp"

namespace rnnlab {

constexpr int kMaxGradCheckWeights = 32;
constexpr double kGradCheckEps = 1e-5;

struct GradCheckEntry {
  std::string block;       // parameter block (params.hpp), e.g. "rnn.weight_hh_l0"
  int row = 0, col = 0;    // within the block (col 0 for biases)
  size_t index = 0;        // into the slab
  double analytic = 0;     // the gradient compared (backpropagation through time)
  double numeric = 0;      // (L(w + eps) - L(w - eps)) / 2 eps on the double copy
  double rel_error = 0;    // |analytic - numeric| / max(|analytic|, |numeric|), 0 when both are 0
};

// Which weights to check: `count` slab indices, seeded. Each block first gets the entry with the largest |gradient|;
// further entries are drawn among those whose |gradient| is at least 1% of their block's largest (a relative error
// of a gradient that is ~0 measures rounding, not the chain rule). Blocks whose gradient is all zero are skipped.
std::vector<size_t> pick_weights(const ParamLayout& layout, const float* grads, int count, uint64_t seed);

// Compares analytic[index] with the centred difference of the mean loss over tokens (T = n - 1 steps from a zero
// state, one window: truncation cuts are no gradient of any loss) for every picked index.
std::vector<GradCheckEntry> compare_with_finite_differences(const ModelConfig& model, int vocab_size,
                                                            const float* params, const float* analytic,
                                                            const std::vector<int32_t>& tokens,
                                                            const std::vector<size_t>& picks);

}  // namespace rnnlab
