// Data-parallel training (shards.hpp): the losses do not depend on how many threads or workers compute a step's
// shards, in which order, or who adds up which shards.
#include <catch2/catch.hpp>

#include <cstring>
#include <numeric>

#include "rnnlab/byteio.hpp"
#include "rnnlab/errors.hpp"
#include "rnnlab/session.hpp"
#include "rnnlab/shards.hpp"
#if defined(RNNLAB_HAVE_THREAD_POOL)
#include "rnnlab/thread_pool.hpp"
#endif

using namespace rnnlab;

namespace {

std::string corpus() {
  std::string text;
  const char* lines[] = {"the cat sat on the mat.\n", "a dog ran to the log!\n", "\"quoted\" words (in brackets)\n"};
  for (int i = 0; i < 40; ++i) text += lines[i % 3];
  return text;
}

// 14 streams: shards of 4, 4 and 6, so a ragged last shard and a tree that is not a power of two. Unroll 8 over
// this text wraps the epoch every ~11 steps; dropout and a low clipping threshold are on.
Config config_for(CellType cell) {
  Config c;
  c.model.cell = cell;
  c.model.layers = 2;
  c.model.hidden = 24;
  c.model.embed = 8;
  c.model.dropout = 0.25f;
  c.train.batch = 14;
  c.train.unroll = 8;
  c.train.seed = 11;
  c.optim.lr = 1e-2f;
  c.optim.clip = ClipMode::global_norm;
  c.optim.clip_value = 0.1f;
  return c;
}

// Runs the items backwards, round-robin over `lanes` lanes: an order a real pool may take too.
class ScrambledRunner final : public ShardRunner {
 public:
  explicit ScrambledRunner(int lanes) : lanes_(lanes) {}
  int lanes() const override { return lanes_; }
  void run(int n, const std::function<void(int, int)>& body) override {
    for (int i = 0; i < n; ++i) body(n - 1 - i, i % lanes_);   // last shard first
  }

 private:
  int lanes_;
};

struct Run {
  std::vector<double> losses;
  Slab<float> params;
  int clipped = 0, resets = 0;
};

Run train(Session& s, int steps, ShardRunner* runner) {
  Run r;
  for (int i = 0; i < steps; ++i) {
    const StepReport rep = s.train_step(runner);
    r.losses.push_back(rep.loss);
    r.clipped += rep.clipped;
    r.resets += rep.state_reset;
  }
  r.params = s.params();
  return r;
}

bool same_bits(const Run& a, const Run& b) {
  return a.losses.size() == b.losses.size() && a.params.size() == b.params.size() &&
         std::memcmp(a.losses.data(), b.losses.data(), a.losses.size() * sizeof(double)) == 0 &&
         std::memcmp(a.params.data(), b.params.data(), a.params.size() * sizeof(float)) == 0;
}

// The runners a test compares: threads natively, scrambled orders everywhere.
std::vector<std::unique_ptr<ShardRunner>> runners() {
  std::vector<std::unique_ptr<ShardRunner>> out;
#if defined(RNNLAB_HAVE_THREAD_POOL)
  out.push_back(std::make_unique<cli::ThreadPool>(2));
  out.push_back(std::make_unique<cli::ThreadPool>(3));
#endif
  out.push_back(std::make_unique<ScrambledRunner>(2));
  out.push_back(std::make_unique<ScrambledRunner>(3));
  return out;
}

}  // namespace

