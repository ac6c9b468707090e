#include "rnnlab/step_through.hpp"

#include <cmath>
#include <string>

#include "rnnlab/errors.hpp"
#include "rnnlab/optimizer.hpp"
#include "rnnlab/utf8.hpp"

namespace rnnlab {

std::vector<int32_t> known_tokens(const Session& session, std::string_view utf8_text, size_t max_chars) {
  std::vector<int32_t> ids;
  for (char32_t ch : decode_utf8(utf8_text).text) {
    const int id = session.vocab().id_of(ch);
    if (id < 0) continue;
    if (ids.size() == max_chars)
      throw ConfigError("the text has more than " + std::to_string(max_chars) +
                        " characters the model knows: use a shorter text");
    ids.push_back(id);
  }
  if (ids.size() < 2) throw ConfigError("the text needs at least 2 characters the model knows");
  return ids;
}

Unrolled<float> unroll_session(const Session& session, const std::vector<int32_t>& tokens, int window) {
  const Network<float>& net = session.network();
  UnrollOptions o;
  o.window = window;
  return unroll(net, session.params().data(), tokens, net.zero_state(1), o);
}

UnitView unit_view(const Unrolled<float>& u, int layer, int unit) {
  if (layer < 0 || layer >= u.L) throw ConfigError("choose a layer from 0 to " + std::to_string(u.L - 1));
  if (unit < 0 || unit >= u.H) throw ConfigError("choose a unit from 0 to " + std::to_string(u.H - 1));
  const UnrolledLayer<float>& y = u.layers[static_cast<size_t>(layer)];
  const int T = u.T, H = u.H, G = u.G, GH = G * H, In = y.in;
  UnitView v;
  v.layer = layer;
  v.unit = unit;
  v.G = G;
  v.in = In;
  v.H = H;
  for (int t = 0; t <= T; ++t) {
    v.h.push_back(y.h[static_cast<size_t>(t) * H + unit]);
    if (!y.c.empty()) v.c.push_back(y.c[static_cast<size_t>(t) * H + unit]);
  }
  for (int t = 0; t < T; ++t) {
    const size_t i = static_cast<size_t>(t) * H + unit;
    v.dh_above.push_back(y.dh_above[i]);
    v.dh_future.push_back(y.dh_future[i]);
    v.dh.push_back(y.dh[i]);
    if (!y.dc_future.empty()) v.dc_future.push_back(y.dc_future[i]);
    for (int g = 0; g < G; ++g) {
      const size_t r = static_cast<size_t>(t) * GH + static_cast<size_t>(g) * H + unit;
      v.pre.push_back(y.pre[r]);
      if (!y.gates.empty()) v.gates.push_back(y.gates[r]);
      v.wx.push_back(y.wx[r]);
      v.wh.push_back(y.wh[r]);
      v.dpre.push_back(y.dpre[r]);
    }
  }
  // The unit's gate rows of dW_ih and dW_hh, accumulating backward in time like UnrolledLayer::run_*.
  std::vector<float> w_ih(static_cast<size_t>(G) * In, 0.0f), w_hh(static_cast<size_t>(G) * H, 0.0f);
  v.run_w_ih.resize(static_cast<size_t>(T) * w_ih.size());
  v.run_w_hh.resize(static_cast<size_t>(T) * w_hh.size());
  for (int t = T - 1; t >= 0; --t) {
    const auto st = static_cast<size_t>(t);
    for (int g = 0; g < G; ++g) {
      const size_t r = st * GH + static_cast<size_t>(g) * H + unit;
      const float dp = y.dpre[r], dhh = y.dhh.empty() ? dp : y.dhh[r];
      for (int j = 0; j < In; ++j) w_ih[static_cast<size_t>(g) * In + j] += dp * y.x[st * In + j];
      for (int j = 0; j < H; ++j) w_hh[static_cast<size_t>(g) * H + j] += dhh * y.h[st * H + j];
    }
    std::copy(w_ih.begin(), w_ih.end(), v.run_w_ih.begin() + static_cast<std::ptrdiff_t>(st * w_ih.size()));
    std::copy(w_hh.begin(), w_hh.end(), v.run_w_hh.begin() + static_cast<std::ptrdiff_t>(st * w_hh.size()));
  }
  return v;
}

UpdatePreview preview_update(const Session& session, const std::vector<int32_t>& tokens, int window) {
  const Config& cfg = session.config();
  const Network<float>& net = session.network();
  const Unrolled<float> u = unroll_session(session, tokens, window);
  UpdatePreview p;
  p.step = session.step() + 1;
  p.lr = scheduled_lr(cfg.optim, session.step());
  p.loss_before = unrolled_loss(net, session.params().data(), tokens, net.zero_state(1), window);
  p.grad = u.grads;
  p.params_after = session.params();
  const ClipResult clip = clip_gradients(cfg.optim.clip, cfg.optim.clip_value, p.grad.data(), p.grad.size());
  p.grad_norm = clip.norm;
  p.clipped = clip.clipped;
  p.rejected = !std::isfinite(p.loss_before) || !clip.finite();
  if (!p.rejected) {
    Optimizer optimizer = session.optimizer();   // a copy: the session's moments stay as they are
    optimizer.apply(p.params_after.data(), p.grad.data(), p.step, p.lr);
  }
  p.delta.resize(p.params_after.size());
  double sq = 0;
  for (size_t i = 0; i < p.delta.size(); ++i) {
    p.delta[i] = p.params_after[i] - session.params()[i];
    sq += static_cast<double>(p.delta[i]) * p.delta[i];
  }
  p.delta_norm = std::sqrt(sq);
  for (const ParamBlock& b : net.layout().blocks()) {
    double s = 0;
    for (size_t i = b.offset; i < b.offset + b.size; ++i) s += static_cast<double>(p.delta[i]) * p.delta[i];
    p.block_delta_norm.push_back(std::sqrt(s));
  }
  p.loss_after = unrolled_loss(net, p.params_after.data(), tokens, net.zero_state(1), window);
  return p;
}

std::vector<GradCheckEntry> check_gradients(const Session& session, const std::vector<int32_t>& tokens, int count,
                                            uint64_t seed) {
  const Unrolled<float> u = unroll_session(session, tokens, 0);
  const std::vector<size_t> picks = pick_weights(session.network().layout(), u.grads.data(), count, seed);
  return compare_with_finite_differences(session.config().model, session.vocab().size(), session.params().data(),
                                         u.grads.data(), tokens, picks);
}

}  // namespace rnnlab
