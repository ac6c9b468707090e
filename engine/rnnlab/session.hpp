// The engine's facade: one training session over one text. The CLI, the web worker and the tests all use it.
//
//   Session s(text, config);             // vocabulary, split, initial weights
//   StepReport r = s.train_step();       // one truncated-BPTT chunk, clipped, guarded, optimised
//   EvalReport e = s.evaluate();         // validation nats / bits per character, perplexity
//   s.sample(options, on_char);          // streaming generation
//   std::string file = s.save();         // exact-resume checkpoint; Session::load(file) restores it
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rnnlab/config.hpp"
#include "rnnlab/dataset.hpp"
#include "rnnlab/network.hpp"
#include "rnnlab/optimizer.hpp"
#include "rnnlab/sampler.hpp"
#include "rnnlab/shards.hpp"
#include "rnnlab/vocab.hpp"

namespace rnnlab {

struct StepReport {
  uint64_t step = 0;        // accepted updates so far
  double loss = 0;          // mean nats per character on this chunk (as computed, even when rejected)
  double grad_norm = 0;     // global L2 norm of the gradient before clipping
  bool clipped = false;
  bool rejected = false;    // non-finite loss or gradient: the weights and optimizer state were not touched
  bool state_reset = false; // the streams started a new pass over the text, so the hidden state was zeroed
  bool diverging = false;   // finite, but worse than twice a know-nothing model's loss (ln V): the run is blowing up
  float lr = 0;             // learning rate used
  double epoch = 0;         // passes over the training text so far (fractional)
};

struct EvalReport {
  double nats_per_char = 0;
  double bits_per_char = 0;
  double perplexity = 0;
  size_t chars = 0;         // characters scored (0 when there is no validation text)
  size_t spread_over = 0;   // characters of the text the scored ones were taken from (== chars unless sampled)
};

struct TextStats {
  size_t bytes = 0;
  size_t chars = 0;              // Unicode code points
  size_t invalid_replaced = 0;   // invalid UTF-8 sequences replaced by U+FFFD
  int vocab_size = 0;
  int collapsed_distinct = 0;    // rare characters mapped to the unknown symbol
  size_t collapsed_occurrences = 0;
  // Characters of the text outside a loaded model's vocabulary (which has no unknown symbol to map them to): they
  // are left out of training and validation. Always 0 for a model built on this text, whose vocabulary comes from it.
  size_t outside_vocab = 0;
  size_t train_chars = 0, val_chars = 0;
};

struct SampleResult {
  std::string text;              // UTF-8, the generated characters only (not the prime)
  size_t prime_used = 0;         // prime characters fed to the network
  size_t prime_skipped = 0;      // prime characters not in the vocabulary
};

// Runs a step's shards, e.g. on a thread pool (the CLI's lives in tools/rnnlab/thread_pool.hpp; the engine itself
// starts no thread). run() calls body(item, lane) once for every item in [0, n), each call with a lane in
// [0, lanes()) that no concurrent call shares, and returns when all are done.
class ShardRunner {
 public:
  virtual ~ShardRunner() = default;
  virtual int lanes() const = 0;
  virtual void run(int n, const std::function<void(int item, int lane)>& body) = 0;
};

// Called with each generated character (UTF-8); return false to stop early.
using CharCallback = std::function<bool(std::string_view)>;

class Session {
 public:
  // Decodes the text, builds the vocabulary, splits train/validation and initialises the weights from the seed.
  // Throws ConfigError (bad hyper-parameter, empty text, text too short for batch x unroll, ...).
  Session(std::string_view utf8_text, const Config& config);

  // Checkpoints (format: checkpoint.cpp). save() holds everything needed for an exact resume; with include_text
  // the text is stored too, otherwise attach_text() must give the same text again before training.
  std::string save(bool include_text = false) const;
  static std::unique_ptr<Session> load(std::string_view bytes);   // throws FormatError
  // Attaches the training text to a session loaded without it; throws ConfigError if it is not the same text.
  void attach_text(std::string_view utf8_text);

  // safetensors with torch.nn state_dict names (weights_io.cpp). import builds a session for sampling and
  // evaluation; attach a text to train it further (optimizer state starts fresh). `cell` names the cell when the
  // shapes alone cannot (a GRU and the 3-gate LSTM variants look alike); without it the file's rnnlab.config does,
  // and without that an ambiguous file is refused. Throws FormatError.
  std::string export_safetensors() const;
  static std::unique_ptr<Session> import_safetensors(std::string_view bytes,
                                                     std::optional<CellType> cell = std::nullopt);

