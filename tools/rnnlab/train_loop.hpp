// The training loop of `rnnlab train`: steps until a step count or deadline, with periodic validation, saves
// (by step count and by time) and samples, the divergence guard and a clean stop on Ctrl-C, SIGTERM or SIGHUP.
//
// The divergence guard is the page's: a step is bad when the engine rejected it (non-finite loss or gradient,
// weights untouched) or flagged it `diverging` (a finite loss above 2 ln V, twice what knowing nothing costs).
// After kBadStreak bad steps in a row the run is blowing up: with DivergePolicy::stop the session goes back to its
// last good training state and the loop stops (the caller saves that state and exits non-zero); with
// DivergePolicy::rewind it goes back, halves the learning rate and trains on, up to kMaxRewinds times.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

#include "progress.hpp"
#include "rnnlab/session.hpp"

namespace rnnlab::cli {

enum class DivergePolicy { stop, rewind };

struct LoopOptions {
  uint64_t steps = 0;          // steps to run now; 0 = no step limit (then minutes > 0)
  double minutes = 0;          // 0 = no time limit
  uint64_t eval_every = 0;     // 0 = only at the end
  size_t eval_chars = 20000;   // validation characters per evaluation (0 = all)
  uint64_t save_every = 0;     // 0 = only at the end
  double save_minutes = 10;    // also save after this much time since the last save; 0 = no timed saves
  uint64_t sample_every = 0;   // 0 = never
  DivergePolicy on_diverge = DivergePolicy::stop;
  std::string out_path;        // where saves go
  ShardRunner* runner = nullptr;   // threads for each step's shards (thread_pool.hpp); null: this thread alone
};

constexpr int kBadStreak = 5;    // bad steps in a row that mean the run is blowing up (the page's threshold too)
constexpr int kMaxRewinds = 10;  // rewind halves the rate each time: lr / 1024 and still blowing up is hopeless

enum class StopReason { finished, interrupted, diverged };

// How a run that diverged ended, for the caller's message.
struct Divergence {
  uint64_t at_step = 0;        // the model's step when the guard fired
  bool non_finite = false;     // the last bad step's loss or gradient was NaN or infinite
  double loss_bpc = 0;         // otherwise its training loss, bits/char
  double limit_bpc = 0;        // the guard's threshold, 2 log2 V bits/char
  int64_t restored_step = -1;  // the last good state went back to; -1: none was kept (nothing good to save)
};

struct LoopResult {
  StopReason reason = StopReason::finished;
  uint64_t steps_run = 0;      // accepted steps in this run
  double val_bpc = -1;         // the last validation bits/char (< 0: no validation text)
  double seconds = 0;
  Divergence divergence;       // when reason == diverged
};

// Runs the loop; the model is saved at every --save-every and --save-minutes but not at the end (the caller saves
// once, whatever the reason for stopping, unless a divergence left no good state to save).
LoopResult run_training(Session& session, const LoopOptions& options, Progress& progress);

// "lower the learning rate (--lr, now 10) or enable clipping (--clip-mode norm --clip 5)": what to try next.
std::string divergence_advice(const Config& c);

}  // namespace rnnlab::cli
