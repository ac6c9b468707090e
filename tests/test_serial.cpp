// Serialization primitives: byteio, crc32, JSON, safetensors.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <limits>
#include <string>

#include "rnnlab/byteio.hpp"
#include "rnnlab/errors.hpp"
#include "rnnlab/json.hpp"
#include "rnnlab/rng.hpp"
#include "rnnlab/safetensors.hpp"

using namespace rnnlab;
using Catch::Matchers::Contains;

namespace {

// Runs f, which must throw FormatError, and returns the message (so tests can check it says the right thing).
template <typename F>
std::string format_error_of(F&& f) {
  try {
    f();
  } catch (const FormatError& e) {
    return e.what();
  }
  FAIL("expected a FormatError");
  return {};
}

std::string json_error(std::string_view text, int max_depth = 64) {
  return format_error_of([&] { parse_json(text, max_depth); });
}

// A safetensors file from a header text and raw data bytes, for files our writer would never produce.
std::string make_file(const std::string& header, const std::string& data) {
  ByteWriter w;
  w.u64(header.size());
  w.bytes(header.data(), header.size());
  w.bytes(data.data(), data.size());
  return w.take();
}

std::string raw(std::initializer_list<int> bytes) {
  std::string s;
  for (int b : bytes) s.push_back(static_cast<char>(b));
  return s;
}

uint32_t bits_of(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  return u;
}

std::string safetensors_error(const std::string& header, const std::string& data) {
  const std::string file = make_file(header, data);
  return format_error_of([&] { read_safetensors(file); });
}

}  // namespace

// ---------------------------------------------------------------- byteio

TEST_CASE("ByteWriter writes little-endian bytes explicitly", "[serial]") {
  ByteWriter w;
  w.u32(0x01020304u);
  w.f32(1.0f);   // 0x3F800000
  w.i32(-2);     // 0xFFFFFFFE
  w.str("ab");
  CHECK(w.data() == raw({4, 3, 2, 1, 0x00, 0x00, 0x80, 0x3F, 0xFE, 0xFF, 0xFF, 0xFF, 2, 0, 0, 0, 'a', 'b'}));
  const std::string taken = w.take();
  CHECK(taken.size() == 18);
  CHECK(w.data().empty());
}

TEST_CASE("ByteReader reads back everything ByteWriter wrote", "[serial]") {
  const float nan_with_payload = [] {
    const uint32_t u = 0x7FC01234u;
    float f;
    std::memcpy(&f, &u, 4);
    return f;
  }();
  const float floats[3] = {-0.0f, std::numeric_limits<float>::infinity(), 1e-45f};
  const std::string with_nul("a\0b", 3);

  ByteWriter w;
  w.u8(0xFF);
  w.u32(0xDEADBEEFu);
  w.u64(0xFEDCBA9876543210ull);
  w.i32(std::numeric_limits<int32_t>::min());
  w.f32(nan_with_payload);
  w.f64(3.141592653589793);
  w.bytes("xyz", 3);
  w.str(with_nul);
  w.str("");
  w.f32_array(floats, 3);

  ByteReader r(w.data(), "test bytes");
  CHECK(r.u8() == 0xFF);
  CHECK(r.u32() == 0xDEADBEEFu);
  CHECK(r.u64() == 0xFEDCBA9876543210ull);
  CHECK(r.i32() == std::numeric_limits<int32_t>::min());
  CHECK(bits_of(r.f32()) == 0x7FC01234u);   // NaN payload survives
  CHECK(r.f64() == 3.141592653589793);
  CHECK(r.bytes(3) == "xyz");
  CHECK(r.str(10) == with_nul);
  CHECK(r.str(0) == "");
  float back[3];
  r.f32_array(back, 3);
  CHECK(bits_of(back[0]) == bits_of(-0.0f));
  CHECK(back[1] == std::numeric_limits<float>::infinity());
  CHECK(back[2] == 1e-45f);
  CHECK(r.offset() == w.data().size());
  CHECK(r.remaining() == 0);
  r.expect_end();
}