  // Share links (link_weights.hpp). round_for_link rounds this model's own weights to the link's 8 bits in place
  // (so this page and the link's receiver sample identically) and returns the payload; ConfigError without a
  // training text. load_link_weights replaces the weights of a session opened on the link's text and settings and
  // moves it to the sender's step; the optimizer moments and the data cursor start afresh. FormatError (and the
  // session unchanged) when the payload does not fit this model, text or format.
  std::string round_for_link();
  void load_link_weights(std::string_view payload);

  // One training step: the next chunk, forward and backward of every shard (on runner's threads when given), the
  // fixed-order sum, clipping, the divergence guard and the optimizer. The losses are the same bit for bit with any
  // runner or none (shards.hpp).
  StepReport train_step(ShardRunner* runner = nullptr);

  // The same step in pieces, for callers that compute shards elsewhere (e.g. in other Web Workers on replicas of
  // this session, which must be at the same step with the same weights):
  //   const ShardPlan& plan = s.begin_step();           // every replica: draws the chunk, zeroes a wrapped state
  //   s.compute_shards(k, n, out, cache);               // shards k..k+n-1 into out[0..n), on any replica, any order
  //   combine_shards(plan, pieces);                     // anywhere; pieces[0] then covers all B streams
  //   StepReport r = s.apply_step(pieces[0]);          // every replica, with the same combined gradient
  // compute_shards is const and may run concurrently for different shards (one cache per concurrent call). A range
  // of shards runs as one batch (faster than one shard at a time) with the same bits.
  // ConfigError when called out of this order.
  const ShardPlan& begin_step();
  void compute_shards(int first_shard, int count, StreamsGradient* out, ForwardCache<float>& cache) const;
  // Clips `all` in place; the carried state takes all.state unless the step is rejected.
  StepReport apply_step(StreamsGradient& all);
  const ShardPlan& shard_plan() const { return plan_; }
  // Mean loss over the first max_chars characters of the validation text (0 = all of it).
  EvalReport evaluate(size_t max_chars = 0);
  // Same, over any text (characters not in the vocabulary are skipped). streams = 0 picks min(batch, n/unroll)
  // parallel streams for speed; streams = 1 scores the text as one sequence, each character given all before it
  // (the protocol to compare with other implementations).
  EvalReport evaluate_text(std::string_view utf8_text, size_t max_chars = 0, int streams = 0);
  // The whole validation text when it has at most max_chars characters (then equal to evaluate(0)); otherwise
  // about max_chars of them in streams whose starts are spread evenly over the whole split, so a text whose
  // start is unlike the rest (a sorted list, a play's opening) is not judged by its start. Same characters every
  // call, so the figures of one run compare. spread_over says how many characters the sample was taken from.
  EvalReport evaluate_spread(size_t max_chars);
  // clamp: a unit held at a value throughout (network.hpp: UnitClamp); ConfigError when it names no unit of this
  // model. Without it (the default) the sample is the same as ever, bit for bit.
  SampleResult sample(const SampleOptions& options, const CharCallback& on_char = {}, const UnitClamp& clamp = {});

  // Divergence recovery and schedules read the base rate from here.
  void set_learning_rate(float lr);
  // Clipping applies from the next step on, so a person can switch it off mid-run and watch the gradient norm.
  // Throws ConfigError for a threshold outside the accepted range (the config is left unchanged).
  void set_clipping(ClipMode mode, float value);
  // Every kGoodEvery healthy steps (accepted, not diverging) the session keeps a copy of its training state. A run
  // that blew up can go back to it: weights, optimizer moments, step, cursor and carried state as they were.
  // Returns the step restored to, or -1 when no snapshot exists yet.
  static constexpr int kGoodEvery = 25;
  int64_t restore_last_good();
  int64_t last_good_step() const { return good_ ? static_cast<int64_t>(good_->step) : -1; }
  // Test hook for the recovery paths (the page's "back to the last good weights"): the attempt at training step
  // `step` (the step it would become, step() + 1 when it is the next) gets a NaN in its gradient, as an overflow
  // would, and is rejected by the guard. Once only. Deliberately outside Config, model files and links, so no file
  // or link can trigger it; only code that calls it (a test, the worker's test hook) does.
  void inject_nonfinite_gradient_at(uint64_t step) { nonfinite_at_ = step; }
  // The best model by validation loss: the caller (who decides what "best" means, e.g. after each evaluation)
  // keeps the whole training state as it is now; restore_best() goes back to it exactly, as if loaded from a file
  // saved at that step, and returns that step (-1 when none is kept). The snapshot stays, to go back again.
  void keep_best();
  int64_t restore_best();
  int64_t best_step() const { return best_ ? static_cast<int64_t>(best_->step) : -1; }

