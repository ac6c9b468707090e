// Data-parallel training: how one step's B streams split into shards, and how the shards' gradients are summed,
// so that the same seed and settings give the same losses bit for bit whether 1, 2, 3 or 8 threads or workers
// compute the shards.
//
// Why this is exact: forward and backward through time are per stream, so a stream's values depend only on its
// own inputs and state. What depends on grouping is the weight-gradient sums (and the float products inside a
// shard, whose blocking depends on its column count). So the grouping is fixed: a step has shard_count(B) shards
// of fixed streams, each computed the same way wherever it runs, and their gradients are added in one fixed tree
// (combine_shards). A thread or worker only chooses which shards it computes, never how. Dropout masks are drawn
// per stream (DropoutKey, network.hpp), so they do not depend on the grouping either.
//
// The shard count is a function of B alone: ceil(B / kStreamsPerShard) shards of kStreamsPerShard streams (the
// last one may be smaller), at most kMaxShards. kStreamsPerShard = 4 gives W1 (B 32) 8 shards, enough for the
// page's 8 workers at most, and W2 (B 16) 4. Fewer streams per shard would let more workers share a step, but each
// shard's recurrent product (4H, H) x (H, streams) is then too thin to keep the weights' trip through the cache
// worth it; more streams per shard (8) run a little faster on one core but cap W1 at 4 workers and W2 at 2.
#pragma once
#include <vector>

#include "rnnlab/network.hpp"
#include "rnnlab/params.hpp"

namespace rnnlab {

constexpr int kStreamsPerShard = 4;
constexpr int kMaxShards = 64;

// The fixed decomposition of B streams: shard s covers streams [first(s), first(s) + streams(s)).
struct ShardPlan {
  int batch = 0;
  int count = 0;
  explicit ShardPlan(int B);
  int first(int s) const { return s * per_shard_; }
  int streams(int s) const;
  int shard_of(int stream) const { return stream / per_shard_; }

 private:
  int per_shard_ = 1;
};

// The gradient of a training step's mean loss from a contiguous run of its streams: one shard's, or several
// shards' combined. What a worker computes, transfers and the combine adds up.
struct StreamsGradient {
  int first_stream = 0, streams = 0;   // covers streams [first_stream, first_stream + streams)
  Slab<float> grads;                   // (P) in ParamLayout order: their share of d(step mean loss)/d params
  double loss = 0;                     // their share of the step's mean loss, nats per character
  RecurrentState<float> state;         // h[k] (and c[k] for LSTM) (H, streams): their hidden state after the chunk
};

// into += next, where next covers the streams right after into's: grads and losses added, states side by side.
// Throws std::invalid_argument when next does not continue into.
void append_streams(StreamsGradient& into, const StreamsGradient& next);

// The fixed summation tree over a step's shards, for any count K: at level w = 1, 2, 4, ... the node of shards
// [i, min(i + w, K)) absorbs the node [i + w, min(i + 2w, K)), for i = 0, 2w, 4w, ... Float addition is commutative,
// so which pairs are added fixes every bit of the sum; who adds them does not matter.
//
// combine_shards merges every pair of that tree whose two halves are both among `pieces` (tree nodes in stream
// order, e.g. single shards), repeatedly, and leaves the coarsest nodes. Given all K shards it leaves one piece: the
// step's gradient. A worker holding some shards can call it on those and send the nodes it gets; whoever collects
// every node calls it again. Throws std::invalid_argument for a piece that is not a node of the tree.
// The pieces absorbed into others are moved to *absorbed when given (so their slabs can be reused).
void combine_shards(const ShardPlan& plan, std::vector<StreamsGradient>& pieces,
                    std::vector<StreamsGradient>* absorbed = nullptr);

}  // namespace rnnlab