TEST_CASE("ByteReader reports every truncation with the offset and the shortfall", "[serial]") {
  const std::string three("abc", 3);
  SECTION("the documented message") {
    const std::string four("\x01" "abc", 4);
    ByteReader r(four, "model file");
    r.u8();
    CHECK(format_error_of([&] { r.u64(); }) == "model file: truncated at byte 1 (needed 8 more bytes, 3 left)");
    CHECK(r.offset() == 1);   // a failed read consumes nothing
  }
  SECTION("each read kind") {
    CHECK_THAT(format_error_of([&] { ByteReader("", "f").u8(); }), Contains("needed 1 more bytes, 0 left"));
    CHECK_THAT(format_error_of([&] { ByteReader(three, "f").u32(); }), Contains("needed 4 more bytes, 3 left"));
    CHECK_THAT(format_error_of([&] { ByteReader(three, "f").i32(); }), Contains("needed 4 more bytes, 3 left"));
    CHECK_THAT(format_error_of([&] { ByteReader(three, "f").f32(); }), Contains("needed 4 more bytes, 3 left"));
    CHECK_THAT(format_error_of([&] { ByteReader(three, "f").u64(); }), Contains("needed 8 more bytes, 3 left"));
    CHECK_THAT(format_error_of([&] { ByteReader(three, "f").f64(); }), Contains("needed 8 more bytes, 3 left"));
    CHECK_THAT(format_error_of([&] { ByteReader(three, "f").bytes(4); }), Contains("needed 4 more bytes, 3 left"));
    float out[1];
    CHECK_THAT(format_error_of([&] { ByteReader(three, "f").f32_array(out, 1); }), Contains("truncated at byte 0"));
  }
  SECTION("an absurd element count fails cleanly instead of overflowing 4 * n") {
    float out[1];
    const size_t n = std::numeric_limits<size_t>::max() / 2;
    CHECK_THAT(format_error_of([&] { ByteReader(three, "f").f32_array(out, n); }), Contains("truncated"));
  }
  SECTION("strings: stored length over the limit, then over what is left") {
    ByteWriter w;
    w.u32(5);
    w.bytes("abc", 3);
    CHECK_THAT(format_error_of([&] { ByteReader(w.data(), "vocab").str(4); }),
               Contains("vocab: string at byte 0 claims 5 bytes, more than the limit of 4"));
    CHECK_THAT(format_error_of([&] { ByteReader(w.data(), "vocab").str(100); }),
               Contains("truncated at byte 4 (needed 5 more bytes, 3 left)"));
    // A hostile 4 GB length with a generous limit must fail on the bounds check, not try to allocate.
    ByteWriter huge;
    huge.u32(0xFFFFFFFFu);
    CHECK_THAT(format_error_of([&] { ByteReader(huge.data(), "f").str(std::numeric_limits<size_t>::max()); }),
               Contains("truncated"));
  }
  SECTION("leftover bytes") {
    ByteReader r(three, "model file");
    r.u8();
    CHECK_THAT(format_error_of([&] { r.expect_end(); }), Contains("model file: 2 unexpected bytes after the end at byte 1"));
  }
}

TEST_CASE("crc32 matches the IEEE 802.3 check values", "[serial]") {
  CHECK(crc32("123456789") == 0xCBF43926u);
  CHECK(crc32("") == 0x00000000u);
  CHECK(crc32("a") == 0xE8B7BE43u);
  CHECK(crc32("The quick brown fox jumps over the lazy dog") == 0x414FA339u);
  CHECK(crc32(std::string(32, '\0')) == 0x190A55ADu);
  // Chaining: checksumming in pieces gives the checksum of the whole.
  CHECK(crc32("6789", crc32("12345")) == 0xCBF43926u);
}

// ---------------------------------------------------------------- JSON

TEST_CASE("JSON parses every kind of value", "[serial]") {
  const Json j = parse_json(R"( {"n": null, "t": true, "f": false, "x": -12.5e1, "s": "hi", "a": [1, [2], {}], "o": {"k": []}} )");
  REQUIRE(j.is_object());
  CHECK(j.as_object().size() == 7);
  CHECK(j.find("n")->is_null());
  CHECK(j.find("t")->as_bool() == true);
  CHECK(j.find("f")->as_bool() == false);
  CHECK(j.find("x")->as_number() == -125.0);
  CHECK(j.find("s")->as_string() == "hi");
  CHECK(j.find("a")->as_array().size() == 3);
  CHECK(j.find("a")->as_array()[1].as_array()[0].as_number() == 2.0);
  CHECK(j.find("o")->find("k")->as_array().empty());
  CHECK(j.find("missing") == nullptr);
  CHECK(j.find("a")->find("anything") == nullptr);   // not an object
  CHECK(parse_json("0").as_number() == 0.0);
  CHECK(parse_json("-0").as_number() == 0.0);
  CHECK(std::signbit(parse_json("-0").as_number()));
  CHECK(parse_json("1E+2").as_number() == 100.0);
  CHECK(parse_json("1e-400").as_number() == 0.0);   // underflow is not an error (documented)
  CHECK(parse_json("\"\"").as_string().empty());
}

