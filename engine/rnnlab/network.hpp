// The character language model's math: embedding (or one-hot) -> L stacked cells -> linear head -> softmax.
// Network<Scalar> is stateless; parameters live in a slab laid out by ParamLayout (params.hpp).
// float trains; double exists for gradient checks and PyTorch parity.
//
// Activation matrices are column-major with one column per (time step, stream): column t*B + b.
#pragma once
#include <cstdint>
#include <vector>

#include "rnnlab/config.hpp"
#include "rnnlab/eigen.hpp"
#include "rnnlab/linalg.hpp"
#include "rnnlab/params.hpp"
#include "rnnlab/rng.hpp"

namespace rnnlab {

// Hidden state of every layer for B streams: h[k] (H,B); c[k] (H,B) for LSTM only (else empty).
template <typename S>
struct RecurrentState {
  std::vector<Mat<S>> h, c;
  void set_zero() {
    for (auto& m : h) m.setZero();
    for (auto& m : c) m.setZero();
  }
  int batch() const { return h.empty() ? 0 : static_cast<int>(h[0].cols()); }
};

// What forward keeps for backward, plus backward's scratch, reused from step to step.
template <typename S>
struct ForwardCache {
  int T = 0, B = 0;
  std::vector<int32_t> inputs, targets;   // (T*B) time-major
  struct Layer {
    Mat<S> x;        // (In, T*B) the layer's input when it is materialised (embedding without the token table,
                     // or dropout applied); empty otherwise
    Mat<S> mask;     // (H, T*B) dropout mask on this layer's input (layers > 0), scaled by 1/(1-p)
    Mat<S> h;        // (H, (T+1)*B) column block 0 is h0, block t+1 is h_t
    Mat<S> c;        // (H, (T+1)*B) LSTM cell states, same blocks as h
    Mat<S> gates;    // (G*H, T*B) LSTM: activated i,f,g,o; GRU: r,z,n; RNN: pre-activations
    Mat<S> tanh_c;   // (H, T*B) LSTM
    Mat<S> hg;       // (3H, T*B) GRU: W_hh·h_prev + b_hh
  };
  std::vector<Layer> layers;
  // Layer 0 with an embedding and N >= 2V (token_table.hpp): x stays empty; instead token_table (G*H, V) holds
  // W_ih0 · embed(v) + b_ih0 per token, and backward sums dpre by token into dtoken (G*H, V).
  bool token_table_used = false;
  Mat<S> token_table, dtoken;
  // The forward's StepShare (one group of all B streams without one) and each group's summed cross-entropy (nats).
  std::vector<int> group_bounds;
  std::vector<double> group_loss;
  Mat<S> gather_a, gather_b;               // backward scratch: one group's columns of two matrices
  std::vector<int32_t> gather_tokens;
  Mat<S> logits;     // (V, T*B)
  Mat<S> dlogits;    // (V, T*B) (softmax - onehot) / (T*B)
  // backward scratch
  Mat<S> dy, dx, dpre, dhg, dh, dh_next, dc;
  ReusedOperand<S> w_hh;   // the layer's recurrent weights, prepared once for all T steps
};

// A unit held at a value ("what if this unit were off?"): after each step, row `unit` of layer `layer`'s h (and, for
// the LSTM family with c, its cell state) is set to `value` before the layer above and the head read it, so
// everything downstream of the unit sees the clamped value and nothing upstream changes. With c only, h_t still
// comes from the unclamped c_t; the clamp shows from the next step on. layer = -1: no clamp, and step() takes the
// same path as without this field (bit for bit).
struct UnitClamp {
  int layer = -1, unit = 0;
  bool h = true, c = false;
  double value = 0;
  bool active() const { return layer >= 0; }
};

// Scratch for one-step inference (sampling, tracing), sized on first use.
template <typename S>
struct StepWorkspace {
  Mat<S> x, pre, hg, act, c_new, tanh_c, h_new;
  // With cache_inputs, step() keeps layer 0's input projection per token: input_table column v (G*H) =
  // W_ih0 · x(v) + b_ih0, which depends on the token alone. Sampling one character at a time then skips that
  // product (a third of a W2 step) after a token's first use. Each column is computed by the same one-token product
  // step() uses without the table, so results are bit for bit the same. Valid only while the parameters do not
  // change: use a fresh workspace (or clear input_filled) after any update.
  bool cache_inputs = false;
  Mat<S> input_table;                  // (G*H, V)
  std::vector<uint8_t> input_filled;   // (V) 1 once column v holds token v's projection
  // With record_gates, step() keeps each layer's gate activations: LSTM (4H,B) i,f,g,o; GRU (3H,B) r,z,n;
  // nothing for the vanilla RNN (its only activation is h).
  bool record_gates = false;
  std::vector<Mat<S>> gates;
  UnitClamp clamp;   // none by default
};

// Where a training chunk's dropout masks come from. Stream b's masks (every layer, every time step) are drawn from
// a generator of its own, seeded by (seed, chunk, layer, first_stream + b), so a stream gets the same masks whichever
// shard, thread or worker runs it, and nothing but the step count needs saving for an exact resume (shards.hpp).
struct DropoutKey {
  uint64_t seed = 0;       // the run's seed
  uint64_t chunk = 0;      // which training chunk: the session's accepted-step count when it was drawn
  int first_stream = 0;    // the run-wide index of this forward's stream 0
};

// Where a training forward sits in a data-parallel step (shards.hpp): the forward runs some consecutive streams of
// the step, grouped into its shards, and everything summed over streams (the loss, every weight gradient) is summed
// per shard, so the sums do not depend on which streams share a forward. Without it a forward is a step of its own.
struct StepShare {
  int step_batch = 0;        // B of the whole step: losses and gradients are shares of its mean over T * step_batch
  std::vector<int> bounds;   // shard boundaries in this forward's streams: 0 = b_0 < b_1 < ... < b_n = B
  int groups() const { return static_cast<int>(bounds.size()) - 1; }
};

// What backward can report besides gradients: how far the error reaches back in time.
struct GradientProbe {
  // dh_norm[k][t*B + b]: ||dL/dh_t|| of stream b at layer k (t = 0..T-1), the gradient reaching h_t from the loss
  // through the head and all later steps. Per stream, so the caller chooses how to summarise the streams.
  std::vector<std::vector<double>> dh_norm;
};

// What backward can record per step for the step-through view (unrolled.hpp): the engine's own intermediate values,
// copied as the sweep produces them. Per layer k, each (rows, T*B) with column t*B + b as everywhere.
template <typename S>
struct BackwardRecord {
  std::vector<Mat<S>> dh_above;    // (H, N) gradient reaching h_t from the head (top layer) or the layer above
  std::vector<Mat<S>> dh_future;   // (H, N) gradient reaching h_t from step t+1 (zero at the chunk's last step)
  std::vector<Mat<S>> dc_future;   // (H, N) LSTM family: dL/dc_t through c_{t+1} (empty otherwise)
  std::vector<Mat<S>> dpre;        // (G*H, N) gradient at the gates' pre-activations (GRU: at W_ih·x + b_ih)
  std::vector<Mat<S>> dhh;         // (G*H, N) GRU: gradient at W_hh·h_{t-1} + b_hh (empty otherwise)
  std::vector<Mat<S>> dx;          // (In, N) gradient reaching the layer's input: layer 0 only, one-hot or embedded
};

template <typename S>
class Network {
 public:
  Network(const ModelConfig& config, int vocab_size);

