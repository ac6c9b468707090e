#include "rnnlab/optimizer.hpp"

#include <algorithm>
#include <cmath>

namespace rnnlab {

float scheduled_lr(const OptimConfig& c, uint64_t step) {
  switch (c.schedule) {
    case ScheduleType::constant:
      return c.lr;
    case ScheduleType::step:
      return c.lr * std::pow(c.step_gamma, static_cast<float>(step / static_cast<uint64_t>(c.step_every)));
    case ScheduleType::cosine: {
      const double progress = std::min(1.0, static_cast<double>(step) / c.cosine_steps);
      const double factor = c.min_lr_fraction + (1.0 - c.min_lr_fraction) * 0.5 * (1.0 + std::cos(M_PI * progress));
      return static_cast<float>(c.lr * factor);
    }
  }
  return c.lr;
}

bool ClipResult::finite() const { return std::isfinite(norm); }

ClipResult clip_gradients(ClipMode mode, float value, float* grads, size_t n) {
  ClipResult r;
  double sum = 0;
  for (size_t i = 0; i < n; ++i) sum += static_cast<double>(grads[i]) * grads[i];
  r.norm = std::sqrt(sum);
  if (!r.finite()) return r;
  if (mode == ClipMode::global_norm && r.norm > value) {
    const float scale = static_cast<float>(value / r.norm);
    for (size_t i = 0; i < n; ++i) grads[i] *= scale;
    r.clipped = true;
  } else if (mode == ClipMode::elementwise) {
    for (size_t i = 0; i < n; ++i) {
      const float g = std::clamp(grads[i], -value, value);
      r.clipped |= g != grads[i];
      grads[i] = g;
    }
  }
  return r;
}

int Optimizer::slot_count(OptimizerType type) {
  switch (type) {
    case OptimizerType::sgd: return 1;       // velocity
    case OptimizerType::adagrad: return 1;   // sum of squared gradients
    case OptimizerType::rmsprop: return 1;   // running mean of squared gradients
    case OptimizerType::adam: return 2;      // first and second moments
  }
  return 0;
}

Optimizer::Optimizer(const OptimConfig& config, size_t n_params) : config_(config) {
  slots_.assign(static_cast<size_t>(slot_count(config.type)), Slab<float>(n_params, 0.0f));
}

void Optimizer::apply(float* p, const float* g, uint64_t t, float lr) {
  const size_t n = slots_.empty() ? 0 : slots_[0].size();
  switch (config_.type) {
    case OptimizerType::sgd: {   // torch.optim.SGD: v = mu*v + g; p -= lr*v (plain SGD when mu = 0)
      float* v = slots_[0].data();
      const float mu = config_.momentum;
      for (size_t i = 0; i < n; ++i) {
        v[i] = mu * v[i] + g[i];
        p[i] -= lr * v[i];
      }
      break;
    }
    case OptimizerType::adagrad: {   // min-char-rnn: mem += g^2; p -= lr * g / sqrt(mem + eps)
      float* mem = slots_[0].data();
      for (size_t i = 0; i < n; ++i) {
        mem[i] += g[i] * g[i];
        p[i] -= lr * g[i] / std::sqrt(mem[i] + config_.eps);
      }
      break;
    }
    case OptimizerType::rmsprop: {   // char-rnn's optim.rmsprop: m = a*m + (1-a)*g^2; p -= lr * g / (sqrt(m) + eps)
      float* m = slots_[0].data();
      const float a = config_.rms_decay;
      for (size_t i = 0; i < n; ++i) {
        m[i] = a * m[i] + (1.0f - a) * g[i] * g[i];
        p[i] -= lr * g[i] / (std::sqrt(m[i]) + config_.eps);
      }
      break;
    }
    case OptimizerType::adam: {   // torch.optim.Adam with bias correction
      float* m = slots_[0].data();
      float* v = slots_[1].data();
      const float b1 = config_.beta1, b2 = config_.beta2;
      const double td = static_cast<double>(t);
      const float c1 = static_cast<float>(1.0 - std::pow(static_cast<double>(b1), td));
      const float c2 = static_cast<float>(1.0 - std::pow(static_cast<double>(b2), td));
      const float step = lr / c1, root_c2 = std::sqrt(c2);
      for (size_t i = 0; i < n; ++i) {
        m[i] = b1 * m[i] + (1.0f - b1) * g[i];
        v[i] = b2 * v[i] + (1.0f - b2) * g[i] * g[i];
        p[i] -= step * m[i] / (std::sqrt(v[i]) / root_c2 + config_.eps);
      }
      break;
    }
  }
}

}  // namespace rnnlab