TEST_CASE("the shard plan depends on the batch alone and covers every stream once", "[shards]") {
  CHECK(ShardPlan(32, 1000).count == 32 / kStreamsPerShard);
  CHECK(ShardPlan(1, 1000).count == 1);
  CHECK(ShardPlan(3, 1000).count == 1);
  CHECK(ShardPlan(7, 1000).count == 1);
  CHECK(ShardPlan(14, 1000).streams(2) == 6);
  CHECK(ShardPlan(64, 1000).count == kMaxShards);
  CHECK(ShardPlan(1000, 1000).count <= kMaxShards);
  // A model too large for kMaxShards gradient slabs gets fewer shards (here 2 slabs fit), never none.
  CHECK(ShardPlan(64, kShardSlabBudgetBytes / 8).count == 2);
  CHECK(ShardPlan(64, size_t{1} << 30).count == 1);
  for (int B : {1, 2, 3, 4, 5, 7, 10, 16, 31, 32, 33, 100, 256}) {
    const ShardPlan p(B, 1000);
    INFO("B = " << B);
    CHECK(p.count >= 1);
    CHECK(p.count <= kMaxShards);
    int next = 0;
    for (int s = 0; s < p.count; ++s) {
      CHECK(p.first(s) == next);
      CHECK(p.streams(s) >= std::min(B, kStreamsPerShard));
      CHECK(p.first(s) % kStreamsPerShard == 0);   // every worker's batch starts on a group of 4 (shards.hpp)
      CHECK(p.shard_of(p.first(s)) == s);
      next += p.streams(s);
    }
    CHECK(next == B);
  }
}

TEST_CASE("losses are bit-identical with 1, 2 or 3 threads for every cell", "[shards]") {
  for (CellType cell : {CellType::rnn_tanh, CellType::lstm, CellType::gru, CellType::lstm_peephole,
                        CellType::lstm_cifg, CellType::lstm_nfg}) {
    INFO(to_string(cell));
    Session alone(corpus(), config_for(cell));
    REQUIRE(alone.shard_plan().count == 3);
    const Run reference = train(alone, 30, nullptr);
    // The test covers what it says: clipping, an epoch wrap and dropout all happened.
    CHECK(reference.clipped > 0);
    CHECK(reference.resets > 0);
    for (auto& runner : runners()) {
      Session s(corpus(), config_for(cell));
      INFO(runner->lanes() << " lanes");
      CHECK(same_bits(train(s, 30, runner.get()), reference));
    }
  }
}

TEST_CASE("losses are bit-identical with any number of threads for batches with every ragged end", "[shards]") {
  for (CellType cell : {CellType::rnn_tanh, CellType::lstm, CellType::gru}) {
    for (int B : {1, 2, 3, 5, 8, 9, 13, 17, 23, 32}) {
      for (int hidden : {8, 20}) {
        Config c = config_for(cell);
        c.train.batch = B;
        c.model.hidden = hidden;
        c.model.embed = hidden == 8 ? 0 : 8;   // one-hot input too
        INFO(to_string(cell) << " B " << B << " H " << hidden);
        Session alone(corpus(), c);
        const Run reference = train(alone, 6, nullptr);
        for (int lanes : {2, 3, 8}) {
          ScrambledRunner runner(lanes);
          Session s(corpus(), c);
          INFO(lanes << " lanes");
          CHECK(same_bits(train(s, 6, &runner), reference));
        }
      }
    }
  }
}

TEST_CASE("dropout masks are drawn per stream: they change the losses and follow the seed", "[shards]") {
  Config c = config_for(CellType::lstm);
  Session with(corpus(), c);
  c.model.dropout = 0;
  Session without(corpus(), c);
  CHECK_FALSE(same_bits(train(with, 5, nullptr), train(without, 5, nullptr)));
  c.model.dropout = 0.25f;
  c.train.seed = 12;
  Session other_seed(corpus(), c);
  Session again(corpus(), config_for(CellType::lstm));
  CHECK_FALSE(same_bits(train(other_seed, 5, nullptr), train(again, 5, nullptr)));
}

