// Turning next-character logits into a choice: temperature, top-k, top-p (nucleus), argmax.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "rnnlab/rng.hpp"

namespace rnnlab {

struct SampleOptions {
  std::string prime;          // UTF-8 text fed through the network first; characters not in the vocabulary are skipped
  int length = 200;           // characters to generate, 0..1,000,000
  float temperature = 1.0f;   // <= 0.01 means argmax (greedy); higher flattens the distribution
  int top_k = 0;              // keep only the k most likely characters (0 = all)
  float top_p = 1.0f;         // keep the smallest set whose probability reaches p (1 = all)
  uint64_t seed = 1;
};

// Throws ConfigError naming the field out of range.
void validate(const SampleOptions& options);

constexpr float kArgmaxTemperature = 0.01f;

// choose_token's scratch, kept from character to character so sampling allocates nothing per character.
struct ChoiceScratch {
  std::vector<float> weights;   // (V) unnormalised probabilities at the temperature
  std::vector<int> order;       // (V) tokens by weight, for top-k / top-p
};

// Chooses a token from logits (V). `banned` (may be -1) is never chosen unless it is the only option: the unknown
// symbol, so samples show real characters. The weights are float (exp in float is several times cheaper than in
// double in wasm, and runs once per character); their sum and the draw are in double.
int choose_token(const float* logits, int V, const SampleOptions& o, int banned, Rng& rng, ChoiceScratch& scratch);

}  // namespace rnnlab