  const Config& config() const { return config_; }
  const Vocab& vocab() const { return vocab_; }
  const Network<float>& network() const { return net_; }
  const Slab<float>& params() const { return params_; }
  // The optimizer and its moments, for previews of a step on copies (unrolled.hpp: preview_update).
  const Optimizer& optimizer() const { return optimizer_; }
  Slab<float>& mutable_params() { return params_; }
  // Trainable weights (the slab's alignment padding not counted).
  size_t parameter_count() const;
  const TextStats& text_stats() const { return stats_; }
  bool has_text() const { return batcher_.has_value(); }
  // The training text as given (UTF-8), empty for a model without its text: a page that loads a model file shows it.
  const std::string& text() const { return text_; }
  const TextSplit& split() const { return split_; }   // empty for a model without its text
  uint64_t step() const { return step_; }
  uint64_t rejected_steps() const { return rejected_; }
  // Passes over the training text; for a model loaded without its text, the saved cursor's whole passes.
  double epoch() const;
  // Whether the model knows which text it was trained on (false after a safetensors import), and its fingerprint.
  bool text_identity_known() const { return text_identity_known_; }
  uint64_t text_fingerprint_value() const { return text_hash_; }
  // Size in bytes of the text the model is tied to, also for a model file saved without its text (0: unknown).
  uint64_t text_bytes() const { return batcher_ ? text_.size() : tied_text_bytes_; }
  // A model file loaded without its text: where its next training chunk starts in each stream, kept until
  // attach_text(); empty otherwise.
  std::optional<uint64_t> saved_cursor_position() const {
    if (!pending_cursor_) return std::nullopt;
    return pending_cursor_->position;
  }

 private:
  Session(const Config& config, Vocab vocab);   // weights zero, no text: for load/import
  friend struct CheckpointCodec;
  void set_text(std::string_view utf8_text, bool check_same);
  EvalReport evaluate_tokens(const std::vector<int32_t>& tokens, size_t max_chars, int streams);
  // Be streams of S characters each, stream b scoring tokens[b*stride + 1 .. b*stride + S] (stride >= S).
  EvalReport score_streams(const std::vector<int32_t>& tokens, int Be, size_t S, size_t stride);

  Config config_;
  Vocab vocab_;
  Network<float> net_;
  Slab<float> params_;   // (P) in ParamLayout order
  Optimizer optimizer_;
  uint64_t step_ = 0, rejected_ = 0;
  ShardPlan plan_;
  bool step_open_ = false;              // begin_step() drew a chunk that apply_step() has not consumed yet
  bool step_state_reset_ = false;       // and that chunk started a new pass over the text

  // The text and the cursor through it; absent for a model loaded without its text.
  std::string text_;
  uint64_t text_hash_ = 0;
  TextStats stats_;
  TextSplit split_;
  std::optional<StreamBatcher> batcher_;
  RecurrentState<float> train_state_;   // carried from chunk to chunk
  // A model file loaded without its text keeps its cursor and carried state here until attach_text().
  struct Cursor {
    size_t position = 0;
    uint64_t epoch = 0;
  };
  std::optional<Cursor> pending_cursor_;
  uint64_t tied_text_bytes_ = 0;        // text_bytes() of a model loaded without its text
  RecurrentState<float> pending_state_;
  bool text_identity_known_ = false;    // false after a safetensors import: any text may be attached

  struct GoodState {
    Slab<float> params;
    std::vector<Slab<float>> slots;
    uint64_t step = 0;
    Cursor cursor;
    RecurrentState<float> state;
  };
  std::optional<GoodState> good_;
  int healthy_streak_ = 0;
  std::optional<uint64_t> nonfinite_at_;   // inject_nonfinite_gradient_at()
  std::optional<GoodState> best_;       // keep_best()
  GoodState snapshot() const;
  void restore(const GoodState& s);

  ForwardCache<float> cache_;                    // evaluation
  std::vector<ForwardCache<float>> lane_caches_; // train_step: one per runner lane
  std::vector<StreamsGradient> shard_grads_;     // train_step: spare gradient slabs, reused from step to step
  std::vector<int32_t> inputs_, targets_;   // (T*B) time-major
};

// The statistics a Session would report for this text under this config, without building a model (for a text
// panel that updates as a person types). Throws ConfigError like the Session constructor.
TextStats measure_text(std::string_view utf8_text, const Config& config);

// Where evaluate_spread's streams lie in a split of n scored characters: `streams` streams of `length`
// characters, stream b starting at b * stride (stride >= length, so they never overlap and the last one ends
// inside the split). With n <= max_chars, one plan that is the whole split is not used: evaluate(0) scores it.
struct SpreadPlan {
  size_t streams = 1, length = 0, stride = 0;
};
SpreadPlan spread_plan(size_t n, size_t max_chars, int unroll);

// 64-bit FNV-1a: identifies the training text inside checkpoints.
uint64_t text_fingerprint(std::string_view bytes);

}  // namespace rnnlab
