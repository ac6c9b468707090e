// The "Step through" view's engine side for a Session: the unrolled trace of its current model on a short text
// (unrolled.hpp), one unit of it in full for models too big to print, the update a training step would make on that
// text, and the numerical gradient check (gradient_check.hpp). Nothing here changes the session: updates are
// previewed on copies of the weights and of the optimizer's moments.
#pragma once
#include <cstdint>
#include <string_view>
#include <vector>

#include "rnnlab/gradient_check.hpp"
#include "rnnlab/session.hpp"
#include "rnnlab/unrolled.hpp"

namespace rnnlab {

// The text's characters as token ids; characters the model does not know are skipped (as in trace()). Throws
// ConfigError when fewer than 2 remain or when there are more than max_chars.
std::vector<int32_t> known_tokens(const Session& session, std::string_view utf8_text, size_t max_chars);

// The unrolled trace of the session's model on tokens from a zero state (window: truncation length, 0 = none).
Unrolled<float> unroll_session(const Session& session, const std::vector<int32_t>& tokens, int window);

// One unit j of layer k across the T steps, with the rows of the weight gradients that belong to it (the unit's
// row in each gate block), for any model size.
struct UnitView {
  int layer = 0, unit = 0, G = 0, in = 0, H = 0;
  std::vector<float> h, c;                   // (T+1) row 0 the carried state; c for the LSTM family
  std::vector<float> pre, gates, wx, wh;     // (T, G) the unit's row of each gate block (gates empty for the RNN)
  std::vector<float> dh_above, dh_future, dh, dc_future;   // (T)
  std::vector<float> dpre;                   // (T, G)
  std::vector<float> run_w_ih;               // (T, G, In) running dW_ih rows, as UnrolledLayer::run_w_ih
  std::vector<float> run_w_hh;               // (T, G, H)
};
// Throws ConfigError when layer or unit is out of range.
UnitView unit_view(const Unrolled<float>& u, int layer, int unit);

struct UpdatePreview {
  uint64_t step = 0;            // the update's number (the session's step + 1)
  float lr = 0;                 // the scheduled learning rate for it
  double loss_before = 0;       // mean loss on the text before and after the update
  double loss_after = 0;
  double grad_norm = 0;         // global L2 norm of the gradient before clipping
  bool clipped = false;
  bool rejected = false;        // non-finite gradient: a real step would not touch the weights (delta is 0)
  double delta_norm = 0;        // ||params_after - params||
  Slab<float> grad;             // the gradient after clipping (ParamLayout slab)
  Slab<float> delta;            // params_after - params
  Slab<float> params_after;     // the weights the step would leave
  std::vector<double> block_delta_norm;   // per ParamLayout block
};
// What the session's next optimizer step would do if this text were its training chunk (B = 1, from a zero state,
// truncated at `window`): the same clipping, schedule, optimizer and moments, applied to copies.
UpdatePreview preview_update(const Session& session, const std::vector<int32_t>& tokens, int window);

// The numerical gradient check on the session's model and this text: analytic = the trace's gradient (full BPTT).
std::vector<GradCheckEntry> check_gradients(const Session& session, const std::vector<int32_t>& tokens, int count,
                                            uint64_t seed);

}  // namespace rnnlab
