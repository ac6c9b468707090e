// A count-based character n-gram model: the baseline that shows where the RNN wins, and how a big n-gram
// memorises its training text (bits/char near zero on seen text, worse than a small n on held-out text).
//
// Letters: V vocabulary size, n the order (a context holds at most n-1 tokens), N training tokens.
//
// Smoothing: interpolated Kneser-Ney (Chen & Goodman 1998, "interpolated KN", one discount per order).
// With h a context of k-1 tokens and h' = h without its oldest token:
//
//   P_k(w | h) = max(c_k(hw) - D_k, 0) / c_k(h.)  +  D_k * N1+(h.) / c_k(h.) * P_{k-1}(w | h')
//   P_0(w)     = 1 / V                                   (so every symbol keeps a probability > 0)
//   P_k(w | h) = P_{k-1}(w | h')                         when h never preceded a token in the training text
//
//   c_n(g)     = how often the n-gram g occurs (raw count, highest order only)
//   c_k(g)     = N1+(. g) for k < n: how many distinct tokens occur just before g, plus 1 if g starts the text
//                (the start of the text acts as one more distinct left neighbour, as <s> does in KenLM)
//   c_k(h.)    = sum over w of c_k(hw),   N1+(h.) = how many distinct w have c_k(hw) > 0
//   D_k        = n1 / (n1 + 2 n2) from the count-of-counts of c_k (n1 k-grams with count 1, n2 with count 2),
//                clamped to [kMinDiscount, kMaxDiscount]
//
// A context shorter than n-1 (the start of a text) is scored by the order it fills, i.e. with the
// continuation counts of that order, exactly as the lower orders are used inside the recursion.
//
// Storage: a trie of contexts read backwards (the child of context h via token x is the context xh), so
// walking the last, second-to-last, ... token of a context finds every suffix order in one pass. Each depth
// d (contexts of d tokens) is a few flat arrays: nodes ordered by (parent, token) so a node's children are one
// contiguous sorted run found by binary search, and the (next token, count) pairs of every node in CSR form:
// about 14 bytes a context plus 6 bytes a (context, next token) pair, exact (no hashing, no collisions).
// Build: the N positions are radix-sorted once by their reversed context (n-1 counting-sort passes); then the
// positions sharing any context are one contiguous run, already in trie order, and each depth is one
// sequential scan. Linear in N per order: ~0.15-0.3 s for order 8 on 1 MB natively.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

namespace rnnlab {

class NgramModel {
 public:
  static constexpr int kMaxOrder = 12;
  static constexpr int kMaxVocab = 65536;   // ids are stored as uint16 (Vocab::kMaxSymbols)
  // Below 0.1 unseen continuations of a well-seen context get almost nothing; at 1 a token seen once after a
  // context would get no direct probability at all. Tiny texts (no count 2, or no count 1) hit these bounds.
  static constexpr double kMinDiscount = 0.1;
  static constexpr double kMaxDiscount = 0.95;

  // order n in 1..kMaxOrder, V in 2..kMaxVocab, at least one training token, every id in [0, V);
  // else ConfigError.
  NgramModel(int order, int V, const std::vector<int32_t>& train_tokens);

  int order() const { return order_; }
  int vocab_size() const { return V_; }
  double discount(int k) const;   // D_k for k in 1..order (for display); ConfigError otherwise

  // P(next | context): context = the preceding tokens (only the last order-1 are used; fewer at the start).
  // An id outside [0, V) in the context cuts the context there (it was never seen); next outside [0, V) has
  // probability 0.
  double prob(const int32_t* context, int context_len, int32_t next) const;
  // The whole distribution (V values, summing to 1 up to rounding).
  void distribution(const int32_t* context, int context_len, double* probs_out) const;

  // The counts behind P(. | context) at one order, for display (the lecture's "students opened their ___"): the
  // context's last `length` tokens, how often they were followed by each token, and the discount taken off.
  struct ContextCounts {
    int length = 0;                 // context tokens at this order (order k = length + 1)
    bool raw = false;               // true at the highest order (occurrences in the training text); false below
                                    //   (continuation counts: how many distinct tokens came just before, see above)
    uint32_t total = 0;             // c_k(h.): the sum of `counts`
    double discount = 0;            // D_k
    std::vector<int32_t> tokens;    // every token seen after the context, ascending id
    std::vector<uint32_t> counts;   // c_k(h w) for each of `tokens`
  };
  // One entry per order the context reaches, shortest first: [0] is the empty context (order 1), the last the
  // longest suffix of the context (at most order-1 tokens) seen in the training text. These are exactly the
  // numbers prob() mixes.
  std::vector<ContextCounts> context_counts(const int32_t* context, int context_len) const;

  // Mean -log2 P over tokens[1..n) (each scored with up to order-1 preceding tokens): bits per character, and
  // how many were scored. The first token is not scored (no context), as in Session::evaluate. max_chars > 0
  // scores only tokens[1..max_chars]. Fewer than 2 tokens: NaN bits, 0 chars. Ids outside [0, V): ConfigError.
  struct Score {
    double bits_per_char;
    size_t chars;
  };
  Score evaluate(const std::vector<int32_t>& tokens, size_t max_chars = 0) const;

  // `length` tokens (0..1,000,000) generated after `prime` (ids in [0, V)), drawn with the neural sampler's
  // temperature rule (<= kArgmaxTemperature: argmax, lowest id on ties) from an Rng seeded with `seed`.
  std::vector<int32_t> sample(const std::vector<int32_t>& prime, int length, float temperature, uint64_t seed) const;

  size_t distinct_contexts() const;   // contexts stored over all lengths 0..n-1 ("the 8-gram model stores N contexts")
  size_t memory_bytes() const;        // bytes held by the trie arrays

 private:
  // Contexts of one length d. Node ids are dense per depth; node 0 of depth 0 is the empty context.
  struct Level {
    std::vector<uint16_t> token;         // (nodes) the oldest token of the context (the one prepended to the parent)
    std::vector<uint32_t> child_begin;   // (nodes + 1) children at depth d+1: [child_begin[i], child_begin[i+1]);
                                         //   empty at the deepest depth
    std::vector<uint32_t> entry_begin;   // (nodes + 1) next-token entries: [entry_begin[i], entry_begin[i+1])
    std::vector<uint32_t> total;         // (nodes) c_k(h.), the sum of the node's entry counts
    std::vector<uint16_t> entry_token;   // (entries) ascending within a node
    std::vector<uint32_t> entry_count;   // (entries) c_k(hw) >= 1: raw at depth n-1, continuation counts below
    double discount = kMinDiscount;      // D_{d+1}
    size_t nodes() const { return total.size(); }
  };

  // Fills path[0..] with the node of each suffix of the context, shortest first (path[0] = root); returns how
  // many were found (>= 1).
  int walk(const int32_t* context, int context_len, uint32_t* path) const;
  void build(const std::vector<int32_t>& train_tokens);

  int order_;
  int V_;
  std::vector<Level> levels_;   // (order) levels_[d] holds the contexts of d tokens
};

}  // namespace rnnlab
