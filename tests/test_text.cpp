// The text module: UTF-8 decoding (maximal-subpart replacement), the vocabulary, the split and the
// BPTT stream batcher.
#include <catch2/catch.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "rnnlab/dataset.hpp"
#include "rnnlab/errors.hpp"
#include "rnnlab/rng.hpp"
#include "rnnlab/utf8.hpp"
#include "rnnlab/vocab.hpp"

using namespace rnnlab;

namespace {

// Builds a byte string from explicit values, so invalid sequences are written as what they are.
std::string bytes(std::initializer_list<int> values) {
  std::string s;
  for (int v : values) s.push_back(static_cast<char>(v));
  return s;
}

constexpr char32_t R = U'\uFFFD';

void check_decode(const std::string& in, const std::u32string& expected, size_t replaced) {
  const Utf8Decoded d = decode_utf8(in);
  CHECK(d.text == expected);
  CHECK(d.replaced == replaced);
}

}  // namespace

// ---------------------------------------------------------------------------------------------- UTF-8

TEST_CASE("decode_utf8: valid ASCII, 2-, 3- and 4-byte sequences", "[text]") {
  check_decode("", U"", 0);
  check_decode("Hello, world!\n", U"Hello, world!\n", 0);
  check_decode(bytes({0xC3, 0xA9}), U"\u00E9", 0);                  // é, 2 bytes
  check_decode(bytes({0xC2, 0x80, 0xDF, 0xBF}), U"\u0080\u07FF", 0); // 2-byte range ends
  check_decode(bytes({0xE2, 0x82, 0xAC}), U"\u20AC", 0);            // €, 3 bytes
  check_decode(bytes({0xE0, 0xA0, 0x80, 0xEF, 0xBF, 0xBF}), U"\u0800\uFFFF", 0);
  check_decode(bytes({0xED, 0x9F, 0xBF, 0xEE, 0x80, 0x80}), U"\uD7FF\uE000", 0);   // around surrogates
  check_decode(bytes({0xF0, 0x90, 0x80, 0x80, 0xF4, 0x8F, 0xBF, 0xBF}), U"\U00010000\U0010FFFF", 0);
}

TEST_CASE("decode_utf8: an emoji is one character, CJK too", "[text]") {
  const Utf8Decoded emoji = decode_utf8("a\xF0\x9F\x98\x80z");   // U+1F600 grinning face
  REQUIRE(emoji.text.size() == 3);
  CHECK(emoji.text[1] == U'\U0001F600');
  CHECK(emoji.replaced == 0);

  const Utf8Decoded cjk = decode_utf8("\xE6\xBC\xA2\xE5\xAD\x97");   // 漢字
  CHECK(cjk.text == U"\u6F22\u5B57");
  CHECK(cjk.replaced == 0);
}

