#include "train_loop.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>

#include "interrupt.hpp"
#include "model_io.hpp"

namespace rnnlab::cli {
namespace {

using Clock = std::chrono::steady_clock;

constexpr int kSampleLength = 200;
constexpr float kSampleTemperature = 0.8f;

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

std::string number(const char* format, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

// One run of the loop; the state its parts share lives here rather than in one long function.
class TrainLoop {
 public:
  TrainLoop(Session& session, const LoopOptions& o, Progress& progress)
      : s_(session), o_(o), progress_(progress), start_(Clock::now()), last_save_(start_),
        first_step_(session.step()), target_(o.steps ? first_step_ + o.steps : 0),
        chars_per_step_(static_cast<double>(session.config().train.batch) * session.config().train.unroll),
        can_validate_(session.text_stats().val_chars >= 2),
        limit_bpc_(2.0 * std::log2(static_cast<double>(session.vocab().size()))) {}

  LoopResult run();

 private:
  bool time_to_stop();
  // A bad step: counts the streak, and when it is long enough applies the policy. False: stop the loop.
  bool on_bad_step(const StepReport& r);
  void on_good_step(const StepReport& r);
  void validate_now();
  ProgressSnapshot snapshot() const;

  Session& s_;
  const LoopOptions& o_;
  Progress& progress_;
  LoopResult result_;
  const Clock::time_point start_;
  Clock::time_point last_save_;
  const uint64_t first_step_, target_;
  const double chars_per_step_;
  const bool can_validate_;
  const double limit_bpc_;
  double smoothed_ = -1;   // bits/char
  uint64_t smoothed_n_ = 0;
  uint64_t attempts_ = 0;  // accepted and rejected steps: both cost the same time
  int bad_in_a_row_ = 0;
  int rewinds_ = 0;
  uint64_t last_eval_step_ = UINT64_MAX;
};

LoopResult TrainLoop::run() {
  if (progress_.terminal()) progress_.update(snapshot(), true);   // a plain log starts with the first real line
  while (!time_to_stop()) {
    const StepReport r = s_.train_step(o_.runner);
    ++attempts_;
    if (r.rejected || r.diverging) {
      if (!on_bad_step(r)) break;
      continue;
    }
    bad_in_a_row_ = 0;
    on_good_step(r);
  }
  // The last word on the model: its validation score where it stopped (after a divergence, of the good state
  // it went back to).
  if (result_.reason != StopReason::diverged || result_.divergence.restored_step >= 0) validate_now();
  progress_.update(snapshot(), true);
  result_.seconds = seconds_since(start_);
  return result_;
}

bool TrainLoop::time_to_stop() {
  if (target_ && s_.step() >= target_) return true;
  if (o_.minutes > 0 && seconds_since(start_) >= o_.minutes * 60.0) return true;
  if (interrupt_requested()) {
    result_.reason = StopReason::interrupted;
    return true;
  }
  return false;
}

bool TrainLoop::on_bad_step(const StepReport& r) {
  ++bad_in_a_row_;
  // The first bad step of a streak says what happened; the streak's end says what was done about it, so a bad
  // patch does not bury the terminal in identical lines.
  if (bad_in_a_row_ == 1)
    progress_.warn("step " + std::to_string(r.step + (r.rejected ? 1 : 0)) +
                   (r.rejected ? ": the loss or gradient was not finite, so the step was rejected"
                               : ": the training loss reached " + number("%.1f", r.loss / std::log(2.0)) +
                                     " bits/char, above " + number("%.2f", limit_bpc_) + " (twice a uniform guess)") +
                   "; the model may be diverging");
  progress_.update(snapshot());
  if (bad_in_a_row_ < kBadStreak) return true;

  bad_in_a_row_ = 0;
  Divergence& d = result_.divergence;
  d.at_step = s_.step();
  d.non_finite = r.rejected;
  d.loss_bpc = r.loss / std::log(2.0);
  d.limit_bpc = limit_bpc_;
  const float lr = s_.config().optim.lr * 0.5f;
  if (o_.on_diverge == DivergePolicy::rewind && rewinds_ < kMaxRewinds && lr >= 1e-8f) {
    ++rewinds_;
    const int64_t back = s_.restore_last_good();
    s_.set_learning_rate(lr);
    progress_.warn(std::to_string(kBadStreak) + " bad steps in a row: " +
                   (back >= 0 ? "back to the weights of step " + std::to_string(back) + ", " : std::string()) +
                   "learning rate halved to " + number("%g", lr) + " (--on-diverge rewind, " +
                   std::to_string(rewinds_) + " of " + std::to_string(kMaxRewinds) + ")");
    return true;
  }
  d.restored_step = s_.restore_last_good();
  result_.reason = StopReason::diverged;
  return false;
}

void TrainLoop::on_good_step(const StepReport& r) {
  ++result_.steps_run;
  // A running mean at first, then an exponential average over roughly the last 20 steps.
  const double bpc = r.loss / std::log(2.0);
  ++smoothed_n_;
  const double alpha = std::max(1.0 / static_cast<double>(smoothed_n_), 0.05);
  smoothed_ = smoothed_ < 0 ? bpc : smoothed_ + alpha * (bpc - smoothed_);

  const uint64_t step = r.step;
  bool force = false;
  if (o_.eval_every && step % o_.eval_every == 0) {
    validate_now();
    force = true;
  }
  if (o_.sample_every && step % o_.sample_every == 0) {
    SampleOptions so;
    so.length = kSampleLength;
    so.temperature = kSampleTemperature;
    so.seed = step;
    const std::string text = s_.sample(so).text;
    progress_.line("--- sample at step " + std::to_string(step) + " (temperature " + number("%g", so.temperature) +
                   ") ---\n" + text + (text.empty() || text.back() != '\n' ? "\n" : "") + "---");
    force = true;
  }
  // By steps when asked, and by time always (unless switched off): a killed machine or a SIGKILL, which
  // nothing can catch, then loses minutes of training, not the whole run. Only after a good step, so a save
  // never catches a model in the middle of blowing up.
  const bool timed_save = o_.save_minutes > 0 && seconds_since(last_save_) >= o_.save_minutes * 60.0;
  if ((o_.save_every && step % o_.save_every == 0) || timed_save) {
    save_model(s_, o_.out_path);
    last_save_ = Clock::now();
    if (!progress_.terminal()) progress_.line("saved " + o_.out_path + " at step " + std::to_string(step));
  }
  progress_.update(snapshot(), force);
}

void TrainLoop::validate_now() {
  if (!can_validate_ || last_eval_step_ == s_.step()) return;
  result_.val_bpc = s_.evaluate(o_.eval_chars).bits_per_char;
  last_eval_step_ = s_.step();
}

ProgressSnapshot TrainLoop::snapshot() const {
  ProgressSnapshot p;
  p.step = s_.step();
  p.target = target_;
  p.loss_bpc = smoothed_;
  p.val_bpc = result_.val_bpc;
  const double elapsed = seconds_since(start_);
  p.chars_per_sec = elapsed > 0 ? static_cast<double>(attempts_) * chars_per_step_ / elapsed : 0;
  const double done = static_cast<double>(s_.step() - first_step_);
  double fraction = -1, eta = -1;
  if (target_ && done > 0) {
    fraction = done / static_cast<double>(o_.steps);
    eta = elapsed / done * static_cast<double>(target_ - s_.step());
  }
  if (o_.minutes > 0) {
    const double time_limit = o_.minutes * 60.0;
    fraction = std::max(fraction, elapsed / time_limit);
    const double left = std::max(time_limit - elapsed, 0.0);
    eta = eta < 0 ? left : std::min(eta, left);
  }
  p.fraction = fraction;
  p.eta_sec = eta < 0 ? -1 : std::max(eta, 0.0);
  return p;
}

}  // namespace

// What to do about divergence depends on whether clipping is already on.
std::string divergence_advice(const Config& c) {
  std::string hint = "lower the learning rate (--lr, now " + number("%g", c.optim.lr) + ")";
  if (c.optim.clip == ClipMode::none) hint += " or enable clipping (--clip-mode norm --clip 5)";
  else hint += " or clip harder (--clip below " + number("%g", c.optim.clip_value) + ")";
  return hint;
}

LoopResult run_training(Session& session, const LoopOptions& o, Progress& progress) {
  return TrainLoop(session, o, progress).run();
}

}  // namespace rnnlab::cli
