// The model file: everything a training session needs to resume exactly.
//
//   "RNNLAB\x1a\n"                 8-byte magic (the \x1a\n pair catches text-mode mangling, as PNG does)
//   u32 format version              kCheckpointVersion
//   str config                      config_to_text()
//   u32 V, V x u32 code points      the vocabulary, ascending
//   u32 collapsed_distinct, u64 collapsed_occurrences
//   u64 P, P x f32                  parameters in ParamLayout order
//   u32 slots, slots x (P x f32)    optimizer state
//   u64 step, u64 rejected steps
//   [4 x u64 dropout RNG state]     format 1 only: since format 2 the masks derive from seed and step (shards.hpp)
//   u64 text fingerprint, u64 text bytes, u8 text included, [str text]
//   u64 cursor position, u64 epoch
//   L x (H*B f32) h, [L x (H*B f32) c for LSTM]   the hidden state carried between chunks
//   u32 CRC-32 of everything above
// Every count, and the sizes the configuration implies, are checked against the bytes left before anything is
// allocated (require_backed_by_file).
#include <cmath>

#include "rnnlab/byteio.hpp"
#include "rnnlab/errors.hpp"
#include "rnnlab/config_text.hpp"
#include "rnnlab/optimizer.hpp"
#include "rnnlab/params.hpp"
#include "rnnlab/session.hpp"

namespace rnnlab {
namespace {

constexpr char kMagic[8] = {'R', 'N', 'N', 'L', 'A', 'B', '\x1a', '\n'};
// 2: data-parallel shards; dropout masks keyed by seed, step and stream, so no generator state is stored. Format 1
// files still load (their weights, moments and cursor are all valid); training on them follows the new shards,
// so its losses differ from what the old engine would have given.
constexpr uint32_t kCheckpointVersion = 2;
constexpr size_t kMaxConfigBytes = 1 << 16;
constexpr uint64_t kMaxTextBytes = 1ull << 31;

// Fixed-size fields after the weights and optimizer state: u64 P, u32 slots, u64 step, u64 rejected, (format 1:
// 4 x u64 RNG), u64 fingerprint, u64 text bytes, u8 text included, u64 cursor position, u64 epoch.
constexpr uint64_t fixed_tail_bytes(uint32_t version) { return 8 + 4 + 8 + 8 + (version == 1 ? 32 : 0) + 8 + 8 + 1 + 8 + 8; }

// Before anything the size of the model is allocated: the weights, optimizer moments and carried state that this
// configuration and vocabulary need must all be in the file. So a forged header (a 1024-unit, 4-layer model in a
// file of a few hundred KB) is refused at once, and loading never allocates more than the file itself backs plus
// small fixed tables.
void require_backed_by_file(const Config& c, int V, size_t remaining, uint32_t version) {
  const uint64_t P = ParamLayout(c.model, V).total();
  const uint64_t slabs = 1 + static_cast<uint64_t>(Optimizer::slot_count(c.optim.type));
  const uint64_t state = static_cast<uint64_t>(c.model.layers) * static_cast<uint64_t>(c.model.hidden) *
                         static_cast<uint64_t>(c.train.batch) * (has_cell_state(c.model.cell) ? 2 : 1);
  const uint64_t need = 4 * (P * slabs + state) + fixed_tail_bytes(version);   // < 2^40: every factor is range-checked
  if (need > remaining)
    throw FormatError("model file: its configuration (" + to_string(c.model.cell) + ", " +
                      std::to_string(c.model.layers) + " x " + std::to_string(c.model.hidden) + " hidden, " +
                      std::to_string(V) + " symbols) needs " + std::to_string(need) +
                      " bytes of weights and state, but only " + std::to_string(remaining) +
                      " are left: the file is cut short or corrupted");
}

void write_state(ByteWriter& w, const std::vector<Mat<float>>& mats) {
  for (const auto& m : mats) w.f32_array(m.data(), static_cast<size_t>(m.size()));
}

void read_state(ByteReader& r, std::vector<Mat<float>>& mats) {
  for (auto& m : mats) r.f32_array(m.data(), static_cast<size_t>(m.size()));
}

}  // namespace

struct CheckpointCodec {
  static std::string save(const Session& s, bool include_text) {
    ByteWriter w;
    w.bytes(kMagic, sizeof kMagic);
    w.u32(kCheckpointVersion);
    w.str(config_to_text(s.config_));
    w.u32(static_cast<uint32_t>(s.vocab_.size()));
    for (char32_t c : s.vocab_.symbols()) w.u32(static_cast<uint32_t>(c));
    w.u32(static_cast<uint32_t>(s.vocab_.collapsed_distinct()));
    w.u64(s.vocab_.collapsed_occurrences());
    w.u64(s.params_.size());
    w.f32_array(s.params_.data(), s.params_.size());
    w.u32(static_cast<uint32_t>(s.optimizer_.slots().size()));
    for (const auto& slot : s.optimizer_.slots()) w.f32_array(slot.data(), slot.size());
    w.u64(s.step_);
    w.u64(s.rejected_);
    w.u64(s.text_identity_known_ ? s.text_hash_ : 0);   // 0: any text may be attached (imported weights)
    w.u64(s.text_bytes());   // kept through a load and save without the text, so --resume can still check it
    w.u8(include_text ? 1 : 0);
    if (include_text) w.bytes(s.text_.data(), s.text_.size());
    const RecurrentState<float> zero = s.net_.zero_state(s.config_.train.batch);
    const RecurrentState<float>* st = &zero;
    if (s.batcher_) {
      w.u64(s.batcher_->position());
      w.u64(s.batcher_->epoch());
      st = &s.train_state_;
    } else if (s.pending_cursor_) {
      w.u64(s.pending_cursor_->position);
      w.u64(s.pending_cursor_->epoch);
      st = &s.pending_state_;
    } else {
      w.u64(0);
      w.u64(0);
    }
    write_state(w, st->h);
    write_state(w, st->c);
    w.u32(crc32(w.data()));
    return w.take();
  }

