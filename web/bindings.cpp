// embind bindings for the playground's worker: they only convert types between JavaScript and the engine's
// Session facade (engine/rnnlab/session.hpp). Every engine exception is caught here and returned as
// { ok: false, error: "message for people" }; successful calls return { ok: true, ... }.
//
// JS side (static/worker.js):
//   const engine = await createEngine();
//   const s = new engine.Session();
//   s.open(textOrBytes, configText)       -> { ok, stats, parameterCount, config }
//   s.train(maxSteps, maxMillis)          -> { ok, reports: [{ step, loss, gradNorm, clipped, rejected, ... }] }
//   s.setClipping(mode, value)            -> { ok, config } clipping from the next step on
//   s.evaluate(maxChars)                  -> { ok, bitsPerChar, natsPerChar, perplexity, chars, spreadOver }
//   s.evaluateSpread(maxChars)            -> the same, the whole split or a sample spread over it (spreadOver chars)
//   s.keepBest() -> { ok }; s.restoreBest() -> { ok, step, epoch } (step -1: none kept); s.bestStep() -> step or -1
//   s.loadBest(bytes)                     -> { ok, ...description }: a best model saved by save(false) becomes the
//                                            model, with this model's text attached, and is kept as the best
//   s.scoreSplit(maxMillis, restart)      -> { ok, done, chars, total, bitsPerChar, natsPerChar, perplexity }: the
//                                            whole validation split in pieces (SplitScorer), continued from the
//                                            last call unless restart or the model changed since
//   s.sample({ prime, length, temperature, topK, topP, seed }, (chars) => keepGoing)
//   s.save(includeText) / s.exportSafetensors()   -> { ok, bytes: Uint8Array (a copy, not a heap view) }
//   s.text()                              -> { ok, bytes }: the model's training text (empty without one)
//   s.importSafetensors(bytes) / s.importSafetensorsAs(bytes, cell)  -> { ok, ...description } weights only
//   s.outsideVocab(textBytes)             -> { ok, outside, chars }: characters the model's vocabulary lacks
//   s.attachText(textBytes)               -> { ok, ...description }: a text for a model loaded without one
//   s.roundForLink(textBytes)             -> { ok, bytes }: weights rounded in place for a share link (textBytes
//                                            must be the model's own training text, which the link carries)
//   s.loadLinkWeights(bytes)              -> { ok, ...description } after open() on the link's text and settings
//   s.roundWeights()                      -> { ok }: the same rounding, no payload (replayed on exact resume)
//   s.beginStep() / s.computeShards(k, n) / s.combineShards(pieces) / s.applyStep(piece): one step's shards spread
//                                            over several workers (shard_bindings.hpp); the same losses as train()
//   s.delete()                             // embind objects are freed by hand
//   engine.textStats(textOrBytes, configText)      -> { ok, stats } without building a model
//   engine.checkConfig(configText)                 -> { ok } or { ok: false, error }
#include <emscripten.h>
#include <emscripten/bind.h>
#include <emscripten/val.h>

#include <cmath>
#include <exception>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "rnnlab/config_text.hpp"
#include "rnnlab/dataset.hpp"
#include "rnnlab/errors.hpp"
#include "rnnlab/link_weights.hpp"
#include "rnnlab/session.hpp"
#include "rnnlab/split_scorer.hpp"
#include "rnnlab/utf8.hpp"
#include "rnnlab/vocab.hpp"
#include "inspect_bindings.hpp"
#include "shard_bindings.hpp"

