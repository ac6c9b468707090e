#include "rnnlab/session.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "rnnlab/errors.hpp"
#include "rnnlab/link_weights.hpp"
#include "rnnlab/utf8.hpp"

namespace rnnlab {
namespace {

Vocab vocab_for(std::string_view utf8_text, const Config& config) {
  validate(config);
  const Utf8Decoded decoded = decode_utf8(utf8_text);
  return Vocab::build(decoded.text, config.vocab.max_size, config.vocab.min_count);
}

TextStats stats_of(size_t bytes, const Utf8Decoded& decoded, const Vocab& vocab, const TextSplit& split) {
  TextStats s;
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
      optimizer_(config.optim, params_.size()), plan_(std::max(1, config.train.batch)) {
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
  std::vector<int32_t> tokens = vocab_.encode(decoded.text);
  TextSplit split = split_text(tokens, config_.train.val_fraction);
  // Built before anything is stored, so a text that is too short leaves the session as it was.
  StreamBatcher batcher(split.train.size(), config_.train.batch, config_.train.unroll);

  text_.assign(utf8_text);
  text_hash_ = text_fingerprint(utf8_text);
  text_identity_known_ = true;
  stats_ = stats_of(utf8_text.size(), decoded, vocab_, split);
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
  params_ = good_->params;
  optimizer_.slots() = good_->slots;
  step_ = good_->step;
  step_open_ = false;
  batcher_->restore(good_->cursor.position, good_->cursor.epoch);
  train_state_ = good_->state;
  healthy_streak_ = 0;
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
  std::vector<StreamsGradient> pieces;   // nodes of the summation tree; shard_grads_ keeps spare slabs for reuse
  if (runner) {
    // Every shard at once, so each needs its own slab; then the tree.
    const int lanes = std::max(1, runner->lanes());
    if (lane_caches_.size() < static_cast<size_t>(lanes)) lane_caches_.resize(static_cast<size_t>(lanes));
    shard_grads_.resize(static_cast<size_t>(plan_.count));
    runner->run(plan_.count, [&](int shard, int lane) {
      compute_shard(shard, shard_grads_[static_cast<size_t>(shard)], lane_caches_[static_cast<size_t>(lane)]);
    });
    pieces.swap(shard_grads_);
    combine_shards(plan_, pieces, &shard_grads_);
  } else {
    // One shard after another, each added into the tree as soon as its sibling is there: the same sums (the tree
    // fixes them), with at most log2(K) + 1 slabs alive instead of K (W1: 4 x 3.5 MB instead of 8, in the page).
    if (lane_caches_.empty()) lane_caches_.resize(1);
    for (int k = 0; k < plan_.count; ++k) {
      if (shard_grads_.empty()) shard_grads_.emplace_back();
      pieces.push_back(std::move(shard_grads_.back()));
      shard_grads_.pop_back();
      compute_shard(k, pieces.back(), lane_caches_[0]);
      combine_shards(plan_, pieces, &shard_grads_);
    }
  }
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

// Forward and backward of shard `shard`'s streams only: their columns of the chunk and of the carried state, the
// loss and gradient scaled as shares of the whole step's mean, dropout keyed by their run-wide stream indices.
void Session::compute_shard(int shard, StreamsGradient& out, ForwardCache<float>& cache) const {
  if (!step_open_) throw ConfigError("compute_shard: call begin_step() first");
  if (shard < 0 || shard >= plan_.count)
    throw ConfigError("compute_shard: shard " + std::to_string(shard) + " does not exist (this step has " +
                      std::to_string(plan_.count) + ")");
  const int B = config_.train.batch, T = config_.train.unroll;
  const int first = plan_.first(shard), Bs = plan_.streams(shard);
  std::vector<int32_t> x(static_cast<size_t>(T) * Bs), y(x.size());   // (T*Bs) time-major
  for (int t = 0; t < T; ++t)
    for (int j = 0; j < Bs; ++j) {
      x[static_cast<size_t>(t) * Bs + j] = inputs_[static_cast<size_t>(t) * B + first + j];
      y[static_cast<size_t>(t) * Bs + j] = targets_[static_cast<size_t>(t) * B + first + j];
    }
  out.first_stream = first;
  out.streams = Bs;
  out.state.h.resize(train_state_.h.size());
  out.state.c.resize(train_state_.c.size());
  for (size_t k = 0; k < train_state_.h.size(); ++k) out.state.h[k] = train_state_.h[k].middleCols(first, Bs);
  for (size_t k = 0; k < train_state_.c.size(); ++k) out.state.c[k] = train_state_.c[k].middleCols(first, Bs);
  out.grads.assign(params_.size(), 0.0f);
  const DropoutKey key{config_.train.seed, step_, first};
  out.loss = net_.forward(params_.data(), x.data(), y.data(), T, Bs, out.state, cache, &key, T * B);
  // A non-finite loss rejects the step anyway (apply_step); its backward would only spread NaNs.
  if (std::isfinite(out.loss)) net_.backward(params_.data(), cache, out.grads.data());
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
      good_ = GoodState{params_, optimizer_.slots(), step_, Cursor{batcher_->position(), batcher_->epoch()},
                        train_state_};
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
  EvalReport r;
  size_t n = tokens.size();
  if (max_chars > 0 && n > max_chars + 1) n = max_chars + 1;
  if (n < 2) {
    r.nats_per_char = r.bits_per_char = r.perplexity = NAN;
    return r;
  }
  const int T = config_.train.unroll;
  const int Be = streams > 0 ? static_cast<int>(std::min<size_t>(static_cast<size_t>(streams), n - 1))
                             : static_cast<int>(std::max<size_t>(1, std::min<size_t>(config_.train.batch, (n - 1) / T)));
  const size_t S = (n - 1) / static_cast<size_t>(Be);
  RecurrentState<float> state = net_.zero_state(Be);
  std::vector<int32_t> x, y;
  double total = 0;
  for (size_t p = 0; p < S; p += static_cast<size_t>(T)) {
    const int len = static_cast<int>(std::min<size_t>(static_cast<size_t>(T), S - p));
    x.resize(static_cast<size_t>(len) * Be);
    y.resize(x.size());
    for (int t = 0; t < len; ++t)
      for (int b = 0; b < Be; ++b) {
        const size_t i = static_cast<size_t>(b) * S + p + static_cast<size_t>(t);
        x[static_cast<size_t>(t) * Be + b] = tokens[i];
        y[static_cast<size_t>(t) * Be + b] = tokens[i + 1];
      }
    total += net_.forward(params_.data(), x.data(), y.data(), len, Be, state, cache_, nullptr) * len * Be;
  }
  r.chars = S * static_cast<size_t>(Be);
  r.nats_per_char = total / static_cast<double>(r.chars);
  r.bits_per_char = r.nats_per_char / std::log(2.0);
  r.perplexity = std::exp(r.nats_per_char);
  return r;
}

SampleResult Session::sample(const SampleOptions& options, const CharCallback& on_char) {
  validate(options);
  SampleResult result;
  Rng rng(options.seed);
  RecurrentState<float> state = net_.zero_state(1);
  StepWorkspace<float> ws;
  ws.cache_inputs = true;   // one input projection per distinct token, not per character (network.hpp)
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
