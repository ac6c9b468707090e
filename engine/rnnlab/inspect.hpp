// Looking inside a trained network: hidden and cell states and gates per character (interpretable cells),
// next-character predictions, and how far back in time the gradient of a prediction reaches.
#pragma once
#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "rnnlab/session.hpp"

namespace rnnlab {

struct Trace {
  std::u32string text;        // the characters traced (characters not in the vocabulary are skipped)
  int layers = 0, hidden = 0;
  int gate_rows = 0;          // G*H for LSTM and GRU, 0 for the vanilla RNN
  // Per layer, after reading text[t]: h[k][t*H + j], c[k][t*H + j] (LSTM only), gates[k][t*gate_rows + r].
  std::vector<std::vector<float>> h, c, gates;
  // After reading text[0..t]: the probability given to text[t+1] (NaN at the last position), and the 5 most
  // likely next characters with their probabilities.
  std::vector<float> p_next;
  std::vector<std::array<char32_t, 5>> top_chars;
  std::vector<std::array<float, 5>> top_probs;
};

// Runs the model over the text from a zero state, one character at a time, recording everything above.
Trace trace(const Session& session, std::string_view utf8_text, size_t max_chars = 4000);

struct GradientFlow {
  int window = 0;             // K
  // norm[k][lag]: the geometric mean over windows of ||d loss_t / d h_{t-lag}|| at layer k, lag = 0..K-1, where
  // loss_t is the cross-entropy of the window's last prediction. Vanishing gradients show as a fast decay with lag.
  // Geometric, not arithmetic: the curve is read on a log scale, and a vanilla RNN now and then meets a window
  // where the gradient barely fades, which would lift an arithmetic mean of 16 windows a hundredfold and hide how
  // it decays in all the others.
  std::vector<std::vector<double>> norm;
};

// Measured on `windows` windows of K+1 characters drawn (seeded) from the validation text, or the training text
// when there is no validation text. Throws ConfigError when the text is shorter than K+1 characters.
GradientFlow gradient_flow(const Session& session, int K, int windows, uint64_t seed);

// The same on the windows that start at `starts` in `tokens` (each start + K must be < tokens.size()).
GradientFlow gradient_flow_at(const Session& session, const std::vector<int32_t>& tokens, int K,
                              const std::vector<size_t>& starts);

}  // namespace rnnlab
