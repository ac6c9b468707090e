// The character vocabulary: which code points the model sees as distinct symbols (V of them) and
// their ids. Ids follow ascending code point order, so a saved vocabulary is just the sorted symbol
// list and two runs on the same text agree on every id regardless of how characters were counted.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace rnnlab {

class Vocab {
 public:
  static constexpr char32_t kUnknown = U'\uFFFD';   // the symbol rare (and invalid) characters collapse into
  // The documented range of a vocabulary (config vocab max_size, 2..8192), enforced on every way in: built from a
  // text, loaded from a model file, imported from safetensors. The head alone is V x H weights, so a larger one
  // from a file would be a model rnnlab never makes, and memory nobody asked for.
  static constexpr int kMaxSymbols = 8192;

  // Counts code points; keeps the most frequent ones (ties: smaller code point first) whose count >=
  // min_count, at most max_size symbols in total counting the unknown symbol; everything else maps to
  // kUnknown, which is in the vocabulary iff something maps to it (or the text itself contains U+FFFD).
  // Ids are assigned in ascending code point order. Throws ConfigError if max_size is outside
  // 2..kMaxSymbols, the text is empty, has fewer than 2 distinct characters, or min_count leaves fewer
  // than 2 symbols.
  static Vocab build(std::u32string_view text, int max_size, int min_count);

  // Restores a saved vocabulary: symbols strictly ascending, valid code points, 2..kMaxSymbols of them;
  // else FormatError.
  static Vocab from_symbols(std::vector<char32_t> symbols);

  Vocab() = default;   // empty (size 0) placeholder; only build() and from_symbols() make a usable one

  int size() const { return static_cast<int>(symbols_.size()); }
  const std::vector<char32_t>& symbols() const { return symbols_; }
  char32_t symbol(int id) const;   // kUnknown for an out-of-range id

  // The id, else unknown_id() (which is -1 without an unknown symbol).
  int id_of(char32_t c) const {
    if (c < dense_.size()) return dense_[c];
    if (c == kUnknown) return unknown_id_;
    return sparse_id_of(c);
  }
  bool has_unknown() const { return unknown_id_ >= 0; }
  int unknown_id() const { return unknown_id_; }

  // Maps text to ids; characters with no id (absent and no unknown symbol) are skipped and counted in
  // *skipped.
  std::vector<int32_t> encode(std::u32string_view text, size_t* skipped = nullptr) const;
  std::u32string decode(const std::vector<int32_t>& ids) const;   // out-of-range ids -> kUnknown

  // From build(): how many distinct characters and how many occurrences were collapsed into kUnknown
  // (a U+FFFD already in the text is the unknown symbol itself and is not counted). 0 after from_symbols().
  int collapsed_distinct() const { return collapsed_distinct_; }
  size_t collapsed_occurrences() const { return collapsed_occurrences_; }

 private:
  explicit Vocab(std::vector<char32_t> sorted_symbols);
  int sparse_id_of(char32_t c) const;

  std::vector<char32_t> symbols_;   // (V) strictly ascending; the id of a symbol is its index
  // Dense lookup for code points below the largest BMP symbol (U+FFFD handled apart, else every
  // vocabulary containing it would need a 64K-entry table): entries are ids or unknown_id_.
  // Code points past the table are found by binary search in symbols_ (rare: astral/late-BMP text).
  std::vector<int32_t> dense_;
  int unknown_id_ = -1;
  int collapsed_distinct_ = 0;
  size_t collapsed_occurrences_ = 0;
};

}  // namespace rnnlab
