#include "shard_bindings.hpp"

#include <emscripten/bind.h>

#include <string>
#include <vector>

#include "rnnlab/errors.hpp"

namespace rnnlab_web {
namespace {

using emscripten::val;
using rnnlab::Mat;
using rnnlab::StreamsGradient;

// A copy of n floats as a JS Float32Array (its own buffer, transferable).
val float_copy(const float* p, size_t n) {
  return val::global("Float32Array").new_(emscripten::typed_memory_view(n, p));
}

// Copies a JS Float32Array of exactly n floats into p; anything else is the caller's mistake, said plainly.
void copy_from_js(const val& array, float* p, size_t n, const char* what) {
  if (!array.instanceof(val::global("Float32Array")) || array["length"].as<size_t>() != n)
    throw rnnlab::ConfigError(std::string("shard piece: ") + what + " must be a Float32Array of " +
                              std::to_string(n) + " numbers for this model");
  val(emscripten::typed_memory_view(n, p)).call<void>("set", array);
}

}  // namespace

val piece_to_js(const StreamsGradient& piece) {
  val o = val::object();
  o.set("firstStream", piece.first_stream);
  o.set("streams", piece.streams);
  o.set("loss", piece.loss);
  o.set("grads", float_copy(piece.grads.data(), piece.grads.size()));
  std::vector<float> state;
  for (const auto* mats : {&piece.state.h, &piece.state.c})
    for (const Mat<float>& m : *mats) state.insert(state.end(), m.data(), m.data() + m.size());
  o.set("state", float_copy(state.data(), state.size()));
  return o;
}

StreamsGradient piece_from_js(const rnnlab::Session& session, const val& o) {
  const rnnlab::Config& c = session.config();
  StreamsGradient g;
  g.first_stream = o["firstStream"].as<int>();
  g.streams = o["streams"].as<int>();
  if (g.first_stream < 0 || g.streams < 1 || g.first_stream + g.streams > c.train.batch)
    throw rnnlab::ConfigError("shard piece: streams " + std::to_string(g.first_stream) + " + " +
                              std::to_string(g.streams) + " lie outside this model's " +
                              std::to_string(c.train.batch) + " streams");
  g.loss = o["loss"].as<double>();
  g.grads.resize(session.params().size());
  copy_from_js(o["grads"], g.grads.data(), g.grads.size(), "grads");
  g.state = session.network().zero_state(g.streams);
  size_t n = 0;
  for (auto* mats : {&g.state.h, &g.state.c})
    for (const Mat<float>& m : *mats) n += static_cast<size_t>(m.size());
  std::vector<float> state(n);
  copy_from_js(o["state"], state.data(), n, "state");
  const float* p = state.data();
  for (auto* mats : {&g.state.h, &g.state.c})
    for (Mat<float>& m : *mats) {
      std::copy(p, p + m.size(), m.data());
      p += m.size();
    }
  return g;
}

namespace {

// Shards first..first+count-1 of the step begun, combined as far as the fixed tree allows.
std::vector<StreamsGradient> computed(const rnnlab::Session& session, int first_shard, int count,
                                      rnnlab::ForwardCache<float>& cache) {
  if (count < 1 || count > session.shard_plan().count)
    throw rnnlab::ConfigError("computeShards: this step has " + std::to_string(session.shard_plan().count) +
                              " shards; ask for 1 to that many");
  std::vector<StreamsGradient> gs(static_cast<size_t>(count));
  session.compute_shards(first_shard, count, gs.data(), cache);
  rnnlab::combine_shards(session.shard_plan(), gs);   // fewer, larger pieces to move: the same sums (shards.hpp)
  return gs;
}

// gs += the JS pieces, combined in the fixed tree; `what` says what the pieces should have been.
void combine_with(const rnnlab::Session& session, const val& pieces, std::vector<StreamsGradient>& gs,
                  const std::string& what) {
  const size_t n = pieces["length"].as<size_t>();
  for (size_t i = 0; i < n; ++i) gs.push_back(piece_from_js(session, pieces[i]));
  try {
    rnnlab::combine_shards(session.shard_plan(), gs);
  } catch (const std::invalid_argument& e) {
    gs.clear();
    throw rnnlab::ConfigError(std::string(e.what()) + ": " + what);
  }
}

val pieces_result(const std::vector<StreamsGradient>& gs) {
  val out = val::array();
  for (const StreamsGradient& g : gs) out.call<void>("push", piece_to_js(g));
  val r = val::object();
  r.set("ok", true);
  r.set("pieces", out);
  return r;
}

}  // namespace

val compute_shards(const rnnlab::Session& session, int first_shard, int count, rnnlab::ForwardCache<float>& cache) {
  return pieces_result(computed(session, first_shard, count, cache));
}

val compute_shards_held(const rnnlab::Session& session, int first_shard, int count, rnnlab::ForwardCache<float>& cache,
                        std::vector<StreamsGradient>& held) {
  held = computed(session, first_shard, count, cache);
  val r = val::object();
  r.set("ok", true);
  return r;
}

val combine_held(const rnnlab::Session& session, const val& pieces, std::vector<StreamsGradient>& held) {
  combine_with(session, pieces, held, "the held pieces and these are not one step's shards");
  if (held.size() != 1 || held[0].streams != session.config().train.batch) {
    held.clear();
    throw rnnlab::ConfigError("combineHeld: the pieces do not cover every shard of the step");
  }
  val r = val::object();
  r.set("ok", true);
  r.set("piece", piece_to_js(held[0]));
  return r;
}

val combine_shards(const rnnlab::Session& session, const val& pieces) {
  std::vector<StreamsGradient> gs;
  combine_with(session, pieces, gs, "combine the pieces of one step, as shards or as the nodes an earlier "
               "combineShards returned");
  return pieces_result(gs);
}

}  // namespace rnnlab_web
