#include "rnnlab/ngram.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "rnnlab/errors.hpp"
#include "rnnlab/rng.hpp"
#include "rnnlab/sampler.hpp"

namespace rnnlab {

namespace {

// D = n1 / (n1 + 2 n2) (Ney, Essen & Kneser 1994), from the counts of one order.
double estimate_discount(const std::vector<uint32_t>& counts) {
  size_t n1 = 0, n2 = 0;
  for (uint32_t c : counts) {
    n1 += c == 1;
    n2 += c == 2;
  }
  // No singletons (or nothing at all) says the estimate has no evidence of unseen mass: use the floor.
  if (n1 == 0) return NgramModel::kMinDiscount;
  const double d = static_cast<double>(n1) / static_cast<double>(n1 + 2 * n2);
  return std::clamp(d, NgramModel::kMinDiscount, NgramModel::kMaxDiscount);
}

// Turns per-bucket counts stored at [i + 1] into bucket starts (exclusive prefix sums in place).
void prefix_sum(std::vector<uint32_t>& v) {
  for (size_t i = 1; i < v.size(); ++i) v[i] += v[i - 1];
}

void check_ids(const std::vector<int32_t>& tokens, int V, const char* what) {
  for (size_t i = 0; i < tokens.size(); ++i)
    if (tokens[i] < 0 || tokens[i] >= V)
      throw ConfigError(std::string(what) + " has id " + std::to_string(tokens[i]) + " at position " +
                        std::to_string(i) + ", outside the vocabulary of " + std::to_string(V) +
                        " symbols: encode it with the same vocabulary as the model");
}

}  // namespace

NgramModel::NgramModel(int order, int V, const std::vector<int32_t>& train_tokens) : order_(order), V_(V) {
  if (order < 1 || order > kMaxOrder)
    throw ConfigError("the n-gram order must be between 1 and " + std::to_string(kMaxOrder) + " (got " +
                      std::to_string(order) + ")");
  if (V < 2 || V > kMaxVocab)
    throw ConfigError("the n-gram vocabulary must hold between 2 and " + std::to_string(kMaxVocab) +
                      " symbols (got " + std::to_string(V) + ")");
  if (train_tokens.empty()) throw ConfigError("the n-gram model needs training text, and the text given is empty");
  // Positions and counts are uint32 to keep the build's work arrays small.
  if (train_tokens.size() >= std::numeric_limits<uint32_t>::max())
    throw ConfigError("the n-gram model takes at most 4 billion training characters: use a shorter text");
  check_ids(train_tokens, V, "the training text");
  build(train_tokens);
}

void NgramModel::build(const std::vector<int32_t>& text) {
  const auto N = static_cast<uint32_t>(text.size());
  const auto K = static_cast<uint32_t>(order_ - 1);   // context tokens at most
  levels_.assign(static_cast<size_t>(order_), Level{});
  const std::vector<uint16_t> t(text.begin(), text.end());   // half the cache footprint of int32

  // 1. Sort every position j by its context read backwards: (t[j-1], t[j-2], ..., t[j-K]), a missing token
  //    (before the start of the text) sorting first. Then the positions sharing their last d context tokens
  //    form one contiguous run for every d at once, so each depth of the trie is a single sequential scan, and
  //    the runs come out in (parent, token) order, which is the order the trie stores siblings in.
  //    LSD radix: one stable counting sort per key, least significant (oldest token) first.
  std::vector<uint32_t> perm(N), scratch(N), start(static_cast<size_t>(V_) + 2);
  for (uint32_t j = 0; j < N; ++j) perm[j] = j;
  const auto key = [&t](uint32_t j, uint32_t k) -> uint32_t { return j >= k ? t[j - k] + 1u : 0u; };
  for (uint32_t k = K; k >= 1; --k) {
    std::fill(start.begin(), start.end(), 0u);
    for (uint32_t j = 0; j < N; ++j) ++start[key(j, k) + 1];
    prefix_sum(start);
    for (uint32_t j : perm) scratch[start[key(j, k)]++] = j;
    perm.swap(scratch);
  }
  // lcp[i]: how many context tokens perm[i-1] and perm[i] share (a missing token matches nothing).
  std::vector<uint8_t> lcp(N, 0);
  std::vector<uint16_t> next(N);   // t[perm[i]], so the scans below read it sequentially
  for (uint32_t i = 0; i < N; ++i) {
    const uint32_t j = perm[i];
    next[i] = t[j];
    if (i == 0) continue;
    const uint32_t h = perm[i - 1], most = std::min({K, j, h});
    uint32_t k = 0;
    while (k < most && t[j - k - 1] == t[h - k - 1]) ++k;
    lcp[i] = static_cast<uint8_t>(k);
  }
  scratch = std::vector<uint32_t>();

  // 2. One scan per depth d: a new context node starts wherever the run of positions j >= d sharing d tokens
  //    breaks. A run's (next token, count) pairs are tallied in a V-sized counter and emitted in token order.
  std::vector<uint32_t> tally(static_cast<size_t>(V_), 0), first, parent_first;
  std::vector<uint16_t> touched;
  std::vector<uint32_t> start_node(static_cast<size_t>(order_), 0);   // node of t[0..d) at depth d
  for (uint32_t d = 0; d <= K && d < N; ++d) {
    Level& L = levels_[d];
    Level* P = d > 0 ? &levels_[d - 1] : nullptr;
    if (P) P->child_begin.assign(P->nodes() + 1, 0);
    first.clear();
    uint32_t group_size = 0, parent = 0;
    const auto close_group = [&]() {
      std::sort(touched.begin(), touched.end());
      for (uint16_t w : touched) {
        L.entry_token.push_back(w);
        L.entry_count.push_back(tally[w]);
        tally[w] = 0;
      }
      touched.clear();
      L.total.push_back(group_size);
      L.entry_begin.push_back(static_cast<uint32_t>(L.entry_token.size()));
    };
    L.entry_begin.push_back(0);
    uint32_t run = 0xff;   // smallest lcp since the previous position of this depth
    for (uint32_t i = 0; i < N; ++i) {
      if (i > 0) run = std::min<uint32_t>(run, lcp[i]);
      const uint32_t j = perm[i];
      if (j < d) continue;   // its context is shorter than d
      if (first.empty() || run < d) {
        if (!first.empty()) close_group();
        first.push_back(i);
        if (P) {   // the parent is the depth d-1 run holding i: runs nest, so a forward pointer finds it
          while (parent + 1 < parent_first.size() && parent_first[parent + 1] <= i) ++parent;
          ++P->child_begin[parent + 1];
        }
        group_size = 0;
      }
      run = 0xff;
      if (j == d) start_node[d] = static_cast<uint32_t>(first.size() - 1);
      ++group_size;
      if (tally[next[i]]++ == 0) touched.push_back(next[i]);
    }
    close_group();
    if (P) prefix_sum(P->child_begin);
    // Each node's oldest token, gathered apart from the scan: the reads are scattered over the text, and a loop
    // of independent loads lets the CPU overlap their cache misses.
    L.token.resize(first.size());
    for (size_t g = 0; g < first.size(); ++g) L.token[g] = d > 0 ? t[perm[first[g]] - d] : 0;
    parent_first.swap(first);
  }
  // Depths the text is too short to reach still get consistent empty arrays (walk() stops at them).
  for (uint32_t d = 0; d <= K; ++d) {
    Level& L = levels_[d];
    if (L.entry_begin.empty()) L.entry_begin.assign(1, 0);
    if (d < K && L.child_begin.empty()) L.child_begin.assign(L.nodes() + 1, 0);
    L.token.shrink_to_fit();
    L.total.shrink_to_fit();
    L.entry_begin.shrink_to_fit();
    L.entry_token.shrink_to_fit();
    L.entry_count.shrink_to_fit();
  }

  // 3. Below the highest order, replace raw counts by continuation counts: entry (h, w) at depth d counts the
  //    distinct x with xhw seen, which are exactly the children xh of h having an entry for w; the start of the
  //    text is one more left neighbour for the gram t[0..d].
  for (uint32_t d = K; d-- > 0;) {
    Level& L = levels_[d];
    const Level& C = levels_[d + 1];
    for (uint32_t p = 0; p < L.nodes(); ++p) {
      for (uint32_t e = C.entry_begin[L.child_begin[p]]; e < C.entry_begin[L.child_begin[p + 1]]; ++e)
        ++tally[C.entry_token[e]];
      if (d < N && p == start_node[d]) ++tally[t[d]];
      uint32_t sum = 0;
      for (uint32_t e = L.entry_begin[p]; e < L.entry_begin[p + 1]; ++e) {
        L.entry_count[e] = tally[L.entry_token[e]];   // >= 1: every entry has a left neighbour or starts the text
        tally[L.entry_token[e]] = 0;
        sum += L.entry_count[e];
      }
      L.total[p] = sum;
    }
  }
  for (Level& L : levels_) L.discount = estimate_discount(L.entry_count);
}

double NgramModel::discount(int k) const {
  if (k < 1 || k > order_)
    throw ConfigError("discount order must be between 1 and " + std::to_string(order_) + " (got " +
                      std::to_string(k) + ")");
  return levels_[static_cast<size_t>(k) - 1].discount;
}

int NgramModel::walk(const int32_t* context, int context_len, uint32_t* path) const {
  path[0] = 0;
  const int m = std::min(std::max(context_len, 0), order_ - 1);
  int found = 1;
  for (int d = 1; d <= m; ++d) {
    const int32_t t = context[context_len - d];
    if (t < 0 || t >= V_) break;
    const Level& P = levels_[static_cast<size_t>(d) - 1];
    const Level& C = levels_[static_cast<size_t>(d)];
    const uint32_t parent = path[d - 1];
    const auto b = C.token.begin() + P.child_begin[parent], e = C.token.begin() + P.child_begin[parent + 1];
    const auto it = std::lower_bound(b, e, static_cast<uint16_t>(t));
    if (it == e || *it != t) break;   // never seen, so no longer context was either
    path[d] = static_cast<uint32_t>(it - C.token.begin());
    ++found;
  }
  return found;
}

double NgramModel::prob(const int32_t* context, int context_len, int32_t next) const {
  if (next < 0 || next >= V_) return 0.0;
  uint32_t path[kMaxOrder];
  const int found = walk(context, context_len, path);
  // Bottom-up: start from the uniform distribution and mix in one order at a time.
  double p = 1.0 / V_;
  const auto w = static_cast<uint16_t>(next);
  for (int d = 0; d < found; ++d) {
    const Level& L = levels_[static_cast<size_t>(d)];
    const uint32_t node = path[d], b = L.entry_begin[node], e = L.entry_begin[node + 1];
    const auto first = L.entry_token.begin() + b, last = L.entry_token.begin() + e;
    const auto it = std::lower_bound(first, last, w);
    // Counts are >= 1 > D, so max(c - D, 0) is c - D for a seen token and 0 otherwise.
    double direct = 0.0;
    if (it != last && *it == w) direct = L.entry_count[static_cast<size_t>(it - L.entry_token.begin())] - L.discount;
    p = (direct + L.discount * (e - b) * p) / L.total[node];
  }
  return p;
}

void NgramModel::distribution(const int32_t* context, int context_len, double* probs_out) const {
  uint32_t path[kMaxOrder];
  const int found = walk(context, context_len, path);
  std::fill(probs_out, probs_out + V_, 1.0 / V_);
  for (int d = 0; d < found; ++d) {
    const Level& L = levels_[static_cast<size_t>(d)];
    const uint32_t node = path[d], b = L.entry_begin[node], e = L.entry_begin[node + 1];
    const double inv_total = 1.0 / L.total[node], backoff = L.discount * (e - b) * inv_total;
    for (int v = 0; v < V_; ++v) probs_out[v] *= backoff;
    for (uint32_t i = b; i < e; ++i) probs_out[L.entry_token[i]] += (L.entry_count[i] - L.discount) * inv_total;
  }
}

std::vector<NgramModel::ContextCounts> NgramModel::context_counts(const int32_t* context, int context_len) const {
  uint32_t path[kMaxOrder];
  const int found = walk(context, context_len, path);
  std::vector<ContextCounts> out(static_cast<size_t>(found));
  for (int d = 0; d < found; ++d) {
    const Level& L = levels_[static_cast<size_t>(d)];
    const uint32_t node = path[d], b = L.entry_begin[node], e = L.entry_begin[node + 1];
    ContextCounts& c = out[static_cast<size_t>(d)];
    c.length = d;
    c.raw = d == order_ - 1;
    c.total = L.total[node];
    c.discount = L.discount;
    c.tokens.assign(L.entry_token.begin() + b, L.entry_token.begin() + e);
    c.counts.assign(L.entry_count.begin() + b, L.entry_count.begin() + e);
  }
  return out;
}

NgramModel::Score NgramModel::evaluate(const std::vector<int32_t>& tokens, size_t max_chars) const {
  size_t n = tokens.size();
  if (max_chars > 0 && n > max_chars + 1) n = max_chars + 1;
  if (n < 2) return {std::nan(""), 0};
  check_ids(tokens, V_, "the text to score");
  double bits = 0;
  const auto keep = static_cast<size_t>(order_ - 1);
  for (size_t j = 1; j < n; ++j) {
    const size_t from = j > keep ? j - keep : 0;
    bits -= std::log2(prob(tokens.data() + from, static_cast<int>(j - from), tokens[j]));
  }
  return {bits / static_cast<double>(n - 1), n - 1};
}

std::vector<int32_t> NgramModel::sample(const std::vector<int32_t>& prime, int length, float temperature,
                                        uint64_t seed) const {
  // The neural sampler's rules and messages, so temperature means the same thing for both models.
  SampleOptions o;
  o.length = length;
  o.temperature = temperature;
  o.seed = seed;
  validate(o);
  check_ids(prime, V_, "the priming text");

  std::vector<int32_t> history(prime);
  history.reserve(prime.size() + static_cast<size_t>(length));
  std::vector<double> probs(static_cast<size_t>(V_));
  ChoiceScratch scratch;
  std::vector<float> logits(static_cast<size_t>(V_));
  Rng rng(seed);
  const auto keep = static_cast<size_t>(order_ - 1);
  for (int i = 0; i < length; ++i) {
    const size_t from = history.size() > keep ? history.size() - keep : 0;
    distribution(history.data() + from, static_cast<int>(history.size() - from), probs.data());
    // choose_token takes logits; log P is one (every P > 0, so the log is finite).
    for (size_t v = 0; v < probs.size(); ++v) logits[v] = static_cast<float>(std::log(probs[v]));
    history.push_back(choose_token(logits.data(), V_, o, -1, rng, scratch));
  }
  return std::vector<int32_t>(history.begin() + static_cast<std::ptrdiff_t>(prime.size()), history.end());
}

size_t NgramModel::distinct_contexts() const {
  size_t n = 0;
  for (const Level& L : levels_) n += L.nodes();
  return n;
}

size_t NgramModel::memory_bytes() const {
  size_t bytes = sizeof(*this) + levels_.capacity() * sizeof(Level);
  for (const Level& L : levels_)
    bytes += L.token.capacity() * sizeof(uint16_t) + L.child_begin.capacity() * sizeof(uint32_t) +
             L.entry_begin.capacity() * sizeof(uint32_t) + L.total.capacity() * sizeof(uint32_t) +
             L.entry_token.capacity() * sizeof(uint16_t) + L.entry_count.capacity() * sizeof(uint32_t);
  return bytes;
}

}  // namespace rnnlab
