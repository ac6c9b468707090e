#include "rnnlab/utf8.hpp"

#include <cstdint>

namespace rnnlab {
namespace {

// For a lead byte, the well-formed sequence length and the range its SECOND byte must fall in
// (Unicode Table 3-7). Narrowing the second byte is what excludes overlong forms (E0 80..9F, F0 80..8F),
// surrogates (ED A0..BF) and values above U+10FFFF (F4 90..BF); every later byte is plainly 80..BF.
struct LeadInfo {
  int length;          // 0: the byte cannot start a sequence (80..C1, F5..FF)
  uint8_t second_lo;
  uint8_t second_hi;
};

LeadInfo lead_info(uint8_t b) {
  if (b >= 0xC2 && b <= 0xDF) return {2, 0x80, 0xBF};
  if (b == 0xE0) return {3, 0xA0, 0xBF};
  if (b == 0xED) return {3, 0x80, 0x9F};
  if (b >= 0xE1 && b <= 0xEF) return {3, 0x80, 0xBF};
  if (b == 0xF0) return {4, 0x90, 0xBF};
  if (b >= 0xF1 && b <= 0xF3) return {4, 0x80, 0xBF};
  if (b == 0xF4) return {4, 0x80, 0x8F};
  return {0, 0, 0};
}

}  // namespace

Utf8Decoded decode_utf8(std::string_view bytes) {
  Utf8Decoded out;
  const auto* s = reinterpret_cast<const uint8_t*>(bytes.data());
  const size_t n = bytes.size();
  size_t i = 0;
  if (n >= 3 && s[0] == 0xEF && s[1] == 0xBB && s[2] == 0xBF) i = 3;   // BOM: an encoding mark, not text
  out.text.reserve(n - i);   // never more code points than bytes

  while (i < n) {
    const uint8_t b = s[i];
    if (b < 0x80) {   // ASCII fast path: most text is mostly this
      out.text.push_back(b);
      ++i;
      continue;
    }
    const LeadInfo info = lead_info(b);
    if (info.length == 0) {   // stray continuation byte, C0/C1 (always overlong) or F5..FF
      out.text.push_back(kReplacementChar);
      ++out.replaced;
      ++i;
      continue;
    }
    char32_t cp = b & (0x7F >> info.length);   // payload bits of the lead byte
    size_t j = i + 1;
    bool complete = true;
    for (int k = 1; k < info.length; ++k, ++j) {
      const uint8_t lo = k == 1 ? info.second_lo : 0x80;
      const uint8_t hi = k == 1 ? info.second_hi : 0xBF;
      if (j >= n || s[j] < lo || s[j] > hi) {
        complete = false;
        break;
      }
      cp = (cp << 6) | (s[j] & 0x3F);
    }
    if (complete) {
      out.text.push_back(cp);
    } else {
      // s[i..j) is a maximal subpart: one U+FFFD for it; s[j] (if any) starts the next attempt.
      out.text.push_back(kReplacementChar);
      ++out.replaced;
    }
    i = j;
  }
  return out;
}

void append_utf8(std::string& out, char32_t cp) {
  if (!is_valid_code_point(cp)) cp = kReplacementChar;
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

std::string encode_utf8(std::u32string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char32_t cp : text) append_utf8(out, cp);
  return out;
}

}  // namespace rnnlab