TEST_CASE("decode_utf8: each ill-formed class, one U+FFFD per maximal subpart", "[text]") {
  SECTION("stray continuation bytes: one each") {
    check_decode(bytes({'a', 0x80, 'b'}), {U'a', R, U'b'}, 1);
    check_decode(bytes({0x80, 0xBF, 0x80}), {R, R, R}, 3);
  }
  SECTION("overlong forms") {
    check_decode(bytes({0xC0, 0x80}), {R, R}, 2);               // C0 can never start anything
    check_decode(bytes({0xC1, 0xBF}), {R, R}, 2);
    check_decode(bytes({0xE0, 0x80, 0x80}), {R, R, R}, 3);      // E0 needs A0..BF next
    check_decode(bytes({0xF0, 0x8F, 0xBF, 0xBF}), {R, R, R, R}, 4);
  }
  SECTION("surrogates") {
    check_decode(bytes({0xED, 0xA0, 0x80}), {R, R, R}, 3);      // would be U+D800
    check_decode(bytes({0xED, 0xBF, 0xBF, 'x'}), {R, R, R, U'x'}, 3);
  }
  SECTION("F5..FF never start a sequence") {
    check_decode(bytes({0xF5, 0x80, 0x80, 0x80}), {R, R, R, R}, 4);
    check_decode(bytes({0xFE, 0xFF, 'a'}), {R, R, U'a'}, 2);
  }
  SECTION("above U+10FFFF") {
    check_decode(bytes({0xF4, 0x90, 0x80, 0x80}), {R, R, R, R}, 4);
  }
  SECTION("truncated at the end: the whole prefix is one maximal subpart") {
    check_decode(bytes({'a', 0xE2, 0x82}), {U'a', R}, 1);
    check_decode(bytes({0xF0, 0x9F, 0x98}), {R}, 1);
    check_decode(bytes({0xC3}), {R}, 1);
  }
  SECTION("truncated in the middle: the breaking byte is read afresh") {
    check_decode(bytes({0xE2, 0x82, 'A'}), {R, U'A'}, 1);
    check_decode(bytes({0xF0, 0x9F, 0x98, 0xC3, 0xA9}), {R, U'\u00E9'}, 1);   // next sequence survives
    check_decode(bytes({0xE2, 0xE2, 0x82, 0xAC}), {R, U'\u20AC'}, 1);
  }
  SECTION("the Unicode standard's own example (Table 3-8)") {
    // 61 F1 80 80 E1 80 C2 62 80 63 80 BF 64 -> a FFFD FFFD FFFD b FFFD c FFFD FFFD d
    check_decode(bytes({0x61, 0xF1, 0x80, 0x80, 0xE1, 0x80, 0xC2, 0x62, 0x80, 0x63, 0x80, 0xBF, 0x64}),
                 {U'a', R, R, R, U'b', R, U'c', R, R, U'd'}, 6);
  }
}

TEST_CASE("decode_utf8: a leading BOM is dropped, a later one kept", "[text]") {
  check_decode("\xEF\xBB\xBFhi", U"hi", 0);
  check_decode("\xEF\xBB\xBF", U"", 0);
  check_decode("h\xEF\xBB\xBFi", U"h\uFEFFi", 0);
}

TEST_CASE("encode_utf8: round trips valid text and replaces invalid code points", "[text]") {
  const std::string samples[] = {
      "plain ASCII\n", "caf\xC3\xA9 \xE2\x82\xAC \xE6\xBC\xA2\xE5\xAD\x97 \xF0\x9F\x98\x80",
      bytes({0xC2, 0x80, 0xDF, 0xBF, 0xE0, 0xA0, 0x80, 0xEF, 0xBF, 0xBF, 0xF4, 0x8F, 0xBF, 0xBF})};
  for (const std::string& s : samples) CHECK(encode_utf8(decode_utf8(s).text) == s);

  // Every valid code point at the length boundaries survives the trip back.
  const std::u32string edges = U"\u0000\u007F\u0080\u07FF\u0800\uD7FF\uE000\uFFFF\U00010000\U0010FFFF";
  CHECK(decode_utf8(encode_utf8(edges)).text == edges);

  std::string out;
  append_utf8(out, 0xD800);
  append_utf8(out, 0x110000);
  CHECK(out == "\xEF\xBF\xBD\xEF\xBF\xBD");
}

// --------------------------------------------------------------------------------------------- Vocab

TEST_CASE("Vocab::build: ids in ascending code point order, all kept when they fit", "[text]") {
  const Vocab v = Vocab::build(U"hello world", 256, 1);
  CHECK(v.symbols() == std::vector<char32_t>{U' ', U'd', U'e', U'h', U'l', U'o', U'r', U'w'});
  CHECK(v.size() == 8);
  CHECK_FALSE(v.has_unknown());
  CHECK(v.unknown_id() == -1);
  CHECK(v.id_of(U' ') == 0);
  CHECK(v.id_of(U'w') == 7);
  CHECK(v.id_of(U'z') == -1);          // absent, no unknown symbol
  CHECK(v.id_of(U'\U0001F600') == -1);
  CHECK(v.symbol(4) == U'l');
  CHECK(v.collapsed_distinct() == 0);
  CHECK(v.collapsed_occurrences() == 0);
  CHECK(v.decode(v.encode(U"hello world")) == U"hello world");
}

