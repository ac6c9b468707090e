#include "rnnlab/features.hpp"

#include <algorithm>
#include <cmath>

#include "rnnlab/errors.hpp"

namespace rnnlab {

std::vector<TextFeature> all_features() {
  return {TextFeature::inside_quotes, TextFeature::inside_brackets, TextFeature::nesting_depth,
          TextFeature::line_position, TextFeature::indentation,     TextFeature::word_start,
          TextFeature::after_newline};
}

std::string to_string(TextFeature f) {
  switch (f) {
    case TextFeature::inside_quotes: return "inside_quotes";
    case TextFeature::inside_brackets: return "inside_brackets";
    case TextFeature::nesting_depth: return "nesting_depth";
    case TextFeature::line_position: return "line_position";
    case TextFeature::indentation: return "indentation";
    case TextFeature::word_start: return "word_start";
    case TextFeature::after_newline: return "after_newline";
  }
  return "?";
}

TextFeature parse_feature(const std::string& name) {
  std::string known;
  for (TextFeature f : all_features()) {
    if (to_string(f) == name) return f;
    known += (known.empty() ? "" : ", ") + to_string(f);
  }
  throw ConfigError("unknown text feature '" + name + "': use one of " + known);
}

namespace {

bool is_word_char(char32_t c) {
  return (c >= U'0' && c <= U'9') || (c >= U'a' && c <= U'z') || (c >= U'A' && c <= U'Z') || c == U'_' ||
         (c >= 0xC0 && c != 0xD7 && c != 0xF7 && c < 0x2000) || (c >= 0x3040 && c < 0xA000);
}

}  // namespace

std::vector<float> feature_values(TextFeature feature, const std::u32string& text) {
  std::vector<float> v(text.size(), 0.0f);
  bool straight_open = false;   // inside "..."
  int curly = 0, depth = 0, column = 0, indent = 0;
  bool at_line_start = true;
  for (size_t t = 0; t < text.size(); ++t) {
    const char32_t c = text[t];
    const char32_t prev = t > 0 ? text[t - 1] : U'\n';
    // Quotes: the opening quote counts as inside, the closing one as outside, so a unit that switches on at
    // the opening quote and off at the closing one correlates perfectly.
    if (c == U'"') straight_open = !straight_open;
    if (c == U'\u201C') ++curly;
    if (c == U'\u201D' && curly > 0) --curly;
    if (c == U'(' || c == U'[' || c == U'{') ++depth;
    if ((c == U')' || c == U']' || c == U'}') && depth > 0) --depth;
    if (prev == U'\n') {
      column = 0;
      indent = 0;
      at_line_start = true;
    }
    if (at_line_start && (c == U' ' || c == U'\t')) indent += c == U'\t' ? 4 : 1;
    else if (c != U'\n') at_line_start = false;
    switch (feature) {
      case TextFeature::inside_quotes: v[t] = (straight_open || curly > 0) ? 1.0f : 0.0f; break;
      case TextFeature::inside_brackets: v[t] = depth > 0 ? 1.0f : 0.0f; break;
      case TextFeature::nesting_depth: v[t] = static_cast<float>(depth); break;
      case TextFeature::line_position: v[t] = static_cast<float>(column); break;
      case TextFeature::indentation: v[t] = static_cast<float>(indent); break;
      case TextFeature::word_start: v[t] = is_word_char(c) && !is_word_char(prev) ? 1.0f : 0.0f; break;
      case TextFeature::after_newline: v[t] = prev == U'\n' && t > 0 ? 1.0f : 0.0f; break;
    }
    ++column;
  }
  return v;
}

double pearson(const float* x, size_t stride_x, const std::vector<float>& y) {
  const size_t n = y.size();
  if (n < 2) return 0;
  double mx = 0, my = 0;
  for (size_t i = 0; i < n; ++i) {
    mx += x[i * stride_x];
    my += y[i];
  }
  mx /= n;
  my /= n;
  double sxy = 0, sxx = 0, syy = 0;
  for (size_t i = 0; i < n; ++i) {
    const double dx = x[i * stride_x] - mx, dy = y[i] - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  if (sxx <= 1e-20 || syy <= 1e-20) return 0;
  return sxy / std::sqrt(sxx * syy);
}

std::vector<UnitScore> rank_units(const Trace& trace, TextFeature feature) {
  const std::vector<float> f = feature_values(feature, trace.text);
  std::vector<UnitScore> scores;
  if (f.empty() || std::all_of(f.begin(), f.end(), [&](float v) { return v == f.front(); })) return scores;
  const auto H = static_cast<size_t>(trace.hidden);
  for (int k = 0; k < trace.layers; ++k) {
    for (char kind : {'h', 'c'}) {
      const auto& states = kind == 'h' ? trace.h : trace.c;
      if (states.empty() || trace.text.empty()) continue;
      for (int j = 0; j < trace.hidden; ++j) {
        UnitScore s;
        s.layer = k;
        s.kind = kind;
        s.unit = j;
        s.correlation = pearson(states[static_cast<size_t>(k)].data() + j, H, f);
        scores.push_back(s);
      }
    }
  }
  std::stable_sort(scores.begin(), scores.end(),
                   [](const UnitScore& a, const UnitScore& b) { return std::abs(a.correlation) > std::abs(b.correlation); });
  return scores;
}

}  // namespace rnnlab
