// The whole validation split scored in pieces. Session::evaluate(0) scores it in one call, which on a large text
// takes seconds; a caller that must answer other requests meanwhile (the web worker, between its chunks) advances a
// SplitScorer a few unroll-length chunks at a time instead. It plans the same streams as evaluate(0) (min(batch,
// n/T) contiguous streams, each carrying its state from chunk to chunk) and adds the chunks' losses in the same
// order, so the finished figure is evaluate(0)'s, bit for bit.
//
// The session's weights must not change while a scorer is under way (the caller drops it when training resumes).
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

#include "rnnlab/network.hpp"
#include "rnnlab/session.hpp"

namespace rnnlab {

class SplitScorer {
 public:
  // Plans the streams over s.split().val; a split of fewer than 2 characters is done at once (report: NaN).
  explicit SplitScorer(const Session& s);
  // Scores up to max_chunks more chunks of up to T steps (over all streams); returns done().
  bool advance(const Session& s, size_t max_chunks);
  bool done() const { return position_ >= length_; }
  size_t chars_total() const { return length_ * static_cast<size_t>(streams_); }
  size_t chars_done() const { return position_ * static_cast<size_t>(streams_); }
  // The figure so far (over chars_done() characters); once done(), the whole split's.
  EvalReport report() const;

 private:
  int streams_ = 1, unroll_ = 1;
  size_t length_ = 0;     // characters each stream scores
  size_t position_ = 0;   // characters each stream has scored so far
  double total_ = 0;      // nats, summed chunk by chunk as Session::score_streams sums them
  RecurrentState<float> state_;
  ForwardCache<float> cache_;
  std::vector<int32_t> x_, y_;   // (len*streams) time-major
};

}  // namespace rnnlab
