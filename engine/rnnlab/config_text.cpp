#include "rnnlab/config_text.hpp"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <functional>

#include "rnnlab/errors.hpp"

namespace rnnlab {
namespace {

std::string format_float(float v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.9g", static_cast<double>(v));   // 9 significant digits round-trip a float
  return buf;
}

[[noreturn]] void bad_value(const std::string& key, const std::string& value, const char* expected) {
  throw ConfigError("'" + value + "' is not a valid value for " + key + ": expected " + expected);
}

float parse_float(const std::string& key, const std::string& s) {
  errno = 0;
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);
  if (s.empty() || *end != '\0' || errno == ERANGE) bad_value(key, s, "a number");
  return static_cast<float>(v);
}

long long parse_int(const std::string& key, const std::string& s) {
  errno = 0;
  char* end = nullptr;
  const long long v = std::strtoll(s.c_str(), &end, 10);
  if (s.empty() || *end != '\0' || errno == ERANGE || v < -2000000000LL || v > 2000000000LL)
    bad_value(key, s, "a whole number");
  return v;
}

uint64_t parse_u64(const std::string& key, const std::string& s) {
  errno = 0;
  char* end = nullptr;
  if (s.empty() || s[0] == '-') bad_value(key, s, "a whole number >= 0");
  const unsigned long long v = std::strtoull(s.c_str(), &end, 10);
  if (*end != '\0' || errno == ERANGE) bad_value(key, s, "a whole number >= 0");
  return v;
}

struct Field {
  const char* key;
  std::function<std::string(const Config&)> get;
  std::function<void(Config&, const std::string&)> set;
};

#define RNNLAB_INT_FIELD(name, member) \
  Field{name, [](const Config& c) { return std::to_string(c.member); }, \
        [](Config& c, const std::string& v) { c.member = static_cast<int>(parse_int(name, v)); }}
#define RNNLAB_FLOAT_FIELD(name, member) \
  Field{name, [](const Config& c) { return format_float(c.member); }, \
        [](Config& c, const std::string& v) { c.member = parse_float(name, v); }}
#define RNNLAB_ENUM_FIELD(name, member, parser) \
  Field{name, [](const Config& c) { return to_string(c.member); }, \
        [](Config& c, const std::string& v) { c.member = parser(v); }}

const std::vector<Field>& fields() {
  static const std::vector<Field> table = {
      RNNLAB_ENUM_FIELD("cell", model.cell, parse_cell),
      RNNLAB_INT_FIELD("layers", model.layers),
      RNNLAB_INT_FIELD("hidden", model.hidden),
      RNNLAB_INT_FIELD("embed", model.embed),
      RNNLAB_FLOAT_FIELD("dropout", model.dropout),
      RNNLAB_INT_FIELD("vocab_max", vocab.max_size),
      RNNLAB_INT_FIELD("vocab_min_count", vocab.min_count),
      RNNLAB_ENUM_FIELD("optimizer", optim.type, parse_optimizer),
      RNNLAB_FLOAT_FIELD("lr", optim.lr),
      RNNLAB_FLOAT_FIELD("momentum", optim.momentum),
      RNNLAB_FLOAT_FIELD("beta1", optim.beta1),
      RNNLAB_FLOAT_FIELD("beta2", optim.beta2),
      RNNLAB_FLOAT_FIELD("rms_decay", optim.rms_decay),
      RNNLAB_FLOAT_FIELD("eps", optim.eps),
      RNNLAB_ENUM_FIELD("schedule", optim.schedule, parse_schedule),
      RNNLAB_INT_FIELD("step_every", optim.step_every),
      RNNLAB_FLOAT_FIELD("step_gamma", optim.step_gamma),
      RNNLAB_INT_FIELD("cosine_steps", optim.cosine_steps),
      RNNLAB_FLOAT_FIELD("min_lr_fraction", optim.min_lr_fraction),
      RNNLAB_ENUM_FIELD("clip", optim.clip, parse_clip),
      RNNLAB_FLOAT_FIELD("clip_value", optim.clip_value),
      RNNLAB_INT_FIELD("batch", train.batch),
      RNNLAB_INT_FIELD("unroll", train.unroll),
      RNNLAB_FLOAT_FIELD("val_fraction", train.val_fraction),
      Field{"seed", [](const Config& c) { return std::to_string(c.train.seed); },
            [](Config& c, const std::string& v) { c.train.seed = parse_u64("seed", v); }},
  };
  return table;
}

}  // namespace

std::vector<std::string> config_keys() {
  std::vector<std::string> keys;
  for (const Field& f : fields()) keys.push_back(f.key);
  return keys;
}

void set_config_value(Config& config, const std::string& key, const std::string& value) {
  for (const Field& f : fields())
    if (key == f.key) return f.set(config, value);
  std::string known;
  for (const Field& f : fields()) known += (known.empty() ? "" : ", ") + std::string(f.key);
  throw ConfigError("unknown setting '" + key + "': known settings are " + known);
}

std::string config_to_text(const Config& config) {
  std::string out;
  for (const Field& f : fields()) out += std::string(f.key) + "=" + f.get(config) + "\n";
  return out;
}

Config config_from_text(std::string_view text) {
  Config c;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    const std::string line(text.substr(pos, end - pos));
    pos = end + 1;
    if (line.empty()) continue;
    const size_t eq = line.find('=');
    if (eq == std::string::npos) throw FormatError("configuration line without '=': " + line.substr(0, 40));
    try {
      set_config_value(c, line.substr(0, eq), line.substr(eq + 1));
    } catch (const ConfigError& e) {
      throw FormatError(std::string("configuration: ") + e.what());
    }
  }
  validate(c);
  return c;
}

}  // namespace rnnlab
