// The elementwise part of each recurrent cell, forward and backward as adjacent pairs.
//
// The matrix products (input projection, recurrent product) happen outside; these functions take the summed
// pre-activations of one time step for B streams and apply the gate nonlinearities. Layouts are column-major
// (rows, B): column b holds stream b, and the gate blocks of G*H rows follow torch.nn's order.
// These templates are the reference definition (used in double for gradient checks); the float path may
// route to the SIMD kernels in kernels/, which are tested against this behaviour.
#pragma once
#include <cmath>

namespace rnnlab::cells {

template <typename S>
inline S sigmoid(S x) {
  return S(1) / (S(1) + std::exp(-x));
}

// ---- vanilla RNN: h = tanh(pre) --------------------------------------------------------------
// pre (H,B) is overwritten with h.
template <typename S>
void rnn_forward(int H, int B, S* pre) {
  for (int i = 0, n = H * B; i < n; ++i) pre[i] = std::tanh(pre[i]);
}
// dpre = dh * (1 - h^2)
template <typename S>
void rnn_backward(int H, int B, const S* h, const S* dh, S* dpre) {
  for (int i = 0, n = H * B; i < n; ++i) dpre[i] = dh[i] * (S(1) - h[i] * h[i]);
}

// ---- LSTM: i,f,o = sigmoid, g = tanh; c = f*c_prev + i*g; h = o*tanh(c) ---------------------------
// gates (4H,B): pre-activations in, activations out. c_prev, c, tanh_c, h: (H,B).
template <typename S>
void lstm_forward(int H, int B, S* gates, const S* c_prev, S* c, S* tanh_c, S* h) {
  for (int b = 0; b < B; ++b) {
    S* g4 = gates + static_cast<size_t>(b) * 4 * H;
    const size_t o = static_cast<size_t>(b) * H;
    for (int j = 0; j < H; ++j) {
      const S i = sigmoid(g4[j]), f = sigmoid(g4[H + j]), g = std::tanh(g4[2 * H + j]), og = sigmoid(g4[3 * H + j]);
      g4[j] = i; g4[H + j] = f; g4[2 * H + j] = g; g4[3 * H + j] = og;
      c[o + j] = f * c_prev[o + j] + i * g;
      tanh_c[o + j] = std::tanh(c[o + j]);
      h[o + j] = og * tanh_c[o + j];
    }
  }
}
// In: activated gates, c_prev, tanh_c, dh (H,B); dc (H,B) holds dL/dc from later steps and becomes dL/dc_prev.
// Out: dgates (4H,B), the gradient w.r.t. the pre-activations.
template <typename S>
void lstm_backward(int H, int B, const S* gates, const S* c_prev, const S* tanh_c, const S* dh, S* dc, S* dgates) {
  for (int b = 0; b < B; ++b) {
    const S* g4 = gates + static_cast<size_t>(b) * 4 * H;
    S* d4 = dgates + static_cast<size_t>(b) * 4 * H;
    const size_t o = static_cast<size_t>(b) * H;
    for (int j = 0; j < H; ++j) {
      const S i = g4[j], f = g4[H + j], g = g4[2 * H + j], og = g4[3 * H + j];
      const S tc = tanh_c[o + j];
      const S dct = dc[o + j] + dh[o + j] * og * (S(1) - tc * tc);
      d4[j] = dct * g * i * (S(1) - i);
      d4[H + j] = dct * c_prev[o + j] * f * (S(1) - f);
      d4[2 * H + j] = dct * i * (S(1) - g * g);
      d4[3 * H + j] = dh[o + j] * tc * og * (S(1) - og);
      dc[o + j] = dct * f;
    }
  }
}

// ---- GRU (torch): r = σ(xr + hr), z = σ(xz + hz), n = tanh(xn + r*hn), h = (1-z)*n + z*h_prev ----
// xg (3H,B) = W_ih·x + b_ih, hg (3H,B) = W_hh·h_prev + b_hh. Out: act (3H,B) = [r, z, n], h (H,B).
template <typename S>
void gru_forward(int H, int B, const S* xg, const S* hg, const S* h_prev, S* act, S* h) {
  for (int b = 0; b < B; ++b) {
    const size_t g = static_cast<size_t>(b) * 3 * H, o = static_cast<size_t>(b) * H;
    for (int j = 0; j < H; ++j) {
      const S r = sigmoid(xg[g + j] + hg[g + j]);
      const S z = sigmoid(xg[g + H + j] + hg[g + H + j]);
      const S n = std::tanh(xg[g + 2 * H + j] + r * hg[g + 2 * H + j]);
      act[g + j] = r; act[g + H + j] = z; act[g + 2 * H + j] = n;
      h[o + j] = (S(1) - z) * n + z * h_prev[o + j];
    }
  }
}
// Out: dxg (3H,B) gradient w.r.t. xg, dhg (3H,B) gradient w.r.t. hg, dh_prev (H,B) = dh*z, the direct path only
// (the caller adds W_hh^T·dhg).
template <typename S>
void gru_backward(int H, int B, const S* act, const S* hg, const S* h_prev, const S* dh, S* dxg, S* dhg, S* dh_prev) {
  for (int b = 0; b < B; ++b) {
    const size_t g = static_cast<size_t>(b) * 3 * H, o = static_cast<size_t>(b) * H;
    for (int j = 0; j < H; ++j) {
      const S r = act[g + j], z = act[g + H + j], n = act[g + 2 * H + j];
      const S d = dh[o + j];
      const S dn_pre = d * (S(1) - z) * (S(1) - n * n);
      const S dz_pre = d * (h_prev[o + j] - n) * z * (S(1) - z);
      const S dr_pre = dn_pre * hg[g + 2 * H + j] * r * (S(1) - r);
      dxg[g + j] = dr_pre; dxg[g + H + j] = dz_pre; dxg[g + 2 * H + j] = dn_pre;
      dhg[g + j] = dr_pre; dhg[g + H + j] = dz_pre; dhg[g + 2 * H + j] = dn_pre * r;
      dh_prev[o + j] = d * z;
    }
  }
}

// ---- softmax + cross-entropy over the columns of logits (V,N) --------------------------------------
// Writes dlogits = (softmax - onehot(target)) * scale (may alias logits) and returns the summed -log p(target).
// Subtracts each column's max first so huge logits (low temperatures) cannot overflow.
template <typename S>
double softmax_xent(int V, int N, const S* logits, const int* targets, S scale, S* dlogits) {
  double total = 0;
  for (int col = 0; col < N; ++col) {
    const S* z = logits + static_cast<size_t>(col) * V;
    S* d = dlogits + static_cast<size_t>(col) * V;
    const int t = targets[col];
    S mx = z[0];
    for (int v = 1; v < V; ++v) mx = z[v] > mx ? z[v] : mx;
    const S zt = z[t];   // read before d (which may alias z) is written
    S sum = 0;
    for (int v = 0; v < V; ++v) {
      d[v] = std::exp(z[v] - mx);
      sum += d[v];
    }
    // -log p(t) = log(sum) - (z_t - max); computed from the logits, not from a rounded probability.
    total += std::log(static_cast<double>(sum)) - static_cast<double>(zt - mx);
    const S inv = scale / sum;
    for (int v = 0; v < V; ++v) d[v] *= inv;
    d[t] -= scale;
  }
  return total;
}

}  // namespace rnnlab::cells
