#include "rnnlab/session.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "rnnlab/errors.hpp"
#include "rnnlab/link_weights.hpp"
#include "rnnlab/stream_chunk.hpp"
#include "rnnlab/utf8.hpp"

namespace rnnlab {
namespace {

Vocab vocab_for(std::string_view utf8_text, const Config& config) {
  validate(config);
  const Utf8Decoded decoded = decode_utf8(utf8_text);
  return Vocab::build(decoded.text, config.vocab.max_size, config.vocab.min_count);
}

TextStats stats_of(size_t bytes, const Utf8Decoded& decoded, const Vocab& vocab, const TextSplit& split,
                   size_t outside_vocab = 0) {
  TextStats s;
  s.outside_vocab = outside_vocab;
  s.bytes = bytes;
  s.chars = decoded.text.size();
  s.invalid_replaced = decoded.replaced;
  s.vocab_size = vocab.size();
  s.collapsed_distinct = vocab.collapsed_distinct();
  s.collapsed_occurrences = vocab.collapsed_occurrences();
  s.train_chars = split.train.size();
  s.val_chars = split.val.size();
  return s;
}

}  // namespace

TextStats measure_text(std::string_view utf8_text, const Config& config) {
  validate(config);
  const Utf8Decoded decoded = decode_utf8(utf8_text);
  const Vocab vocab = Vocab::build(decoded.text, config.vocab.max_size, config.vocab.min_count);
  return stats_of(utf8_text.size(), decoded, vocab, split_text(vocab.encode(decoded.text), config.train.val_fraction));
}

uint64_t text_fingerprint(std::string_view bytes) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 0x100000001b3ull;
  }
  return h;
}

Session::Session(const Config& config, Vocab vocab)
    : config_(config), vocab_(std::move(vocab)), net_(config.model, vocab_.size()),
      params_(net_.layout().total(), 0.0f),
      optimizer_(config.optim, params_.size()), plan_(std::max(1, config.train.batch), params_.size()) {
  validate(config_);
}

Session::Session(std::string_view utf8_text, const Config& config) : Session(config, vocab_for(utf8_text, config)) {
  Rng init_rng(config_.train.seed);
  net_.init_params(init_rng, params_.data());
  set_text(utf8_text, false);
}

void Session::set_text(std::string_view utf8_text, bool check_same) {
  if (check_same && text_identity_known_ && text_fingerprint(utf8_text) != text_hash_)
    throw ConfigError("this is not the text the model was trained on (its fingerprint differs): "
                      "give the same text file to resume training, or start a new model");
  const Utf8Decoded decoded = decode_utf8(utf8_text);
  size_t outside = 0;
  std::vector<int32_t> tokens = vocab_.encode(decoded.text, &outside);
  TextSplit split = split_text(tokens, config_.train.val_fraction);
  // Built before anything is stored, so a text that is too short leaves the session as it was.
  StreamBatcher batcher(split.train.size(), config_.train.batch, config_.train.unroll);

  text_.assign(utf8_text);
  text_hash_ = text_fingerprint(utf8_text);
  text_identity_known_ = true;
  stats_ = stats_of(utf8_text.size(), decoded, vocab_, split, outside);
  split_ = std::move(split);
  batcher_.emplace(batcher);
  train_state_ = net_.zero_state(config_.train.batch);
  inputs_.resize(static_cast<size_t>(config_.train.batch) * config_.train.unroll);
  targets_.resize(inputs_.size());
}

void Session::attach_text(std::string_view utf8_text) {
  if (batcher_) {   // already has its text: only the same text is accepted, and nothing moves
    if (text_fingerprint(utf8_text) != text_hash_)
      throw ConfigError("this session already trains on another text: start a new model for a new text");
    return;
  }
  set_text(utf8_text, true);
  if (pending_cursor_) {
    batcher_->restore(pending_cursor_->position, pending_cursor_->epoch);
    train_state_ = std::move(pending_state_);
    pending_cursor_.reset();
  }
}

int64_t Session::restore_last_good() {
  if (!good_ || !batcher_) return -1;
  restore(*good_);
  return static_cast<int64_t>(step_);
}

// The whole training state, consistent with itself (as a checkpoint would hold it).
Session::GoodState Session::snapshot() const {
  return GoodState{params_, optimizer_.slots(), step_,
                   Cursor{batcher_->position(), batcher_->epoch()}, train_state_};
}

void Session::restore(const GoodState& s) {
  params_ = s.params;
  optimizer_.slots() = s.slots;
  step_ = s.step;
  step_open_ = false;
  batcher_->restore(s.cursor.position, s.cursor.epoch);
  train_state_ = s.state;
  healthy_streak_ = 0;
}

void Session::keep_best() {
  if (!batcher_)
    throw ConfigError("this model has no training text attached, so there is no training state to keep");
  best_ = snapshot();
}