TEST_CASE("JSON dump is compact, keeps key order and round-trips", "[serial]") {
  const std::string text = R"({"b":1,"a":[true,false,null,"x"],"c":{"d":-0.5}})";
  CHECK(parse_json(text).dump() == text);

  CHECK(Json(0.1).dump() == "0.1");
  CHECK(Json(3).dump() == "3");
  CHECK(Json(-0.0).dump() == "-0");
  CHECK(Json(1e300).dump() == "1e+300");
  for (double v : {1.0 / 3.0, 2.0 / 3.0, 5e-324, 1.7976931348623157e308, 123456789012345678.0, -2.5e-7}) {
    CHECK(parse_json(Json(v).dump()).as_number() == v);   // every double survives the trip
  }
  // JSON has no NaN or infinity.
  CHECK(Json(std::nan("")).dump() == "null");
  CHECK(Json(std::numeric_limits<double>::infinity()).dump() == "null");
  CHECK(Json(-std::numeric_limits<double>::infinity()).dump() == "null");

  // Escapes: quotes, backslash, every control character; other text (UTF-8 included) as is.
  CHECK(Json("q\"b\\s/").dump() == R"("q\"b\\s/")");
  CHECK(Json("\n\t\r\b\f").dump() == R"("\n\t\r\b\f")");
  CHECK(Json(std::string("\x01\x1f\0", 3)).dump() == R"("\u0001\u001f\u0000")");
  CHECK(Json("caf\xC3\xA9").dump() == "\"caf\xC3\xA9\"");
  CHECK(Json("bad \xFF byte").dump() == "\"bad \xEF\xBF\xBD byte\"");   // invalid UTF-8 -> U+FFFD
  std::string all_bytes;
  for (int c = 1; c < 128; ++c) all_bytes.push_back(static_cast<char>(c));
  CHECK(parse_json(Json(all_bytes).dump()).as_string() == all_bytes);

  Json built;
  built.set("z", 1);
  built.set("y", Json::Array{Json("s"), Json(nullptr), Json(false)});
  built.set("z", 2);   // replaces, keeps position
  CHECK(built.dump() == R"({"z":2,"y":["s",null,false]})");
  CHECK(parse_json(built.dump()) == built);
}

TEST_CASE("JSON decodes \\u escapes, surrogate pairs included, to UTF-8", "[serial]") {
  CHECK(parse_json(R"("\u0041\u00e9\u20AC")").as_string() == "A\xC3\xA9\xE2\x82\xAC");
  CHECK(parse_json(R"("\ud83d\ude00")").as_string() == "\xF0\x9F\x98\x80");   // U+1F600
  CHECK(parse_json(R"("\uDBFF\uDFFF")").as_string() == "\xF4\x8F\xBF\xBF");   // U+10FFFF
  CHECK(parse_json(R"("\u0000")").as_string() == std::string(1, '\0'));
  CHECK(parse_json(R"("\"\\\/\b\f\n\r\t")").as_string() == "\"\\/\b\f\n\r\t");
  CHECK(parse_json("\"\xF0\x9F\x98\x80\"").as_string() == "\xF0\x9F\x98\x80");   // raw UTF-8 passes

  // Lone surrogates are errors, not U+FFFD (see json.hpp).
  CHECK_THAT(json_error(R"("\ud800")"), Contains("lone high surrogate"));
  CHECK_THAT(json_error(R"("\ud800x")"), Contains("lone high surrogate"));
  CHECK_THAT(json_error(R"("\ud800\u0041")"), Contains("not followed by a low surrogate"));
  CHECK_THAT(json_error(R"("\ude00")"), Contains("lone low surrogate"));
}

