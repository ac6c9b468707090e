#include "rnnlab/json.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "rnnlab/errors.hpp"
#include "rnnlab/utf8.hpp"

namespace rnnlab {
namespace {

// Length of the well-formed UTF-8 sequence starting at s[i] (Unicode table 3-7: no overlong forms, no
// surrogates, nothing above U+10FFFF), or 0 if the bytes there are not one.
size_t utf8_sequence_length(std::string_view s, size_t i) {
  const auto c = static_cast<unsigned char>(s[i]);
  if (c < 0x80) return 1;
  size_t len;
  unsigned char lo = 0x80, hi = 0xBF;   // allowed range of the second byte
  if (c >= 0xC2 && c <= 0xDF) {
    len = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    len = 3;
    if (c == 0xE0) lo = 0xA0;   // overlong
    if (c == 0xED) hi = 0x9F;   // UTF-16 surrogates
  } else if (c >= 0xF0 && c <= 0xF4) {
    len = 4;
    if (c == 0xF0) lo = 0x90;   // overlong
    if (c == 0xF4) hi = 0x8F;   // above U+10FFFF
  } else {
    return 0;
  }
  if (len > s.size() - i) return 0;
  const auto c1 = static_cast<unsigned char>(s[i + 1]);
  if (c1 < lo || c1 > hi) return 0;
  for (size_t k = 2; k < len; ++k) {
    if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return 0;
  }
  return len;
}

// A byte as a person would want to see it in an error message.
std::string describe_byte(char ch) {
  const auto c = static_cast<unsigned char>(ch);
  if (c >= 0x20 && c < 0x7F) return std::string("'") + ch + "'";
  char buf[16];
  std::snprintf(buf, sizeof buf, "byte 0x%02X", c);
  return buf;
}

class Parser {
 public:
  Parser(std::string_view text, int max_depth) : s_(text), max_depth_(max_depth) {}

  Json document() {
    Json v = value(0);
    skip_ws();
    if (i_ != s_.size()) fail(i_, "unexpected " + describe_byte(s_[i_]) + " after the end of the JSON value");
    return v;
  }

 private:
  [[noreturn]] void fail(size_t at, const std::string& msg) const {
    throw FormatError("JSON: " + msg + " at byte " + std::to_string(at));
  }

  void skip_ws() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\n' || s_[i_] == '\r')) ++i_;
  }

  // `depth` is the number of arrays/objects enclosing this value.
  Json value(int depth) {
    skip_ws();
    if (i_ >= s_.size()) fail(i_, "unexpected end of input where a value was expected");
    const char c = s_[i_];
    switch (c) {
      case '{': return object(depth + 1);
      case '[': return array(depth + 1);
      case '"': return Json(string());
      case 't': literal("true"); return Json(true);
      case 'f': literal("false"); return Json(false);
      case 'n': literal("null"); return Json();
      default:
        if (c == '-' || (c >= '0' && c <= '9')) return Json(number());
        fail(i_, "unexpected " + describe_byte(c) + " where a value was expected");
    }
  }

  void check_depth(int depth) const {
    if (depth > max_depth_) fail(i_, "arrays/objects nested deeper than the limit of " + std::to_string(max_depth_));
  }

  Json array(int depth) {
    check_depth(depth);
    ++i_;   // '['
    Json::Array items;
    skip_ws();
    if (i_ < s_.size() && s_[i_] == ']') {
      ++i_;
      return Json(std::move(items));
    }
    for (;;) {
      items.push_back(value(depth));
      skip_ws();
      if (i_ >= s_.size()) fail(i_, "unexpected end of input inside an array (missing ']')");
      if (s_[i_] == ',') { ++i_; continue; }
      if (s_[i_] == ']') { ++i_; return Json(std::move(items)); }
      fail(i_, "expected ',' or ']' in an array but found " + describe_byte(s_[i_]));
    }
  }

  Json object(int depth) {
    check_depth(depth);
    ++i_;   // '{'
    Json::Object members;
    std::vector<size_t> key_offsets;   // for the duplicate-key message
    skip_ws();
    if (i_ < s_.size() && s_[i_] == '}') {
      ++i_;
      return Json(std::move(members));
    }
    for (;;) {
      skip_ws();
      if (i_ >= s_.size()) fail(i_, "unexpected end of input inside an object (missing '}')");
      if (s_[i_] != '"') fail(i_, "expected a string key in an object but found " + describe_byte(s_[i_]));
      key_offsets.push_back(i_);
      std::string key = string();
      skip_ws();
      if (i_ >= s_.size() || s_[i_] != ':') fail(i_, "expected ':' after an object key");
      ++i_;
      members.emplace_back(std::move(key), value(depth));
      skip_ws();
      if (i_ >= s_.size()) fail(i_, "unexpected end of input inside an object (missing '}')");
      if (s_[i_] == ',') { ++i_; continue; }
      if (s_[i_] == '}') { ++i_; break; }
      fail(i_, "expected ',' or '}' in an object but found " + describe_byte(s_[i_]));
    }
    reject_duplicate_keys(members, key_offsets);
    return Json(std::move(members));
  }

