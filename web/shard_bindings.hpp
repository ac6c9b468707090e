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

}  // namespace rnnlab_web
