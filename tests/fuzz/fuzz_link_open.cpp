// libFuzzer target: the engine's side of opening a share link, end to end. The page decodes the #hash into the
// settings (as configuration text), the text, and the rounded weights (w=); the engine then parses the settings,
// builds the session on the text and loads the weights into it. Each step either refuses with a FormatError or
// ConfigError or leaves a session that samples. Input: settings, text and weights separated by kSeparator.
// Run by ./build.sh fuzz (tests/fuzz/run.sh); make_seeds writes real links' parts as seeds.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "link_open.hpp"
#include "rnnlab/config_text.hpp"
#include "rnnlab/errors.hpp"
#include "rnnlab/session.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const LinkParts parts = split_link_parts(std::string_view(reinterpret_cast<const char*>(data), size));
  try {
    const rnnlab::Config c = rnnlab::config_from_text(parts.settings);
    // A link may ask for the largest model the settings allow; that is a matter of time, not of safety, so the
    // fuzzer keeps to small ones and spends its executions on the parsing.
    if (c.model.hidden > 48 || c.model.embed > 48 || c.train.batch * c.train.unroll > 2048) return 0;
    rnnlab::Session s(parts.text, c);
    try {
      s.load_link_weights(parts.weights);
    } catch (const rnnlab::FormatError&) {
      // refused: the session must still be the fresh one and usable
    }
    rnnlab::SampleOptions o;
    o.length = 4;
    s.sample(o);
    s.train_step();
  } catch (const rnnlab::FormatError&) {
  } catch (const rnnlab::ConfigError&) {
  }
  return 0;
}
