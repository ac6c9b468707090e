// The fuzz_link_open input: a link's settings (configuration text), text and weights payload in one buffer,
// separated by kSeparator; shared with make_seeds, which writes real links' parts this way.
#pragma once
#include <string>
#include <string_view>

inline constexpr std::string_view kSeparator("\n--rnnlab-link-part--\n");

struct LinkParts {
  std::string_view settings, text, weights;
};

inline LinkParts split_link_parts(std::string_view in) {
  LinkParts p;
  size_t a = in.find(kSeparator);
  if (a == std::string_view::npos) return {in, {}, {}};
  p.settings = in.substr(0, a);
  in.remove_prefix(a + kSeparator.size());
  size_t b = in.find(kSeparator);
  if (b == std::string_view::npos) return {p.settings, in, {}};
  p.text = in.substr(0, b);
  p.weights = in.substr(b + kSeparator.size());
  return p;
}

inline std::string join_link_parts(const std::string& settings, const std::string& text, const std::string& weights) {
  return settings + std::string(kSeparator) + text + std::string(kSeparator) + weights;
}
