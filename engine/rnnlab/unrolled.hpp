// The network unrolled in time on a short text, with every number of the forward pass and of backpropagation
// through time, for the "Step through" view (the classic lecture on "hello", with the engine's real numbers).
//
// The numbers come from the engine's own passes: Network::forward and Network::backward (with a BackwardRecord) run
// on the text as one stream (B = 1) from a given state, in windows of the truncation length, without dropout. So
// the losses, activations, gates, h, c, logits and every gradient are the bits training computes for that input.
// Only the two products shown apart, W_ih·x_t and W_hh·h_{t-1}, and their sum are recomputed here (the engine adds
// them in place), so `pre` may differ from the engine's pre-activation in the last bit (not for the vanilla RNN,
// whose pre-activation the engine keeps: that one is copied).
//
// No dropout: the view shows the deterministic network. A model trained with dropout > 0 drops a random share of
// the inputs of layers > 0 in each real training step, so its real step differs; Unrolled::dropout_ignored says so.
//
// Layout: per step t, row-major by step ([t * dim + i]); gate blocks in torch order (network.hpp). Gradients are of
// the mean loss over the T steps (what training minimises), so dL/dy_t = (p_t - onehot(target_t)) / T.
#pragma once
#include <cstdint>
#include <vector>

#include "rnnlab/network.hpp"

namespace rnnlab {

constexpr int kMaxUnrollSteps = 64;    // T: a text of up to 65 characters gives 64 predictions
constexpr int kPrintableHidden = 16;   // up to this H (and an input of up to kPrintableInput) every matrix is kept
constexpr int kPrintableInput = 64;
constexpr int kTopUnits = 5;           // units listed per step for models too big to print

struct UnrollOptions {
  int window = 0;   // truncated BPTT: backpropagate within windows of this many steps (0 or >= T: one window)
};

template <typename S>
struct UnrolledLayer {
  int in = 0;                  // In: the layer's input size (V one-hot, E embedded, H above layer 0)
  // ---- forward ----
  std::vector<S> x;            // (T, In)   one-hot vector, embedding row, or h_t of the layer below
  std::vector<S> wx, wh;       // (T, GH)   W_ih·x_t and W_hh·h_{t-1}, without biases
  std::vector<S> b_ih, b_hh;   // (GH)
  std::vector<S> pre;          // (T, GH)   wx + b_ih + wh + b_hh; GRU's n rows: wx + b_ih + r ⊙ (wh + b_hh)
  std::vector<S> gates;        // (T, GH)   activated gates: LSTM i,f,g,o (CIFG/NFG: i,g,o), GRU r,z,n; RNN: empty
  std::vector<S> h;            // (T+1, H)  row 0: the state carried in; row t+1: h_t
  std::vector<S> c;            // (T+1, H)  LSTM family, same rows; empty otherwise
  // ---- backward ----
  std::vector<S> dh_above;     // (T, H)    from the head (top layer) or from the layer above
  std::vector<S> dh_future;    // (T, H)    from step t+1 (zero at a window's last step: where truncation cuts)
  std::vector<S> dh;           // (T, H)    their sum, dL/dh_t
  std::vector<double> dh_norm; // (T)       ||dL/dh_t||
  std::vector<S> dc_future;    // (T, H)    LSTM family: dL/dc_t through c_{t+1}
  std::vector<S> dc;           // (T, H)    LSTM family: all of dL/dc_t, dc_future + dh_t ⊙ o_t ⊙ (1 - tanh²c_t)
                               //           (+ the peephole's path through o); recomputed from the recorded values
  std::vector<S> dpre;         // (T, GH)   dL/d pre-activation, through the nonlinearity (GRU: the W_ih side)
  std::vector<S> dhh;          // (T, GH)   GRU: dL/d(W_hh·h_{t-1} + b_hh); empty otherwise
  std::vector<S> dh_dropped;   // (T, H)    at a window's first step s: the gradient for h_{s-1} (the carried
                               //           state) that truncation drops; zero on other rows
  // Weight gradients accumulating backward in time: entry t sums the contributions of steps t..T-1, so entry 0 is
  // the whole gradient. Norms always; the matrices (torch layout, as the parameter blocks) only when printable.
  std::vector<double> run_norm_w_ih, run_norm_w_hh, run_norm_b_ih, run_norm_b_hh;   // (T)
  std::vector<S> run_w_ih;     // (T, GH*In)
  std::vector<S> run_w_hh;     // (T, GH*H)
  std::vector<S> run_b_ih, run_b_hh;   // (T, GH)
  // For models too big to print: per step the kTopUnits units (or H if fewer) that change most, by |h_t - h_{t-1}|
  // (forward) and by |dL/dh_t| (backward), largest first.
  std::vector<int32_t> top_forward, top_backward;   // (T, min(kTopUnits, H))
};

template <typename S>
struct Unrolled {
  int T = 0, V = 0, H = 0, L = 0, G = 0;
  CellType cell = CellType::rnn_tanh;
  bool one_hot = false;
  bool printable = false;          // H <= kPrintableHidden and every layer's In <= kPrintableInput
  bool dropout_ignored = false;    // the model has dropout > 0, which this trace (and only it) leaves out
  int window = 0;                  // the truncation length used (T when there is no cut)
  std::vector<int32_t> inputs, targets;   // (T) token ids
  std::vector<uint8_t> window_start;      // (T) 1 where a truncation window begins (always at t = 0)
  std::vector<UnrolledLayer<S>> layers;   // (L) bottom first
  std::vector<S> logits, probs;           // (T, V)
  std::vector<S> dlogits;                 // (T, V) dL/dy_t = (p_t - onehot) / T, the engine's values
  std::vector<double> loss;               // (T) -log p_t(target_t), in nats
  double mean_loss = 0;                   // the training loss on this input (forward's), = sum(loss) / T up to
                                          // the last bits in wasm (its softmax kernel sums logs as one product's)
  Slab<S> grads;                          // the engine's whole gradient (ParamLayout slab)
  RecurrentState<S> final_state;          // after the T steps: what the next chunk would carry
};

// Runs the unrolled forward and backward over tokens[0..n): T = n - 1 steps, step t reads tokens[t] and predicts
// tokens[t+1]. state0 (B = 1) is the state carried in. Throws ConfigError when n < 2 or T > kMaxUnrollSteps.
template <typename S>
Unrolled<S> unroll(const Network<S>& net, const S* params, const std::vector<int32_t>& tokens,
                   const RecurrentState<S>& state0, const UnrollOptions& options = {});

// The mean loss over the same steps (forward only, state carried through the windows), e.g. after an update.
template <typename S>
double unrolled_loss(const Network<S>& net, const S* params, const std::vector<int32_t>& tokens,
                     const RecurrentState<S>& state0, int window = 0);

extern template Unrolled<float> unroll(const Network<float>&, const float*, const std::vector<int32_t>&,
                                       const RecurrentState<float>&, const UnrollOptions&);
extern template Unrolled<double> unroll(const Network<double>&, const double*, const std::vector<int32_t>&,
                                        const RecurrentState<double>&, const UnrollOptions&);
extern template double unrolled_loss(const Network<float>&, const float*, const std::vector<int32_t>&,
                                     const RecurrentState<float>&, int);
extern template double unrolled_loss(const Network<double>&, const double*, const std::vector<int32_t>&,
                                     const RecurrentState<double>&, int);

}  // namespace rnnlab
