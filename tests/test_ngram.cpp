// The Kneser-Ney n-gram baseline: exact values worked out by hand, agreement with a brute-force reference,
// normalisation, memorisation versus generalisation, sampling, errors.
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <map>
#include <numeric>
#include <set>
#include <string>
#include <vector>

#include "rnnlab/errors.hpp"
#include "rnnlab/ngram.hpp"
#include "rnnlab/rng.hpp"

using namespace rnnlab;

namespace {

// Ids by position in `alphabet` (ascending, as Vocab numbers code points).
std::vector<int32_t> ids(const std::string& text, const std::string& alphabet) {
  std::vector<int32_t> out;
  for (char c : text) out.push_back(static_cast<int32_t>(alphabet.find(c)));
  return out;
}

double prob_of(const NgramModel& m, const std::vector<int32_t>& context, int32_t next) {
  return m.prob(context.data(), static_cast<int>(context.size()), next);
}

// A deliberately naive interpolated Kneser-Ney straight from the formula in ngram.hpp: maps keyed by whole
// grams, recursion over orders. Slow, but shares no structure with the trie.
class ReferenceKN {
 public:
  ReferenceKN(int n, int V, const std::vector<int32_t>& text) : n_(n), V_(V), count_(n + 1), D_(n + 1) {
    const size_t N = text.size();
    for (int k = 1; k <= n; ++k) {
      std::map<std::vector<int32_t>, std::set<int32_t>> left;   // -1 stands for the start of the text
      for (size_t i = 0; i + k <= N; ++i) {
        const std::vector<int32_t> g(text.begin() + i, text.begin() + i + k);
        if (k == n) count_[k][g] += 1;
        else left[g].insert(i == 0 ? -1 : text[i - 1]);
      }
      for (auto& [g, s] : left) count_[k][g] = static_cast<double>(s.size());
      double n1 = 0, n2 = 0;
      for (auto& [g, c] : count_[k]) {
        n1 += c == 1;
        n2 += c == 2;
      }
      D_[k] = n1 == 0 ? NgramModel::kMinDiscount
                      : std::clamp(n1 / (n1 + 2 * n2), NgramModel::kMinDiscount, NgramModel::kMaxDiscount);
    }
  }
  double discount(int k) const { return D_[k]; }

  double prob(const std::vector<int32_t>& context, int32_t w) const {
    const size_t m = std::min(context.size(), static_cast<size_t>(n_ - 1));
    return P(static_cast<int>(m) + 1, std::vector<int32_t>(context.end() - m, context.end()), w);
  }

 private:
  double count(int k, std::vector<int32_t> h, int32_t w) const {
    h.push_back(w);
    const auto it = count_[k].find(h);
    return it == count_[k].end() ? 0.0 : it->second;
  }
  double P(int k, const std::vector<int32_t>& h, int32_t w) const {
    if (k == 0) return 1.0 / V_;
    const double lower = P(k - 1, std::vector<int32_t>(h.begin() + (h.empty() ? 0 : 1), h.end()), w);
    double total = 0, types = 0;
    for (int32_t v = 0; v < V_; ++v) {
      const double c = count(k, h, v);
      total += c;
      types += c > 0;
    }
    if (total == 0) return lower;
    return (std::max(count(k, h, w) - D_[k], 0.0) + D_[k] * types * lower) / total;
  }

