// rnnlab eval: how well a model predicts a text, in the units people compare (bits/char, perplexity).
#include <cmath>
#include <cstdint>
#include <cstdio>

#include "args.hpp"
#include "cli_error.hpp"
#include "commands.hpp"
#include "describe.hpp"
#include "files.hpp"
#include "model_io.hpp"
#include "rnnlab/utf8.hpp"

namespace rnnlab::cli {
namespace {

const CommandSpec& spec() {
  static const CommandSpec s = [] {
    CommandSpec c;
    c.name = "eval";
    c.usage = "rnnlab eval MODEL TEXT_FILE [options]";
    c.summary =
        "Scores a text with a model: the mean loss of predicting each character from those before it, in\n"
        "nats and bits per character, and the perplexity. Characters outside the model's vocabulary are\n"
        "skipped (with a warning).";
    c.positionals = {"MODEL", "TEXT_FILE"};
    c.options = {
        {"--max-chars", "N", "0", "score at most the first N characters; 0 = all"},
        {"--streams", "K", "0", "score the text as K parallel pieces; 1 = one sequence, each character given all "
                                "before it (to compare with other implementations); 0 = automatic, faster"},
        {"--json", "", "", "print one JSON line: nats_per_char, bits_per_char, perplexity, chars"},
    };
    c.examples = {"rnnlab eval input.model test.txt --streams 1 --json"};
    return c;
  }();
  return s;
}

}  // namespace

int cmd_eval(const Args& args) {
  const ParsedArgs a = parse_args(spec(), args);
  if (a.help) {
    std::fputs(render_help(spec()).c_str(), stdout);
    return kExitOk;
  }
  const size_t max_chars =
      static_cast<size_t>(parse_int_option("--max-chars", a.value("--max-chars", "0"), 0, INT64_MAX));
  const int streams = static_cast<int>(parse_int_option("--streams", a.value("--streams", "0"), 0, 1 << 20));
  const std::string text_path = a.positionals[1];

  LoadedModel m = load_model(a.positionals[0]);
  const std::string text = read_file(text_path);
  size_t skipped = 0;
  const size_t known = m.session->vocab().encode(decode_utf8(text).text, &skipped).size();
  const EvalReport r = m.session->evaluate_text(text, max_chars, streams);
  const std::string name = text_path == "-" ? "standard input" : quoted(text_path);
  if (r.chars == 0 || !std::isfinite(r.nats_per_char))
    throw FileError(name + " has " + std::to_string(known) +
                    " characters the model knows; at least 2 are needed to score anything");
  if (skipped > 0)
    std::fprintf(stderr, "rnnlab: warning: %s characters of %s are not in the model's vocabulary and were skipped\n",
                 with_commas(skipped).c_str(), name.c_str());

  if (a.has("--json")) {
    // %.9g: enough digits that the numbers compare exactly with another implementation's.
    std::printf("{\"nats_per_char\":%.9g, \"bits_per_char\":%.9g, \"perplexity\":%.9g, \"chars\":%zu}\n",
                r.nats_per_char, r.bits_per_char, r.perplexity, r.chars);
  } else {
    std::printf("nats/char   %.6f\nbits/char   %.6f\nperplexity  %.4f\nchars       %s\n", r.nats_per_char,
                r.bits_per_char, r.perplexity, with_commas(r.chars).c_str());
  }
  return kExitOk;
}

}  // namespace rnnlab::cli