int64_t Session::restore_best() {
  if (!best_ || !batcher_) return -1;
  restore(*best_);
  return static_cast<int64_t>(step_);
}

std::string Session::round_for_link() {
  if (!batcher_ || !text_identity_known_)
    throw ConfigError("this model holds no training text, so a link cannot carry its weights: share the model file");
  return round_and_encode_link_weights(net_.layout(), params_.data(), step_, text_hash_, vocab_.size());
}

void Session::load_link_weights(std::string_view payload) {
  if (!batcher_) throw ConfigError("open the link's text before its weights");
  const LinkWeightsHeader h = decode_link_weights(payload, net_.layout(), vocab_.size(), text_hash_, params_.data());
  step_ = h.step;
  rejected_ = 0;
  good_.reset();
  best_.reset();
  healthy_streak_ = 0;
}

double Session::epoch() const {
  if (batcher_) return batcher_->epoch_progress();
  return pending_cursor_ ? static_cast<double>(pending_cursor_->epoch) : 0.0;
}

size_t Session::parameter_count() const {
  size_t n = 0;
  for (const ParamBlock& b : net_.layout().blocks()) n += b.size;
  return n;
}

void Session::set_learning_rate(float lr) {
  Config next = config_;
  next.optim.lr = lr;
  validate(next);
  config_ = next;
}

void Session::set_clipping(ClipMode mode, float value) {
  Config next = config_;
  next.optim.clip = mode;
  next.optim.clip_value = value;
  validate(next);
  config_ = next;
}

StepReport Session::train_step(ShardRunner* runner) {
  begin_step();
  // The shards split into one contiguous range per lane (one range without a runner); each range runs as one batch.
  const int K = plan_.count;
  const int lanes = runner ? std::clamp(runner->lanes(), 1, K) : 1;
  if (lane_caches_.size() < static_cast<size_t>(lanes)) lane_caches_.resize(static_cast<size_t>(lanes));
  shard_grads_.resize(static_cast<size_t>(K));
  auto range = [&](int r) { return std::pair<int, int>{r * K / lanes, (r + 1) * K / lanes}; };
  auto compute = [&](int r, int lane) {
    const auto [first, end] = range(r);
    compute_shards(first, end - first, shard_grads_.data() + first, lane_caches_[static_cast<size_t>(lane)]);
  };
  if (runner && lanes > 1) runner->run(lanes, compute);
  else compute(0, 0);
  std::vector<StreamsGradient> pieces;   // nodes of the summation tree; the absorbed go back to shard_grads_
  pieces.swap(shard_grads_);
  combine_shards(plan_, pieces, &shard_grads_);
  const StepReport r = apply_step(pieces[0]);
  shard_grads_.push_back(std::move(pieces[0]));
  return r;
}

const ShardPlan& Session::begin_step() {
  if (!batcher_)
    throw ConfigError("this model has no training text attached: give the text it was trained on to continue");
  step_state_reset_ = batcher_->next(split_.train.data(), inputs_.data(), targets_.data());
  if (step_state_reset_) train_state_.set_zero();
  step_open_ = true;
  return plan_;
}

// Forward and backward of shards [first_shard, first_shard + count) as one batch of their streams: their columns of
// the chunk and of the carried state, dropout keyed by their run-wide stream indices, and per shard the loss and the
// gradient as shares of the whole step's mean (StepShare).
void Session::compute_shards(int first_shard, int count, StreamsGradient* out, ForwardCache<float>& cache) const {
  if (!step_open_) throw ConfigError("compute_shards: call begin_step() first");
  if (first_shard < 0 || count < 1 || first_shard + count > plan_.count)
    throw ConfigError("compute_shards: shards " + std::to_string(first_shard) + " to " +
                      std::to_string(first_shard + count - 1) + " do not exist (this step has " +
                      std::to_string(plan_.count) + ")");
  const int B = config_.train.batch, T = config_.train.unroll;
  const int first = plan_.first(first_shard);
  const int end = first_shard + count == plan_.count ? B : plan_.first(first_shard + count);
  const int Bs = end - first;
  std::vector<int32_t> x(static_cast<size_t>(T) * Bs), y(x.size());   // (T*Bs) time-major
  for (int t = 0; t < T; ++t)
    for (int j = 0; j < Bs; ++j) {
      x[static_cast<size_t>(t) * Bs + j] = inputs_[static_cast<size_t>(t) * B + first + j];
      y[static_cast<size_t>(t) * Bs + j] = targets_[static_cast<size_t>(t) * B + first + j];
    }
  RecurrentState<float> state;
  for (const auto& h : train_state_.h) state.h.push_back(h.middleCols(first, Bs));
  for (const auto& c : train_state_.c) state.c.push_back(c.middleCols(first, Bs));
  const StepShare share{B, plan_.bounds(first_shard, count)};
  const DropoutKey key{config_.train.seed, step_, first};
  const double loss = net_.forward(params_.data(), x.data(), y.data(), T, Bs, state, cache, &key, &share);
  std::vector<float*> grads;
  for (int q = 0; q < count; ++q) {
    StreamsGradient& o = out[q];
    o.first_stream = first + share.bounds[static_cast<size_t>(q)];
    o.streams = share.bounds[static_cast<size_t>(q) + 1] - share.bounds[static_cast<size_t>(q)];
    o.loss = cache.group_loss[static_cast<size_t>(q)] / (static_cast<double>(T) * B);
    o.grads.assign(params_.size(), 0.0f);
    o.state.h.clear();
    o.state.c.clear();
    for (const auto& h : state.h) o.state.h.push_back(h.middleCols(o.first_stream - first, o.streams));
    for (const auto& c : state.c) o.state.c.push_back(c.middleCols(o.first_stream - first, o.streams));
    grads.push_back(o.grads.data());
  }
  // A non-finite loss rejects the step anyway (apply_step); its backward would only spread NaNs.
  if (std::isfinite(loss)) net_.backward_groups(params_.data(), cache, grads);
}