TEST_CASE("Vocab::build: max_size counts the unknown symbol", "[text]") {
  // counts: a 5, b 4, c 3, d 2, e 1
  const std::u32string text = U"aaaaabbbbcccdde";
  const Vocab v = Vocab::build(text, 3, 1);
  REQUIRE(v.size() == 3);
  CHECK(v.symbols() == std::vector<char32_t>{U'a', U'b', Vocab::kUnknown});
  CHECK(v.unknown_id() == 2);
  CHECK(v.id_of(U'c') == 2);
  CHECK(v.id_of(U'\U0001F600') == 2);   // astral and absent: unknown too
  CHECK(v.collapsed_distinct() == 3);
  CHECK(v.collapsed_occurrences() == 6);
  CHECK(v.decode(v.encode(text)) == U"aaaaabbbb\uFFFD\uFFFD\uFFFD\uFFFD\uFFFD\uFFFD");

  // Exactly as many distinct characters as max_size: no unknown needed.
  const Vocab full = Vocab::build(text, 5, 1);
  CHECK(full.size() == 5);
  CHECK_FALSE(full.has_unknown());

  // One too many: 4 kept + unknown = 5.
  const Vocab capped = Vocab::build(text + U"f", 5, 1);
  CHECK(capped.size() == 5);
  CHECK(capped.has_unknown());
  CHECK(capped.collapsed_distinct() == 2);   // e and f
}

TEST_CASE("Vocab::build: min_count collapses rare characters", "[text]") {
  const Vocab v = Vocab::build(U"aaaaabbbbcccdde", 256, 3);
  CHECK(v.symbols() == std::vector<char32_t>{U'a', U'b', U'c', Vocab::kUnknown});
  CHECK(v.collapsed_distinct() == 2);
  CHECK(v.collapsed_occurrences() == 3);
  CHECK(v.id_of(U'd') == v.unknown_id());

  // min_count 1 (and anything lower) keeps every character.
  CHECK(Vocab::build(U"aaaaabbbbcccdde", 256, 0).size() == 5);
}

TEST_CASE("Vocab::build: ties go to the smaller code point", "[text]") {
  // x, b, m, a each twice; z once. Room for 2 + unknown: a and b win the tie over m and x.
  const Vocab v = Vocab::build(U"xbmaxbmaz", 3, 1);
  CHECK(v.symbols() == std::vector<char32_t>{U'a', U'b', Vocab::kUnknown});
  // Astral vs BMP with equal counts: the BMP character is smaller.
  const Vocab w = Vocab::build(U"\U0001F600q\U0001F600qk", 2, 1);
  CHECK(w.symbols() == std::vector<char32_t>{U'q', Vocab::kUnknown});
}

TEST_CASE("Vocab::build: U+FFFD in the text is the unknown symbol", "[text]") {
  const Vocab v = Vocab::build(U"ab\uFFFDab", 256, 1);
  CHECK(v.symbols() == std::vector<char32_t>{U'a', U'b', Vocab::kUnknown});
  CHECK(v.unknown_id() == 2);
  CHECK(v.id_of(U'z') == 2);
  CHECK(v.collapsed_distinct() == 0);   // nothing collapsed: the U+FFFD was already there
  // With U+FFFD in the text it takes a slot of max_size.
  const Vocab w = Vocab::build(U"aab\uFFFD", 2, 1);
  CHECK(w.symbols() == std::vector<char32_t>{U'a', Vocab::kUnknown});
  CHECK(w.collapsed_distinct() == 1);
}

TEST_CASE("Vocab::build: astral symbols are looked up past the dense table", "[text]") {
  const Vocab v = Vocab::build(U"a\U0001F600b\U0001F601\u6F22", 256, 1);
  CHECK(v.symbols() == std::vector<char32_t>{U'a', U'b', U'\u6F22', U'\U0001F600', U'\U0001F601'});
  CHECK(v.id_of(U'\U0001F600') == 3);
  CHECK(v.id_of(U'\U0001F601') == 4);
  CHECK(v.id_of(U'\u6F22') == 2);
  CHECK(v.id_of(U'\U0001F602') == -1);
  CHECK(v.id_of(U'\uFFFF') == -1);
}

