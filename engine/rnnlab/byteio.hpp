// Little-endian byte encoding for the engine's file formats (model file, safetensors).
//
// Bytes are assembled and taken apart one by one with shifts rather than by copying host integers, so
// the format does not depend on the host's byte order or alignment. Floats travel as their IEEE-754
// bit patterns (memcpy to a same-sized unsigned integer), which keeps NaN payloads and -0 exact.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace rnnlab {

class ByteWriter {
 public:
  void u8(uint8_t v);
  void u32(uint32_t v);
  void u64(uint64_t v);
  void i32(int32_t v);   // two's complement, as u32
  void f32(float v);
  void f64(double v);
  void bytes(const void* p, size_t n);
  void str(std::string_view s);               // u32 length, then the bytes (no terminator)
  void f32_array(const float* p, size_t n);   // n raw floats, no length prefix

  const std::string& data() const { return buf_; }
  std::string take() { return std::move(buf_); }   // leaves the writer empty

 private:
  std::string buf_;
};

// Reads what ByteWriter wrote. Every read checks that the bytes are there before it touches them or
// allocates anything, so a truncated or hostile file costs at most its own size in memory; failures
// throw FormatError naming `what` and the byte offset, e.g.
//   "model file: truncated at byte 1234 (needed 8 more bytes, 3 left)".
class ByteReader {
 public:
  ByteReader(std::string_view bytes, std::string what);

  uint8_t u8();
  uint32_t u32();
  uint64_t u64();
  int32_t i32();
  float f32();
  double f64();
  std::string_view bytes(size_t n);           // a view into the input; valid as long as the input is
  std::string str(size_t max_len);            // FormatError if the stored length is > max_len or > remaining
  void f32_array(float* out, size_t n);

  size_t offset() const { return pos_; }
  size_t remaining() const { return data_.size() - pos_; }
  void expect_end();                          // FormatError if any bytes are left over

 private:
  const unsigned char* take(size_t n);        // bounds-checked advance; returns the start of the n bytes
  std::string_view data_;
  std::string what_;
  size_t pos_ = 0;
};

// CRC-32 as in zlib, PNG and Ethernet (IEEE 802.3, reflected polynomial 0xEDB88320):
// crc32("123456789") == 0xCBF43926. Pass the previous result as `crc` to checksum data in pieces:
// crc32(b, crc32(a)) == crc32(a + b).
uint32_t crc32(std::string_view bytes, uint32_t crc = 0);

}  // namespace rnnlab