namespace {

using emscripten::val;
using rnnlab::Session;

val ok_result() {
  val r = val::object();
  r.set("ok", true);
  return r;
}

val error_result(const std::string& message) {
  val r = val::object();
  r.set("ok", false);
  r.set("error", message);
  return r;
}

// Runs f (which returns a result object) and turns any engine exception into an error result.
template <typename F>
val guarded(F&& f) {
  try {
    return f();
  } catch (const rnnlab::ConfigError& e) {
    return error_result(e.what());
  } catch (const rnnlab::FormatError& e) {
    return error_result(e.what());
  } catch (const std::bad_alloc&) {
    return error_result("out of memory: the model or the text is too large for this browser tab; "
                        "use a smaller model or a shorter text");
  } catch (const std::exception& e) {
    return error_result(std::string("internal error: ") + e.what());
  }
}

// A Uint8Array holding a copy of the bytes: a view into the wasm heap would be invalidated by memory growth.
val bytes_copy(const std::string& bytes) {
  val view(emscripten::typed_memory_view(bytes.size(), reinterpret_cast<const unsigned char*>(bytes.data())));
  return view.call<val>("slice");
}

// JSON has no NaN; a missing value reads better as null.
val number_or_null(double v) { return std::isfinite(v) ? val(v) : val::null(); }

val report_object(const rnnlab::StepReport& r) {
  val o = val::object();
  o.set("step", static_cast<double>(r.step));
  o.set("loss", number_or_null(r.loss));
  o.set("gradNorm", number_or_null(r.grad_norm));
  o.set("clipped", r.clipped);
  o.set("rejected", r.rejected);
  o.set("diverging", r.diverging);
  o.set("stateReset", r.state_reset);
  o.set("lr", r.lr);
  o.set("epoch", r.epoch);
  return o;
}

val stats_object(const rnnlab::TextStats& s) {
  val o = val::object();
  o.set("bytes", static_cast<double>(s.bytes));
  o.set("chars", static_cast<double>(s.chars));
  o.set("invalidReplaced", static_cast<double>(s.invalid_replaced));
  o.set("vocabSize", s.vocab_size);
  o.set("collapsedDistinct", s.collapsed_distinct);
  o.set("collapsedOccurrences", static_cast<double>(s.collapsed_occurrences));
  o.set("outsideVocab", static_cast<double>(s.outside_vocab));
  o.set("trainChars", static_cast<double>(s.train_chars));
  o.set("valChars", static_cast<double>(s.val_chars));
  return o;
}

// Text statistics as a session would compute them, without building a model (for the page's text panel).
val text_stats(const std::string& utf8_text, const std::string& config_text) {
  return guarded([&] {
    const rnnlab::TextStats s = rnnlab::measure_text(utf8_text, rnnlab::config_from_text(config_text));
    val r = ok_result();
    r.set("stats", stats_object(s));
    return r;
  });
}

// Parses and validates a configuration (config_text format) without a text or a model.
val check_config(const std::string& config_text) {
  return guarded([&] {
    rnnlab::config_from_text(config_text);
    return ok_result();
  });
}

rnnlab::SampleOptions sample_options(const val& o) {
  rnnlab::SampleOptions s;
  auto has = [&](const char* k) { return o.hasOwnProperty(k) && !o[k].isUndefined() && !o[k].isNull(); };
  if (has("prime")) s.prime = o["prime"].as<std::string>();
  if (has("length")) s.length = o["length"].as<int>();
  if (has("temperature")) s.temperature = o["temperature"].as<float>();
  if (has("topK")) s.top_k = o["topK"].as<int>();
  if (has("topP")) s.top_p = o["topP"].as<float>();
  if (has("seed")) s.seed = static_cast<uint64_t>(o["seed"].as<double>());
  return s;
}

class WebSession {
 public:
  val open(const std::string& utf8_text, const std::string& config_text) {
    return guarded([&] {
      auto next = std::make_unique<Session>(utf8_text, rnnlab::config_from_text(config_text));
      session_ = std::move(next);
      return description();
    });
  }

  // A model file from save(); the text inside it (if any) is attached for further training.
  val load(const std::string& bytes) {
    return guarded([&] {
      auto next = Session::load(bytes);
      session_ = std::move(next);
      return description();
    });
  }

  // A safetensors file (exportSafetensors, or PyTorch's parameter names with rnnlab's metadata): weights only.
  val importSafetensors(const std::string& bytes) {
    return guarded([&] {
      auto next = Session::import_safetensors(bytes);
      session_ = std::move(next);
      return description();
    });
  }

  // For a file whose shapes fit several cells and which does not name its own ("gru", "lstm_cifg", "lstm_nfg").
  val importSafetensorsAs(const std::string& bytes, const std::string& cell) {
    return guarded([&] {
      auto next = Session::import_safetensors(bytes, rnnlab::parse_cell(cell));
      session_ = std::move(next);
      return description();
    });
  }

  val info() {
    return guarded([&] { return description(); });
  }

