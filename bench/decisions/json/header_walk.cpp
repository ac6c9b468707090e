// One safetensors-like header walked by one JSON library, chosen at compile time, so that the .wasm sizes and the
// parse times of the libraries can be compared with nothing else different (bench/decisions/json/run.sh).
//   -DWALK_WITH=0  no JSON at all (the baseline: what the program costs without a parser)
//   -DWALK_WITH=1  rnnlab's own reader/writer (engine/rnnlab/json.cpp)
//   -DWALK_WITH=2  nlohmann::json 3.11 (Debian's nlohmann-json3-dev), as it comes
//   -DWALK_WITH=3  nlohmann::json with the duplicate-key check the engine needs (a parser callback)
// Usage: header_walk TENSORS REPEATS -> one JSON line: bytes of the header, median ms per parse + walk + dump.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#if WALK_WITH == 1
#include "rnnlab/json.hpp"
#elif WALK_WITH >= 2
#include <nlohmann/json.hpp>
#include <set>
#endif

namespace {

// {"__metadata__":{...}, "layer.N.weight":{"dtype":"F32","shape":[a,b],"data_offsets":[x,y]}, ...}
std::string make_header(int tensors) {
  std::string h = "{\"__metadata__\":{\"format\":\"pt\",\"note\":\"caf\xc3\xa9 \\u00e9\"}";
  unsigned long long offset = 0;
  for (int i = 0; i < tensors; ++i) {
    const int rows = 64 + i % 7, cols = 128 + i % 5;
    const unsigned long long bytes = 4ull * rows * cols;
    h += ",\"layer." + std::to_string(i) + ".weight\":{\"dtype\":\"F32\",\"shape\":[" + std::to_string(rows) + "," +
         std::to_string(cols) + "],\"data_offsets\":[" + std::to_string(offset) + "," +
         std::to_string(offset + bytes) + "]}";
    offset += bytes;
  }
  return h + "}";
}

#if WALK_WITH == 1
// Parses, reads every tensor's fields as safetensors.cpp does, writes the header back; returns a checksum.
double walk(const std::string& text) {
  const rnnlab::Json j = rnnlab::parse_json(text, 64);
  double sum = 0;
  for (const auto& [name, entry] : j.as_object()) {
    if (name == "__metadata__") continue;
    sum += entry.find("dtype")->as_string().size();
    for (const auto& d : entry.find("shape")->as_array()) sum += d.as_number();
    sum += entry.find("data_offsets")->as_array()[1].as_number();
  }
  return sum + static_cast<double>(j.dump().size());
}
#elif WALK_WITH >= 2
using nlohmann::json;
json parse(const std::string& text) {
#if WALK_WITH == 3
  // Rejects a key seen before in the same object: one set of keys per open object.
  std::vector<std::set<std::string>> open;
  json::parser_callback_t no_duplicates = [&open](int, json::parse_event_t event, json& parsed) {
    if (event == json::parse_event_t::object_start) open.emplace_back();
    else if (event == json::parse_event_t::object_end) open.pop_back();
    else if (event == json::parse_event_t::key && !open.back().insert(parsed.get<std::string>()).second)
      throw std::runtime_error("duplicate key " + parsed.dump());
    return true;
  };
  return json::parse(text, no_duplicates);
#else
  return json::parse(text);
#endif
}
double walk(const std::string& text) {
  const json j = parse(text);
  double sum = 0;
  for (const auto& [name, entry] : j.items()) {
    if (name == "__metadata__") continue;
    sum += entry.at("dtype").get_ref<const std::string&>().size();
    for (const auto& d : entry.at("shape")) sum += d.get<double>();
    sum += entry.at("data_offsets").at(1).get<double>();
  }
  return sum + static_cast<double>(j.dump().size());
}
#else
double walk(const std::string& text) { return static_cast<double>(text.size()); }
#endif

}  // namespace

int main(int argc, char** argv) {
  const int tensors = argc > 1 ? std::atoi(argv[1]) : 10000;
  const int repeats = argc > 2 ? std::atoi(argv[2]) : 15;
  const std::string text = make_header(tensors);
  std::vector<double> ms;
  double check = 0;
  for (int r = 0; r < repeats; ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    check += walk(text);
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
  }
  std::sort(ms.begin(), ms.end());
  std::printf("{\"with\":%d,\"bytes\":%zu,\"median_ms\":%.3f,\"best_ms\":%.3f,\"check\":%.0f}\n", WALK_WITH,
              text.size(), ms[ms.size() / 2], ms[0], check);
  return 0;
}
