// Scalar reference softmax + cross-entropy, in double inside each column so it can serve as the truth.
#include "rnnlab/kernels/kernels.hpp"

#include <cassert>
#include <cmath>

namespace rnnlab::kernels {

double softmax_xent_ref(int V, int N, const float* logits, int ld, const int32_t* targets, float scale,
                        float* dlogits, int ld_d) {
  double loss = 0.0;
  for (int n = 0; n < N; ++n) {
    const float* x = logits + static_cast<long>(n) * ld;  // column n (V)
    float* d = dlogits + static_cast<long>(n) * ld_d;     // may be the same memory as x
    const int t = targets[n];
    assert(t >= 0 && t < V);
    float m = x[0];
    for (int v = 1; v < V; ++v) m = x[v] > m ? x[v] : m;
    const double xt = static_cast<double>(x[t]) - m;  // read before d overwrites it
    double sum = 0.0;
    for (int v = 0; v < V; ++v) sum += std::exp(static_cast<double>(x[v]) - m);
    for (int v = 0; v < V; ++v) {
      const double p = std::exp(static_cast<double>(x[v]) - m) / sum;
      d[v] = static_cast<float>((p - (v == t ? 1.0 : 0.0)) * scale);
    }
    loss += std::log(sum) - xt;  // -log softmax[t] = log sum exp(x - m) - (x_t - m)
  }
  return loss;
}

void f32_softmax_weights_ref(int n, const float* x, float top, float inv_t, float* out) {
  for (int v = 0; v < n; ++v) out[v] = std::exp((x[v] - top) * inv_t);
}

}  // namespace rnnlab::kernels