  int n_, V_;
  std::vector<std::map<std::vector<int32_t>, double>> count_;   // [k]: c_k of every k-gram seen
  std::vector<double> D_;
};

// Sentences from a small hand-made grammar: a stand-in for natural text. Function words and punctuation are
// fixed; content words are made up afresh from syllables every time (names, as it were), so their letters follow
// short-range rules that a 3- to 5-gram learns, while the long windows an 8-gram keys on rarely come back.
std::string grammar_text(size_t chars, uint64_t seed) {
  const std::vector<std::string> onset = {"b", "d", "k", "l", "m", "n", "p", "r", "s", "t", "v", "sh", "tr", "gl"};
  const std::vector<std::string> vowel = {"a", "e", "i", "o", "u", "ai", "ou"};
  const std::vector<std::string> coda = {"", "", "", "n", "r", "s", "l", "th"};
  const std::vector<std::string> det = {"the", "a", "every", "some", "that", "my"};
  const std::vector<std::string> prep = {"near", "under", "behind", "with", "over"};
  Rng rng(seed);
  auto pick = [&rng](const std::vector<std::string>& v) { return v[rng.below(v.size())]; };
  auto word = [&](const std::string& suffix) {
    std::string w;
    for (int i = 1 + static_cast<int>(rng.below(2)); i > 0; --i) {   // one draw a statement: a fixed order
      w += pick(onset);
      w += pick(vowel);
      w += pick(coda);
    }
    return w + suffix;
  };
  auto phrase = [&]() {
    std::string s = pick(det) + " ";
    if (rng.uniform() < 0.4) s += word("y") + " ";
    return s + word("");
  };
  std::string text;
  while (text.size() < chars) {
    std::string s = phrase();
    s[0] = static_cast<char>(s[0] - 'a' + 'A');
    s += " " + word("es");
    s += " " + phrase();
    if (rng.uniform() < 0.3) {
      s += " " + pick(prep);
      s += " " + phrase();
    }
    s += rng.uniform() < 0.8 ? ". " : "! ";
    if (rng.uniform() < 0.1) s += "\n";
    text += s;
  }
  text.resize(chars);
  return text;
}

std::string alphabet_of(const std::string& text) {
  std::set<char> s(text.begin(), text.end());
  return std::string(s.begin(), s.end());
}

}  // namespace

TEST_CASE("order 1 is the interpolated unigram", "[ngram]") {
  // abracadabra: a 5, b 2, r 2, c 1, d 1 of 11 tokens; 'e' (id 5) never occurs. Raw counts at the highest order:
  // n1 = 2 (c, d), n2 = 2 (b, r) -> D = 2 / (2 + 4) = 1/3; 5 types, so the uniform share is (1/3)(5/11)/6 = 5/198.
  // P(a) = (5 - 1/3)/11 + 5/198 = 84/198 + 5/198 = 89/198, P(b) = P(r) = 30/198 + 5/198 = 35/198,
  // P(c) = P(d) = 12/198 + 5/198 = 17/198, P(e) = 5/198.
  const std::string alphabet = "abcdre";
  const NgramModel m(1, 6, ids("abracadabra", alphabet));
  CHECK(m.order() == 1);
  CHECK(m.vocab_size() == 6);
  CHECK(m.discount(1) == Approx(1.0 / 3.0).epsilon(1e-15));
  const double expected[6] = {89, 35, 17, 17, 35, 5};   // a b c d r e
  std::vector<double> dist(6);
  for (const std::vector<int32_t>& context : {std::vector<int32_t>{}, ids("ab", alphabet), ids("e", alphabet)}) {
    m.distribution(context.data(), static_cast<int>(context.size()), dist.data());
    for (int v = 0; v < 6; ++v) {
      CHECK(prob_of(m, context, v) == Approx(expected[v] / 198).epsilon(1e-14));
      CHECK(dist[static_cast<size_t>(v)] == Approx(expected[v] / 198).epsilon(1e-14));
    }
  }
  CHECK(m.distinct_contexts() == 1);
}