  static std::unique_ptr<Session> load(std::string_view bytes) {
    const std::string what = "model file";
    if (bytes.size() < sizeof kMagic + 8 || bytes.substr(0, sizeof kMagic) != std::string_view(kMagic, sizeof kMagic))
      throw FormatError("not an rnnlab model file (it does not start with rnnlab's signature): pick a file saved "
                        "by rnnlab, or import weights with the safetensors import");
    ByteReader r(bytes, what);
    r.bytes(sizeof kMagic);
    const uint32_t version = r.u32();
    if (version > kCheckpointVersion)
      throw FormatError("this model file was written by a newer rnnlab (format " + std::to_string(version) +
                        ", this build reads up to " + std::to_string(kCheckpointVersion) + "): update rnnlab");
    if (version == 0) throw FormatError("model file: format version 0 is not valid: the file is corrupted");
    const std::string_view body = bytes.substr(0, bytes.size() - 4);
    ByteReader tail(bytes.substr(bytes.size() - 4), what);
    if (crc32(body) != tail.u32())
      throw FormatError("the model file is corrupted (its checksum does not match): it was damaged or cut short "
                        "in transfer; use another copy");

    ByteReader in(body, what);
    in.bytes(sizeof kMagic);
    in.u32();
    const Config config = config_from_text(in.str(kMaxConfigBytes));
    const uint32_t V = in.u32();
    if (V > static_cast<uint32_t>(Vocab::kMaxSymbols) || static_cast<size_t>(V) * 4 > in.remaining())
      throw FormatError("model file: vocabulary size " + std::to_string(V) + " is impossible (rnnlab models have 2 to " +
                        std::to_string(Vocab::kMaxSymbols) + " symbols, and the file must hold them): it is corrupted");
    std::vector<char32_t> symbols(V);
    for (auto& c : symbols) c = static_cast<char32_t>(in.u32());
    Vocab vocab = Vocab::from_symbols(std::move(symbols));
    in.u32();   // collapsed statistics: informational, rebuilt from the text when attached
    in.u64();
    require_backed_by_file(config, static_cast<int>(V), in.remaining(), version);

    auto s = std::unique_ptr<Session>(new Session(config, std::move(vocab)));
    const uint64_t P = in.u64();
    if (P != s->params_.size())
      throw FormatError("model file: it holds " + std::to_string(P) + " weights but its configuration needs " +
                        std::to_string(s->params_.size()) + ": the file is corrupted");
    in.f32_array(s->params_.data(), s->params_.size());
    const uint32_t slots = in.u32();
    if (slots != s->optimizer_.slots().size())
      throw FormatError("model file: optimizer state does not match the configured optimizer: the file is corrupted");
    for (auto& slot : s->optimizer_.slots()) in.f32_array(slot.data(), slot.size());
    for (float p : s->params_)
      if (!std::isfinite(p)) throw FormatError("model file: it holds non-finite weights (NaN or infinity)");
    s->step_ = in.u64();
    s->rejected_ = in.u64();
    if (version == 1)
      for (int i = 0; i < 4; ++i) in.u64();   // the old single dropout generator's state, no longer used
    s->text_hash_ = in.u64();
    s->text_identity_known_ = s->text_hash_ != 0;
    const uint64_t text_bytes = in.u64();
    s->tied_text_bytes_ = text_bytes;
    const bool has_text = in.u8() != 0;
    std::string_view text;
    if (has_text) {
      if (text_bytes > kMaxTextBytes || text_bytes > in.remaining())
        throw FormatError("model file: the stored text is cut short: the file is corrupted");
      text = in.bytes(static_cast<size_t>(text_bytes));
    }
    const uint64_t position = in.u64(), epoch = in.u64();
    RecurrentState<float> state = s->net_.zero_state(config.train.batch);
    read_state(in, state.h);
    read_state(in, state.c);
    in.expect_end();

    if (has_text) {
      s->set_text(text, true);
      try {
        s->batcher_->restore(static_cast<size_t>(position), epoch);
      } catch (const FormatError&) {
        throw FormatError("model file: its data cursor lies outside its text: the file is corrupted");
      }
      s->train_state_ = std::move(state);
    } else {
      // Kept until attach_text() gives the text back.
      s->pending_cursor_ = {static_cast<size_t>(position), epoch};
      s->pending_state_ = std::move(state);
    }
    return s;
  }
};

std::string Session::save(bool include_text) const { return CheckpointCodec::save(*this, include_text); }

std::unique_ptr<Session> Session::load(std::string_view bytes) { return CheckpointCodec::load(bytes); }

}  // namespace rnnlab