  // Sorting indices keeps this O(n log n), so a header with a million keys cannot stall the reader.
  void reject_duplicate_keys(const Json::Object& members, const std::vector<size_t>& offsets) const {
    std::vector<size_t> order(members.size());
    for (size_t k = 0; k < order.size(); ++k) order[k] = k;
    std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
      return members[a].first != members[b].first ? members[a].first < members[b].first : a < b;
    });
    for (size_t k = 1; k < order.size(); ++k) {
      if (members[order[k]].first == members[order[k - 1]].first) {
        std::string shown = Json(members[order[k]].first).dump();
        if (shown.size() > 80) shown = shown.substr(0, 77) + "...";
        fail(offsets[order[k]], "duplicate key " + shown + " in an object");
      }
    }
  }

  void literal(std::string_view word) {
    if (s_.substr(i_, word.size()) != word) fail(i_, "invalid literal (expected '" + std::string(word) + "')");
    i_ += word.size();
  }

  bool digit_at(size_t k) const { return k < s_.size() && s_[k] >= '0' && s_[k] <= '9'; }

  // Checks the RFC 8259 number grammar ourselves (strtod alone would accept "0x1p3", "inf", " 1", ...),
  // then lets strtod do the correctly rounded conversion.
  double number() {
    const size_t start = i_;
    if (s_[i_] == '-') ++i_;
    if (digit_at(i_) && s_[i_] == '0') {
      ++i_;   // a leading zero stands alone: "01" is not a number
    } else if (digit_at(i_)) {
      while (digit_at(i_)) ++i_;
    } else {
      fail(i_, "expected a digit in a number");
    }
    if (i_ < s_.size() && s_[i_] == '.') {
      ++i_;
      if (!digit_at(i_)) fail(i_, "expected a digit after the decimal point");
      while (digit_at(i_)) ++i_;
    }
    if (i_ < s_.size() && (s_[i_] == 'e' || s_[i_] == 'E')) {
      ++i_;
      if (i_ < s_.size() && (s_[i_] == '+' || s_[i_] == '-')) ++i_;
      if (!digit_at(i_)) fail(i_, "expected a digit in the exponent");
      while (digit_at(i_)) ++i_;
    }
    // strtod needs a terminator; the engine never changes the C locale, so '.' is the decimal point.
    const std::string token(s_.substr(start, i_ - start));
    const double v = std::strtod(token.c_str(), nullptr);
    if (std::isinf(v)) {
      std::string shown = token.size() > 40 ? token.substr(0, 37) + "..." : token;
      fail(start, "number " + shown + " is out of the range of a double");
    }
    return v;
  }

  uint32_t hex4() {
    uint32_t v = 0;
    for (size_t k = 0; k < 4; ++k) {
      if (i_ + k >= s_.size()) fail(i_ + k, "unexpected end of input in a \\u escape");
      const char c = s_[i_ + k];
      uint32_t d;
      if (c >= '0' && c <= '9') d = c - '0';
      else if (c >= 'a' && c <= 'f') d = c - 'a' + 10;
      else if (c >= 'A' && c <= 'F') d = c - 'A' + 10;
      else fail(i_ + k, "expected 4 hex digits after \\u but found " + describe_byte(c));
      v = v * 16 + d;
    }
    i_ += 4;
    return v;
  }

  std::string string() {
    const size_t start = i_;
    ++i_;   // opening quote
    std::string out;
    for (;;) {
      if (i_ >= s_.size()) fail(start, "unterminated string starting");
      const auto c = static_cast<unsigned char>(s_[i_]);
      if (c == '"') {
        ++i_;
        return out;
      }
      if (c == '\\') {
        escape(out);
      } else if (c < 0x20) {
        fail(i_, "raw control character " + describe_byte(s_[i_]) + " in a string (it must be escaped)");
      } else {
        const size_t len = utf8_sequence_length(s_, i_);
        if (len == 0) fail(i_, "invalid UTF-8 " + describe_byte(s_[i_]) + " in a string");
        out.append(s_.data() + i_, len);
        i_ += len;
      }
    }
  }

  void escape(std::string& out) {
    const size_t at = i_;
    ++i_;   // backslash
    if (i_ >= s_.size()) fail(at, "unexpected end of input in an escape");
    const char e = s_[i_++];
    switch (e) {
      case '"': out.push_back('"'); return;
      case '\\': out.push_back('\\'); return;
      case '/': out.push_back('/'); return;
      case 'b': out.push_back('\b'); return;
      case 'f': out.push_back('\f'); return;
      case 'n': out.push_back('\n'); return;
      case 'r': out.push_back('\r'); return;
      case 't': out.push_back('\t'); return;
      case 'u': break;
      default: fail(at, "invalid escape: backslash followed by " + describe_byte(e));
    }
    uint32_t cp = hex4();
    if (cp >= 0xDC00 && cp <= 0xDFFF) fail(at, "lone low surrogate in a \\u escape");
    if (cp >= 0xD800 && cp <= 0xDBFF) {
      // A high surrogate must be followed at once by an escaped low surrogate; together they are one
      // code point above U+FFFF (JSON's way of writing e.g. emoji in \u form).
      if (s_.size() - i_ < 2 || s_[i_] != '\\' || s_[i_ + 1] != 'u') {
        fail(at, "lone high surrogate in a \\u escape (expected a \\uDC00-\\uDFFF escape after it)");
      }
      i_ += 2;
      const uint32_t low = hex4();
      if (low < 0xDC00 || low > 0xDFFF) fail(at, "high surrogate in a \\u escape not followed by a low surrogate");
      cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
    }
    append_utf8(out, static_cast<char32_t>(cp));   // cp is a valid scalar value here (surrogates are paired)
  }

  std::string_view s_;
  int max_depth_;
  size_t i_ = 0;
};

