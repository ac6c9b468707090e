// Simple features of a text, per character, and the ranking of hidden units by how well they track them:
// "find the quote cell", "find the line-length unit".
#pragma once
#include <string>
#include <vector>

#include "rnnlab/inspect.hpp"

namespace rnnlab {

enum class TextFeature {
  inside_quotes,    // 1 between an opening and a closing quote ("..." toggles; “...” nests), else 0
  inside_brackets,  // 1 inside (), [] or {}, else 0
  nesting_depth,    // how many brackets are open
  line_position,    // characters since the last line break
  indentation,      // the current line's leading white space (a tab counts 4)
  word_start,       // 1 on the first letter or digit of a word
  after_newline,    // 1 on the character after a line break
};

std::vector<TextFeature> all_features();
std::string to_string(TextFeature f);
TextFeature parse_feature(const std::string& name);   // ConfigError listing the names

// The feature's value at every position of the text (value at t describes text[t], the character just read).
std::vector<float> feature_values(TextFeature feature, const std::u32string& text);

struct UnitScore {
  int layer = 0;
  char kind = 'h';          // 'h' hidden state, 'c' LSTM cell state
  int unit = 0;
  double correlation = 0;   // Pearson correlation between the unit's value and the feature over the text
};

// Every unit of every layer (h, and c for LSTM), sorted by |correlation| with the feature, strongest first.
// Units that never vary get correlation 0. Empty when the feature itself never varies over the text (a text
// without quotes has nothing to say about a quote unit, and a ranking of zeros would pretend otherwise).
std::vector<UnitScore> rank_units(const Trace& trace, TextFeature feature);

double pearson(const float* x, size_t stride_x, const std::vector<float>& y);

}  // namespace rnnlab