TEST_CASE("a stream's dropout mask does not depend on the batch it is computed in, and streams differ", "[shards]") {
  ModelConfig m;
  m.cell = CellType::lstm;
  m.layers = 2;
  m.hidden = 16;
  m.embed = 4;
  m.dropout = 0.5f;
  const Network<float> net(m, 5);
  const int T = 3, B = 8;
  Slab<float> params(net.layout().total());
  Rng init(3);
  net.init_params(init, params.data());
  std::vector<int32_t> x(T * B), y(T * B);
  for (int i = 0; i < T * B; ++i) x[i] = y[(i + 1) % (T * B)] = i % 5;
  const DropoutKey whole{42, 9, 0};
  RecurrentState<float> state = net.zero_state(B);
  ForwardCache<float> all;
  net.forward(params.data(), x.data(), y.data(), T, B, state, all, &whole);
  // Streams 5..6 alone, keyed by their run-wide index 5.
  const int first = 5, Bs = 2;
  std::vector<int32_t> xs(T * Bs), ys(T * Bs);
  for (int t = 0; t < T; ++t)
    for (int j = 0; j < Bs; ++j) {
      xs[t * Bs + j] = x[t * B + first + j];
      ys[t * Bs + j] = y[t * B + first + j];
    }
  RecurrentState<float> part_state = net.zero_state(Bs);
  ForwardCache<float> part;
  const DropoutKey some{42, 9, first};
  net.forward(params.data(), xs.data(), ys.data(), T, Bs, part_state, part, &some);
  const Mat<float>& mask = all.layers[1].mask;   // (H, T*B)
  REQUIRE(mask.cols() == T * B);
  for (int t = 0; t < T; ++t)
    for (int j = 0; j < Bs; ++j)
      CHECK(mask.col(t * B + first + j) == part.layers[1].mask.col(t * Bs + j));
  // Each stream draws its own masks: stream 0 and stream 4 (the same place in shards of 4) are not alike.
  CHECK(mask.col(0) != mask.col(4));
  CHECK(mask.col(0) != mask.col(B));   // and a stream's masks change from step to step
  // Half the units are dropped, the others scaled by 2.
  const float kept = (mask.array() > 0).cast<float>().sum() / static_cast<float>(mask.size());
  CHECK(kept == Approx(0.5).margin(0.1));
  CHECK(mask.maxCoeff() == 2.0f);
}

TEST_CASE("resume is exact across a change of thread count", "[shards][checkpoint]") {
  for (CellType cell : {CellType::lstm, CellType::gru}) {
    INFO(to_string(cell));
    auto two = runners();
    Session uninterrupted(corpus(), config_for(cell));
    const Run full = train(uninterrupted, 40, two.front().get());

    Session first(corpus(), config_for(cell));
    Run part = train(first, 17, nullptr);
    auto resumed = Session::load(first.save(false));
    resumed->attach_text(corpus());
    const Run rest = train(*resumed, 23, two.back().get());
    part.losses.insert(part.losses.end(), rest.losses.begin(), rest.losses.end());
    part.params = rest.params;
    CHECK(same_bits(part, full));
  }
}

TEST_CASE("the shard API, combined by hand as two workers would, equals train_step", "[shards]") {
  Config c = config_for(CellType::lstm);
  c.train.batch = 16;   // 4 shards: the tree ((0+1)+(2+3)) is not the sequence ((0+1)+2)+3
  Session whole(corpus(), c);
  const Run reference = train(whole, 12, nullptr);

  // Two replicas at the same step: "worker A" computes shards 0, 1 and 2, "worker B" shard 3. Each combines what
  // it holds; the lead combines the nodes it receives; both replicas apply the lead's result.
  Session a(corpus(), c), b(corpus(), c);
  ForwardCache<float> cache_a, cache_b;
  Run manual;
  for (int step = 0; step < 12; ++step) {
    const ShardPlan plan = a.begin_step();
    REQUIRE(plan.count == 4);
    b.begin_step();
    std::vector<StreamsGradient> held_a(3), held_b(1);
    a.compute_shards(2, 1, &held_a[2], cache_a);   // any order, any grouping into batches
    a.compute_shards(0, 2, &held_a[0], cache_a);
    b.compute_shards(3, 1, &held_b[0], cache_b);
    combine_shards(plan, held_a);
    REQUIRE(held_a.size() == 2);   // shards 0+1 form a node; shard 2 waits for its sibling 3
    std::vector<StreamsGradient> at_lead = {held_b[0], held_a[1], held_a[0]};
    combine_shards(plan, at_lead);
    REQUIRE(at_lead.size() == 1);
    StreamsGradient for_b = at_lead[0];
    const StepReport ra = a.apply_step(at_lead[0]);
    const StepReport rb = b.apply_step(for_b);
    CHECK(ra.loss == rb.loss);
    manual.losses.push_back(ra.loss);
  }
  manual.params = a.params();
  CHECK(same_bits(manual, reference));
  CHECK(std::memcmp(a.params().data(), b.params().data(), a.params().size() * sizeof(float)) == 0);
}

