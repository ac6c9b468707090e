// Data-parallel training across Web Workers (issue 15; engine side: engine/rnnlab/shards.hpp). Each worker holds a
// replica of the same Session (same text, settings, weights and step). Per step:
//   every replica:        s.beginStep()            -> { ok, shards }
//   shards k..k+n-1:      s.computeShards(k, n)    -> { ok, pieces }  run as one batch, anywhere, any order
//   anywhere, any nodes:  s.combineShards(pieces)  -> { ok, pieces }   the coarsest nodes of the fixed tree
//   every replica:        s.applyStep(piece)       -> { ok, report }  with the one piece covering every stream
// A piece is { firstStream, streams, loss, grads: Float32Array (P), state: Float32Array }, state holding h of each
// layer (H x streams, column-major) and then c of each layer for LSTMs. The arrays are copies, never views of the
// wasm heap, so their buffers can be transferred between workers. The losses are the same bit for bit however the
// shards are spread. Called by WebSession in bindings.cpp, which turns engine exceptions into { ok: false }.
#pragma once
#include <emscripten/val.h>

#include "rnnlab/session.hpp"

namespace rnnlab_web {

emscripten::val piece_to_js(const rnnlab::StreamsGradient& piece);
// Throws rnnlab::ConfigError for a piece that does not fit this session's model.
rnnlab::StreamsGradient piece_from_js(const rnnlab::Session& session, const emscripten::val& piece);

emscripten::val compute_shards(const rnnlab::Session& session, int first_shard, int count,
                               rnnlab::ForwardCache<float>& cache);
emscripten::val combine_shards(const rnnlab::Session& session, const emscripten::val& pieces);

// The primary worker's side of a shared step, with its own pieces and the sum kept in the engine (`held`), so they
// never cross into JS and back (a W1 gradient is 3.5 MB a copy):
//   s.computeShardsHeld(k, n)   -> { ok }            shards k..k+n-1, combined as far as the tree allows, held
//   s.combineHeld(pieces)       -> { ok, piece }     the helpers' pieces added to the held ones: the step's sum, held,
//                                                    and a copy for the helpers
//   s.applyHeld()               -> { ok, report }    the optimizer step with the held sum
emscripten::val compute_shards_held(const rnnlab::Session& session, int first_shard, int count,
                                    rnnlab::ForwardCache<float>& cache, std::vector<rnnlab::StreamsGradient>& held);
emscripten::val combine_held(const rnnlab::Session& session, const emscripten::val& pieces,
                             std::vector<rnnlab::StreamsGradient>& held);

}  // namespace rnnlab_web
