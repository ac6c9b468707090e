// rnnlab sample: stream generated characters to stdout as they come.
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>

#include "args.hpp"
#include "cli_error.hpp"
#include "commands.hpp"
#include "model_io.hpp"
#include "rnnlab/errors.hpp"

namespace rnnlab::cli {
namespace {

const CommandSpec& spec() {
  static const CommandSpec s = [] {
    CommandSpec c;
    c.name = "sample";
    c.usage = "rnnlab sample MODEL [options]";
    c.summary =
        "Generates text from a model file or a .safetensors export, writing each character as it is made.\n"
        "The prime, if any, is printed first and fed to the model; its characters outside the model's\n"
        "vocabulary are skipped (with a warning).";
    c.positionals = {"MODEL"};
    c.options = {
        {"--length", "N", "500", "characters to generate, 0-1000000"},
        {"--temperature", "T", "1", "below 1: safer, more repetitive; above 1: wilder; 0 = always the likeliest"},
        {"--top-k", "K", "0", "choose among the K likeliest characters only; 0 = all"},
        {"--top-p", "P", "1", "choose among the likeliest characters that make up probability P; 1 = all"},
        {"--prime", "TEXT", "", "text to start from"},
        {"--seed", "N", "1", "random seed: the same seed and options give the same text"},
    };
    c.examples = {"rnnlab sample input.model --prime \"ROMEO:\" --temperature 0.8 --length 1000"};
    return c;
  }();
  return s;
}

SampleOptions sample_options(const ParsedArgs& a) {
  SampleOptions o;
  o.length = static_cast<int>(parse_int_option("--length", a.value("--length", "500"), 0, 1000000));
  o.temperature = static_cast<float>(parse_double_option("--temperature", a.value("--temperature", "1"), 0, 100));
  o.top_k = static_cast<int>(parse_int_option("--top-k", a.value("--top-k", "0"), 0, 1 << 20));
  o.top_p = static_cast<float>(parse_double_option("--top-p", a.value("--top-p", "1"), 0, 1));
  o.prime = a.value("--prime");
  o.seed = static_cast<uint64_t>(parse_int_option("--seed", a.value("--seed", "1"), 0, INT64_MAX));
  try {
    validate(o);
  } catch (const ConfigError& e) {
    throw UsageError(e.what());
  }
  return o;
}

// Output may go to a pipe that closes early (| head): stop quietly then, like other Unix filters.
bool write_out(std::string_view s) {
  if (std::fwrite(s.data(), 1, s.size(), stdout) != s.size() || std::fflush(stdout) != 0) return false;
  return true;
}

}  // namespace

int cmd_sample(const Args& args) {
  const ParsedArgs a = parse_args(spec(), args);
  if (a.help) {
    std::fputs(render_help(spec()).c_str(), stdout);
    return kExitOk;
  }
  const SampleOptions options = sample_options(a);
  LoadedModel m = load_model(a.positionals[0]);
  Session& s = *m.session;

  if (!options.prime.empty()) {
    // A zero-length run feeds only the prime: the engine itself says which characters it skipped, before any
    // output, so the warning does not land after a long sample.
    SampleOptions probe = options;
    probe.length = 0;
    const SampleResult r = s.sample(probe);
    if (r.prime_used == 0)
      std::fprintf(stderr, "rnnlab: warning: none of the prime's %zu characters are in the model's vocabulary; "
                   "starting from a line break\n", r.prime_skipped);
    else if (r.prime_skipped > 0)
      std::fprintf(stderr, "rnnlab: warning: %zu of the prime's characters are not in the model's vocabulary and "
                   "were skipped\n", r.prime_skipped);
  }
  bool ok = write_out(options.prime);
  std::string last = options.prime;
  if (ok)
    s.sample(options, [&](std::string_view ch) {
      last = ch;
      return ok = write_out(ch);
    });
  if (!ok && errno != EPIPE) throw FileError(std::string("cannot write the sample: ") + std::strerror(errno));
  // On a terminal, end the line so the prompt does not run on; in a pipe or file, the text stays exactly as made.
  if (ok && ::isatty(STDOUT_FILENO) == 1 && !last.empty() && last.back() != '\n') write_out("\n");
  return kExitOk;
}

}  // namespace rnnlab::cli
