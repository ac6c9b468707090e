// The "Step through" section's engine calls and the look-inside ops that came with it (connectivity, clamped units).
// Shapes and meanings are documented at the top of inspect_bindings.cpp; the engine side is unrolled.hpp,
// step_through.hpp, gradient_check.hpp and input_gradients.hpp. Every input is bounded here with a message that
// says what to choose instead; arrays are copied out of the heap.
#include "step_through_bindings.hpp"

#include <algorithm>
#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "rnnlab/errors.hpp"
#include "rnnlab/input_gradients.hpp"
#include "rnnlab/step_through.hpp"
#include "rnnlab/utf8.hpp"
#include "val_helpers.hpp"

namespace rnnlab_web {
namespace {

using emscripten::val;

constexpr size_t kMaxTextBytes = 64 * 1024;   // any longer text is refused before it is decoded
constexpr int kMaxClampSampleChars = 2000;

std::string text_arg(const val& args, const char* fallback) {
  const std::string text = has(args, "text") ? args["text"].as<std::string>() : std::string(fallback);
  if (text.size() > kMaxTextBytes) throw rnnlab::ConfigError("the text is too long for this view: use a shorter text");
  return text;
}

std::vector<int32_t> step_tokens(const rnnlab::Session& s, const val& args) {
  return rnnlab::known_tokens(s, text_arg(args, "hello"), rnnlab::kMaxUnrollSteps + 1);
}

int window_arg(const val& args) {
  return int_arg(args, "window", 0, 0, rnnlab::kMaxUnrollSteps, "the truncation length (0 = none)");
}

std::string chars_of(const rnnlab::Session& s, const std::vector<int32_t>& ids) {
  return rnnlab::encode_utf8(s.vocab().decode(ids));
}

val layer_val(const rnnlab::UnrolledLayer<float>& y) {
  val o = val::object();
  o.set("in", y.in);
  const std::pair<const char*, const std::vector<float>*> floats[] = {
      {"x", &y.x}, {"wx", &y.wx}, {"wh", &y.wh}, {"bIh", &y.b_ih}, {"bHh", &y.b_hh}, {"pre", &y.pre},
      {"gates", &y.gates}, {"h", &y.h}, {"c", &y.c}, {"dhAbove", &y.dh_above}, {"dhFuture", &y.dh_future},
      {"dh", &y.dh}, {"dcFuture", &y.dc_future}, {"dc", &y.dc}, {"dpre", &y.dpre}, {"dhh", &y.dhh}, {"dhDropped", &y.dh_dropped},
      {"runWIh", &y.run_w_ih}, {"runWHh", &y.run_w_hh}, {"runBIh", &y.run_b_ih}, {"runBHh", &y.run_b_hh}};
  for (const auto& [name, v] : floats) o.set(name, copy_array(*v));
  const std::pair<const char*, const std::vector<double>*> doubles[] = {
      {"dhNorm", &y.dh_norm}, {"runNormWIh", &y.run_norm_w_ih}, {"runNormWHh", &y.run_norm_w_hh},
      {"runNormBIh", &y.run_norm_b_ih}, {"runNormBHh", &y.run_norm_b_hh}};
  for (const auto& [name, v] : doubles) o.set(name, copy_array(*v));
  o.set("topForward", copy_array(y.top_forward));
  o.set("topBackward", copy_array(y.top_backward));
  return o;
}

// The parameter blocks with their gradient norm, and the values when the model is printable.
val grad_blocks(const rnnlab::Session& s, const rnnlab::Slab<float>& g, bool with_values) {
  val out = val::array();
  for (const rnnlab::ParamBlock& b : s.network().layout().blocks()) {
    val o = val::object();
    o.set("name", b.name);
    val shape = val::array();
    for (int64_t d : b.shape) shape.call<void>("push", static_cast<double>(d));
    o.set("shape", shape);
    double sq = 0;
    for (size_t i = b.offset; i < b.offset + b.size; ++i) sq += static_cast<double>(g[i]) * g[i];
    o.set("norm", std::sqrt(sq));
    if (with_values) o.set("values", copy_array(g.data() + b.offset, b.size));
    out.call<void>("push", o);
  }
  return out;
}

val unroll_op(const rnnlab::Session& s, const val& args) {
  const std::vector<int32_t> tokens = step_tokens(s, args);
  const rnnlab::Unrolled<float> u = rnnlab::unroll_session(s, tokens, window_arg(args));
  val r = ok();
  r.set("text", chars_of(s, tokens));
  for (const auto& [k, v] : {std::pair<const char*, int>{"T", u.T}, {"V", u.V}, {"H", u.H}, {"L", u.L}, {"G", u.G},
                             {"window", u.window}})
    r.set(k, v);
  r.set("cell", rnnlab::to_string(u.cell));
  r.set("oneHot", u.one_hot);
  r.set("printable", u.printable);
  r.set("dropoutIgnored", u.dropout_ignored);
  std::vector<uint32_t> vocab;
  for (int v = 0; v < u.V; ++v) vocab.push_back(static_cast<uint32_t>(s.vocab().symbol(v)));
  r.set("vocab", copy_array(vocab));
  r.set("inputs", copy_array(u.inputs));
  r.set("targets", copy_array(u.targets));
  r.set("windowStart", copy_array(u.window_start));
  r.set("logits", copy_array(u.logits));
  r.set("probs", copy_array(u.probs));
  r.set("dlogits", copy_array(u.dlogits));
  r.set("loss", copy_array(u.loss));
  r.set("meanLoss", u.mean_loss);
  val layers = val::array();
  for (const auto& y : u.layers) layers.call<void>("push", layer_val(y));
  r.set("layers", layers);
  r.set("grads", grad_blocks(s, u.grads, u.printable));
  return r;
}

val unit_op(const rnnlab::Session& s, const val& args) {
  const std::vector<int32_t> tokens = step_tokens(s, args);
  const rnnlab::Unrolled<float> u = rnnlab::unroll_session(s, tokens, window_arg(args));
  const int layer = int_arg(args, "layer", 0, 0, u.L - 1, "the layer");
  const int unit = int_arg(args, "unit", 0, 0, u.H - 1, "the unit");
  const rnnlab::UnitView v = rnnlab::unit_view(u, layer, unit);
  val r = ok();
  for (const auto& [k, n] : {std::pair<const char*, int>{"layer", v.layer}, {"unit", v.unit}, {"G", v.G},
                             {"in", v.in}, {"H", v.H}, {"T", u.T}})
    r.set(k, n);
  const std::pair<const char*, const std::vector<float>*> floats[] = {
      {"h", &v.h}, {"c", &v.c}, {"pre", &v.pre}, {"gates", &v.gates}, {"wx", &v.wx}, {"wh", &v.wh},
      {"dhAbove", &v.dh_above}, {"dhFuture", &v.dh_future}, {"dh", &v.dh}, {"dcFuture", &v.dc_future},
      {"dpre", &v.dpre}, {"runWIh", &v.run_w_ih}, {"runWHh", &v.run_w_hh}};
  for (const auto& [name, a] : floats) r.set(name, copy_array(*a));
  return r;
}

val preview_op(const rnnlab::Session& s, const val& args) {
  const std::vector<int32_t> tokens = step_tokens(s, args);
  const rnnlab::UpdatePreview p = rnnlab::preview_update(s, tokens, window_arg(args));
  val r = ok();
  r.set("step", static_cast<double>(p.step));
  r.set("lr", p.lr);
  r.set("lossBefore", p.loss_before);
  r.set("lossAfter", p.loss_after);
  r.set("gradNorm", p.grad_norm);
  r.set("clipped", p.clipped);
  r.set("rejected", p.rejected);
  r.set("deltaNorm", p.delta_norm);
  const bool small = s.network().config().hidden <= rnnlab::kPrintableHidden;
  val grad = grad_blocks(s, p.grad, small), delta = grad_blocks(s, p.delta, small);
  for (int i = 0, n = grad["length"].as<int>(); i < n; ++i) grad[i].set("delta", delta[i]);
  r.set("blocks", grad);   // [{ name, shape, norm (of the clipped gradient), values?, delta: { norm, values? } }]
  return r;
}

val gradcheck_op(const rnnlab::Session& s, const val& args) {
  const std::vector<int32_t> tokens = step_tokens(s, args);
  const int count = int_arg(args, "count", 8, 1, rnnlab::kMaxGradCheckWeights, "the number of weights to check");
  const auto seed = static_cast<uint64_t>(int_arg(args, "seed", 1, 0, 1 << 30, "the seed"));
  const std::vector<rnnlab::GradCheckEntry> entries = rnnlab::check_gradients(s, tokens, count, seed);
  val list = val::array();
  double worst = 0;
  for (const rnnlab::GradCheckEntry& e : entries) {
    val o = val::object();
    o.set("block", e.block);
    o.set("row", e.row);
    o.set("col", e.col);
    o.set("analytic", e.analytic);
    o.set("numeric", e.numeric);
    o.set("relError", e.rel_error);
    worst = std::max(worst, e.rel_error);
    list.call<void>("push", o);
  }
  val r = ok();
  r.set("entries", list);
  r.set("maxRelError", worst);
  r.set("eps", rnnlab::kGradCheckEps);
  return r;
}

rnnlab::SampleOptions sample_args(const val& args) {
  rnnlab::SampleOptions o;
  if (has(args, "prime")) o.prime = args["prime"].as<std::string>();
  if (o.prime.size() > kMaxTextBytes) throw rnnlab::ConfigError("the prime is too long: use a shorter one");
  o.length = int_arg(args, "length", 200, 1, kMaxClampSampleChars, "the sample length");
  o.temperature = static_cast<float>(number_arg(args, "temperature", 0.8));
  o.top_k = int_arg(args, "topK", 0, 0, 1 << 20, "top-k");
  o.top_p = static_cast<float>(number_arg(args, "topP", 1));
  o.seed = static_cast<uint64_t>(int_arg(args, "seed", 1, 0, 1 << 30, "the seed"));
  return o;
}

// The same sample twice, with the same seed: the unit held at the value, and free (the plain sample, bit for bit).
val clamp_sample_op(rnnlab::Session& s, const val& args) {
  const rnnlab::ModelConfig& m = s.network().config();
  rnnlab::UnitClamp clamp;
  clamp.layer = int_arg(args, "layer", 0, 0, m.layers - 1, "the layer");
  clamp.unit = int_arg(args, "unit", 0, 0, m.hidden - 1, "the unit");
  clamp.value = number_arg(args, "value", 0);
  const std::string what = has(args, "state") ? args["state"].as<std::string>() : "h";
  if (what != "h" && what != "c" && what != "hc") throw rnnlab::ConfigError("clamp state must be \"h\", \"c\" or \"hc\"");
  clamp.h = what != "c";
  clamp.c = what != "h";
  const rnnlab::SampleOptions o = sample_args(args);
  val r = ok();
  r.set("clamped", s.sample(o, {}, clamp).text);
  r.set("unclamped", s.sample(o).text);
  return r;
}

}  // namespace

val step_through_op(rnnlab::Session& session, const std::string& op, const val& args) {
  if (op == "unroll") return unroll_op(session, args);
  if (op == "unrollUnit") return unit_op(session, args);
  if (op == "previewUpdate") return preview_op(session, args);
  if (op == "checkGradients") return gradcheck_op(session, args);
  if (op == "clampSample") return clamp_sample_op(session, args);
  throw rnnlab::ConfigError("unknown step-through request '" + op + "'");
}

val input_gradients_op(const rnnlab::Session& s, const val& args, const std::string& utf8_text, size_t max_chars) {
  std::vector<int32_t> ids;   // the characters the model knows, at most max_chars of them (as trace reads them)
  for (char32_t ch : rnnlab::decode_utf8(utf8_text).text) {
    const int id = s.vocab().id_of(ch);
    if (id >= 0) ids.push_back(id);
    if (ids.size() == max_chars) break;
  }
  const int n = static_cast<int>(ids.size());
  if (n < 2) throw rnnlab::ConfigError("the text needs at least 2 characters the model knows");
  const int position = int_arg(args, "position", n - 2, 0, n - 2, "the position (a character with one after it)");
  const int lag = int_arg(args, "maxLag", 100, 1, rnnlab::kMaxConnectivityLag, "how far back to look");
  const rnnlab::InputGradients<float> g =
      rnnlab::input_gradients(s.network(), s.params().data(), ids, position, lag);
  val r = ok();
  r.set("text", chars_of(s, ids));
  r.set("position", g.position);
  r.set("first", g.first);
  r.set("loss", g.loss);
  r.set("inputSize", g.input_size);
  r.set("norm", copy_array(g.norm));
  val h_norm = val::array();
  for (const auto& layer : g.h_norm) h_norm.call<void>("push", copy_array(layer));
  r.set("hNorm", h_norm);
  return r;
}

}  // namespace rnnlab_web
