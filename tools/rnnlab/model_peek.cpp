#include "model_peek.hpp"

#include "rnnlab/byteio.hpp"
#include "rnnlab/errors.hpp"

namespace rnnlab::cli {

ModelFileFacts peek_model_file(std::string_view bytes) {
  ModelFileFacts f;
  try {
    ByteReader in(bytes, "model file");
    in.bytes(8);   // signature
    if (in.u32() != 1) return f;
    in.str(1 << 16);   // configuration
    const uint32_t V = in.u32();
    in.bytes(static_cast<size_t>(V) * 4);
    in.u32();   // collapsed characters
    in.u64();   // collapsed occurrences
    const uint64_t P = in.u64();
    if (P > in.remaining() / 4) return f;
    in.bytes(static_cast<size_t>(P) * 4);
    const uint32_t slots = in.u32();
    if (slots > 2) return f;
    in.bytes(static_cast<size_t>(P) * 4 * slots);
    in.u64();   // step
    in.u64();   // rejected steps
    for (int i = 0; i < 4; ++i) in.u64();   // dropout RNG
    f.text_fingerprint = in.u64();
    f.text_bytes = in.u64();
    f.text_included = in.u8() != 0;
    if (f.text_included) {
      if (f.text_bytes > in.remaining()) return f;
      in.bytes(static_cast<size_t>(f.text_bytes));
    }
    f.cursor = in.u64();
    f.epoch = in.u64();
    f.known = true;
  } catch (const FormatError&) {
    f = ModelFileFacts{};
  }
  return f;
}

}  // namespace rnnlab::cli
