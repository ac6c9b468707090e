#include "rnnlab/byteio.hpp"

#include <array>
#include <cstring>

#include "rnnlab/errors.hpp"

namespace rnnlab {

// ---- ByteWriter ----

void ByteWriter::u8(uint8_t v) { buf_.push_back(static_cast<char>(v)); }

void ByteWriter::u32(uint32_t v) {
  for (int i = 0; i < 4; ++i) u8(static_cast<uint8_t>(v >> (8 * i)));
}

void ByteWriter::u64(uint64_t v) {
  for (int i = 0; i < 8; ++i) u8(static_cast<uint8_t>(v >> (8 * i)));
}

void ByteWriter::i32(int32_t v) { u32(static_cast<uint32_t>(v)); }

void ByteWriter::f32(float v) {
  uint32_t bits;
  std::memcpy(&bits, &v, 4);
  u32(bits);
}

void ByteWriter::f64(double v) {
  uint64_t bits;
  std::memcpy(&bits, &v, 8);
  u64(bits);
}

void ByteWriter::bytes(const void* p, size_t n) {
  if (n > 0) buf_.append(static_cast<const char*>(p), n);
}

void ByteWriter::str(std::string_view s) {
  if (s.size() > UINT32_MAX) throw FormatError("cannot write a string of " + std::to_string(s.size()) +
                                               " bytes: the format stores lengths in 32 bits");
  u32(static_cast<uint32_t>(s.size()));
  bytes(s.data(), s.size());
}

void ByteWriter::f32_array(const float* p, size_t n) {
  buf_.reserve(buf_.size() + 4 * n);
  for (size_t i = 0; i < n; ++i) f32(p[i]);
}

// ---- ByteReader ----

ByteReader::ByteReader(std::string_view bytes, std::string what) : data_(bytes), what_(std::move(what)) {}

const unsigned char* ByteReader::take(size_t n) {
  if (n > remaining()) {
    throw FormatError(what_ + ": truncated at byte " + std::to_string(pos_) + " (needed " + std::to_string(n) +
                      " more bytes, " + std::to_string(remaining()) + " left)");
  }
  const auto* p = reinterpret_cast<const unsigned char*>(data_.data()) + pos_;
  pos_ += n;
  return p;
}

uint8_t ByteReader::u8() { return *take(1); }

uint32_t ByteReader::u32() {
  const unsigned char* p = take(4);
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v |= uint32_t{p[i]} << (8 * i);
  return v;
}

uint64_t ByteReader::u64() {
  const unsigned char* p = take(8);
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v |= uint64_t{p[i]} << (8 * i);
  return v;
}

int32_t ByteReader::i32() {
  uint32_t u = u32();
  int32_t v;
  std::memcpy(&v, &u, 4);   // two's complement reinterpretation without implementation-defined casts
  return v;
}

float ByteReader::f32() {
  uint32_t bits = u32();
  float v;
  std::memcpy(&v, &bits, 4);
  return v;
}

double ByteReader::f64() {
  uint64_t bits = u64();
  double v;
  std::memcpy(&v, &bits, 8);
  return v;
}

std::string_view ByteReader::bytes(size_t n) {
  const unsigned char* p = take(n);
  return std::string_view(reinterpret_cast<const char*>(p), n);
}

std::string ByteReader::str(size_t max_len) {
  const size_t start = pos_;
  const uint32_t len = u32();
  if (len > max_len) {
    throw FormatError(what_ + ": string at byte " + std::to_string(start) + " claims " + std::to_string(len) +
                      " bytes, more than the limit of " + std::to_string(max_len) +
                      " (the file is corrupted or not this format)");
  }
  return std::string(bytes(len));   // bytes() checks the length against what is left before we allocate
}

void ByteReader::f32_array(float* out, size_t n) {
  // Compare counts rather than computing 4 * n, which could wrap for a hostile n.
  if (n > remaining() / 4) {
    throw FormatError(what_ + ": truncated at byte " + std::to_string(pos_) + " (needed " + std::to_string(n) +
                      " floats, " + std::to_string(remaining()) + " bytes left)");
  }
  for (size_t i = 0; i < n; ++i) out[i] = f32();
}

void ByteReader::expect_end() {
  if (remaining() != 0) {
    throw FormatError(what_ + ": " + std::to_string(remaining()) + " unexpected bytes after the end at byte " +
                      std::to_string(pos_) + " (the file is corrupted or was written by a different version)");
  }
}

// ---- CRC-32 ----

namespace {

// The 256-entry table of the byte-at-a-time algorithm, built at compile time.
constexpr std::array<uint32_t, 256> make_crc_table() {
  std::array<uint32_t, 256> table{};
  for (uint32_t n = 0; n < 256; ++n) {
    uint32_t c = n;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    table[n] = c;
  }
  return table;
}

constexpr std::array<uint32_t, 256> kCrcTable = make_crc_table();

}  // namespace

uint32_t crc32(std::string_view bytes, uint32_t crc) {
  // The register is kept inverted between calls (zlib's convention), which is what makes chaining work.
  uint32_t c = ~crc;
  for (char ch : bytes) c = kCrcTable[(c ^ static_cast<unsigned char>(ch)) & 0xFFu] ^ (c >> 8);
  return ~c;
}

}  // namespace rnnlab
