#include "rnnlab/input_gradients.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "rnnlab/cells.hpp"
#include "rnnlab/errors.hpp"

namespace rnnlab {

template <typename S>
InputGradients<S> input_gradients(const Network<S>& net, const S* params, const std::vector<int32_t>& tokens,
                                  int position, int max_lag) {
  const int n = static_cast<int>(tokens.size());
  if (position < 0 || position > n - 2)
    throw ConfigError("choose a position from 0 to " + std::to_string(std::max(0, n - 2)) +
                      " (a prediction needs the character after it)");
  if (max_lag < 1 || max_lag > kMaxConnectivityLag)
    throw ConfigError("look back 1 to " + std::to_string(kMaxConnectivityLag) + " characters");
  InputGradients<S> r;
  r.position = position;
  r.first = std::max(0, position - max_lag);
  RecurrentState<S> state = net.zero_state(1);
  ForwardCache<S> cache;
  // Carry the state up to `first` in chunks (bounded memory), without gradients.
  constexpr int kChunk = 256;
  for (int s = 0; s < r.first; s += kChunk) {
    const int len = std::min(kChunk, r.first - s);
    net.forward(params, tokens.data() + s, tokens.data() + s + 1, len, 1, state, cache, nullptr);
  }
  const int T = position - r.first + 1;
  net.forward(params, tokens.data() + r.first, tokens.data() + r.first + 1, T, 1, state, cache, nullptr);
  // Only the last step's own loss: dlogits = p - onehot there, zero elsewhere.
  const int V = net.vocab_size();
  cache.dlogits.setZero();
  const int target = tokens[static_cast<size_t>(position) + 1];
  r.loss = cells::softmax_xent<S>(V, 1, cache.logits.data() + static_cast<size_t>(T - 1) * V, &target, S(1),
                                  cache.dlogits.data() + static_cast<size_t>(T - 1) * V);
  Slab<S> grads(net.layout().total(), S(0));
  BackwardRecord<S> rec;
  RecurrentState<S> dstate = net.zero_state(1);
  net.backward(params, cache, grads.data(), &dstate, nullptr, &rec);
  for (size_t k = 0; k < rec.dh_above.size(); ++k) {
    std::vector<double> norms;
    for (int lag = 0; lag < T; ++lag)   // dL/dh_s = what arrives from above plus from the future, as backward sums it
      norms.push_back((rec.dh_above[k].col(T - 1 - lag) + rec.dh_future[k].col(T - 1 - lag)).template cast<double>().norm());
    norms.push_back(dstate.h[k].template cast<double>().norm());
    r.h_norm.push_back(std::move(norms));
    r.dstate.emplace_back(dstate.h[k].data(), dstate.h[k].data() + dstate.h[k].size());
  }
  const Mat<S>& dx = rec.dx[0];   // (In, T)
  r.input_size = static_cast<int>(dx.rows());
  r.norm.resize(static_cast<size_t>(T));
  r.grad.resize(static_cast<size_t>(T) * r.input_size);
  for (int k = 0; k < T; ++k) {
    const auto col = dx.col(T - 1 - k);
    double sq = 0;
    for (int i = 0; i < r.input_size; ++i) {
      r.grad[static_cast<size_t>(k) * r.input_size + i] = col(i);
      sq += static_cast<double>(col(i)) * col(i);
    }
    r.norm[static_cast<size_t>(k)] = std::sqrt(sq);
  }
  return r;
}

template InputGradients<float> input_gradients(const Network<float>&, const float*, const std::vector<int32_t>&, int,
                                               int);
template InputGradients<double> input_gradients(const Network<double>&, const double*, const std::vector<int32_t>&,
                                                int, int);

}  // namespace rnnlab