  // How many characters of a text lie outside the model's vocabulary (a loaded model has no symbol to map them
  // to, so training would leave them out). Changes nothing: the page asks before attachText, and may refuse.
  val outsideVocab(const std::string& utf8_text) {
    return guarded([&] {
      const rnnlab::Utf8Decoded decoded = rnnlab::decode_utf8(utf8_text);
      size_t outside = 0;
      need().vocab().encode(decoded.text, &outside);
      val r = ok_result();
      r.set("outside", static_cast<double>(outside));
      r.set("chars", static_cast<double>(decoded.text.size()));
      return r;
    });
  }

  // Gives a model loaded without its text (safetensors, or a model file saved without it) a text to train on.
  val attachText(const std::string& utf8_text) {
    return guarded([&] {
      need().attach_text(utf8_text);
      return description();
    });
  }

  // Up to max_steps training steps, stopping early once max_millis have passed (at least one step runs).
  val train(int max_steps, double max_millis) {
    return guarded([&] {
      Session& s = need();
      val reports = val::array();
      const double start = emscripten_get_now();
      for (int i = 0; i < max_steps; ++i) {
        reports.call<void>("push", report_object(s.train_step()));
        if (emscripten_get_now() - start >= max_millis) break;
      }
      val r = ok_result();
      r.set("reports", reports);
      r.set("millis", emscripten_get_now() - start);
      return r;
    });
  }

  // Data-parallel steps across workers (shard_bindings.hpp).
  val beginStep() {
    return guarded([&] {
      const rnnlab::ShardPlan& plan = need().begin_step();
      val r = ok_result();
      r.set("shards", plan.count);
      return r;
    });
  }
  val computeShards(int first_shard, int count) {
    return guarded([&] { return rnnlab_web::compute_shards(need(), first_shard, count, shard_cache_); });
  }
  val computeShardsHeld(int first_shard, int count) {
    return guarded([&] { return rnnlab_web::compute_shards_held(need(), first_shard, count, shard_cache_, held_); });
  }
  val combineHeld(const val& pieces) {
    return guarded([&] { return rnnlab_web::combine_held(need(), pieces, held_); });
  }
  val applyHeld() {
    return guarded([&] {
      if (held_.size() != 1) throw rnnlab::ConfigError("applyHeld: combineHeld gave no sum for this step");
      val r = ok_result();
      r.set("report", report_object(need().apply_step(held_[0])));
      held_.clear();
      return r;
    });
  }
  val combineShards(const val& pieces) {
    return guarded([&] { return rnnlab_web::combine_shards(need(), pieces); });
  }
  val applyStep(const val& piece) {
    return guarded([&] {
      Session& s = need();
      rnnlab::StreamsGradient all = rnnlab_web::piece_from_js(s, piece);
      val r = ok_result();
      r.set("report", report_object(s.apply_step(all)));
      return r;
    });
  }

  val evaluate(double max_chars) {
    return guarded([&] { return eval_result(need().evaluate(max_chars > 0 ? static_cast<size_t>(max_chars) : 0)); });
  }

  val evaluateSpread(double max_chars) {
    return guarded([&] { return eval_result(need().evaluate_spread(max_chars > 0 ? static_cast<size_t>(max_chars) : 0)); });
  }

  static val eval_result(const rnnlab::EvalReport& e) {
    val r = ok_result();
    r.set("natsPerChar", number_or_null(e.nats_per_char));
    r.set("bitsPerChar", number_or_null(e.bits_per_char));
    r.set("perplexity", number_or_null(e.perplexity));
    r.set("chars", static_cast<double>(e.chars));
    r.set("spreadOver", static_cast<double>(e.spread_over));
    return r;
  }

  // on_char(chars) is called with each generated character (UTF-8 decoded to a JS string); returning false stops.
  val sample(const val& options, const val& on_char) {
    return guarded([&] {
      const rnnlab::SampleOptions o = sample_options(options);
      const bool streaming = on_char.typeOf().as<std::string>() == "function";
      const rnnlab::SampleResult res = need().sample(o, [&](std::string_view ch) {
        if (!streaming) return true;
        const val keep = on_char(std::string(ch));
        return !(keep.isFalse());
      });
      val r = ok_result();
      r.set("text", res.text);
      r.set("primeUsed", static_cast<double>(res.prime_used));
      r.set("primeSkipped", static_cast<double>(res.prime_skipped));
      return r;
    });
  }