TEST_CASE("order 2 and 3 Kneser-Ney on abracadabra, worked by hand", "[ngram]") {
  // Ids a0 b1 c2 d3 r4, V = 5.
  const std::string alphabet = "abcdr";
  const std::vector<int32_t> text = ids("abracadabra", alphabet);

  // Unigram continuation counts (distinct left neighbours, the text start counting as one):
  //   a: {start, r, c, d} = 4; b: {a}; r: {b}; c: {a}; d: {a} = 1 each. Sum 8, 5 types.
  //   n1 = 4, n2 = 0 -> D1 = 4/4 = 1, clamped to 0.95.
  //   P1(a) = (4 - 0.95)/8 + 0.95 * 5/8 / 5 = 0.38125 + 0.11875 = 0.5; P1(b|c|d|r) = 0.05/8 + 0.11875 = 0.125.
  // Bigram raw counts: ab 2, br 2, ra 2, ac 1, ca 1, ad 1, da 1 -> n1 = 4, n2 = 3, D2 = 4/10 = 0.4.
  //   after a: b 2, c 1, d 1 (total 4, 3 types; the last a precedes nothing). Backoff weight 0.4 * 3/4 = 0.3:
  //     P(a|a) = 0.3 * 0.5 = 0.15, P(b|a) = 1.6/4 + 0.3 * 0.125 = 0.4375, P(c|a) = P(d|a) = 0.6/4 + 0.0375 = 0.1875,
  //     P(r|a) = 0.0375.
  //   after b: r 2 (weight 0.4 * 1/2 = 0.2): P(r|b) = 1.6/2 + 0.2 * 0.125 = 0.825, P(a|b) = 0.1, others 0.025.
  //   after r: a 2: P(a|r) = 0.8 + 0.2 * 0.5 = 0.9, others 0.025.
  //   after c (and d): a 1 (weight 0.4): P(a|c) = 0.6 + 0.4 * 0.5 = 0.8, others 0.05.
  const NgramModel m2(2, 5, text);
  CHECK(m2.discount(1) == 0.95);
  CHECK(m2.discount(2) == Approx(0.4).epsilon(1e-15));
  const std::map<char, std::vector<double>> table = {   // row: context; columns a b c d r
      {'a', {0.15, 0.4375, 0.1875, 0.1875, 0.0375}},
      {'b', {0.1, 0.025, 0.025, 0.025, 0.825}},
      {'r', {0.9, 0.025, 0.025, 0.025, 0.025}},
      {'c', {0.8, 0.05, 0.05, 0.05, 0.05}},
      {'d', {0.8, 0.05, 0.05, 0.05, 0.05}},
  };
  for (const auto& [c, row] : table)
    for (int v = 0; v < 5; ++v) {
      // Only the last token matters at order 2, whatever precedes it.
      CHECK(prob_of(m2, ids(std::string(1, c), alphabet), v) == Approx(row[static_cast<size_t>(v)]).epsilon(1e-14));
      CHECK(prob_of(m2, ids(std::string("rd") + c, alphabet), v) == Approx(row[static_cast<size_t>(v)]).epsilon(1e-14));
    }
  // No context at all: the unigram level.
  CHECK(prob_of(m2, {}, 0) == Approx(0.5).epsilon(1e-14));
  CHECK(prob_of(m2, {}, 4) == Approx(0.125).epsilon(1e-14));
  CHECK(m2.distinct_contexts() == 1 + 5);

  // evaluate scores the 10 transitions ab br ra ac ca ad da ab br ra.
  const double p[10] = {0.4375, 0.825, 0.9, 0.1875, 0.8, 0.1875, 0.8, 0.4375, 0.825, 0.9};
  double bits = 0;
  for (double x : p) bits -= std::log2(x);
  const NgramModel::Score s = m2.evaluate(text);
  CHECK(s.chars == 10);
  CHECK(s.bits_per_char == Approx(bits / 10).epsilon(1e-14));
  const NgramModel::Score first3 = m2.evaluate(text, 3);
  CHECK(first3.chars == 3);
  CHECK(first3.bits_per_char == Approx(-(std::log2(0.4375) + std::log2(0.825) + std::log2(0.9)) / 3).epsilon(1e-14));

  // Order 3. Bigram continuation counts: ab {start, d} = 2; br {a}, ra {b}, ac {r}, ca {a}, ad {c}, da {a} = 1.
  //   n1 = 6, n2 = 1 -> D2 = 6/8 = 0.75. Trigram raw counts: abr 2, bra 2, rac, aca, cad, ada, dab 1 -> D3 = 5/9.
  // A context of one token (the start of a text) uses the bigram continuation level:
  //   P2(b|a) = (2 - 0.75)/4 + 0.75 * 3/4 * 0.125 = 0.3125 + 0.0703125 = 0.3828125.
  // A full context: after "ab" only r (raw 2); P2(r|b) = (1 - 0.75)/1 + 0.75 * 0.125 = 0.34375, so
  //   P3(r|ab) = (2 - 5/9)/2 + (5/9)(1/2)(0.34375) = 13/18 + 55/576 = 471/576.
  const NgramModel m3(3, 5, text);
  CHECK(m3.discount(1) == 0.95);
  CHECK(m3.discount(2) == Approx(0.75).epsilon(1e-15));
  CHECK(m3.discount(3) == Approx(5.0 / 9.0).epsilon(1e-15));
  CHECK(prob_of(m3, ids("a", alphabet), 1) == Approx(0.3828125).epsilon(1e-14));
  CHECK(prob_of(m3, ids("ab", alphabet), 4) == Approx(471.0 / 576.0).epsilon(1e-14));
  CHECK(prob_of(m3, ids("cadab", alphabet), 4) == Approx(471.0 / 576.0).epsilon(1e-14));
}

