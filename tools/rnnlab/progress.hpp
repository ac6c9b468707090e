// How training reports itself. On a terminal: one status line redrawn in place (a bar, step/total, smoothed
// training loss, last validation bits/char, speed, ETA). Otherwise (a log file, a pipe, CI): plain lines every
// N steps that stay readable after the fact, e.g.
//   step 100/1000 loss 2.31 val 2.45 bpc 5120 chars/s eta 0:42
#pragma once
#include <chrono>
#include <cstdint>
#include <string>

namespace rnnlab::cli {

struct ProgressSnapshot {
  uint64_t step = 0;          // accepted steps of the model (across resumes)
  uint64_t target = 0;        // the step this run stops at; 0 = no step limit (--minutes only)
  double fraction = -1;       // of this run done, 0..1; < 0 unknown
  double loss_bpc = -1;       // smoothed training bits/char; < 0 none yet
  double val_bpc = -1;        // last validation bits/char; < 0 none yet
  double chars_per_sec = 0;
  double eta_sec = -1;        // < 0 unknown
};

class Progress {
 public:
  Progress(bool terminal, uint64_t print_every);
  ~Progress();   // leaves the terminal on a fresh line

  // Terminal: redraws, at most ~10 times a second unless forced. Plain: a line every print_every steps, or forced.
  void update(const ProgressSnapshot& s, bool force = false);
  void line(const std::string& text);   // a message on stdout; the bar is redrawn below it at the next update
  void warn(const std::string& text);   // "rnnlab: warning: ..." on stderr, keeping the terminal tidy
  bool terminal() const { return terminal_; }

 private:
  void clear_bar();
  bool terminal_;
  uint64_t print_every_;
  bool drawn_ = false;
  uint64_t last_printed_step_ = UINT64_MAX;
  std::chrono::steady_clock::time_point last_draw_{};
};

// "0:42", "12:05", "1:02:03".
std::string format_duration(double seconds);

}  // namespace rnnlab::cli
