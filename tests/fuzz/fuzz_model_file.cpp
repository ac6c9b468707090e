// libFuzzer target: the model-file loader must answer any bytes with a Session or a FormatError/ConfigError,
// never a crash, a hang or an unbounded allocation. Run by ./build.sh fuzz (tests/fuzz/run.sh).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "rnnlab/errors.hpp"
#include "rnnlab/session.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  try {
    auto session = rnnlab::Session::load(bytes);
    rnnlab::SampleOptions o;
    o.length = 8;
    session->sample(o);   // a file that loads must also be usable
  } catch (const rnnlab::FormatError&) {
  } catch (const rnnlab::ConfigError&) {
  }
  return 0;
}