TEST_CASE("Vocab::build: errors say what is wrong", "[text]") {
  CHECK_THROWS_MATCHES(Vocab::build(U"", 256, 1), ConfigError,
                       Catch::Message("the text is empty: paste or load some text first"));
  CHECK_THROWS_MATCHES(Vocab::build(U"aaaa", 256, 1), ConfigError,
                       Catch::Message("the text has only one distinct character ('a'): a language model "
                                      "needs at least two"));
  CHECK_THROWS_WITH(Vocab::build(U"\n\n", 256, 1), Catch::Contains("(U+000A)"));
  CHECK_THROWS_AS(Vocab::build(U"ab", 1, 1), ConfigError);
  CHECK_THROWS_AS(Vocab::build(U"ab", 0, 1), ConfigError);
  CHECK_THROWS_AS(Vocab::build(U"ab", Vocab::kMaxSymbols + 1, 1), ConfigError);
  // min_count so high that only the unknown symbol would remain.
  CHECK_THROWS_WITH(Vocab::build(U"abc", 256, 5), Catch::Contains("lower min_count"));
  // ... but one kept character plus the unknown symbol is a valid 2-symbol vocabulary.
  CHECK(Vocab::build(U"aab", 256, 2).size() == 2);
}

TEST_CASE("Vocab::from_symbols: accepts a saved list, rejects a corrupted one", "[text]") {
  const Vocab v = Vocab::from_symbols({U'\n', U'a', U'\uFFFD', U'\U0001F600'});
  CHECK(v.size() == 4);
  CHECK(v.unknown_id() == 2);
  CHECK(v.id_of(U'a') == 1);
  CHECK(v.id_of(U'b') == 2);
  CHECK(v.id_of(U'\U0001F600') == 3);
  CHECK(v.collapsed_distinct() == 0);

  CHECK_THROWS_AS(Vocab::from_symbols({}), FormatError);
  CHECK_THROWS_AS(Vocab::from_symbols({U'a'}), FormatError);
  CHECK_THROWS_AS(Vocab::from_symbols({U'b', U'a'}), FormatError);            // descending
  CHECK_THROWS_AS(Vocab::from_symbols({U'a', U'a', U'b'}), FormatError);      // duplicate
  CHECK_THROWS_AS(Vocab::from_symbols({U'a', char32_t(0xD800)}), FormatError);  // surrogate
  CHECK_THROWS_AS(Vocab::from_symbols({U'a', char32_t(0x110000)}), FormatError);
  std::vector<char32_t> too_many(Vocab::kMaxSymbols + 1);
  for (size_t i = 0; i < too_many.size(); ++i)   // ascending valid code points, stepping over surrogates
    too_many[i] = static_cast<char32_t>(i < 0xD800 ? i : i + 0x800);
  CHECK_THROWS_AS(Vocab::from_symbols(too_many), FormatError);
  too_many.pop_back();
  CHECK(Vocab::from_symbols(too_many).size() == Vocab::kMaxSymbols);
}

TEST_CASE("Vocab: encode skips characters with no id, decode maps bad ids to unknown", "[text]") {
  const Vocab v = Vocab::from_symbols({U'a', U'b'});
  size_t skipped = 99;
  CHECK(v.encode(U"abxba\U0001F600", &skipped) == std::vector<int32_t>{0, 1, 1, 0});
  CHECK(skipped == 2);
  CHECK(v.encode(U"ab", &skipped).size() == 2);
  CHECK(skipped == 0);
  CHECK(v.decode({0, 1, 2, -1}) == U"ab\uFFFD\uFFFD");
  CHECK(v.symbol(5) == Vocab::kUnknown);

  const Vocab u = Vocab::from_symbols({U'a', U'\uFFFD'});
  CHECK(u.encode(U"axa", &skipped) == std::vector<int32_t>{0, 1, 0});
  CHECK(skipped == 0);
}

