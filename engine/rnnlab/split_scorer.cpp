#include "rnnlab/split_scorer.hpp"

#include <algorithm>

#include "rnnlab/stream_chunk.hpp"

namespace rnnlab {

SplitScorer::SplitScorer(const Session& s) : unroll_(s.config().train.unroll) {
  const size_t n = s.split().val.size();
  if (n < 2) return;   // length_ 0: done, nothing scored
  // As Session::evaluate_tokens with max_chars 0 and streams 0.
  streams_ = static_cast<int>(std::max<size_t>(1, std::min<size_t>(s.config().train.batch, (n - 1) / unroll_)));
  length_ = (n - 1) / static_cast<size_t>(streams_);
  state_ = s.network().zero_state(streams_);
}

bool SplitScorer::advance(const Session& s, size_t max_chunks) {
  const std::vector<int32_t>& tokens = s.split().val;
  const int B = streams_;
  for (size_t chunk = 0; chunk < max_chunks && !done(); ++chunk) {
    const int len = static_cast<int>(std::min<size_t>(static_cast<size_t>(unroll_), length_ - position_));
    gather_stream_chunk(tokens, length_, position_, len, B, x_, y_);
    total_ += s.network().forward(s.params().data(), x_.data(), y_.data(), len, B, state_, cache_, nullptr) * len * B;
    position_ += static_cast<size_t>(len);
  }
  return done();
}

EvalReport SplitScorer::report() const { return report_from_total(total_, chars_done()); }

}  // namespace rnnlab