void dump_string(const std::string& s, std::string& out) {
  out.push_back('"');
  for (size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    switch (c) {
      case '"': out += "\\\""; ++i; continue;
      case '\\': out += "\\\\"; ++i; continue;
      case '\b': out += "\\b"; ++i; continue;
      case '\f': out += "\\f"; ++i; continue;
      case '\n': out += "\\n"; ++i; continue;
      case '\r': out += "\\r"; ++i; continue;
      case '\t': out += "\\t"; ++i; continue;
      default: break;
    }
    if (c < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
      ++i;
      continue;
    }
    // Invalid UTF-8 cannot appear in JSON text; write U+FFFD so the output always parses.
    const size_t len = utf8_sequence_length(s, i);
    if (len == 0) {
      out += "\xEF\xBF\xBD";
      ++i;
    } else {
      out.append(s, i, len);
      i += len;
    }
  }
  out.push_back('"');
}

void dump_number(double v, std::string& out) {
  if (!std::isfinite(v)) {
    out += "null";
    return;
  }
  // The shortest of 15/16/17 significant digits that reads back as the same double: integers and
  // short decimals stay short ("0.1", not "0.10000000000000001"), every double round-trips.
  char buf[32];
  for (int precision = 15; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof buf, "%.*g", precision, v);
    if (std::strtod(buf, nullptr) == v) break;
  }
  out += buf;
}

void dump_to(const Json& j, std::string& out) {
  switch (j.type()) {
    case Json::Type::null: out += "null"; return;
    case Json::Type::boolean: out += j.as_bool() ? "true" : "false"; return;
    case Json::Type::number: dump_number(j.as_number(), out); return;
    case Json::Type::string: dump_string(j.as_string(), out); return;
    case Json::Type::array: {
      out.push_back('[');
      bool first = true;
      for (const Json& item : j.as_array()) {
        if (!first) out.push_back(',');
        first = false;
        dump_to(item, out);
      }
      out.push_back(']');
      return;
    }
    case Json::Type::object: {
      out.push_back('{');
      bool first = true;
      for (const auto& [key, value] : j.as_object()) {
        if (!first) out.push_back(',');
        first = false;
        dump_string(key, out);
        out.push_back(':');
        dump_to(value, out);
      }
      out.push_back('}');
      return;
    }
  }
}

}  // namespace

const char* Json::type_name() const {
  static const char* const names[] = {"null", "boolean", "number", "string", "array", "object"};
  return names[v_.index()];
}

namespace {
[[noreturn]] void wrong_type(const char* wanted, const Json& got) {
  throw FormatError(std::string("JSON: expected ") + wanted + ", found " + got.type_name());
}
}  // namespace

bool Json::as_bool() const {
  if (!is_bool()) wrong_type("a boolean", *this);
  return std::get<bool>(v_);
}
double Json::as_number() const {
  if (!is_number()) wrong_type("a number", *this);
  return std::get<double>(v_);
}
const std::string& Json::as_string() const {
  if (!is_string()) wrong_type("a string", *this);
  return std::get<std::string>(v_);
}
const Json::Array& Json::as_array() const {
  if (!is_array()) wrong_type("an array", *this);
  return std::get<Array>(v_);
}
const Json::Object& Json::as_object() const {
  if (!is_object()) wrong_type("an object", *this);
  return std::get<Object>(v_);
}
Json::Array& Json::as_array() {
  if (!is_array()) wrong_type("an array", *this);
  return std::get<Array>(v_);
}
Json::Object& Json::as_object() {
  if (!is_object()) wrong_type("an object", *this);
  return std::get<Object>(v_);
}

const Json* Json::find(std::string_view key) const {
  if (!is_object()) return nullptr;
  for (const auto& member : std::get<Object>(v_)) {
    if (member.first == key) return &member.second;
  }
  return nullptr;
}

void Json::set(std::string key, Json value) {
  if (is_null()) v_ = Object{};
  Object& members = as_object();
  for (auto& member : members) {
    if (member.first == key) {
      member.second = std::move(value);
      return;
    }
  }
  members.emplace_back(std::move(key), std::move(value));
}

void Json::push_back(Json value) {
  if (is_null()) v_ = Array{};
  as_array().push_back(std::move(value));
}

std::string Json::dump() const {
  std::string out;
  dump_to(*this, out);
  return out;
}

Json parse_json(std::string_view text, int max_depth) { return Parser(text, max_depth).document(); }

}  // namespace rnnlab
