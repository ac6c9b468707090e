#include "train_loop.hpp"

#include <chrono>
#include <cmath>
#include <cstdio>

#include "interrupt.hpp"
#include "model_io.hpp"

namespace rnnlab::cli {
namespace {

using Clock = std::chrono::steady_clock;

constexpr int kRejectionsBeforeHalving = 5;
// Ten halvings (lr / 1024) without one accepted step means the model itself is broken, not the step size.
constexpr int kRejectionsBeforeGivingUp = 50;
constexpr int kSampleLength = 200;
constexpr float kSampleTemperature = 0.8f;

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

std::string number(const char* format, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

// What to do about divergence depends on whether clipping is already on.
std::string divergence_hint(const Config& c) {
  std::string hint = "lower the learning rate (--lr, now " + number("%g", c.optim.lr) + ")";
  if (c.optim.clip == ClipMode::none) hint += " or enable clipping (--clip-mode norm --clip 5)";
  else hint += " or clip harder (--clip below " + number("%g", c.optim.clip_value) + ")";
  return hint;
}

}  // namespace

LoopResult run_training(Session& session, const LoopOptions& o, Progress& progress) {
  LoopResult result;
  const Clock::time_point start = Clock::now();
  const double time_limit = o.minutes * 60.0;
  const uint64_t first_step = session.step();
  const uint64_t target = o.steps ? first_step + o.steps : 0;
  const double chars_per_step = static_cast<double>(session.config().train.batch) * session.config().train.unroll;
  const bool can_validate = session.text_stats().val_chars >= 2;

  double smoothed = -1;        // bits/char
  uint64_t smoothed_n = 0;
  uint64_t attempts = 0;       // accepted and rejected steps: both cost the same time
  int rejected_in_a_row = 0;
  uint64_t last_eval_step = UINT64_MAX;

  auto snapshot = [&]() {
    ProgressSnapshot s;
    s.step = session.step();
    s.target = target;
    s.loss_bpc = smoothed;
    s.val_bpc = result.val_bpc;
    const double elapsed = seconds_since(start);
    s.chars_per_sec = elapsed > 0 ? static_cast<double>(attempts) * chars_per_step / elapsed : 0;
    const double done = static_cast<double>(session.step() - first_step);
    double fraction = -1, eta = -1;
    if (target && done > 0) {
      fraction = done / static_cast<double>(o.steps);
      eta = elapsed / done * static_cast<double>(target - session.step());
    }
    if (time_limit > 0) {
      const double tf = elapsed / time_limit;
      fraction = std::max(fraction, tf);
      const double left = std::max(time_limit - elapsed, 0.0);
      eta = eta < 0 ? left : std::min(eta, left);
    }
    s.fraction = fraction;
    s.eta_sec = eta < 0 ? -1 : std::max(eta, 0.0);
    return s;
  };
  auto validate_now = [&]() {
    if (!can_validate || last_eval_step == session.step()) return;
    result.val_bpc = session.evaluate(o.eval_chars).bits_per_char;
    last_eval_step = session.step();
  };

  if (progress.terminal()) progress.update(snapshot(), true);   // a plain log starts with the first real line
  for (;;) {
    if (target && session.step() >= target) break;
    if (time_limit > 0 && seconds_since(start) >= time_limit) break;
    if (interrupt_requested()) {
      result.reason = StopReason::interrupted;
      break;
    }

    const StepReport r = session.train_step(o.runner);
    ++attempts;
    if (r.rejected) {
      ++rejected_in_a_row;
      // The first rejection of a run says what happened and what to do; the following ones are summed up at
      // each halving, so a bad patch does not bury the terminal in identical lines.
      if (rejected_in_a_row == 1)
        progress.warn("step " + std::to_string(r.step + 1) +
                      " rejected: the loss or gradient was not finite (the model is diverging), so the weights "
                      "were left unchanged; " + divergence_hint(session.config()));
      if (rejected_in_a_row >= kRejectionsBeforeGivingUp) {
        result.reason = StopReason::diverged;
        break;
      }
      if (rejected_in_a_row % kRejectionsBeforeHalving == 0) {
        const float lr = session.config().optim.lr * 0.5f;
        try {
          session.set_learning_rate(lr);
        } catch (const std::exception&) {   // below the engine's smallest rate: nothing left to try
          result.reason = StopReason::diverged;
          break;
        }
        progress.warn(std::to_string(rejected_in_a_row) + " rejected steps in a row: halving the learning rate to " +
                      number("%g", lr) + " (it is saved with the model)");
      }
      progress.update(snapshot());
      continue;
    }
    rejected_in_a_row = 0;
    ++result.steps_run;
    // A running mean at first, then an exponential average over roughly the last 20 steps.
    const double bpc = r.loss / std::log(2.0);
    ++smoothed_n;
    const double alpha = std::max(1.0 / static_cast<double>(smoothed_n), 0.05);
    smoothed = smoothed < 0 ? bpc : smoothed + alpha * (bpc - smoothed);

    const uint64_t step = r.step;
    bool force = false;
    if (o.eval_every && step % o.eval_every == 0) {
      validate_now();
      force = true;
    }
    if (o.sample_every && step % o.sample_every == 0) {
      SampleOptions so;
      so.length = kSampleLength;
      so.temperature = kSampleTemperature;
      so.seed = step;
      const std::string text = session.sample(so).text;
      progress.line("--- sample at step " + std::to_string(step) + " (temperature " + number("%g", so.temperature) +
                    ") ---\n" + text + (text.empty() || text.back() != '\n' ? "\n" : "") + "---");
      force = true;
    }
    if (o.save_every && step % o.save_every == 0) {
      save_model(session, o.out_path);
      if (!progress.terminal()) progress.line("saved " + o.out_path + " at step " + std::to_string(step));
    }
    progress.update(snapshot(), force);
  }
  // The last word on the model: its validation score where it stopped.
  if (result.reason != StopReason::diverged) validate_now();
  progress.update(snapshot(), true);
  result.seconds = seconds_since(start);
  return result;
}

}  // namespace rnnlab::cli
