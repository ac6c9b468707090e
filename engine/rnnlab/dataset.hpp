// Token sequences for training: the train/validation split and the truncated-BPTT stream batcher.
// Letters as in config.hpp: B batch (parallel streams), T unroll length; S is the length of one stream.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

namespace rnnlab {

struct TextSplit {
  std::vector<int32_t> train, val;
};

// val = the last floor(n * val_fraction) tokens, train = the rest. The held-out part is the END of the
// text (not random characters), so validation measures continuing unseen text. val_fraction must be in
// [0, 0.5] (else ConfigError); it is taken to 6 decimal places so binary rounding (0.29 of 100 computed as
// 28.999...) cannot take a token away.
TextSplit split_text(const std::vector<int32_t>& tokens, double val_fraction);

// B parallel streams through a token sequence for truncated BPTT, char-rnn style: the sequence of n
// tokens is cut into B contiguous streams of S = (n - 1) / B tokens each (stream b starts at b*S); every
// call to next() takes the next T positions of every stream (inputs tokens[b*S + p + t], targets
// tokens[b*S + p + t + 1], t < T), then p += T. Contiguous streams let the hidden state carry across
// chunks: chunk k+1 of stream b continues exactly where chunk k stopped.
//
// The cursor wraps eagerly: as soon as fewer than T positions are left (p + T > S) it goes back to p = 0
// and epoch() counts the completed pass, so position() is always a valid chunk start (<= S - T), which
// is what a checkpoint stores. The next call, which starts the new pass, returns true so the caller
// resets the hidden state; every other call returns false (including the very first, whose state is
// fresh anyway). The return value depends only on (position, epoch), so it survives restore().
class StreamBatcher {
 public:
  // Throws ConfigError when batch or unroll < 1, or when n < B*T + 1, e.g. "the training text has 120
  // characters but batch 32 x unroll 64 needs at least 2049: use a smaller batch or unroll, or more text".
  StreamBatcher(size_t n_tokens, int batch, int unroll);

  // tokens: the n_tokens of the constructor. inputs/targets: (T, B) time-major, index t*B + b.
  // Returns true when this chunk starts a new pass after a completed one (reset the hidden state).
  bool next(const int32_t* tokens, int32_t* inputs, int32_t* targets);

  int batch() const { return batch_; }
  int unroll() const { return unroll_; }
  size_t stream_length() const { return stream_length_; }   // S
  size_t position() const { return position_; }             // p, the next chunk's offset in every stream
  uint64_t epoch() const { return epoch_; }                  // completed passes
  double epoch_progress() const {                            // epoch + p / S, for display
    return static_cast<double>(epoch_) + static_cast<double>(position_) / static_cast<double>(stream_length_);
  }

  // Restores a saved cursor (from a checkpoint); FormatError if position > S - T.
  void restore(size_t position, uint64_t epoch);

 private:
  int batch_;
  int unroll_;
  size_t stream_length_;
  size_t position_ = 0;
  uint64_t epoch_ = 0;
};

}  // namespace rnnlab
