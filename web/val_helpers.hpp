// Small conversions between embind values and the engine's types, shared by the look-inside bindings
// (inspect_bindings.cpp, step_through_bindings.cpp).
#pragma once
#include <cstddef>
#include <string>
#include <vector>

#include <emscripten/bind.h>
#include <emscripten/val.h>

#include "rnnlab/errors.hpp"

namespace rnnlab_web {

inline bool has(const emscripten::val& o, const char* k) {
  return o.hasOwnProperty(k) && !o[k].isUndefined() && !o[k].isNull();
}

inline double number_arg(const emscripten::val& o, const char* k, double fallback) {
  return has(o, k) ? o[k].as<double>() : fallback;
}

// A whole number in [lo, hi], or ConfigError naming the argument and its range (what the person can fix).
inline int int_arg(const emscripten::val& o, const char* k, int fallback, int lo, int hi, const char* what) {
  const double v = number_arg(o, k, fallback);
  if (!(v >= lo && v <= hi) || v != static_cast<double>(static_cast<long long>(v)))
    throw rnnlab::ConfigError(std::string(what) + " must be a whole number from " + std::to_string(lo) + " to " +
                              std::to_string(hi));
  return static_cast<int>(v);
}

template <typename T>
emscripten::val copy_array(const T* data, size_t n) {
  emscripten::val view(emscripten::typed_memory_view(n, data));
  return view.call<emscripten::val>("slice");   // a copy: memory growth would detach a heap view
}

template <typename T, typename A>
emscripten::val copy_array(const std::vector<T, A>& v) {
  return copy_array(v.data(), v.size());
}

inline emscripten::val ok() {
  emscripten::val r = emscripten::val::object();
  r.set("ok", true);
  return r;
}

}  // namespace rnnlab_web
