#include "rnnlab/gradient_check.hpp"

#include <algorithm>
#include <cmath>

#include "rnnlab/errors.hpp"
#include "rnnlab/unrolled.hpp"

namespace rnnlab {

std::vector<size_t> pick_weights(const ParamLayout& layout, const float* grads, int count, uint64_t seed) {
  if (count < 1 || count > kMaxGradCheckWeights)
    throw ConfigError("check 1 to " + std::to_string(kMaxGradCheckWeights) + " weights");
  // Per block with a nonzero gradient: its largest entry, and the entries worth checking (>= 1% of it).
  std::vector<std::vector<size_t>> candidates;
  std::vector<size_t> largest;
  for (const ParamBlock& b : layout.blocks()) {
    size_t best = b.offset;
    for (size_t i = b.offset; i < b.offset + b.size; ++i)
      if (std::abs(grads[i]) > std::abs(grads[best])) best = i;
    if (grads[best] == 0.0f) continue;
    std::vector<size_t> ok;
    for (size_t i = b.offset; i < b.offset + b.size; ++i)
      if (i != best && std::abs(grads[i]) >= 0.01f * std::abs(grads[best])) ok.push_back(i);
    largest.push_back(best);
    candidates.push_back(std::move(ok));
  }
  if (largest.empty()) throw ConfigError("the gradient is zero everywhere on this input: nothing to check");
  std::vector<size_t> picks;
  Rng rng(seed);
  for (int n = 0; n < count; ++n) {
    const size_t b = static_cast<size_t>(n) % largest.size();
    if (static_cast<size_t>(n) < largest.size()) {
      picks.push_back(largest[b]);
    } else if (!candidates[b].empty()) {
      std::vector<size_t>& c = candidates[b];
      const size_t j = rng.below(c.size());
      picks.push_back(c[j]);
      c.erase(c.begin() + static_cast<std::ptrdiff_t>(j));   // no weight twice
    }
  }
  return picks;
}

std::vector<GradCheckEntry> compare_with_finite_differences(const ModelConfig& model, int vocab_size,
                                                            const float* params, const float* analytic,
                                                            const std::vector<int32_t>& tokens,
                                                            const std::vector<size_t>& picks) {
  ModelConfig m = model;
  m.dropout = 0.0f;   // the loss compared is the deterministic one the trace shows
  const Network<double> net(m, vocab_size);
  std::vector<double> w(params, params + net.layout().total());
  const RecurrentState<double> zero = net.zero_state(1);
  std::vector<GradCheckEntry> out;
  for (size_t index : picks) {
    const ParamBlock* block = nullptr;
    for (const ParamBlock& b : net.layout().blocks())
      if (index >= b.offset && index < b.offset + b.size) block = &b;
    if (!block) throw ConfigError("a checked weight lies outside every parameter block");
    GradCheckEntry e;
    e.block = block->name;
    e.index = index;
    e.row = static_cast<int>((index - block->offset) / static_cast<size_t>(block->cols()));
    e.col = static_cast<int>((index - block->offset) % static_cast<size_t>(block->cols()));
    e.analytic = analytic[index];
    const double keep = w[index];
    w[index] = keep + kGradCheckEps;
    const double plus = unrolled_loss(net, w.data(), tokens, zero);
    w[index] = keep - kGradCheckEps;
    const double minus = unrolled_loss(net, w.data(), tokens, zero);
    w[index] = keep;
    e.numeric = (plus - minus) / (2 * kGradCheckEps);
    const double scale = std::max(std::abs(e.analytic), std::abs(e.numeric));
    e.rel_error = scale > 0 ? std::abs(e.analytic - e.numeric) / scale : 0.0;
    out.push_back(e);
  }
  return out;
}

}  // namespace rnnlab
