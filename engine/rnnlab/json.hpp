// A small JSON value, parser and writer: enough for safetensors headers, the web bindings and configs.
//
// Choices, each so that what we read and write is unambiguous:
//   - numbers are doubles (RFC 8259 leaves the range to the implementation; this is what JavaScript does);
//     a literal that overflows a double is an error, one that underflows becomes 0 or a subnormal;
//   - strings hold UTF-8; the parser rejects invalid UTF-8 in the input, and a \u escape that is a lone
//     surrogate (e.g. "\ud800" not followed by a low surrogate) is an error rather than U+FFFD, because a
//     silently replaced character in a tensor name would be a name nobody wrote;
//   - objects keep insertion order, and the parser rejects duplicate keys (RFC 8259 leaves their meaning
//     open, so two readers could disagree about which one wins);
//   - dump() writes compact JSON; non-finite numbers, which JSON cannot express, are written as null.
#pragma once
#include <cstddef>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

namespace rnnlab {

class Json {
 public:
  enum class Type { null, boolean, number, string, array, object };
  using Array = std::vector<Json>;
  using Object = std::vector<std::pair<std::string, Json>>;   // insertion order, keys unique

  Json() = default;   // null
  Json(std::nullptr_t) {}
  Json(bool b) : v_(b) {}
  // Any arithmetic type but bool becomes a double (one template, so int64_t/size_t never hit an ambiguity).
  template <typename T, std::enable_if_t<std::is_arithmetic_v<T> && !std::is_same_v<T, bool>, int> = 0>
  Json(T n) : v_(static_cast<double>(n)) {}
  Json(const char* s) : v_(std::string(s)) {}   // without this, a string literal would pick Json(bool)
  Json(std::string s) : v_(std::move(s)) {}
  Json(std::string_view s) : v_(std::string(s)) {}
  Json(Array a) : v_(std::move(a)) {}
  Json(Object o) : v_(std::move(o)) {}

  Type type() const { return static_cast<Type>(v_.index()); }
  const char* type_name() const;   // "null", "boolean", "number", ... for error messages
  bool is_null() const { return type() == Type::null; }
  bool is_bool() const { return type() == Type::boolean; }
  bool is_number() const { return type() == Type::number; }
  bool is_string() const { return type() == Type::string; }
  bool is_array() const { return type() == Type::array; }
  bool is_object() const { return type() == Type::object; }

  // Typed access; FormatError ("JSON: expected a number, found a string") on the wrong type.
  bool as_bool() const;
  double as_number() const;
  const std::string& as_string() const;
  const Array& as_array() const;
  const Object& as_object() const;
  Array& as_array();
  Object& as_object();

  // Object lookup: the value for `key`, or nullptr if absent (or if this is not an object).
  const Json* find(std::string_view key) const;
  // Object update: replaces the value of an existing key, otherwise appends (keeps keys unique).
  // Turns a null into an empty object first, so `Json j; j.set("a", 1);` works.
  void set(std::string key, Json value);
  // Array append; turns a null into an empty array first.
  void push_back(Json value);

  std::string dump() const;

  friend bool operator==(const Json& a, const Json& b) { return a.v_ == b.v_; }
  friend bool operator!=(const Json& a, const Json& b) { return !(a == b); }

 private:
  // Alternative order matches Type.
  std::variant<std::nullptr_t, bool, double, std::string, Array, Object> v_;
};

// Parses one JSON value (surrounding whitespace allowed, nothing else after it). Arrays and objects may
// nest at most `max_depth` deep, which bounds recursion on hostile input. Throws FormatError with the
// byte offset, e.g. "JSON: unterminated string starting at byte 12".
Json parse_json(std::string_view text, int max_depth = 64);

}  // namespace rnnlab
