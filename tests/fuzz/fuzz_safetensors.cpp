// libFuzzer target: safetensors import (the PyTorch bridge) answers any bytes with a Session or a clear error.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "rnnlab/errors.hpp"
#include "rnnlab/session.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  try {
    auto session = rnnlab::Session::import_safetensors(bytes);
    rnnlab::SampleOptions o;
    o.length = 8;
    session->sample(o);
  } catch (const rnnlab::FormatError&) {
  } catch (const rnnlab::ConfigError&) {
  }
  return 0;
}
