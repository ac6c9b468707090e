// Learning benchmark for the page's preset defaults (web/static/sections/text/presets.js): trains one text with one
// configuration the way the page's worker does (validation over the whole split up to 65,536 characters, else a
// 16,384-character sample spread over it; the best kept; the "stop when validation stops improving" rule of
// web/static/engine/worker/best_watch.js) and prints one JSON line: best validation bits/char, its step, the seconds
// to reach it, the step the rule stops at, parameters and training characters (the page's size warning compares
// them). It ends where the page would pause, or after SECONDS of this process's CPU time. Not a test: the times depend
// on the machine (steps do not: same seed, same steps). Both clocks are reported: on a shared machine the wall clock
// counts other programs' turns, while CPU seconds are what one core of an idle machine would take.
//
//   rnnlab_bench_presets TEXT_FILE SECONDS EVAL_EVERY key=value...   (config keys as in the engine's config text)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <sstream>
#include <string>

#include "rnnlab/config_text.hpp"
#include "rnnlab/session.hpp"

using namespace rnnlab;

namespace {

constexpr size_t kWholeMax = 65536, kSpreadChars = 16384;   // worker_model.js
constexpr int kPatience = 5;                                 // best_watch.js
constexpr double kMinSince = 100, kShare = 0.3;

std::string read_file(const char* path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: rnnlab_bench_presets TEXT_FILE SECONDS EVAL_EVERY key=value...\n");
    return 2;
  }
  const std::string text = read_file(argv[1]);
  const double seconds = std::stod(argv[2]);
  const int every = std::stoi(argv[3]);
  Config config;
  for (int i = 4; i < argc; ++i) {
    const std::string kv = argv[i];
    const size_t eq = kv.find('=');
    if (eq == std::string::npos) {
      std::fprintf(stderr, "expected key=value, got '%s'\n", argv[i]);
      return 2;
    }
    set_config_value(config, kv.substr(0, eq), kv.substr(eq + 1));
  }
  validate(config);
  Session s(text, config);
  const size_t val = s.split().val.size() > 0 ? s.split().val.size() - 1 : 0;
  const size_t eval_chars = val <= kWholeMax ? val : kSpreadChars;

  const auto start = std::chrono::steady_clock::now();
  const std::clock_t cpu_start = std::clock();
  auto elapsed = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(); };
  auto cpu = [&] { return static_cast<double>(std::clock() - cpu_start) / CLOCKS_PER_SEC; };
  double best = 1e9, best_sec = 0, best_cpu = 0;
  long best_step = -1, stop_step = -1;
  int since = 0;
  while (cpu() < seconds) {
    s.train_step();
    if (static_cast<long>(s.step()) % every != 0) continue;
    const double bits = s.evaluate_spread(eval_chars).bits_per_char;
    if (bits < best) {
      best = bits;
      best_step = static_cast<long>(s.step());
      best_sec = elapsed();
      best_cpu = cpu();
      since = 0;
    } else if (++since >= kPatience && stop_step < 0 &&
               static_cast<double>(s.step() - best_step) >= std::max(kMinSince, kShare * best_step)) {
      stop_step = static_cast<long>(s.step());
      break;   // where the page would pause
    }
  }
  std::printf("{\"text\":\"%s\",\"params\":%zu,\"train_chars\":%zu,\"val_chars\":%zu,\"best_bits\":%.4f,"
              "\"best_step\":%ld,\"best_seconds\":%.1f,\"best_cpu_seconds\":%.1f,\"stop_step\":%ld,\"steps\":%llu,"
              "\"seconds\":%.1f,\"cpu_seconds\":%.1f}\n",
              argv[1], s.parameter_count(), s.text_stats().train_chars, val, best, best_step, best_sec, best_cpu, stop_step,
              static_cast<unsigned long long>(s.step()), elapsed(), cpu());
  return 0;
}
