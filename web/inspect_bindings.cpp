// The "Look inside" views' engine calls (see inspect_bindings.hpp). The results go to the worker as compact typed
// arrays copied out of the heap: a 1000-character trace of a 2-layer, 128-unit LSTM is a few megabytes of floats,
// far too much for one JS object per value.
//
//   trace        { text?, maxChars?, feature? } -> { text, layers, hidden, gateRows, gatesPerCell, hasCellState,
//                  h: [Float32Array(T*H)] per layer, c: [...] (LSTM) or [], gates: [Float32Array(T*G*H)] or [],
//                  pNext: Float32Array(T), topChars: Uint32Array(T*5) (code points), topProbs: Float32Array(T*5),
//                  ranking?: [...] as rank }.  Without text: the first maxChars characters of the validation text.
//   rank         { text?, maxChars?, feature, count? } -> { ranking: [{ layer, kind, unit, correlation }] }
//   gradientFlow { window, windows, seed } -> { window, norm: [Float64Array(window)] per layer }
//   ngram        { order, evalChars, length, temperature, seed } -> { order, bitsPerChar, chars, sample,
//                  contexts, memoryBytes, trainChars }
//   ngramCounts  { order, text?, position } -> { order, position, context, next, levels: [{ context, raw, total,
//                  discount, entries: [{ ch, count, p }] }] }: the counts behind the n-gram's prediction of character
//                  `position` (1..n-1) of the text (as for trace, characters the model does not know skipped), one
//                  level per order reached, shortest context first (NgramModel::context_counts); p is the smoothed
//                  P(ch | the whole context). raw: occurrences (the highest order), else continuation counts.
//   inputGradients { text?, maxChars?, position?, maxLag? } -> { text, position, first, loss, inputSize,
//                  norm: Float64Array(position - first + 1), hNorm: [Float64Array(position - first + 2)] per layer }:
//                  norm[k] = ||d loss_position / d x_{position-k}|| ("what did this prediction use?"), hNorm[l][k]
//                  the same for layer l's h_{position-k}, its last entry the state carried in before `first`
//                  (input_gradients.hpp). Text as for trace; position 0..n-2 (default n-2), maxLag 1..1000 (100).
// The step-through (unrolled.hpp, step_through.hpp; step_through_bindings.cpp). text: up to 65 characters the model
// knows (default "hello"); window: truncation length 0..64 (0 = none). Arrays are step-major: [t * width + i].
//   unroll       { text?, window? } -> { text, T, V, H, L, G, window, cell, oneHot, printable, dropoutIgnored,
//                  vocab: Uint32Array(V) code points, inputs, targets: Int32Array(T), windowStart: Uint8Array(T),
//                  logits, probs, dlogits: Float32Array(T*V), loss: Float64Array(T), meanLoss,
//                  layers: [{ in, x (T*In), wx, wh, pre, gates (T*G*H; gates empty for rnn), bIh, bHh (G*H),
//                    h, c (T+1)*H (c empty unless LSTM), dhAbove, dhFuture, dh, dcFuture, dc, dhDropped (T*H),
//                    dpre, dhh (T*G*H; dhh GRU only), dhNorm, runNormWIh, runNormWHh, runNormBIh, runNormBHh:
//                    Float64Array(T), runWIh (T*G*H*In), runWHh (T*G*H*H), runBIh, runBHh (T*G*H) only when
//                    printable, topForward, topBackward: Int32Array(T*min(5,H)) }] per layer,
//                  grads: [{ name, shape, norm, values? (printable) }] }
//   unrollUnit   { text?, window?, layer, unit } -> { layer, unit, G, in, H, T, h, c (T+1), pre, gates, wx, wh,
//                  dpre (T*G), dhAbove, dhFuture, dh, dcFuture (T), runWIh (T*G*In), runWHh (T*G*H) }
//   previewUpdate { text?, window? } -> { step, lr, lossBefore, lossAfter, gradNorm, clipped, rejected, deltaNorm,
//                  blocks: [{ name, shape, norm, values?, delta: { name, shape, norm, values? } }] } (values when
//                  H <= 16); the session is not changed
//   checkGradients { text?, count? 1..32 (8), seed? } -> { eps, maxRelError, entries: [{ block, row, col, analytic,
//                  numeric, relError }] } (gradient_check.hpp: float analytic vs double centred differences)
//   clampSample  { layer, unit, value (|v| <= 100), state? "h"|"c"|"hc", prime?, length? 1..2000, temperature?,
//                  topK?, topP?, seed? } -> { clamped, unclamped } (unclamped is the plain sample, bit for bit)
#include "inspect_bindings.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include <emscripten/bind.h>

#include "rnnlab/errors.hpp"
#include "rnnlab/features.hpp"
#include "rnnlab/inspect.hpp"
#include "rnnlab/ngram.hpp"
#include "rnnlab/utf8.hpp"
#include "step_through_bindings.hpp"
#include "val_helpers.hpp"