StepReport Session::apply_step(StreamsGradient& all) {
  if (!step_open_) throw ConfigError("apply_step: call begin_step() first");
  if (all.first_stream != 0 || all.streams != config_.train.batch || all.grads.size() != params_.size())
    throw ConfigError("apply_step: the gradient must cover all " + std::to_string(config_.train.batch) +
                      " streams of this model (combine_shards first)");
  step_open_ = false;
  StepReport r;
  r.state_reset = step_state_reset_;
  r.loss = all.loss;
  if (std::isfinite(r.loss)) {
    if (nonfinite_at_ && *nonfinite_at_ == step_ + 1) {   // the test hook, once
      all.grads[0] = NAN;
      nonfinite_at_.reset();
    }
    const ClipResult clip = clip_gradients(config_.optim.clip, config_.optim.clip_value, all.grads.data(), all.grads.size());
    r.grad_norm = clip.norm;
    r.clipped = clip.clipped;
    r.rejected = !clip.finite();
  } else {
    r.grad_norm = NAN;
    r.rejected = true;
  }
  r.lr = scheduled_lr(config_.optim, step_);
  if (r.rejected) {
    // The divergence guard: nothing non-finite reaches the weights, the optimizer's moments or the carried state.
    ++rejected_;
  } else {
    train_state_ = all.state;
    // A confident model that is badly wrong: a loss far above ln V, what knowing nothing costs.
    r.diverging = r.loss > 2.0 * std::log(static_cast<double>(vocab_.size()));
    ++step_;
    optimizer_.apply(params_.data(), all.grads.data(), step_, r.lr);
    if (r.diverging) {
      healthy_streak_ = 0;
    } else if (++healthy_streak_ >= kGoodEvery || !good_) {
      // The whole training state after a healthy step, consistent with itself (as a checkpoint would hold it).
      healthy_streak_ = 0;
      good_ = snapshot();
    }
  }
  r.step = step_;
  r.epoch = batcher_->epoch_progress();
  return r;
}

EvalReport Session::evaluate(size_t max_chars) {
  return evaluate_tokens(split_.val, max_chars, 0);
}

EvalReport Session::evaluate_text(std::string_view utf8_text, size_t max_chars, int streams) {
  return evaluate_tokens(vocab_.encode(decode_utf8(utf8_text).text), max_chars, streams);
}

// Scores tokens[1..n) given everything before, with Be streams carrying state through chunks of up to T steps.
EvalReport Session::evaluate_tokens(const std::vector<int32_t>& tokens, size_t max_chars, int streams) {
  size_t n = tokens.size();
  if (max_chars > 0 && n > max_chars + 1) n = max_chars + 1;
  if (n < 2) {
    EvalReport r;
    r.nats_per_char = r.bits_per_char = r.perplexity = NAN;
    return r;
  }
  const int T = config_.train.unroll;
  const int Be = streams > 0 ? static_cast<int>(std::min<size_t>(static_cast<size_t>(streams), n - 1))
                             : static_cast<int>(std::max<size_t>(1, std::min<size_t>(config_.train.batch, (n - 1) / T)));
  const size_t S = (n - 1) / static_cast<size_t>(Be);
  return score_streams(tokens, Be, S, S);   // contiguous streams: together one prefix of the text
}

