// libFuzzer target: the configuration text parser (config_text.hpp), which reads the "key=value" lines inside model
// files and safetensors metadata, the page's settings and the CLI's --set. Any input is either refused with a
// FormatError/ConfigError or gives a valid configuration that writes back to text and reads back to the same text
// (so nothing a file says is half-understood). Run by ./build.sh fuzz (tests/fuzz/run.sh).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "rnnlab/config_text.hpp"
#include "rnnlab/errors.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  rnnlab::Config c;
  try {
    c = rnnlab::config_from_text(text);
  } catch (const rnnlab::FormatError&) {
    return 0;
  } catch (const rnnlab::ConfigError&) {
    return 0;
  }
  rnnlab::validate(c);   // an accepted configuration is a valid one (throws, and so crashes the fuzzer, if not)
  const std::string once = rnnlab::config_to_text(c);
  const std::string twice = rnnlab::config_to_text(rnnlab::config_from_text(once));
  if (once != twice) std::abort();   // the written form must read back exactly
  return 0;
}
