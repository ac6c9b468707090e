// What rnnlab's JSON reader and nlohmann::json 3.11 accept, input by input: the cases the engine must reject
// (duplicate keys, invalid UTF-8, lone surrogates, overflowing numbers, trailing bytes) and two it must accept.
// Prints one line per case: the case, then "accepts" or "rejects" for rnnlab, nlohmann as it comes, and nlohmann
// with the duplicate-key callback of header_walk.cpp. Built natively by run.sh (the behaviour is the same in wasm).
#include <cstdio>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "rnnlab/json.hpp"

namespace {

using nlohmann::json;

const char* rnnlab_verdict(const std::string& text) {
  try { rnnlab::parse_json(text, 64); return "accepts"; } catch (const std::exception&) { return "rejects"; }
}

const char* nlohmann_verdict(const std::string& text, bool no_duplicates, bool write_back) {
  std::vector<std::set<std::string>> open;
  json::parser_callback_t check = [&open](int, json::parse_event_t event, json& parsed) {
    if (event == json::parse_event_t::object_start) open.emplace_back();
    else if (event == json::parse_event_t::object_end) open.pop_back();
    else if (event == json::parse_event_t::key && !open.back().insert(parsed.get<std::string>()).second)
      throw std::runtime_error("duplicate key");
    return true;
  };
  try {
    // dump() as well: nlohmann checks UTF-8 again when it writes. Not for very deep input: nlohmann's writer
    // recurses once per level and overflows the stack there (the parser itself is iterative).
    const json j = no_duplicates ? json::parse(text, check) : json::parse(text);
    if (write_back) (void)j.dump();
    return "accepts";
  } catch (const std::exception&) {
    return "rejects";
  }
}

}  // namespace

int main() {
  std::setvbuf(stdout, nullptr, _IONBF, 0);
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  const std::vector<std::pair<const char*, std::string>> cases = {
      {"duplicate key {\"a\":1,\"a\":2}", "{\"a\":1,\"a\":2}"},
      {"duplicate key, nested", "{\"t\":{\"dtype\":\"F32\",\"dtype\":\"F16\"}}"},
      {"invalid UTF-8 byte FF in a string", "[\"a\xff\"]"},
      {"overlong UTF-8 C0 AF", "[\"\xc0\xaf\"]"},
      {"UTF-8-encoded surrogate ED A0 80", "[\"\xed\xa0\x80\"]"},
      {"truncated UTF-8 E2 82", "[\"\xe2\x82\"]"},
      {"lone surrogate escape \\ud800", "[\"\\ud800\"]"},
      {"number overflow 1e400", "[1e400]"},
      {"trailing bytes after the value", "{} x"},
      {"comment", "{/* c */}"},
      {"nesting 100,000 deep", deep},
      {"valid: UTF-8 and a surrogate pair", "[\"caf\xc3\xa9 \\ud83d\\ude00\"]"},
      {"valid: 2^53 as an integer", "[9007199254740992]"},
  };
  std::printf("%-40s %-8s %-9s %s\n", "case", "rnnlab", "nlohmann", "nlohmann+callback");
  for (const auto& [name, text] : cases)
    std::printf("%-40s %-8s %-9s %s\n", name, rnnlab_verdict(text), nlohmann_verdict(text, false, text != deep),
                nlohmann_verdict(text, true, text != deep));
  return 0;
}
