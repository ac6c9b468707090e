#include "rnnlab/vocab.hpp"

#include <algorithm>
#include <cstdio>
#include <string>
#include <unordered_map>
#include <utility>

#include "rnnlab/errors.hpp"
#include "rnnlab/utf8.hpp"

namespace rnnlab {
namespace {

// A character as a person can read it in a message: 'a' when printable, else U+000A.
std::string describe_char(char32_t c) {
  const bool control = c < 0x20 || (c >= 0x7F && c <= 0xA0);
  if (!control && is_valid_code_point(c)) {
    std::string s = "'";
    append_utf8(s, c);
    return s + "'";
  }
  char buf[16];
  std::snprintf(buf, sizeof buf, "U+%04X", static_cast<unsigned>(c));
  return buf;
}

// Occurrence counts per code point: dense for the BMP (where nearly all text lives; 512 KB, freed after
// build), a hash map for the rest.
struct CharCounts {
  std::vector<uint64_t> bmp = std::vector<uint64_t>(0x10000, 0);
  std::unordered_map<char32_t, uint64_t> astral;

  explicit CharCounts(std::u32string_view text) {
    for (char32_t c : text) {
      if (c < 0x10000) ++bmp[c];
      else ++astral[c];
    }
  }
  template <typename F>
  void for_each(F&& f) const {   // f(code point, count) for every code point present
    for (char32_t c = 0; c < 0x10000; ++c)
      if (bmp[c] != 0) f(c, bmp[c]);
    for (const auto& kv : astral) f(kv.first, kv.second);
  }
};

}  // namespace

Vocab::Vocab(std::vector<char32_t> sorted_symbols) : symbols_(std::move(sorted_symbols)) {
  // Table size: one past the largest symbol below 0x10000 other than kUnknown.
  char32_t limit = 0;
  for (char32_t s : symbols_)
    if (s < 0x10000 && s != kUnknown) limit = s + 1;
  const auto unknown = std::lower_bound(symbols_.begin(), symbols_.end(), kUnknown);
  if (unknown != symbols_.end() && *unknown == kUnknown)
    unknown_id_ = static_cast<int>(unknown - symbols_.begin());
  dense_.assign(limit, unknown_id_);
  for (int id = 0; id < size(); ++id)
    if (symbols_[id] < limit) dense_[symbols_[id]] = id;
}

int Vocab::sparse_id_of(char32_t c) const {
  const auto it = std::lower_bound(symbols_.begin(), symbols_.end(), c);
  if (it != symbols_.end() && *it == c) return static_cast<int>(it - symbols_.begin());
  return unknown_id_;
}

Vocab Vocab::build(std::u32string_view text, int max_size, int min_count) {
  if (max_size < 2 || max_size > kMaxSymbols)
    throw ConfigError("vocabulary size must be between 2 and " + std::to_string(kMaxSymbols) + " (got " +
                      std::to_string(max_size) + ")");
  if (text.empty()) throw ConfigError("the text is empty: paste or load some text first");

  const CharCounts counts(text);
  // Every distinct character except U+FFFD competes for a slot; U+FFFD is the unknown symbol itself.
  std::vector<std::pair<char32_t, uint64_t>> chars;
  bool text_has_unknown = false;
  counts.for_each([&](char32_t c, uint64_t n) {
    if (c == kUnknown) text_has_unknown = true;
    else chars.emplace_back(c, n);
  });
  const size_t distinct = chars.size() + (text_has_unknown ? 1 : 0);
  if (distinct < 2)
    throw ConfigError("the text has only one distinct character (" + describe_char(text[0]) +
                      "): a language model needs at least two");

  // Most frequent first; ties broken by the smaller code point so the result never depends on hashing.
  std::sort(chars.begin(), chars.end(), [](const auto& a, const auto& b) {
    return a.second != b.second ? a.second > b.second : a.first < b.first;
  });
  size_t eligible = 0;   // chars[0..eligible) have count >= min_count (a prefix, as sorted by count)
  while (eligible < chars.size() && chars[eligible].second >= static_cast<uint64_t>(std::max(min_count, 1)))
    ++eligible;

  // Everything fits without an unknown symbol only if no character is dropped; otherwise one slot of
  // max_size goes to kUnknown.
  size_t keep = eligible;
  bool need_unknown = text_has_unknown;
  if (eligible < chars.size() || eligible + (text_has_unknown ? 1 : 0) > static_cast<size_t>(max_size)) {
    need_unknown = true;
    keep = std::min(eligible, static_cast<size_t>(max_size) - 1);
  }
  if (keep + (need_unknown ? 1 : 0) < 2)
    throw ConfigError("min_count " + std::to_string(min_count) + " leaves fewer than two characters of " +
                      std::to_string(distinct) +
                      " distinct ones (every character of this text is rarer): lower min_count");

  std::vector<char32_t> symbols;
  symbols.reserve(keep + 1);
  for (size_t i = 0; i < keep; ++i) symbols.push_back(chars[i].first);
  if (need_unknown) symbols.push_back(kUnknown);
  std::sort(symbols.begin(), symbols.end());

  Vocab v(std::move(symbols));
  v.collapsed_distinct_ = static_cast<int>(chars.size() - keep);
  for (size_t i = keep; i < chars.size(); ++i) v.collapsed_occurrences_ += chars[i].second;
  return v;
}

Vocab Vocab::from_symbols(std::vector<char32_t> symbols) {
  if (symbols.size() < 2 || symbols.size() > static_cast<size_t>(kMaxSymbols))
    throw FormatError("the saved vocabulary has " + std::to_string(symbols.size()) + " symbols; rnnlab models have 2 to " +
                      std::to_string(kMaxSymbols) + ": the file is corrupted or was not made for rnnlab");
  for (size_t i = 0; i < symbols.size(); ++i) {
    if (!is_valid_code_point(symbols[i]))
      throw FormatError("the saved vocabulary contains an invalid code point (" + describe_char(symbols[i]) +
                        " at index " + std::to_string(i) + "): the file is corrupted");
    if (i > 0 && symbols[i] <= symbols[i - 1])
      throw FormatError("the saved vocabulary is not in strictly ascending order (index " + std::to_string(i) +
                        "): the file is corrupted or was not written by rnnlab");
  }
  return Vocab(std::move(symbols));
}

char32_t Vocab::symbol(int id) const {
  return id >= 0 && id < size() ? symbols_[id] : kUnknown;
}

std::vector<int32_t> Vocab::encode(std::u32string_view text, size_t* skipped) const {
  std::vector<int32_t> ids;
  ids.reserve(text.size());
  size_t missing = 0;
  for (char32_t c : text) {
    const int id = id_of(c);
    if (id >= 0) ids.push_back(id);
    else ++missing;
  }
  if (skipped) *skipped = missing;
  return ids;
}

std::u32string Vocab::decode(const std::vector<int32_t>& ids) const {
  std::u32string text;
  text.reserve(ids.size());
  for (int32_t id : ids) text.push_back(symbol(id));
  return text;
}

}  // namespace rnnlab
