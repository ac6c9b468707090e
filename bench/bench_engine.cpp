// rnnlab_bench: the engine's speed and learning benchmarks on a corpus (not a test; ./build.sh bench runs it).
//
//   rnnlab_bench train  --corpus F --workload W1|W2 [--seconds 20] [--warm 5] [--threads 1]
//                                                    training chars/s (median step time), and where a step's time
//                                                    goes: shards (forward + backward), combine, optimizer
//                                                    (--threads: native only; the wasm build is single-threaded)
//   rnnlab_bench learn  --corpus F --workload W1 [--steps 500] [--seed 1]       validation bits/char after N steps
//   rnnlab_bench sample --corpus F --workload W1|W2 [--n 2000] [--reps 5] [--warm_s 1]   sampling chars/s, batch 1
// Each mode prints one JSON line. Workloads (issue 2), 90% train / 10% validation:
//   W1 = 2-layer LSTM, hidden 256, embedding 64, B 32, T 64, Adam 2e-3, clip 5
//   W2 = 1-layer LSTM, hidden 128, embedding 64, B 16, T 64, Adam 2e-3, clip 5
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "rnnlab/errors.hpp"
#include "rnnlab/session.hpp"
#if !defined(__EMSCRIPTEN__)
#include "rnnlab/thread_pool.hpp"   // tools/rnnlab: the CLI's pool
#endif

using namespace rnnlab;
using Clock = std::chrono::steady_clock;

