#include "rnnlab/link_weights.hpp"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <vector>

#include "rnnlab/byteio.hpp"
#include "rnnlab/errors.hpp"

namespace rnnlab {
namespace {

constexpr size_t kHeaderBytes = 4 + 1 + 1 + 8 + 8 + 4 + 8;   // magic .. P
constexpr int kLevels = 127;                                  // symmetric int8: -127 .. 127 (-128 unused)
const std::string kWhat = "the weights in the link";

int block_rows(const ParamBlock& b) { return b.shape.size() > 1 ? b.rows() : 1; }
size_t block_cols(const ParamBlock& b) { return b.size / static_cast<size_t>(block_rows(b)); }

// The one definition of a rounded weight, used when rounding the sender's model and when decoding a link.
inline float dequantise(int q, float scale) { return static_cast<float>(q) * scale; }

size_t trainable(const ParamLayout& layout) {
  size_t n = 0;
  for (const ParamBlock& b : layout.blocks()) n += b.size;
  return n;
}

[[noreturn]] void corrupt(const std::string& why) {
  throw FormatError(kWhat + " are damaged (" + why + "): ask for the link again, or for the model file");
}

}  // namespace

size_t link_weights_size(const ParamLayout& layout) {
  size_t n = kHeaderBytes + 4;
  for (const ParamBlock& b : layout.blocks()) n += 4 * static_cast<size_t>(block_rows(b)) + b.size;
  return n;
}

std::string round_and_encode_link_weights(const ParamLayout& layout, float* params, uint64_t step,
                                          uint64_t text_fingerprint, int vocab_size) {
  ByteWriter w;
  w.bytes(kLinkWeightsMagic, sizeof kLinkWeightsMagic);
  w.u8(kLinkWeightsVersion);
  w.u8(kLinkWeightsInt8Rows);
  w.u64(step);
  w.u64(text_fingerprint);
  w.u32(static_cast<uint32_t>(vocab_size));
  w.u64(trainable(layout));
  std::vector<int8_t> q;
  for (const ParamBlock& b : layout.blocks()) {
    const int rows = block_rows(b);
    const size_t cols = block_cols(b);
    std::vector<float> scales(static_cast<size_t>(rows));
    q.resize(b.size);
    for (int r = 0; r < rows; ++r) {
      float* row = params + b.offset + static_cast<size_t>(r) * cols;
      float m = 0;
      for (size_t j = 0; j < cols; ++j) m = std::max(m, std::fabs(row[j]));
      const float scale = m / static_cast<float>(kLevels);   // 0 for an all-zero row: every value stays 0
      scales[static_cast<size_t>(r)] = scale;
      for (size_t j = 0; j < cols; ++j) {
        long v = scale > 0 ? std::lround(row[j] / scale) : 0;
        v = std::clamp(v, -static_cast<long>(kLevels), static_cast<long>(kLevels));
        q[static_cast<size_t>(r) * cols + j] = static_cast<int8_t>(v);
        row[j] = dequantise(static_cast<int>(v), scale);   // the sender now holds what the receiver will
      }
    }
    for (float s : scales) w.f32(s);
    w.bytes(q.data(), q.size());
  }
  w.u32(crc32(w.data()));
  return w.take();
}

LinkWeightsHeader read_link_weights_header(std::string_view payload) {
  if (payload.size() < kHeaderBytes + 4 ||
      payload.substr(0, sizeof kLinkWeightsMagic) != std::string_view(kLinkWeightsMagic, sizeof kLinkWeightsMagic))
    throw FormatError(kWhat + " are not rnnlab link weights (wrong signature or far too short)");
  ByteReader in(payload, kWhat);
  in.bytes(sizeof kLinkWeightsMagic);
  LinkWeightsHeader h;
  h.version = in.u8();
  if (h.version > kLinkWeightsVersion)
    throw FormatError(kWhat + " were made by a newer rnnlab (weights format " + std::to_string(h.version) +
                      "; this page reads up to " + std::to_string(kLinkWeightsVersion) + ")");
  if (h.version == 0) corrupt("format version 0");
  h.kind = in.u8();
  if (h.kind != kLinkWeightsInt8Rows) corrupt("unknown rounding kind " + std::to_string(h.kind));
  h.step = in.u64();
  h.text_fingerprint = in.u64();
  h.vocab_size = in.u32();
  h.parameters = in.u64();
  return h;
}

LinkWeightsHeader decode_link_weights(std::string_view payload, const ParamLayout& layout, int vocab_size,
                                      uint64_t text_fingerprint, float* params) {
  const LinkWeightsHeader h = read_link_weights_header(payload);
  // The sizes the link's own settings and text imply come first: they say more than a checksum would.
  if (h.vocab_size != static_cast<uint32_t>(vocab_size))
    throw FormatError(kWhat + " are for a vocabulary of " + std::to_string(h.vocab_size) +
                      " characters, but the link's text and settings give " + std::to_string(vocab_size));
  const size_t P = trainable(layout);
  if (h.parameters != P)
    throw FormatError(kWhat + " hold " + std::to_string(h.parameters) + " parameters, but the model the link's " +
                      "settings describe has " + std::to_string(P));
  const size_t want = link_weights_size(layout);
  if (payload.size() < want)
    corrupt("cut short: " + std::to_string(payload.size()) + " of " + std::to_string(want) + " bytes");
  if (payload.size() > want)
    corrupt(std::to_string(payload.size() - want) + " bytes more than the model needs");
  const std::string_view body = payload.substr(0, payload.size() - 4);
  if (crc32(body) != ByteReader(payload.substr(payload.size() - 4), kWhat).u32()) corrupt("checksum mismatch");
  if (h.text_fingerprint != text_fingerprint)
    throw FormatError(kWhat + " were trained on another text than the one the link gives (a changed preset?)");

  std::vector<float> out(P);
  ByteReader in(body, kWhat);
  in.bytes(kHeaderBytes);
  size_t o = 0;
  for (const ParamBlock& b : layout.blocks()) {
    const int rows = block_rows(b);
    const size_t cols = block_cols(b);
    std::vector<float> scales(static_cast<size_t>(rows));
    for (float& s : scales) {
      s = in.f32();
      // A scale this large could make value * scale overflow to infinity.
      if (!(s >= 0 && s <= FLT_MAX / kLevels)) corrupt("a row scale is negative, not finite or absurd");
    }
    const std::string_view q = in.bytes(b.size);
    for (size_t i = 0; i < b.size; ++i) {
      const int v = static_cast<int8_t>(static_cast<unsigned char>(q[i]));
      if (v < -kLevels) corrupt("a value outside -127..127");
      out[o + i] = dequantise(v, scales[i / cols]);
    }
    o += b.size;
  }
  in.expect_end();
  o = 0;
  for (const ParamBlock& b : layout.blocks()) {
    std::copy(out.begin() + static_cast<std::ptrdiff_t>(o), out.begin() + static_cast<std::ptrdiff_t>(o + b.size),
              params + b.offset);
    o += b.size;
  }
  return h;
}

}  // namespace rnnlab