  const ModelConfig& config() const { return config_; }
  const ParamLayout& layout() const { return layout_; }
  int vocab_size() const { return V_; }
  RecurrentState<S> zero_state(int B) const;

  // torch.nn's default initialisation: U(-1/sqrt(H), 1/sqrt(H)) for the cells and the head, N(0,1) embedding.
  void init_params(Rng& rng, S* params) const;

  // Runs T steps over B streams and returns the mean cross-entropy in nats per character: over its own T*B
  // characters, or with a share (StepShare) its characters' share of the step's mean over T * share->step_batch,
  // with each group's sum in cache.group_loss. state: initial state in, final state out. dropout: given in training
  // when dropout > 0.
  double forward(const S* params, const int32_t* inputs, const int32_t* targets, int T, int B, RecurrentState<S>& state,
                 ForwardCache<S>& cache, const DropoutKey* dropout, const StepShare* share = nullptr) const;

  // Backpropagation through the T steps of the last forward. Adds dL/dparams into grads (zeroed by the caller
  // once per step). The gradient is truncated at the chunk start; dstate0, if given, receives dL/dh0 (and dc0).
  // record, if given, receives the per-step values of the sweep (BackwardRecord); the gradients are the same bits.
  void backward(const S* params, ForwardCache<S>& cache, S* grads, RecurrentState<S>* dstate0 = nullptr,
                GradientProbe* probe = nullptr, BackwardRecord<S>* record = nullptr) const;
  // The same after a forward with a StepShare: group g's gradient sums go to group_grads[g] (zeroed by the caller).
  void backward_groups(const S* params, ForwardCache<S>& cache, const std::vector<S*>& group_grads) const;

  // One time step for B streams without caches: tokens (B) -> logits (V,B), state advanced.
  void step(const S* params, const int32_t* tokens, int B, RecurrentState<S>& state, StepWorkspace<S>& ws,
            S* logits) const;

 private:
  // by_columns: gemm_columns (training's per-column product), else gemm (which picks GEMV for one token).
  void embed_inputs(const S* params, const int32_t* tokens, int N, Mat<S>& pre_out, Mat<S>* x_out,
                    bool by_columns = false) const;
  void draw_dropout_mask(const DropoutKey& key, int layer, int T, int B, Mat<S>& mask) const;
  void input_projection_cached(const S* params, const int32_t* tokens, int B, StepWorkspace<S>& ws) const;
  void backward_sweep(const S* params, ForwardCache<S>& cache, const std::vector<S*>& group_grads,
                      RecurrentState<S>* dstate0, GradientProbe* probe, BackwardRecord<S>* record) const;
  void layer_weight_gradients(const S* params, ForwardCache<S>& cache, int k, const std::vector<S*>& group_grads) const;
  void record_layer_input_gradient(const S* params, const ForwardCache<S>& cache, BackwardRecord<S>& record) const;
  ModelConfig config_;
  ParamLayout layout_;
  int V_, H_, G_;
};

extern template class Network<float>;
extern template class Network<double>;

}  // namespace rnnlab