TEST_CASE("Vocab: a binary file yields a vocabulary within max_size", "[text]") {
  Rng rng(7);
  std::string blob(20000, '\0');
  for (char& c : blob) c = static_cast<char>(rng.below(256));
  const Utf8Decoded d = decode_utf8(blob);
  CHECK(d.replaced > 0);
  for (int max_size : {2, 16, 64, 300}) {
    const Vocab v = Vocab::build(d.text, max_size, 1);
    CHECK(v.size() <= max_size);
    CHECK(v.has_unknown());   // the text is full of U+FFFD
    size_t skipped = 1;
    CHECK(v.encode(d.text, &skipped).size() == d.text.size());
    CHECK(skipped == 0);
  }
}

// ------------------------------------------------------------------------------------------- Dataset

TEST_CASE("split_text: the last floor(n * f) tokens are held out", "[text]") {
  std::vector<int32_t> tokens(10);
  for (int i = 0; i < 10; ++i) tokens[i] = i;

  const TextSplit s = split_text(tokens, 0.25);   // floor(2.5) = 2
  CHECK(s.train == std::vector<int32_t>{0, 1, 2, 3, 4, 5, 6, 7});
  CHECK(s.val == std::vector<int32_t>{8, 9});

  const TextSplit none = split_text(tokens, 0.0);
  CHECK(none.train == tokens);
  CHECK(none.val.empty());

  CHECK(split_text(tokens, 0.5).val.size() == 5);
  CHECK(split_text(tokens, 0.09).val.empty());   // floor(0.9) = 0

  // Binary rounding does not cost a token: 0.29 (and its float 0.2899999917) of 100 is 29.
  const std::vector<int32_t> hundred(100, 0);
  CHECK(split_text(hundred, 0.29).val.size() == 29);
  CHECK(split_text(hundred, static_cast<double>(0.29f)).val.size() == 29);
  CHECK(split_text(hundred, 0.1).train.size() == 90);

  CHECK_THROWS_AS(split_text(tokens, 0.6), ConfigError);
  CHECK_THROWS_AS(split_text(tokens, -0.1), ConfigError);
  CHECK_THROWS_AS(split_text(tokens, std::nan("")), ConfigError);
}

TEST_CASE("StreamBatcher: exact chunks on a hand-made sequence", "[text]") {
  // n = 13, B = 2, T = 2: S = (13 - 1) / 2 = 6; stream 0 is tokens 0..6, stream 1 starts at 6.
  std::vector<int32_t> tokens(13);
  for (int i = 0; i < 13; ++i) tokens[i] = 100 + i;
  StreamBatcher sb(tokens.size(), 2, 2);
  CHECK(sb.stream_length() == 6);
  CHECK(sb.batch() == 2);
  CHECK(sb.unroll() == 2);

  std::vector<int32_t> in(4), tg(4);
  // Chunk 1, p = 0: time-major [t0b0, t0b1, t1b0, t1b1].
  CHECK_FALSE(sb.next(tokens.data(), in.data(), tg.data()));
  CHECK(in == std::vector<int32_t>{100, 106, 101, 107});
  CHECK(tg == std::vector<int32_t>{101, 107, 102, 108});
  CHECK(sb.position() == 2);
  CHECK(sb.epoch_progress() == Approx(2.0 / 6.0));

  CHECK_FALSE(sb.next(tokens.data(), in.data(), tg.data()));   // p = 2
  CHECK(in == std::vector<int32_t>{102, 108, 103, 109});
  CHECK(tg == std::vector<int32_t>{103, 109, 104, 110});

  CHECK_FALSE(sb.next(tokens.data(), in.data(), tg.data()));   // p = 4, the last whole chunk
  CHECK(in == std::vector<int32_t>{104, 110, 105, 111});
  CHECK(tg == std::vector<int32_t>{105, 111, 106, 112});   // 112 = the last token
  // p would be 6 and 6 + 2 > 6: the pass is complete and the cursor is back at 0.
  CHECK(sb.position() == 0);
  CHECK(sb.epoch() == 1);
  CHECK(sb.epoch_progress() == Approx(1.0));

  // The chunk that starts the new pass asks for a state reset, and repeats chunk 1.
  CHECK(sb.next(tokens.data(), in.data(), tg.data()));
  CHECK(in == std::vector<int32_t>{100, 106, 101, 107});
  CHECK_FALSE(sb.next(tokens.data(), in.data(), tg.data()));
}