// P(w | context) mixed bottom-up from the counts context_counts returns, by the formula in ngram.hpp.
double mixed_from_counts(const std::vector<NgramModel::ContextCounts>& levels, int V, int32_t w) {
  double p = 1.0 / V;
  for (const auto& L : levels) {
    double direct = 0;
    for (size_t i = 0; i < L.tokens.size(); ++i)
      if (L.tokens[i] == w) direct = L.counts[i] - L.discount;
    p = (direct + L.discount * static_cast<double>(L.tokens.size()) * p) / L.total;
  }
  return p;
}

TEST_CASE("the counts behind a prediction, order by order", "[ngram]") {
  // abracadabra at order 3, as worked by hand above (ids a0 b1 c2 d3 r4).
  const std::string alphabet = "abcdr";
  const NgramModel m3(3, 5, ids("abracadabra", alphabet));
  const auto ab = m3.context_counts(ids("cadab", alphabet).data(), 5);
  REQUIRE(ab.size() == 3);
  // Order 1: continuation counts a 4, b c d r 1 each.
  CHECK_FALSE(ab[0].raw);
  CHECK(ab[0].length == 0);
  CHECK(ab[0].tokens == std::vector<int32_t>{0, 1, 2, 3, 4});
  CHECK(ab[0].counts == std::vector<uint32_t>{4, 1, 1, 1, 1});
  CHECK(ab[0].total == 8);
  CHECK(ab[0].discount == 0.95);
  // Order 2, context "b": br has one distinct left neighbour (a).
  CHECK_FALSE(ab[1].raw);
  CHECK(ab[1].tokens == std::vector<int32_t>{4});
  CHECK(ab[1].counts == std::vector<uint32_t>{1});
  CHECK(ab[1].discount == Approx(0.75).epsilon(1e-15));
  // Order 3, context "ab": seen twice in the text, both times followed by r; these are raw occurrences.
  CHECK(ab[2].raw);
  CHECK(ab[2].length == 2);
  CHECK(ab[2].total == 2);
  CHECK(ab[2].tokens == std::vector<int32_t>{4});
  CHECK(ab[2].counts == std::vector<uint32_t>{2});
  CHECK(ab[2].discount == Approx(5.0 / 9.0).epsilon(1e-15));
  CHECK(mixed_from_counts(ab, 5, 4) == Approx(471.0 / 576.0).epsilon(1e-14));
  // "rr" never occurs: the counts stop at the longest ending that does, "r" (followed by a).
  const auto rr = m3.context_counts(ids("rr", alphabet).data(), 2);
  REQUIRE(rr.size() == 2);
  CHECK(rr[1].length == 1);
  CHECK_FALSE(rr[1].raw);
  CHECK(rr[1].tokens == std::vector<int32_t>{0});
  // No context: the unigram level alone.
  CHECK(m3.context_counts(nullptr, 0).size() == 1);

  // On a random text, the top order's counts are the occurrences a plain scan finds, and the counts mix into
  // exactly what prob() says.
  Rng rng(7);
  std::vector<int32_t> text(3000);
  for (auto& t : text) t = static_cast<int32_t>(rng.next_u64() % 4);
  const int n = 4;
  const NgramModel m(n, 4, text);
  for (size_t at = 10; at < 3000; at += 97) {
    const int32_t* ctx = text.data() + at - (n - 1);
    const auto levels = m.context_counts(ctx, n - 1);
    REQUIRE(levels.size() == static_cast<size_t>(n));   // the context occurs (at `at`), so every order is reached
    std::map<int32_t, uint32_t> scan;
    uint32_t occurrences = 0;
    for (size_t j = n - 1; j < text.size(); ++j)
      if (std::equal(ctx, ctx + n - 1, text.data() + j - (n - 1))) {
        ++scan[text[j]];
        ++occurrences;
      }
    const auto& top = levels.back();
    CHECK(top.raw);
    CHECK(top.total == occurrences);
    REQUIRE(top.tokens.size() == scan.size());
    size_t i = 0;
    for (const auto& [w, c] : scan) {
      CHECK(top.tokens[i] == w);
      CHECK(top.counts[i++] == c);
    }
    for (int32_t w = 0; w < 4; ++w) CHECK(mixed_from_counts(levels, 4, w) == Approx(m.prob(ctx, n - 1, w)).epsilon(1e-12));
  }
}