TEST_CASE("JSON rejects each kind of malformed input with its byte offset", "[serial]") {
  CHECK(json_error("") == "JSON: unexpected end of input where a value was expected at byte 0");
  CHECK(json_error("[1, x]") == "JSON: unexpected 'x' where a value was expected at byte 4");
  CHECK(json_error(R"(  "abc)") == "JSON: unterminated string starting at byte 2");
  CHECK(json_error("[1] 2") == "JSON: unexpected '2' after the end of the JSON value at byte 4");

  // Structure.
  CHECK_THAT(json_error("[1, 2"), Contains("missing ']'"));
  CHECK_THAT(json_error("[1,]"), Contains("at byte 3"));
  CHECK_THAT(json_error("[1}"), Contains("expected ',' or ']'"));
  CHECK_THAT(json_error(R"({"a" 1})"), Contains("expected ':'"));
  CHECK_THAT(json_error(R"({"a":1,})"), Contains("expected a string key"));
  CHECK_THAT(json_error(R"({"a":1)"), Contains("missing '}'"));
  CHECK_THAT(json_error("{1:2}"), Contains("expected a string key"));
  CHECK_THAT(json_error("{'a':1}"), Contains("expected a string key"));
  CHECK_THAT(json_error(R"({"a":1,"b":2,"a":3})"), Contains("duplicate key \"a\" in an object at byte 13"));
  CHECK_THAT(json_error("{} {}"), Contains("after the end"));
  // Literals.
  CHECK_THAT(json_error("tru"), Contains("invalid literal"));
  CHECK_THAT(json_error("nul"), Contains("invalid literal"));
  CHECK_THAT(json_error("truex"), Contains("after the end"));
  CHECK_THAT(json_error("NaN"), Contains("unexpected 'N'"));
  CHECK_THAT(json_error("Infinity"), Contains("unexpected 'I'"));
  // Numbers.
  CHECK_THAT(json_error("-"), Contains("expected a digit"));
  CHECK_THAT(json_error("+1"), Contains("unexpected '+'"));
  CHECK_THAT(json_error(".5"), Contains("unexpected '.'"));
  CHECK_THAT(json_error("1."), Contains("after the decimal point"));
  CHECK_THAT(json_error("1e"), Contains("in the exponent"));
  CHECK_THAT(json_error("1e+"), Contains("in the exponent"));
  CHECK_THAT(json_error("01"), Contains("after the end"));
  CHECK_THAT(json_error("0x10"), Contains("after the end"));
  CHECK_THAT(json_error("1e400"), Contains("number 1e400 is out of the range of a double at byte 0"));
  CHECK_THAT(json_error("[-1e309]"), Contains("out of the range of a double at byte 1"));
  // Strings.
  CHECK_THAT(json_error(R"("a\x")"), Contains("invalid escape: backslash followed by 'x' at byte 2"));
  CHECK_THAT(json_error(R"("a\)"), Contains("unexpected end of input in an escape"));
  CHECK_THAT(json_error(R"("\u12")"), Contains("expected 4 hex digits"));
  CHECK_THAT(json_error(R"("\u12)"), Contains("unexpected end of input in a \\u escape at byte 5"));
  CHECK_THAT(json_error(R"("\u12G4")"), Contains("expected 4 hex digits"));
  CHECK_THAT(json_error("\"a\nb\""), Contains("raw control character byte 0x0A"));
  CHECK_THAT(json_error("\"\xFF\""), Contains("invalid UTF-8"));
  CHECK_THAT(json_error("\"\xC0\xAF\""), Contains("invalid UTF-8"));           // overlong '/'
  CHECK_THAT(json_error("\"\xED\xA0\x80\""), Contains("invalid UTF-8"));       // encoded surrogate
  CHECK_THAT(json_error("\"\xF4\x90\x80\x80\""), Contains("invalid UTF-8"));   // above U+10FFFF
  CHECK_THAT(json_error("\"\xE2\x82\""), Contains("invalid UTF-8"));           // cut short
}

TEST_CASE("JSON enforces the nesting limit", "[serial]") {
  auto nested = [](int depth) { return std::string(depth, '[') + std::string(depth, ']'); };
  CHECK(parse_json(nested(64)).is_array());
  CHECK_THAT(json_error(nested(65)), Contains("nested deeper than the limit of 64 at byte 64"));
  CHECK_THAT(json_error(R"({"a":{"b":[1]}})", 2), Contains("deeper than the limit of 2"));
  CHECK(parse_json(R"({"a":{"b":1}})", 2).is_object());
  CHECK(parse_json("7", 0).as_number() == 7.0);
  // A hostile depth far beyond the limit stops at the limit instead of exhausting the stack.
  CHECK_THAT(json_error(std::string(1000000, '[')), Contains("deeper than the limit"));
}

TEST_CASE("JSON typed accessors refuse the wrong type", "[serial]") {
  const Json j = parse_json(R"({"s":"x"})");
  CHECK(format_error_of([&] { j.find("s")->as_number(); }) == "JSON: expected a number, found string");
  CHECK_THAT(format_error_of([&] { j.as_array(); }), Contains("expected an array, found object"));
  CHECK_THAT(format_error_of([&] { Json(1).as_string(); }), Contains("expected a string"));
  CHECK_THAT(format_error_of([&] { Json().as_bool(); }), Contains("found null"));
  CHECK_THAT(format_error_of([&] { Json(true).as_object(); }), Contains("found boolean"));
}

// ---------------------------------------------------------------- safetensors

TEST_CASE("safetensors round-trips tensors and metadata", "[serial]") {
  TensorFile file;
  file.metadata = {{"format", "pt"}, {"note", "caf\xC3\xA9 \"quoted\""}};
  file.tensors.push_back({"rnn.weight_ih_l0", {2, 3}, {1, -2, 3.5f, -0.0f, 1e-40f, std::numeric_limits<float>::infinity()}});
  file.tensors.push_back({"scalar", {}, {42.0f}});
  file.tensors.push_back({"empty", {0, 3}, {}});
  file.tensors.push_back({"rnn.bias_hh_l0", {4}, {0.25f, 0.5f, 0.75f, 1.0f}});

  const std::string bytes = write_safetensors(file);
  ByteReader r(bytes, "test");
  const uint64_t header_len = r.u64();
  CHECK(header_len % 8 == 0);   // data starts 8-byte aligned
  const Json header = parse_json(r.bytes(header_len));
  CHECK(header.find("scalar")->find("dtype")->as_string() == "F32");
  CHECK(header.find("scalar")->find("shape")->as_array().empty());
  CHECK(header.find("__metadata__")->find("format")->as_string() == "pt");
  CHECK(r.remaining() == 4 * (6 + 1 + 0 + 4));

  const TensorFile back = read_safetensors(bytes);
  CHECK(back.metadata == file.metadata);
  REQUIRE(back.tensors.size() == 4);
  // Data-offset order, which here is the written order: "empty" spans [28, 28), so it sorts before the
  // bias at [28, 44).
  for (size_t k = 0; k < 4; ++k) {
    CHECK(back.tensors[k].name == file.tensors[k].name);
    CHECK(back.tensors[k].shape == file.tensors[k].shape);
    REQUIRE(back.tensors[k].values.size() == file.tensors[k].values.size());
    for (size_t i = 0; i < file.tensors[k].values.size(); ++i) {
      CHECK(bits_of(back.tensors[k].values[i]) == bits_of(file.tensors[k].values[i]));
    }
  }

  // No tensors, no metadata: still a valid file.
  const TensorFile none = read_safetensors(write_safetensors(TensorFile{}));
  CHECK(none.tensors.empty());
  CHECK(none.metadata.empty());
}

TEST_CASE("safetensors returns tensors in data-offset order, not header order", "[serial]") {
  const std::string header =
      R"({"second":{"dtype":"F32","shape":[1],"data_offsets":[4,8]},"first":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})";
  const TensorFile f = read_safetensors(make_file(header, raw({0, 0, 0x80, 0x3F, 0, 0, 0, 0x40})));
  REQUIRE(f.tensors.size() == 2);
  CHECK(f.tensors[0].name == "first");
  CHECK(f.tensors[0].values == std::vector<float>{1.0f});
  CHECK(f.tensors[1].name == "second");
  CHECK(f.tensors[1].values == std::vector<float>{2.0f});
}

TEST_CASE("safetensors converts F16, BF16 and F64 to float", "[serial]") {
  SECTION("F16") {
    // 1.0, -2.0, 65504 (largest), 2^-24 (smallest subnormal), -0, +inf, 0.3125, NaN
    const std::string data = raw({0x00, 0x3C, 0x00, 0xC0, 0xFF, 0x7B, 0x01, 0x00,
                                  0x00, 0x80, 0x00, 0x7C, 0x00, 0x35, 0x00, 0x7E});
    const TensorFile f = read_safetensors(make_file(R"({"h":{"dtype":"F16","shape":[2,4],"data_offsets":[0,16]}})", data));
    const std::vector<float>& v = f.tensors.at(0).values;
    REQUIRE(v.size() == 8);
    CHECK(v[0] == 1.0f);
    CHECK(v[1] == -2.0f);
    CHECK(v[2] == 65504.0f);
    CHECK(v[3] == std::ldexp(1.0f, -24));
    CHECK(bits_of(v[4]) == bits_of(-0.0f));
    CHECK(v[5] == std::numeric_limits<float>::infinity());
    CHECK(v[6] == 0.3125f);
    CHECK(std::isnan(v[7]));
  }
  SECTION("BF16") {
    // 1.0, -3.0, 3.140625, 2^-133 (a float subnormal)
    const std::string data = raw({0x80, 0x3F, 0x40, 0xC0, 0x49, 0x40, 0x01, 0x00});
    const TensorFile f = read_safetensors(make_file(R"({"b":{"dtype":"BF16","shape":[4],"data_offsets":[0,8]}})", data));
    CHECK(f.tensors.at(0).values == std::vector<float>{1.0f, -3.0f, 3.140625f, std::ldexp(1.0f, -133)});
  }
  SECTION("F64") {
    ByteWriter w;
    for (double d : {1.5, -0.25, 1e300, -1e300, 0.1}) w.f64(d);
    const TensorFile f = read_safetensors(make_file(R"({"d":{"dtype":"F64","shape":[5],"data_offsets":[0,40]}})", w.data()));
    const float inf = std::numeric_limits<float>::infinity();
    CHECK(f.tensors.at(0).values == std::vector<float>{1.5f, -0.25f, inf, -inf, 0.1f});
  }
}

TEST_CASE("safetensors rejects malformed files with a message that says what is wrong", "[serial]") {
  const std::string ok_entry = R"({"dtype":"F32","shape":[2],"data_offsets":[0,8]})";
  const std::string eight(8, '\0');

  SECTION("too short or truncated anywhere") {
    CHECK_THAT(format_error_of([] { read_safetensors(""); }), Contains("the file is 0 bytes, too short"));
    CHECK_THAT(format_error_of([] { read_safetensors("1234567"); }), Contains("the file is 7 bytes"));
    // Every strict prefix of a valid file is invalid, and is caught as such.
    TensorFile file;
    file.tensors.push_back({"w", {3}, {1, 2, 3}});
    const std::string bytes = write_safetensors(file);
    for (size_t n = 0; n < bytes.size(); ++n) {
      CHECK_THROWS_AS(read_safetensors(std::string_view(bytes).substr(0, n)), FormatError);
    }
    CHECK_THAT(format_error_of([&] { read_safetensors(std::string_view(bytes).substr(0, bytes.size() - 1)); }),
               Contains("reach past the end of the data section (11 bytes): the file is truncated"));
  }
  SECTION("header length") {
    ByteWriter w;
    w.u64(9000000000000000000ull);
    w.bytes("{}", 2);
    CHECK(format_error_of([&] { read_safetensors(w.data()); }) ==
          "safetensors: header length 9000000000000000000 is larger than the file (10 bytes): "
          "the file is truncated or not a safetensors file");
    // Over the 100 MB cap even though the file is that long.
    std::string big = make_file(std::string(100000001, ' '), "");
    CHECK_THAT(format_error_of([&] { read_safetensors(big); }), Contains("over the 100 MB limit"));
  }
  SECTION("header is not a JSON object") {
    CHECK_THAT(safetensors_error("not json", ""), Contains("is not valid JSON: JSON: invalid literal (expected 'null') at byte 0"));
    CHECK_THAT(safetensors_error("{\"w\":", ""), Contains("not valid JSON"));
    CHECK_THAT(safetensors_error("[]      ", ""), Contains("the header is an array, expected a JSON object of tensors"));
    CHECK_THAT(safetensors_error(R"({"w":[[[[[[[[1]]]]]]]]})", ""), Contains("deeper than the limit"));
  }
  SECTION("entries of the wrong shape") {
    CHECK_THAT(safetensors_error(R"({"w":5})", ""), Contains("tensor \"w\" is described by a number"));
    CHECK_THAT(safetensors_error(R"({"w":{"shape":[2],"data_offsets":[0,8]}})", eight), Contains("tensor \"w\" has no \"dtype\""));
    CHECK_THAT(safetensors_error(R"({"w":{"dtype":"F32","data_offsets":[0,8]}})", eight), Contains("no \"shape\""));
    CHECK_THAT(safetensors_error(R"({"w":{"dtype":"F32","shape":[2]}})", eight), Contains("no \"data_offsets\""));
    CHECK_THAT(safetensors_error(R"({"w":{"dtype":32,"shape":[2],"data_offsets":[0,8]}})", eight), Contains("dtype is a number"));
    CHECK_THAT(safetensors_error(R"({"w":{"dtype":"F32","shape":2,"data_offsets":[0,8]}})", eight), Contains("shape is a number"));
    CHECK_THAT(safetensors_error(R"({"w":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}})", eight),
               Contains("shape entry 0 is -2, expected a non-negative integer"));
    CHECK_THAT(safetensors_error(R"({"w":{"dtype":"F32","shape":[1.5],"data_offsets":[0,8]}})", eight), Contains("shape entry 0 is 1.5"));
    CHECK_THAT(safetensors_error(R"({"w":{"dtype":"F32","shape":["2"],"data_offsets":[0,8]}})", eight), Contains("shape entry 0 is a string"));
    CHECK_THAT(safetensors_error(R"({"w":{"dtype":"F32","shape":[2],"data_offsets":[0]}})", eight), Contains("expected [begin, end]"));
    CHECK_THAT(safetensors_error(R"({"w":{"dtype":"F32","shape":[2],"data_offsets":[8,0]}})", eight), Contains("end before they begin"));
    CHECK_THAT(safetensors_error(R"({"w":{"dtype":"F32","shape":[2],"data_offsets":[0,1e300]}})", eight), Contains("data_offsets end is 1e+300"));
    CHECK_THAT(safetensors_error(R"({"":)" + ok_entry + "}", eight), Contains("a tensor has an empty name"));
  }
  SECTION("unknown dtype") {
    CHECK(safetensors_error(R"({"step":{"dtype":"I64","shape":[1],"data_offsets":[0,8]}})", eight) ==
          "safetensors: tensor \"step\" has dtype \"I64\", which rnnlab cannot read (supported: F32, F64, F16, BF16); "
          "convert it to float first");
    CHECK_THAT(safetensors_error(R"({"mask":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}})", "x"), Contains("\"mask\" has dtype \"U8\""));
  }
  SECTION("byte count does not match the shape") {
    CHECK(safetensors_error(R"({"w":{"dtype":"F32","shape":[2,3],"data_offsets":[0,20]}})", std::string(24, '\0')) ==
          "safetensors: tensor \"w\": shape [2,3] of F32 needs 24 bytes but data_offsets [0, 20] hold 20");
    CHECK_THAT(safetensors_error(R"({"w":{"dtype":"F16","shape":[2],"data_offsets":[0,8]}})", eight), Contains("needs 4 bytes"));
    // Element counts whose product overflows 64 bits must not wrap around to a small number.
    CHECK_THAT(safetensors_error(R"({"w":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,0]}})", ""),
               Contains("too many elements"));
    CHECK_THAT(safetensors_error(R"({"w":{"dtype":"F64","shape":[2305843009213693952],"data_offsets":[0,0]}})", ""),
               Contains("no larger than 2^53"));
    CHECK_THAT(safetensors_error(R"({"w":{"dtype":"F64","shape":[9007199254740992, 4096],"data_offsets":[0,0]}})", ""),
               Contains("too many elements"));
    // ... while a zero dim makes any shape empty.
    const TensorFile f = read_safetensors(make_file(
        R"({"w":{"dtype":"F32","shape":[4294967296,4294967296,0],"data_offsets":[0,0]}})", ""));
    CHECK(f.tensors.at(0).values.empty());
  }
  SECTION("overlapping tensors") {
    const std::string header =
        R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})";
    CHECK(safetensors_error(header, std::string(12, '\0')) ==
          "safetensors: tensors \"a\" (bytes 0..8) and \"b\" (bytes 4..12) overlap: the header is corrupted");
    const std::string same =
        R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})";
    CHECK_THAT(safetensors_error(same, eight), Contains("overlap"));
  }
  SECTION("duplicate names") {
    CHECK_THAT(safetensors_error(R"({"w":)" + ok_entry + R"(,"w":)" + ok_entry + "}", eight), Contains("duplicate key \"w\""));
  }
  SECTION("metadata") {
    CHECK_THAT(safetensors_error(R"({"__metadata__":{"epoch":3}})", ""),
               Contains("__metadata__ entry \"epoch\" is a number; metadata values must be strings"));
    CHECK_THAT(safetensors_error(R"({"__metadata__":["a"]})", ""), Contains("__metadata__ is an array, expected an object of strings"));
  }
}

