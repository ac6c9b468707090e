#include "describe.hpp"

#include <cstdio>
#include <cstdlib>

#include "rnnlab/utf8.hpp"

namespace rnnlab::cli {

std::string with_commas(uint64_t n) {
  std::string digits = std::to_string(n), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

std::string format_number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

std::string shortest_float_text(const std::string& value) {
  if (value.find_first_of(".eE") == std::string::npos) return value;   // integers and names
  char* end = nullptr;
  const float v = std::strtof(value.c_str(), &end);
  if (value.empty() || *end != '\0') return value;
  for (int precision = 1; precision <= 9; ++precision) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.*g", precision, static_cast<double>(v));
    if (std::strtof(buf, nullptr) == v) return buf;
  }
  return value;
}

std::string describe_model(const ModelConfig& m) {
  std::string s = to_string(m.cell) + ", " + std::to_string(m.layers) + " layer" + (m.layers > 1 ? "s" : "") +
                  " x " + std::to_string(m.hidden) + " hidden, ";
  s += m.embed ? "embedding " + std::to_string(m.embed) : "one-hot input";
  if (m.dropout > 0) s += ", dropout " + format_number(m.dropout);
  return s;
}

std::string describe_optimizer(const OptimConfig& o) {
  std::string s = to_string(o.type) + ", lr " + format_number(o.lr);
  switch (o.schedule) {
    case ScheduleType::constant: break;
    case ScheduleType::step:
      s += " x" + format_number(o.step_gamma) + " every " + std::to_string(o.step_every) + " steps";
      break;
    case ScheduleType::cosine:
      s += " cosine to x" + format_number(o.min_lr_fraction) + " over " + std::to_string(o.cosine_steps) + " steps";
      break;
  }
  s += o.clip == ClipMode::none ? ", no clipping" : ", clip " + to_string(o.clip) + " " + format_number(o.clip_value);
  return s;
}

std::string preview_symbols(const Vocab& vocab, int max_symbols) {
  std::string s = "\"";   // quoted, so a space at either end is visible
  const int n = vocab.size();
  for (int i = 0; i < n && i < max_symbols; ++i) {
    const char32_t c = vocab.symbol(i);
    // Escapes keep the preview on one line and make invisible characters visible.
    if (c == U'\n') s += "\\n";
    else if (c == U'\t') s += "\\t";
    else if (c == U'\r') s += "\\r";
    else if (c == U'\\') s += "\\\\";
    else if (c == U'"') s += "\\\"";
    else if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0)) {
      char buf[16];
      std::snprintf(buf, sizeof buf, "\\x%02x", static_cast<unsigned>(c));
      s += buf;
    } else if (c == 0x2028 || c == 0x2029 || c == 0xfeff || (c >= 0x200b && c <= 0x200f)) {
      char buf[16];
      std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(c));
      s += buf;
    } else {
      append_utf8(s, c);
    }
  }
  s += "\"";
  if (n > max_symbols) s += " ... (+" + std::to_string(n - max_symbols) + " more)";
  return s;
}

}  // namespace rnnlab::cli