TEST_CASE("combine_shards refuses pieces that are not nodes of the fixed tree", "[shards]") {
  const Config c = config_for(CellType::rnn_tanh);
  Session s(corpus(), c);
  const ShardPlan plan = s.begin_step();
  std::vector<StreamsGradient> shards(3);
  ForwardCache<float> cache;
  s.compute_shards(0, 3, shards.data(), cache);
  // Shards 1 and 2 are not a node (the tree pairs 0 with 1, then that with 2): adding them first would round
  // differently, so it is refused rather than silently giving other bits.
  StreamsGradient one_two = shards[1];
  append_streams(one_two, shards[2]);
  std::vector<StreamsGradient> wrong = {shards[0], one_two};
  CHECK_THROWS_AS(combine_shards(plan, wrong), std::invalid_argument);
  StreamsGradient gap = shards[0];
  CHECK_THROWS_AS(append_streams(gap, shards[2]), std::invalid_argument);
}

TEST_CASE("the step API refuses calls out of order with a clear error", "[shards]") {
  Session s(corpus(), config_for(CellType::gru));
  StreamsGradient g;
  ForwardCache<float> cache;
  CHECK_THROWS_WITH(s.compute_shards(0, 1, &g, cache), Catch::Contains("begin_step"));
  CHECK_THROWS_WITH(s.apply_step(g), Catch::Contains("begin_step"));
  s.begin_step();
  CHECK_THROWS_WITH(s.compute_shards(3, 1, &g, cache), Catch::Contains("do not exist"));
  CHECK_THROWS_WITH(s.compute_shards(2, 2, &g, cache), Catch::Contains("do not exist"));
  s.compute_shards(0, 1, &g, cache);
  CHECK_THROWS_WITH(s.apply_step(g), Catch::Contains("all 14 streams"));
}

TEST_CASE("a format 1 model file (one dropout generator) still loads and trains", "[shards][checkpoint]") {
  Session s(corpus(), config_for(CellType::lstm));
  train(s, 5, nullptr);
  const std::string v2 = s.save(true);
  // Format 1 = format 2 with the version 1 and the old generator's 4 words after the step counts. Those sit right
  // before the text fingerprint, found here by its value.
  uint64_t fp = s.text_fingerprint_value();
  std::string fp_bytes(reinterpret_cast<const char*>(&fp), 8);   // little-endian machines (x86-64, wasm)
  const size_t at = v2.find(fp_bytes);
  REQUIRE(at != std::string::npos);
  std::string v1 = v2.substr(0, at) + std::string(32, '\x5a') + v2.substr(at, v2.size() - 4 - at);
  v1[8] = 1;
  ByteWriter crc;
  crc.u32(crc32(v1));
  v1 += crc.take();
  auto loaded = Session::load(v1);
  CHECK(loaded->step() == 5);
  CHECK(std::memcmp(loaded->params().data(), s.params().data(), s.params().size() * sizeof(float)) == 0);
  CHECK(train(*loaded, 3, nullptr).losses == train(s, 3, nullptr).losses);
}
