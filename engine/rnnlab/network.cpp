#include "rnnlab/network.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "rnnlab/cells.hpp"
#include "rnnlab/linalg.hpp"
#include "rnnlab/token_table.hpp"

namespace rnnlab {
namespace {

cells::LstmVariant variant_of(CellType cell) {
  return cell == CellType::lstm_peephole ? cells::LstmVariant::peephole
         : cell == CellType::lstm_cifg   ? cells::LstmVariant::cifg
                                         : cells::LstmVariant::no_forget;
}

// m (rows, cols) column-major += bias (rows) in every column. In wasm a plain loop, which clang vectorises with
// -msimd128, while Eigen has no wasm SIMD path (this alone was ~10% of a W1 step); natively Eigen's AVX code.
template <typename S>
void add_bias(S* m, int rows, int cols, const S* bias) {
#if defined(__wasm__)
  for (int j = 0; j < cols; ++j) {
    S* col = m + static_cast<size_t>(j) * rows;
    for (int i = 0; i < rows; ++i) col[i] += bias[i];
  }
#else
  Eigen::Map<Mat<S>>(m, rows, cols).colwise() += ConstVecMap<S>(bias, rows);
#endif
}

// Streams [first, first + n) of a (rows, T*B) time-major matrix m, at every step, as (rows, T*n) in the same
// time-major order: one group's columns (StepShare). The whole batch is m itself, so it needs no copy, and a group
// gathered elsewhere is the same matrix, bit for bit.
template <typename S>
const S* group_columns(const S* m, int rows, int T, int B, int first, int n, Mat<S>& scratch) {
  if (first == 0 && n == B) return m;
  scratch.resize(rows, static_cast<Eigen::Index>(T) * n);
  const size_t r = static_cast<size_t>(rows);
  for (int t = 0; t < T; ++t) {
    const S* from = m + (static_cast<size_t>(t) * B + first) * r;
    std::copy(from, from + static_cast<size_t>(n) * r, scratch.data() + static_cast<size_t>(t) * n * r);
  }
  return scratch.data();
}

// bounds = 0 = b_0 < ... < b_n = B, or std::invalid_argument.
void check_group_bounds(const std::vector<int>& bounds, int B) {
  bool ok = bounds.size() >= 2 && bounds.front() == 0 && bounds.back() == B;
  for (size_t g = 1; ok && g < bounds.size(); ++g) ok = bounds[g] > bounds[g - 1];
  if (!ok) throw std::invalid_argument("forward: the share's shard bounds do not split the batch into groups");
}

}  // namespace

template <typename S>
Network<S>::Network(const ModelConfig& config, int vocab_size)
    : config_(config), layout_(config, vocab_size), V_(vocab_size), H_(config.hidden),
      G_(gates_per_cell(config.cell)) {}

template <typename S>
RecurrentState<S> Network<S>::zero_state(int B) const {
  RecurrentState<S> s;
  for (int k = 0; k < config_.layers; ++k) {
    s.h.push_back(Mat<S>::Zero(H_, B));
    if (has_cell_state(config_.cell)) s.c.push_back(Mat<S>::Zero(H_, B));
  }
  return s;
}

template <typename S>
void Network<S>::init_params(Rng& rng, S* params) const {
  const double bound = 1.0 / std::sqrt(static_cast<double>(H_));
  for (const ParamBlock& b : layout_.blocks()) {
    S* p = params + b.offset;
    if (b.name == "embed.weight") {
      for (size_t i = 0; i < b.size; ++i) p[i] = static_cast<S>(rng.normal());
    } else {
      for (size_t i = 0; i < b.size; ++i) p[i] = static_cast<S>(rng.uniform(-bound, bound));
    }
  }
}

// Layer 0's input projection pre (G*H, N) = W_ih0 · x + b_ih0 for N tokens.
// With an embedding, x (E, N) is gathered from embed.weight rows (and kept in *x_out for backward);
// with one-hot input, W_ih0 · onehot(v) is column v of W_ih0, so no product is needed.
template <typename S>
void Network<S>::embed_inputs(const S* params, const int32_t* tokens, int N, Mat<S>& pre, Mat<S>* x_out,
                              bool by_columns) const {
  const LayerBlocks& lb = layout_.layer(0);
  const int GH = G_ * H_, In = lb.input_size;
  pre.resize(GH, N);
  if (layout_.has_embedding()) {
    const S* table = params + layout_.embed_weight();   // (V, E) row-major: row v is token v's embedding
    Mat<S> local;
    Mat<S>& x = x_out ? *x_out : local;
    x.resize(In, N);
    for (int j = 0; j < N; ++j) x.col(j) = ConstVecMap<S>(table + static_cast<size_t>(tokens[j]) * In, In);
    (by_columns ? gemm_columns<S> : gemm<S>)(true, false, GH, N, In, S(1), params + lb.weight_ih, In, x.data(), In,
                                             S(0), pre.data(), GH);
  } else {
    const S* w = params + lb.weight_ih;   // (GH, V) row-major
    for (int j = 0; j < N; ++j)
      for (int r = 0; r < GH; ++r) pre(r, j) = w[static_cast<size_t>(r) * In + tokens[j]];
  }
  add_bias(pre.data(), GH, N, params + lb.bias_ih);
}

// mask (H, T*B): column t*B + b is stream b's mask at step t, 1/keep or 0. Each stream draws its T columns in
// order from its own generator (DropoutKey), so the mask of a stream does not depend on B or its place in it.
template <typename S>
void Network<S>::draw_dropout_mask(const DropoutKey& key, int layer, int T, int B, Mat<S>& mask) const {
  const double keep = 1.0 - static_cast<double>(config_.dropout);
  const S scale = S(1) / static_cast<S>(keep);
  mask.resize(H_, static_cast<Eigen::Index>(T) * B);
  for (int b = 0; b < B; ++b) {
    Rng rng(derive_seed(key.seed, key.chunk, static_cast<uint64_t>(layer),
                        static_cast<uint64_t>(key.first_stream + b)));
    for (int t = 0; t < T; ++t) {
      S* col = mask.data() + (static_cast<size_t>(t) * B + b) * H_;
      for (int i = 0; i < H_; ++i) col[i] = rng.uniform() < keep ? scale : S(0);
    }
  }
}

template <typename S>
double Network<S>::forward(const S* params, const int32_t* inputs, const int32_t* targets, int T, int B,
                           RecurrentState<S>& state, ForwardCache<S>& cache, const DropoutKey* dropout,
                           const StepShare* share) const {
  const int H = H_, GH = G_ * H_, N = T * B, L = config_.layers;
  if (share) check_group_bounds(share->bounds, B);
  const int mean_over = share ? T * share->step_batch : N;   // the step's characters
  const CellType cell = config_.cell;
  cache.T = T;
  cache.B = B;
  cache.inputs.assign(inputs, inputs + N);
  cache.targets.assign(targets, targets + N);
  cache.layers.resize(static_cast<size_t>(L));
  const bool use_dropout = dropout != nullptr && config_.dropout > 0.0f;
  cache.group_bounds = share ? share->bounds : std::vector<int>{0, B};
  // Decided by the whole step, so every worker of a data-parallel step takes the same path.
  cache.token_table_used = layout_.has_embedding() && use_token_table(V_, mean_over);

  for (int k = 0; k < L; ++k) {
    auto& c = cache.layers[static_cast<size_t>(k)];
    const LayerBlocks& lb = layout_.layer(k);
    // Input projection for the whole chunk, hoisted out of the time loop: pre (GH, N). RNN and LSTM add the
    // recurrent product into it in place (it becomes `gates`); GRU keeps it apart because r multiplies only
    // the recurrent part of n, so it uses cache.dpre as scratch (free until backward).
    Mat<S>& pre = (cell == CellType::gru) ? cache.dpre : c.gates;
    if (k == 0 && cache.token_table_used) {
      // Project the V vocabulary entries once and gather a column per character (token_table.hpp).
      cache.token_table.resize(GH, V_);
      token_table_forward<S>(GH, lb.input_size, V_, params + lb.weight_ih, params + layout_.embed_weight(),
                             params + lb.bias_ih, cache.token_table.data());
      pre.resize(GH, N);
      gather_token_columns<S>(GH, N, cache.token_table.data(), inputs, pre.data());
      c.x.resize(0, 0);
    } else if (k == 0) {
      embed_inputs(params, inputs, N, pre, &c.x, true);
    } else {
      const auto& below = cache.layers[static_cast<size_t>(k - 1)];
      const S* xin = below.h.data() + static_cast<size_t>(H) * B;   // h_1..h_T of the layer below, (H, N)
      if (use_dropout) {
        draw_dropout_mask(*dropout, k, T, B, c.mask);
        c.x.resize(H, N);
        for (Eigen::Index i = 0; i < c.mask.size(); ++i) c.x.data()[i] = xin[i] * c.mask.data()[i];
        xin = c.x.data();
      } else {
        c.mask.resize(0, 0);
        c.x.resize(0, 0);
      }
      pre.resize(GH, N);
      gemm_columns<S>(true, false, GH, N, H, S(1), params + lb.weight_ih, H, xin, H, S(0), pre.data(), GH);
      add_bias(pre.data(), GH, N, params + lb.bias_ih);
    }
    if (cell != CellType::gru) add_bias(pre.data(), GH, N, params + lb.bias_hh);

    c.h.resize(H, static_cast<Eigen::Index>(T + 1) * B);
    c.h.leftCols(B) = state.h[static_cast<size_t>(k)];
    if (has_cell_state(cell)) {
      c.c.resize(H, static_cast<Eigen::Index>(T + 1) * B);
      c.c.leftCols(B) = state.c[static_cast<size_t>(k)];
      c.tanh_c.resize(H, N);
    }
    if (cell == CellType::gru) {
      c.gates.resize(GH, N);
      c.hg.resize(GH, N);
    }
    // W_hh (GH, H) row-major is the column-major (H, GH) matrix; op = transpose gives W_hh itself.
    cache.w_hh.set(true, GH, H, params + lb.weight_hh, H);
    for (int t = 0; t < T; ++t) {
      const size_t col = static_cast<size_t>(t) * B;
      const S* h_prev = c.h.data() + col * H;
      S* h_out = c.h.data() + (col + B) * H;
      S* g = c.gates.data() + col * GH;
      switch (cell) {
        case CellType::rnn_tanh:
          cache.w_hh.multiply(B, S(1), h_prev, H, S(1), g, GH);
          std::copy(g, g + static_cast<size_t>(H) * B, h_out);
          cells::rnn_forward(H, B, h_out);
          break;
        case CellType::lstm:
        case CellType::lstm_peephole:
        case CellType::lstm_cifg:
        case CellType::lstm_nfg: {
          cache.w_hh.multiply(B, S(1), h_prev, H, S(1), g, GH);
          const S* c_prev = c.c.data() + col * H;
          S* c_out = c.c.data() + (col + B) * H;
          if (cell == CellType::lstm)
            cells::lstm_forward(H, B, g, c_prev, c_out, c.tanh_c.data() + col * H, h_out);
          else
            cells::lstm_variant_forward(variant_of(cell), H, B, g, c_prev, params + lb.peephole, c_out,
                                        c.tanh_c.data() + col * H, h_out);
          break;
        }
        case CellType::gru: {
          S* hg = c.hg.data() + col * GH;
          cache.w_hh.multiply(B, S(1), h_prev, H, S(0), hg, GH);
          add_bias(hg, GH, B, params + lb.bias_hh);
          cells::gru_forward(H, B, pre.data() + col * GH, hg, h_prev, g, h_out);
          break;
        }
      }
    }
    state.h[static_cast<size_t>(k)] = c.h.rightCols(B);
    if (has_cell_state(cell)) state.c[static_cast<size_t>(k)] = c.c.rightCols(B);
  }

  // Head: logits (V, N) = head.weight (V,H) · h_top + head.bias, then softmax cross-entropy.
  const S* h_top = cache.layers.back().h.data() + static_cast<size_t>(H) * B;
  cache.logits.resize(V_, N);
  gemm_columns<S>(true, false, V_, N, H, S(1), params + layout_.head_weight(), H, h_top, H, S(0), cache.logits.data(),
                  V_);
  add_bias(cache.logits.data(), V_, N, params + layout_.head_bias());
  cache.dlogits.resize(V_, N);
  const S scale = S(1) / static_cast<S>(mean_over);
  const int groups = static_cast<int>(cache.group_bounds.size()) - 1;
  cache.group_loss.assign(static_cast<size_t>(groups), 0.0);
  if (!share) {
    cache.group_loss[0] = cells::softmax_xent<S>(V_, N, cache.logits.data(), targets, scale, cache.dlogits.data());
    return cache.group_loss[0] / mean_over;
  }
  // Each group's sum step by step over its own columns, so it does not depend on what else this forward runs.
  double total = 0;
  for (int g = 0; g < groups; ++g) {
    const int first = cache.group_bounds[static_cast<size_t>(g)], n = cache.group_bounds[static_cast<size_t>(g) + 1] - first;
    for (int t = 0; t < T; ++t) {
      const size_t col = static_cast<size_t>(t) * B + static_cast<size_t>(first);
      cache.group_loss[static_cast<size_t>(g)] += cells::softmax_xent<S>(
          V_, n, cache.logits.data() + col * V_, targets + col, scale, cache.dlogits.data() + col * V_);
    }
    total += cache.group_loss[static_cast<size_t>(g)];
  }
  return total / mean_over;
}

template <typename S>
void Network<S>::backward(const S* params, ForwardCache<S>& cache, S* grads, RecurrentState<S>* dstate0,
                          GradientProbe* probe, BackwardRecord<S>* record) const {
  if (cache.group_bounds.size() != 2)
    throw std::invalid_argument("backward: the forward ran shards of a step; use backward_groups");
  backward_sweep(params, cache, {grads}, dstate0, probe, record);
}

template <typename S>
void Network<S>::backward_groups(const S* params, ForwardCache<S>& cache, const std::vector<S*>& group_grads) const {
  if (group_grads.size() + 1 != cache.group_bounds.size())
    throw std::invalid_argument("backward_groups: one gradient slab per group of the forward's StepShare");
  backward_sweep(params, cache, group_grads, nullptr, nullptr, nullptr);
}

// Everything per column (the sweep through time, the gradients reaching each layer's input) runs over all B streams
// at once; every sum over columns goes to the slab of the group (StepShare) the columns belong to.
template <typename S>
void Network<S>::backward_sweep(const S* params, ForwardCache<S>& cache, const std::vector<S*>& group_grads,
                                RecurrentState<S>* dstate0, GradientProbe* probe, BackwardRecord<S>* record) const {
  const int H = H_, GH = G_ * H_, T = cache.T, B = cache.B, N = T * B, L = config_.layers;
  const CellType cell = config_.cell;
  const std::vector<int>& bounds = cache.group_bounds;
  const size_t groups = group_grads.size();

  // Head. dy (H, N) = head.weight^T · dlogits; d head.weight (V,H) row-major = (H,V) column-major += h_top · dlogits^T.
  const S* h_top = cache.layers.back().h.data() + static_cast<size_t>(H) * B;
  cache.dy.resize(H, N);
  gemm_columns<S>(false, false, H, N, V_, S(1), params + layout_.head_weight(), H, cache.dlogits.data(), V_, S(0),
                  cache.dy.data(), H);
  for (size_t g = 0; g < groups; ++g) {
    const int first = bounds[g], n = bounds[g + 1] - first, Ng = T * n;
    const S* hg = group_columns(h_top, H, T, B, first, n, cache.gather_a);
    const S* dl = group_columns(cache.dlogits.data(), V_, T, B, first, n, cache.gather_b);
    gemm<S>(false, true, H, V_, Ng, S(1), hg, H, dl, V_, S(1), group_grads[g] + layout_.head_weight(), H);
    add_row_sums<S>(V_, Ng, dl, V_, group_grads[g] + layout_.head_bias());
  }

  cache.dpre.resize(GH, N);
  if (cell == CellType::gru) cache.dhg.resize(GH, N);
  cache.dh.resize(H, B);
  cache.dh_next.resize(H, B);
  cache.dc.resize(H, B);
  if (probe) probe->dh_norm.assign(static_cast<size_t>(L), std::vector<double>(static_cast<size_t>(N), 0.0));
  if (record) {
    *record = BackwardRecord<S>{};
    for (auto* m : {&record->dh_above, &record->dh_future, &record->dc_future, &record->dpre, &record->dhh})
      m->resize(static_cast<size_t>(L));
  }

  for (int k = L - 1; k >= 0; --k) {
    auto& c = cache.layers[static_cast<size_t>(k)];
    const LayerBlocks& lb = layout_.layer(k);
    // Backward multiplies by W_hh^T: (H, GH) = the column-major view itself, no transpose.
    cache.w_hh.set(false, H, GH, params + lb.weight_hh, H);
    cache.dh_next.setZero();   // truncated BPTT: nothing flows back from beyond the chunk's end
    cache.dc.setZero();
    const auto ks = static_cast<size_t>(k);
    if (record) {
      record->dh_above[ks] = cache.dy;
      record->dh_future[ks].resize(H, N);
      if (has_cell_state(cell)) record->dc_future[ks].resize(H, N);
    }
    for (int t = T - 1; t >= 0; --t) {
      const size_t col = static_cast<size_t>(t) * B;
      if (record) {   // what arrives from step t+1, before this step adds its own share
        record->dh_future[ks].middleCols(static_cast<Eigen::Index>(col), B) = cache.dh_next;
        if (has_cell_state(cell)) record->dc_future[ks].middleCols(static_cast<Eigen::Index>(col), B) = cache.dc;
      }
      cache.dh = cache.dy.middleCols(static_cast<Eigen::Index>(col), B) + cache.dh_next;
      if (probe)
        for (int b = 0; b < B; ++b)
          probe->dh_norm[static_cast<size_t>(k)][col + static_cast<size_t>(b)] = cache.dh.col(b).norm();
      S* dp = cache.dpre.data() + col * GH;
      const S* g = c.gates.data() + col * GH;
      switch (cell) {
        case CellType::rnn_tanh:
          cells::rnn_backward(H, B, c.h.data() + (col + B) * H, cache.dh.data(), dp);
          cache.w_hh.multiply(B, S(1), dp, GH, S(0), cache.dh_next.data(), H);
          break;
        case CellType::lstm:
          cells::lstm_backward(H, B, g, c.c.data() + col * H, c.tanh_c.data() + col * H, cache.dh.data(),
                               cache.dc.data(), dp);
          cache.w_hh.multiply(B, S(1), dp, GH, S(0), cache.dh_next.data(), H);
          break;
        case CellType::lstm_peephole:
        case CellType::lstm_cifg:
        case CellType::lstm_nfg:
          // Per group: the peephole weights' gradient sums over the group's streams.
          for (size_t q = 0; q < groups; ++q) {
            const size_t f = static_cast<size_t>(bounds[q]);
            const int n = bounds[q + 1] - bounds[q];
            cells::lstm_variant_backward(variant_of(cell), H, n, g + f * GH, c.c.data() + (col + f) * H,
                                         c.c.data() + (col + B + f) * H, c.tanh_c.data() + (col + f) * H,
                                         params + lb.peephole, cache.dh.data() + f * H, cache.dc.data() + f * H,
                                         dp + f * GH, group_grads[q] + lb.peephole);
          }
          cache.w_hh.multiply(B, S(1), dp, GH, S(0), cache.dh_next.data(), H);
          break;
        case CellType::gru: {
          S* dhg = cache.dhg.data() + col * GH;
          cells::gru_backward(H, B, g, c.hg.data() + col * GH, c.h.data() + col * H, cache.dh.data(), dp, dhg,
                              cache.dh_next.data());
          cache.w_hh.multiply(B, S(1), dhg, GH, S(1), cache.dh_next.data(), H);
          break;
        }
      }
    }
    if (record) {
      record->dpre[ks] = cache.dpre;
      if (cell == CellType::gru) record->dhh[ks] = cache.dhg;
    }
    if (dstate0) {
      dstate0->h[static_cast<size_t>(k)] = cache.dh_next;
      if (has_cell_state(cell)) dstate0->c[static_cast<size_t>(k)] = cache.dc;
    }
    layer_weight_gradients(params, cache, k, group_grads);
    if (k == 0 && (!layout_.has_embedding() || cache.token_table_used)) continue;   // nothing below needs dx

    // dx (In, N) = W_ih^T · dpre: the gradient reaching the layer's input.
    const int In = lb.input_size;
    cache.dx.resize(In, N);
    gemm_columns<S>(false, false, In, N, GH, S(1), params + lb.weight_ih, In, cache.dpre.data(), GH, S(0),
                    cache.dx.data(), In);
    if (k == 0) {
      for (size_t q = 0; q < groups; ++q) {   // each group's columns in time order, into its slab
        S* ge = group_grads[q] + layout_.embed_weight();   // (V, E) row-major
        for (int t = 0; t < T; ++t)
          for (int j = bounds[q]; j < bounds[q + 1]; ++j) {
            const size_t col = static_cast<size_t>(t) * B + static_cast<size_t>(j);
            VecMap<S>(ge + static_cast<size_t>(cache.inputs[col]) * In, In) += cache.dx.col(static_cast<Eigen::Index>(col));
          }
      }
    } else if (c.mask.size() > 0) {
      cache.dy = cache.dx.cwiseProduct(c.mask);
    } else {
      cache.dy.swap(cache.dx);
    }
  }
  if (record) record_layer_input_gradient(params, cache, *record);
}

// Layer k's weight gradients from the sweep's dpre (and GRU's dhg), group by group: after the sweep as single
// products over each group's T*n columns.
template <typename S>
void Network<S>::layer_weight_gradients(const S* params, ForwardCache<S>& cache, int k,
                                        const std::vector<S*>& group_grads) const {
  const int H = H_, GH = G_ * H_, T = cache.T, B = cache.B;
  const auto& c = cache.layers[static_cast<size_t>(k)];
  const LayerBlocks& lb = layout_.layer(k);
  const int In = lb.input_size;
  // dhh: the gradient w.r.t. the recurrent pre-activation W_hh·h_prev + b_hh (same as dpre except for GRU).
  const Mat<S>& dhh = (config_.cell == CellType::gru) ? cache.dhg : cache.dpre;
  for (size_t q = 0; q < group_grads.size(); ++q) {
    S* grads = group_grads[q];
    const int first = cache.group_bounds[q], n = cache.group_bounds[q + 1] - first, Ng = T * n;
    // d W_hh (GH,H) row-major = (H,GH) column-major += h_prev (H, N) · dhh^T, with h_prev = blocks 0..T-1.
    const S* h_prev = group_columns(c.h.data(), H, T, B, first, n, cache.gather_a);
    const S* dhh_g = group_columns(dhh.data(), GH, T, B, first, n, cache.gather_b);
    gemm<S>(false, true, H, GH, Ng, S(1), h_prev, H, dhh_g, GH, S(1), grads + lb.weight_hh, H);
    add_row_sums<S>(GH, Ng, dhh_g, GH, grads + lb.bias_hh);
    const S* dpre_g = &dhh == &cache.dpre ? dhh_g : group_columns(cache.dpre.data(), GH, T, B, first, n, cache.gather_b);
    add_row_sums<S>(GH, Ng, dpre_g, GH, grads + lb.bias_ih);

    if (k == 0 && !layout_.has_embedding()) {
      // W_ih0 · onehot(v) picked column v, so its gradient lands in column v.
      S* gw = grads + lb.weight_ih;   // (GH, V) row-major
      for (int t = 0; t < T; ++t)
        for (int j = 0; j < n; ++j) {
          const int v = cache.inputs[static_cast<size_t>(t) * B + static_cast<size_t>(first + j)];
          const S* d = dpre_g + (static_cast<size_t>(t) * n + static_cast<size_t>(j)) * GH;
          for (int r = 0; r < GH; ++r) gw[static_cast<size_t>(r) * In + v] += d[r];
        }
    } else if (k == 0 && cache.token_table_used) {
      // d W_ih0 and d embed from the per-token sums of dpre (token_table.hpp); no (E, N) dx needed.
      cache.gather_tokens.resize(static_cast<size_t>(Ng));
      for (int t = 0; t < T; ++t)
        for (int j = 0; j < n; ++j)
          cache.gather_tokens[static_cast<size_t>(t) * n + j] = cache.inputs[static_cast<size_t>(t) * B + first + j];
      cache.dtoken.resize(GH, V_);
      token_table_backward<S>(GH, In, V_, Ng, cache.gather_tokens.data(), dpre_g, params + lb.weight_ih,
                              params + layout_.embed_weight(), cache.dtoken.data(), grads + lb.weight_ih,
                              grads + layout_.embed_weight());
    } else {
      const S* x = (k == 0 || c.x.size() > 0)
                       ? c.x.data()
                       : cache.layers[static_cast<size_t>(k - 1)].h.data() + static_cast<size_t>(H) * B;
      const S* x_g = group_columns(x, In, T, B, first, n, cache.gather_a);
      gemm<S>(false, true, In, GH, Ng, S(1), x_g, In, dpre_g, GH, S(1), grads + lb.weight_ih, In);
    }
  }
}

// record.dx[0] (In, N) = W_ih0^T · dpre: the gradient reaching layer 0's input vector (the one-hot vector or the
// embedding row), which training itself never forms for one-hot input or the token table. The same product the
// embedding path uses for its dx.
template <typename S>
void Network<S>::record_layer_input_gradient(const S* params, const ForwardCache<S>& cache,
                                             BackwardRecord<S>& record) const {
  const LayerBlocks& lb = layout_.layer(0);
  const int GH = G_ * H_, In = lb.input_size, N = cache.T * cache.B;
  record.dx.assign(1, Mat<S>(In, N));
  gemm<S>(false, false, In, N, GH, S(1), params + lb.weight_ih, In, record.dpre[0].data(), GH, S(0),
          record.dx[0].data(), In);
}

// ws.pre (GH, B) = layer 0's input projection of the B tokens, from ws.input_table, computing the columns of tokens
// not seen before with the one-token product (so each column has exactly the bits step() gives without the table).
template <typename S>
void Network<S>::input_projection_cached(const S* params, const int32_t* tokens, int B, StepWorkspace<S>& ws) const {
  const int GH = G_ * H_;
  if (ws.input_table.rows() != GH || ws.input_table.cols() != V_) {
    ws.input_table.resize(GH, V_);
    ws.input_filled.assign(static_cast<size_t>(V_), 0);
  }
  ws.pre.resize(GH, B);
  for (int j = 0; j < B; ++j) {
    const int32_t v = tokens[j];
    S* column = ws.input_table.data() + static_cast<size_t>(v) * GH;
    if (!ws.input_filled[static_cast<size_t>(v)]) {
      Mat<S> one;
      embed_inputs(params, &v, 1, one, &ws.x);
      std::copy(one.data(), one.data() + GH, column);
      ws.input_filled[static_cast<size_t>(v)] = 1;
    }
    std::copy(column, column + GH, ws.pre.data() + static_cast<size_t>(j) * GH);
  }
}

template <typename S>
void Network<S>::step(const S* params, const int32_t* tokens, int B, RecurrentState<S>& state, StepWorkspace<S>& ws,
                      S* logits) const {
  const int H = H_, GH = G_ * H_;
  const CellType cell = config_.cell;
  for (int k = 0; k < config_.layers; ++k) {
    const LayerBlocks& lb = layout_.layer(k);
    const auto ks = static_cast<size_t>(k);
    if (k == 0 && ws.cache_inputs) {
      input_projection_cached(params, tokens, B, ws);
    } else if (k == 0) {
      embed_inputs(params, tokens, B, ws.pre, &ws.x);
    } else {
      ws.pre.resize(GH, B);
      gemm<S>(true, false, GH, B, H, S(1), params + lb.weight_ih, H, state.h[ks - 1].data(), H, S(0), ws.pre.data(), GH);
      add_bias(ws.pre.data(), GH, B, params + lb.bias_ih);
    }
    Mat<S>& h = state.h[ks];
    const S* w_hh = params + lb.weight_hh;
    switch (cell) {
      case CellType::rnn_tanh:
        add_bias(ws.pre.data(), GH, B, params + lb.bias_hh);
        gemm<S>(true, false, GH, B, H, S(1), w_hh, H, h.data(), H, S(1), ws.pre.data(), GH);
        cells::rnn_forward(H, B, ws.pre.data());
        h = ws.pre;
        break;
      case CellType::lstm:
      case CellType::lstm_peephole:
      case CellType::lstm_cifg:
      case CellType::lstm_nfg:
        add_bias(ws.pre.data(), GH, B, params + lb.bias_hh);
        gemm<S>(true, false, GH, B, H, S(1), w_hh, H, h.data(), H, S(1), ws.pre.data(), GH);
        ws.c_new.resize(H, B);
        ws.tanh_c.resize(H, B);
        if (cell == CellType::lstm)
          cells::lstm_forward(H, B, ws.pre.data(), state.c[ks].data(), ws.c_new.data(), ws.tanh_c.data(), h.data());
        else
          cells::lstm_variant_forward(variant_of(cell), H, B, ws.pre.data(), state.c[ks].data(), params + lb.peephole,
                                      ws.c_new.data(), ws.tanh_c.data(), h.data());
        state.c[ks].swap(ws.c_new);
        break;
      case CellType::gru:
        ws.hg.resize(GH, B);
        ws.act.resize(GH, B);
        ws.h_new.resize(H, B);
        gemm<S>(true, false, GH, B, H, S(1), w_hh, H, h.data(), H, S(0), ws.hg.data(), GH);
        add_bias(ws.hg.data(), GH, B, params + lb.bias_hh);
        cells::gru_forward(H, B, ws.pre.data(), ws.hg.data(), h.data(), ws.act.data(), ws.h_new.data());
        h.swap(ws.h_new);
        break;
    }
    if (ws.clamp.layer == k) {   // after the cell, before the layer above and the head read h
      const S v = static_cast<S>(ws.clamp.value);
      if (ws.clamp.h) h.row(ws.clamp.unit).setConstant(v);
      if (ws.clamp.c && has_cell_state(cell)) state.c[ks].row(ws.clamp.unit).setConstant(v);
    }
    if (ws.record_gates) {
      ws.gates.resize(static_cast<size_t>(config_.layers));
      if (has_cell_state(cell)) ws.gates[ks] = ws.pre;
      else if (cell == CellType::gru) ws.gates[ks] = ws.act;
      else ws.gates[ks].resize(0, B);
    }
  }
  gemm<S>(true, false, V_, B, H, S(1), params + layout_.head_weight(), H, state.h.back().data(), H, S(0), logits, V_);
  add_bias(logits, V_, B, params + layout_.head_bias());
}

template class Network<float>;
template class Network<double>;

}  // namespace rnnlab
