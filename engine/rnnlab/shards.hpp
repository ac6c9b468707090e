// Data-parallel training: how one step's B streams split into shards, and how the shards' gradients are summed,
// so that the same seed and settings give the same losses bit for bit whether 1, 2, 3 or 8 threads or workers
// compute the shards.
//
// Why this is exact: a stream's forward and backward values depend only on its own inputs, state and dropout masks,
// and the products that compute them give each column the same bits whichever columns share the call, as long as the
// call's ragged last N % 4 columns are the same ones (linalg.hpp, gemm_columns). So a worker runs the streams of
// its shards as one batch, at full width, and only what sums over streams (the loss and every weight gradient) is
// summed per shard (StepShare, network.hpp). Shards are whole groups of 4 streams, the last one taking the ragged
// end, so every worker's batch starts at a multiple of 4 and only the last worker holds the ragged columns, exactly
// as one worker holding every stream would. The shard sums are then added in one fixed tree (combine_shards). A
// thread or worker only chooses which shards it computes, never how. Dropout masks are drawn per stream
// (DropoutKey, network.hpp), so they do not depend on the grouping either.
//
// The shard count is a function of the model alone (B and its parameter count P): B / per shards of
// per = 4 * ceil(B / (4 * K)) streams, the last one also taking the B % per left over (one shard of B when B < 4),
// where K = kMaxShards, or fewer for a model so large that K gradient slabs of P floats would pass
// kShardSlabBudgetBytes (a step holds one slab per shard while it runs). W1 (B 32) has 8 shards, W2 (B 16) 4, the page's
// default (B 16) 4. A shard's size only changes how finely a step can be split, not its cost: the weight-gradient
// products run over T * 4 or more columns each.
#pragma once
#include <vector>

#include "rnnlab/network.hpp"
#include "rnnlab/params.hpp"

namespace rnnlab {

constexpr int kStreamsPerShard = 4;
constexpr int kMaxShards = 16;
constexpr size_t kShardSlabBudgetBytes = size_t{256} << 20;   // a 4-layer, 1024-unit LSTM (134 MB of floats): 1 shard

// The fixed decomposition of B streams: shard s covers streams [first(s), first(s) + streams(s)).
struct ShardPlan {
  int batch = 0;
  int count = 0;
  ShardPlan(int B, size_t params);
  int first(int s) const { return s * per_shard_; }
  int streams(int s) const;
  int shard_of(int stream) const;
  // Shard boundaries of shards [first_shard, first_shard + n) relative to the first one's first stream.
  std::vector<int> bounds(int first_shard, int n) const;

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