TEST_CASE("the trie agrees with a brute-force Kneser-Ney", "[ngram]") {
  Rng rng(7);
  struct Case {
    int V, max_order;
    std::vector<int32_t> text;
  };
  std::vector<Case> cases;
  for (int V : {3, 7}) {   // skewed random text: counts of 1, 2 and more at every order
    std::vector<int32_t> text(300);
    for (auto& t : text)
      t = static_cast<int32_t>(rng.uniform() < 0.5 ? rng.below(2) : rng.below(static_cast<uint64_t>(V)));
    cases.push_back({V, 7, text});
  }
  std::vector<int32_t> periodic(50), constant(20, 1);   // long shared contexts; no singletons at low orders
  for (size_t i = 0; i < periodic.size(); ++i) periodic[i] = static_cast<int32_t>(i % 3);
  cases.push_back({4, 12, periodic});
  cases.push_back({2, 12, constant});
  cases.push_back({5, 12, {4, 0, 4, 4, 1}});

  for (const Case& tc : cases)
    for (int n = 1; n <= tc.max_order; ++n) {
      const NgramModel m(n, tc.V, tc.text);
      const ReferenceKN ref(n, tc.V, tc.text);
      for (int k = 1; k <= n; ++k) CHECK(m.discount(k) == Approx(ref.discount(k)).epsilon(1e-15));
      // Every context of the text at every length, plus random (mostly unseen) ones.
      std::vector<std::vector<int32_t>> contexts;
      std::set<std::vector<int32_t>> stored;   // contexts followed by a token, of length 0 .. n-1
      for (size_t j = 0; j < tc.text.size(); ++j)
        for (size_t len = 0; len <= j && len < 12; ++len) {
          const std::vector<int32_t> c(tc.text.begin() + static_cast<std::ptrdiff_t>(j - len),
                                       tc.text.begin() + static_cast<std::ptrdiff_t>(j));
          if (len < static_cast<size_t>(n)) stored.insert(c);
          if (j < 60) contexts.push_back(c);
        }
      CHECK(m.distinct_contexts() == stored.size());
      for (int r = 0; r < 40; ++r) {
        std::vector<int32_t> c(rng.below(13));
        for (auto& t : c) t = static_cast<int32_t>(rng.below(static_cast<uint64_t>(tc.V)));
        contexts.push_back(c);
      }
      for (const auto& c : contexts)
        for (int32_t w = 0; w < tc.V; ++w) REQUIRE(prob_of(m, c, w) == Approx(ref.prob(c, w)).epsilon(1e-12));

      double bits = 0;   // evaluate = the mean of -log2 P with up to n-1 tokens of context
      for (size_t j = 1; j < tc.text.size(); ++j) {
        const size_t from = j >= static_cast<size_t>(n) ? j - static_cast<size_t>(n - 1) : 0;
        bits -= std::log2(ref.prob(std::vector<int32_t>(tc.text.begin() + static_cast<std::ptrdiff_t>(from),
                                                        tc.text.begin() + static_cast<std::ptrdiff_t>(j)),
                                   tc.text[j]));
      }
      const NgramModel::Score s = m.evaluate(tc.text);
      CHECK(s.chars == tc.text.size() - 1);
      CHECK(s.bits_per_char == Approx(bits / static_cast<double>(s.chars)).epsilon(1e-12));
    }
}

TEST_CASE("n-gram distributions sum to 1 in seen and unseen contexts", "[ngram]") {
  const std::string text = grammar_text(3000, 11);
  const std::string alphabet = alphabet_of(text) + "#%";   // two symbols that never occur
  const int V = static_cast<int>(alphabet.size());
  const std::vector<int32_t> tokens = ids(text, alphabet);
  Rng rng(3);
  std::vector<double> dist(static_cast<size_t>(V));
  for (int n = 1; n <= 8; ++n) {
    const NgramModel m(n, V, tokens);
    auto check = [&](const int32_t* c, int len) {
      m.distribution(c, len, dist.data());
      double sum = 0, sum_prob = 0;
      for (int v = 0; v < V; ++v) {
        REQUIRE(dist[static_cast<size_t>(v)] > 0);
        sum += dist[static_cast<size_t>(v)];
        const double p = m.prob(c, len, v);
        sum_prob += p;
        REQUIRE(p == Approx(dist[static_cast<size_t>(v)]).epsilon(1e-12));
      }
      REQUIRE(std::abs(sum - 1) < 1e-9);
      REQUIRE(std::abs(sum_prob - 1) < 1e-9);
    };
    for (size_t j = 0; j < tokens.size(); j += 3) {   // every third seen context, at full length and shorter
      const size_t len = std::min<size_t>(j, 11);
      check(tokens.data() + j - len, static_cast<int>(len));
      check(tokens.data() + j - len / 2, static_cast<int>(len / 2));
    }
    for (int r = 0; r < 200; ++r) {   // random contexts, including the never-seen symbols
      std::vector<int32_t> c(1 + rng.below(11));
      for (auto& t : c) t = static_cast<int32_t>(rng.below(static_cast<uint64_t>(V)));
      check(c.data(), static_cast<int>(c.size()));
    }
    check(nullptr, 0);
    // Out-of-range ids: a context cut short, and no probability for the impossible symbol.
    const int32_t odd[3] = {tokens[5], -4, tokens[7]};
    check(odd, 3);
    CHECK(m.prob(odd, 3, V) == 0.0);
    CHECK(m.prob(odd, 3, -1) == 0.0);
  }
}

