#include "rnnlab/dataset.hpp"

#include <cmath>
#include <string>

#include "rnnlab/errors.hpp"

namespace rnnlab {

TextSplit split_text(const std::vector<int32_t>& tokens, double val_fraction) {
  if (!(val_fraction >= 0.0 && val_fraction <= 0.5))   // written so NaN fails too
    throw ConfigError("val_fraction must be between 0 and 0.5 (got " + std::to_string(val_fraction) +
                      "): it is the share of the text held out for validation");
  // floor(n * f) in exact integer arithmetic on f rounded to millionths: a float config's 0.29f is
  // 0.2899999917, and floor(100 * 0.2899999917) would hold out 28 tokens where a person asked for 29.
  constexpr uint64_t kScale = 1000000;
  const auto millionths = static_cast<uint64_t>(std::llround(val_fraction * kScale));
  const uint64_t n = tokens.size();
  const uint64_t n_val = (n / kScale) * millionths + (n % kScale) * millionths / kScale;   // no overflow

  TextSplit split;
  const auto cut = tokens.begin() + static_cast<std::ptrdiff_t>(n - n_val);
  split.train.assign(tokens.begin(), cut);
  split.val.assign(cut, tokens.end());
  return split;
}

StreamBatcher::StreamBatcher(size_t n_tokens, int batch, int unroll) : batch_(batch), unroll_(unroll) {
  if (batch < 1 || unroll < 1)
    throw ConfigError("batch and unroll must be at least 1 (got batch " + std::to_string(batch) + ", unroll " +
                      std::to_string(unroll) + ")");
  // Every stream needs T inputs plus the target after the last one; the streams share boundary tokens
  // only through that one extra target, hence B*T + 1.
  const uint64_t needed = static_cast<uint64_t>(batch) * static_cast<uint64_t>(unroll) + 1;
  if (n_tokens < needed)
    throw ConfigError("the training text has " + std::to_string(n_tokens) + " characters but batch " +
                      std::to_string(batch) + " x unroll " + std::to_string(unroll) + " needs at least " +
                      std::to_string(needed) + ": use a smaller batch or unroll, or more text");
  stream_length_ = (n_tokens - 1) / static_cast<size_t>(batch);
}

bool StreamBatcher::next(const int32_t* tokens, int32_t* inputs, int32_t* targets) {
  const bool new_pass = position_ == 0 && epoch_ > 0;
  const size_t B = static_cast<size_t>(batch_), T = static_cast<size_t>(unroll_);
  for (size_t b = 0; b < B; ++b) {
    const int32_t* stream = tokens + b * stream_length_ + position_;
    for (size_t t = 0; t < T; ++t) {
      inputs[t * B + b] = stream[t];
      targets[t * B + b] = stream[t + 1];   // for the last stream this may be token n-1: still in range
    }
  }
  position_ += T;
  if (position_ + T > stream_length_) {   // not a whole chunk left: the pass is complete
    position_ = 0;
    ++epoch_;
  }
  return new_pass;
}

void StreamBatcher::restore(size_t position, uint64_t epoch) {
  const size_t last_start = stream_length_ - static_cast<size_t>(unroll_);
  if (position > last_start)
    throw FormatError("the saved data position " + std::to_string(position) +
                      " is past the last chunk start " + std::to_string(last_start) +
                      " of this text with batch " + std::to_string(batch_) + " x unroll " +
                      std::to_string(unroll_) + ": the checkpoint belongs to another text or setting");
  position_ = position;
  epoch_ = epoch;
}

}  // namespace rnnlab
