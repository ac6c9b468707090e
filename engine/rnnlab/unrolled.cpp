#include "rnnlab/unrolled.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>

#include "rnnlab/cells.hpp"
#include "rnnlab/errors.hpp"
#include "rnnlab/linalg.hpp"

namespace rnnlab {
namespace {

int steps_of(const std::vector<int32_t>& tokens) {
  if (tokens.size() < 2) throw ConfigError("the step-through needs at least 2 characters the model knows");
  if (tokens.size() > static_cast<size_t>(kMaxUnrollSteps) + 1)
    throw ConfigError("the step-through shows at most " + std::to_string(kMaxUnrollSteps + 1) +
                      " characters: use a shorter text");
  return static_cast<int>(tokens.size()) - 1;
}

int window_of(int window, int T) { return window <= 0 || window >= T ? T : window; }

// Copies columns [0, cols) of m (rows, cols) into out rows [row0, row0 + cols) of width `rows` (step-major).
template <typename S>
void put_columns(const Mat<S>& m, int cols, std::vector<S>& out, int row0) {
  const size_t rows = static_cast<size_t>(m.rows());
  std::copy(m.data(), m.data() + rows * static_cast<size_t>(cols), out.begin() + static_cast<std::ptrdiff_t>(row0 * rows));
}

template <typename S>
void size_layers(Unrolled<S>& u, const Network<S>& net) {
  const size_t T = static_cast<size_t>(u.T), H = static_cast<size_t>(u.H), GH = static_cast<size_t>(u.G * u.H);
  const bool lstm = has_cell_state(u.cell), gru = u.cell == CellType::gru;
  u.layers.resize(static_cast<size_t>(u.L));
  for (int k = 0; k < u.L; ++k) {
    UnrolledLayer<S>& y = u.layers[static_cast<size_t>(k)];
    y.in = net.layout().layer(k).input_size;
    y.h.assign((T + 1) * H, S(0));
    if (lstm) y.c.assign((T + 1) * H, S(0));
    if (u.cell != CellType::rnn_tanh) y.gates.assign(T * GH, S(0));
    y.pre.assign(T * GH, S(0));
    for (auto* v : {&y.dh_above, &y.dh_future, &y.dh, &y.dh_dropped}) v->assign(T * H, S(0));
    if (lstm) y.dc_future.assign(T * H, S(0));
    if (lstm) y.dc.assign(T * H, S(0));
    y.dpre.assign(T * GH, S(0));
    if (gru) y.dhh.assign(T * GH, S(0));
  }
  u.logits.assign(T * static_cast<size_t>(u.V), S(0));
  u.dlogits.assign(u.logits.size(), S(0));
}

// Forward and backward of one truncation window [s, s + len), state carried in and out; gradients add into u.grads.
// Returns the window's mean loss as training computes it.
template <typename S>
double run_window(Unrolled<S>& u, const Network<S>& net, const S* params, int s, int len, RecurrentState<S>& state) {
  ForwardCache<S> cache;
  const double loss = net.forward(params, u.inputs.data() + s, u.targets.data() + s, len, 1, state, cache, nullptr);
  // forward scaled dlogits by 1/len; the mean over all T steps needs 1/T (the same call when there is one window)
  if (len != u.T)
    cells::softmax_xent<S>(u.V, len, cache.logits.data(), u.targets.data() + s, S(1) / static_cast<S>(u.T),
                           cache.dlogits.data());
  put_columns(cache.logits, len, u.logits, s);
  put_columns(cache.dlogits, len, u.dlogits, s);
  RecurrentState<S> dstate0 = net.zero_state(1);
  BackwardRecord<S> rec;
  net.backward(params, cache, u.grads.data(), &dstate0, nullptr, &rec);
  for (int k = 0; k < u.L; ++k) {
    const auto ks = static_cast<size_t>(k);
    UnrolledLayer<S>& y = u.layers[ks];
    const auto& c = cache.layers[ks];
    // h and c: column 0 of the window is the carried state (row s), column t + 1 is h_{s+t} (row s + t + 1)
    put_columns(c.h, len + 1, y.h, s);
    if (!y.c.empty()) put_columns(c.c, len + 1, y.c, s);
    if (u.cell == CellType::rnn_tanh) put_columns(c.gates, len, y.pre, s);   // the engine's own pre-activation
    else put_columns(c.gates, len, y.gates, s);
    put_columns(rec.dh_above[ks], len, y.dh_above, s);
    put_columns(rec.dh_future[ks], len, y.dh_future, s);
    if (!y.dc_future.empty()) put_columns(rec.dc_future[ks], len, y.dc_future, s);
    put_columns(rec.dpre[ks], len, y.dpre, s);
    if (!y.dhh.empty()) put_columns(rec.dhh[ks], len, y.dhh, s);
    put_columns(dstate0.h[ks], 1, y.dh_dropped, s);
  }
  return loss;
}

// x_t, W_ih·x_t, W_hh·h_{t-1}, the biases and (except for the vanilla RNN) the summed pre-activation.
template <typename S>
void fill_products(Unrolled<S>& u, const Network<S>& net, const S* params) {
  const ParamLayout& lay = net.layout();
  const int T = u.T, H = u.H, GH = u.G * u.H;
  for (int k = 0; k < u.L; ++k) {
    UnrolledLayer<S>& y = u.layers[static_cast<size_t>(k)];
    const LayerBlocks& lb = lay.layer(k);
    const int In = y.in;
    y.x.assign(static_cast<size_t>(T) * In, S(0));
    for (int t = 0; t < T; ++t) {
      S* xt = y.x.data() + static_cast<size_t>(t) * In;
      const int v = u.inputs[static_cast<size_t>(t)];
      if (k > 0) std::copy_n(u.layers[static_cast<size_t>(k - 1)].h.data() + static_cast<size_t>(t + 1) * H, H, xt);
      else if (u.one_hot) xt[v] = S(1);
      else std::copy_n(params + lay.embed_weight() + static_cast<size_t>(v) * In, In, xt);
    }
    y.wx.assign(static_cast<size_t>(T) * GH, S(0));
    y.wh.assign(y.wx.size(), S(0));
    gemm<S>(true, false, GH, T, In, S(1), params + lb.weight_ih, In, y.x.data(), In, S(0), y.wx.data(), GH);
    gemm<S>(true, false, GH, T, H, S(1), params + lb.weight_hh, H, y.h.data(), H, S(0), y.wh.data(), GH);
    y.b_ih.assign(params + lb.bias_ih, params + lb.bias_ih + GH);
    y.b_hh.assign(params + lb.bias_hh, params + lb.bias_hh + GH);
    if (u.cell == CellType::rnn_tanh) continue;
    for (int t = 0; t < T; ++t)
      for (int r = 0; r < GH; ++r) {
        const size_t i = static_cast<size_t>(t) * GH + r;
        const S xs = y.wx[i] + y.b_ih[static_cast<size_t>(r)], hs = y.wh[i] + y.b_hh[static_cast<size_t>(r)];
        // GRU: r multiplies only the recurrent part of n (cells.hpp)
        y.pre[i] = (u.cell == CellType::gru && r >= 2 * H) ? xs + y.gates[static_cast<size_t>(t) * GH + r - 2 * H] * hs
                                                            : xs + hs;
      }
  }
}

// Softmax probabilities and -log p(target) per step, each from the engine's softmax on that step's logits alone.
// Their sum is the training loss up to the last bits: the wasm kernel sums a chunk's logs as the log of a product.
template <typename S>
void fill_head(Unrolled<S>& u) {
  const int V = u.V;
  std::vector<S> scratch(static_cast<size_t>(V));
  u.probs.assign(u.logits.size(), S(0));
  u.loss.assign(static_cast<size_t>(u.T), 0.0);
  for (int t = 0; t < u.T; ++t) {
    const S* z = u.logits.data() + static_cast<size_t>(t) * V;
    const int target = u.targets[static_cast<size_t>(t)];
    u.loss[static_cast<size_t>(t)] = cells::softmax_xent<S>(V, 1, z, &target, S(1), scratch.data());
    const S mx = *std::max_element(z, z + V);
    double sum = 0;
    for (int v = 0; v < V; ++v) sum += std::exp(static_cast<double>(z[v] - mx));
    for (int v = 0; v < V; ++v)
      u.probs[static_cast<size_t>(t) * V + v] = static_cast<S>(std::exp(static_cast<double>(z[v] - mx)) / sum);
  }
}

// acc (n) += scale * a (rows) ⊗ b (cols) restricted to column `only` when only >= 0; keeps sumsq = ||acc||² current.
template <typename S>
void add_outer(S* acc, const S* a, int rows, const S* b, int cols, int only, double& sumsq) {
  for (int r = 0; r < rows; ++r) {
    S* row = acc + static_cast<size_t>(r) * cols;
    const int j0 = only >= 0 ? only : 0, j1 = only >= 0 ? only + 1 : cols;
    for (int j = j0; j < j1; ++j) {
      const double before = static_cast<double>(row[j]);
      row[j] += a[r] * b[j];
      sumsq += static_cast<double>(row[j]) * row[j] - before * before;
    }
  }
}

// The weight gradients accumulating backward in time, step T-1 first (UnrolledLayer::run_*).
template <typename S>
void fill_running(Unrolled<S>& u, int k) {
  UnrolledLayer<S>& y = u.layers[static_cast<size_t>(k)];
  const int T = u.T, H = u.H, GH = u.G * u.H, In = y.in;
  std::vector<S> w_ih(static_cast<size_t>(GH) * In, S(0)), w_hh(static_cast<size_t>(GH) * H, S(0));
  std::vector<S> b_ih(static_cast<size_t>(GH), S(0)), b_hh(b_ih.size(), S(0));
  double s_ih = 0, s_hh = 0, s_bi = 0, s_bh = 0;
  const S one(1);
  for (auto* v : {&y.run_norm_w_ih, &y.run_norm_w_hh, &y.run_norm_b_ih, &y.run_norm_b_hh})
    v->assign(static_cast<size_t>(T), 0.0);
  if (u.printable) {
    y.run_w_ih.assign(static_cast<size_t>(T) * w_ih.size(), S(0));
    y.run_w_hh.assign(static_cast<size_t>(T) * w_hh.size(), S(0));
    y.run_b_ih.assign(static_cast<size_t>(T) * GH, S(0));
    y.run_b_hh.assign(y.run_b_ih.size(), S(0));
  }
  for (int t = T - 1; t >= 0; --t) {
    const auto st = static_cast<size_t>(t);
    const S* dpre = y.dpre.data() + st * GH;
    const S* dhh = y.dhh.empty() ? dpre : y.dhh.data() + st * GH;
    const int only = (k == 0 && u.one_hot) ? u.inputs[st] : -1;
    add_outer(w_ih.data(), dpre, GH, y.x.data() + st * In, In, only, s_ih);
    add_outer(w_hh.data(), dhh, GH, y.h.data() + st * H, H, -1, s_hh);
    add_outer(b_ih.data(), dpre, GH, &one, 1, -1, s_bi);
    add_outer(b_hh.data(), dhh, GH, &one, 1, -1, s_bh);
    y.run_norm_w_ih[st] = std::sqrt(std::max(s_ih, 0.0));
    y.run_norm_w_hh[st] = std::sqrt(std::max(s_hh, 0.0));
    y.run_norm_b_ih[st] = std::sqrt(std::max(s_bi, 0.0));
    y.run_norm_b_hh[st] = std::sqrt(std::max(s_bh, 0.0));
    if (!u.printable) continue;
    std::copy(w_ih.begin(), w_ih.end(), y.run_w_ih.begin() + static_cast<std::ptrdiff_t>(st * w_ih.size()));
    std::copy(w_hh.begin(), w_hh.end(), y.run_w_hh.begin() + static_cast<std::ptrdiff_t>(st * w_hh.size()));
    std::copy(b_ih.begin(), b_ih.end(), y.run_b_ih.begin() + static_cast<std::ptrdiff_t>(st * GH));
    std::copy(b_hh.begin(), b_hh.end(), y.run_b_hh.begin() + static_cast<std::ptrdiff_t>(st * GH));
  }
}

// dh = dh_above + dh_future (the same sum backward forms), its norm, and the units that change most per step.
template <typename S>
void fill_summaries(Unrolled<S>& u, int k) {
  UnrolledLayer<S>& y = u.layers[static_cast<size_t>(k)];
  const int T = u.T, H = u.H, K = std::min(kTopUnits, H);
  y.dh_norm.assign(static_cast<size_t>(T), 0.0);
  y.top_forward.assign(static_cast<size_t>(T) * K, 0);
  y.top_backward.assign(y.top_forward.size(), 0);
  std::vector<double> change(static_cast<size_t>(H)), grad(static_cast<size_t>(H));
  std::vector<int32_t> order(static_cast<size_t>(H));
  auto top = [&](const std::vector<double>& score, int32_t* out) {
    std::iota(order.begin(), order.end(), 0);
    std::partial_sort(order.begin(), order.begin() + K, order.end(),
                      [&](int32_t a, int32_t b) { return score[static_cast<size_t>(a)] > score[static_cast<size_t>(b)]; });
    std::copy_n(order.begin(), K, out);
  };
  for (int t = 0; t < T; ++t) {
    double sq = 0;
    for (int j = 0; j < H; ++j) {
      const size_t i = static_cast<size_t>(t) * H + j;
      y.dh[i] = y.dh_above[i] + y.dh_future[i];
      sq += static_cast<double>(y.dh[i]) * y.dh[i];
      grad[static_cast<size_t>(j)] = std::abs(static_cast<double>(y.dh[i]));
      change[static_cast<size_t>(j)] = std::abs(static_cast<double>(y.h[i + H]) - y.h[i]);
    }
    y.dh_norm[static_cast<size_t>(t)] = std::sqrt(sq);
    top(change, y.top_forward.data() + static_cast<size_t>(t) * K);
    top(grad, y.top_backward.data() + static_cast<size_t>(t) * K);
  }
}

// dL/dc_t in full for the LSTM family (the dct of cells.hpp's backward, which only keeps dL/dc_{t-1}).
template <typename S>
void fill_cell_gradient(Unrolled<S>& u, const Network<S>& net, const S* params, int k) {
  UnrolledLayer<S>& y = u.layers[static_cast<size_t>(k)];
  if (y.dc.empty()) return;
  const int H = u.H, GH = u.G * u.H;
  const S* peep = u.cell == CellType::lstm_peephole ? params + net.layout().layer(k).peephole : nullptr;
  for (int t = 0; t < u.T; ++t)
    for (int j = 0; j < H; ++j) {
      const size_t i = static_cast<size_t>(t) * H + j;
      const S og = y.gates[static_cast<size_t>(t) * GH + (u.G - 1) * H + j];
      const S tc = std::tanh(y.c[i + H]), d = y.dh[i];
      S dct = y.dc_future[i] + d * og * (S(1) - tc * tc);
      if (peep) dct += d * tc * og * (S(1) - og) * peep[2 * H + j];
      y.dc[i] = dct;
    }
}

}  // namespace

template <typename S>
Unrolled<S> unroll(const Network<S>& net, const S* params, const std::vector<int32_t>& tokens,
                   const RecurrentState<S>& state0, const UnrollOptions& options) {
  Unrolled<S> u;
  u.T = steps_of(tokens);
  u.V = net.vocab_size();
  u.H = net.config().hidden;
  u.L = net.config().layers;
  u.G = gates_per_cell(net.config().cell);
  u.cell = net.config().cell;
  u.one_hot = !net.layout().has_embedding();
  u.dropout_ignored = net.config().dropout > 0.0f && u.L > 1;
  u.window = window_of(options.window, u.T);
  u.inputs.assign(tokens.begin(), tokens.end() - 1);
  u.targets.assign(tokens.begin() + 1, tokens.end());
  u.grads.assign(net.layout().total(), S(0));
  size_layers(u, net);
  u.printable = u.H <= kPrintableHidden;
  for (const auto& y : u.layers) u.printable = u.printable && y.in <= kPrintableInput;
  u.window_start.assign(static_cast<size_t>(u.T), 0);
  RecurrentState<S> state = state0;
  double total = 0;
  for (int s = 0; s < u.T; s += u.window) {
    u.window_start[static_cast<size_t>(s)] = 1;
    const int len = std::min(u.window, u.T - s);
    const double mean = run_window(u, net, params, s, len, state);
    u.mean_loss = mean;   // one window: the training loss's own bits
    total += mean * len;
  }
  if (u.window < u.T) u.mean_loss = total / u.T;   // the same sum unrolled_loss forms
  u.final_state = state;
  fill_products(u, net, params);
  fill_head(u);
  for (int k = 0; k < u.L; ++k) {
    fill_running(u, k);
    fill_summaries(u, k);
    fill_cell_gradient(u, net, params, k);
  }
  return u;
}

template <typename S>
double unrolled_loss(const Network<S>& net, const S* params, const std::vector<int32_t>& tokens,
                     const RecurrentState<S>& state0, int window) {
  const int T = steps_of(tokens), W = window_of(window, T);
  RecurrentState<S> state = state0;
  ForwardCache<S> cache;
  double total = 0;
  for (int s = 0; s < T; s += W) {
    const int len = std::min(W, T - s);
    const double mean = net.forward(params, tokens.data() + s, tokens.data() + s + 1, len, 1, state, cache, nullptr);
    if (len == T) return mean;   // one window: the training loss itself, bit for bit
    total += mean * len;
  }
  return total / T;
}

template Unrolled<float> unroll(const Network<float>&, const float*, const std::vector<int32_t>&,
                                const RecurrentState<float>&, const UnrollOptions&);
template Unrolled<double> unroll(const Network<double>&, const double*, const std::vector<int32_t>&,
                                 const RecurrentState<double>&, const UnrollOptions&);
template double unrolled_loss(const Network<float>&, const float*, const std::vector<int32_t>&,
                              const RecurrentState<float>&, int);
template double unrolled_loss(const Network<double>&, const double*, const std::vector<int32_t>&,
                              const RecurrentState<double>&, int);

}  // namespace rnnlab
