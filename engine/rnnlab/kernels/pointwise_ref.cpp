// Scalar reference twins of the cell kernels: the engine's own reference templates (rnnlab/cells.hpp) at float,
// so the SIMD kernels are tested against the very math the double-precision gradient checks and the PyTorch golden
// files verify, not against a second copy of it.
#include "rnnlab/cells.hpp"
#include "rnnlab/kernels/kernels.hpp"

namespace rnnlab::kernels {

void lstm_pointwise_forward_ref(int H, int B, float* gates, const float* c_prev, float* c, float* tanh_c,
                                float* h) {
  cells::lstm_forward_reference(H, B, gates, c_prev, c, tanh_c, h);
}

void lstm_pointwise_backward_ref(int H, int B, const float* gates, const float* c_prev, const float* tanh_c,
                                 const float* dh, float* dc, float* dgates) {
  cells::lstm_backward_reference(H, B, gates, c_prev, tanh_c, dh, dc, dgates);
}

void gru_pointwise_forward_ref(int H, int B, const float* xg, const float* hg, const float* h_prev, float* act,
                               float* h) {
  cells::gru_forward_reference(H, B, xg, hg, h_prev, act, h);
}

void gru_pointwise_backward_ref(int H, int B, const float* act, const float* hg, const float* h_prev,
                                const float* dh, float* dxg, float* dhg, float* dh_prev_partial) {
  cells::gru_backward_reference(H, B, act, hg, h_prev, dh, dxg, dhg, dh_prev_partial);
}

void tanh_forward_ref(int n, float* x) { cells::rnn_forward_reference(n, 1, x); }

void tanh_backward_ref(int n, const float* y, const float* dy, float* dx) {
  cells::rnn_backward_reference(n, 1, y, dy, dx);
}

}  // namespace rnnlab::kernels
