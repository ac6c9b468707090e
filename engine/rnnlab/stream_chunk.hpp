// Scoring a text as B contiguous streams, one chunk of up to T steps at a time: the gather of a chunk's inputs and
// targets, and the report from the summed loss. Shared by Session::score_streams (in one call) and SplitScorer (in
// pieces between other work), so the two add the same numbers in the same order and agree bit for bit.
#pragma once
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "rnnlab/session.hpp"

namespace rnnlab {

// x, y: (len*B) time-major; stream b reads tokens[b*stride + position + t] and predicts the token after it.
inline void gather_stream_chunk(const std::vector<int32_t>& tokens, size_t stride, size_t position, int len, int B,
                                std::vector<int32_t>& x, std::vector<int32_t>& y) {
  x.resize(static_cast<size_t>(len) * B);
  y.resize(x.size());
  for (int t = 0; t < len; ++t)
    for (int b = 0; b < B; ++b) {
      const size_t i = static_cast<size_t>(b) * stride + position + static_cast<size_t>(t);
      x[static_cast<size_t>(t) * B + b] = tokens[i];
      y[static_cast<size_t>(t) * B + b] = tokens[i + 1];
    }
}

// The report for `chars` characters whose losses sum to total_nats (NaN figures when nothing was scored).
inline EvalReport report_from_total(double total_nats, size_t chars) {
  EvalReport r;
  r.chars = chars;
  r.spread_over = chars;
  if (chars == 0) {
    r.nats_per_char = r.bits_per_char = r.perplexity = NAN;
    return r;
  }
  r.nats_per_char = total_nats / static_cast<double>(chars);
  r.bits_per_char = r.nats_per_char / std::log(2.0);
  r.perplexity = std::exp(r.nats_per_char);
  return r;
}

}  // namespace rnnlab