TEST_CASE("texts shorter than the order still give a model", "[ngram]") {
  // {0, 1, 0} stores the contexts "", "0", "1" and "01" (each followed by a token).
  const std::pair<std::vector<int32_t>, size_t> cases[2] = {{{2}, 1}, {{0, 1, 0}, 4}};
  for (const auto& [text, contexts] : cases) {
    const NgramModel m(8, 4, text);
    std::vector<double> dist(4);
    const std::vector<int32_t> contexts_to_try[3] = {{}, {0, 1}, {3, 3, 3}};
    for (const std::vector<int32_t>& c : contexts_to_try) {
      m.distribution(c.data(), static_cast<int>(c.size()), dist.data());
      CHECK(std::accumulate(dist.begin(), dist.end(), 0.0) == Approx(1.0).epsilon(1e-12));
    }
    CHECK(m.distinct_contexts() == contexts);
  }
  const NgramModel m(3, 4, {0, 1, 0});
  CHECK(std::isnan(m.evaluate({1}).bits_per_char));
  CHECK(m.evaluate({}).chars == 0);
}

TEST_CASE("a big n-gram memorises, a small one generalises", "[ngram]") {
  const std::string text = grammar_text(40000, 5);
  const std::string alphabet = alphabet_of(text);
  const int V = static_cast<int>(alphabet.size());
  const std::vector<int32_t> tokens = ids(text, alphabet);
  const size_t cut = tokens.size() * 4 / 5;
  const std::vector<int32_t> train(tokens.begin(), tokens.begin() + static_cast<std::ptrdiff_t>(cut));
  const std::vector<int32_t> held(tokens.begin() + static_cast<std::ptrdiff_t>(cut), tokens.end());

  std::map<int, double> on_train, on_held;
  std::string table;   // shown when a check fails
  for (int n : {1, 2, 3, 4, 5, 8}) {
    const NgramModel m(n, V, train);
    on_train[n] = m.evaluate(train).bits_per_char;
    on_held[n] = m.evaluate(held).bits_per_char;
    char line[160];
    std::snprintf(line, sizeof line, "order %d: train %.3f bits/char, held-out %.3f bits/char, %zu contexts\n", n,
                  on_train[n], on_held[n], m.distinct_contexts());
    table += line;
  }
  INFO(table);
  CHECK(on_train[8] < 0.5 * on_train[1]);   // seen text: a long context nearly pins the next character
  CHECK(on_held[8] > on_train[8] + 1.0);    // unseen text: that certainty does not transfer
  for (int n : {3, 4, 5}) CHECK(on_held[n] < on_held[8]);
  CHECK(on_held[3] < on_held[1]);           // but some context does help
}