  val setLearningRate(double lr) {
    return guarded([&] {
      need().set_learning_rate(static_cast<float>(lr));
      return ok_result();
    });
  }

  // Clipping from the next step on: mode "norm" | "value" | "none" (config_text's names). -> { ok, config }
  val setClipping(const std::string& mode, double value) {
    return guarded([&] {
      Session& s = need();
      s.set_clipping(rnnlab::parse_clip(mode), static_cast<float>(value));
      val r = ok_result();
      r.set("config", rnnlab::config_to_text(s.config()));
      return r;
    });
  }

  // Back to the last healthy training state (see Session::restore_last_good): { ok, step } (step -1: none kept).
  val restoreLastGood() {
    return guarded([&] {
      val r = ok_result();
      r.set("step", static_cast<double>(need().restore_last_good()));
      return r;
    });
  }

  double lastGoodStep() { return session_ ? static_cast<double>(session_->last_good_step()) : -1.0; }

  // Test hook (Session::inject_nonfinite_gradient_at): the training step `step` gets a NaN gradient, for a browser
  // test of the page's recovery path. Only the worker's debug message calls it; no link or file reaches it.
  val injectNonFiniteAt(double step) {
    return guarded([&] {
      if (!(step >= 1 && step <= 9007199254740992.0)) throw rnnlab::ConfigError("the step must be a positive integer");
      need().inject_nonfinite_gradient_at(static_cast<uint64_t>(step));
      return ok_result();
    });
  }

  // The best model by validation loss (see Session::keep_best): the worker decides when a model is the best.
  val keepBest() {
    return guarded([&] {
      need().keep_best();
      return ok_result();
    });
  }

  val restoreBest() {
    return guarded([&] {
      val r = ok_result();
      r.set("step", static_cast<double>(need().restore_best()));
      r.set("epoch", need().epoch());
      return r;
    });
  }

  double bestStep() { return session_ ? static_cast<double>(session_->best_step()) : -1.0; }

  // After a reload the engine has no best snapshot; the page kept the best model's file. It replaces the model as
  // restore_best would (the caller checked it belongs to this run) and is kept as the best again.
  val loadBest(const std::string& bytes) {
    return guarded([&] {
      Session& now = need();
      auto next = Session::load(bytes);
      if (!next->has_text()) next->attach_text(now.text());
      next->keep_best();
      session_ = std::move(next);
      return description();
    });
  }

  // The whole validation split, scored for up to max_millis per call (at least one chunk), so the worker answers
  // the page between calls. A scorer is only continued on the same model at the same step.
  val scoreSplit(double max_millis, bool restart) {
    return guarded([&] {
      Session& s = need();
      const uint64_t calls = s.step() + s.rejected_steps();
      if (restart || !scorer_ || scorer_for_ != &s || scorer_calls_ != calls) {
        scorer_ = std::make_unique<rnnlab::SplitScorer>(s);
        scorer_for_ = &s;
        scorer_calls_ = calls;
      }
      const double start = emscripten_get_now();
      while (!scorer_->advance(s, 1) && emscripten_get_now() - start < max_millis) {}
      const rnnlab::EvalReport e = scorer_->report();
      val r = eval_result(e);
      r.set("done", scorer_->done());
      r.set("total", static_cast<double>(scorer_->chars_total()));
      return r;
    });
  }

  val save(bool include_text) {
    return guarded([&] {
      val r = ok_result();
      r.set("bytes", bytes_copy(need().save(include_text)));
      return r;
    });
  }

  val text() {
    return guarded([&] {
      val r = ok_result();
      r.set("bytes", bytes_copy(need().text()));
      return r;
    });
  }

  // The "Look inside" views (inspect_bindings.cpp): look(op, args) -> { ok, ... }.
  val look(const std::string& op, const val& args) {
    return guarded([&] { return rnnlab_web::look(need(), op, args); });
  }

  // Share links: the link carries the text, so the model's own text must be the one given here.
  val roundForLink(const std::string& utf8_text) {
    return guarded([&] {
      Session& s = need();
      // A model without its text (imported weights) gets the engine's own message from round_for_link.
      if (s.text_identity_known() && rnnlab::text_fingerprint(utf8_text) != s.text_fingerprint_value())
        throw rnnlab::ConfigError("the model was trained on another text than the one the link would carry");
      val r = ok_result();
      r.set("bytes", bytes_copy(s.round_for_link()));
      return r;
    });
  }

