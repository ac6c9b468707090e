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
//   s.evaluate(maxChars)                  -> { ok, bitsPerChar, natsPerChar, perplexity, chars }
//   s.sample({ prime, length, temperature, topK, topP, seed }, (chars) => keepGoing)
//   s.save(includeText) / s.exportSafetensors()   -> { ok, bytes: Uint8Array (a copy, not a heap view) }
//   s.roundForLink(textBytes)             -> { ok, bytes }: weights rounded in place for a share link (textBytes
//                                            must be the model's own training text, which the link carries)
//   s.loadLinkWeights(bytes)              -> { ok, ...description } after open() on the link's text and settings
//   s.roundWeights()                      -> { ok }: the same rounding, no payload (replayed on exact resume)
//   s.beginStep() / s.computeShard(k) / s.combineShards(pieces) / s.applyStep(piece): one step's shards spread
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

  val info() {
    return guarded([&] { return description(); });
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
  val computeShard(int shard) {
    return guarded([&] { return rnnlab_web::compute_shard(need(), shard); });
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
    return guarded([&] {
      const rnnlab::EvalReport e = need().evaluate(max_chars > 0 ? static_cast<size_t>(max_chars) : 0);
      val r = ok_result();
      r.set("natsPerChar", number_or_null(e.nats_per_char));
      r.set("bitsPerChar", number_or_null(e.bits_per_char));
      r.set("perplexity", number_or_null(e.perplexity));
      r.set("chars", static_cast<double>(e.chars));
      return r;
    });
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

  val save(bool include_text) {
    return guarded([&] {
      val r = ok_result();
      r.set("bytes", bytes_copy(need().save(include_text)));
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
      .function("train", &WebSession::train)
      .function("evaluate", &WebSession::evaluate)
      .function("sample", &WebSession::sample)
      .function("setLearningRate", &WebSession::setLearningRate)
      .function("setClipping", &WebSession::setClipping)
      .function("restoreLastGood", &WebSession::restoreLastGood)
      .function("lastGoodStep", &WebSession::lastGoodStep)
      .function("save", &WebSession::save)
      .function("importSafetensors", &WebSession::importSafetensors)
      .function("exportSafetensors", &WebSession::exportSafetensors)
      .function("roundForLink", &WebSession::roundForLink)
      .function("loadLinkWeights", &WebSession::loadLinkWeights)
      .function("roundWeights", &WebSession::roundWeights)
      .function("look", &WebSession::look)
      .function("beginStep", &WebSession::beginStep)
      .function("computeShard", &WebSession::computeShard)
      .function("combineShards", &WebSession::combineShards)
      .function("applyStep", &WebSession::applyStep);
}