TEST_CASE("n-gram sampling is seeded and argmax is deterministic", "[ngram]") {
  const std::string text = grammar_text(5000, 9);
  const std::string alphabet = alphabet_of(text);
  const int V = static_cast<int>(alphabet.size());
  const NgramModel m(5, V, ids(text, alphabet));
  const std::vector<int32_t> prime = ids("The ", alphabet);

  const auto a = m.sample(prime, 300, 1.0f, 42), b = m.sample(prime, 300, 1.0f, 42), c = m.sample(prime, 300, 1.0f, 43);
  CHECK(a.size() == 300);
  CHECK(a == b);
  CHECK(a != c);
  for (int32_t t : a) CHECK((t >= 0 && t < V));

  // Argmax: the seed is irrelevant, and each step is the most likely token under the model.
  const auto g1 = m.sample(prime, 100, 0.0f, 1), g2 = m.sample(prime, 100, 0.01f, 999);
  CHECK(g1 == g2);
  std::vector<int32_t> history = prime;
  std::vector<double> dist(static_cast<size_t>(V));
  for (int32_t t : g1) {
    const size_t from = history.size() > 4 ? history.size() - 4 : 0;
    m.distribution(history.data() + from, static_cast<int>(history.size() - from), dist.data());
    CHECK(t == std::max_element(dist.begin(), dist.end()) - dist.begin());
    history.push_back(t);
  }
  CHECK(m.sample({}, 0, 1.0f, 1).empty());
  CHECK(m.sample({}, 20, 0.7f, 5).size() == 20);   // no prime: starts from the unigram level
}

TEST_CASE("n-gram arguments are checked", "[ngram]") {
  const std::vector<int32_t> text = {0, 1, 2, 1, 0};
  CHECK_THROWS_AS(NgramModel(0, 3, text), ConfigError);
  CHECK_THROWS_AS(NgramModel(13, 3, text), ConfigError);
  CHECK_THROWS_WITH(NgramModel(13, 3, text), Catch::Contains("between 1 and 12"));
  CHECK_THROWS_AS(NgramModel(2, 1, text), ConfigError);
  CHECK_THROWS_AS(NgramModel(2, 65537, text), ConfigError);
  CHECK_THROWS_WITH(NgramModel(2, 3, {}), Catch::Contains("empty"));
  CHECK_THROWS_WITH(NgramModel(2, 2, text), Catch::Contains("id 2 at position 2"));
  CHECK_THROWS_AS(NgramModel(2, 3, {0, -1}), ConfigError);
  CHECK_NOTHROW(NgramModel(12, 3, text));

  const NgramModel m(2, 3, text);
  CHECK_THROWS_AS(m.evaluate({0, 1, 3}), ConfigError);
  CHECK_THROWS_AS(m.sample({0, 5}, 3, 1.0f, 1), ConfigError);
  CHECK_THROWS_AS(m.sample({0}, -1, 1.0f, 1), ConfigError);
  CHECK_THROWS_AS(m.sample({0}, 3, -0.5f, 1), ConfigError);
  CHECK_THROWS_AS(m.sample({0}, 3, std::nanf(""), 1), ConfigError);
  CHECK_THROWS_AS(m.discount(0), ConfigError);
  CHECK_THROWS_AS(m.discount(3), ConfigError);
}

// Not run by default: build time and size at order 8 on 1 MB (the grammar text, or RNNLAB_NGRAM_BENCH_FILE's
// bytes as tokens).
TEST_CASE("n-gram build benchmark", "[.][ngram-bench]") {
  std::vector<int32_t> tokens;
  int V = 256;
  if (const char* path = std::getenv("RNNLAB_NGRAM_BENCH_FILE")) {
    std::ifstream in(path, std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    for (unsigned char ch : bytes.substr(0, 1 << 20)) tokens.push_back(ch);
  } else {
    const std::string text = grammar_text(1 << 20, 1);
    for (unsigned char ch : text) tokens.push_back(ch);
  }
  const size_t cut = tokens.size() * 9 / 10;
  const std::vector<int32_t> train(tokens.begin(), tokens.begin() + static_cast<std::ptrdiff_t>(cut));
  const std::vector<int32_t> held(tokens.begin() + static_cast<std::ptrdiff_t>(cut), tokens.end());
  for (int n : {1, 3, 5, 8, 12}) {
    const auto t0 = std::chrono::steady_clock::now();
    const NgramModel m(n, V, train);
    const auto t1 = std::chrono::steady_clock::now();
    const NgramModel::Score s = m.evaluate(held);
    const auto t2 = std::chrono::steady_clock::now();
    std::printf("order %2d on %zu tokens: build %.1f ms, %zu contexts, %.1f MB; held-out %.3f bits/char scored in "
                "%.1f ms\n",
                n, train.size(), std::chrono::duration<double, std::milli>(t1 - t0).count(), m.distinct_contexts(),
                m.memory_bytes() / 1048576.0, s.bits_per_char,
                std::chrono::duration<double, std::milli>(t2 - t1).count());
  }
}