  // The same rounding without making a payload: replayed by exact-step resume (worker.js) where Share rounded.
  val roundWeights() {
    return guarded([&] {
      need().round_for_link();
      return ok_result();
    });
  }

  val loadLinkWeights(const std::string& bytes) {
    return guarded([&] {
      need().load_link_weights(bytes);
      return description();
    });
  }

  val exportSafetensors() {
    return guarded([&] {
      val r = ok_result();
      r.set("bytes", bytes_copy(need().export_safetensors()));
      return r;
    });
  }

 private:
  Session& need() {
    if (!session_) throw rnnlab::ConfigError("no model yet: choose a text and start training first");
    return *session_;
  }

  val description() {
    const Session& s = need();
    val r = ok_result();
    r.set("stats", stats_object(s.text_stats()));
    r.set("hasText", s.has_text());
    r.set("parameterCount", static_cast<double>(s.parameter_count()));
    r.set("config", rnnlab::config_to_text(s.config()));
    r.set("step", static_cast<double>(s.step()));
    r.set("rejectedSteps", static_cast<double>(s.rejected_steps()));
    r.set("epoch", s.epoch());
    r.set("vocabSize", s.vocab().size());
    r.set("linkWeightsBytes", static_cast<double>(rnnlab::link_weights_size(s.network().layout())));
    return r;
  }

  std::unique_ptr<Session> session_;
  rnnlab::ForwardCache<float> shard_cache_;   // computeShards' scratch, reused from step to step
  std::vector<rnnlab::StreamsGradient> held_;   // computeShardsHeld / combineHeld: this step's pieces, then its sum
  // scoreSplit's scorer and the model and call count it was started at (weights that changed restart it).
  std::unique_ptr<rnnlab::SplitScorer> scorer_;
  const Session* scorer_for_ = nullptr;
  uint64_t scorer_calls_ = 0;
};

}  // namespace

EMSCRIPTEN_BINDINGS(rnnlab_web) {
  emscripten::function("textStats", &text_stats);
  emscripten::function("checkConfig", &check_config);
  emscripten::class_<WebSession>("Session")
      .constructor<>()
      .function("open", &WebSession::open)
      .function("load", &WebSession::load)
      .function("info", &WebSession::info)
      .function("outsideVocab", &WebSession::outsideVocab)
      .function("attachText", &WebSession::attachText)
      .function("train", &WebSession::train)
      .function("evaluate", &WebSession::evaluate)
      .function("sample", &WebSession::sample)
      .function("setLearningRate", &WebSession::setLearningRate)
      .function("setClipping", &WebSession::setClipping)
      .function("restoreLastGood", &WebSession::restoreLastGood)
      .function("lastGoodStep", &WebSession::lastGoodStep)
      .function("injectNonFiniteAt", &WebSession::injectNonFiniteAt)
      .function("evaluateSpread", &WebSession::evaluateSpread)
      .function("keepBest", &WebSession::keepBest)
      .function("restoreBest", &WebSession::restoreBest)
      .function("bestStep", &WebSession::bestStep)
      .function("loadBest", &WebSession::loadBest)
      .function("scoreSplit", &WebSession::scoreSplit)
      .function("save", &WebSession::save)
      .function("text", &WebSession::text)
      .function("importSafetensors", &WebSession::importSafetensors)
      .function("importSafetensorsAs", &WebSession::importSafetensorsAs)
      .function("exportSafetensors", &WebSession::exportSafetensors)
      .function("roundForLink", &WebSession::roundForLink)
      .function("loadLinkWeights", &WebSession::loadLinkWeights)
      .function("roundWeights", &WebSession::roundWeights)
      .function("look", &WebSession::look)
      .function("beginStep", &WebSession::beginStep)
      .function("computeShards", &WebSession::computeShards)
      .function("computeShardsHeld", &WebSession::computeShardsHeld)
      .function("combineHeld", &WebSession::combineHeld)
      .function("applyHeld", &WebSession::applyHeld)
      .function("combineShards", &WebSession::combineShards)
      .function("applyStep", &WebSession::applyStep);
}
