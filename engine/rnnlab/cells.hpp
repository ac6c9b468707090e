// The elementwise part of each recurrent cell, forward and backward as adjacent pairs.
//
// The matrix products (input projection, recurrent product) happen outside; these functions take the summed
// pre-activations of one time step for B streams and apply the gate nonlinearities. Layouts are column-major
// (rows, B): column b holds stream b, and the gate blocks of G*H rows follow torch.nn's order.
// The *_reference templates are the one definition of the math: the double path (gradient checks) and the native
// float path use them, and the kernels' scalar twins (kernels/pointwise_ref.cpp) are these same templates. The
// dispatchers below (rnn_forward, lstm_forward, ...) send the wasm float path to the simd128 kernels instead.
#pragma once
#include <cmath>

#if defined(__wasm_simd128__)
#include "rnnlab/kernels/kernels.hpp"
#endif

namespace rnnlab::cells {

template <typename S>
inline S sigmoid(S x) {
  return S(1) / (S(1) + std::exp(-x));
}

// ---- vanilla RNN: h = tanh(pre) --------------------------------------------------------------
// pre (H,B) is overwritten with h.
template <typename S>
void rnn_forward_reference(int H, int B, S* pre) {
  for (int i = 0, n = H * B; i < n; ++i) pre[i] = std::tanh(pre[i]);
}
// dpre = dh * (1 - h^2)
template <typename S>
void rnn_backward_reference(int H, int B, const S* h, const S* dh, S* dpre) {
  for (int i = 0, n = H * B; i < n; ++i) dpre[i] = dh[i] * (S(1) - h[i] * h[i]);
}

// ---- LSTM: i,f,o = sigmoid, g = tanh; c = f*c_prev + i*g; h = o*tanh(c) ---------------------------
// gates (4H,B): pre-activations in, activations out. c_prev, c, tanh_c, h: (H,B).
template <typename S>
void lstm_forward_reference(int H, int B, S* gates, const S* c_prev, S* c, S* tanh_c, S* h) {
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
void lstm_backward_reference(int H, int B, const S* gates, const S* c_prev, const S* tanh_c, const S* dh, S* dc, S* dgates) {
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

// ---- dispatch: the reference everywhere, except the wasm float path (specialised at the end of this file) ----
template <typename S>
inline void rnn_forward(int H, int B, S* pre) { rnn_forward_reference(H, B, pre); }
template <typename S>
inline void rnn_backward(int H, int B, const S* h, const S* dh, S* dpre) { rnn_backward_reference(H, B, h, dh, dpre); }
template <typename S>
inline void lstm_forward(int H, int B, S* gates, const S* c_prev, S* c, S* tanh_c, S* h) {
  lstm_forward_reference(H, B, gates, c_prev, c, tanh_c, h);
}
template <typename S>
inline void lstm_backward(int H, int B, const S* gates, const S* c_prev, const S* tanh_c, const S* dh, S* dc,
                          S* dgates) {
  lstm_backward_reference(H, B, gates, c_prev, tanh_c, dh, dc, dgates);
}

// ---- LSTM variants ("LSTM: A Search Space Odyssey") ---------------------------------------------------
// peephole: gates (4H,B) [i,f,g,o]; i and f add p_i*c_prev and p_f*c_prev to their pre-activations, o adds
//           p_o*c (the new cell). peep (3H) = [p_i, p_f, p_o].
// cifg:     gates (3H,B) [i,g,o]; f = 1 - i (coupled input and forget gate).
// nfg:      gates (3H,B) [i,g,o]; f = 1 (no forget gate): c = c_prev + i*g.
enum class LstmVariant { peephole, cifg, no_forget };

template <typename S>
void lstm_variant_forward(LstmVariant v, int H, int B, S* gates, const S* c_prev, const S* peep, S* c, S* tanh_c,
                          S* h) {
  const int G = v == LstmVariant::peephole ? 4 : 3;
  for (int b = 0; b < B; ++b) {
    S* gb = gates + static_cast<size_t>(b) * G * H;
    const size_t o = static_cast<size_t>(b) * H;
    for (int j = 0; j < H; ++j) {
      const S cp = c_prev[o + j];
      S i, f, g, og_pre;
      if (v == LstmVariant::peephole) {
        i = sigmoid(gb[j] + peep[j] * cp);
        f = sigmoid(gb[H + j] + peep[H + j] * cp);
        g = std::tanh(gb[2 * H + j]);
        og_pre = gb[3 * H + j];
        gb[j] = i; gb[H + j] = f; gb[2 * H + j] = g;
      } else {
        i = sigmoid(gb[j]);
        f = v == LstmVariant::cifg ? S(1) - i : S(1);
        g = std::tanh(gb[H + j]);
        og_pre = gb[2 * H + j];
        gb[j] = i; gb[H + j] = g;
      }
      const S cn = f * cp + i * g;
      const S og = sigmoid(og_pre + (v == LstmVariant::peephole ? peep[2 * H + j] * cn : S(0)));
      gb[(G - 1) * H + j] = og;
      c[o + j] = cn;
      tanh_c[o + j] = std::tanh(cn);
      h[o + j] = og * tanh_c[o + j];
    }
  }
}

// In: activated gates, c_prev, c, tanh_c, peep, dh; dc holds dL/dc from later steps and becomes dL/dc_prev.
// Out: dgates (G*H,B) w.r.t. the pre-activations; dpeep (3H) accumulates the peephole gradients (summed over B).
template <typename S>
void lstm_variant_backward(LstmVariant v, int H, int B, const S* gates, const S* c_prev, const S* c, const S* tanh_c,
                           const S* peep, const S* dh, S* dc, S* dgates, S* dpeep) {
  const int G = v == LstmVariant::peephole ? 4 : 3;
  for (int b = 0; b < B; ++b) {
    const S* gb = gates + static_cast<size_t>(b) * G * H;
    S* db = dgates + static_cast<size_t>(b) * G * H;
    const size_t o = static_cast<size_t>(b) * H;
    for (int j = 0; j < H; ++j) {
      const S cp = c_prev[o + j], tc = tanh_c[o + j], d = dh[o + j];
      const S og = gb[(G - 1) * H + j];
      const S do_pre = d * tc * og * (S(1) - og);
      S dct = dc[o + j] + d * og * (S(1) - tc * tc);
      if (v == LstmVariant::peephole) {
        const S i = gb[j], f = gb[H + j], g = gb[2 * H + j];
        dct += do_pre * peep[2 * H + j];
        const S di_pre = dct * g * i * (S(1) - i);
        const S df_pre = dct * cp * f * (S(1) - f);
        db[j] = di_pre;
        db[H + j] = df_pre;
        db[2 * H + j] = dct * i * (S(1) - g * g);
        db[3 * H + j] = do_pre;
        dc[o + j] = dct * f + di_pre * peep[j] + df_pre * peep[H + j];
        dpeep[j] += di_pre * cp;
        dpeep[H + j] += df_pre * cp;
        dpeep[2 * H + j] += do_pre * c[o + j];
      } else {
        const S i = gb[j], g = gb[H + j];
        const bool coupled = v == LstmVariant::cifg;
        db[j] = dct * (coupled ? g - cp : g) * i * (S(1) - i);
        db[H + j] = dct * i * (S(1) - g * g);
        db[2 * H + j] = do_pre;
        dc[o + j] = coupled ? dct * (S(1) - i) : dct;
      }
    }
  }
}

// ---- GRU (torch): r = σ(xr + hr), z = σ(xz + hz), n = tanh(xn + r*hn), h = (1-z)*n + z*h_prev ----
// xg (3H,B) = W_ih·x + b_ih, hg (3H,B) = W_hh·h_prev + b_hh. Out: act (3H,B) = [r, z, n], h (H,B).
template <typename S>
void gru_forward_reference(int H, int B, const S* xg, const S* hg, const S* h_prev, S* act, S* h) {
  for (int b = 0; b < B; ++b) {
    const size_t g = static_cast<size_t>(b) * 3 * H, o = static_cast<size_t>(b) * H;
    for (int j = 0; j < H; ++j) {
      const S r = sigmoid(xg[g + j] + hg[g + j]);
      const S z = sigmoid(xg[g + H + j] + hg[g + H + j]);
      const S n = std::tanh(xg[g + 2 * H + j] + r * hg[g + 2 * H + j]);
      act[g + j] = r; act[g + H + j] = z; act[g + 2 * H + j] = n;
      h[o + j] = n + z * (h_prev[o + j] - n);   // = (1-z)*n + z*h_prev, in torch's form (same rounding)
    }
  }
}
// Out: dxg (3H,B) gradient w.r.t. xg, dhg (3H,B) gradient w.r.t. hg, dh_prev (H,B) = dh*z, the direct path only
// (the caller adds W_hh^T·dhg).
template <typename S>
void gru_backward_reference(int H, int B, const S* act, const S* hg, const S* h_prev, const S* dh, S* dxg, S* dhg, S* dh_prev) {
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

template <typename S>
inline void gru_forward(int H, int B, const S* xg, const S* hg, const S* h_prev, S* act, S* h) {
  gru_forward_reference(H, B, xg, hg, h_prev, act, h);
}
template <typename S>
inline void gru_backward(int H, int B, const S* act, const S* hg, const S* h_prev, const S* dh, S* dxg, S* dhg,
                         S* dh_prev) {
  gru_backward_reference(H, B, act, hg, h_prev, dh, dxg, dhg, dh_prev);
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

#if defined(__wasm_simd128__)
// In the browser build the float path uses the fused simd128 kernels (tested against these templates' behaviour
// in tests/test_kernels.cpp); double stays on the reference templates above.
template <>
inline void rnn_forward<float>(int H, int B, float* pre) {
  kernels::tanh_forward_simd128(H * B, pre);
}
template <>
inline void rnn_backward<float>(int H, int B, const float* h, const float* dh, float* dpre) {
  kernels::tanh_backward_simd128(H * B, h, dh, dpre);
}
template <>
inline void lstm_forward<float>(int H, int B, float* gates, const float* c_prev, float* c, float* tanh_c, float* h) {
  kernels::lstm_pointwise_forward_simd128(H, B, gates, c_prev, c, tanh_c, h);
}
template <>
inline void lstm_backward<float>(int H, int B, const float* gates, const float* c_prev, const float* tanh_c,
                                 const float* dh, float* dc, float* dgates) {
  kernels::lstm_pointwise_backward_simd128(H, B, gates, c_prev, tanh_c, dh, dc, dgates);
}
template <>
inline void gru_forward<float>(int H, int B, const float* xg, const float* hg, const float* h_prev, float* act,
                               float* h) {
  kernels::gru_pointwise_forward_simd128(H, B, xg, hg, h_prev, act, h);
}
template <>
inline void gru_backward<float>(int H, int B, const float* act, const float* hg, const float* h_prev,
                                const float* dh, float* dxg, float* dhg, float* dh_prev) {
  kernels::gru_pointwise_backward_simd128(H, B, act, hg, h_prev, dh, dxg, dhg, dh_prev);
}
template <>
inline double softmax_xent<float>(int V, int N, const float* logits, const int* targets, float scale, float* dlogits) {
  return kernels::softmax_xent_simd128(V, N, logits, V, targets, scale, dlogits, V);
}
#endif

}  // namespace rnnlab::cells
