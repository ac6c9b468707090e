// Optimizers, learning-rate schedules and gradient clipping, each one loop over the parameter slab.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

#include "rnnlab/config.hpp"
#include "rnnlab/params.hpp"

namespace rnnlab {

// The learning rate after `step` accepted steps under the configured schedule.
float scheduled_lr(const OptimConfig& c, uint64_t step);

struct ClipResult {
  double norm = 0;       // global L2 norm of the gradient before clipping (inf/NaN if it is not finite)
  bool clipped = false;  // some gradient was scaled or cut
  bool finite() const;
};

// Measures the global norm, then clips in place: by global norm (scale everything so the norm is at most
// `value`) or element-wise (min-char-rnn's np.clip to [-value, value]). Non-finite gradients are left as they
// are for the caller to reject.
ClipResult clip_gradients(ClipMode mode, float value, float* grads, size_t n);

class Optimizer {
 public:
  Optimizer() = default;
  Optimizer(const OptimConfig& config, size_t n_params);

  // One update: params -= f(grads). `t` is the 1-based count of updates including this one (Adam's bias correction).
  void apply(float* params, const float* grads, uint64_t t, float lr);

  // Per-parameter state (momentum, squared-gradient averages, Adam's m and v): 0, 1 or 2 slabs the size of params.
  std::vector<Slab<float>>& slots() { return slots_; }
  const std::vector<Slab<float>>& slots() const { return slots_; }
  static int slot_count(OptimizerType type);

 private:
  OptimConfig config_;
  std::vector<Slab<float>> slots_;
};

}  // namespace rnnlab