SpreadPlan spread_plan(size_t n, size_t max_chars, int unroll) {
  // Streams of several unroll lengths each, so most characters are scored with a context like training's; up to
  // kSpreadStreams of them, so the sample reaches every part of the split.
  constexpr size_t kSpreadStreams = 64;
  const size_t T = static_cast<size_t>(std::max(1, unroll));
  SpreadPlan p;
  p.streams = std::max<size_t>(1, std::min(kSpreadStreams, max_chars / (4 * T)));
  p.length = std::min(n, max_chars) / p.streams;
  p.stride = n / p.streams;   // >= length
  return p;
}

EvalReport Session::evaluate_spread(size_t max_chars) {
  const std::vector<int32_t>& tokens = split_.val;
  if (max_chars == 0 || tokens.size() <= max_chars + 1) return evaluate_tokens(tokens, 0, 0);
  const SpreadPlan p = spread_plan(tokens.size() - 1, max_chars, config_.train.unroll);
  EvalReport r = score_streams(tokens, static_cast<int>(p.streams), p.length, p.stride);
  r.spread_over = tokens.size() - 1;
  return r;
}

EvalReport Session::score_streams(const std::vector<int32_t>& tokens, int Be, size_t S, size_t stride) {
  const int T = config_.train.unroll;
  RecurrentState<float> state = net_.zero_state(Be);
  std::vector<int32_t> x, y;   // (len*Be) time-major
  double total = 0;
  for (size_t p = 0; p < S; p += static_cast<size_t>(T)) {
    const int len = static_cast<int>(std::min<size_t>(static_cast<size_t>(T), S - p));
    gather_stream_chunk(tokens, stride, p, len, Be, x, y);
    total += net_.forward(params_.data(), x.data(), y.data(), len, Be, state, cache_, nullptr) * len * Be;
  }
  return report_from_total(total, S * static_cast<size_t>(Be));
}

// Bounds of a clamp for this model, with messages that say what to choose instead.
static void validate_clamp(const UnitClamp& clamp, const ModelConfig& m) {
  if (!clamp.active()) return;
  if (clamp.layer >= m.layers)
    throw ConfigError("the clamped unit's layer must be 0.." + std::to_string(m.layers - 1) + " for this model");
  if (clamp.unit < 0 || clamp.unit >= m.hidden)
    throw ConfigError("the clamped unit must be 0.." + std::to_string(m.hidden - 1) + " (the layer's hidden units)");
  if (!clamp.h && !clamp.c) throw ConfigError("choose what to clamp: the unit's h, its cell state c, or both");
  if (clamp.c && !has_cell_state(m.cell))
    throw ConfigError("only LSTM cells have a cell state c to clamp: clamp h instead");
  if (!(std::abs(clamp.value) <= 100.0))
    throw ConfigError("the clamp value must be a number from -100 to 100 (tanh units live in -1..1)");
}

SampleResult Session::sample(const SampleOptions& options, const CharCallback& on_char, const UnitClamp& clamp) {
  validate(options);
  validate_clamp(clamp, config_.model);
  SampleResult result;
  Rng rng(options.seed);
  RecurrentState<float> state = net_.zero_state(1);
  StepWorkspace<float> ws;
  ws.cache_inputs = true;   // one input projection per distinct token, not per character (network.hpp)
  ws.clamp = clamp;
  const int V = vocab_.size();
  Slab<float> logits(static_cast<size_t>(V));   // aligned, like every buffer Eigen writes, for reproducible rounding
  ChoiceScratch scratch;

  const std::u32string prime = decode_utf8(options.prime).text;
  std::vector<int32_t> prime_ids;
  for (char32_t ch : prime) {
    const int id = vocab_.id_of(ch);
    // Characters outside the vocabulary are skipped, not mapped to the unknown symbol: feeding U+FFFD for
    // every unseen character would steer the model somewhere it has rarely been.
    if (id < 0 || (id == vocab_.unknown_id() && ch != Vocab::kUnknown)) {
      ++result.prime_skipped;
      continue;
    }
    prime_ids.push_back(id);
  }
  result.prime_used = prime_ids.size();
  if (prime_ids.empty()) {
    // No usable prime: start as if after a line break when the text has one (a natural start of text).
    const int nl = vocab_.id_of(U'\n');
    prime_ids.push_back(nl >= 0 && nl != vocab_.unknown_id() ? nl : 0);
  }
  for (int32_t id : prime_ids) net_.step(params_.data(), &id, 1, state, ws, logits.data());

  result.text.reserve(static_cast<size_t>(options.length));
  for (int i = 0; i < options.length; ++i) {
    int32_t id = choose_token(logits.data(), V, options, vocab_.unknown_id(), rng, scratch);
    const size_t start = result.text.size();
    append_utf8(result.text, vocab_.symbol(id));
    if (on_char && !on_char(std::string_view(result.text).substr(start))) break;
    net_.step(params_.data(), &id, 1, state, ws, logits.data());
  }
  return result;
}

}  // namespace rnnlab
