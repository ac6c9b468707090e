// The training loop of `rnnlab train`: steps until a step count or deadline, with periodic validation, saves
// and samples, the divergence policy (warn on every rejected step, halve the learning rate after 5 in a row)
// and a clean stop on Ctrl-C.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

#include "progress.hpp"
#include "rnnlab/session.hpp"

namespace rnnlab::cli {

struct LoopOptions {
  uint64_t steps = 0;          // steps to run now; 0 = no step limit (then minutes > 0)
  double minutes = 0;          // 0 = no time limit
  uint64_t eval_every = 0;     // 0 = only at the end
  size_t eval_chars = 20000;   // validation characters per evaluation (0 = all)
  uint64_t save_every = 0;     // 0 = only at the end
  uint64_t sample_every = 0;   // 0 = never
  std::string out_path;        // where saves go
  ShardRunner* runner = nullptr;   // threads for each step's shards (thread_pool.hpp); null: this thread alone
};

enum class StopReason { finished, interrupted, diverged };

struct LoopResult {
  StopReason reason = StopReason::finished;
  uint64_t steps_run = 0;      // accepted steps in this run
  double val_bpc = -1;         // the last validation bits/char (< 0: no validation text)
  double seconds = 0;
};

// Runs the loop; the model is saved at every --save-every but not at the end (the caller saves once, whatever
// the reason for stopping).
LoopResult run_training(Session& session, const LoopOptions& options, Progress& progress);

}  // namespace rnnlab::cli
