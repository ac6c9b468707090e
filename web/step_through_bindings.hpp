// The step-through's look-inside ops (documented at the top of inspect_bindings.cpp), dispatched by look().
#pragma once
#include <string>

#include <emscripten/val.h>

#include "rnnlab/session.hpp"

namespace rnnlab_web {

// op: "unroll" | "unrollUnit" | "previewUpdate" | "checkGradients" | "clampSample".
emscripten::val step_through_op(rnnlab::Session& session, const std::string& op, const emscripten::val& args);

// "What did this prediction use?" on the look-inside text (chosen by the caller as for trace, and read as far as
// trace reads it: its first max_chars known characters).
emscripten::val input_gradients_op(const rnnlab::Session& session, const emscripten::val& args,
                                   const std::string& utf8_text, size_t max_chars);

}  // namespace rnnlab_web
