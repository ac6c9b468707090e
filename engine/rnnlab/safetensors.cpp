#include "rnnlab/safetensors.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <set>

#include "rnnlab/byteio.hpp"
#include "rnnlab/errors.hpp"
#include "rnnlab/json.hpp"

namespace rnnlab {
namespace {

// The reference implementation refuses headers over 100 MB; so do we, before parsing anything.
constexpr uint64_t kMaxHeaderBytes = 100'000'000;
// Shapes and offsets travel as JSON numbers (doubles): integers above 2^53 cannot be trusted.
constexpr double kMaxExactInteger = 9007199254740992.0;
// A well-formed header nests 3 deep (header, entry, shape); anything much deeper is not a header.
constexpr int kMaxHeaderDepth = 8;
constexpr const char* kMetadataKey = "__metadata__";

[[noreturn]] void fail(const std::string& msg) { throw FormatError("safetensors: " + msg); }

// A name as it appears in messages: JSON-quoted so odd characters are visible, and kept short.
std::string quoted(const std::string& name) {
  std::string q = Json(name).dump();
  return q.size() > 80 ? q.substr(0, 77) + "...\"" : q;
}

// "a number", "an array", ... for messages.
std::string a_type(const Json& j) {
  const std::string name = j.type_name();
  if (j.is_null()) return name;
  return (name[0] == 'a' || name[0] == 'o' ? "an " : "a ") + name;
}

std::string shape_text(const std::vector<int64_t>& shape) {
  std::string s = "[";
  for (size_t k = 0; k < shape.size(); ++k) s += (k ? "," : "") + std::to_string(shape[k]);
  return s + "]";
}

enum class Dtype { f32, f64, f16, bf16 };

struct DtypeInfo {
  const char* name;
  Dtype dtype;
  uint64_t size;
};
constexpr DtypeInfo kDtypes[] = {{"F32", Dtype::f32, 4}, {"F64", Dtype::f64, 8}, {"F16", Dtype::f16, 2},
                                 {"BF16", Dtype::bf16, 2}};

// One header entry, checked, before its data is decoded.
struct Entry {
  std::string name;
  DtypeInfo dtype;
  std::vector<int64_t> shape;
  uint64_t count;   // elements
  uint64_t begin, end;
};

// A non-negative integer that a double holds exactly, or FormatError naming where it came from.
uint64_t exact_uint(const Json& j, const std::string& where) {
  if (!j.is_number()) fail(where + " is " + a_type(j) + ", expected a non-negative integer");
  const double v = j.as_number();
  if (!(v >= 0 && v <= kMaxExactInteger && std::floor(v) == v)) {
    fail(where + " is " + j.dump() + ", expected a non-negative integer no larger than 2^53");
  }
  return static_cast<uint64_t>(v);
}

const Json& member(const Json& entry, const char* key, const std::string& tensor) {
  const Json* v = entry.find(key);
  if (v == nullptr) fail("tensor " + tensor + " has no \"" + key + "\" field");
  return *v;
}

Entry parse_entry(const std::string& name, const Json& j) {
  const std::string q = quoted(name);
  if (!j.is_object()) {
    fail("tensor " + q + " is described by " + a_type(j) + ", expected an object with dtype, shape and data_offsets");
  }
  Entry e;
  e.name = name;

  const Json& dtype = member(j, "dtype", q);
  if (!dtype.is_string()) fail("tensor " + q + ": dtype is " + a_type(dtype) + ", expected a string such as \"F32\"");
  const auto* info = std::find_if(std::begin(kDtypes), std::end(kDtypes),
                                  [&](const DtypeInfo& d) { return dtype.as_string() == d.name; });
  if (info == std::end(kDtypes)) {
    fail("tensor " + q + " has dtype " + quoted(dtype.as_string()) +
         ", which rnnlab cannot read (supported: F32, F64, F16, BF16); convert it to float first");
  }
  e.dtype = *info;

  const Json& shape = member(j, "shape", q);
  if (!shape.is_array()) fail("tensor " + q + ": shape is " + a_type(shape) + ", expected an array of sizes");
  // Multiply with an overflow check, but remember a zero dim: [2^40, 2^40, 0] is a valid empty tensor.
  uint64_t count = 1;
  bool has_zero = false, overflow = false;
  for (size_t k = 0; k < shape.as_array().size(); ++k) {
    const uint64_t d = exact_uint(shape.as_array()[k], "tensor " + q + ": shape entry " + std::to_string(k));
    e.shape.push_back(static_cast<int64_t>(d));
    if (d == 0) has_zero = true;
    else if (count > std::numeric_limits<uint64_t>::max() / d) overflow = true;
    else count *= d;
  }
  if (has_zero) count = 0;
  if (overflow && !has_zero) fail("tensor " + q + ": shape " + shape_text(e.shape) + " has too many elements to exist");
  if (count > std::numeric_limits<uint64_t>::max() / e.dtype.size) {
    fail("tensor " + q + ": shape " + shape_text(e.shape) + " has too many elements to exist");
  }
  e.count = count;

  const Json& offsets = member(j, "data_offsets", q);
  if (!offsets.is_array() || offsets.as_array().size() != 2) {
    fail("tensor " + q + ": data_offsets is " + offsets.dump().substr(0, 60) + ", expected [begin, end]");
  }
  e.begin = exact_uint(offsets.as_array()[0], "tensor " + q + ": data_offsets begin");
  e.end = exact_uint(offsets.as_array()[1], "tensor " + q + ": data_offsets end");
  if (e.end < e.begin) {
    fail("tensor " + q + ": data_offsets [" + std::to_string(e.begin) + ", " + std::to_string(e.end) +
         "] end before they begin");
  }
  const uint64_t needed = count * e.dtype.size;
  if (e.end - e.begin != needed) {
    fail("tensor " + q + ": shape " + shape_text(e.shape) + " of " + e.dtype.name + " needs " + std::to_string(needed) +
         " bytes but data_offsets [" + std::to_string(e.begin) + ", " + std::to_string(e.end) + "] hold " +
         std::to_string(e.end - e.begin));
  }
  return e;
}

std::map<std::string, std::string> parse_metadata(const Json& j) {
  if (!j.is_object()) fail(std::string(kMetadataKey) + " is " + a_type(j) + ", expected an object of strings");
  std::map<std::string, std::string> out;
  for (const auto& [key, value] : j.as_object()) {
    if (!value.is_string()) {
      fail(std::string(kMetadataKey) + " entry " + quoted(key) + " is " + a_type(value) +
           "; metadata values must be strings");
    }
    out[key] = value.as_string();
  }
  return out;
}

float half_to_float(uint16_t h) {
  const uint32_t sign = uint32_t{h & 0x8000u} << 16;
  const uint32_t exponent = (h >> 10) & 0x1Fu;
  const uint32_t mantissa = h & 0x3FFu;
  uint32_t bits;
  if (exponent == 0x1F) {
    bits = sign | 0x7F800000u | (mantissa << 13);   // inf, or NaN keeping its payload
  } else if (exponent == 0) {
    // Zero or subnormal: mantissa * 2^-24, exact in float.
    const float magnitude = std::ldexp(static_cast<float>(mantissa), -24);
    return sign ? -magnitude : magnitude;
  } else {
    bits = sign | ((exponent + (127 - 15)) << 23) | (mantissa << 13);   // rebias the exponent
  }
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

float bfloat16_to_float(uint16_t b) {
  const uint32_t bits = uint32_t{b} << 16;   // bf16 is the top half of a float
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

float double_to_float(double d) {
  // A double beyond float's range is undefined behaviour to cast; round it to infinity as IEEE would.
  // 0x1.ffffffp+127 is halfway between FLT_MAX and 2^128: at and above it, round-to-nearest gives inf.
  if (d >= 0x1.ffffffp+127) return std::numeric_limits<float>::infinity();
  if (d <= -0x1.ffffffp+127) return -std::numeric_limits<float>::infinity();
  return static_cast<float>(d);
}

std::vector<float> decode(const Entry& e, std::string_view data) {
  ByteReader r(data.substr(e.begin, e.end - e.begin), "safetensors tensor " + quoted(e.name));
  std::vector<float> values(e.count);   // safe: count * size == end - begin, which lies inside the file
  switch (e.dtype.dtype) {
    case Dtype::f32: r.f32_array(values.data(), values.size()); break;
    case Dtype::f64:
      for (float& v : values) v = double_to_float(r.f64());
      break;
    case Dtype::f16:
    case Dtype::bf16:
      for (float& v : values) {
        const std::string_view b = r.bytes(2);
        const uint16_t u = static_cast<uint16_t>(static_cast<unsigned char>(b[0]) | static_cast<unsigned char>(b[1]) << 8);
        v = e.dtype.dtype == Dtype::f16 ? half_to_float(u) : bfloat16_to_float(u);
      }
      break;
  }
  r.expect_end();
  return values;
}

}  // namespace

std::string write_safetensors(const TensorFile& file) {
  Json header = Json::Object{};
  if (!file.metadata.empty()) {
    Json meta = Json::Object{};
    for (const auto& [key, value] : file.metadata) meta.as_object().emplace_back(key, Json(value));
    header.as_object().emplace_back(kMetadataKey, std::move(meta));
  }
  std::set<std::string_view> names;
  uint64_t offset = 0;
  for (const Tensor& t : file.tensors) {
    const std::string q = quoted(t.name);
    if (t.name.empty()) throw FormatError("safetensors: cannot write a tensor with an empty name");
    if (t.name == kMetadataKey) throw FormatError("safetensors: cannot write a tensor named __metadata__ (reserved)");
    if (!names.insert(t.name).second) throw FormatError("safetensors: cannot write two tensors named " + q);
    // Same overflow-checked product as the reader (a wrapped product could match values.size() by chance).
    uint64_t count = 1;
    bool has_zero = false, overflow = false;
    Json shape = Json::Array{};
    for (int64_t d : t.shape) {
      if (d < 0 || static_cast<double>(d) > kMaxExactInteger) {
        throw FormatError("safetensors: tensor " + q + " has shape " + shape_text(t.shape) +
                          ": dims must be between 0 and 2^53");
      }
      const auto u = static_cast<uint64_t>(d);
      if (u == 0) has_zero = true;
      else if (count > std::numeric_limits<uint64_t>::max() / u) overflow = true;
      else count *= u;
      shape.push_back(Json(d));
    }
    if (has_zero) count = 0;
    if (overflow && !has_zero) {
      throw FormatError("safetensors: tensor " + q + " has shape " + shape_text(t.shape) + ", too many elements to exist");
    }
    if (count != t.values.size()) {
      throw FormatError("safetensors: tensor " + q + " has shape " + shape_text(t.shape) + " (" +
                        std::to_string(count) + " values) but holds " + std::to_string(t.values.size()) + " values");
    }
    const uint64_t bytes = 4 * count;
    Json entry = Json::Object{};
    entry.as_object().emplace_back("dtype", Json("F32"));
    entry.as_object().emplace_back("shape", std::move(shape));
    entry.as_object().emplace_back("data_offsets", Json(Json::Array{Json(offset), Json(offset + bytes)}));
    header.as_object().emplace_back(t.name, std::move(entry));
    offset += bytes;
  }
  std::string text = header.dump();
  text.append((8 - text.size() % 8) % 8, ' ');   // JSON allows trailing whitespace

  ByteWriter w;
  w.u64(text.size());
  w.bytes(text.data(), text.size());
  for (const Tensor& t : file.tensors) w.f32_array(t.values.data(), t.values.size());
  return w.take();
}

TensorFile read_safetensors(std::string_view bytes) {
  if (bytes.size() < 8) {
    fail("the file is " + std::to_string(bytes.size()) +
         " bytes, too short for the 8-byte header length: it is truncated or not a safetensors file");
  }
  ByteReader r(bytes, "safetensors file");
  const uint64_t header_len = r.u64();
  if (header_len > r.remaining()) {
    fail("header length " + std::to_string(header_len) + " is larger than the file (" + std::to_string(bytes.size()) +
         " bytes): the file is truncated or not a safetensors file");
  }
  if (header_len > kMaxHeaderBytes) {
    fail("header length " + std::to_string(header_len) + " is over the 100 MB limit: this is not a safetensors file");
  }
  const std::string_view header_text = r.bytes(static_cast<size_t>(header_len));
  const std::string_view data = bytes.substr(r.offset());

  Json header;
  try {
    header = parse_json(header_text, kMaxHeaderDepth);
  } catch (const FormatError& e) {
    fail(std::string("the header (which starts at byte 8 of the file) is not valid JSON: ") + e.what());
  }
  if (!header.is_object()) fail("the header is " + a_type(header) + ", expected a JSON object of tensors");

  TensorFile out;
  std::vector<Entry> entries;
  // Keys are unique here: parse_json refuses duplicate keys, so two tensors cannot share a name.
  for (const auto& [name, value] : header.as_object()) {
    if (name == kMetadataKey) {
      out.metadata = parse_metadata(value);
      continue;
    }
    if (name.empty()) fail("a tensor has an empty name");
    entries.push_back(parse_entry(name, value));
  }

  std::stable_sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
    return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
  });
  for (size_t k = 0; k < entries.size(); ++k) {
    const Entry& e = entries[k];
    if (e.end > data.size()) {
      fail("tensor " + quoted(e.name) + ": data_offsets [" + std::to_string(e.begin) + ", " + std::to_string(e.end) +
           "] reach past the end of the data section (" + std::to_string(data.size()) + " bytes): the file is truncated");
    }
    if (k > 0 && e.begin < entries[k - 1].end) {
      const Entry& p = entries[k - 1];
      fail("tensors " + quoted(p.name) + " (bytes " + std::to_string(p.begin) + ".." + std::to_string(p.end) + ") and " +
           quoted(e.name) + " (bytes " + std::to_string(e.begin) + ".." + std::to_string(e.end) +
           ") overlap: the header is corrupted");
    }
  }

  out.tensors.reserve(entries.size());
  for (const Entry& e : entries) out.tensors.push_back(Tensor{e.name, e.shape, decode(e, data)});
  return out;
}

}  // namespace rnnlab
