// "What did this prediction use?" (after Distill's "Visualizing memorization in RNNs"): how much the loss of the
// prediction at one position depends on each earlier character, as the norm of the gradient with respect to that
// character's input vector (the one-hot vector, or its embedding row as it enters layer 0 at that position).
#pragma once
#include <cstdint>
#include <vector>

#include "rnnlab/network.hpp"

namespace rnnlab {

constexpr int kMaxConnectivityLag = 1000;

template <typename S>
struct InputGradients {
  int position = 0;           // t: the prediction made after reading tokens[t], scored against tokens[t + 1]
  int first = 0;              // the earliest position reached: max(0, t - max_lag)
  double loss = 0;            // -log p(tokens[t + 1]), nats
  // norm[k] = ||d loss_t / d x_{t-k}|| for k = 0 .. t - first (x_{t-k} is the input read at position t - k)
  std::vector<double> norm;
  std::vector<S> grad;        // (t - first + 1, In) the gradients themselves, row k for x_{t-k}
  int input_size = 0;         // In: V one-hot, E embedded
  // The same loss's gradient with respect to the hidden states, per layer: h_norm[layer][k] = ||d loss_t / d h_{t-k}||
  // for k = 0 .. t - first + 1, the last entry being the state carried in before position `first` (whose own
  // gradient is dstate[layer], (H)). How far back one prediction's gradient reaches, on the person's own text.
  std::vector<std::vector<double>> h_norm;
  std::vector<std::vector<S>> dstate;
};

// The model reads tokens from a zero state; positions before `first` only carry the state forward (their influence
// through that state is not measured: backpropagation stops at `first`). Throws ConfigError when position is not
// in 0 .. n-2 or max_lag is outside 1 .. kMaxConnectivityLag.
template <typename S>
InputGradients<S> input_gradients(const Network<S>& net, const S* params, const std::vector<int32_t>& tokens,
                                  int position, int max_lag);

extern template InputGradients<float> input_gradients(const Network<float>&, const float*,
                                                      const std::vector<int32_t>&, int, int);
extern template InputGradients<double> input_gradients(const Network<double>&, const double*,
                                                       const std::vector<int32_t>&, int, int);

}  // namespace rnnlab
