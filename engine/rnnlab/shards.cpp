#include "rnnlab/shards.hpp"

#include <algorithm>
#include <cstdint>
#include <stdexcept>
#include <string>

namespace rnnlab {

ShardPlan::ShardPlan(int B, size_t params) : batch(B) {
  if (B < 1) throw std::invalid_argument("ShardPlan: batch must be at least 1");
  // In 64 bits: in wasm size_t is 32 bits, and a slab of 2^30 floats would wrap to 0 bytes there.
  const uint64_t slab = std::max<uint64_t>(1, params) * sizeof(float);
  const int max_shards = static_cast<int>(std::clamp<uint64_t>(kShardSlabBudgetBytes / slab, 1, kMaxShards));
  const int groups = kStreamsPerShard * max_shards;
  per_shard_ = kStreamsPerShard * ((B + groups - 1) / groups);
  count = std::max(1, B / per_shard_);
}

int ShardPlan::streams(int s) const { return s == count - 1 ? batch - first(s) : per_shard_; }

int ShardPlan::shard_of(int stream) const { return std::min(stream / per_shard_, count - 1); }

std::vector<int> ShardPlan::bounds(int first_shard, int n) const {
  std::vector<int> b;
  for (int s = first_shard; s <= first_shard + n; ++s)
    b.push_back((s == count ? batch : first(s)) - first(first_shard));
  return b;
}

void append_streams(StreamsGradient& into, const StreamsGradient& next) {
  if (next.first_stream != into.first_stream + into.streams || next.grads.size() != into.grads.size() ||
      next.state.h.size() != into.state.h.size())
    throw std::invalid_argument("append_streams: streams " + std::to_string(next.first_stream) +
                                " on do not continue streams " + std::to_string(into.first_stream) + ".." +
                                std::to_string(into.first_stream + into.streams - 1) + " of the same model");
  float* g = into.grads.data();
  const float* n = next.grads.data();
  for (size_t i = 0; i < into.grads.size(); ++i) g[i] += n[i];
  into.loss += next.loss;
  auto join = [](std::vector<Mat<float>>& a, const std::vector<Mat<float>>& b) {
    for (size_t k = 0; k < a.size(); ++k) {
      Mat<float> both(a[k].rows(), a[k].cols() + b[k].cols());
      both << a[k], b[k];
      a[k].swap(both);
    }
  };
  join(into.state.h, next.state.h);
  join(into.state.c, next.state.c);
  into.streams += next.streams;
}

void combine_shards(const ShardPlan& plan, std::vector<StreamsGradient>& pieces,
                    std::vector<StreamsGradient>* absorbed) {
  const int K = plan.count;
  auto start = [&](const StreamsGradient& p) { return plan.shard_of(p.first_stream); };
  auto end = [&](const StreamsGradient& p) {
    return p.streams > 0 ? plan.shard_of(p.first_stream + p.streams - 1) + 1 : start(p);
  };
  // A node of the tree: [i, min(i + w, K)) for a power of two w that divides i.
  auto is_node = [&](int i, int e) {
    for (int w = 1; w < 2 * K; w *= 2)
      if (i % w == 0 && e == std::min(i + w, K)) return true;
    return false;
  };
  for (const StreamsGradient& p : pieces) {
    const bool whole_shards = p.streams > 0 && p.first_stream + p.streams <= plan.batch &&
                              plan.first(start(p)) == p.first_stream &&
                              (end(p) == K || plan.first(end(p)) == p.first_stream + p.streams);
    if (!whole_shards || !is_node(start(p), end(p)))
      throw std::invalid_argument("combine_shards: streams " + std::to_string(p.first_stream) + " + " +
                                  std::to_string(p.streams) + " are not a node of the fixed summation tree");
  }
  std::sort(pieces.begin(), pieces.end(),
            [](const StreamsGradient& a, const StreamsGradient& b) { return a.first_stream < b.first_stream; });
  for (int w = 1; w < K; w *= 2) {
    std::vector<StreamsGradient> next;
    next.reserve(pieces.size());
    for (size_t j = 0; j < pieces.size(); ++j) {
      StreamsGradient& p = pieces[j];
      const int i = start(p);
      const bool left_at_w = i % (2 * w) == 0 && end(p) == std::min(i + w, K);
      if (left_at_w && j + 1 < pieces.size() && start(pieces[j + 1]) == i + w &&
          end(pieces[j + 1]) == std::min(i + 2 * w, K)) {
        append_streams(p, pieces[j + 1]);
        if (absorbed) absorbed->push_back(std::move(pieces[j + 1]));
        ++j;
      }
      next.push_back(std::move(p));
    }
    pieces.swap(next);
  }
}

}  // namespace rnnlab
