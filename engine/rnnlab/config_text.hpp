// Config as "key=value" lines: inside model files and safetensors metadata, and for the CLI's --set key=value.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "rnnlab/config.hpp"

namespace rnnlab {

// Every field, one "key=value" per line, floats written so they read back bit-exactly.
std::string config_to_text(const Config& config);

// Reads lines written by config_to_text (missing keys keep their defaults) and validates the result.
// Throws FormatError on a malformed line, an unknown key or an unreadable value; ConfigError when out of range.
Config config_from_text(std::string_view text);

// Sets one field from its text form, e.g. set_config_value(c, "hidden", "256"); throws ConfigError when the key is
// unknown (listing the known keys) or the value does not parse. Does not validate ranges.
void set_config_value(Config& config, const std::string& key, const std::string& value);

std::vector<std::string> config_keys();

}  // namespace rnnlab
