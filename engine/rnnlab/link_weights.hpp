// Trained weights small enough for a share link: every row of every parameter block rounded to 8 bits with one
// scale per row (absmax / 127, symmetric, so 0 stays exactly 0), packed with a checksum. The page deflates and
// base64url-encodes the bytes (web/static/link_schema.js); this file owns the rounding and the byte layout.
//
// Why round the sender's own model: the receiver can only ever have the rounded weights, so the sender rounds its
// weights in place too (Session::round_for_link) and both then sample exactly the same characters for the same seed.
// Rounding and decoding share one function (dequantise), so both sides compute bit-identical floats.
//
// Layout (all little-endian, byteio.hpp):
//   "RNLW"                      4-byte magic
//   u8  format version          kLinkWeightsVersion
//   u8  kind                    1: int8 values, one f32 scale per row
//   u64 step                    training steps behind these weights (shown to the receiver)
//   u64 text fingerprint        text_fingerprint() of the training text; the receiver's text must match
//   u32 V                       vocabulary size the weights were made for
//   u64 P                       trainable parameters (ParamLayout blocks, no alignment padding)
//   per block in ParamLayout order (rows = shape[0], or 1 for a vector):
//     rows x f32                scale of each row
//     rows x cols x i8          values in [-127, 127]; weight = value * scale
//   u32 CRC-32 of everything above (deflate-raw has no checksum of its own)
// Size: P + 4 x rows + 34 bytes, about a quarter of the model's float32 weights.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "rnnlab/params.hpp"

namespace rnnlab {

constexpr uint8_t kLinkWeightsVersion = 1;
constexpr uint8_t kLinkWeightsInt8Rows = 1;
constexpr char kLinkWeightsMagic[4] = {'R', 'N', 'L', 'W'};

// What a payload says about itself (read before it is applied to any model).
struct LinkWeightsHeader {
  uint8_t version = 0, kind = 0;
  uint64_t step = 0;
  uint64_t text_fingerprint = 0;
  uint32_t vocab_size = 0;
  uint64_t parameters = 0;
};

// The payload's exact size for a model with this layout.
size_t link_weights_size(const ParamLayout& layout);

// Rounds every block of params (a slab in `layout`) to 8 bits per row, in place, and returns the payload that
// decodes to exactly the rounded values.
std::string round_and_encode_link_weights(const ParamLayout& layout, float* params, uint64_t step,
                                          uint64_t text_fingerprint, int vocab_size);

// Reads the header only; throws FormatError for a payload that is not link weights or is of a newer format.
LinkWeightsHeader read_link_weights_header(std::string_view payload);

// Checks the payload against a model (layout, vocabulary size, text fingerprint) and writes the weights into
// params (padding untouched). Throws FormatError with a message for people; params is unchanged on failure.
LinkWeightsHeader decode_link_weights(std::string_view payload, const ParamLayout& layout, int vocab_size,
                                      uint64_t text_fingerprint, float* params);

}  // namespace rnnlab