namespace {

Config workload(const std::string& name, uint64_t seed) {
  Config c;
  c.model.cell = CellType::lstm;
  c.model.embed = 64;
  c.optim.type = OptimizerType::adam;
  c.optim.lr = 2e-3f;
  c.optim.clip = ClipMode::global_norm;
  c.optim.clip_value = 5.0f;
  c.train.unroll = 64;
  c.train.val_fraction = 0.1f;
  c.train.seed = seed;
  if (name == "W1") {
    c.model.layers = 2;
    c.model.hidden = 256;
    c.train.batch = 32;
  } else if (name == "W2") {
    c.model.layers = 1;
    c.model.hidden = 128;
    c.train.batch = 16;
  } else {
    throw ConfigError("unknown workload " + name + " (W1 or W2)");
  }
  return c;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

// The wasm heap only grows, so its size at the end is the peak. 0 natively (the native peak is the process RSS).
double wasm_heap_mb() {
#if defined(__wasm__)
  return static_cast<double>(__builtin_wasm_memory_size(0)) * 65536.0 / (1 << 20);
#else
  return 0;
#endif
}

// One step as Session::train_step() takes it, with its phases timed: the shards' forward + backward (on the pool's
// threads, one contiguous range of shards each), the fixed-order combine, and clipping + the optimizer step (one
// thread). The scaling model reads these: with n workers a step takes about shards / n + combine + apply (plus
// moving gradients, in the page).
struct StepTimes {
  double shards = 0, combine = 0, apply = 0;
};

StepTimes timed_step(Session& s, ShardRunner* runner, std::vector<ForwardCache<float>>& caches,
                     std::vector<StreamsGradient>& grads) {
  StepTimes t;
  auto t0 = Clock::now();
  const ShardPlan& plan = s.begin_step();
  grads.resize(static_cast<size_t>(plan.count));
  // As train_step: one contiguous range of shards per lane, each run as one batch.
  const int lanes = runner ? std::clamp(runner->lanes(), 1, plan.count) : 1;
  auto body = [&](int r, int lane) {
    const int first = r * plan.count / lanes, end = (r + 1) * plan.count / lanes;
    s.compute_shards(first, end - first, grads.data() + first, caches[static_cast<size_t>(lane)]);
  };
  if (runner && lanes > 1) runner->run(lanes, body);
  else body(0, 0);
  t.shards = seconds_since(t0);
  t0 = Clock::now();
  std::vector<StreamsGradient> pieces;
  pieces.swap(grads);
  combine_shards(plan, pieces, &grads);
  t.combine = seconds_since(t0);
  t0 = Clock::now();
  s.apply_step(pieces[0]);
  t.apply = seconds_since(t0);
  grads.push_back(std::move(pieces[0]));
  return t;
}

void train_throughput(Session& s, std::map<std::string, std::string>& opt, double chars_per_step) {
  const int threads = std::max(1, std::stoi(opt["threads"]));
  ShardRunner* runner = nullptr;
#if !defined(__EMSCRIPTEN__)
  std::unique_ptr<cli::ThreadPool> pool;
  if (threads > 1) {
    pool = std::make_unique<cli::ThreadPool>(threads);
    runner = pool.get();
  }
#else
  if (threads > 1) throw ConfigError("--threads: the wasm build is single-threaded");
#endif
  std::vector<ForwardCache<float>> caches(static_cast<size_t>(threads));
  std::vector<StreamsGradient> grads;
  const int warm = std::stoi(opt["warm"]);
  const double budget = std::stod(opt["seconds"]);
  for (int i = 0; i < warm; ++i) timed_step(s, runner, caches, grads);
  std::vector<double> times, shards, combine, apply;
  double total = 0;
  while (times.size() < 10 || total < budget) {
    const StepTimes t = timed_step(s, runner, caches, grads);
    times.push_back(t.shards + t.combine + t.apply);
    shards.push_back(t.shards);
    combine.push_back(t.combine);
    apply.push_back(t.apply);
    total += times.back();
  }
  const double med = median(times);
  // best_chars_per_s: the fastest step. On a machine shared with other work the median moves with their load
  // (the process is preempted mid-step); the fastest step does so much less, so A/B comparisons read it too.
  const double best = *std::min_element(times.begin(), times.end());
  std::printf("{\"event\":\"throughput\",\"workload\":\"%s\",\"threads\":%d,\"shards\":%d,\"steps_timed\":%zu,"
              "\"median_step_s\":%.6f,\"chars_per_s\":%.1f,\"best_chars_per_s\":%.1f,\"median_shards_s\":%.6f,"
              "\"median_combine_s\":%.6f,\"median_apply_s\":%.6f,\"params\":%zu,\"wasm_heap_mb\":%.1f}\n",
              opt["workload"].c_str(), threads, s.shard_plan().count, times.size(), med, chars_per_step / med,
              chars_per_step / best, median(shards), median(combine), median(apply), s.parameter_count(),
              wasm_heap_mb());
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: rnnlab_bench train|learn|sample --corpus FILE --workload W1|W2 [options]\n");
    return 2;
  }
  const std::string mode = argv[1];
  std::map<std::string, std::string> opt = {{"workload", "W1"}, {"seconds", "20"}, {"warm", "5"},
                                            {"steps", "500"},   {"seed", "1"},     {"n", "2000"},
                                            {"reps", "5"},      {"warm_s", "1"},   {"threads", "1"}};
  for (int i = 2; i + 1 < argc; i += 2) opt[std::string(argv[i]).substr(2)] = argv[i + 1];
  try {
    std::ifstream in(opt["corpus"], std::ios::binary);
    if (!in) throw ConfigError("cannot read corpus '" + opt["corpus"] + "'");
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const Config config = workload(opt["workload"], std::stoull(opt["seed"]));
    Session s(text, config);
    const double chars_per_step = static_cast<double>(config.train.batch) * config.train.unroll;

    if (mode == "train") {
      train_throughput(s, opt, chars_per_step);
    } else if (mode == "learn") {
      const int steps = std::stoi(opt["steps"]);
      const auto t0 = Clock::now();
      double last = 0;
      for (int i = 0; i < steps; ++i) last = s.train_step().loss;
      const double train_s = seconds_since(t0);
      const EvalReport e = s.evaluate();
      std::printf("{\"event\":\"val\",\"workload\":\"%s\",\"step\":%d,\"train_time_s\":%.2f,\"val_loss\":%.4f,"
                  "\"val_bpc\":%.4f,\"train_loss\":%.4f,\"val_chars\":%zu}\n",
                  opt["workload"].c_str(), steps, train_s, e.nats_per_char, e.bits_per_char, last, e.chars);
    } else if (mode == "sample") {
      // One 2000-character sample lasts ~15-30 ms. In wasm that is shorter than V8's background optimising
      // compiles of the sampling code (tens of ms each on a busy 2-core machine, and the queue holds several; wasm
      // has no on-stack replacement), so a single timed call mostly measured how far the JIT had got. Reported:
      //   first_chars_per_s  the first timed call right after a 200-character warm-up (the old single figure);
      //   chars_per_s        steady state: the median of `reps` timed calls after sampling for `warm_s` seconds
      //                      more (as training is timed: a median after warm-up); best_chars_per_s their best.
      SampleOptions so;
      so.length = 200;
      s.sample(so);   // warm-up
      so.length = std::stoi(opt["n"]);
      auto timed = [&](uint64_t seed) {
        so.seed = seed;
        const auto t0 = Clock::now();
        s.sample(so);
        return so.length / seconds_since(t0);
      };
      const double first = timed(1);
      const double warm_s = std::stod(opt["warm_s"]);
      for (const auto w0 = Clock::now(); seconds_since(w0) < warm_s;) timed(2);
      const int reps = std::max(1, std::stoi(opt["reps"]));
      std::vector<double> rates;
      for (int i = 0; i < reps; ++i) rates.push_back(timed(static_cast<uint64_t>(i + 3)));
      std::printf("{\"event\":\"sample\",\"workload\":\"%s\",\"chars\":%d,\"reps\":%d,\"chars_per_s\":%.1f,"
                  "\"first_chars_per_s\":%.1f,\"best_chars_per_s\":%.1f}\n",
                  opt["workload"].c_str(), so.length, reps, median(rates), first,
                  *std::max_element(rates.begin(), rates.end()));
    } else {
      throw ConfigError("unknown mode " + mode);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "rnnlab_bench: %s\n", e.what());
    return 1;
  }
  return 0;
}