TEST_CASE("StreamBatcher: wrap-around leaves a short tail unused and counts epochs", "[text]") {
  // n = 23, B = 2, T = 3: S = 11, chunks start at 0, 3, 6; positions 9..10 are never a chunk start.
  std::vector<int32_t> tokens(23);
  for (int i = 0; i < 23; ++i) tokens[i] = i;
  StreamBatcher sb(tokens.size(), 2, 3);
  std::vector<int32_t> in(6), tg(6);
  int resets = 0;
  for (int call = 0; call < 3 * 5; ++call) {
    const size_t p = sb.position();
    CHECK(p == static_cast<size_t>((call % 3) * 3));
    const bool reset = sb.next(tokens.data(), in.data(), tg.data());
    CHECK(reset == (call > 0 && call % 3 == 0));
    resets += reset;
    CHECK(in[0] == static_cast<int32_t>(p));        // stream 0, t = 0
    CHECK(in[1] == static_cast<int32_t>(11 + p));   // stream 1, t = 0
    CHECK(tg[5] == static_cast<int32_t>(11 + p + 3));
  }
  CHECK(sb.epoch() == 5);
  CHECK(resets == 4);

  // S == T: every chunk is a whole pass.
  StreamBatcher tight(7, 2, 3);
  CHECK(tight.stream_length() == 3);
  CHECK_FALSE(tight.next(tokens.data(), in.data(), tg.data()));
  CHECK(tight.epoch() == 1);
  CHECK(tight.next(tokens.data(), in.data(), tg.data()));
  CHECK(tight.next(tokens.data(), in.data(), tg.data()));
  CHECK(tight.epoch() == 3);
}

TEST_CASE("StreamBatcher: restore continues exactly and validates the cursor", "[text]") {
  std::vector<int32_t> tokens(23);
  for (int i = 0; i < 23; ++i) tokens[i] = i;
  StreamBatcher a(tokens.size(), 2, 3);
  std::vector<int32_t> in_a(6), tg_a(6), in_b(6), tg_b(6);
  for (int i = 0; i < 4; ++i) a.next(tokens.data(), in_a.data(), tg_a.data());

  StreamBatcher b(tokens.size(), 2, 3);
  b.restore(a.position(), a.epoch());
  CHECK(b.epoch_progress() == a.epoch_progress());
  for (int i = 0; i < 5; ++i) {
    CHECK(a.next(tokens.data(), in_a.data(), tg_a.data()) == b.next(tokens.data(), in_b.data(), tg_b.data()));
    CHECK(in_a == in_b);
    CHECK(tg_a == tg_b);
  }

  b.restore(0, 3);   // a pass boundary: the next chunk resets the state
  CHECK(b.next(tokens.data(), in_b.data(), tg_b.data()));
  b.restore(8, 0);   // S - T = 8 is the last valid chunk start
  CHECK(b.position() == 8);
  CHECK_THROWS_AS(b.restore(9, 0), FormatError);
  CHECK_THROWS_AS(b.restore(1000, 2), FormatError);
  CHECK(b.position() == 8);   // a rejected restore leaves the cursor alone
}

TEST_CASE("StreamBatcher: too little text is a ConfigError that says what to do", "[text]") {
  CHECK_THROWS_MATCHES(StreamBatcher(120, 32, 64), ConfigError,
                       Catch::Message("the training text has 120 characters but batch 32 x unroll 64 needs "
                                      "at least 2049: use a smaller batch or unroll, or more text"));
  CHECK_THROWS_AS(StreamBatcher(2048, 32, 64), ConfigError);
  CHECK_NOTHROW(StreamBatcher(2049, 32, 64));
  CHECK_THROWS_AS(StreamBatcher(100, 0, 4), ConfigError);
  CHECK_THROWS_AS(StreamBatcher(100, 4, 0), ConfigError);
}
