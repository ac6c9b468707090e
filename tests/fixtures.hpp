// Small texts, configurations and comparisons the engine tests share, so that each test file states only what is
// particular to it. Header-only: every test file is its own translation unit and the helpers are tiny.
#pragma once

#include <cstring>
#include <initializer_list>
#include <string>
#include <vector>

#include "rnnlab/config.hpp"
#include "rnnlab/session.hpp"

namespace rnnlab::fixtures {

// Every cell type the engine has, for tests that must hold for all of them.
inline constexpr CellType kAllCells[] = {CellType::rnn_tanh,      CellType::lstm,      CellType::gru,
                                         CellType::lstm_peephole, CellType::lstm_cifg, CellType::lstm_nfg};

// `count` lines cycling through `lines` (each line carries its own "\n").
inline std::string cycled_lines(std::initializer_list<const char*> lines, int count) {
  std::string text;
  for (int i = 0; i < count; ++i) text += *(lines.begin() + i % static_cast<int>(lines.size()));
  return text;
}

// `count` lines "<stem><i mod modulo>\n": a few distinct lines repeated, so a small model learns them quickly.
inline std::string numbered_lines(const std::string& stem, int count, int modulo) {
  std::string text;
  for (int i = 0; i < count; ++i) text += stem + std::to_string(i % modulo) + "\n";
  return text;
}

// A model's shape and the training stream's shape; learning rate, seed and the rest keep Config's defaults unless
// the caller sets them.
struct SmallShape {
  int layers;
  int hidden;
  int embed;   // 0: one-hot input
  int batch;
  int unroll;
};

inline ModelConfig model_config(CellType cell, int layers, int hidden, int embed) {
  ModelConfig m;
  m.cell = cell;
  m.layers = layers;
  m.hidden = hidden;
  m.embed = embed;
  return m;
}

inline Config small_config(CellType cell, SmallShape shape) {
  Config c;
  c.model = model_config(cell, shape.layers, shape.hidden, shape.embed);
  c.train.batch = shape.batch;
  c.train.unroll = shape.unroll;
  return c;
}

// The losses of the next `steps` training steps.
inline std::vector<double> train_losses(Session& s, int steps) {
  std::vector<double> losses;
  for (int i = 0; i < steps; ++i) losses.push_back(s.train_step().loss);
  return losses;
}

// Equal to the bit, not within a tolerance: what exact resume and determinism promise.
template <class T>
bool bit_identical(const T* a, size_t a_size, const T* b, size_t b_size) {
  return a_size == b_size && std::memcmp(a, b, a_size * sizeof(T)) == 0;
}

inline bool bit_identical(const std::vector<double>& a, const std::vector<double>& b) {
  return bit_identical(a.data(), a.size(), b.data(), b.size());
}

}  // namespace rnnlab::fixtures
