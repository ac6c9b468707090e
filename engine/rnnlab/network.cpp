#include "rnnlab/network.hpp"

#include <algorithm>
#include <cmath>

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
void Network<S>::embed_inputs(const S* params, const int32_t* tokens, int N, Mat<S>& pre, Mat<S>* x_out) const {
  const LayerBlocks& lb = layout_.layer(0);
  const int GH = G_ * H_, In = lb.input_size;
  pre.resize(GH, N);
  if (layout_.has_embedding()) {
    const S* table = params + layout_.embed_weight();   // (V, E) row-major: row v is token v's embedding
    Mat<S> local;
    Mat<S>& x = x_out ? *x_out : local;
    x.resize(In, N);
    for (int j = 0; j < N; ++j) x.col(j) = ConstVecMap<S>(table + static_cast<size_t>(tokens[j]) * In, In);
    gemm<S>(true, false, GH, N, In, S(1), params + lb.weight_ih, In, x.data(), In, S(0), pre.data(), GH);
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
                           int mean_over) const {
  const int H = H_, GH = G_ * H_, N = T * B, L = config_.layers;
  if (mean_over <= 0) mean_over = N;
  const CellType cell = config_.cell;
  cache.T = T;
  cache.B = B;
  cache.inputs.assign(inputs, inputs + N);
  cache.targets.assign(targets, targets + N);
  cache.layers.resize(static_cast<size_t>(L));
  const bool use_dropout = dropout != nullptr && config_.dropout > 0.0f;
  cache.token_table_used = layout_.has_embedding() && use_token_table(V_, N);

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
      embed_inputs(params, inputs, N, pre, &c.x);
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
      gemm<S>(true, false, GH, N, H, S(1), params + lb.weight_ih, H, xin, H, S(0), pre.data(), GH);
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
  gemm<S>(true, false, V_, N, H, S(1), params + layout_.head_weight(), H, h_top, H, S(0), cache.logits.data(), V_);
  add_bias(cache.logits.data(), V_, N, params + layout_.head_bias());
  cache.dlogits.resize(V_, N);
  const double total = cells::softmax_xent<S>(V_, N, cache.logits.data(), targets, S(1) / static_cast<S>(mean_over),
                                              cache.dlogits.data());
  return total / mean_over;
}

template <typename S>
void Network<S>::backward(const S* params, ForwardCache<S>& cache, S* grads, RecurrentState<S>* dstate0,
                          GradientProbe* probe) const {
  const int H = H_, GH = G_ * H_, T = cache.T, B = cache.B, N = T * B, L = config_.layers;
  const CellType cell = config_.cell;

  // Head. dy (H, N) = head.weight^T · dlogits; d head.weight (V,H) row-major = (H,V) column-major += h_top · dlogits^T.
  const S* h_top = cache.layers.back().h.data() + static_cast<size_t>(H) * B;
  cache.dy.resize(H, N);
  gemm<S>(false, false, H, N, V_, S(1), params + layout_.head_weight(), H, cache.dlogits.data(), V_, S(0),
          cache.dy.data(), H);
  gemm<S>(false, true, H, V_, N, S(1), h_top, H, cache.dlogits.data(), V_, S(1), grads + layout_.head_weight(), H);
  add_row_sums<S>(V_, N, cache.dlogits.data(), V_, grads + layout_.head_bias());

  cache.dpre.resize(GH, N);
  if (cell == CellType::gru) cache.dhg.resize(GH, N);
  cache.dh.resize(H, B);
  cache.dh_next.resize(H, B);
  cache.dc.resize(H, B);
  if (probe) probe->dh_norm.assign(static_cast<size_t>(L), std::vector<double>(static_cast<size_t>(N), 0.0));

  for (int k = L - 1; k >= 0; --k) {
    auto& c = cache.layers[static_cast<size_t>(k)];
    const LayerBlocks& lb = layout_.layer(k);
    // Backward multiplies by W_hh^T: (H, GH) = the column-major view itself, no transpose.
    cache.w_hh.set(false, H, GH, params + lb.weight_hh, H);
    cache.dh_next.setZero();   // truncated BPTT: nothing flows back from beyond the chunk's end
    cache.dc.setZero();
    // dhh: the gradient w.r.t. the recurrent pre-activation W_hh·h_prev + b_hh (same as dpre except for GRU).
    Mat<S>& dhh = (cell == CellType::gru) ? cache.dhg : cache.dpre;
    for (int t = T - 1; t >= 0; --t) {
      const size_t col = static_cast<size_t>(t) * B;
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
          cells::lstm_variant_backward(variant_of(cell), H, B, g, c.c.data() + col * H, c.c.data() + (col + B) * H,
                                       c.tanh_c.data() + col * H, params + lb.peephole, cache.dh.data(),
                                       cache.dc.data(), dp, grads + lb.peephole);
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
    if (dstate0) {
      dstate0->h[static_cast<size_t>(k)] = cache.dh_next;
      if (has_cell_state(cell)) dstate0->c[static_cast<size_t>(k)] = cache.dc;
    }
    // Weight gradients for the whole chunk as single products after the sweep.
    // d W_hh (GH,H) row-major = (H,GH) column-major += h_prev (H, N) · dhh^T, with h_prev = blocks 0..T-1.
    gemm<S>(false, true, H, GH, N, S(1), c.h.data(), H, dhh.data(), GH, S(1), grads + lb.weight_hh, H);
    add_row_sums<S>(GH, N, dhh.data(), GH, grads + lb.bias_hh);
    add_row_sums<S>(GH, N, cache.dpre.data(), GH, grads + lb.bias_ih);

    const int In = lb.input_size;
    const bool one_hot_input = (k == 0 && !layout_.has_embedding());
    if (one_hot_input) {
      // W_ih0 · onehot(v) picked column v, so its gradient lands in column v.
      S* gw = grads + lb.weight_ih;   // (GH, V) row-major
      for (int j = 0; j < N; ++j) {
        const int v = cache.inputs[static_cast<size_t>(j)];
        for (int r = 0; r < GH; ++r) gw[static_cast<size_t>(r) * In + v] += cache.dpre(r, j);
      }
      continue;
    }
    if (k == 0 && cache.token_table_used) {
      // d W_ih0 and d embed from the per-token sums of dpre (token_table.hpp); no (E, N) dx needed.
      cache.dtoken.resize(GH, V_);
      token_table_backward<S>(GH, In, V_, N, cache.inputs.data(), cache.dpre.data(), params + lb.weight_ih,
                              params + layout_.embed_weight(), cache.dtoken.data(), grads + lb.weight_ih,
                              grads + layout_.embed_weight());
      continue;
    }
    const S* x = (k == 0 || c.x.size() > 0) ? c.x.data()
                                             : cache.layers[static_cast<size_t>(k - 1)].h.data() + static_cast<size_t>(H) * B;
    gemm<S>(false, true, In, GH, N, S(1), x, In, cache.dpre.data(), GH, S(1), grads + lb.weight_ih, In);
    // dx (In, N) = W_ih^T · dpre: the gradient reaching the layer's input.
    cache.dx.resize(In, N);
    gemm<S>(false, false, In, N, GH, S(1), params + lb.weight_ih, In, cache.dpre.data(), GH, S(0), cache.dx.data(), In);
    if (k == 0) {
      S* ge = grads + layout_.embed_weight();   // (V, E) row-major
      for (int j = 0; j < N; ++j)
        VecMap<S>(ge + static_cast<size_t>(cache.inputs[static_cast<size_t>(j)]) * In, In) += cache.dx.col(j);
    } else if (c.mask.size() > 0) {
      cache.dy = cache.dx.cwiseProduct(c.mask);
    } else {
      cache.dy.swap(cache.dx);
    }
  }
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