namespace rnnlab_web {
namespace {

using emscripten::val;

constexpr size_t kMaxTraceChars = 4000;

// The text to trace: the given one, or the start of the validation text (the training text if there is none).
std::string trace_text(const rnnlab::Session& s, const val& args, size_t max_chars) {
  if (has(args, "text")) return args["text"].as<std::string>();
  const auto& split = s.split();
  const std::vector<int32_t>& src = split.val.size() >= 2 ? split.val : split.train;
  if (src.empty()) throw rnnlab::ConfigError("this model has no text: type a text to look inside");
  std::vector<int32_t> ids(src.begin(), src.begin() + static_cast<std::ptrdiff_t>(std::min(max_chars, src.size())));
  return rnnlab::encode_utf8(s.vocab().decode(ids));
}

size_t max_chars_arg(const val& args) {
  const double m = number_arg(args, "maxChars", 1000);
  if (!(m >= 2)) return 2;
  return static_cast<size_t>(std::min<double>(m, kMaxTraceChars));
}

val ranking_array(const rnnlab::Trace& tr, const std::string& feature, size_t count) {
  const std::vector<rnnlab::UnitScore> scores = rnnlab::rank_units(tr, rnnlab::parse_feature(feature));
  val out = val::array();
  for (size_t i = 0; i < scores.size() && i < count; ++i) {
    val o = val::object();
    o.set("layer", scores[i].layer);
    o.set("kind", std::string(1, scores[i].kind));
    o.set("unit", scores[i].unit);
    o.set("correlation", std::isfinite(scores[i].correlation) ? scores[i].correlation : 0.0);
    out.call<void>("push", o);
  }
  return out;
}

val do_trace(const rnnlab::Session& s, const val& args, bool with_arrays) {
  const size_t max_chars = max_chars_arg(args);
  const rnnlab::Trace tr = rnnlab::trace(s, trace_text(s, args, max_chars), max_chars);
  if (tr.text.size() < 2)
    throw rnnlab::ConfigError("the text to look inside needs at least 2 characters the model knows");
  val r = ok();
  if (has(args, "feature"))
    r.set("ranking", ranking_array(tr, args["feature"].as<std::string>(),
                                   static_cast<size_t>(number_arg(args, "count", 5))));
  if (!with_arrays) return r;
  const size_t T = tr.text.size();
  r.set("text", rnnlab::encode_utf8(tr.text));
  r.set("length", static_cast<double>(T));
  r.set("layers", tr.layers);
  r.set("hidden", tr.hidden);
  r.set("gateRows", tr.gate_rows);
  r.set("gatesPerCell", tr.hidden > 0 ? tr.gate_rows / tr.hidden : 0);
  r.set("hasCellState", !tr.c.empty());
  val h = val::array(), c = val::array(), g = val::array();
  for (const auto& v : tr.h) h.call<void>("push", copy_array(v));
  for (const auto& v : tr.c) c.call<void>("push", copy_array(v));
  if (tr.gate_rows > 0)
    for (const auto& v : tr.gates) g.call<void>("push", copy_array(v));
  r.set("h", h);
  r.set("c", c);
  r.set("gates", g);
  r.set("pNext", copy_array(tr.p_next));
  std::vector<uint32_t> chars(T * 5);
  std::vector<float> probs(T * 5);
  for (size_t t = 0; t < T; ++t)
    for (size_t i = 0; i < 5; ++i) {
      chars[t * 5 + i] = static_cast<uint32_t>(tr.top_chars[t][i]);
      probs[t * 5 + i] = tr.top_probs[t][i];
    }
  r.set("topChars", copy_array(chars));
  r.set("topProbs", copy_array(probs));
  return r;
}

val do_gradient_flow(const rnnlab::Session& s, const val& args) {
  const int K = static_cast<int>(number_arg(args, "window", 40));
  const int windows = static_cast<int>(number_arg(args, "windows", 32));
  const auto seed = static_cast<uint64_t>(number_arg(args, "seed", 1));
  const rnnlab::GradientFlow gf = rnnlab::gradient_flow(s, K, windows, seed);
  val r = ok();
  r.set("window", gf.window);
  val norm = val::array();
  for (const auto& layer : gf.norm) norm.call<void>("push", copy_array(layer));
  r.set("norm", norm);
  return r;
}

val do_ngram(const rnnlab::Session& s, const val& args) {
  const int order = static_cast<int>(number_arg(args, "order", 5));
  if (order < 1 || order > 10) throw rnnlab::ConfigError("the n-gram order must be a whole number from 1 to 10");
  const auto& split = s.split();
  if (split.train.empty()) throw rnnlab::ConfigError("this model has no training text for an n-gram model");
  const rnnlab::NgramModel m(order, s.vocab().size(), split.train);
  val r = ok();
  r.set("order", order);
  r.set("trainChars", static_cast<double>(split.train.size()));
  r.set("contexts", static_cast<double>(m.distinct_contexts()));
  r.set("memoryBytes", static_cast<double>(m.memory_bytes()));
  const double eval_chars = number_arg(args, "evalChars", 0);
  if (split.val.size() >= 2) {
    const auto score = m.evaluate(split.val, eval_chars > 0 ? static_cast<size_t>(eval_chars) : 0);
    r.set("bitsPerChar", std::isfinite(score.bits_per_char) ? val(score.bits_per_char) : val::null());
    r.set("chars", static_cast<double>(score.chars));
  } else {
    r.set("bitsPerChar", val::null());
    r.set("chars", 0);
  }
  const int length = std::clamp(static_cast<int>(number_arg(args, "length", 300)), 0, 20000);
  const auto temperature = static_cast<float>(number_arg(args, "temperature", 0.8));
  const auto seed = static_cast<uint64_t>(number_arg(args, "seed", 1));
  // Primed with the first order-1 training characters, so the sample starts in a real context.
  std::vector<int32_t> prime(split.train.begin(),
                             split.train.begin() + std::min<std::ptrdiff_t>(order - 1, split.train.size()));
  const std::vector<int32_t> out = m.sample(prime, length, temperature, seed);
  r.set("prime", rnnlab::encode_utf8(s.vocab().decode(prime)));
  r.set("sample", rnnlab::encode_utf8(s.vocab().decode(out)));
  return r;
}

// The context of a prediction and the counts behind it, order by order (see the op list at the top).
val do_ngram_counts(const rnnlab::Session& s, const val& args) {
  const int order = static_cast<int>(number_arg(args, "order", 5));
  if (order < 1 || order > 10) throw rnnlab::ConfigError("the n-gram order must be a whole number from 1 to 10");
  const auto& split = s.split();
  if (split.train.empty()) throw rnnlab::ConfigError("this model has no training text for an n-gram model");
  const rnnlab::Vocab& vocab = s.vocab();
  std::vector<int32_t> ids;
  for (char32_t ch : rnnlab::decode_utf8(trace_text(s, args, kMaxTraceChars)).text)
    if (const int id = vocab.id_of(ch); id >= 0 && ids.size() < kMaxTraceChars) ids.push_back(id);
  if (ids.size() < 2) throw rnnlab::ConfigError("the text needs at least 2 characters the model knows");
  const double at = number_arg(args, "position", static_cast<double>(ids.size() - 1));
  if (!(at >= 1 && at <= static_cast<double>(ids.size() - 1)) || at != std::floor(at))
    throw rnnlab::ConfigError("the position must be a whole number from 2 to " + std::to_string(ids.size()) +
                              " (the character predicted, counting from 1)");
  const auto position = static_cast<size_t>(at);
  const size_t from = position > static_cast<size_t>(order - 1) ? position - static_cast<size_t>(order - 1) : 0;
  const int32_t* context = ids.data() + from;
  const int len = static_cast<int>(position - from);
  const rnnlab::NgramModel m(order, vocab.size(), split.train);
  std::vector<double> probs(static_cast<size_t>(vocab.size()));
  m.distribution(context, len, probs.data());
  const auto text_of = [&](const int32_t* b, const int32_t* e) {
    return rnnlab::encode_utf8(vocab.decode(std::vector<int32_t>(b, e)));
  };
  val levels = val::array();
  for (const auto& L : m.context_counts(context, len)) {
    val level = val::object();
    level.set("context", text_of(context + len - L.length, context + len));
    level.set("raw", L.raw);
    level.set("total", L.total);
    level.set("discount", L.discount);
    val entries = val::array();
    for (size_t i = 0; i < L.tokens.size(); ++i) {
      val e = val::object();
      e.set("ch", text_of(&L.tokens[i], &L.tokens[i] + 1));
      e.set("count", L.counts[i]);
      e.set("p", probs[static_cast<size_t>(L.tokens[i])]);
      entries.call<void>("push", e);
    }
    level.set("entries", entries);
    levels.call<void>("push", level);
  }
  val r = ok();
  r.set("order", order);
  r.set("position", static_cast<double>(position));
  r.set("context", text_of(context, context + len));
  r.set("next", text_of(&ids[position], &ids[position] + 1));
  r.set("nextP", probs[static_cast<size_t>(ids[position])]);
  r.set("levels", levels);
  return r;
}

}  // namespace

val look(rnnlab::Session& session, const std::string& op, const val& args) {
  if (op == "trace") return do_trace(session, args, true);
  if (op == "rank") return do_trace(session, args, false);
  if (op == "gradientFlow") return do_gradient_flow(session, args);
  if (op == "ngram") return do_ngram(session, args);
  if (op == "ngramCounts") return do_ngram_counts(session, args);
  if (op == "inputGradients") {
    const size_t max_chars = max_chars_arg(args);
    return input_gradients_op(session, args, trace_text(session, args, max_chars), max_chars);
  }
  if (op == "unroll" || op == "unrollUnit" || op == "previewUpdate" || op == "checkGradients" || op == "clampSample")
    return step_through_op(session, op, args);
  throw rnnlab::ConfigError("unknown look-inside request '" + op + "'");
}

}  // namespace rnnlab_web
