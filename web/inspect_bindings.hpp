// The "Look inside" requests of the playground (interpretable cells, next-character predictions, gradient flow,
// the n-gram baseline), answered for one Session. Called by WebSession::look in bindings.cpp, which catches the
// engine's exceptions; implemented in inspect_bindings.cpp.
#pragma once
#include <string>

#include <emscripten/val.h>

#include "rnnlab/session.hpp"

namespace rnnlab_web {

// op: "trace" | "rank" | "gradientFlow" | "ngram" | "inputGradients" and the step-through's "unroll" | "unrollUnit" |
// "previewUpdate" | "checkGradients" | "clampSample"; args: a plain object (see inspect_bindings.cpp). clampSample
// samples, so the session is not const (it is left as it was). Returns { ok: true, ... }; typed arrays in the result
// are copies, never views of the wasm heap.
emscripten::val look(rnnlab::Session& session, const std::string& op, const emscripten::val& args);

}  // namespace rnnlab_web
