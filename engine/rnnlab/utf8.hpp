// UTF-8 <-> code points. The model works on Unicode code points (an emoji is one character, not four
// bytes), and pasted text or loaded files may be anything, so decoding never fails: every ill-formed
// piece becomes U+FFFD, as browsers do (TextDecoder), and the caller is told how many were replaced.
#pragma once
#include <cstddef>
#include <string>
#include <string_view>

namespace rnnlab {

inline constexpr char32_t kReplacementChar = U'\uFFFD';

struct Utf8Decoded {
  std::u32string text;
  size_t replaced = 0;   // how many U+FFFD were substituted for ill-formed bytes
};

// Invalid sequences (bad lead/continuation bytes, overlong forms, surrogates D800-DFFF, > U+10FFFF,
// truncated anywhere) become U+FFFD, one per maximal subpart of an ill-formed sequence (Unicode 3.9,
// "U+FFFD substitution of maximal subparts", the WHATWG encoding standard's choice): the longest prefix
// of a well-formed sequence is swallowed by one U+FFFD and the byte that broke it is read afresh.
// A leading UTF-8 byte order mark (EF BB BF) is dropped. Never throws.
Utf8Decoded decode_utf8(std::string_view bytes);

// Appends cp in UTF-8; a surrogate or a value above U+10FFFF is written as U+FFFD.
void append_utf8(std::string& out, char32_t cp);

std::string encode_utf8(std::u32string_view text);

// True for U+0000..U+10FFFF outside the surrogate range D800-DFFF.
inline constexpr bool is_valid_code_point(char32_t cp) {
  return cp <= 0x10FFFF && !(cp >= 0xD800 && cp <= 0xDFFF);
}

}  // namespace rnnlab
