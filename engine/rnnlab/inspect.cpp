#include "rnnlab/inspect.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "rnnlab/errors.hpp"
#include "rnnlab/utf8.hpp"

namespace rnnlab {

Trace trace(const Session& session, std::string_view utf8_text, size_t max_chars) {
  const Network<float>& net = session.network();
  const Vocab& vocab = session.vocab();
  const int V = vocab.size(), H = net.config().hidden, L = net.config().layers;
  const bool lstm = has_cell_state(net.config().cell);
  Trace tr;
  tr.layers = L;
  tr.hidden = H;
  tr.gate_rows = net.config().cell == CellType::rnn_tanh ? 0 : gates_per_cell(net.config().cell) * H;
  std::vector<int32_t> ids;
  for (char32_t ch : decode_utf8(utf8_text).text) {
    if (ids.size() >= max_chars) break;
    const int id = vocab.id_of(ch);
    if (id < 0) continue;
    ids.push_back(id);
    tr.text.push_back(ch);
  }
  const size_t T = ids.size();
  tr.h.assign(static_cast<size_t>(L), std::vector<float>(T * static_cast<size_t>(H)));
  if (lstm) tr.c.assign(static_cast<size_t>(L), std::vector<float>(T * static_cast<size_t>(H)));
  tr.gates.assign(static_cast<size_t>(L), std::vector<float>(T * static_cast<size_t>(tr.gate_rows)));
  tr.p_next.assign(T, std::numeric_limits<float>::quiet_NaN());
  tr.top_chars.resize(T);
  tr.top_probs.resize(T);

  RecurrentState<float> state = net.zero_state(1);
  StepWorkspace<float> ws;
  ws.record_gates = true;
  Slab<float> logits(static_cast<size_t>(V));
  std::vector<double> probs(static_cast<size_t>(V));
  std::vector<int> order(static_cast<size_t>(V));
  for (size_t t = 0; t < T; ++t) {
    net.step(session.params().data(), &ids[t], 1, state, ws, logits.data());
    for (int k = 0; k < L; ++k) {
      const auto ks = static_cast<size_t>(k);
      std::copy_n(state.h[ks].data(), H, tr.h[ks].begin() + static_cast<std::ptrdiff_t>(t * H));
      if (lstm) std::copy_n(state.c[ks].data(), H, tr.c[ks].begin() + static_cast<std::ptrdiff_t>(t * H));
      if (tr.gate_rows > 0)
        std::copy_n(ws.gates[ks].data(), tr.gate_rows,
                    tr.gates[ks].begin() + static_cast<std::ptrdiff_t>(t * static_cast<size_t>(tr.gate_rows)));
    }
    const float top = *std::max_element(logits.begin(), logits.end());
    double sum = 0;
    for (int v = 0; v < V; ++v) sum += probs[static_cast<size_t>(v)] = std::exp(static_cast<double>(logits[v] - top));
    for (auto& p : probs) p /= sum;
    if (t + 1 < T) tr.p_next[t] = static_cast<float>(probs[static_cast<size_t>(ids[t + 1])]);
    std::iota(order.begin(), order.end(), 0);
    const int shown = std::min(5, V);
    std::partial_sort(order.begin(), order.begin() + shown, order.end(),
                      [&](int a, int b) { return probs[static_cast<size_t>(a)] > probs[static_cast<size_t>(b)]; });
    tr.top_chars[t].fill(0);
    tr.top_probs[t].fill(0.0f);
    for (int i = 0; i < shown; ++i) {
      tr.top_chars[t][static_cast<size_t>(i)] = vocab.symbol(order[static_cast<size_t>(i)]);
      tr.top_probs[t][static_cast<size_t>(i)] = static_cast<float>(probs[static_cast<size_t>(order[static_cast<size_t>(i)])]);
    }
  }
  return tr;
}

GradientFlow gradient_flow(const Session& session, int K, int windows, uint64_t seed) {
  if (K < 1 || K > 1024 || windows < 1 || windows > 256)
    throw ConfigError("gradient flow needs a window of 1..1024 steps and 1..256 windows");
  const std::vector<int32_t>& val = session.split().val;
  const std::vector<int32_t>& tokens = val.size() > static_cast<size_t>(K) + 1 ? val : session.split().train;
  if (tokens.size() < static_cast<size_t>(K) + 1)
    throw ConfigError("the text is shorter than the gradient-flow window (" + std::to_string(K + 1) +
                      " characters): use a shorter window or more text");
  Rng rng(seed);
  std::vector<size_t> starts(static_cast<size_t>(windows));
  for (size_t& start : starts) start = rng.below(tokens.size() - static_cast<size_t>(K));
  return gradient_flow_at(session, tokens, K, starts);
}

GradientFlow gradient_flow_at(const Session& session, const std::vector<int32_t>& tokens, int K,
                              const std::vector<size_t>& starts) {
  const Network<float>& net = session.network();
  const int B = static_cast<int>(starts.size()), T = K, N = T * B;
  // x, y (T*B): column t*B + b holds step t of window b, the layout forward expects.
  std::vector<int32_t> x(static_cast<size_t>(N)), y(static_cast<size_t>(N));
  for (int b = 0; b < B; ++b) {
    const size_t start = starts[static_cast<size_t>(b)];
    for (int t = 0; t < T; ++t) {
      x[static_cast<size_t>(t * B + b)] = tokens.at(start + static_cast<size_t>(t));
      y[static_cast<size_t>(t * B + b)] = tokens.at(start + static_cast<size_t>(t) + 1);
    }
  }
  RecurrentState<float> state = net.zero_state(B);
  ForwardCache<float> cache;
  net.forward(session.params().data(), x.data(), y.data(), T, B, state, cache, nullptr);
  // Keep only each window's last prediction, as its own loss: forward scaled dlogits by 1/N.
  cache.dlogits.leftCols(static_cast<Eigen::Index>(N - B)).setZero();
  cache.dlogits.rightCols(B) *= static_cast<float>(N);
  Slab<float> grads(session.params().size(), 0.0f);
  GradientProbe probe;
  net.backward(session.params().data(), cache, grads.data(), nullptr, &probe);
  // A norm that underflowed to 0 in float counts as the smallest float, so its logarithm stays finite.
  constexpr double kFloor = std::numeric_limits<float>::denorm_min();
  GradientFlow flow;
  flow.window = K;
  for (const std::vector<double>& per_column : probe.dh_norm) {
    std::vector<double> by_lag(static_cast<size_t>(K));
    for (int lag = 0; lag < K; ++lag) {
      const size_t col = static_cast<size_t>(T - 1 - lag) * static_cast<size_t>(B);
      double log_sum = 0;
      for (int b = 0; b < B; ++b) log_sum += std::log(std::max(per_column[col + static_cast<size_t>(b)], kFloor));
      by_lag[static_cast<size_t>(lag)] = std::exp(log_sum / B);
    }
    flow.norm.push_back(std::move(by_lag));
  }
  return flow;
}

}  // namespace rnnlab
