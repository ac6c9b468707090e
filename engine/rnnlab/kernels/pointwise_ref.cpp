// Scalar reference cell nonlinearities: the formulas exactly as written in kernels.hpp, with std::exp and
// std::tanh, one element at a time.
#include "rnnlab/kernels/kernels.hpp"

#include <cmath>

namespace rnnlab::kernels {

namespace {
inline float sigmoid(float x) { return 1.0f / (1.0f + std::exp(-x)); }
}  // namespace

void lstm_pointwise_forward_ref(int H, int B, float* gates, const float* c_prev, float* c, float* tanh_c,
                                float* h) {
  for (int b = 0; b < B; ++b) {
    float* g = gates + static_cast<long>(b) * 4 * H;  // [i, f, g, o] blocks of H for stream b
    const long o = static_cast<long>(b) * H;         // offset of stream b in the (H, B) buffers
    for (int j = 0; j < H; ++j) {
      const float i_ = sigmoid(g[j]), f_ = sigmoid(g[H + j]), g_ = std::tanh(g[2 * H + j]),
                  o_ = sigmoid(g[3 * H + j]);
      g[j] = i_;
      g[H + j] = f_;
      g[2 * H + j] = g_;
      g[3 * H + j] = o_;
      const float cj = f_ * c_prev[o + j] + i_ * g_;
      const float tc = std::tanh(cj);
      c[o + j] = cj;
      tanh_c[o + j] = tc;
      h[o + j] = o_ * tc;
    }
  }
}

void lstm_pointwise_backward_ref(int H, int B, const float* gates, const float* c_prev, const float* tanh_c,
                                 const float* dh, float* dc, float* dgates) {
  for (int b = 0; b < B; ++b) {
    const float* g = gates + static_cast<long>(b) * 4 * H;
    float* dg = dgates + static_cast<long>(b) * 4 * H;
    const long o = static_cast<long>(b) * H;
    for (int j = 0; j < H; ++j) {
      const float i_ = g[j], f_ = g[H + j], g_ = g[2 * H + j], o_ = g[3 * H + j];
      const float tc = tanh_c[o + j], dhj = dh[o + j];
      const float dct = dc[o + j] + dhj * o_ * (1.0f - tc * tc);  // total gradient reaching c_t
      dg[j] = dct * g_ * i_ * (1.0f - i_);
      dg[H + j] = dct * c_prev[o + j] * f_ * (1.0f - f_);
      dg[2 * H + j] = dct * i_ * (1.0f - g_ * g_);
      dg[3 * H + j] = dhj * tc * o_ * (1.0f - o_);
      dc[o + j] = dct * f_;
    }
  }
}

void gru_pointwise_forward_ref(int H, int B, const float* xg, const float* hg, const float* h_prev, float* act,
                               float* h) {
  for (int b = 0; b < B; ++b) {
    const long g = static_cast<long>(b) * 3 * H, o = static_cast<long>(b) * H;
    for (int j = 0; j < H; ++j) {
      const float r = sigmoid(xg[g + j] + hg[g + j]);
      const float z = sigmoid(xg[g + H + j] + hg[g + H + j]);
      const float n = std::tanh(xg[g + 2 * H + j] + r * hg[g + 2 * H + j]);
      act[g + j] = r;
      act[g + H + j] = z;
      act[g + 2 * H + j] = n;
      h[o + j] = n + z * (h_prev[o + j] - n);  // = (1 - z) n + z h_prev, torch's form
    }
  }
}

void gru_pointwise_backward_ref(int H, int B, const float* act, const float* hg, const float* h_prev,
                                const float* dh, float* dxg, float* dhg, float* dh_prev_partial) {
  for (int b = 0; b < B; ++b) {
    const long g = static_cast<long>(b) * 3 * H, o = static_cast<long>(b) * H;
    for (int j = 0; j < H; ++j) {
      const float r = act[g + j], z = act[g + H + j], n = act[g + 2 * H + j];
      const float dhj = dh[o + j];
      const float dn = dhj * (1.0f - z) * (1.0f - n * n);         // w.r.t. n's pre-activation
      const float dz = dhj * (h_prev[o + j] - n) * z * (1.0f - z);
      const float dr = dn * hg[g + 2 * H + j] * r * (1.0f - r);
      dxg[g + j] = dr;
      dxg[g + H + j] = dz;
      dxg[g + 2 * H + j] = dn;
      dhg[g + j] = dr;
      dhg[g + H + j] = dz;
      dhg[g + 2 * H + j] = dn * r;
      dh_prev_partial[o + j] = dhj * z;
    }
  }
}

void tanh_forward_ref(int n, float* x) {
  for (int i = 0; i < n; ++i) x[i] = std::tanh(x[i]);
}

void tanh_backward_ref(int n, const float* y, const float* dy, float* dx) {
  for (int i = 0; i < n; ++i) dx[i] = dy[i] * (1.0f - y[i] * y[i]);
}

}  // namespace rnnlab::kernels