TEST_CASE("write_safetensors refuses tensors it cannot describe", "[serial]") {
  auto write_error = [](Tensor t) {
    TensorFile f;
    f.tensors.push_back(std::move(t));
    return format_error_of([&] { write_safetensors(f); });
  };
  CHECK_THAT(write_error({"w", {2, 3}, {1, 2, 3}}), Contains("has shape [2,3] (6 values) but holds 3 values"));
  CHECK_THAT(write_error({"w", {-1}, {}}), Contains("dims must be between 0 and 2^53"));
  CHECK_THAT(write_error({"", {1}, {1}}), Contains("empty name"));
  CHECK_THAT(write_error({"__metadata__", {1}, {1}}), Contains("reserved"));
  // [2^32, 2^32] would wrap to 0 elements in 64-bit arithmetic and "match" an empty tensor.
  CHECK_THAT(write_error({"w", {int64_t{1} << 32, int64_t{1} << 32}, {}}), Contains("too many elements"));
  TensorFile twice;
  twice.tensors.push_back({"w", {1}, {1}});
  twice.tensors.push_back({"w", {1}, {2}});
  CHECK_THAT(format_error_of([&] { write_safetensors(twice); }), Contains("two tensors named \"w\""));
}

TEST_CASE("safetensors survives random corruption: a result or a FormatError, nothing else", "[serial]") {
  TensorFile file;
  file.metadata = {{"k", "v"}};
  file.tensors.push_back({"a", {2, 2}, {1, 2, 3, 4}});
  file.tensors.push_back({"b", {}, {5}});
  file.tensors.push_back({"c", {0}, {}});
  file.tensors.push_back({"d", {3}, {6, 7, 8}});
  const std::string valid = write_safetensors(file);
  // Bytes that turn one valid header into another header (or near miss) more often than random bytes do.
  const std::string interesting = "{}[]\",:0123456789-.eE \\u";

  Rng rng(20240611);
  int accepted = 0, rejected = 0;
  for (int iter = 0; iter < 2000; ++iter) {
    std::string bytes = valid;
    const uint64_t edits = 1 + rng.below(4);
    for (uint64_t e = 0; e < edits; ++e) {
      const size_t at = rng.below(bytes.size());
      bytes[at] = rng.below(2) ? interesting[rng.below(interesting.size())] : static_cast<char>(rng.below(256));
    }
    if (rng.below(4) == 0) bytes.resize(rng.below(bytes.size() + 1));
    try {
      const TensorFile f = read_safetensors(bytes);
      for (const Tensor& t : f.tensors) {   // whatever is accepted must be self-consistent
        int64_t count = 1;
        for (int64_t d : t.shape) count *= d;
        REQUIRE(t.values.size() == static_cast<size_t>(count));
      }
      ++accepted;
    } catch (const FormatError&) {
      ++rejected;
    } catch (const std::exception& e) {
      FAIL("iteration " << iter << " threw something other than FormatError: " << e.what());
    }
  }
  CHECK(accepted + rejected == 2000);
  CHECK(rejected > 0);
  CHECK(accepted > 0);   // float bytes can change freely, so some mutations must still read
}
