// libFuzzer target: the weights inside a share link (link_weights.hpp) are loaded or refused with a FormatError,
// never a crash, and a refused payload leaves the model usable. Run by ./build.sh fuzz (tests/fuzz/run.sh).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "link_model.hpp"
#include "rnnlab/errors.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static rnnlab::Session session = link_fuzz_session();
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  try {
    session.load_link_weights(bytes);
  } catch (const rnnlab::FormatError&) {
  }
  rnnlab::SampleOptions o;
  o.length = 4;
  session.sample(o);
  return 0;
}
