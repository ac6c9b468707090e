#include "rnnlab/sampler.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "rnnlab/errors.hpp"
#include "rnnlab/kernels/kernels.hpp"

namespace rnnlab {
namespace {

// The wasm SIMD build computes the weights with the simd128 kernel; elsewhere the scalar twin (std::exp in float).
void softmax_weights(int n, const float* x, float top, float inv_t, float* out) {
#if defined(__wasm_simd128__)
  kernels::f32_softmax_weights_simd128(n, x, top, inv_t, out);
#else
  kernels::f32_softmax_weights_ref(n, x, top, inv_t, out);
#endif
}

}  // namespace

void validate(const SampleOptions& o) {
  if (!(o.length >= 0 && o.length <= 1000000))
    throw ConfigError("sample length must be between 0 and 1000000 (got " + std::to_string(o.length) + ")");
  if (!(o.temperature >= 0.0f && o.temperature <= 100.0f))
    throw ConfigError("temperature must be between 0 and 100 (got " + std::to_string(o.temperature) + ")");
  if (o.top_k < 0) throw ConfigError("top-k must be 0 (off) or a positive count (got " + std::to_string(o.top_k) + ")");
  if (!(o.top_p > 0.0f && o.top_p <= 1.0f))
    throw ConfigError("top-p must be in (0, 1] (got " + std::to_string(o.top_p) + ")");
  if (o.prime.size() > (1u << 20)) throw ConfigError("the priming text is over 1 MB: shorten it");
}

int choose_token(const float* logits, int V, const SampleOptions& o, int banned, Rng& rng, ChoiceScratch& scratch) {
  const bool ban = banned >= 0 && banned < V && V > 1;
  auto allowed = [&](int v) { return !(ban && v == banned); };
  int best = -1;
  for (int v = 0; v < V; ++v)
    if (allowed(v) && (best < 0 || logits[v] > logits[best])) best = v;
  if (o.temperature <= kArgmaxTemperature) return best;

  // Softmax at temperature, subtracting the max so 1/temperature cannot overflow exp.
  std::vector<float>& w = scratch.weights;
  w.resize(static_cast<size_t>(V));
  softmax_weights(V, logits, logits[best], 1.0f / o.temperature, w.data());
  if (ban) w[static_cast<size_t>(banned)] = 0.0f;   // its logit may exceed the max of the others: exp may be inf

  if ((o.top_k > 0 && o.top_k < V) || o.top_p < 1.0f) {
    std::vector<int>& order = scratch.order;
    order.resize(static_cast<size_t>(V));
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(),
                     [&](int a, int b) { return w[static_cast<size_t>(a)] > w[static_cast<size_t>(b)]; });
    const double total = std::accumulate(w.begin(), w.end(), 0.0);
    double cumulative = 0;
    size_t keep = 0;
    while (keep < order.size()) {
      cumulative += w[static_cast<size_t>(order[keep])];
      ++keep;
      if (o.top_k > 0 && keep >= static_cast<size_t>(o.top_k)) break;
      if (cumulative >= o.top_p * total) break;
    }
    for (size_t i = keep; i < order.size(); ++i) w[static_cast<size_t>(order[i])] = 0;
  }
  const double total = std::accumulate(w.begin(), w.end(), 0.0);
  double u = rng.uniform() * total;
  for (int v = 0; v < V; ++v) {
    u -= w[static_cast<size_t>(v)];
    if (u < 0 && w[static_cast<size_t>(v)] > 0) return v;
  }
  return best;   // rounding left u at >= 0: the most likely character is the right fallback
}

}  // namespace rnnlab
